// Experiment context: the text block an orchestrator (research-agent's "Wild
// Loop") puts in front of its planner, rendered from run records. Pure and
// tolerant: a record missing any field renders with a placeholder, never a
// crash.
//
//   auto runs = sidecar::parse_run_records(json_text);   // [..] or {"runs": [..]}
//   if (runs) std::cout << sidecar::render_experiment_context(*runs);
//
// Output shape (lines end with '\n'):
//   Active runs: 2
//     - r7: sweep-lr3e-4 [running] cmd=python train.py --lr 3e-4 monitor=profile=supervised | loss=0.51
//   Finished runs: 4 | Failed runs: 1
//   Failed runs:
//     - FAILED r3: baseline error=CUDA out of memory monitor=profile=supervised | loss=nan
//   Pending alerts: 1
//     - r7/a-0003: [warning] rulebased/loss_plateau: loss flat for 400 steps
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/status.h"

namespace sidecar {

// An alert awaiting the operator's answer.
struct PendingAlert {
  std::string id;
  std::string run_id;  // the run it belongs to ("" = the enclosing record's)
  std::string message;
  std::string severity;  // as given ("warning", …); "" when absent
  std::string source;
  std::string syndrome;
};

// One research-agent run record (the fields the context uses).
struct RunRecord {
  std::string id;
  std::string name;
  std::string status;  // running | queued | launching | finished | failed | stopped | …
  std::string command;
  std::string error;  // "" when absent or null
  std::string monitor_note;
  std::vector<std::string> monitor_tags;
  std::vector<PendingAlert> pending_alerts;
};

#define SIDECAR_CONTEXT_OPTIONS(X)                                                                    \
  X(std::size_t, max_active, 5, (0, 1000), "active runs listed")                                      \
  X(std::size_t, max_failed, 3, (0, 1000), "failed runs listed, most recent first")                   \
  X(std::size_t, max_alerts, 5, (0, 1000), "pending alerts listed")                                   \
  X(std::size_t, command_chars, 80, (0, 1e5), "a run's command is cut after this many characters")    \
  X(std::size_t, note_chars, 120, (0, 1e5), "a run's monitor note is cut after this many characters") \
  X(std::size_t, error_chars, 100, (0, 1e5), "a run's error is cut after this many characters")       \
  X(std::size_t, message_chars, 120, (0, 1e5), "an alert's message is cut after this many characters")
SIDECAR_OPTIONS(ContextOptions, SIDECAR_CONTEXT_OPTIONS);

// Statuses counted as active: running, queued, launching (any case).
bool is_active_status(std::string_view status);

// Renders the context block (see the banner). Truncation is by UTF-8 code
// point (never splits a character); newlines inside fields become spaces.
std::string render_experiment_context(const std::vector<RunRecord>& runs, const ContextOptions& options = {});

// Parses run records from JSON: an array of runs, or an object with "runs"
// (and optionally a top-level "alerts" array whose items carry "run_id").
// A run's pending alerts come from "alerts" / "pending_alerts" (items whose
// "status" is absent or "pending", and which have no "response"). Unknown
// fields are ignored; missing or null fields are empty; numbers in id fields
// are rendered as text. Errors: kParseError "name:line:col: what" for bad
// JSON, kInvalidArgument when the document is neither shape.
Result<std::vector<RunRecord>> parse_run_records(std::string_view json, std::string_view name = "<runs>");

}  // namespace sidecar
