// The Prometheus exporter (prometheus.h): the exposition text, the address
// parser, and a real scrape of /metrics parsed by Debian's
// python3-prometheus-client and checked by promtool (package prometheus).
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "sidecar/detail/http_server.h"
#include "sidecar/prometheus.h"

namespace fs = std::filesystem;
using sidecar::test::TempDir;

namespace {

sidecar::ExporterState sample_state(double now) {
  sidecar::ExporterState s;
  s.run_id = "run-\"7\"";
  s.profile = "supervised";
  s.step = 1200;
  s.roles = {{"loss", "train/loss", 0.52}, {"val_accuracy", "eval/accuracy", 0.81}, {"grad_norm", "grad_norm", NAN}};
  s.open_incidents = {{"critical", "nan_loss", 1}, {"warning", "loss_spike", 2}};
  s.alerts_total = {{"critical", 1}, {"warning", 3}};
  s.rows_read = 1200;
  s.malformed_rows = 2;
  s.lines_read = 5400;
  s.sinks = {{"slack", 3, 1}, {"server", 0, 0}};
  s.last_row_at = now - 42.0;
  s.last_line_at = now - 1.0;
  s.started_at = now - 600.0;
  return s;
}

double wall_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

int run_shell(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("the exposition text has every family, escaped labels and computed ages", "[prometheus]") {
  std::string t = sidecar::render_prometheus_text(sample_state(1000.0), 1000.0);
  // The label run_id="run-\"7\"" is escaped on every family.
  for (const char* line : {
           "# TYPE sidecar_metric_value gauge\n",
           "sidecar_metric_value{run_id=\"run-\\\"7\\\"\",role=\"loss\",key=\"train/loss\"} 0.52\n",
           "role=\"grad_norm\",key=\"grad_norm\"} NaN\n",
           "sidecar_open_incidents{run_id=\"run-\\\"7\\\"\",severity=\"critical\",syndrome=\"nan_loss\"} 1\n",
           "sidecar_alerts_total{run_id=\"run-\\\"7\\\"\",severity=\"warning\"} 3\n",
           "sidecar_alerts_total{run_id=\"run-\\\"7\\\"\",severity=\"info\"} 0\n",
           "sidecar_sink_failures_total{run_id=\"run-\\\"7\\\"\",sink=\"slack\"} 3\n",
           "sidecar_last_row_age_seconds{run_id=\"run-\\\"7\\\"\"} 42\n",
           "sidecar_step{run_id=\"run-\\\"7\\\"\"} 1200\n",
       })
    CHECK_THAT(t, Catch::Contains(line));
  // A state with nothing yet still says the exporter is up and counts zero.
  std::string empty = sidecar::render_prometheus_text({}, 5.0);
  CHECK(empty.find("sidecar_info{") != std::string::npos);
  CHECK(empty.find("sidecar_metric_rows_read_total{run_id=\"\"} 0\n") != std::string::npos);
  CHECK(empty.find("sidecar_last_row_age_seconds") == std::string::npos);
}

TEST_CASE("listen addresses", "[prometheus]") {
  auto a = sidecar::parse_listen_address("127.0.0.1:9464");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9464);
  CHECK(sidecar::parse_listen_address(":0")->host == "127.0.0.1");
  CHECK(sidecar::parse_listen_address("9100")->port == 9100);
  CHECK(sidecar::parse_listen_address("[::1]:9100")->host == "::1");
  CHECK(sidecar::parse_listen_address("0.0.0.0:80")->host == "0.0.0.0");
  for (const char* bad : {"", "host:", "host:99999", "host:12x", "::1:9100", "[::1]9100", "a:-1"})
    CHECK(sidecar::parse_listen_address(bad).status().code() == sidecar::StatusCode::kInvalidArgument);
}

TEST_CASE("the exporter serves /metrics on an ephemeral loopback port and ages at scrape time", "[prometheus]") {
  auto exp = sidecar::PrometheusExporter::start({});
  REQUIRE(exp);
  int port = (*exp)->port();
  CHECK(port > 0);
  CHECK((*exp)->address() == "127.0.0.1");
  double now = wall_now();
  sidecar::ExporterState s = sample_state(now);
  s.last_row_at = now - 2.0;
  (*exp)->update(s);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  auto r = client.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
  CHECK(r->body.find("sidecar_metric_rows_read_total") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto r2 = client.Get("/metrics");
  REQUIRE(r2);
  auto age = [](const std::string& body) {
    std::size_t p = body.find("sidecar_last_row_age_seconds{");
    REQUIRE(p != std::string::npos);
    return std::stod(body.substr(body.find("} ", p) + 2));
  };
  CHECK(age(r2->body) >= age(r->body) + 1.0);  // no update() in between: the age still grows
  CHECK((*exp)->scrapes() == 2);
  CHECK(client.Get("/nope")->status == 404);

  // update() is cheap and never waits for scrapes.
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) {
    s.rows_read = static_cast<std::uint64_t>(i);
    (*exp)->update(s);
  }
  double per_call_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / 10000.0;
  INFO("update() " << per_call_us << " us");
  CHECK(per_call_us < 200.0);

  // The port is taken: a clear error.
  auto taken = sidecar::PrometheusExporter::start({.address = "127.0.0.1", .port = port});
  CHECK(taken.status().code() == sidecar::StatusCode::kUnavailable);
  (*exp)->stop();
  (*exp)->stop();  // idempotent
  CHECK_FALSE(client.Get("/metrics"));
}

TEST_CASE("a scrape parses with prometheus_client and passes promtool", "[prometheus][interop]") {
  if (run_shell("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0) {
    WARN("python3-prometheus-client is not installed: the parser check is skipped");
    return;
  }
  auto exp = sidecar::PrometheusExporter::start({.address = "127.0.0.1", .port = 0});
  REQUIRE(exp);
  (*exp)->update(sample_state(wall_now()));
  TempDir t;
  std::string script = t.file("parse.py");
  std::ofstream(script) << R"(import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
open(sys.argv[2], "w").write(text)
fams = {f.name: f for f in text_string_to_metric_families(text)}
def val(name, **labels):
    for f in fams.values():
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise SystemExit("missing %s %s" % (name, labels))
assert fams["sidecar_metric_value"].type == "gauge"
assert val("sidecar_metric_value", role="loss", key="train/loss") == 0.52
assert val("sidecar_metric_value", role="grad_norm") != val("sidecar_metric_value", role="grad_norm")  # NaN
assert val("sidecar_open_incidents", severity="warning", syndrome="loss_spike") == 2
assert val("sidecar_alerts_total", severity="critical") == 1
assert val("sidecar_metric_rows_read_total", run_id='run-"7"') == 1200
assert val("sidecar_log_lines_read_total") == 5400
assert val("sidecar_sink_failures_total", sink="slack") == 3
assert 41 <= val("sidecar_last_row_age_seconds") < 120
print("ok", len(fams))
)";
  std::string url = "http://127.0.0.1:" + std::to_string((*exp)->port()) + "/metrics";
  std::string scraped = t.file("metrics.txt");
  CHECK(run_shell("/usr/bin/python3 " + script + " " + url + " " + scraped + " > " + t.file("out.txt") + " 2>&1") == 0);
  std::ifstream out(t.file("out.txt"));
  std::string line;
  std::getline(out, line);
  INFO(line);
  CHECK(line.rfind("ok ", 0) == 0);
  if (run_shell("command -v promtool > /dev/null 2>&1") == 0) {
    int rc = run_shell("promtool check metrics < " + scraped + " > " + t.file("promtool.txt") + " 2>&1");
    std::ifstream p(t.file("promtool.txt"));
    std::string text((std::istreambuf_iterator<char>(p)), std::istreambuf_iterator<char>());
    INFO("promtool: " << text);
    CHECK(rc == 0);
  } else {
    WARN("promtool (package prometheus) is not installed: the promtool check is skipped");
  }
}

TEST_CASE("the HTTP module is found in the build tree, or where SIDECAR_HTTP_MODULE says") {
  ::unsetenv("SIDECAR_HTTP_MODULE");
  auto found = sidecar::detail::http_module_candidates();
  REQUIRE(!found.empty());
  bool exists = false;
  for (const std::string& path : found) {
    CHECK(fs::path(path).filename() == sidecar::detail::kHttpModuleFile);
    exists = exists || fs::exists(path);
  }
  CHECK(exists);  // this build's module, at the path the build recorded
  ::setenv("SIDECAR_HTTP_MODULE", "/opt/elsewhere/libsidecar-http.so", 1);
  CHECK(sidecar::detail::http_module_candidates() == std::vector<std::string>{"/opt/elsewhere/libsidecar-http.so"});
  ::unsetenv("SIDECAR_HTTP_MODULE");
}
