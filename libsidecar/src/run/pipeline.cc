// Pipeline: inputs -> Monitor (observe + evaluate every row) -> routing to
// the sinks, the operator desk and the reporter. See sidecar/pipeline.h.
#include "sidecar/pipeline.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "judge_feeder.h"
#include "operator_desk.h"
#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/judge.h"
#include "sidecar/metric_lines.h"
#include "sidecar/sinks.h"

namespace sidecar {

std::optional<OnAlert> parse_on_alert(std::string_view text) {
  static constexpr detail::Named<OnAlert> kNames[] = {
      {OnAlert::kAsk, "ask"}, {OnAlert::kContinue, "continue"}, {OnAlert::kStop, "stop"}};
  return detail::parse_named(kNames, text);
}

struct Pipeline::Impl {
  Impl(MonitorOptions mo, PipelineOptions po, std::unique_ptr<SinkSet> s, SessionReporter& r, std::unique_ptr<Judge> j)
      : opt(std::move(po)),
        run_id(mo.run_id),
        monitor(std::move(mo)),
        sinks(s ? std::move(s) : std::make_unique<SinkSet>()),
        rep(r),
        desk(opt, r),
        judge(std::move(j), opt.recent_output, run_id) {}

  PipelineOptions opt;
  std::string run_id;
  Monitor monitor;
  std::unique_ptr<SinkSet> sinks;
  SessionReporter& rep;
  detail::OperatorDesk desk;
  detail::JudgeFeeder judge;
  std::uint64_t alerts = 0;
  std::optional<Severity> worst;
  std::map<std::string, std::uint64_t> by_syndrome;
  double last_answer_poll = -1e300;
  bool finished = false;

  // Metric lines in text sources, and the merge of every row source.
  struct TextSource {
    TextMetricsParser parser;
    std::string partial;  // the current line's head from earlier chunks (capped)
    int merge_id = -1;
  };
  static constexpr std::size_t kMaxTextSources = 64;
  static constexpr std::size_t kMaxPartial = 64 * 1024;
  RowMerger merger;
  std::map<std::string, TextSource, std::less<>> text;
  std::map<std::string, int, std::less<>> files;
  MetricRow kept;
  // The key report the sinks last got (status.json "keys"): the number of
  // keys seen and the bound keys then.
  std::size_t keys_reported = 0;
  std::string bound_reported;

  std::string bound_keys() const {
    std::string out;
    for (std::size_t r = 0; r < kRoleCount; ++r) out += monitor.bound_key(static_cast<Role>(r)) + '\0';
    return out;
  }

  void attach_keys(Snapshot& s) {
    s.keys_json = monitor.key_report();
    keys_reported = monitor.keys_seen().size();
    bound_reported = bound_keys();
  }

  // New keys or bindings since the last report: the sinks get a fresh
  // snapshot carrying it (the reporter does not: no extra snapshot record).
  void report_keys(double wall) {
    if (sinks->empty() || monitor.keys_seen().empty()) return;
    if (monitor.keys_seen().size() == keys_reported && bound_keys() == bound_reported) return;
    Snapshot s = monitor.snapshot(wall);
    attach_keys(s);
    sinks->on_snapshot(s);
  }

  void observe(const MetricRow& r, int merge_id) {
    if (merge_id >= 0) {
      if (!merger.admit(merge_id, r, &kept)) return;
      monitor.observe(kept);
      sinks->on_row(kept);
    } else {
      monitor.observe(r);
      sinks->on_row(r);
    }
    judge.on_row();
    route_pending();
  }

  TextSource* text_source(std::string_view source) {
    auto it = text.find(source);
    if (it != text.end()) return &it->second;
    if (text.size() >= kMaxTextSources) return nullptr;
    TextSource& ts = text[std::string(source)];
    ts.merge_id = merger.add_source(std::string(source), RowOrigin::kText);
    return &ts;
  }

  // Scans bytes for syndromes, observing metric lines as rows where they stand.
  void log(std::string_view bytes, std::string_view source) {
    TextSource* ts = text_source(source);
    std::size_t seg = 0, line_start = 0;
    MetricRow row;
    while (ts) {
      std::size_t nl = bytes.find('\n', line_start);
      if (nl == std::string_view::npos) break;
      std::string_view line = bytes.substr(line_start, nl - line_start);
      if (!ts->partial.empty()) {
        ts->partial.append(line);
        line = ts->partial;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (auto cr = line.rfind('\r'); cr != std::string_view::npos) line.remove_prefix(cr + 1);
      if (ts->parser.parse_line(line, &row)) {
        if (line_start > seg) monitor.feed_log(bytes.substr(seg, line_start - seg), source);
        seg = line_start;
        observe(row, ts->merge_id);
      }
      ts->partial.clear();
      line_start = nl + 1;
    }
    if (ts && line_start < bytes.size() && ts->partial.size() < kMaxPartial)
      ts->partial.append(bytes.substr(line_start, kMaxPartial - ts->partial.size()));
    if (seg < bytes.size()) monitor.feed_log(bytes.substr(seg), source);
    judge.on_output(bytes);
    route_pending();
  }

  void note(const Alert& a) {
    ++alerts;
    ++by_syndrome[a.decision.syndrome];
    if (!worst || a.decision.severity > *worst) worst = a.decision.severity;
  }

  // Everything the Monitor surfaced goes to the sinks, the desk and the reporter.
  void route(TickResult r) {
    for (Alert& a : r.alerts) {
      note(a);
      judge.on_alert(a);
      sinks->on_alert(a);
      desk.on_alert(a);
    }
    for (const Resolved& res : r.resolved) {
      judge.on_resolved(res);
      sinks->on_resolved(res);
      rep.resolved(res);
      desk.on_resolved(res);
    }
    if (r.snapshot) {
      if (!sinks->empty()) attach_keys(*r.snapshot);
      sinks->on_snapshot(*r.snapshot);
      rep.snapshot(*r.snapshot);
    }
    if (!r.alerts.empty()) poll_answers(0, /*force=*/true);
  }

  void route_pending() {
    if (monitor.has_output()) route(monitor.take());
  }

  void poll_answers(double wall, bool force) {
    if (!force && wall - last_answer_poll < opt.answer_poll_s) return;
    last_answer_poll = std::max(last_answer_poll, wall);
    for (auto& a : sinks->take_answers()) desk.answer(a.local_alert_id, a.choice, "server");
    if (desk.empty()) return;
    desk.poll([this](const std::string& id) { return sinks->server_alert_id(id); });
  }
};

Pipeline::Pipeline(MonitorOptions monitor, PipelineOptions options, std::unique_ptr<SinkSet> sinks,
                   SessionReporter& reporter, std::unique_ptr<Judge> judge)
    : impl_(std::make_unique<Impl>(std::move(monitor), std::move(options), std::move(sinks), reporter,
                                   std::move(judge))) {}

Pipeline::~Pipeline() = default;

void Pipeline::row(const MetricRow& row) { impl_->observe(row, -1); }

void Pipeline::row(const MetricRow& row, std::string_view file) {
  Impl& m = *impl_;
  auto it = m.files.find(file);
  if (it == m.files.end())
    it = m.files.emplace(std::string(file), m.merger.add_source(std::string(file), RowOrigin::kFile)).first;
  m.observe(row, it->second);
}

void Pipeline::log(std::string_view bytes, std::string_view source) { impl_->log(bytes, source); }

void Pipeline::flush_log(std::string_view source) {
  Impl& m = *impl_;
  if (auto it = m.text.find(source); it != m.text.end() && !it->second.partial.empty()) {
    // The last line had no newline: it is still a line (a metric row too).
    m.log("\n", source);
  }
  m.monitor.flush_log(source);
  m.route_pending();
}

void Pipeline::decision(Decision d) {
  impl_->monitor.add_decision(std::move(d));
  impl_->route_pending();
}

void Pipeline::count_external_alert(const Alert& a) { impl_->note(a); }

void Pipeline::advance(double wall) { impl_->monitor.advance(wall); }

void Pipeline::tick(double wall) {
  Impl& m = *impl_;
  m.route(m.monitor.tick(wall));
  m.report_keys(wall);
  if (auto d = m.judge.poll(m.monitor, wall)) decision(std::move(*d));
  m.poll_answers(wall, false);
}

void Pipeline::drain(double wall) {
  impl_->route(impl_->monitor.drain(wall));
  impl_->report_keys(wall);  // the last status.json (the end of a run, watch --once) names every key
  impl_->poll_answers(wall, true);
}

void Pipeline::poll_answers(double wall, bool force) { impl_->poll_answers(wall, force); }
void Pipeline::tty_line(const std::string& line) { impl_->desk.tty_line(line); }
bool Pipeline::prompting() const { return impl_->desk.prompting(); }
void Pipeline::request_stop(std::string reason) { impl_->desk.request_stop(std::move(reason)); }
const std::optional<std::string>& Pipeline::stop_request() const { return impl_->desk.stop_request(); }

Status Pipeline::finish(const PipelineEnd& end, double wall) {
  Impl& m = *impl_;
  if (m.finished) return Status::Ok();
  drain(wall);
  Status history = end.write_history ? m.monitor.finish(end.status, wall, end.exit_code) : Status::Ok();
  m.finished = true;
  RunEnd re;
  re.status = end.status;
  re.exit_code = end.exit_code;
  re.error = end.error;
  re.signal = end.signal;
  m.sinks->on_finish(re);
  m.sinks->close(end.close_timeout_s);
  return history;
}

bool Pipeline::finished() const { return impl_->finished; }
Monitor& Pipeline::monitor() { return impl_->monitor; }
const Monitor& Pipeline::monitor() const { return impl_->monitor; }
SinkSet& Pipeline::sinks() { return *impl_->sinks; }
const PipelineOptions& Pipeline::options() const { return impl_->opt; }
std::uint64_t Pipeline::alerts() const { return impl_->alerts; }
std::optional<Severity> Pipeline::max_severity() const { return impl_->worst; }
std::vector<std::pair<std::string, std::uint64_t>> Pipeline::by_syndrome() const {
  return {impl_->by_syndrome.begin(), impl_->by_syndrome.end()};
}

}  // namespace sidecar
