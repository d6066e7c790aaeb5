// Issue 10 for the engine: extreme values, clock jumps and a history file on
// a full disk never crash the Monitor, never produce invalid JSON, and never
// lose the monitoring results.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "monitor_rows.h"
#include "sidecar/config.h"
#include "sidecar/monitor.h"

using namespace sidecar;

namespace {

MonitorOptions options(std::string history = "-") {
  MonitorOptions o;
  o.run_id = "rel";
  o.history_path = std::move(history);
  return o;
}

void observe(Monitor& m, std::int64_t step, std::vector<std::pair<std::string, double>> kv) {
  sidecar::test::observe_row(m, step, kv);
}

// Everything a tick emits must be valid JSON with finite or null numbers.
void check_json(const TickResult& t) {
  for (const auto& a : t.alerts) CHECK(parse_json(to_json(a)));
  for (const auto& r : t.resolved) {
    CHECK(parse_json(to_json(r)));
    CHECK(r.duration_s >= 0);
  }
  if (t.snapshot) CHECK(parse_json(to_json(*t.snapshot)));
}

}  // namespace

TEST_CASE("extreme values: 1e308, -1e308, subnormals, DBL_MAX, signed zeros", "[reliability]") {
  const double extremes[] = {1e308,     -1e308,  DBL_MAX, -DBL_MAX, 4.9e-324,
                             -4.9e-324, DBL_MIN, 0.0,     -0.0,     std::numeric_limits<double>::infinity()};
  for (const char* key : {"loss", "reward", "kl", "grad_norm", "val/accuracy", "samples_per_second", "entropy"}) {
    Monitor m(options());
    std::int64_t step = 0;
    for (int round = 0; round < 30; ++round)
      for (double v : extremes) observe(m, ++step, {{key, v}, {"success_rate", v}});
    for (int t = 0; t < 20; ++t) check_json(m.tick(1000.0 + t));
    CHECK(m.stats().rows == static_cast<std::uint64_t>(step));
    CHECK(parse_json(to_json(m.snapshot(2000.0))));
  }
}

TEST_CASE("clock jumps: backwards and far forwards", "[reliability]") {
  Monitor m(options());
  for (int s = 1; s <= 50; ++s) {
    observe(m, s, {{"loss", 2.0}});
    check_json(m.tick(1000.0 + s));
  }
  observe(m, 51, {{"loss", std::nan("")}});
  auto t = m.tick(1052.0);
  REQUIRE(!t.alerts.empty());
  CHECK(t.alerts.front().decision.syndrome == "nan_loss");
  // NTP steps the clock back an hour: no crash, no re-alert storm, no negative durations.
  for (int s = 52; s < 60; ++s) {
    observe(m, s, {{"loss", std::nan("")}});
    auto back = m.tick(1052.0 - 3600.0 + s);
    check_json(back);
    CHECK_FALSE((!back.alerts.empty() && back.alerts.front().decision.syndrome == "nan_loss"));
  }
  // Then the loss recovers and the clock leaps a day ahead: the NaN condition resolves cleanly.
  bool resolved = false;
  for (int s = 60; s < 70; ++s) {
    observe(m, s, {{"loss", 2.0}});
    auto fwd = m.tick(1052.0 + 86400.0 + s);
    check_json(fwd);
    for (const auto& r : fwd.resolved) resolved |= r.syndrome == "nan_loss";
  }
  CHECK(resolved);
}

TEST_CASE("history path that is a device: a clear error, never an endless read", "[reliability]") {
  Monitor m(options("/dev/zero"));  // reading it never ends; the constructor must not hang or exhaust memory
  observe(m, 1, {{"loss", std::nan("")}});
  auto t = m.tick(1000.0);
  REQUIRE(!t.alerts.empty());
  Status s = m.finish("failed", 1001.0, 1);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "/dev/zero: not a regular file");
}

TEST_CASE("history on a full disk: finish reports it, monitoring results stand", "[reliability]") {
  // A file-size limit makes every write past the current size fail, as a full disk does.
  const std::string path = "/tmp/sidecar_rel_history_" + std::to_string(::getpid()) + ".jsonl";
  std::remove(path.c_str());
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{0, 0};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    Monitor m(options(path));
    observe(m, 1, {{"loss", 2.0}});
    observe(m, 2, {{"loss", std::nan("")}});
    auto t = m.tick(1000.0);
    Status s = m.finish("failed", 1001.0, 1);
    bool ok = !t.alerts.empty() && m.stats().alerts == 1 && !s.ok() && s.message().find(path) != std::string::npos;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::remove(path.c_str());
  std::remove((path + ".lock").c_str());
}
