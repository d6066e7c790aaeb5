// The research-agent server sink: run status and alerts over HTTP (sinks.h).
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http_queue.h"
#include "sidecar/config.h"
#include "sidecar/detail/json_writer.h"
#include "sidecar/operator.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace detail {

std::string server_status_body(std::string_view status, const std::optional<int>& exit_code, std::string_view error,
                               const Snapshot* snapshot) {
  JsonWriter w;
  w.begin_object().key("status").value(status);
  if (exit_code) w.key("exit_code").value(*exit_code);
  if (!error.empty()) w.key("error").value(error);
  if (snapshot != nullptr) {
    w.key("monitor_note").value(snapshot->monitor_note);
    w.key("monitor_tags").begin_array();
    for (const auto& t : snapshot->monitor_tags) w.value(t);
    w.end_array();
    w.key("monitoring").raw(detail::valid_json_object_or_empty(snapshot->monitoring_json));
  }
  w.end_object();
  return w.take();
}

std::string server_alert_body(const Alert& alert) {
  const Decision& d = alert.decision;
  JsonWriter w;
  w.begin_object().key("message").value(d.message).key("choices").begin_array();
  for (const auto& c : d.choices) w.value(c);
  w.end_array();
  w.key("severity").value(to_string(d.severity)).key("source").value(to_string(d.source));
  w.key("syndrome").value(d.syndrome).key("evidence");
  write_evidence(w, d.evidence);
  w.end_object();
  return w.take();
}

// Percent-encodes a path segment (RFC 3986 unreserved characters pass).
std::string url_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + std::string(path);
}

}  // namespace detail

namespace {

class ServerSink final : public Sink {
 public:
  explicit ServerSink(ServerSinkOptions o) : options_(std::move(o)) {
    std::string base = detail::join_url(options_.url, "/runs/" + detail::url_escape(options_.run_id));
    status_url_ = base + "/status";
    alerts_url_ = base + "/alerts";
    detail::HttpQueue::Options q;
    q.capacity = options_.queue_capacity;
    q.timeout_s = options_.timeout_s;
    q.initial_backoff_s = options_.initial_backoff_s;
    q.max_backoff_s = options_.max_backoff_s;
    q.max_attempts = options_.max_attempts;
    q.headers.push_back("Content-Type: application/json");
    if (!options_.auth_token.empty()) q.headers.push_back("X-Auth-Token: " + options_.auth_token);
    queue_.emplace(std::move(q),
                   [this](const detail::HttpQueue::Item& item, const detail::HttpReply& r) { on_reply(item, r); });
  }
  ~ServerSink() override { close(0.0); }

  void on_alert(const Alert& alert) override {
    queue_->push({detail::HttpQueue::Kind::kAlert, alerts_url_, detail::server_alert_body(alert), alert.id, 0});
  }
  void on_resolved(const Resolved&) override {}  // the research-agent has no resolve endpoint
  void on_snapshot(const Snapshot& snapshot) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      snapshot_ = snapshot;
      if (finished_) return;
      body = detail::server_status_body(status_, std::nullopt, "", &*snapshot_);
    }
    queue_->push({detail::HttpQueue::Kind::kStatus, status_url_, std::move(body), "", 0});
  }
  void on_status(std::string_view status) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      status_ = std::string(status);
      body = detail::server_status_body(status_, std::nullopt, "", snapshot_ ? &*snapshot_ : nullptr);
    }
    queue_->push({detail::HttpQueue::Kind::kStatus, status_url_, std::move(body), "", 0});
  }
  void on_finish(const RunEnd& end) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
      status_ = end.status;
      body = detail::server_status_body(end.status, end.exit_code, end.error, snapshot_ ? &*snapshot_ : nullptr);
    }
    queue_->push({detail::HttpQueue::Kind::kFinal, status_url_, std::move(body), "", 0});
  }
  std::optional<std::string> server_alert_id(const std::string& local_alert_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(local_alert_id);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  SinkStats stats() const override { return queue_->stats(); }
  std::string_view name() const override { return "server"; }
  void close(double timeout_s) override { queue_->close(timeout_s); }

 private:
  void on_reply(const detail::HttpQueue::Item& item, const detail::HttpReply& reply) {
    if (item.kind != detail::HttpQueue::Kind::kAlert) return;
    auto doc = parse_json(reply.body, "alert reply");
    if (!doc || !doc->is_object()) return;
    const Value* id = doc->find("alert_id");
    if (id == nullptr || id->is_null() || id->is_array() || id->is_object()) return;
    std::string raw = id->as_string().value_or("");
    if (id->kind == Value::Kind::kNumber && std::fabs(id->number) < 9.0e15 && id->number == std::trunc(id->number))
      raw = std::to_string(static_cast<long long>(id->number));
    if (raw.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (ids_.size() >= kMaxIds) ids_.erase(ids_.begin());
    ids_[item.tag] = sanitize_alert_id(raw);
  }

  static constexpr std::size_t kMaxIds = 4096;
  ServerSinkOptions options_;
  std::string status_url_;
  std::string alerts_url_;
  mutable std::mutex mu_;
  std::string status_ = "running";
  bool finished_ = false;
  std::optional<Snapshot> snapshot_;
  std::map<std::string, std::string> ids_;
  std::optional<detail::HttpQueue> queue_;  // last: its thread stops before the members above go
};

}  // namespace

std::unique_ptr<Sink> make_server_sink(ServerSinkOptions options) {
  return std::make_unique<ServerSink>(std::move(options));
}

}  // namespace sidecar
