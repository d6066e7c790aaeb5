// Prometheus exposition: an embedded HTTP server (cpp-httplib) serving GET
// /metrics in the text exposition format 0.0.4, on loopback by default, from
// its own threads. The server is a module of its own, libsidecar-http.so,
// loaded by the first start() (installed in <libdir>/sidecar/; found there,
// next to the executable or shared library, or where $SIDECAR_HTTP_MODULE
// says), so that processes that never serve do not load cpp-httplib and the
// OpenSSL it initialises.
//
// The run loop hands it the current state with update(): a copy and a
// pointer swap under a mutex held for nanoseconds — it never waits for a
// scrape and never does I/O. Ages ("seconds since the last row") are
// computed at scrape time from stored timestamps, so a stalled run shows a
// growing age even when nobody calls update().
//
//   auto exp = sidecar::PrometheusExporter::start({.address = "127.0.0.1", .port = 9464});
//   if (!exp) fail(exp.status());
//   std::printf("metrics on http://127.0.0.1:%d/metrics\n", (*exp)->port());
//   sidecar::ExporterState s;  s.run_id = "r1";  s.rows_read = 10;  s.last_row_at = now;
//   (*exp)->update(s);
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/status.h"

namespace sidecar {

// What /metrics shows. Plain values; the pipeline fills it.
struct ExporterState {
  std::string run_id;
  std::string profile;               // "supervised", ...
  std::optional<std::int64_t> step;  // the latest step seen
  struct RoleValue {
    std::string role;  // "loss", "val_accuracy", ...
    std::string key;   // the metric key bound to it ("train/loss")
    double value = 0;  // the last value (NaN/Inf are exported as such)
  };
  std::vector<RoleValue> roles;
  struct OpenIncidents {
    std::string severity;  // info | warning | critical
    std::string syndrome;
    std::uint64_t count = 0;
  };
  std::vector<OpenIncidents> open_incidents;
  struct SeverityCount {
    std::string severity;
    std::uint64_t count = 0;
  };
  std::vector<SeverityCount> alerts_total;  // alerts raised so far, by severity
  std::uint64_t rows_read = 0;              // metric rows
  std::uint64_t malformed_rows = 0;
  std::uint64_t lines_read = 0;  // log lines
  struct SinkCounts {
    std::string sink;  // "server", "slack", ...
    std::uint64_t failed = 0;
    std::uint64_t dropped = 0;
  };
  std::vector<SinkCounts> sinks;
  std::optional<double> last_row_at;   // wall-clock seconds since the epoch when the last row arrived
  std::optional<double> last_line_at;  // ... the last log line
  std::optional<double> started_at;    // when monitoring started
};

// The text exposition of a state at wall-clock time `now` (pure; exposed for tests).
std::string render_prometheus_text(const ExporterState& state, double now);

// Parses "ADDR:PORT", ":PORT" or "PORT" (loopback), "[::1]:PORT"; port 0 = any free port.
// Errors: kInvalidArgument.
struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

struct PrometheusOptions {
  std::string address = "127.0.0.1";  // loopback unless asked otherwise
  int port = 0;                       // 0: an ephemeral port (see port())
  int threads = 2;                    // server threads
};

class PrometheusExporter {
 public:
  // Binds and starts serving. Errors: kInvalidArgument (bad address),
  // kUnavailable (cannot bind: the port is taken or not allowed; or the HTTP
  // module cannot be found or loaded).
  static Result<std::unique_ptr<PrometheusExporter>> start(const PrometheusOptions& options);
  ~PrometheusExporter();  // stop()
  PrometheusExporter(const PrometheusExporter&) = delete;
  PrometheusExporter& operator=(const PrometheusExporter&) = delete;

  // The port it listens on (the ephemeral one when options.port was 0).
  int port() const;
  const std::string& address() const;
  // Replaces the exported state. Non-blocking: never waits for a scrape.
  void update(const ExporterState& state);
  // Scrapes served so far.
  std::uint64_t scrapes() const;
  // Stops the server and joins its thread. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit PrometheusExporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar
