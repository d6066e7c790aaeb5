// The Prometheus Alertmanager sink: POST /api/v2/alerts (sinks.h).
//
// An alert's identity in Alertmanager is its label set, so the labels carry
// only what identifies the condition (syndrome, run, host, rank, signature);
// the message and evidence go to annotations. Firing alerts are posted with
// endsAt = now + 4 x resend_s (as Prometheus does), so if sidecar dies they
// resolve on their own instead of lingering for resolve_timeout; they are
// re-sent every resend_s while active.
#include <unistd.h>

#include <ctime>
#include <map>
#include <mutex>
#include <string>

#include "http_queue.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/iso8601.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace detail {

std::string rfc3339(double epoch_s) { return format_iso8601(epoch_s); }

}  // namespace detail

namespace {

double wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string this_host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string evidence_summary(const Evidence& e) {
  std::string out;
  for (const auto& [k, v] : e) {
    if (out.size() > 400) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += k + "=" + v;
  }
  return out;
}

struct ActiveAlert {
  std::string labels_json;       // {"alertname":…,…}
  std::string annotations_json;  // {"summary":…,…}
  double starts_at = 0.0;
};

class AlertmanagerSink final : public Sink {
 public:
  explicit AlertmanagerSink(AlertmanagerSinkOptions o) : options_(std::move(o)) {
    if (options_.host.empty()) options_.host = this_host();
    if (!(options_.resend_s > 0.0)) options_.resend_s = 60.0;
    url_ = options_.url;
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    url_ += "/api/v2/alerts";
    detail::HttpQueue::Options q = detail::queue_options(options_, "application/json");
    q.period_s = options_.resend_s;
    queue_.emplace(std::move(q), detail::HttpQueue::OnReply{}, [this] { return resend(); });
  }
  ~AlertmanagerSink() override { close(0.0); }

  void on_alert(const Alert& alert) override {
    const Decision& d = alert.decision;
    detail::JsonWriter labels;
    labels.begin_object().key("alertname").value(d.syndrome.empty() ? std::string("sidecar_alert") : d.syndrome);
    labels.key("severity").value(to_string(d.severity));
    if (!options_.run_id.empty()) labels.key("run_id").value(options_.run_id);
    labels.key("source").value(to_string(d.source));
    labels.key("host").value(options_.host);
    if (const std::string* rank = evidence_get(d.evidence, "rank"); rank != nullptr && !rank->empty())
      labels.key("rank").value(*rank);
    if (!d.signature.empty()) labels.key("signature").value(d.signature);
    labels.key("job").value("sidecar");
    labels.end_object();
    detail::JsonWriter ann;
    ann.begin_object().key("summary").value(d.message).key("message").value(d.message);
    ann.key("evidence").value(evidence_summary(d.evidence));
    ann.key("alert_id").value(alert.id);
    if (!d.choices.empty()) {
      std::string choices;
      for (const auto& c : d.choices) choices += (choices.empty() ? "" : " | ") + c;
      ann.key("choices").value(choices);
    }
    ann.end_object();
    ActiveAlert a{labels.take(), ann.take(), alert.ts > 0 ? alert.ts : wall_now()};
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_.size() >= kMaxActive) active_.erase(active_.begin());
      body = "[" + entry(a, wall_now() + 4.0 * options_.resend_s) + "]";
      active_[alert.id] = std::move(a);
    }
    queue_->push({detail::HttpQueue::Kind::kAlert, url_, std::move(body), alert.id, 0});
  }

  void on_resolved(const Resolved& r) override {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = active_.find(r.alert_id);
      if (it == active_.end()) return;  // never alerted here (or already resolved)
      body = "[" + entry(it->second, r.ts > 0 ? r.ts : wall_now()) + "]";
      active_.erase(it);
    }
    queue_->push({detail::HttpQueue::Kind::kAlert, url_, std::move(body), r.alert_id, 0});
  }

  void on_snapshot(const Snapshot&) override {}

  void on_finish(const RunEnd&) override {
    if (!options_.resolve_on_finish) return;
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_.empty()) return;
      double now = wall_now();
      body = "[";
      for (const auto& [id, a] : active_) body += (body.size() > 1 ? "," : "") + entry(a, now);
      body += "]";
      active_.clear();
    }
    queue_->push({detail::HttpQueue::Kind::kFinal, url_, std::move(body), "", 0});
  }

  SinkStats stats() const override { return queue_->stats(); }
  std::vector<std::string> take_notices() override {
    std::vector<std::string> out = queue_->take_notices();
    for (auto& n : out) n = "alertmanager: " + n;
    return out;
  }
  std::string_view name() const override { return "alertmanager"; }
  void close(double timeout_s) override { queue_->close(timeout_s); }

 private:
  std::string entry(const ActiveAlert& a, double ends_at) const {
    detail::JsonWriter w;
    w.begin_object().key("labels").raw(a.labels_json).key("annotations").raw(a.annotations_json);
    w.key("startsAt").value(detail::rfc3339(a.starts_at)).key("endsAt").value(detail::rfc3339(ends_at));
    if (!options_.generator_url.empty()) w.key("generatorURL").value(options_.generator_url);
    w.end_object();
    return w.take();
  }

  // Called every resend_s on the sender thread: every active alert, one array.
  std::optional<detail::HttpQueue::Item> resend() {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_.empty()) return std::nullopt;
    double ends = wall_now() + 4.0 * options_.resend_s;
    std::string body = "[";
    for (const auto& [id, a] : active_) body += (body.size() > 1 ? "," : "") + entry(a, ends);
    body += "]";
    return detail::HttpQueue::Item{detail::HttpQueue::Kind::kPeriodic, url_, std::move(body), "", 0};
  }

  static constexpr std::size_t kMaxActive = 1024;
  AlertmanagerSinkOptions options_;
  std::string url_;
  mutable std::mutex mu_;
  std::map<std::string, ActiveAlert> active_;
  std::optional<detail::HttpQueue> queue_;  // last: its thread stops first
};

}  // namespace

std::unique_ptr<Sink> make_alertmanager_sink(AlertmanagerSinkOptions options) {
  return std::make_unique<AlertmanagerSink>(std::move(options));
}

}  // namespace sidecar
