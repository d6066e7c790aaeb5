// Sessions: the main job of sidecar-cli. run_session() launches a training
// command and monitors it end to end; watch_session() follows a run directory
// written by a job started elsewhere. Both feed one Pipeline (pipeline.h:
// the path `replay` and the Python Monitor share) from one loop (poll() on
// the child's pipes and a <= 1 s timer), which routes what the Monitor
// finds to the sinks (files in the run directory always, the research-agent
// server and Alertmanager when configured) and to a SessionReporter (the
// terminal), and handle operator answers (response files, a TTY, the server)
// without pausing the monitoring.
//
//   sidecar::RunOptions opts;
//   opts.command = {"python3", "train.py"};
//   opts.run_dir = "runs/exp1";
//   sidecar::SessionReporter quiet;           // or a subclass that prints
//   sidecar::SignalPipe signals;              // Ctrl-C / SIGTERM forwarding
//   auto summary = sidecar::run_session(opts, quiet, &signals);
//   return summary ? summary->exit_status : 2;
//
// Not thread-safe; one session per process at a time (signals are process-wide).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/gpu.h"
#include "sidecar/operator.h"
#include "sidecar/pipeline.h"
#include "sidecar/prometheus.h"
#include "sidecar/sinks.h"
#include "sidecar/status.h"
#include "sidecar/supervisor.h"

namespace sidecar {

// Settings both run and watch share.
struct SessionOptions {
  std::string run_dir;                // required
  std::string run_id;                 // "" = the run directory's name
  std::string command;                // the command text (profile hints, fingerprint)
  std::string playbook_path;          // "" = the default playbook
  std::string history_path;           // "" = the playbook's (default .sidecar/history.jsonl); "-" = none
  std::optional<Profile> profile;     // pin the workload profile
  std::string metrics_path;           // "" = discover in run_dir and work_dir (discover_metrics_sources)
  std::string work_dir;               // the job's working directory, searched too ("" = none; run: its cwd)
  double no_metrics_notice_s = 60.0;  // no metric row by then: one notice says where sidecar looked (<= 0: never)
  std::vector<std::string> logs;      // extra log files or globs, each tailed on its own
  double interval_s = 1.0;            // tick period (<= 1 s keeps alerts prompt; idle cost is one poll)
  OnAlert on_alert = OnAlert::kAsk;   //
  std::optional<Severity> stop_on;    // stop the run on any alert at or above this severity
  int prompt_fd = -1;                 // a TTY to ask on (its lines are answers); -1 = no prompt
  std::string server_url;             // research-agent server ("" = none)
  std::string server_run_id;          // its run id ("" = run_id)
  std::string auth_token_file;        // X-Auth-Token from this file (else SIDECAR_AUTH_TOKEN)
  std::string alertmanager_url;       // Prometheus Alertmanager ("" = none)
  double sink_close_timeout_s = 5.0;  // bounded flush of network sinks at the end
  // A server that refuses the token (401/403 at the check before launching)
  // is an error unless this is set; then a notice, and the run goes on.
  bool server_optional = false;
  // Notifications and /metrics (issue 20; docs/notifications.md). Secrets are
  // named, never given: a variable or a file holding them. A flag wins over
  // the playbook's sinks.slack / sinks.webhook.
  std::string slack_url_env;        // --slack-url-env VAR: the Slack incoming-webhook URL is in $VAR
  std::string slack_url_file;       // --slack-url-file F
  std::string webhook_url_env;      // --webhook-url-env VAR: a generic JSON webhook
  std::string webhook_url_file;     // --webhook-url-file F
  std::string webhook_header_file;  // --webhook-header-file F: "Name: value" lines (e.g. Authorization)
  std::string prometheus;           // --prometheus ADDR:PORT: serve /metrics ("" = off; loopback by default)
  // Called once per tick with what /metrics would show (the live status line
  // of `run` on a TTY); empty = none. On the session's thread; keep it cheap.
  std::function<void(const ExporterState&)> progress;
};

struct RunOptions : SessionOptions {
  std::vector<std::string> argv;  // the command to launch (no shell unless `shell`)
  bool shell = false;             // run argv joined by spaces through /bin/sh -c
  std::string cwd;                // "" = inherit
  double grace_s = 10.0;          // SIGTERM -> SIGKILL delay when stopping
  double drain_s = 2.0;           // after the child exits: how long stragglers may hold the pipes
  // Become the reaper of orphaned descendants (PR_SET_CHILD_SUBREAPER) and
  // end any that are left when the run is over, even ones that left the
  // process group (setsid). Process-wide; meant for a program whose job is this run.
  bool adopt_orphans = true;
  // GPU preflight (SPEC §6).
  bool preflight = true;
  GpuOptions gpu;                           // nvidia_smi path, wait_s, poll_s (the playbook's, then flags)
  std::optional<OnTimeout> gpu_on_timeout;  // default: from on_alert
  // sidecar's own secrets (SIDECAR_AUTH_TOKEN) are removed from the child's
  // environment unless this is set.
  bool pass_secrets = false;
  // The job survives sidecar's death (no lifeline: otherwise the job's group
  // gets SIGTERM when sidecar vanishes, even by SIGKILL).
  bool detach = false;
};

struct WatchOptions : SessionOptions {
  bool once = false;       // process what exists, then end
  bool from_start = true;  // read files from their beginning (false: only what is written from now on)
};

// The end of a session, for the summary line, JSONL and the exit status.
struct SessionSummary {
  std::string status;            // finished | failed | stopped | killed | watched | error
  std::optional<ExitInfo> exit;  // how the child ended (run)
  int exit_status = 0;           // what sidecar-cli returns
  std::string stopped_by;        // why sidecar stopped it ("" = it did not)
  std::string error;             // launch error or similar
  double duration_s = 0;
  std::uint64_t rows = 0;            // metric rows read
  std::uint64_t malformed_rows = 0;  //
  std::uint64_t lines = 0;           // log lines seen
  std::uint64_t log_bytes = 0;
  std::uint64_t alerts = 0;
  std::optional<Severity> max_severity;                            // of the alerts surfaced
  std::vector<std::pair<std::string, std::uint64_t>> by_syndrome;  // alerts per syndrome
  std::string profile;
  std::string baseline;                      // "3 runs: throughput 0.62x, best val_acc 0.81 vs 0.84" / "none"
  std::string metrics_path;                  // the metrics file used ("" = none found)
  std::vector<std::string> metrics_sources;  // every metrics source followed (metrics_path among them)
  std::string monitor_note;                  // the final snapshot's note
  std::string history_error;                 // why the history row could not be written ("" = written or off)
  bool history_written = false;
  std::string history_path;  // the history file in use ("" = none)
  std::string run_dir;
  std::string run_id;
  // Each network sink's counters at the end (server, alertmanager; "file" too).
  std::vector<std::pair<std::string, SinkStats>> sinks;
  // Whether a sink lost records (rejected by the peer, dropped, or never
  // delivered): `watch` and `replay` exit 2 then.
  bool sinks_lost_records() const;

  // {"type":"summary","status":…,"exit_status":…,…}
  std::string to_json() const;
};

// Validates the playbook sections read outside the engine (operator:,
// sinks:, judge:), so `playbook check` reports them like the rest.
// Errors: kInvalidArgument with every located problem, one per line.
Status check_session_sections(const Value& playbook_tree);

// Launches and monitors a command until it ends (and its process group is
// gone), then writes the history row, closes the sinks and reports the
// summary. `signals` (may be null) delivers SIGINT/SIGTERM/SIGHUP, which are
// forwarded to the child's process group (a second one kills it).
// exit_status: the child's (128+N for a signal; 127/126 when the command is
// not found / not executable), or kExitStoppedBySidecar.
// Errors (before anything is launched): kInvalidArgument (bad options,
// invalid playbook), kIoError (run directory not writable).
Result<SessionSummary> run_session(const RunOptions& options, SessionReporter& reporter, SignalPipe* signals);

// Follows a run directory: its metrics (discovered or options.metrics_path)
// and logs (run.log, or options.logs: files or globs, re-expanded so that
// files appearing late are picked up), through truncation and rotation.
// Ends after one pass with `once`, else on SIGINT/SIGTERM. Writes no history
// row (the job's own launcher does). exit_status is 0; the caller compares
// max_severity with its --fail-on.
// Errors: kNotFound (no such run directory), kInvalidArgument.
Result<SessionSummary> watch_session(const WatchOptions& options, SessionReporter& reporter, SignalPipe* signals);

// Expands one --log argument: a glob (sorted matches) or a plain path
// (returned as is even when it does not exist yet). Relative paths are taken
// relative to `base_dir` when they are not found from the working directory.
std::vector<std::string> expand_log_pattern(const std::string& pattern, const std::string& base_dir);

}  // namespace sidecar
