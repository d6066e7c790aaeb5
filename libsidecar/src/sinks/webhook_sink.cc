// The generic JSON webhook sink (notify.h): the alert or resolution record,
// plus "event" and "incident", or a user template; one POST per incident
// opening, escalation and resolution.
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http_queue.h"
#include "notify_sink.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/notify.h"

namespace sidecar {
namespace {

// A JSON string's content (escaped, without the quotes).
std::string json_text(std::string_view s) {
  detail::JsonWriter w;
  w.value(std::string(s));
  std::string out = w.take();
  return out.size() >= 2 ? out.substr(1, out.size() - 2) : std::string();
}

std::string evidence_text(const Evidence& e) {
  std::string out;
  for (const auto& [k, v] : e) {
    if (out.size() > 400) break;
    if (!out.empty()) out += ", ";
    out += k + "=" + v;
  }
  return out;
}

// The webhook URL: the option, else the secret its env/file names.
std::string webhook_url(const WebhookSinkOptions& o) {
  if (o.url.empty() && (!o.url_env.empty() || !o.url_file.empty()))
    if (auto url = read_secret(o.url_env, o.url_file)) return *url;
  return o.url;
}

// The queue: its Content-Type, then the configured headers (literal, from
// the environment, from a file).
detail::HttpQueue::Options webhook_queue(const WebhookSinkOptions& o) {
  detail::HttpQueue::Options q = detail::queue_options(o, o.content_type);
  for (const auto& h : o.headers) q.headers.push_back(h);
  if (!o.header_env.empty())
    if (auto h = read_secret(o.header_env, ""); h && h->find(':') != std::string::npos) q.headers.push_back(*h);
  if (!o.header_file.empty())
    if (auto hs = read_header_lines(o.header_file))
      for (const auto& h : *hs) q.headers.push_back(h);
  return q;
}

class WebhookSink final : public detail::NotifySink {
 public:
  explicit WebhookSink(WebhookSinkOptions o)
      : NotifySink(o.min_severity, webhook_url(o), webhook_queue(o)), options_(std::move(o)) {
    options_.url = url();
  }

  SinkStats stats() const override { return notify_stats("no webhook URL"); }
  std::string_view name() const override { return "webhook"; }

 private:
  std::string alert_message(const Alert& alert, detail::IncidentGate::Event event, const std::string& key) override {
    std::string what = event == detail::IncidentGate::Event::kOpen ? "open" : "escalated";
    return render(detail::webhook_payload(to_json(alert), what, key), what, key, &alert, nullptr);
  }

  std::optional<std::string> resolved_message(const Resolved& r, const std::string& key) override {
    if (!options_.notify_resolved) return std::nullopt;
    return render(detail::webhook_payload(to_json(r), "resolved", key), "resolved", key, nullptr, &r);
  }

  std::string render(const std::string& record, const std::string& event, const std::string& key, const Alert* a,
                     const Resolved* r) const {
    if (options_.body_template.empty()) return record;
    std::vector<std::pair<std::string, std::string>> vars = {
        {"record", record}, {"event", json_text(event)}, {"incident", json_text(key)}};
    vars.emplace_back("run_id", json_text(!options_.run_id.empty() ? options_.run_id : a != nullptr ? a->run_id : ""));
    if (a != nullptr) {
      const Decision& d = a->decision;
      vars.emplace_back("id", json_text(a->id));
      vars.emplace_back("step", d.step ? std::to_string(*d.step) : "");
      vars.emplace_back("severity", json_text(to_string(d.severity)));
      vars.emplace_back("syndrome", json_text(d.syndrome));
      vars.emplace_back("source", json_text(to_string(d.source)));
      vars.emplace_back("message", json_text(d.message));
      vars.emplace_back("evidence", json_text(evidence_text(d.evidence)));
      std::string choices;
      for (const auto& c : d.choices) choices += (choices.empty() ? "" : " | ") + c;
      vars.emplace_back("choices", json_text(choices));
    } else if (r != nullptr) {
      vars.emplace_back("id", json_text(r->alert_id));
      vars.emplace_back("syndrome", json_text(r->syndrome));
      vars.emplace_back("source", json_text(to_string(r->source)));
      vars.emplace_back("message", json_text("resolved: " + r->syndrome));
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", std::isfinite(r->duration_s) ? r->duration_s : 0.0);
      vars.emplace_back("duration_s", buf);
    }
    return detail::expand_template(options_.body_template, vars);
  }

  WebhookSinkOptions options_;
};

}  // namespace

std::unique_ptr<Sink> make_webhook_sink(WebhookSinkOptions options) {
  return std::make_unique<WebhookSink>(std::move(options));
}

}  // namespace sidecar
