// RankProgress: the hang with no line at all (one rank's log stops while the
// others go on) and the first rank to fail or stall once timeouts arrive.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/detectors/rank_progress.h"

using sidecar::RankProgress;
using sidecar::RankProgressOptions;
using sidecar::Severity;

namespace {

const std::string* ev(const sidecar::Decision& d, const char* key) { return sidecar::evidence_get(d.evidence, key); }

// Four ranks logging one line every `every` seconds from t0 to t1; `stop`
// stops after `stop_at`.
void run(RankProgress& rp, double t0, double t1, int stop, double stop_at, double every = 5) {
  for (double t = t0; t <= t1; t += every)
    for (int r = 0; r < 4; ++r)
      if (r != stop || t <= stop_at)
        rp.observe(r, t, RankProgress::completed_seq("step seq=" + std::to_string(int(t))));
}

}  // namespace

TEST_CASE("RankProgress: a rank whose log stops while the others go on is named once", "[logs][hang]") {
  RankProgress rp;
  run(rp, 0, 100, /*stop=*/2, /*stop_at=*/60);
  CHECK_FALSE(rp.poll(100));  // silent for 40 s: not yet
  run(rp, 105, 200, 2, 60);
  auto d = rp.poll(200);
  REQUIRE(d);
  CHECK(d->syndrome == "hang");
  CHECK(d->severity == Severity::kWarning);
  CHECK(*ev(*d, "rank") == "2");
  CHECK(*ev(*d, "cause") == "interconnect");
  CHECK(*ev(*d, "retry_helps") == "maybe");
  CHECK(d->signature == "logwatch/hang/ranks");
  CHECK_FALSE(rp.poll(205));  // once per incident
  CHECK_FALSE(rp.poll(300));

  // The stalled rank's own watchdog timeout, then the others': the same
  // incident escalates once, still naming rank 2.
  rp.observe(2, 660,
             RankProgress::completed_seq("[rank2]:[E ProcessGroupNCCL.cpp:616] [Rank 2] Watchdog caught collective "
                                         "operation timeout: WorkNCCL(SeqNum=61, OpType=ALLREDUCE) ran for 600000 "
                                         "milliseconds before timing out."),
             true);
  for (int r : {0, 1, 3})
    rp.observe(r, 900,
               RankProgress::completed_seq(
                   "WorkNCCL(SeqNum=201, OpType=ALLREDUCE) ran for 600010 milliseconds before timing out"),
               true);
  auto e = rp.poll(901);
  REQUIRE(e);
  CHECK(e->severity == Severity::kCritical);
  CHECK(*ev(*e, "rank") == "2");
  CHECK(*ev(*e, "last_seq") == "60");
  CHECK_FALSE(rp.poll(1000));
}

TEST_CASE("RankProgress: with watchdog timeouts only, the lowest completed seq names the rank behind", "[logs][hang]") {
  RankProgress rp;
  const char* lines[] = {
      "[rank0]:[E ProcessGroupNCCL.cpp:1537] [PG 1 Rank 0] Timeout at NCCL work: 158046, last enqueued NCCL work: "
      "158046, last completed NCCL work: 158045.",
      "[rank1]:[E ProcessGroupNCCL.cpp:1537] [PG 1 Rank 1] Timeout at NCCL work: 158046, last enqueued NCCL work: "
      "158046, last completed NCCL work: 158045.",
      "[rank3]:[E ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation timeout: "
      "WorkNCCL(SeqNum=158040, OpType=ALLGATHER, NumelIn=1, NumelOut=4, Timeout(ms)=600000) ran for 600086 "
      "milliseconds before timing out.",
  };
  CHECK(RankProgress::completed_seq(lines[0]) == 158045u);
  CHECK(RankProgress::completed_seq(lines[2]) == 158039u);
  CHECK(RankProgress::is_timeout_line(lines[2]));
  CHECK_FALSE(RankProgress::is_timeout_line("step 10 loss 2.0 seq=10"));
  CHECK(RankProgress::completed_seq("subseq=4") == std::nullopt);
  rp.observe(0, 1000, RankProgress::completed_seq(lines[0]), true);
  rp.observe(1, 1000.5, RankProgress::completed_seq(lines[1]), true);
  rp.observe(3, 1001, RankProgress::completed_seq(lines[2]), true);
  auto d = rp.poll(1002);
  REQUIRE(d);
  CHECK(d->severity == Severity::kCritical);
  CHECK(*ev(*d, "rank") == "3");
  CHECK(ev(*d, "reason")->rfind("behind", 0) == 0);
}

TEST_CASE("RankProgress: no finding when every rank is silent, for one rank, or when disabled", "[logs][hang]") {
  SECTION("all ranks silent together is a global stall, not a rank hang") {
    RankProgress rp;
    run(rp, 0, 60, -1, 0);
    CHECK_FALSE(rp.poll(1000));
  }
  SECTION("a single rank has nobody to compare with") {
    RankProgress rp;
    for (double t = 0; t < 60; t += 5) rp.observe(0, t);
    CHECK_FALSE(rp.poll(1000));
  }
  SECTION("a minority still advancing is not 'the others go on'") {
    RankProgress rp;
    run(rp, 0, 60, -1, 0);
    for (double t = 65; t < 300; t += 5) rp.observe(0, t);  // only rank 0 goes on
    CHECK_FALSE(rp.poll(300));
  }
  SECTION("disabled") {
    RankProgressOptions o;
    o.enabled = false;
    RankProgress rp(o);
    run(rp, 0, 300, 1, 10);
    CHECK_FALSE(rp.poll(300));
  }
  SECTION("the named rank coming back ends the incident; a new stall is a new finding") {
    RankProgress rp;
    run(rp, 0, 200, 1, 50);
    REQUIRE(rp.poll(200));
    CHECK(rp.incident_open());
    run(rp, 205, 210, -1, 0);  // rank 1 writes again
    CHECK_FALSE(rp.incident_open());
    run(rp, 215, 400, 3, 250);
    auto d = rp.poll(400);
    REQUIRE(d);
    CHECK(*ev(*d, "rank") == "3");
  }
}

namespace {

// `ranks` ranks logging "step N" lines every `every` s from t0 to t1 (rank r
// `skew` x r later); rank `stop` stops after stop_at. Polls every `every` s
// and returns the decisions.
std::vector<sidecar::Decision> steps(RankProgress& rp, int ranks, double t0, double t1, int stop = -1,
                                     double stop_at = 0, double every = 1, double skew = 0.05, bool numbered = true) {
  std::vector<sidecar::Decision> out;
  for (double t = t0; t <= t1; t += every) {
    for (int r = 0; r < ranks; ++r)
      if (r != stop || t <= stop_at)
        rp.observe(r, t + skew * r, std::nullopt, false,
                   numbered ? std::optional<std::int64_t>(static_cast<std::int64_t>(t)) : std::nullopt);
    if (auto d = rp.poll(t + every / 2)) out.push_back(*d);
  }
  return out;
}

std::vector<sidecar::Decision> poll_until(RankProgress& rp, double t0, double t1, double every = 1) {
  std::vector<sidecar::Decision> out;
  for (double t = t0; t <= t1; t += every)
    if (auto d = rp.poll(t)) out.push_back(*d);
  return out;
}

}  // namespace

TEST_CASE("RankProgress: no false alarm for quiet phases, banners and slow loggers", "[logs][hang]") {
  SECTION("every rank quiet together (evaluation, checkpoint), last lines a moment apart") {
    for (bool numbered : {true, false}) {
      RankProgress rp;
      CHECK(steps(rp, 4, 0, 100, -1, 0, 1, 0.3, numbered).empty());
      CHECK(poll_until(rp, 100, 1500).empty());  // 20+ minutes of silence from every rank
      CHECK(steps(rp, 4, 1500, 1600, -1, 0, 1, 0.3, numbered).empty());
    }
  }
  SECTION("rank 0 alone prints during evaluation while the other rank waits at a barrier") {
    RankProgress rp;
    CHECK(steps(rp, 2, 0, 100).empty());
    for (double t = 101; t < 900; t += 1) {  // eval progress lines: no new step
      rp.observe(0, t, std::nullopt, false, t < 200 ? std::optional<std::int64_t>(100) : std::nullopt);
      CHECK_FALSE(rp.poll(t + 0.5));
    }
  }
  SECTION("lines without step or collective numbers: one rank going on is not enough") {
    RankProgress rp;
    CHECK(steps(rp, 2, 0, 100, -1, 0, 1, 0.05, /*numbered=*/false).empty());
    for (double t = 101; t < 900; t += 1) rp.observe(0, t);
    CHECK(poll_until(rp, 101, 900).empty());
  }
  SECTION("a rank that only printed a start-up banner has no cadence to stop") {
    RankProgress rp;
    rp.observe(1, 0.0);
    rp.observe(1, 0.1);
    CHECK(steps(rp, 1, 0, 600).empty());  // rank 0 trains on
  }
  SECTION("a rank that logs once a minute is judged by its own interval") {
    RankProgress rp;
    std::vector<sidecar::Decision> got;
    for (double t = 0; t <= 1200; t += 1) {
      for (int r = 0; r < 3; ++r) rp.observe(r, t, std::nullopt, false, static_cast<std::int64_t>(t));
      if (static_cast<int>(t) % 60 == 0) rp.observe(3, t, std::nullopt, false, static_cast<std::int64_t>(t));
      if (auto d = rp.poll(t + 0.5)) got.push_back(*d);
    }
    CHECK(got.empty());
    // ... and named once it stays silent for 5 of its intervals.
    for (double t = 1201; t <= 1600; t += 1) {
      for (int r = 0; r < 3; ++r) rp.observe(r, t, std::nullopt, false, static_cast<std::int64_t>(t));
      if (auto d = rp.poll(t + 0.5)) got.push_back(*d);
    }
    REQUIRE(got.size() == 1);
    CHECK(*ev(got[0], "rank") == "3");
    CHECK(*ev(got[0], "last_step") == "1200");
    CHECK(std::stod(*ev(got[0], "silent_s")) >= 300);
  }
}

TEST_CASE("RankProgress: a stalled rank among steady ones is named once, by its step", "[logs][hang]") {
  RankProgress rp;
  auto got = steps(rp, 4, 0, 400, /*stop=*/1, /*stop_at=*/100);
  REQUIRE(got.size() == 1);
  CHECK(*ev(got[0], "rank") == "1");
  CHECK(*ev(got[0], "last_step") == "100");
  CHECK(got[0].severity == Severity::kWarning);
  RankProgressOptions quiet;
  quiet.severity = Severity::kInfo;
  RankProgress rp2(quiet);
  auto got2 = steps(rp2, 4, 0, 400, 1, 100);
  REQUIRE(got2.size() == 1);
  CHECK(got2[0].severity == Severity::kInfo);
}
