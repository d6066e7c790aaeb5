// Internal to libsidecar (not installed): the JSON bodies the network sinks
// send and their one HTTP transport, declared here for the sinks, the judge,
// the CLI and the tests.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/detail/json_check.h"  // json_syntax_error, valid_json_object_or_empty
#include "sidecar/sinks.h"

namespace sidecar {

// The JSON bodies the network sinks send (pure).
namespace detail {
// {"status":…,"exit_code"?:…,"error"?:…,"monitor_note"?:…,"monitor_tags"?:[…],"monitoring"?:{…}}
std::string server_status_body(std::string_view status, const std::optional<int>& exit_code, std::string_view error,
                               const Snapshot* snapshot);
// {"message":…,"choices":[…],"severity":…,"source":…,"syndrome":…,"step"?:…,"evidence":{…},
//  "signature":…,"sidecar_alert_id":…} — message = server_alert_message(alert)
std::string server_alert_body(const Alert& alert);
// The alert's message with what the shipped server model drops, readable:
// "<message> [nan_loss, step 120; loss=nan, rank=0]" (evidence values capped).
std::string server_alert_message(const Alert& alert);
// The status the shipped server knows for a sidecar status: running,
// launching, finished, failed, stopped pass; "killed" -> "failed"; anything
// else -> "failed" when terminal, else "running".
std::string_view server_status_name(std::string_view status, bool terminal);
// The body of a final status post (server_status_name applied; no exit_code
// for signal deaths; the signal named in `error`).
std::string server_final_body(const RunEnd& end, const Snapshot* snapshot, std::string_view run_dir,
                              std::string_view wandb_dir);
// One metric row as the server stores it: {"step"?:…,"_timestamp"?:…,key:value,…}
// (non-finite values become null).
std::string server_metric_row(const MetricRow& row);

// RFC 3339 UTC with milliseconds: "2026-11-29T01:02:03.456Z".
std::string rfc3339(double epoch_s);

// One blocking HTTP request (libcurl; the sinks' sender threads and the judge
// use it; never call it on the monitor loop). `headers` are "Name: value"
// lines. Aborts early when *abort becomes true. Errors: kInvalidArgument (bad
// URL), kUnavailable (connect/transfer failure, message says why),
// kDeadlineExceeded (timeout). Any HTTP status is a successful transfer.
struct HttpReply {
  long code = 0;
  std::string body;  // capped at max_body bytes
};
Result<HttpReply> http_request(std::string_view method, const std::string& url, std::string_view body,
                               const std::vector<std::string>& headers, double timeout_s,
                               const std::atomic<bool>* abort = nullptr, std::size_t max_body = 1 << 20);
}  // namespace detail

}  // namespace sidecar
