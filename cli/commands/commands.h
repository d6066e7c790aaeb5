// The subcommands of sidecar-cli. Each takes its arguments (after the
// subcommand name) and returns the process exit status; only main() prints a
// fatal error, from the Status a command returns through Result<int>.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sidecar/status.h"

namespace sidecar {
struct Playbook;  // sidecar/playbook.h
}  // namespace sidecar

namespace sidecar::cli {

using Args = std::span<const std::string>;

Result<int> cmd_run(Args args);        // launch + monitor a command
Result<int> cmd_watch(Args args);      // follow a run directory
Result<int> cmd_scan(Args args);       // post-mortem log scan
Result<int> cmd_replay(Args args);     // feed a metrics file through the engine
Result<int> cmd_preflight(Args args);  // GPU availability check
Result<int> cmd_playbook(Args args);   // show | check FILE
Result<int> cmd_history(Args args);    // show | baseline
Result<int> cmd_context(Args args);    // orchestrator context text
Result<int> cmd_report(Args args);     // the HTML report of a run directory

// One line each on stderr ("sidecar-cli: note: ..."): the deprecated playbook
// keys a command's playbook was read with (playbook, replay, history).
void print_playbook_notices(const Playbook& pb);

struct CommandInfo {
  std::string_view name;
  std::string_view summary;
  Result<int> (*fn)(Args);
};

inline constexpr CommandInfo kCommands[] = {
    {"run", "launch a training command and monitor it end to end", cmd_run},
    {"watch", "monitor a run directory written by a job started elsewhere", cmd_watch},
    {"scan", "scan log files for failure syndromes", cmd_scan},
    {"replay", "feed a metrics file through the monitoring engine", cmd_replay},
    {"preflight", "check that the requested GPUs are free", cmd_preflight},
    {"playbook", "show the effective playbook, or check a playbook file", cmd_playbook},
    {"history", "show the run history or the baseline for a command", cmd_history},
    {"context", "render the orchestrator's experiment context from run records", cmd_context},
    {"report", "write a run's HTML report: curves, incidents, log excerpts, baseline", cmd_report},
};

}  // namespace sidecar::cli
