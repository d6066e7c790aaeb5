// PrometheusExporter (prometheus.h): the text exposition and the exporter,
// served by the HTTP module (detail/http_server.h).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/http_server.h"
#include "sidecar/prometheus.h"
#include "sidecar/version.h"

namespace sidecar {
namespace {

double wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A label value: backslash, double quote and newline escaped; invalid bytes kept (UTF-8 is the rule, not checked).
std::string label_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    static constexpr detail::CharEscape kLabel[] = {{'\\', "\\\\"}, {'"', "\\\""}, {'\n', "\\n"}};
    if (std::string_view e = detail::escape_of(c, kLabel); !e.empty())
      out += e;
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t')
      out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return detail::round_trip_text(v);
}

class Text {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, const std::vector<std::pair<std::string_view, std::string>>& labels, double v) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, val] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += label_value(val);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(v);
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string render_prometheus_text(const ExporterState& s, double now) {
  Text t;
  using L = std::vector<std::pair<std::string_view, std::string>>;
  t.family("sidecar_info", "gauge", "Run being monitored (always 1).");
  t.sample("sidecar_info", L{{"run_id", s.run_id}, {"profile", s.profile}, {"version", kVersion}}, 1);
  if (s.step) {
    t.family("sidecar_step", "gauge", "Latest training step seen.");
    t.sample("sidecar_step", L{{"run_id", s.run_id}}, static_cast<double>(*s.step));
  }
  if (!s.roles.empty()) {
    t.family("sidecar_metric_value", "gauge", "Last value of each bound metric role.");
    for (const auto& r : s.roles)
      t.sample("sidecar_metric_value", L{{"run_id", s.run_id}, {"role", r.role}, {"key", r.key}}, r.value);
  }
  t.family("sidecar_open_incidents", "gauge", "Incidents open now, by severity and syndrome.");
  std::map<std::pair<std::string, std::string>, std::uint64_t> open;  // merged: labels must be unique
  for (const auto& o : s.open_incidents) open[{o.severity, o.syndrome}] += o.count;
  for (const auto& [k, n] : open)
    t.sample("sidecar_open_incidents", L{{"run_id", s.run_id}, {"severity", k.first}, {"syndrome", k.second}},
             static_cast<double>(n));
  t.family("sidecar_alerts_total", "counter", "Alerts raised so far, by severity.");
  std::map<std::string, std::uint64_t> alerts = {{"info", 0}, {"warning", 0}, {"critical", 0}};
  for (const auto& a : s.alerts_total) alerts[a.severity] += a.count;
  for (const auto& [sev, n] : alerts)
    t.sample("sidecar_alerts_total", L{{"run_id", s.run_id}, {"severity", sev}}, static_cast<double>(n));
  t.family("sidecar_metric_rows_read_total", "counter", "Metric rows read.");
  t.sample("sidecar_metric_rows_read_total", L{{"run_id", s.run_id}}, static_cast<double>(s.rows_read));
  t.family("sidecar_metric_rows_malformed_total", "counter", "Metric lines skipped as malformed.");
  t.sample("sidecar_metric_rows_malformed_total", L{{"run_id", s.run_id}}, static_cast<double>(s.malformed_rows));
  t.family("sidecar_log_lines_read_total", "counter", "Log lines read.");
  t.sample("sidecar_log_lines_read_total", L{{"run_id", s.run_id}}, static_cast<double>(s.lines_read));
  if (!s.sinks.empty()) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> sinks;
    for (const auto& k : s.sinks) {
      sinks[k.sink].first += k.failed;
      sinks[k.sink].second += k.dropped;
    }
    t.family("sidecar_sink_failures_total", "counter", "Failed delivery attempts per sink (each retry counts).");
    for (const auto& [name, c] : sinks)
      t.sample("sidecar_sink_failures_total", L{{"run_id", s.run_id}, {"sink", name}}, static_cast<double>(c.first));
    t.family("sidecar_sink_dropped_total", "counter", "Records a sink dropped (queue full or given up).");
    for (const auto& [name, c] : sinks)
      t.sample("sidecar_sink_dropped_total", L{{"run_id", s.run_id}, {"sink", name}}, static_cast<double>(c.second));
  }
  // Ages for stall panels: measured now, from stored timestamps.
  std::optional<double> row_ref = s.last_row_at ? s.last_row_at : s.started_at;
  if (row_ref) {
    t.family("sidecar_last_row_age_seconds", "gauge",
             "Seconds since the last metric row arrived (since monitoring started when none has).");
    t.sample("sidecar_last_row_age_seconds", L{{"run_id", s.run_id}}, std::max(0.0, now - *row_ref));
  }
  if (s.last_row_at) {
    t.family("sidecar_last_row_timestamp_seconds", "gauge", "When the last metric row arrived (Unix time).");
    t.sample("sidecar_last_row_timestamp_seconds", L{{"run_id", s.run_id}}, *s.last_row_at);
  }
  std::optional<double> line_ref = s.last_line_at ? s.last_line_at : s.started_at;
  if (line_ref) {
    t.family("sidecar_last_log_line_age_seconds", "gauge", "Seconds since the last log line arrived.");
    t.sample("sidecar_last_log_line_age_seconds", L{{"run_id", s.run_id}}, std::max(0.0, now - *line_ref));
  }
  return t.take();
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress a;
  std::string_view port_text = text;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return Status(StatusCode::kInvalidArgument, "'" + std::string(text) + "': expected [ADDR]:PORT");
    a.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon)
      return Status(StatusCode::kInvalidArgument, "'" + std::string(text) + "': write IPv6 addresses as [ADDR]:PORT");
    if (colon > 0) a.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  int port = -1;
  auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port < 0 ||
      port > 65535)
    return Status(StatusCode::kInvalidArgument, "'" + std::string(text) + "': expected ADDR:PORT with a port 0-65535");
  if (a.host.empty()) return Status(StatusCode::kInvalidArgument, "'" + std::string(text) + "': empty address");
  a.port = port;
  return a;
}

struct PrometheusExporter::Impl {
  std::unique_ptr<detail::HttpServer> server;
  std::string address;
  int port = 0;
  std::mutex mu;
  std::shared_ptr<const ExporterState> state = std::make_shared<const ExporterState>();
  std::atomic<std::uint64_t> scrapes{0};
  std::atomic<bool> stopped{false};
};

PrometheusExporter::PrometheusExporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<PrometheusExporter>> PrometheusExporter::start(const PrometheusOptions& options) {
  if (options.address.empty()) return Status(StatusCode::kInvalidArgument, "empty listen address");
  if (options.port < 0 || options.port > 65535)
    return Status(StatusCode::kInvalidArgument, "port " + std::to_string(options.port) + " is out of range");
  auto impl = std::make_unique<Impl>();
  Impl* m = impl.get();
  detail::HttpServerConfig config;
  config.address = options.address;
  config.port = options.port;
  config.threads = options.threads;
  config.routes.push_back({"/metrics", "text/plain; version=0.0.4; charset=utf-8", [m] {
                             std::shared_ptr<const ExporterState> s;
                             {
                               std::lock_guard<std::mutex> lock(m->mu);
                               s = m->state;
                             }
                             ++m->scrapes;
                             return render_prometheus_text(*s, wall_now());
                           }});
  config.routes.push_back(
      {"/", "text/plain; charset=utf-8", [] { return std::string("sidecar: metrics at /metrics\n"); }});
  auto server = detail::start_http_server(config);
  if (!server) return server.status();
  m->server = std::move(*server);
  m->address = options.address;
  m->port = m->server->port();
  return std::unique_ptr<PrometheusExporter>(new PrometheusExporter(std::move(impl)));
}

PrometheusExporter::~PrometheusExporter() { stop(); }

int PrometheusExporter::port() const { return impl_->port; }
const std::string& PrometheusExporter::address() const { return impl_->address; }
std::uint64_t PrometheusExporter::scrapes() const { return impl_->scrapes.load(); }

void PrometheusExporter::update(const ExporterState& state) {
  auto next = std::make_shared<const ExporterState>(state);  // the copy happens outside the lock
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->state.swap(next);
  // `next` (the old state) is released after the lock, or by a scrape still holding it.
}

void PrometheusExporter::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->server->stop();
}

}  // namespace sidecar
