// The research-agent server sink: run status, alerts, metric rows and the
// operator's answers over HTTP (sinks.h).
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "http_queue.h"
#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/operator.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace detail {
namespace {

void write_status_fields(JsonWriter& w, std::string_view status, const std::optional<int>& exit_code,
                         std::string_view error, const Snapshot* snapshot) {
  w.key("status").value(status);
  if (exit_code) w.key("exit_code").value(*exit_code);
  if (!error.empty()) w.key("error").value(error);
  if (snapshot != nullptr) {
    w.key("monitor_note").value(snapshot->monitor_note);
    w.key("monitor_tags").begin_array();
    for (const auto& t : snapshot->monitor_tags) w.value(t);
    w.end_array();
    w.key("monitoring").raw(detail::valid_json_object_or_empty(snapshot->monitoring_json));
  }
}

void write_dirs(JsonWriter& w, std::string_view run_dir, std::string_view wandb_dir) {
  if (!wandb_dir.empty()) w.key("wandb_dir").value(wandb_dir);
  if (!run_dir.empty()) w.key("run_dir").value(run_dir);
}

std::string status_body(std::string_view status, const Snapshot* snapshot, std::string_view run_dir,
                        std::string_view wandb_dir) {
  JsonWriter w;
  w.begin_object();
  write_status_fields(w, status, std::nullopt, "", snapshot);
  write_dirs(w, run_dir, wandb_dir);
  w.end_object();
  return w.take();
}

// At most `n` bytes of `s`, cut on a UTF-8 boundary, with "…" when cut.
std::string capped(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  std::size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\xE2\x80\xA6";
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGHUP:
      return "SIGHUP";
    case SIGPIPE:
      return "SIGPIPE";
    default:
      return "signal " + std::to_string(sig);
  }
}

}  // namespace

std::string server_status_body(std::string_view status, const std::optional<int>& exit_code, std::string_view error,
                               const Snapshot* snapshot) {
  JsonWriter w;
  w.begin_object();
  write_status_fields(w, status, exit_code, error, snapshot);
  w.end_object();
  return w.take();
}

std::string_view server_status_name(std::string_view status, bool terminal) {
  for (std::string_view known : {"launching", "running", "finished", "failed", "stopped"})
    if (status == known) return known;
  if (status == "killed") return "failed";
  return terminal ? "failed" : "running";
}

std::string server_final_body(const RunEnd& end, const Snapshot* snapshot, std::string_view run_dir,
                              std::string_view wandb_dir) {
  std::string_view status = server_status_name(end.status, true);
  bool signal_death = end.signal != 0 || end.status == "killed";
  std::string error = end.error;
  if (end.signal != 0) {
    std::string name = signal_name(end.signal);
    if (error.find(name) == std::string::npos &&
        error.find("signal " + std::to_string(end.signal)) == std::string::npos)
      error = error.empty() ? "killed by " + name : error + " (" + name + ")";
  } else if (end.status == "killed" && error.empty()) {
    error = "killed by a signal";
  }
  if (status == "failed" && error.empty()) error = "failed";
  JsonWriter w;
  w.begin_object();
  write_status_fields(w, status, signal_death ? std::nullopt : end.exit_code, error, snapshot);
  write_dirs(w, run_dir, wandb_dir);
  w.end_object();
  return w.take();
}

std::string server_alert_message(const Alert& alert) {
  constexpr std::size_t kValueCap = 160;
  constexpr std::size_t kDetailsCap = 600;
  const Decision& d = alert.decision;
  std::string details = d.syndrome.empty() ? std::string(to_string(d.source)) : d.syndrome;
  if (d.step) details += ", step " + std::to_string(*d.step);
  std::string ev;
  for (const auto& [k, v] : d.evidence) {
    if (v.empty()) continue;
    std::string item = k + "=" + capped(v, kValueCap);
    if (ev.size() + item.size() + 2 > kDetailsCap) {
      ev += ev.empty() ? "…" : ", …";
      break;
    }
    ev += (ev.empty() ? "" : ", ") + item;
  }
  if (!ev.empty()) details += "; " + ev;
  std::string message = d.message.empty() ? std::string(to_string(d.severity)) + " alert" : d.message;
  return message + " [" + details + "]";
}

std::string server_alert_body(const Alert& alert) {
  const Decision& d = alert.decision;
  JsonWriter w;
  w.begin_object().key("message").value(server_alert_message(alert)).key("choices").begin_array();
  for (const auto& c : d.choices) w.value(c);
  w.end_array();
  w.key("severity").value(to_string(d.severity)).key("source").value(to_string(d.source));
  w.key("syndrome").value(d.syndrome);
  if (d.step) w.key("step").value(static_cast<std::int64_t>(*d.step));
  w.key("evidence");
  write_evidence(w, d.evidence);
  if (!d.signature.empty()) w.key("signature").value(d.signature);
  if (!alert.id.empty()) w.key("sidecar_alert_id").value(alert.id);
  w.key("detail").value(d.message);
  w.end_object();
  return w.take();
}

std::string server_metric_row(const MetricRow& row) {
  JsonWriter w;
  w.begin_object();
  if (row.step) w.key("step").value(static_cast<std::int64_t>(*row.step));
  if (row.timestamp && std::isfinite(*row.timestamp)) w.key("_timestamp").value(*row.timestamp);
  for (const auto& m : row.values) {
    if (m.key == "step" || m.key == "_timestamp") continue;
    w.key(m.key).value(m.value);  // null when not finite
  }
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

using Kind = detail::HttpQueue::Kind;

// Which rows of a long run are posted: all of the first `budget`, then every
// 2nd for budget/2 rows, every 4th for the next budget/2, … — the server's
// file grows with the logarithm of the run's length.
class RowSampler {
 public:
  explicit RowSampler(std::size_t budget) : budget_(std::max<std::size_t>(budget, 2)), level_left_(budget_) {}
  bool admit() {
    bool take = (seen_++ % stride_) == 0;
    if (!take) return false;
    if (--level_left_ == 0) {
      if (stride_ < (std::uint64_t{1} << 40)) stride_ *= 2;
      level_left_ = budget_ / 2;
      seen_ = 0;
    }
    return true;
  }

 private:
  std::size_t budget_;
  std::size_t level_left_;
  std::uint64_t stride_ = 1;
  std::uint64_t seen_ = 0;
};

class ServerSink final : public Sink {
 public:
  explicit ServerSink(ServerSinkOptions o) : options_(std::move(o)), sampler_(options_.metrics_max_rows) {
    std::string base = detail::join_url(options_.url, "/runs/" + detail::url_escape(options_.run_id));
    run_url_ = base;
    status_url_ = base + "/status";
    alerts_url_ = base + "/alerts";
    metrics_url_ = base + "/metrics";
    list_alerts_url_ = detail::join_url(options_.url, "/alerts");
    if (options_.metrics_batch_max == 0) options_.metrics_batch_max = 1;
    detail::HttpQueue::Options q = detail::queue_options(options_, "application/json");
    if (!options_.auth_token.empty()) q.headers.push_back("X-Auth-Token: " + options_.auth_token);
    headers_ = q.headers;
    q.period_s = std::clamp(std::min(options_.metrics_interval_s, options_.heartbeat_s), 0.05, 1.0);
    queue_.emplace(
        std::move(q), [this](const detail::HttpQueue::Item& item, const detail::HttpReply& r) { on_reply(item, r); },
        [this]() { return periodic(); },
        [this](const detail::HttpQueue::Item& failed) { return on_not_found(failed); });
  }
  ~ServerSink() override { close(0.0); }

  void on_alert(const Alert& alert) override {
    if (alert.decision.choices.empty()) {
      // The shipped server refuses an alert without choices (400): offer the default ones.
      Alert copy = alert;
      copy.decision.choices = default_choices();
      queue_->push({Kind::kAlert, alerts_url_, detail::server_alert_body(copy), alert.id, 0});
      return;
    }
    queue_->push({Kind::kAlert, alerts_url_, detail::server_alert_body(alert), alert.id, 0});
  }
  void on_resolved(const Resolved&) override {}  // the research-agent has no resolve endpoint
  void on_snapshot(const Snapshot& snapshot) override {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = snapshot;  // carried by the next status post (a change or the heartbeat)
  }
  void on_status(std::string_view status) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      std::string mapped(detail::server_status_name(status, false));
      if (mapped == status_ && posted_any_) return;  // only on change (plus the heartbeat)
      status_ = std::move(mapped);
      body = status_body_locked();
      posted_any_ = true;
      last_status_post_ = detail::mono_now();
    }
    queue_->push({Kind::kStatus, status_url_, std::move(body), "", 0});
  }
  void on_row(const MetricRow& row) override {
    std::optional<std::string> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      if (!sampler_.admit()) {
        last_skipped_ = detail::server_metric_row(row);
        return;
      }
      last_skipped_.clear();
      rows_.push_back(detail::server_metric_row(row));
      if (rows_.size() >= options_.metrics_batch_max) batch = take_rows_locked(rows_.size());
    }
    if (batch) queue_->push({Kind::kMetrics, metrics_url_, std::move(*batch), "", 0});
  }
  void on_finish(const RunEnd& end) override {
    std::optional<std::string> rows;
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      finished_ = true;
      if (!last_skipped_.empty()) rows_.push_back(std::move(last_skipped_));  // the run's last row
      last_skipped_.clear();
      rows = take_rows_locked(rows_.size());
      status_ = detail::server_status_name(end.status, true);
      body = detail::server_final_body(end, snapshot_ ? &*snapshot_ : nullptr, options_.run_dir, options_.wandb_dir);
    }
    if (rows) queue_->push({Kind::kMetrics, metrics_url_, std::move(*rows), "", 0});
    queue_->push({Kind::kFinal, status_url_, std::move(body), "", 0});
  }
  std::optional<std::string> server_alert_id(const std::string& local_alert_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(local_alert_id);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<ServerAnswer> take_answers() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(answers_, {});
  }
  std::vector<std::string> take_notices() override {
    std::vector<std::string> out = queue_->take_notices();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& n : poll_notices_) out.push_back(std::move(n));
      poll_notices_.clear();
    }
    for (auto& n : out) n = "server: " + n;
    return out;
  }
  Status check(double timeout_s) override {
    auto r = detail::http_request("GET", run_url_, "", headers_, std::max(0.05, timeout_s), nullptr, 64 * 1024);
    std::string where = options_.url;
    if (!r) {
      StatusCode code =
          r.status().code() == StatusCode::kInvalidArgument ? StatusCode::kInvalidArgument : StatusCode::kUnavailable;
      return Status(code, "research-agent server " + where + " does not answer: " + r.status().message());
    }
    if (r->code == 401 || r->code == 403)
      return Status(StatusCode::kPermissionDenied,
                    "research-agent server " + where + " refused the token (HTTP " + std::to_string(r->code) +
                        "): set SIDECAR_AUTH_TOKEN or --auth-token-file to the server's " +
                        "RESEARCH_AGENT_USER_AUTH_TOKEN" +
                        (options_.auth_token.empty() ? " (no token was given)" : ""));
    if (r->code >= 500)
      return Status(StatusCode::kUnavailable,
                    "research-agent server " + where + " answered HTTP " + std::to_string(r->code));
    return Status::Ok();  // 200, or 404: the run is created by the first status post
  }
  SinkStats stats() const override { return queue_->stats(); }
  std::string_view name() const override { return "server"; }
  void close(double timeout_s) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) {
        if (auto rows = take_rows_locked(rows_.size()))
          queue_->push({Kind::kMetrics, metrics_url_, std::move(*rows), "", 0});
      }
      closed_ = true;
      poll_stop_ = true;
    }
    poll_cv_.notify_all();
    poll_abort_.store(true);
    queue_->close(timeout_s);
    if (poller_.joinable()) poller_.join();
  }

 private:
  std::string status_body_locked() const {
    return detail::status_body(status_, snapshot_ ? &*snapshot_ : nullptr, options_.run_dir, options_.wandb_dir);
  }

  // {"rows":[…]} of the first n buffered rows (nullopt when none).
  std::optional<std::string> take_rows_locked(std::size_t n) {
    n = std::min(n, rows_.size());
    if (n == 0) return std::nullopt;
    std::string body = "{\"rows\":[";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) body += ',';
      body += rows_.front();
      rows_.pop_front();
    }
    body += "]}";
    last_metrics_post_ = detail::mono_now();
    return body;
  }

  // On the sender thread, every period: a metrics batch and the heartbeat.
  std::optional<detail::HttpQueue::Item> periodic() {
    std::optional<std::string> rows;
    std::optional<std::string> heartbeat;
    {
      std::lock_guard<std::mutex> lock(mu_);
      double now = detail::mono_now();
      if (!finished_ && now - last_metrics_post_ >= options_.metrics_interval_s)
        rows = take_rows_locked(options_.metrics_batch_max);
      if (!finished_ && posted_any_ && now - last_status_post_ >= options_.heartbeat_s) {
        heartbeat = status_body_locked();
        last_status_post_ = now;
      }
    }
    if (rows) queue_->push({Kind::kMetrics, metrics_url_, std::move(*rows), "", 0});
    if (heartbeat) return detail::HttpQueue::Item{Kind::kStatus, status_url_, std::move(*heartbeat), "", 0};
    return std::nullopt;
  }

  // After a 404 on an alert or metrics post: the server forgot the run (a
  // restart); its status post makes it known again.
  std::optional<detail::HttpQueue::Item> on_not_found(const detail::HttpQueue::Item& failed) {
    if (failed.kind != Kind::kAlert && failed.kind != Kind::kMetrics) return std::nullopt;
    std::lock_guard<std::mutex> lock(mu_);
    std::string body = status_body_locked();
    if (finished_) body = detail::status_body("running", nullptr, options_.run_dir, options_.wandb_dir);
    return detail::HttpQueue::Item{Kind::kStatus, status_url_, std::move(body), "", 0};
  }

  void on_reply(const detail::HttpQueue::Item& item, const detail::HttpReply& reply) {
    if (item.kind != Kind::kAlert) return;
    auto doc = parse_json(reply.body, "alert reply");
    if (!doc || !doc->is_object()) return;
    const Value* id = doc->find("alert_id");
    if (id == nullptr || id->is_null() || id->is_array() || id->is_object()) return;
    std::string raw = id->as_string().value_or("");
    if (id->kind == Value::Kind::kNumber && std::fabs(id->number) < 9.0e15 && id->number == std::trunc(id->number))
      raw = std::to_string(static_cast<long long>(id->number));
    if (raw.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ids_.size() >= kMaxIds) ids_.erase(ids_.begin());
      ids_[item.tag] = sanitize_alert_id(raw);
      if (closed_) return;
      if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());
      pending_.emplace_back(raw, item.tag);
      if (!poller_.joinable()) poller_ = std::thread([this] { poll_loop(); });
    }
    poll_cv_.notify_all();
  }

  // The poller thread: GET /alerts while posted alerts are unanswered.
  void poll_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    double backoff = 0.0;
    std::uint64_t failures = 0;
    double next = detail::mono_now() + std::min(options_.answer_poll_s, 0.2);
    while (!poll_stop_) {
      if (pending_.empty()) {
        poll_cv_.wait(lock);
        continue;
      }
      double now = detail::mono_now();
      if (now < next) {
        poll_cv_.wait_for(lock, std::chrono::duration<double>(next - now));
        continue;
      }
      lock.unlock();
      auto r = detail::http_request("GET", list_alerts_url_, "", headers_, std::min(options_.timeout_s, 10.0),
                                    &poll_abort_, kMaxAlertsBody + 1);
      std::optional<Value> doc;
      std::string error;
      if (!r)
        error = r.status().message();
      else if (r->code < 200 || r->code >= 300)
        error = "HTTP " + std::to_string(r->code);
      else if (r->body.size() > kMaxAlertsBody)
        error = "the answer is over " + std::to_string(kMaxAlertsBody >> 20) + " MiB";
      else if (auto d = parse_json(r->body, "GET /alerts"); d && d->is_array())
        doc = std::move(*d);
      else
        error = "the answer is not a JSON array";
      lock.lock();
      if (poll_stop_) break;
      now = detail::mono_now();
      if (!doc) {
        ++failures;
        backoff = backoff <= 0.0 ? std::max(options_.answer_poll_s, options_.initial_backoff_s)
                                 : std::min(backoff * 2.0, std::max(options_.max_backoff_s, options_.answer_poll_s));
        next = now + backoff;
        if (failures == 1 || (failures & (failures - 1)) == 0)  // 1st, 2nd, 4th, 8th, … failure
          push_poll_notice_locked("GET /alerts (operator answers): " + error + "; retrying in " +
                                  std::to_string(static_cast<int>(std::ceil(backoff))) + " s");
        continue;
      }
      if (failures > 0) push_poll_notice_locked("GET /alerts (operator answers): answered again");
      failures = 0;
      backoff = 0.0;
      next = now + options_.answer_poll_s;
      match_answers_locked(*doc);
    }
  }

  void push_poll_notice_locked(std::string text) {
    if (poll_notices_.size() >= 16) poll_notices_.erase(poll_notices_.begin());
    poll_notices_.push_back(std::move(text));
  }

  void match_answers_locked(const Value& alerts) {
    for (const Value& a : alerts.items) {
      if (!a.is_object()) continue;
      const Value* id = a.find("id");
      const Value* status = a.find("status");
      const Value* response = a.find("response");
      if (id == nullptr || status == nullptr || response == nullptr) continue;
      if (status->as_string().value_or("") != "resolved") continue;
      std::optional<std::string> choice = response->is_null() ? std::nullopt : response->as_string();
      if (!choice || choice->empty()) continue;
      std::string sid = id->as_string().value_or("");
      auto it = std::find_if(pending_.begin(), pending_.end(), [&](const auto& p) { return p.first == sid; });
      if (it == pending_.end()) continue;
      answers_.push_back({it->second, sanitize_alert_id(sid), *choice});
      pending_.erase(it);
    }
  }

  static constexpr std::size_t kMaxIds = 4096;
  static constexpr std::size_t kMaxPending = 256;          // alerts whose answers are polled for
  static constexpr std::size_t kMaxAlertsBody = 16 << 20;  // GET /alerts answers read at most

  ServerSinkOptions options_;
  std::string run_url_;
  std::string status_url_;
  std::string alerts_url_;
  std::string metrics_url_;
  std::string list_alerts_url_;
  std::vector<std::string> headers_;
  mutable std::mutex mu_;
  std::string status_ = "running";
  bool posted_any_ = false;
  bool finished_ = false;
  bool closed_ = false;
  double last_status_post_ = 0.0;
  double last_metrics_post_ = 0.0;
  std::optional<Snapshot> snapshot_;
  std::map<std::string, std::string> ids_;
  RowSampler sampler_;
  std::deque<std::string> rows_;  // admitted rows waiting for the next batch (JSON objects, < batch max)
  std::string last_skipped_;      // the newest row the sampler skipped (posted at the end)
  // Answers through the server.
  std::deque<std::pair<std::string, std::string>> pending_;  // raw server id -> local alert id
  std::vector<ServerAnswer> answers_;
  std::vector<std::string> poll_notices_;
  bool poll_stop_ = false;
  std::condition_variable poll_cv_;
  std::atomic<bool> poll_abort_{false};
  std::thread poller_;
  std::optional<detail::HttpQueue> queue_;  // last: its thread stops before the members above go
};

}  // namespace

std::unique_ptr<Sink> make_server_sink(ServerSinkOptions options) {
  return std::make_unique<ServerSink>(std::move(options));
}

}  // namespace sidecar
