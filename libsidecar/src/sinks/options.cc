// Playbook readers for the sinks and the judge (`sinks:` and `judge:` sections).
#include <string>

#include "sidecar/config.h"
#include "sidecar/judge.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

void read_capacity(ConfigReader& r, std::size_t* out) {
  int v = static_cast<int>(*out);
  r.read("queue_capacity", &v, 1, 1 << 20);
  *out = static_cast<std::size_t>(v);
}

}  // namespace

void read_sink_options(const Value& playbook, ServerSinkOptions* server, AlertmanagerSinkOptions* alertmanager,
                       std::vector<Status>* errors) {
  const Value* section = playbook.find("sinks");
  if (section == nullptr || section->is_null()) return;
  ConfigReader top(*section, "sinks", errors);
  if (const Value* s = top.child("server"); s != nullptr && !s->is_null() && server != nullptr) {
    ConfigReader r(*s, "sinks.server", errors);
    read_capacity(r, &server->queue_capacity);
    r.read("timeout_s", &server->timeout_s, 0.001, 3600.0);
    r.read("initial_backoff_s", &server->initial_backoff_s, 0.0, 3600.0);
    r.read("max_backoff_s", &server->max_backoff_s, 0.0, 86400.0);
    r.read("max_attempts", &server->max_attempts, 0, 1000000);
    r.finish();
  }
  if (const Value* a = top.child("alertmanager"); a != nullptr && !a->is_null() && alertmanager != nullptr) {
    ConfigReader r(*a, "sinks.alertmanager", errors);
    r.read("resend_s", &alertmanager->resend_s, 1.0, 86400.0);
    r.read("resolve_on_finish", &alertmanager->resolve_on_finish);
    read_capacity(r, &alertmanager->queue_capacity);
    r.read("timeout_s", &alertmanager->timeout_s, 0.001, 3600.0);
    r.read("initial_backoff_s", &alertmanager->initial_backoff_s, 0.0, 3600.0);
    r.read("max_backoff_s", &alertmanager->max_backoff_s, 0.0, 86400.0);
    r.finish();
  }
  top.finish();
}

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
