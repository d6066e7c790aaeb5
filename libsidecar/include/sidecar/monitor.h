// The Monitor: one per run, the only stateful part of the engine. It binds
// metric keys to roles, keeps bounded per-role series, runs the detectors of
// the inferred profile, scans log bytes, dedupes and selects decisions, builds
// snapshots, and writes the run's history row at the end.
//
// Every row is observed AND evaluated: observe() runs the detectors of the
// roles the row touched and surfaces at most one decision, so what the
// Monitor finds depends only on the order of its inputs, never on how often
// tick() is called (a live run and a replay of its files agree). Log
// findings are raised as their lines are scanned (with the step current
// then) and surface at the next evaluation, so the same finding on several
// ranks read in one pass is one alert naming them all. Alerts and
// resolutions wait in an outbox until the next tick() or take(); tick() adds
// what only time reveals (stalls, heartbeats). Decision times are row time:
// the row's timestamp when it has one, else the clock last given to tick()
// or advance().
//
// Thread-safety: NOT thread-safe. One thread calls every method (a caller
// that observes from one thread and ticks from another must hold its own
// mutex). No method throws; observe() is O(1) amortised per value and never
// does I/O; the constructor reads the history file once (for the baseline)
// and finish() appends to it.
//
//   sidecar::MonitorOptions opts;
//   opts.run_id = "run-42";
//   opts.command = "python train.py --lr 3e-4";
//   sidecar::Monitor mon(std::move(opts));
//   sidecar::MetricValue vals[] = {{"loss", 2.3}, {"val/accuracy", 0.71}};
//   mon.observe({.step = 100, .values = vals});
//   sidecar::TickResult r = mon.tick(now_seconds());
//   for (const auto& a : r.alerts) std::cout << sidecar::to_json(a) << "\n";
//   mon.finish("finished", now_seconds());
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/dedupe.h"
#include "sidecar/core/detectors/baseline.h"
#include "sidecar/core/detectors/stall.h"
#include "sidecar/core/profile.h"
#include "sidecar/core/records.h"
#include "sidecar/core/series.h"
#include "sidecar/core/types.h"
#include "sidecar/history.h"
#include "sidecar/key_report.h"
#include "sidecar/log_scan.h"
#include "sidecar/playbook.h"
#include "sidecar/roles.h"
#include "sidecar/status.h"

namespace sidecar {

struct MonitorOptions {
  std::string run_id;  // used in alert ids and the history row
  // "" = alert ids "<run_id>-NNNN-<syndrome>"; else "<run_id>-<nonce>-NNNN-<syndrome>" (run/watch set
  // detail::run_nonce(), so a previous run's answer files in the same directory never match this run's ids).
  std::string alert_id_nonce;
  std::string command;             // for profile hints and the history fingerprint
  std::optional<Profile> profile;  // pins the profile (else inferred, sticky)
  std::string history_path;        // "" = playbook.history.path; "-" = no history
  Playbook playbook = default_playbook();
  // A baseline to use instead of reading history_path (tests, embedders).
  std::optional<Baseline> baseline;
  bool scan_logs = true;             // build a LogScanner from playbook.logs
  std::size_t max_log_sources = 64;  // distinct feed_log() sources kept
};

// What the Monitor surfaced since the last tick (at most one alert per
// evaluation, oldest first), the resolutions, and a snapshot when the
// heartbeat is due or something material changed.
struct TickResult {
  std::vector<Alert> alerts;
  std::vector<Resolved> resolved;
  std::optional<Snapshot> snapshot;
};

// Counters for summaries and benchmarks.
struct MonitorStats {
  std::uint64_t rows = 0;              // metric rows observed
  std::uint64_t values = 0;            // their values
  std::uint64_t nonfinite_values = 0;  // ... of which NaN or +-inf
  std::uint64_t ticks = 0;             // tick() calls
  std::uint64_t alerts = 0;            // alerts surfaced to the outbox
  std::uint64_t critical_alerts = 0;   // ... of which critical
  std::uint64_t resolved = 0;          // resolutions surfaced
  std::uint64_t suppressed = 0;        // decisions the dedupe book held back (repeats, cool-down)
  std::uint64_t log_bytes = 0;         // log bytes fed
  std::uint64_t log_lines = 0;         // complete log lines scanned
  std::uint64_t log_matches = 0;       // catalogue findings in them
  std::uint64_t snapshots = 0;         // snapshots produced
  std::uint64_t evaluations = 0;       // rows, log chunks and ticks evaluated
  std::uint64_t dropped_outputs = 0;   // outbox entries dropped (nobody called tick())
};

class Monitor {
 public:
  explicit Monitor(MonitorOptions options);
  ~Monitor();
  Monitor(Monitor&&) noexcept;
  Monitor& operator=(Monitor&&) noexcept;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Records one row of metrics (step: the row's, else the previous + 1) and
  // evaluates the detectors of the roles it touched; what surfaces waits in
  // the outbox (tick(), take()).
  void observe(const MetricRow& row);
  // Scans log bytes of one source (any chunking; partial lines are held).
  void feed_log(std::string_view bytes, std::string_view source = "log");
  // End of a log source: scans its partial last line and pending tracebacks.
  void flush_log(std::string_view source = "log");
  // Adds a decision from elsewhere (preflight, judge, a caller's own rule).
  void add_decision(Decision d);
  // Time-driven evaluation (stalls), one selection, then everything surfaced
  // since the last call, plus a snapshot when due.
  TickResult tick(double now);
  // Everything surfaced since the last call, without a time-driven evaluation
  // or a snapshot (front ends that route alerts per row).
  TickResult take();
  // Surfaces every pending decision (one selection each), e.g. at the end of a run.
  TickResult drain(double now);
  // Sets the clock used for rows without a timestamp (never moves it back).
  void advance(double now);
  // True when alerts or resolutions wait in the outbox.
  bool has_output() const;
  // The current snapshot (always built; does not reset the heartbeat).
  Snapshot snapshot(double now) const;
  // Ends the run: writes the history row (status: finished | failed |
  // stopped | ...). Errors: the history file's I/O errors (monitoring results stand).
  Status finish(std::string_view status, double now, std::optional<int> exit_code = {});

  const Profile& profile() const;
  void pin_profile(Profile p);
  const Baseline& baseline() const;
  const MonitorStats& stats() const;
  // Alerts surfaced per syndrome so far, sorted by syndrome.
  std::vector<std::pair<std::string, std::uint64_t>> syndrome_counts() const;
  // The latest value of a role, if any (for summaries).
  std::optional<double> latest(Role role) const;
  // The step of the latest row (none before the first row).
  std::optional<std::int64_t> last_step() const;
  // Every distinct metric key seen, in first-seen order (the first 4096), and
  // the raw key bound to each role ("" = unbound): what the key report and
  // the /metrics labels show.
  const std::vector<std::string>& keys_seen() const;
  const std::string& bound_key(Role role) const;
  std::vector<KeyBinding> key_bindings() const;
  // key_report_json() of the keys seen and the bindings (one JSON object).
  std::string key_report(const KeyReportOptions& options = {}) const;
  // The history row finish() writes (also usable without a history file).
  HistoryRow history_row(std::string_view status, double now) const;
  // The log scanner's problem, if it could not be built (monitoring of metrics goes on).
  const Status& log_status() const;
  const std::string& command_fingerprint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar
