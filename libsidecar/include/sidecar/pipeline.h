// The pipeline: the one library path from inputs to outputs that every front
// end shares (`sidecar-cli run`, `watch`, `replay` and the Python Monitor).
//
//   inputs, in arrival order          the Monitor            outputs
//   rows (files, stdout, Python) ──► observe + evaluate ──► sinks (files, server, webhooks)
//   log bytes (output, log files) ─► scan lines         ──► the operator desk (answers, stop)
//   time (tick) ──────────────────► stalls, heartbeats  ──► the reporter (terminal, Python)
//
// Every row is evaluated where it stands in the input order, so what a live
// run raises is what a replay of its files raises. The front ends only read
// their inputs and decide when to tick.
//
//   sidecar::Pipeline p(monitor_options, pipeline_options, std::move(sinks), reporter);
//   p.row(row);                 // each metric row
//   p.log(bytes, "stdout");     // each chunk of output
//   p.tick(wall_seconds());     // about once a second
//   if (p.stop_request()) ...   // an operator answered "Stop Job", or a policy fired
//   p.finish({.status = "finished", .exit_code = 0}, wall_seconds());
//
// Not thread-safe: one thread calls every method (the Python module holds a mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/gpu.h"
#include "sidecar/judge.h"
#include "sidecar/monitor.h"
#include "sidecar/operator.h"
#include "sidecar/status.h"

namespace sidecar {

class Sink;
class SinkSet;
struct SessionSummary;  // sidecar/session.h

// The exit status of `sidecar-cli run` when sidecar itself stopped the run
// (an operator's "Stop Job", --on-alert stop, --stop-on, or the GPU gate).
inline constexpr int kExitStoppedBySidecar = 3;

// What to do with an alert that offers choices, when nobody has answered.
enum class OnAlert {
  kAsk,       // wait for an answer (response file, TTY prompt, server); the run goes on meanwhile
  kContinue,  // never wait and never prompt (answers that still arrive are honoured)
  kStop,      // stop the run at once when the alert offers a stop choice
};
std::optional<OnAlert> parse_on_alert(std::string_view text);  // "ask" | "continue" | "stop"

// Hooks through which a run talks to a person. Every method has a no-op
// default; the CLI prints, the Python module collects. Called from the
// pipeline's thread only.
class SessionReporter {
 public:
  virtual ~SessionReporter() = default;
  // The child's output as it arrives (tee it to the terminal).
  virtual void output(std::string_view bytes, bool from_stderr) {
    (void)bytes;
    (void)from_stderr;
  }
  // A new alert. `response_file` is where an answer is read ("" = none);
  // `asking`: the run waits for an answer (print the choices / a prompt).
  virtual void alert(const Alert& alert, const std::string& response_file, bool asking) {
    (void)alert;
    (void)response_file;
    (void)asking;
  }
  virtual void resolved(const Resolved& r) { (void)r; }
  virtual void snapshot(const Snapshot& s) { (void)s; }
  // An operator answer was applied (by: response_file | tty | server | policy).
  virtual void answered(const Alert& alert, const std::string& choice, Action action, std::string_view by) {
    (void)alert;
    (void)choice;
    (void)action;
    (void)by;
  }
  // A one-line notice for people ("stopping the run: ...", "metrics: using ...").
  virtual void notice(std::string_view text) { (void)text; }
  // GPU preflight progress and result.
  virtual void preflight(const PreflightResult& r, bool final) {
    (void)r;
    (void) final;
  }
  // The end of a `run` or `watch` session.
  virtual void summary(const SessionSummary& s) { (void)s; }
};

struct PipelineOptions {
  std::string run_dir;               // where response files are read ("" = none)
  OnAlert on_alert = OnAlert::kAsk;  //
  std::optional<Severity> stop_on;   // stop on any alert at or above this severity
  int prompt_fd = -1;                // a TTY to ask on (its lines are answers); -1 = no prompt
  ActionTable actions;               // choice text -> action (playbook `operator:`)
  double answer_poll_s = 0.5;        // response files are checked at most this often
  std::size_t recent_output = 4096;  // bytes of recent output kept for the judge
};

// How the run ended, for the history row and the sinks.
struct PipelineEnd {
  std::string status;            // finished | failed | stopped | lost | watched
  std::optional<int> exit_code;  // the child's exit code (none for signal deaths)
  int signal = 0;                // the signal that ended the child (0 = none)
  std::string error;             // a short text for failures ("" = none)
  bool write_history = true;
  double close_timeout_s = 5.0;  // bounded flush of network sinks
};

class Pipeline {
 public:
  // `sinks` may be null (no outputs but the reporter). `judge` may be null.
  Pipeline(MonitorOptions monitor, PipelineOptions options, std::unique_ptr<SinkSet> sinks, SessionReporter& reporter,
           std::unique_ptr<Judge> judge = nullptr);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Inputs, in arrival order. Each is evaluated at once; what surfaces is
  // routed before the call returns.
  void row(const MetricRow& row);
  // A row read from a metrics file (`file` names it): rows of the same run
  // arriving from several sources (files, metric lines in the output) are
  // merged so nothing is counted twice (RowMerger, metric_lines.h).
  void row(const MetricRow& row, std::string_view file);
  // Log bytes of one source (the job's output, a followed log). Every
  // complete line is scanned for syndromes, and a line that is a metric row
  // (an HF dict, a progress-bar postfix, a Keras epoch line...; see
  // TextMetricsParser) is observed as a row where it stands.
  void log(std::string_view bytes, std::string_view source);
  void flush_log(std::string_view source);
  // A decision from elsewhere (preflight, judge, a caller's own rule).
  void decision(Decision d);
  // An alert raised and delivered outside the Monitor (the GPU gate): counted
  // in the summary only.
  void count_external_alert(const Alert& a);
  // Sets the clock for rows without a timestamp (live front ends: the wall
  // time the row was read).
  void advance(double wall);

  // Time: stalls, heartbeats and snapshots, the judge, answers.
  void tick(double wall);
  // Surfaces every pending decision (the end of a run, `watch --once`).
  void drain(double wall);

  // Operator answers.
  void poll_answers(double wall, bool force = false);
  void tty_line(const std::string& line);
  bool prompting() const;
  void request_stop(std::string reason);
  const std::optional<std::string>& stop_request() const;

  // Ends the run: the last decisions, the history row (when asked), the
  // final status to the sinks, and a bounded close of the sinks. Idempotent
  // (a second call does nothing and returns Ok).
  // Errors: the history file's (the monitoring results stand).
  Status finish(const PipelineEnd& end, double wall);
  bool finished() const;

  Monitor& monitor();
  const Monitor& monitor() const;
  SinkSet& sinks();
  const PipelineOptions& options() const;
  // Alerts surfaced (the Monitor's and external ones), the worst severity,
  // and alerts per syndrome (sorted).
  std::uint64_t alerts() const;
  std::optional<Severity> max_severity() const;
  std::vector<std::pair<std::string, std::uint64_t>> by_syndrome() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar
