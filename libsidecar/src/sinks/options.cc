// Playbook readers for the sinks (`sinks:` section).
#include <string>

#include "sidecar/config.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/notify.h"
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
  // Sections read by read_notify_sink_options (notify.h) and the Prometheus exporter.
  constexpr std::string_view kOtherSections[] = {"slack", "webhook", "prometheus"};
  top.finish(kOtherSections);
}

void read_notify_sink_options(const Value& playbook, SlackSinkOptions* slack, WebhookSinkOptions* webhook,
                              std::vector<Status>* errors) {
  const Value* section = playbook.find("sinks");
  if (section == nullptr || section->is_null() || !section->is_object()) return;
  auto read_queue = [](ConfigReader& r, std::size_t* capacity, double* timeout, double* backoff, double* max_backoff,
                       int* attempts) {
    int cap = static_cast<int>(*capacity);
    r.read("queue_capacity", &cap, 1, 1 << 20);
    *capacity = static_cast<std::size_t>(cap);
    r.read("timeout_s", timeout, 0.001, 3600.0);
    r.read("initial_backoff_s", backoff, 0.0, 3600.0);
    r.read("max_backoff_s", max_backoff, 0.0, 86400.0);
    r.read("max_attempts", attempts, 0, 1000000);
  };
  if (const Value* s = section->find("slack"); s != nullptr && !s->is_null() && slack != nullptr) {
    ConfigReader r(*s, "sinks.slack", errors);
    r.read("webhook_url_env", &slack->webhook_url_env);
    r.read("webhook_url_file", &slack->webhook_url_file);
    r.read("run_url", &slack->run_url);
    r.read("min_severity", &slack->min_severity);
    r.read("notify_resolved", &slack->notify_resolved);
    read_queue(r, &slack->queue_capacity, &slack->timeout_s, &slack->initial_backoff_s, &slack->max_backoff_s,
               &slack->max_attempts);
    if (s->find("webhook_url") != nullptr)
      r.error(*s->find("webhook_url"), "webhook_url",
              "the webhook URL is a secret: name it with webhook_url_env or webhook_url_file");
    constexpr std::string_view kSecret[] = {"webhook_url"};
    r.finish(kSecret);
  }
  if (const Value* w = section->find("webhook"); w != nullptr && !w->is_null() && webhook != nullptr) {
    ConfigReader r(*w, "sinks.webhook", errors);
    r.read("url_env", &webhook->url_env);
    r.read("url_file", &webhook->url_file);
    r.read("header_env", &webhook->header_env);
    r.read("header_file", &webhook->header_file);
    r.read("template", &webhook->body_template);
    r.read("content_type", &webhook->content_type);
    r.read("min_severity", &webhook->min_severity);
    r.read("notify_resolved", &webhook->notify_resolved);
    read_queue(r, &webhook->queue_capacity, &webhook->timeout_s, &webhook->initial_backoff_s, &webhook->max_backoff_s,
               &webhook->max_attempts);
    if (w->find("url") != nullptr)
      r.error(*w->find("url"), "url", "the webhook URL may hold a secret: name it with url_env or url_file");
    constexpr std::string_view kSecret[] = {"url"};
    r.finish(kSecret);
  }
}

}  // namespace sidecar
