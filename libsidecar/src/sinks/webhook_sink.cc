// The generic JSON webhook sink (notify.h): the alert or resolution record,
// plus "event" and "incident", or a user template; one POST per incident
// opening, escalation and resolution.
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http_queue.h"
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

class WebhookSink final : public Sink {
 public:
  explicit WebhookSink(WebhookSinkOptions o) : options_(std::move(o)), gate_(options_.min_severity) {
    if (options_.url.empty() && (!options_.url_env.empty() || !options_.url_file.empty())) {
      auto url = read_secret(options_.url_env, options_.url_file);
      if (url) options_.url = *url;
    }
    detail::HttpQueue::Options q;
    q.capacity = options_.queue_capacity;
    q.timeout_s = options_.timeout_s;
    q.initial_backoff_s = options_.initial_backoff_s;
    q.max_backoff_s = options_.max_backoff_s;
    q.max_attempts = options_.max_attempts;
    q.headers.push_back("Content-Type: " + options_.content_type);
    for (const auto& h : options_.headers) q.headers.push_back(h);
    if (!options_.header_env.empty())
      if (auto h = read_secret(options_.header_env, ""); h && h->find(':') != std::string::npos)
        q.headers.push_back(*h);
    if (!options_.header_file.empty())
      if (auto hs = read_header_lines(options_.header_file))
        for (const auto& h : *hs) q.headers.push_back(h);
    queue_.emplace(std::move(q), detail::HttpQueue::OnReply{});
  }
  ~WebhookSink() override { close(0.0); }

  void on_alert(const Alert& alert) override {
    std::string key;
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto ev = gate_.on_alert(alert, detail::incident_of(alert), &key);
      if (ev == detail::IncidentGate::Event::kNone) return;
      std::string event = ev == detail::IncidentGate::Event::kOpen ? "open" : "escalated";
      std::string record = detail::webhook_payload(to_json(alert), event, key);
      body = render(record, event, key, &alert, nullptr);
    }
    push(std::move(body), alert.id);
  }

  void on_resolved(const Resolved& r) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string key;
      if (gate_.on_resolved(r, &key) != detail::IncidentGate::Event::kResolved) return;
      if (!options_.notify_resolved) return;
      std::string record = detail::webhook_payload(to_json(r), "resolved", key);
      body = render(record, "resolved", key, nullptr, &r);
    }
    push(std::move(body), r.alert_id);
  }

  void on_snapshot(const Snapshot&) override {}
  void on_finish(const RunEnd&) override {}
  SinkStats stats() const override {
    SinkStats s = queue_->stats();
    s.last_error = detail::redact_url(std::move(s.last_error), options_.url);
    std::lock_guard<std::mutex> lock(mu_);
    s.dropped += no_url_drops_;
    if (no_url_drops_ > 0 && s.last_error.empty()) s.last_error = "no webhook URL";
    return s;
  }
  std::string_view name() const override { return "webhook"; }
  void close(double timeout_s) override { queue_->close(timeout_s); }

 private:
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

  void push(std::string body, const std::string& tag) {
    if (options_.url.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++no_url_drops_;
      return;
    }
    detail::HttpQueue::Item item;
    item.kind = detail::HttpQueue::Kind::kAlert;
    item.url = options_.url;
    item.body = std::move(body);
    item.tag = tag;
    queue_->push(std::move(item));
  }

  WebhookSinkOptions options_;
  mutable std::mutex mu_;
  detail::IncidentGate gate_;
  std::uint64_t no_url_drops_ = 0;
  std::optional<detail::HttpQueue> queue_;  // last: its thread stops first
};

}  // namespace

std::unique_ptr<Sink> make_webhook_sink(WebhookSinkOptions options) {
  return std::make_unique<WebhookSink>(std::move(options));
}

}  // namespace sidecar
