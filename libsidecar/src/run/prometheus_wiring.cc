// --prometheus for run and watch: the exporter lives with the session; a
// small sink beside the others counts alerts by severity and the incidents
// still open (an alert opens one under its signature, a resolution closes
// it), and each tick hands the exporter a fresh ExporterState.
#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "session_core.h"
#include "session_wiring.h"
#include "sidecar/prometheus.h"

namespace sidecar::detail {

namespace {

// What the exporter learns from the sink side. One thread (the pipeline's)
// writes and reads it.
struct TapState {
  std::map<std::string, std::uint64_t> alerts_by_severity;
  struct Open {
    std::string severity, syndrome;
  };
  std::map<std::string, Open> open;  // by signature (else alert id)
  std::optional<double> last_row_at;
};

class PrometheusTap final : public Sink {
 public:
  explicit PrometheusTap(std::shared_ptr<TapState> s) : s_(std::move(s)) {}
  void on_alert(const Alert& a) override {
    const Decision& d = a.decision;
    ++s_->alerts_by_severity[std::string(to_string(d.severity))];
    s_->open[d.signature.empty() ? a.id : d.signature] = {std::string(to_string(d.severity)), d.syndrome};
  }
  void on_resolved(const Resolved& r) override { s_->open.erase(r.signature.empty() ? r.alert_id : r.signature); }
  void on_snapshot(const Snapshot&) override {}
  void on_finish(const RunEnd&) override {}
  void on_row(const MetricRow&) override { s_->last_row_at = wall_seconds(); }
  SinkStats stats() const override { return {}; }
  std::string_view name() const override { return "prometheus"; }
  void close(double) override {}

 private:
  std::shared_ptr<TapState> s_;
};

}  // namespace

class PrometheusWiring {
 public:
  std::unique_ptr<PrometheusExporter> exporter;
  std::shared_ptr<TapState> tap = std::make_shared<TapState>();
  std::string run_id;
  double started_at = 0;
  std::uint64_t last_lines = 0;
  std::optional<double> last_line_at;
  std::function<void(const ExporterState&)> progress;  // SessionOptions::progress
};

Result<std::shared_ptr<PrometheusWiring>> start_prometheus(const SessionOptions& o, const std::string& run_id,
                                                           SinkSet& sinks, SessionReporter& rep) {
  if (o.prometheus.empty() && !o.progress) return std::shared_ptr<PrometheusWiring>();
  auto w = std::make_shared<PrometheusWiring>();
  w->progress = o.progress;
  w->run_id = run_id;
  w->started_at = wall_seconds();
  sinks.add(std::make_unique<PrometheusTap>(w->tap));
  if (o.prometheus.empty()) return w;
  auto addr = parse_listen_address(o.prometheus);
  if (!addr) return Status(addr.status().code(), "--prometheus: " + addr.status().message());
  PrometheusOptions po;
  po.address = addr->host;
  po.port = addr->port;
  auto exp = PrometheusExporter::start(po);
  if (!exp) return Status(exp.status().code(), "--prometheus " + o.prometheus + ": " + exp.status().message());
  w->exporter = std::move(exp).value();
  std::string host = w->exporter->address();
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  rep.notice("prometheus: serving http://" + host + ":" + std::to_string(w->exporter->port()) + "/metrics");
  ExporterState first;
  first.run_id = run_id;
  first.started_at = w->started_at;
  w->exporter->update(first);
  return w;
}

void update_prometheus(const SessionCore& core) {
  PrometheusWiring* w = core.prometheus.get();
  if (w == nullptr || !core.pipeline || !core.inputs) return;
  const Monitor& m = core.pipeline->monitor();
  const double now = wall_seconds();
  ExporterState s;
  s.run_id = w->run_id;
  s.profile = std::string(to_string(m.profile()));
  s.step = m.last_step();
  for (std::size_t i = 0; i < kRoleCount; ++i) {
    auto role = static_cast<Role>(i);
    if (auto v = m.latest(role)) s.roles.push_back({std::string(to_string(role)), m.bound_key(role), *v});
  }
  std::map<std::pair<std::string, std::string>, std::uint64_t> open;
  for (const auto& [key, inc] : w->tap->open) ++open[{inc.severity, inc.syndrome}];
  for (const auto& [k, n] : open) s.open_incidents.push_back({k.first, k.second, n});
  for (const auto& [sev, n] : w->tap->alerts_by_severity) s.alerts_total.push_back({sev, n});
  s.rows_read = m.stats().rows;
  s.malformed_rows = core.inputs->malformed_rows();
  s.lines_read = core.inputs->lines();
  if (s.lines_read != w->last_lines) {
    w->last_lines = s.lines_read;
    w->last_line_at = now;
  }
  for (const auto& [name, st] : core.pipeline->sinks().each_stats())
    if (name != "prometheus") s.sinks.push_back({name, st.failed, st.dropped});
  s.last_row_at = w->tap->last_row_at;
  s.last_line_at = w->last_line_at;
  s.started_at = w->started_at;
  if (w->exporter) w->exporter->update(s);
  if (w->progress) w->progress(s);
}

}  // namespace sidecar::detail
