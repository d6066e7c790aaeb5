// The playbook reader for the judge (`judge:` section).
#include "sidecar/config.h"
#include "sidecar/judge.h"

namespace sidecar {

void read_judge_options(const Value& playbook, JudgeOptions* out, std::vector<Status>* errors) {
  const Value* section = playbook.find("judge");
  if (section == nullptr || section->is_null()) return;
  ConfigReader r(*section, "judge", errors);
  r.read("enabled", &out->enabled);
  r.read("command", &out->command);
  r.read("url", &out->url);
  r.read("model", &out->model);
  r.read("api_key_env", &out->api_key_env);
  r.read("interval_s", &out->interval_s, 0.0, 86400.0);
  r.read("timeout_s", &out->timeout_s, 0.001, 3600.0);
  r.read("max_calls_per_hour", &out->max_calls_per_hour, 0, 100000);
  r.read("known_choices", &out->known_choices);
  r.read("default_choices", &out->default_choices);
  r.read("max_severity", &out->max_severity);
  r.finish();
  if (out->default_choices.empty() && section->find("default_choices") != nullptr)
    r.error(*section->find("default_choices"), "default_choices", "expected at least one choice");
  if (out->enabled && out->command.empty() && out->url.empty())
    r.error(*section, "enabled", "the judge is enabled but has neither a command nor a url");
  if (!out->command.empty() && !out->url.empty())
    r.error(*section, "url", "give the judge a command or a url, not both");
}

}  // namespace sidecar
