// The bounded wait and the operator gate, against the fake nvidia-smi whose
// answers change from poll to poll (a counter file in a temp dir). The clock
// is injected, so "waits" take no time.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>

#include "common/check_members.h"
#include "fake_smi.h"
#include "sidecar/config.h"
#include "sidecar/gpu.h"

using gpu_test::FakeClock;
using gpu_test::make_scenario;
using gpu_test::polls_made;
using gpu_test::TempDir;
using sidecar::GpuOptions;
using sidecar::PreflightResult;

namespace {

sidecar::DeviceRequest request(std::vector<std::string> devices) {
  sidecar::DeviceRequest r;
  r.devices = std::move(devices);
  r.specified = true;
  r.value = "x";
  return r;
}

GpuOptions fast(const std::string& smi) {
  GpuOptions o;
  o.nvidia_smi = smi;
  o.poll_s = 10;
  o.wait_s = 60;
  o.answer_timeout_s = 5;
  return o;
}

// wait_for_gpus against a copy of a fake nvidia-smi scenario: fast options
// (poll 10 s, wait 60 s) to adjust before run(), and a clock that only moves
// when the wait sleeps.
struct ScenarioWait {
  TempDir dir{"gpu"};
  GpuOptions options;
  FakeClock clock;
  explicit ScenarioWait(const std::string& scenario, double wait_s = 60) : options(fast(make_scenario(dir, scenario))) {
    options.wait_s = wait_s;
  }
  sidecar::Result<PreflightResult> run(std::vector<std::string> devices,
                                       const std::function<void(const PreflightResult&)>& progress = nullptr) {
    return sidecar::wait_for_gpus(request(std::move(devices)), options, progress, clock.clock());
  }
  // run() that must succeed.
  PreflightResult ran(std::vector<std::string> devices,
                      const std::function<void(const PreflightResult&)>& progress = nullptr) {
    auto r = run(std::move(devices), progress);
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace

TEST_CASE("free at once: one poll, no waiting", "[gpu][wait]") {
  ScenarioWait w("free");
  std::vector<PreflightResult> seen;
  auto r = w.run({"0", "1"}, [&](const PreflightResult& p) { seen.push_back(p); });
  REQUIRE(r.ok());
  CHECK(r->available);
  CHECK_FALSE(r->timed_out);
  CHECK_FALSE(r->skipped);
  CHECK(r->busy.empty());
  CHECK(r->waited_seconds == 0);
  CHECK(r->polls == 1);
  CHECK(r->gpus.size() == 2);
  CHECK(r->reason == "GPUs 0, 1 free");
  CHECK(seen.size() == 1);
  CHECK(polls_made(w.dir) == 1);
}

TEST_CASE("busy, then freed during the wait", "[gpu][wait]") {
  ScenarioWait w("busy-then-free");
  std::vector<PreflightResult> seen;
  auto r = w.run({"0"}, [&](const PreflightResult& p) { seen.push_back(p); });
  REQUIRE(r.ok());
  CHECK(r->available);
  CHECK(r->polls == 3);
  CHECK(r->waited_seconds == Approx(20));
  REQUIRE(seen.size() == 3);
  // Progress says which GPU, who holds it, and the time left.
  CHECK(seen[0].busy == std::vector<std::string>{"0"});
  CHECK(seen[0].reason.find("pid 4242") != std::string::npos);
  CHECK(seen[0].reason.find("utilization 97%") != std::string::npos);
  CHECK(seen[0].time_left_s == Approx(60));
  CHECK(seen[1].time_left_s == Approx(50));
  CHECK(seen[2].available);
}

TEST_CASE("still busy at the deadline: timed out, bounded polls", "[gpu][wait]") {
  ScenarioWait w("busy", 25);
  auto r = w.ran({"0", "1"});
  CHECK_FALSE(r.available);
  CHECK(r.timed_out);
  CHECK(r.busy == std::vector<std::string>{"0"});
  CHECK(r.waited_seconds == Approx(25));
  CHECK(r.polls == 4);  // t = 0, 10, 20, 25
  CHECK(w.clock.slept == Approx(25));
  CHECK(r.reason.rfind("still busy after 25 s: GPU 0: 1 process (pid 4242 12.1 GiB)", 0) == 0);
  auto d = sidecar::gpu_occupied_decision(r);
  CHECK(d.source == sidecar::Source::kPreflight);
  CHECK(d.syndrome == "gpu_occupied");
  CHECK(d.severity == sidecar::Severity::kWarning);
  CHECK(d.choices == std::vector<std::string>{"Continue Anyway", "Stop Job"});
  CHECK(d.signature == "preflight/gpu_occupied/0");
  CHECK(*sidecar::evidence_get(d.evidence, "busy") == "0");
  REQUIRE(sidecar::evidence_get(d.evidence, "GPU 0"));
  CHECK(sidecar::evidence_get(d.evidence, "GPU 0")->find("pid 4242") != std::string::npos);
}

TEST_CASE("wait 0: a single poll decides", "[gpu][wait]") {
  ScenarioWait w("busy", 0);
  auto r = w.ran({"0"});
  CHECK(r.timed_out);
  CHECK(r.polls == 1);
}

TEST_CASE("N consecutive free polls required", "[gpu][wait]") {
  // flaky: free, busy, free, free, ...
  ScenarioWait w("flaky");
  w.options.free_polls_required = 2;
  auto r = w.ran({"0"});
  CHECK(r.available);
  CHECK(r.polls == 4);
  CHECK(r.reason == "GPU 0 free for 2 consecutive polls");

  ScenarioWait w1("flaky");
  auto r1 = w1.ran({"0"});
  CHECK(r1.polls == 1);

  // Free but not for long enough when the wait ends: not available.
  ScenarioWait w2("flaky");
  w2.options.free_polls_required = 3;
  w2.options.wait_s = 25;
  auto r2 = w2.ran({"0"});
  CHECK_FALSE(r2.available);
  CHECK(r2.timed_out);
  CHECK(r2.busy == std::vector<std::string>{"0"});
  CHECK(r2.reason.find("2 of 3 consecutive polls") != std::string::npos);
}

TEST_CASE("a requested GPU that does not exist is an error, not free", "[gpu][wait]") {
  ScenarioWait w("missing");
  auto r = w.run({"0", "1"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == sidecar::StatusCode::kNotFound);
  CHECK(r.status().message().find("GPU 1 not found: nvidia-smi lists GPU 0") != std::string::npos);
  CHECK(polls_made(w.dir) == 1);  // fails fast, no waiting
}

TEST_CASE("nvidia-smi absent: skipped with a reason", "[gpu][wait]") {
  GpuOptions o;
  o.nvidia_smi = "/nonexistent/nvidia-smi";
  FakeClock fc;
  auto r = sidecar::wait_for_gpus(request({"0"}), o, nullptr, fc.clock());
  REQUIRE(r.ok());
  CHECK(r->skipped);
  CHECK(r->available);
  CHECK(r->reason.find("nvidia-smi not found") != std::string::npos);
}

TEST_CASE("nvidia-smi failing at the first poll is an error", "[gpu][wait]") {
  ScenarioWait w("failing");
  auto r = w.run({"0"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == sidecar::StatusCode::kUnavailable);
  CHECK(r.status().message().find("exited with status 9") != std::string::npos);
  CHECK(r.status().message().find("couldn't communicate with the NVIDIA driver") != std::string::npos);
}

TEST_CASE("nvidia-smi failing mid-wait is reported, never taken as free", "[gpu][wait]") {
  ScenarioWait w("fail-midway", 30);
  std::vector<std::string> reasons;
  auto r = w.run({"0"}, [&](const PreflightResult& p) { reasons.push_back(p.reason); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == sidecar::StatusCode::kUnavailable);
  CHECK(r.status().message().find("still failing after 30 s") != std::string::npos);
  REQUIRE(reasons.size() == 4);
  CHECK(reasons[1].rfind("nvidia-smi failed: ", 0) == 0);
  CHECK(reasons[1].find("Unknown Error") != std::string::npos);
}

TEST_CASE("nvidia-smi that hangs is cut off by its timeout", "[gpu][wait]") {
  TempDir dir;
  std::string script = (dir.path / "nvidia-smi").string();
  gpu_test::write_file(script, "#!/bin/sh\nexec sleep 30\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  GpuOptions o;
  o.nvidia_smi = script;
  o.smi_timeout_s = 0.2;
  FakeClock fc;
  auto r = sidecar::wait_for_gpus(request({"0"}), o, nullptr, fc.clock());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("did not answer within 0.2 s") != std::string::npos);
}

TEST_CASE("no GPU requested: skipped without running nvidia-smi", "[gpu][wait]") {
  GpuOptions o;
  o.nvidia_smi = "/nonexistent/nvidia-smi";
  sidecar::DeviceRequest unset;
  auto a = sidecar::wait_for_gpus(unset, o, nullptr);
  REQUIRE(a.ok());
  CHECK(a->skipped);
  CHECK(a->reason == "CUDA_VISIBLE_DEVICES is not set; no GPU check");
  auto none = sidecar::parse_requested_devices("CUDA_VISIBLE_DEVICES=-1 python t.py", {});
  auto b = sidecar::wait_for_gpus(none, o, nullptr);
  REQUIRE(b.ok());
  CHECK(b->skipped);
  CHECK(b->reason == "CUDA_VISIBLE_DEVICES='-1' requests no GPU");
}

TEST_CASE("MIG instance: resolved through nvidia-smi -L", "[gpu][wait]") {
  ScenarioWait w("mig", 0);
  auto free_one = w.ran({"MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"});
  CHECK(free_one.available);
  ScenarioWait w2("mig", 0);
  auto busy_one = w2.ran({"MIG-cba663e8-9bed-5b0d-a2ca-c8e0d8a3a8e3"});
  CHECK_FALSE(busy_one.available);
  CHECK(busy_one.reason.find("pid 5151") != std::string::npos);
}

TEST_CASE("a whole MIG-mode GPU is busy when a process runs on one of its instances", "[gpu][wait]") {
  ScenarioWait w("mig", 0);
  auto r = w.ran({"0", "1"});
  CHECK(r.busy == std::vector<std::string>{"0"});
  REQUIRE(r.gpus.size() == 2);
  CHECK(r.gpus[0].mig);
  CHECK(r.gpus[0].mig_uuids.size() == 2);
  CHECK(gpu_test::read_file((w.dir.path / "calls").string()).find("-L") != std::string::npos);
}

// ---- the operator gate -----------------------------------------------------

namespace {

struct Gate {
  TempDir smi_dir, run_dir;
  GpuOptions options;
  FakeClock fc;
  std::vector<sidecar::Alert> alerts;
  sidecar::GateChannels channels;

  explicit Gate(const std::string& scenario) {
    options = fast(make_scenario(smi_dir, scenario));
    options.wait_s = 20;
    std::filesystem::create_directories(run_dir.path / "alerts");
    channels.run_dir = run_dir.str();
    channels.run_id = "run-1";
    channels.wall_time = [] { return 1700000000.0; };
    channels.emit_alert = [this](const sidecar::Alert& a) {
      alerts.push_back(a);
      return std::string();
    };
  }
  void answer(const std::string& text) {
    gpu_test::write_file((run_dir.path / "alerts" / "preflight-gpu_occupied-1700000000000.response").string(), text);
  }
  sidecar::Result<PreflightResult> run(sidecar::OnTimeout on = sidecar::OnTimeout::kAsk) {
    return sidecar::run_gpu_gate(request({"0"}), options, on, sidecar::ActionTable{}, channels, nullptr, fc.clock());
  }
  // run() that must succeed.
  PreflightResult ran(sidecar::OnTimeout on = sidecar::OnTimeout::kAsk) {
    auto r = run(on);
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace

TEST_CASE("gate: busy at timeout, operator answers Stop Job -> stop", "[gpu][gate]") {
  Gate g("busy");
  g.answer("Stop Job\n");
  auto r = g.ran();
  REQUIRE(g.alerts.size() == 1);
  const auto& a = g.alerts[0];
  CHECK(a.id == "preflight-gpu_occupied-1700000000000");
  CHECK(a.run_id == "run-1");
  CHECK(a.decision.syndrome == "gpu_occupied");
  auto json = sidecar::to_json(a);
  CHECK(json.find("\"type\":\"alert\"") != std::string::npos);
  CHECK(json.find("\"choices\":[\"Continue Anyway\",\"Stop Job\"]") != std::string::npos);
  CHECK(r.decision == "Stop Job");
  CHECK(r.decided_by == "response_file");
  CHECK_FALSE(r.proceed);
  CHECK(r.alert_id == a.id);
}

TEST_CASE("gate: Continue Anyway -> the job goes ahead", "[gpu][gate]") {
  Gate g("busy");
  g.answer("continue anyway\r\n");  // case and CRLF tolerated
  auto r = g.ran();
  CHECK(r.decision == "Continue Anyway");
  CHECK(r.proceed);
}

TEST_CASE("gate: nobody answers -> the default action after answer_timeout_s", "[gpu][gate]") {
  Gate g("busy");
  double before = 0;
  auto r = g.ran();
  CHECK(r.decision == "Stop Job");
  CHECK(r.decided_by == "default");
  CHECK_FALSE(r.proceed);
  CHECK(r.reason.find("no answer within 5 s") != std::string::npos);
  CHECK(g.fc.slept - before == Approx(20 + 5));  // the GPU wait, then the answer wait

  Gate c("busy");
  c.options.default_action = "Continue Anyway";
  auto rc = c.ran();
  CHECK(rc.proceed);
  CHECK(rc.decided_by == "default");
}

TEST_CASE("gate: an answer outside the choices takes the default, never a substring", "[gpu][gate]") {
  Gate g("busy");
  g.options.default_action = "Continue Anyway";
  g.answer("Don't stop\n");
  auto r = g.ran();
  CHECK(r.decision == "Continue Anyway");
  CHECK(r.proceed);
  CHECK(r.reason.find("'Don't stop' is not one of the alert's choices") != std::string::npos);

  Gate s("busy");  // default Stop Job: "Continue" alone is not a choice either
  s.answer("Continue\n");
  auto rs = s.ran();
  CHECK(rs.decision == "Stop Job");
  CHECK_FALSE(rs.proceed);
}

TEST_CASE("gate: a TTY answer and a server-assigned id", "[gpu][gate]") {
  Gate g("busy");
  g.channels.other_answer = [] { return std::optional<std::string>("Continue Anyway"); };
  auto r = g.ran();
  CHECK(r.decided_by == "tty");
  CHECK(r.proceed);

  Gate s("busy");
  s.channels.emit_alert = [](const sidecar::Alert&) { return std::string("../../srv/42"); };
  gpu_test::write_file((s.run_dir.path / "alerts" / "_._.__srv_42.response").string(), "Stop Job\n");
  auto rs = s.ran();
  CHECK(rs.alert_id == "_._.__srv_42");
  CHECK(rs.decision == "Stop Job");
  CHECK(rs.decided_by == "response_file");
}

TEST_CASE("gate: policy without asking, free GPUs never ask", "[gpu][gate]") {
  Gate g("busy");
  auto r = g.ran(sidecar::OnTimeout::kContinue);
  CHECK(r.decided_by == "policy");
  CHECK(r.proceed);
  CHECK(g.alerts.empty());
  Gate f("free");
  auto rf = f.ran();
  CHECK(rf.proceed);
  CHECK(rf.decision.empty());
  CHECK(f.alerts.empty());
}

TEST_CASE("preflight JSON record", "[gpu][json]") {
  Gate g("busy");
  g.answer("Stop Job\n");
  auto r = g.ran();
  auto json = sidecar::to_json(r);
  auto doc = sidecar::parse_json(json);
  REQUIRE(doc.ok());
  CHECK(doc->find("type")->str == "preflight");
  CHECK(doc->find("requested")->items.size() == 1);
  CHECK(doc->find("busy")->items.at(0).str == "0");
  CHECK(doc->find("available")->boolean == false);
  CHECK(doc->find("timed_out")->boolean == true);
  CHECK(doc->find("waited_seconds")->number == Approx(20));
  CHECK(doc->find("decision")->str == "Stop Job");
  CHECK(doc->find("proceed")->boolean == false);
  const auto& gpus = doc->find("gpus")->items;
  REQUIRE(gpus.size() == 2);
  CHECK(gpus[0].find("processes")->items.at(0).find("pid")->number == 4242);
  // [N/A] values are null, never NaN.
  PreflightResult na;
  na.gpus.push_back(sidecar::GpuInfo{0, "GPU-x", std::nullopt, std::nullopt, std::nullopt, {}, false, {}});
  auto na_doc = sidecar::parse_json(sidecar::to_json(na));
  REQUIRE(na_doc.ok());
  CHECK(na_doc->find("gpus")->items.at(0).find("util_pct")->is_null());
}

// GpuOptions' and the ActionTable's defaults are written once, in the structs
// (their OptionTables have the bounds): the embedded playbook restates none
// of them, so reading it keeps the defaults (test_playbook checks that
// `playbook show` prints them).
TEST_CASE("playbook gpu: the defaults are GpuOptions'", "[gpu][options]") {
  auto embedded = sidecar::default_playbook_tree();
  REQUIRE(embedded.ok());
  const sidecar::Value& tree = *embedded;
  CHECK(tree.find("gpu") == nullptr);
  CHECK(tree.find("operator") == nullptr);
  GpuOptions from_playbook;
  std::vector<sidecar::Status> errors;
  sidecar::read_gpu_options(tree, &from_playbook, &errors);
  sidecar::test::check_no_errors(errors);
  sidecar::test::check_members_equal(
      from_playbook, GpuOptions{}, MEMBER(GpuOptions, nvidia_smi), MEMBER(GpuOptions, util_busy_pct),
      MEMBER(GpuOptions, mem_busy_pct), MEMBER(GpuOptions, processes_only), MEMBER(GpuOptions, free_polls_required),
      MEMBER(GpuOptions, poll_s), MEMBER(GpuOptions, wait_s), MEMBER(GpuOptions, answer_timeout_s),
      MEMBER(GpuOptions, default_action), MEMBER(GpuOptions, smi_timeout_s));

  sidecar::ActionTable table;
  sidecar::read_operator_options(tree, &table, &errors);
  sidecar::test::check_no_errors(errors);
  sidecar::ActionTable default_table;
  CHECK(table.map == default_table.map);
  CHECK(table.fallback == default_table.fallback);
}

TEST_CASE("playbook gpu: bad values and unknown keys are located errors", "[gpu][options]") {
  auto tree = sidecar::parse_yaml("gpu:\n  wait_s: -5\n  default_action: Maybe\n  pol_s: 3\n", "pb.yaml");
  REQUIRE(tree.ok());
  GpuOptions o;
  std::vector<sidecar::Status> errors;
  sidecar::read_gpu_options(*tree, &o, &errors);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].message().rfind("pb.yaml:2:", 0) == 0);
  CHECK(errors[1].message().find("expected 'Continue Anyway' or 'Stop Job'") != std::string::npos);
  CHECK(errors[2].message().find("did you mean 'poll_s'") != std::string::npos);
  CHECK(o.wait_s == 180);

  auto ok = sidecar::parse_yaml("gpu:\n  default_action: continue anyway\n  processes_only: true\n", "pb.yaml");
  GpuOptions o2;
  errors.clear();
  sidecar::read_gpu_options(*ok, &o2, &errors);
  CHECK(errors.empty());
  CHECK(o2.default_action == "Continue Anyway");
  CHECK(o2.processes_only);
}
