// sidecar-cli watch — monitor a run directory written by a job started elsewhere.
//
//   sidecar-cli watch RUN_DIR [--once] [--interval S] [--log PATH|GLOB ...] [--fail-on SEVERITY]
//
// Follows the run's metrics (discovered, or --metrics) and logs (run.log, or
// every --log: files or globs, one tail each, re-expanded so late files are
// picked up) as they grow, rotate or are truncated. Without --once it runs
// until Ctrl-C. Exit status (both modes): 0 no alert at or above --fail-on
// (default warning), 1 alerts, 2 error.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/commands.h"
#include "commands/run_output.h"
#include "flags.h"
#include "output.h"
#include "sidecar/history.h"

namespace sidecar::cli {

namespace {

const FlagSpec kWatchOwnFlags[] = {
    {"once", 0, "", "process what exists now, then exit (0/1/2 like scan)"},
    {"interval", 0, "SECONDS", "how often files are polled (default 1)"},
    {"log", 'l', "PATH", "log file or glob to follow, e.g. 'logs/rank*.log' (default run.log)", true},
    {"metrics", 'm', "PATH", "metrics file to follow (default: every source discovered in RUN_DIR)"},
    kMetricsWaitFlag,
    kFailOnFlag,
    {"format", 'f', "FORMAT", "text (default) or jsonl (records on stdout)"},
    kPlaybookFlag,
    kHistoryFlag,
    kProfileFlag,
    {"command", 0, "TEXT", "the job's command line (profile hints, baseline fingerprint)"},
    {"run-id", 0, "ID", "run id for alerts (default: the directory's name); required with --server"},
};
const std::vector<FlagSpec> kWatchFlags = join_flags({kWatchOwnFlags, kServerFlags, kNotifyFlags});

const CommandHelp kHelp = {.usage = "sidecar-cli watch RUN_DIR [options]",
                           .summary =
                               "Monitor a run directory written by a job started elsewhere: its metrics and\n"
                               "logs are followed as they grow, appear late, rotate.",
                           .flags = kWatchFlags,
                           .exit_status = kFindingsExit};

Result<int> watch_main(const ParsedFlags& flags) {
  if (flags.positional.size() != 1)
    return Status(StatusCode::kInvalidArgument, flags.positional.empty()
                                                    ? "no RUN_DIR given (see --help)"
                                                    : "one RUN_DIR expected (use --log for more logs)");
  WatchOptions o;
  o.run_dir = flags.positional[0];
  if (auto st = read_session_flags(flags, &o); !st.ok()) return st;
  o.on_alert = OnAlert::kContinue;  // nothing to stop: alerts are reported, not asked
  o.once = flags.has("once");
  if (auto v = flags.get("command")) o.command = *v;
  auto out = output_flags(flags);
  if (!out) return out.status();
  TerminalReporter reporter(out->jsonl, false);
  SignalPipe signals;
  auto summary = watch_session(o, reporter, &signals);
  if (!summary) return summary.status();
  // Records the server (or another sink) rejected or dropped: an error (docs/cli.md).
  if (summary->sinks_lost_records()) return kExitError;
  return summary->max_severity && *summary->max_severity >= out->fail_on ? kExitFindings : kExitOk;
}

}  // namespace

Result<int> cmd_watch(Args args) { return run_command(kHelp, args, watch_main); }

}  // namespace sidecar::cli
