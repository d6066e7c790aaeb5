// What run and watch share: the pipeline and the inputs built from
// SessionOptions (playbook, sinks, judge), and the summary they fill.
#pragma once

#include <memory>
#include <string>

#include "inputs.h"
#include "sidecar/pipeline.h"
#include "sidecar/session.h"

namespace sidecar::detail {

class PrometheusWiring;  // session_wiring.h

struct SessionCore {
  std::string run_id;
  std::string nonce;  // detail::run_nonce(): in this session's alert ids
  GpuOptions gpu;     // the playbook's gpu: section
  bool history_off = false;
  std::string history_path;
  HistoryOptions history_options;  // the playbook's history: section
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<InputSet> inputs;
  std::shared_ptr<PrometheusWiring> prometheus;  // --prometheus (null = off)
};

// Loads the playbook, reads its operator:/sinks:/judge: sections, opens the
// sinks and builds the pipeline. `log_patterns`: the logs to follow.
// `file_records`: write alerts.jsonl / status.json in the run directory.
// `supervisor_json`: this process as status.json names the run's supervisor
// (run only: a SIGKILLed run can then be told lost; lost_runs.h).
// `write_status` false: status.json is left as it is (a watched run that has ended).
// Errors: kInvalidArgument (no run directory, invalid playbook), token errors.
Result<SessionCore> open_session(const SessionOptions& o, SessionReporter& rep, std::vector<std::string> log_patterns,
                                 bool file_records = true, std::string supervisor_json = {}, bool write_status = true);

// Whether <run_dir>/sidecar/status.json says the run has ended (finished,
// failed, stopped, killed, lost).
bool run_has_ended(const std::string& run_dir);

// The counters, baseline and note of a session, into its summary.
void fill_summary(const SessionCore& core, const SessionOptions& o, double wall, SessionSummary* s);

// The sinks' failure notices since the last call, to the reporter (each tick).
void report_sink_notices(SessionCore& core, SessionReporter& rep);

// "server sink: 3 failed, 0 rejected, 1 dropped (last error: ...)" for the
// network sinks that failed ("" = none did): the final status carries it.
std::string sink_failure_text(const SessionCore& core);

// poll() timeout in ms for a wait of `seconds` (at most a minute).
int poll_timeout_ms(double seconds);

}  // namespace sidecar::detail
