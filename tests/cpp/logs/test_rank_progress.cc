// RankProgress: the hang with no line at all (one rank's log stops while the
// others go on) and the first rank to fail or stall once timeouts arrive.
#include <catch2/catch.hpp>

#include <string>

#include "sidecar/detectors/rank_progress.h"

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
