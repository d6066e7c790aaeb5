// sidecar-cli replay — feed a metrics file (and optionally logs) through the
// pipeline every front end shares (every row evaluated, as in a live run),
// and print what it decides.
//
//   sidecar-cli replay [--format jsonl|text] [--command CMD] [--history FILE]
//                      [--log FILE]... [--playbook F] [--fail-on SEVERITY]
//                      [--profile P] [--run-id ID] [--snapshots] METRICS
//
// Time: a row's `_timestamp`/`timestamp` field; rows without one do not move
// the clock (so time-based rules — re-notification, stalls — run on row time
// only). Ticks (snapshots, stalls) fall every second of row time.
// Logs: when both the metrics and the log lines carry timestamps, log lines
// are fed as the replay clock passes them; otherwise the logs are fed after
// the last row (a post-mortem). JSONL records (docs/cli.md): "alert",
// "resolved", optional "snapshot", and a final "summary". Exit status: 0
// nothing at or above --fail-on (default warning), 1 findings, 2 an error.
// With --history FILE the baseline comes from FILE and the replayed run's own
// row (status finished) is appended at the end.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/iso8601.h"
#include "sidecar/metrics.h"
#include "sidecar/monitor.h"
#include "sidecar/pipeline.h"
#include "sidecar/playbook.h"
#include "sidecar/sinks.h"
#include "sidecar/supervisor.h"

namespace sidecar::cli {

namespace {

constexpr FlagSpec kReplayFlags[] = {
    kFormatFlag,
    {"command", 'c', "CMD", "the run's command (profile hints, history fingerprint)"},
    {"history", 0, "FILE", "take the baseline from FILE and append this run's row at the end"},
    {"log", 'l', "FILE", "a log to feed alongside (repeatable)", true},
    kPlaybookFlag,
    kFailOnFlag,
    kProfileFlag,
    {"run-id", 0, "ID", "run id used in alert ids and the history row (default: replay)"},
    {"snapshots", 0, "", "also print snapshot records"},
};

constexpr double kTickInterval = 1.0;  // seconds of row time between ticks

// A leading timestamp in a log line ("2024-05-01 12:00:00,123", "[2024-05-01T12:00:00.5Z]",
// "I0501 ..." is not one), as seconds since the epoch (UTC unless an offset is given).
std::optional<double> line_timestamp(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 4 && (line[i] == '[' || line[i] == ' ' || line[i] == '(')) ++i;
  auto t = detail::parse_iso8601_prefix(line.substr(i));
  if (!t) return std::nullopt;
  return t->seconds;
}

// One log file, read line by line (bounded memory), fed into the monitor.
class LogFeed {
 public:
  explicit LogFeed(std::string path) : path_(std::move(path)), in_(path_, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_) || eof_; }
  const std::string& path() const { return path_; }

  // Whether one of the first 50 lines carries a timestamp (peeks; nothing is lost).
  bool timestamped() {
    while (ahead_.size() < 50 && read_one()) {
    }
    for (const auto& l : ahead_)
      if (l.ts) return true;
    return false;
  }
  // Feeds lines stamped at or before `t` (and the unstamped lines after them).
  void feed_until(Pipeline& m, double t) {
    while (fill()) {
      Line& l = ahead_.front();
      double ts = l.ts ? *l.ts : last_ts_;
      if (ts > t) return;
      last_ts_ = ts;
      m.log(l.text, path_);
      ahead_.pop_front();
    }
  }
  // Feeds everything that is left, in bounded chunks.
  void feed_rest(Pipeline& m) {
    for (const auto& l : ahead_) m.log(l.text, path_);
    ahead_.clear();
    std::vector<char> buf(1 << 20);
    while (in_) {
      in_.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in_.gcount() > 0) m.log(std::string_view(buf.data(), static_cast<std::size_t>(in_.gcount())), path_);
    }
    m.flush_log(path_);
  }

 private:
  struct Line {
    std::string text;  // with its newline
    std::optional<double> ts;
  };
  bool fill() { return !ahead_.empty() || read_one(); }
  bool read_one() {
    std::string text;
    if (!std::getline(in_, text)) {
      eof_ = true;
      return false;
    }
    if (!in_.eof()) text += '\n';
    auto ts = line_timestamp(text);
    ahead_.push_back({std::move(text), ts});
    return true;
  }
  std::string path_;
  std::ifstream in_;
  std::deque<Line> ahead_;
  double last_ts_ = -1e300;
  bool eof_ = false;
};

// Prints what the pipeline surfaces (text or JSONL records).
class Replay : public SessionReporter {
 public:
  Replay(bool jsonl, bool snapshots, Severity fail_on)
      : jsonl_(jsonl), snapshots_(snapshots), fail_on_(fail_on), style_(Style::for_stream(stdout)) {}

  void attach(const Pipeline& p) { p_ = &p; }

  void alert(const Alert& a, const std::string&, bool) override {
    if (const std::string* inc = evidence_get(a.decision.evidence, "incident"); inc && incidents_.size() < 100000)
      incidents_.insert(*inc);
    if (jsonl_) {
      write_line(stdout, to_json(a));
      return;
    }
    const Decision& d = a.decision;
    std::string step = d.step ? "step " + std::to_string(*d.step) : "";
    if (is_incident_follow_up(d)) {  // a later event of the incident above
      write_line(stdout, "   +  " + pad(step, 12) + pad(d.syndrome, 28) + d.message);
      return;
    }
    write_line(stdout, style_.severity(d.severity) + "  " + pad(step, 12) + pad(d.syndrome, 28) + d.message);
  }

  void resolved(const Resolved& res) override {
    ++resolved_;
    if (jsonl_) {
      write_line(stdout, to_json(res));
      return;
    }
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.0f s", res.duration_s);
    write_line(stdout, style_.dim(" ok   " + pad("", 12) + pad(res.syndrome, 28) + "resolved after " + dur));
  }

  void snapshot(const Snapshot& s) override {
    if (!snapshots_) return;
    write_line(stdout, jsonl_ ? to_json(s) : style_.dim("      " + s.monitor_note));
  }

  std::string summary_json(const MetricsStats& ms, double elapsed, const std::string& history_error) const {
    detail::JsonWriter w;
    const Monitor& m = p_->monitor();
    const MonitorStats& s = m.stats();
    detail::begin_summary(w, SummaryTotals{p_->max_severity(), p_->by_syndrome(), elapsed});
    w.key("rows").value(s.rows).key("malformed_lines").value(ms.malformed);
    w.key("ticks").value(s.ticks).key("alerts").value(p_->alerts()).key("resolved").value(resolved_);
    w.key("suppressed").value(s.suppressed);
    w.key("profile").value(to_string(m.profile()));
    w.key("command_fingerprint").value(m.command_fingerprint());
    w.key("baseline");
    const Baseline& b = m.baseline();
    if (b.empty()) {
      w.null();
    } else {
      w.begin_object().key("runs").value(static_cast<std::uint64_t>(b.runs));
      if (b.throughput) w.key("throughput").value(*b.throughput);
      if (b.val_accuracy_best) w.key("val_accuracy_best").value(*b.val_accuracy_best);
      w.end_object();
    }
    w.key("log_lines").value(s.log_lines).key("log_matches").value(s.log_matches);
    w.key("rows_per_s").value(elapsed > 0 ? static_cast<double>(s.rows) / elapsed : 0.0);
    if (!history_error.empty()) w.key("history_error").value(history_error);
    w.end_object();
    return w.take();
  }

  // The `keys` record: which keys were seen, which bound to which role, which were ignored.
  std::string keys_json() const {
    const std::string report = p_->monitor().key_report();  // {"keys_seen":N,...}
    return "{\"type\":\"keys\"," + report.substr(1);
  }

  void print_text_summary(const MetricsStats& ms, double elapsed) const {
    const Monitor& m = p_->monitor();
    const MonitorStats& s = m.stats();
    std::string line = "replayed " + std::to_string(s.rows) + " rows";
    if (ms.malformed) line += " (" + std::to_string(ms.malformed) + " malformed lines skipped)";
    if (s.log_lines) line += ", " + std::to_string(s.log_lines) + " log lines";
    char rate[64];
    std::snprintf(rate, sizeof rate, " in %.3f s", elapsed);
    line += rate;
    line += "; profile " + std::string(to_string(m.profile()));
    write_line(stdout, style_.bold(line));
    std::uint64_t n = p_->alerts();
    std::string alerts = std::to_string(n) + " alert" + (n == 1 ? "" : "s");
    if (!incidents_.empty())
      alerts += " in " + std::to_string(incidents_.size()) + " incident" + (incidents_.size() == 1 ? "" : "s");
    bool first = true;
    for (const auto& [k, v] : p_->by_syndrome()) {
      alerts += (first ? ": " : ", ") + k + " x" + std::to_string(v);
      first = false;
    }
    if (resolved_) alerts += "; " + std::to_string(resolved_) + " resolved";
    write_line(stdout, alerts);
    const Baseline& b = m.baseline();
    if (!b.empty()) {
      std::string base = "baseline: " + std::to_string(b.runs) + " earlier run" + (b.runs == 1 ? "" : "s");
      if (b.throughput) base += ", throughput " + detail::fmt_num(*b.throughput);
      if (b.val_accuracy_best) base += ", best val accuracy " + detail::fmt_num(*b.val_accuracy_best);
      write_line(stdout, base);
    }
  }

  int exit_code() const {
    auto worst = p_->max_severity();
    return worst && *worst >= fail_on_ ? kExitFindings : kExitOk;
  }

 private:
  static std::string pad(const std::string& s, std::size_t n) {
    return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' ');
  }

  const Pipeline* p_ = nullptr;
  bool jsonl_, snapshots_;
  Severity fail_on_;
  Style style_;
  std::uint64_t resolved_ = 0;
  std::set<std::string> incidents_;  // incident ids the alerts named (bounded)
};

// The monitor's options from replay's flags; the history file, when one is
// named, must be readable (its corrupt lines are a warning).
Result<MonitorOptions> replay_monitor_options(const ParsedFlags& flags) {
  auto playbook = load_playbook(flags.get_or("playbook", ""));
  if (!playbook) return playbook.status();
  print_playbook_notices(*playbook);
  MonitorOptions opts;
  opts.run_id = flags.get_or("run-id", "replay");
  opts.command = flags.get_or("command", "");
  opts.history_path = flags.get_or("history", "-");
  opts.playbook = std::move(playbook).value();
  // Without a log to scan, skip compiling the catalogue (most of the start-up);
  // with one, the compiled database comes from the cache directory main() set.
  opts.scan_logs = flags.has("log");
  if (auto p = flags.get("profile")) {
    auto prof = parse_profile(*p);
    if (!prof)
      return Status(StatusCode::kInvalidArgument,
                    "--profile: expected generic, supervised or reinforcement_learning, got '" + *p + "'");
    opts.profile = *prof;
  }
  if (opts.history_path != "-") {
    auto h = read_history(opts.history_path);
    if (!h) return h.status();
    if (h->corrupt_lines)
      print_warning(opts.history_path + ": " + std::to_string(h->corrupt_lines) + " corrupt line(s) skipped");
  }
  return opts;
}

// How feeding the rows went: the row clock at the end, the wall time it took,
// and the reader's error (ok when the file was read to its end).
struct FedRows {
  double now = 0.0;
  double elapsed = 0.0;
  Status read_error;
};

// Feeds every row of `reader` (and the logs, interleaved by time stamp when
// all of them carry one) through the pipeline, ticking every second of row time.
FedRows feed_rows(Pipeline& pipeline, MetricsReader& reader, std::vector<LogFeed>& logs, const std::string& path) {
  FedRows fed;
  // Rows without a timestamp leave the clock where it is: at the time the
  // replay started, until a row says otherwise.
  double& now = fed.now;
  double next_tick = -1e300;
  now = wall_seconds();
  pipeline.advance(now);
  bool first = true, interleave = false;
  auto start = std::chrono::steady_clock::now();
  auto on_row = [&](const MetricRow& row) {
    if (row.timestamp && std::isfinite(*row.timestamp)) now = *row.timestamp;
    if (first) {
      first = false;
      interleave = row.timestamp.has_value() && !logs.empty();
      for (auto& l : logs) interleave = interleave && l.timestamped();
    }
    if (interleave) {
      pipeline.advance(now);
      for (auto& l : logs) l.feed_until(pipeline, now);
    }
    pipeline.row(row, path);
    if (now >= next_tick) {
      pipeline.tick(now);
      next_tick = now + kTickInterval;
    }
  };
  for (;;) {
    auto n = reader.poll(on_row);
    if (!n) {
      fed.read_error = n.status();
      break;
    }
    if (*n == 0) break;
  }
  // A last line without its newline (a finished file never gets one).
  if (fed.read_error.ok()) reader.flush(on_row);
  for (auto& l : logs) l.feed_rest(pipeline);
  pipeline.drain(now);
  fed.elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return fed;
}

// Prints the end of a replay (warnings, the keys and summary records or the
// text summary), appends the history row when asked, and returns the exit status.
int finish_replay(Pipeline& pipeline, const Replay& replay, const MetricsReader& reader, const FedRows& fed,
                  const ParsedFlags& flags, bool jsonl) {
  const MetricsStats& ms = reader.stats();
  if (ms.malformed)
    print_warning(reader.path() + ": " + std::to_string(ms.malformed) +
                  " malformed line(s) skipped; last: " + ms.last_error);
  std::string history_error;
  if (fed.read_error.ok() && flags.has("history")) {
    PipelineEnd end;
    end.status = "finished";
    end.exit_code = 0;
    // Dated by the last row's time stamp, or the replay's start (not 1970).
    Status hs = pipeline.finish(end, fed.now);
    if (!hs.ok()) history_error = hs.message();
  }
  if (jsonl) {
    write_line(stdout, replay.keys_json());
    write_line(stdout, replay.summary_json(ms, fed.elapsed, history_error));
  } else
    replay.print_text_summary(ms, fed.elapsed);
  if (!fed.read_error.ok()) {
    print_error("replay: " + fed.read_error.message());
    return kExitError;
  }
  if (!history_error.empty()) {
    print_error("replay: " + history_error);
    return kExitError;
  }
  return replay.exit_code();
}

constexpr CommandHelp kHelp = {
    .usage = "sidecar-cli replay [options] METRICS",
    .summary =
        "Feed a metrics file (JSON Lines, W&B history, Lightning or SB3 CSV) through the monitoring\n"
        "engine, one tick per row.",
    .flags = kReplayFlags,
    .one_positional = "METRICS",
    .exit_status = kFindingsExit};

Result<int> replay_main(const ParsedFlags& flags) {
  auto out = output_flags(flags);
  if (!out) return out.status();
  const std::string& path = flags.positional[0];
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status(StatusCode::kNotFound, path + ": no such file");
  if (S_ISDIR(st.st_mode)) return Status(StatusCode::kInvalidArgument, path + ": is a directory");

  auto opts = replay_monitor_options(flags);
  if (!opts) return opts.status();
  std::vector<LogFeed> logs;
  for (const auto& lp : flags.get_all("log")) {
    logs.emplace_back(lp);
    if (!logs.back().ok()) return Status(StatusCode::kNotFound, lp + ": cannot open");
  }

  Replay replay(out->jsonl, flags.has("snapshots"), out->fail_on);
  PipelineOptions po;
  po.on_alert = OnAlert::kContinue;
  Pipeline pipeline(std::move(opts).value(), std::move(po), nullptr, replay);
  replay.attach(pipeline);
  if (!pipeline.monitor().log_status().ok() && !logs.empty()) return pipeline.monitor().log_status();

  MetricsReader reader(path);
  FedRows fed = feed_rows(pipeline, reader, logs, path);
  return finish_replay(pipeline, replay, reader, fed, flags, out->jsonl);
}

}  // namespace

Result<int> cmd_replay(Args args) { return run_command(kHelp, args, replay_main); }

}  // namespace sidecar::cli
