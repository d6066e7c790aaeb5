// Sinks: where alerts, resolutions, snapshots, metric rows and the run's end
// go — files in the run directory, the research-agent server, a Prometheus
// Alertmanager.
//
// Every sink is called from the monitor loop and only enqueues: each on_*
// method returns in microseconds and never does I/O on the caller's thread.
// Network sinks own one bounded queue and one sender thread; failed requests
// are retried with exponential backoff; records keep their order; when the
// queue is full, metric batches, then status updates are dropped first
// (alerts only when nothing else is left to drop; the final status is always
// accepted) and every drop is counted in stats(). close() waits a bounded
// time for what is queued, the final status included.
//
//   auto token = sidecar::read_auth_token(flags.auth_token_file);   // env or file
//   sidecar::SinkSet sinks;
//   sinks.add(sidecar::make_file_sink(run_dir));
//   sidecar::ServerSinkOptions server;
//   server.url = url;
//   server.run_id = id;
//   server.auth_token = *token;
//   sinks.add(sidecar::make_server_sink(std::move(server)));
//   if (auto st = sinks.check(5.0); !st.ok()) fail(st);   // 401 before launching
//   sinks.on_status("running");
//   ... sinks.on_row(row); sinks.on_alert(alert); sinks.on_snapshot(snap); ...
//   for (auto& a : sinks.take_answers()) desk.answer(a.local_alert_id, a.choice, "server");
//   for (auto& n : sinks.take_notices()) print(n);
//   sinks.on_finish({.status = "finished", .exit_code = 0});
//   sinks.close(5.0);
//
// Thread-safety: every method of every sink may be called from any thread
// (calls are serialised internally); the monitor loop is the usual caller.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/records.h"
#include "sidecar/status.h"

namespace sidecar {

// How a run ended (the final status posted to orchestrators).
struct RunEnd {
  std::string status;            // "finished" | "failed" | "stopped" | "killed"
  std::optional<int> exit_code;  // the child's exit status, when it exited (not for signal deaths)
  std::string error;             // a short text for failures ("" = none)
  int signal = 0;                // the signal that ended the child (0 = none or unknown)
};

// An operator's answer given on a server (research-agent: `GET /alerts`
// shows the alert `resolved` with its `response`).
struct ServerAnswer {
  std::string local_alert_id;   // Alert::id as the sink received it
  std::string server_alert_id;  // the id the server gave it (sanitised)
  std::string choice;           // the response text, as the server stored it
};

// Counters a sink reports (surfaced in the snapshot and at the end).
struct SinkStats {
  std::uint64_t sent = 0;           // requests (or records) delivered
  std::uint64_t failed = 0;         // attempts that failed (each retry counts)
  std::uint64_t retried = 0;        // attempts that were retries
  std::uint64_t dropped = 0;        // records dropped: queue full, or given up at close
  std::uint64_t coalesced = 0;      // status updates replaced by a newer one before sending
  std::uint64_t rejected = 0;       // records the peer refused (4xx other than 404/408/429): not retried, lost
  std::uint64_t auth_failures = 0;  // 401/403 answers (a wrong or missing token)
  std::size_t queue_depth = 0;      // records waiting now
  std::string last_error;           // the most recent failure ("" = none); never contains the token
};

// Calls fn(name, member pointer) for each counter of SinkStats (all but
// last_error), in declaration order: what sums and what prints them use it.
template <typename Fn>
constexpr void for_each_sink_counter(Fn&& fn) {
  fn("sent", &SinkStats::sent);
  fn("failed", &SinkStats::failed);
  fn("retried", &SinkStats::retried);
  fn("dropped", &SinkStats::dropped);
  fn("coalesced", &SinkStats::coalesced);
  fn("rejected", &SinkStats::rejected);
  fn("auth_failures", &SinkStats::auth_failures);
  fn("queue_depth", &SinkStats::queue_depth);
}

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void on_alert(const Alert& alert) = 0;
  virtual void on_resolved(const Resolved& resolved) = 0;
  virtual void on_snapshot(const Snapshot& snapshot) = 0;
  // The run's status while it is alive ("running" at start).
  virtual void on_status(std::string_view status) { (void)status; }
  virtual void on_finish(const RunEnd& end) = 0;
  // One metric row, as observed (every row; the sink samples and batches).
  virtual void on_row(const MetricRow& row) { (void)row; }
  // The id a server gave an alert (research-agent's {"alert_id":…}), once its
  // POST returned, already passed through sanitize_alert_id (safe as a file
  // name); nullopt until then, or when the server gave no usable id.
  virtual std::optional<std::string> server_alert_id(const std::string& local_alert_id) {
    (void)local_alert_id;
    return std::nullopt;
  }
  // Operator answers the sink learned since the last call (each once).
  virtual std::vector<ServerAnswer> take_answers() { return {}; }
  // Failure (and recovery) notices for the operator since the last call,
  // already rate-limited ("server: POST /runs/r1/alerts: HTTP 401 ...").
  virtual std::vector<std::string> take_notices() { return {}; }
  // A synchronous probe of the peer, for before launching (blocks up to
  // timeout_s; never call it on a monitoring loop that is already running).
  // Errors: kPermissionDenied (401/403: the token), kUnavailable (no answer,
  // 5xx), kInvalidArgument (bad URL). Sinks without a peer return Ok.
  virtual Status check(double timeout_s) {
    (void)timeout_s;
    return Status::Ok();
  }
  virtual SinkStats stats() const = 0;
  // A short name for reports: "file", "server", "alertmanager", "set".
  virtual std::string_view name() const = 0;
  // Flushes what is queued (the final status first), waiting at most
  // timeout_s, then stops the sender thread. Idempotent; the destructor
  // calls close(0) if it was never called.
  virtual void close(double timeout_s) = 0;
};

// Files in the run directory: <run_dir>/sidecar/alerts.jsonl (every alert and
// resolution appended as one line of records.h JSON) and
// <run_dir>/sidecar/status.json (run status + the latest snapshot, replaced
// atomically: write a temporary file, then rename). Written by one writer
// thread (a rename can take milliseconds); status updates coalesce; alert
// lines keep their order (at most 4096 waiting; more are dropped and
// counted). Failures (disk full, permissions) are counted, never thrown;
// close() flushes (waiting up to max(2 s, timeout_s), even for close(0)).
// `supervisor_json`: the process that launched the run, as
// supervisor_json() spells it (lost_runs.h): written as status.json's
// "supervisor", so a run whose supervisor vanished can be told lost.
// `write_status` false: alerts.jsonl only, status.json is never written (a
// `watch` of a run that has ended leaves its final status as it is).
std::unique_ptr<Sink> make_file_sink(std::string run_dir, std::string supervisor_json = {}, bool write_status = true);

// The queue and retries of a sink that posts over HTTP: the server,
// Alertmanager, Slack and webhook sinks' options derive from it, and their
// tables take its rows from delivery_rows(). (max_attempts is each sink's
// own: the server's default keeps trying, alerts keep their order; the
// Alertmanager sink re-sends instead.)
struct DeliveryOptions {
  std::size_t queue_capacity = 256;  // items waiting at most (records, messages, posts, alert batches)
  double timeout_s = 5.0;            // per request (connect + transfer)
  double initial_backoff_s = 0.5;    // first retry delay; doubles per failure
  double max_backoff_s = 30.0;       // backoff cap
};

// The DeliveryOptions rows of a sink's table; `waiting` says what its queue holds.
template <typename O>
constexpr std::array<OptionField<O>, 4> delivery_rows(std::string_view waiting) {
  return {{{"queue_capacity", &O::queue_capacity, {1, 1 << 20}, waiting},
           {"timeout_s", &O::timeout_s, {0.001, 3600}, "per request (connect + transfer)"},
           {"initial_backoff_s", &O::initial_backoff_s, {0, 3600}, "first retry delay; doubles per failure"},
           {"max_backoff_s", &O::max_backoff_s, {0, 86400}, "backoff cap"}}};
}

struct ServerSinkOptions : DeliveryOptions {
  std::string url;                      // base URL, e.g. http://127.0.0.1:8000 (a trailing '/' is fine)
  std::string run_id;                   // the research-agent run id (URL-escaped in paths)
  std::string auth_token;               // sent as X-Auth-Token when non-empty; never logged
  int max_attempts = 0;                 // per record; 0 = until close() (alerts keep their order)
  double heartbeat_s = 300.0;           // unchanged status re-posted this often (each post is a journey event)
  double metrics_interval_s = 5.0;      // rows waiting are posted this often (or once a batch is full)
  std::size_t metrics_batch_max = 500;  // rows per POST
  // The first metrics_max_rows rows are posted, then every 2nd for half as many, every 4th, …:
  // the server's file grows with the logarithm of the run's length.
  std::size_t metrics_max_rows = 10000;
  double answer_poll_s = 1.0;  // GET /alerts this often while a posted alert is unanswered
  std::string run_dir;         // sent with status posts when known (servers that keep it)
  std::string wandb_dir;       // sent with status posts when known (the shipped server keeps it)
};

// Playbook `sinks.server` (the URL, run id, token and the metrics/heartbeat
// cadence are no playbook options: the command line and the session set them).
template <>
struct OptionTable<ServerSinkOptions> {
  using O = ServerSinkOptions;
  static constexpr auto fields = join_rows(
      delivery_rows<O>("records waiting at most (status updates coalesce)"),
      std::to_array<OptionField<O>>(
          {{"max_attempts", &O::max_attempts, {0, 1000000}, "per record; 0 = keep trying until the run ends"}}));
};

// The research-agent server (the contract is the server as shipped,
// ../shared/research-agent/server/runs/routes.py):
//   POST {url}/runs/{id}/status   {status, exit_code?, error?, wandb_dir?, run_dir?, monitor_note?, ...}
//   POST {url}/runs/{id}/alerts   {message, choices, severity, source, syndrome, step?, evidence, ...}
//                                 -> {"alert_id": …}
//   POST {url}/runs/{id}/metrics  {"rows": [{"step": …, "_timestamp": …, key: value, …}, …]}
//   GET  {url}/alerts             -> [{id, status: "pending"|"resolved", response, …}, …]
// Statuses are mapped to the server's set (launching, running, finished,
// failed, stopped): "killed" is posted as failed, with the signal in `error`
// and no exit_code. A status is posted when it changes and re-posted every
// heartbeat_s (snapshots only refresh what the next post carries). The
// message of an alert carries what the shipped model drops (syndrome, step,
// key evidence). Connection errors, 5xx, 408, 429 and 404 are retried with
// backoff; after a 404 (a restarted server forgot the run) the run's status
// is posted first, then the record again. Other 4xx are not retried (counted
// in `rejected`; 401/403 also in `auth_failures`). While alerts it posted are
// unanswered, a poller thread reads GET /alerts (backing off on failure);
// answered ones come out of take_answers() once.
std::unique_ptr<Sink> make_server_sink(ServerSinkOptions options);

struct AlertmanagerSinkOptions : DeliveryOptions {
  std::string url;                // Alertmanager base URL, e.g. http://127.0.0.1:9093
  std::string run_id;             // label run_id
  std::string host;               // label host ("" = this machine's host name)
  std::string generator_url;      // optional backlink (generatorURL)
  double resend_s = 60.0;         // re-send active alerts this often (Alertmanager wants 30 s - 3 min)
  bool resolve_on_finish = true;  // when the run ends, resolve (endsAt) what is still active
};

// Playbook `sinks.alertmanager` (URL and labels come from the command line).
template <>
struct OptionTable<AlertmanagerSinkOptions> {
  using O = AlertmanagerSinkOptions;
  static constexpr auto fields = join_rows(
      std::to_array<OptionField<O>>({
          {"resend_s", &O::resend_s, {1, 86400}, "re-send active alerts this often (Alertmanager wants 30 s - 3 min)"},
          {"resolve_on_finish", &O::resolve_on_finish, {}, "resolve what is still active when the run ends"},
      }),
      delivery_rows<O>("alert batches waiting at most"));
};

// Prometheus Alertmanager: POST {url}/api/v2/alerts with a JSON array.
// Labels: alertname (= syndrome), severity, run_id, source, host, signature,
// rank (when the evidence has one). Annotations: summary/message (the
// message), evidence (a "k=v, …" summary). Active alerts are re-sent every
// resend_s; a resolution posts the same labels with endsAt set.
std::unique_ptr<Sink> make_alertmanager_sink(AlertmanagerSinkOptions options);

// Fans every call out to several sinks. stats() sums them; server_alert_id
// returns the first sink's answer; take_answers/take_notices concatenate;
// check() returns the first failure, prefixed with the sink's name.
class SinkSet : public Sink {
 public:
  SinkSet() = default;
  ~SinkSet() override;
  void add(std::unique_ptr<Sink> sink);
  bool empty() const { return sinks_.empty(); }
  std::size_t size() const { return sinks_.size(); }
  // Each sink's own counters, by name (for reports).
  std::vector<std::pair<std::string, SinkStats>> each_stats() const;

  void on_alert(const Alert& alert) override;
  void on_resolved(const Resolved& resolved) override;
  void on_snapshot(const Snapshot& snapshot) override;
  void on_status(std::string_view status) override;
  void on_finish(const RunEnd& end) override;
  void on_row(const MetricRow& row) override;
  std::optional<std::string> server_alert_id(const std::string& local_alert_id) override;
  std::vector<ServerAnswer> take_answers() override;
  std::vector<std::string> take_notices() override;
  Status check(double timeout_s) override;
  SinkStats stats() const override;
  std::string_view name() const override { return "set"; }
  // Closes every sink; the whole call takes at most timeout_s (sinks flush in parallel).
  void close(double timeout_s) override;

 private:
  std::vector<std::unique_ptr<Sink>> sinks_;
};

// The research-agent token. An explicit token file (from --auth-token-file or
// the Python argument) wins over the SIDECAR_AUTH_TOKEN environment variable:
// the flag is the more specific instruction. Surrounding whitespace is
// trimmed. No file and no variable: "" (requests go without a token).
// Errors: kNotFound / kPermissionDenied / kIoError (file unreadable),
// kInvalidArgument (the file is empty, or the token holds a control
// character or newline, which would break the header).
Result<std::string> read_auth_token(const std::string& token_file);

struct Value;  // sidecar/config.h

// Reads the playbook's `sinks:` section (server:, alertmanager:) into the
// option structs (errors appended, never thrown; absent keys keep the C++
// defaults). URLs, run id and token are not playbook settings.
void read_sink_options(const Value& playbook, ServerSinkOptions* server, AlertmanagerSinkOptions* alertmanager,
                       std::vector<Status>* errors);

}  // namespace sidecar
