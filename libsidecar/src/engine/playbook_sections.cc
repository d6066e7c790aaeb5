// The playbook readers of the sections the session wires up (sinks:, judge:),
// from their options structs' OptionTables (sinks.h, notify.h, judge.h). Read
// by hand is only what no table holds: secrets refused with a hint, and the
// judge's consistency checks. They sit with the other section readers so that
// the Playbook holds every section (`playbook show` prints them from it).
#include <span>
#include <string>
#include <string_view>

#include "sidecar/config.h"
#include "sidecar/judge.h"
#include "sidecar/notify.h"
#include "sidecar/playbook.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

// sinks.<key> into `o` (when given): its option table; `secret` (when not
// empty) is a key refused with `hint`: a secret is named, never written.
template <typename Options>
void read_sink(ConfigReader& top, std::string_view key, Options* o, std::vector<Status>* errors,
               std::string_view secret = {}, std::string_view hint = {}) {
  const Value* v = top.child(key);
  if (v == nullptr || v->is_null() || o == nullptr) return;
  ConfigReader r(*v, "sinks." + std::string(key), errors);
  read_options(r, o);
  if (const Value* given = secret.empty() || !v->is_object() ? nullptr : v->find(secret)) r.error(*given, secret, hint);
  const std::string_view known[] = {secret};
  r.finish(secret.empty() ? std::span<const std::string_view>() : std::span<const std::string_view>(known));
}

struct SinkTargets {
  ServerSinkOptions* server = nullptr;
  AlertmanagerSinkOptions* alertmanager = nullptr;
  SlackSinkOptions* slack = nullptr;
  WebhookSinkOptions* webhook = nullptr;
};

// The sinks given a target; unknown sinks are reported when `check_top`
// (once, when two readers share the section).
void read_sinks(const Value& playbook, const SinkTargets& t, bool check_top, std::vector<Status>* errors) {
  const Value* section = playbook.find("sinks");
  if (section == nullptr || section->is_null()) return;
  std::vector<Status> unreported;
  ConfigReader top(*section, "sinks", check_top ? errors : &unreported);
  read_sink(top, "server", t.server, errors);
  read_sink(top, "alertmanager", t.alertmanager, errors);
  read_sink(top, "slack", t.slack, errors, "webhook_url",
            "the webhook URL is a secret: name it with webhook_url_env or webhook_url_file");
  read_sink(top, "webhook", t.webhook, errors, "url",
            "the webhook URL may hold a secret: name it with url_env or url_file");
  // The exporter is asked for on the command line (SPEC: on request) and has
  // nothing a playbook could set: a `prometheus:` key is refused, not ignored.
  if (const Value* p = top.child("prometheus"))
    top.error(*p, "prometheus",
              "the exporter has no playbook options: serve it with --prometheus ADDR:PORT (run, watch)");
  top.finish();
}

}  // namespace

void read_sinks_options(const Value& playbook, SinksOptions* out, std::vector<Status>* errors) {
  read_sinks(playbook, {&out->server, &out->alertmanager, &out->slack, &out->webhook}, true, errors);
}

void read_sink_options(const Value& playbook, ServerSinkOptions* server, AlertmanagerSinkOptions* alertmanager,
                       std::vector<Status>* errors) {
  read_sinks(playbook, {server, alertmanager, nullptr, nullptr}, true, errors);
}

void read_notify_sink_options(const Value& playbook, SlackSinkOptions* slack, WebhookSinkOptions* webhook,
                              std::vector<Status>* errors) {
  read_sinks(playbook, {nullptr, nullptr, slack, webhook}, false, errors);
}

void read_judge_options(const Value& playbook, JudgeOptions* out, std::vector<Status>* errors) {
  const Value* section = playbook.find("judge");
  if (section == nullptr || section->is_null()) return;
  ConfigReader r(*section, "judge", errors);
  read_options(r, out);
  r.finish();
  if (out->default_choices.empty() && section->find("default_choices") != nullptr)
    r.error(*section->find("default_choices"), "default_choices", "expected at least one choice");
  if (out->enabled && out->command.empty() && out->url.empty())
    r.error(*section, "enabled", "the judge is enabled but has neither a command nor a url");
  if (!out->command.empty() && !out->url.empty())
    r.error(*section, "url", "give the judge a command or a url, not both");
}

}  // namespace sidecar
