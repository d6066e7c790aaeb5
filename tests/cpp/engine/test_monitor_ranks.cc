// The Monitor's rank-progress hang (RankProgress fed from feed_log, polled on
// tick): per-rank log files or rank prefixes in one stream; one finding
// naming the rank whose log stopped while the others went on, escalated by
// the watchdog timeouts; no finding for quiet phases or single-process logs.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "sidecar/monitor.h"

using namespace sidecar;

namespace {

MonitorOptions rank_options(double stall_seconds = 30) {
  MonitorOptions o;
  o.run_id = "ranks";
  o.history_path = "-";
  o.playbook.detectors.rank_progress.stall_seconds = stall_seconds;
  return o;
}

struct Seen {
  std::vector<Alert> alerts;
  std::vector<Resolved> resolved;
  std::vector<Alert> hangs() const {
    std::vector<Alert> out;
    for (const Alert& a : alerts)
      if (a.decision.syndrome == "hang") out.push_back(a);
    return out;
  }
};

// Each second from t0 to t1: line(rank, t) for each rank that writes (an
// empty line: it writes nothing), fed to source(rank), then a tick.
void drive(Monitor& m, Seen& seen, double t0, double t1, int ranks, const std::function<std::string(int, double)>& line,
           const std::function<std::string(int)>& source) {
  for (double t = t0; t <= t1; t += 1) {
    for (int r = 0; r < ranks; ++r) {
      std::string text = line(r, t);
      if (text.empty()) continue;
      m.advance(t + 0.01 * r);
      m.feed_log(text + "\n", source(r));
    }
    TickResult res = m.tick(t + 0.5);
    for (auto& a : res.alerts) seen.alerts.push_back(std::move(a));
    for (auto& r : res.resolved) seen.resolved.push_back(std::move(r));
  }
}

std::string file_of(int r) { return "logs/rank" + std::to_string(r) + ".log"; }

std::string step_line(double t) { return "step " + std::to_string(static_cast<int>(t)) + " loss 2.31"; }

const std::string& ev(const Alert& a, const char* key) {
  static const std::string none = "(none)";
  const std::string* v = evidence_get(a.decision.evidence, key);
  return v ? *v : none;
}

}  // namespace

TEST_CASE("monitor ranks: the rank whose log file stopped is named once, then escalated by the timeouts",
          "[monitor][hang]") {
  Monitor m(rank_options());
  REQUIRE(m.log_status().ok());
  Seen seen;
  auto training = [](int r, double t) { return r == 1 && t > 1020 ? std::string() : step_line(t); };
  drive(m, seen, 1000, 1100, 4, training, file_of);
  auto hangs = seen.hangs();
  REQUIRE(hangs.size() == 1);
  CHECK(ev(hangs[0], "rank") == "1");
  CHECK(ev(hangs[0], "last_step") == "1020");
  CHECK(hangs[0].decision.severity == Severity::kWarning);
  CHECK(hangs[0].decision.signature == "logwatch/hang/ranks");
  CHECK(hangs[0].ts >= 1050);
  CHECK(hangs[0].ts <= 1052);

  // Rank 1's own watchdog, then the others' (which waited on it): one escalation, still rank 1.
  auto timeouts = [](int r, double t) {
    if (t != (r == 1 ? 1110 : 1130)) return r == 1 ? std::string() : step_line(t);
    return "[rank" + std::to_string(r) +
           "]:[E ProcessGroupNCCL.cpp:616] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=" +
           std::to_string(r == 1 ? 1021 : 1131) + ", OpType=ALLREDUCE) ran for 600000 milliseconds before timing out.";
  };
  drive(m, seen, 1101, 1140, 4, timeouts, file_of);
  hangs = seen.hangs();
  REQUIRE(hangs.size() == 2);
  CHECK(hangs[1].decision.severity == Severity::kCritical);
  CHECK(ev(hangs[1], "rank") == "1");
  CHECK(ev(hangs[1], "last_seq") == "1020");
  CHECK(hangs[1].ts >= 1112);
  CHECK(hangs[1].ts < 1130);
}

TEST_CASE("monitor ranks: rank prefixes in one stream (torchrun --tee), the rank coming back resolves it",
          "[monitor][hang]") {
  Monitor m(rank_options());
  Seen seen;
  auto prefixed = [](int r, double t) {
    if (r == 2 && t > 1010 && t < 1080) return std::string();
    return "[default" + std::to_string(r) + "]:" + step_line(t);
  };
  drive(m, seen, 1000, 1120, 4, prefixed, [](int) { return std::string("stdout"); });
  auto hangs = seen.hangs();
  REQUIRE(hangs.size() == 1);
  CHECK(ev(hangs[0], "rank") == "2");
  REQUIRE(seen.resolved.size() == 1);
  CHECK(seen.resolved[0].signature == "logwatch/hang/ranks");
  CHECK(seen.resolved[0].ts >= 1080);
}

TEST_CASE("monitor ranks: no hang for quiet phases, rank 0 printing alone, or a single-process log",
          "[monitor][hang]") {
  Seen seen;
  SECTION("every rank quiet for 20 minutes (evaluation, checkpoint), their last lines a moment apart") {
    Monitor m(rank_options());
    auto phases = [](int r, double t) { return t > 1060 + 0.3 * r && t < 2300 ? std::string() : step_line(t); };
    drive(m, seen, 1000, 2400, 4, phases, file_of);
  }
  SECTION("rank 0 alone prints evaluation progress while the other rank waits") {
    Monitor m(rank_options());
    auto eval = [](int r, double t) {
      if (t <= 1060) return step_line(t);
      if (t < 1700) return r == 0 ? "Evaluating: " + std::to_string(static_cast<int>(t) - 1060) + "/640" : "";
      return step_line(t);
    };
    drive(m, seen, 1000, 1800, 2, eval, file_of);
  }
  SECTION("lines with no rank (one process's run.log)") {
    Monitor m(rank_options());
    auto one = [](int r, double t) { return r == 0 || t < 1010 ? step_line(t) : std::string(); };
    drive(m, seen, 1000, 1300, 2, one, [](int) { return std::string("run.log"); });
  }
  SECTION("disabled in the playbook") {
    MonitorOptions o = rank_options();
    o.playbook.detectors.rank_progress.enabled = false;
    Monitor m(o);
    auto training = [](int r, double t) { return r == 1 && t > 1020 ? std::string() : step_line(t); };
    drive(m, seen, 1000, 1300, 4, training, file_of);
  }
  CHECK(seen.hangs().empty());
}
