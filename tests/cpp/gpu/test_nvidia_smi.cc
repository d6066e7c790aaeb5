// nvidia-smi CSV parsing and the busy rule (judge_gpus).
#include <catch2/catch.hpp>

#include "fake_smi.h"
#include "sidecar/gpu.h"

using gpu_test::data_path;
using gpu_test::read_file;
using sidecar::GpuInfo;
using sidecar::GpuOptions;
using sidecar::parse_compute_apps;
using sidecar::parse_gpu_query;

namespace {
constexpr const char* kU0 = "GPU-7f0b4c3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f";
constexpr const char* kU1 = "GPU-19d6a8b2-3c4d-5e6f-7a8b-9c0d1e2f3a4b";

std::vector<GpuInfo> gpus_from(const std::string& query, const std::string& apps = "") {
  auto g = parse_gpu_query(read_file(data_path("nvidia-smi/" + query)));
  REQUIRE(g.ok());
  if (!apps.empty()) {
    auto p = parse_compute_apps(read_file(data_path("nvidia-smi/" + apps)));
    REQUIRE(p.ok());
    for (auto& proc : *p)
      for (auto& gpu : *g)
        if (gpu.uuid == proc.gpu_uuid) gpu.processes.push_back(proc);
  }
  return *g;
}

sidecar::DeviceRequest request(std::vector<std::string> devices) {
  sidecar::DeviceRequest r;
  r.devices = std::move(devices);
  r.specified = true;
  return r;
}
}  // namespace

TEST_CASE("query-gpu: plain rows", "[gpu][smi]") {
  auto g = gpus_from("query-gpu-busy.csv");
  REQUIRE(g.size() == 2);
  CHECK(g[0].index == 0);
  CHECK(g[0].uuid == kU0);
  CHECK(g[0].util_pct == 97.0);
  CHECK(g[0].mem_used_mib == 70123.0);
  CHECK(g[0].mem_total_mib == 81559.0);
  CHECK_FALSE(g[0].mig);
  CHECK(g[1].index == 1);
  CHECK(g[1].uuid == kU1);
}

TEST_CASE("query-gpu: [N/A], [Not Supported], blank lines, extra spaces, CRLF", "[gpu][smi]") {
  auto g = gpus_from("query-gpu-na.csv");
  REQUIRE(g.size() == 2);
  CHECK(g[0].uuid == kU0);
  CHECK_FALSE(g[0].util_pct);
  CHECK_FALSE(g[0].mem_used_mib);
  CHECK(g[0].mem_total_mib == 81559.0);
  CHECK_FALSE(g[1].util_pct);
  CHECK(g[1].mem_used_mib == 40000.0);
  CHECK_FALSE(g[1].mem_total_mib);
}

TEST_CASE("query-gpu: units and a header row are tolerated", "[gpu][smi]") {
  auto u = gpus_from("query-gpu-units.csv");
  REQUIRE(u.size() == 2);
  CHECK(u[0].util_pct == 97.0);
  CHECK(u[0].mem_used_mib == 70123.0);
  CHECK(u[0].mem_total_mib == 81559.0);
  auto h = gpus_from("query-gpu-header.csv");
  REQUIRE(h.size() == 1);
  CHECK(h[0].util_pct == 12.0);
}

TEST_CASE("query-gpu: MIG mode column", "[gpu][smi]") {
  auto g = gpus_from("query-gpu-mig.csv");
  REQUIRE(g.size() == 2);
  CHECK(g[0].mig);
  CHECK_FALSE(g[0].util_pct);
  CHECK_FALSE(g[1].mig);
  sidecar::parse_gpu_list(read_file(data_path("nvidia-smi/list-mig.txt")), &g);
  CHECK(g[0].mig_uuids == std::vector<std::string>{"MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f",
                                                   "MIG-cba663e8-9bed-5b0d-a2ca-c8e0d8a3a8e3"});
  CHECK(g[1].mig_uuids.empty());
}

TEST_CASE("query-gpu: malformed rows are located errors", "[gpu][smi]") {
  auto short_row = parse_gpu_query("0, GPU-1, 3, 4, 5\n1, GPU-2, 3\n");
  REQUIRE_FALSE(short_row.ok());
  CHECK(short_row.status().code() == sidecar::StatusCode::kParseError);
  CHECK(short_row.status().message().find("line 2") != std::string::npos);
  CHECK_FALSE(parse_gpu_query("x, GPU-1, 1, 2, 3\n").ok());
  CHECK_FALSE(parse_gpu_query("0, , 1, 2, 3\n").ok());
  CHECK_FALSE(parse_gpu_query("0, GPU-1, 1, 2, 3\n0, GPU-2, 1, 2, 3\n").ok());  // index twice
  auto empty = parse_gpu_query("\n\n");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("compute-apps: rows, [N/A] memory, none", "[gpu][smi]") {
  auto two = parse_compute_apps(read_file(data_path("nvidia-smi/compute-apps-two.csv")));
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  CHECK((*two)[0].gpu_uuid == kU0);
  CHECK((*two)[0].pid == 4242);
  CHECK((*two)[0].used_mib == 12345.0);
  auto na = parse_compute_apps(read_file(data_path("nvidia-smi/compute-apps-na.csv")));
  REQUIRE(na.ok());
  REQUIRE(na->size() == 3);
  CHECK_FALSE((*na)[0].used_mib);
  CHECK((*na)[1].pid == 78);
  CHECK((*na)[1].gpu_uuid == kU1);
  CHECK((*na)[2].pid == 79);  // containers: [Insufficient Permissions]
  CHECK_FALSE((*na)[2].used_mib);
  auto none = parse_compute_apps(read_file(data_path("nvidia-smi/compute-apps-none.txt")));
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK_FALSE(parse_compute_apps("GPU-1, pid, 3\n").ok());
}

TEST_CASE("busy: another process holds the GPU", "[gpu][judge]") {
  auto g = gpus_from("query-gpu-idle.csv", "compute-apps-two.csv");
  auto v = sidecar::judge_gpus(request({"0", "1"}), g, GpuOptions{});
  REQUIRE(v.size() == 2);
  CHECK(v[0].exists);
  CHECK(v[0].busy);
  CHECK(v[0].reason == "2 processes (pid 4242 12.1 GiB, pid 4243 500 MiB)");
  CHECK_FALSE(v[1].busy);
  CHECK(v[1].reason == "free");
}

TEST_CASE("busy: utilization and memory thresholds", "[gpu][judge]") {
  auto g = gpus_from("query-gpu-busy.csv");
  auto v = sidecar::judge_gpus(request({"0"}), g, GpuOptions{});
  REQUIRE(v.size() == 1);
  CHECK(v[0].busy);
  CHECK(v[0].reason == "utilization 97%, memory 86% used (68.5 GiB of 79.6 GiB)");
  GpuOptions loose;
  loose.util_busy_pct = 98;
  loose.mem_busy_pct = 90;
  CHECK_FALSE(sidecar::judge_gpus(request({"0"}), g, loose)[0].busy);
  GpuOptions exact;
  exact.util_busy_pct = 97;  // at the threshold counts as busy
  exact.mem_busy_pct = 100;
  CHECK(sidecar::judge_gpus(request({"0"}), g, exact)[0].reason == "utilization 97%");
}

TEST_CASE("busy: processes-only mode ignores utilization and memory", "[gpu][judge]") {
  GpuOptions o;
  o.processes_only = true;
  CHECK_FALSE(sidecar::judge_gpus(request({"0"}), gpus_from("query-gpu-busy.csv"), o)[0].busy);
  CHECK(sidecar::judge_gpus(request({"0"}), gpus_from("query-gpu-idle.csv", "compute-apps-two.csv"), o)[0].busy);
}

TEST_CASE("busy: [N/A] values never make a GPU busy, own pid ignored", "[gpu][judge]") {
  auto g = gpus_from("query-gpu-na.csv");
  auto v = sidecar::judge_gpus(request({"0", "1"}), g, GpuOptions{});
  CHECK_FALSE(v[0].busy);
  CHECK_FALSE(v[1].busy);  // memory used known, total not: no percentage
  auto held = gpus_from("query-gpu-idle.csv", "compute-apps-two.csv");
  held[0].processes.resize(1);
  CHECK_FALSE(sidecar::judge_gpus(request({"0"}), held, GpuOptions{}, 4242)[0].busy);
  CHECK(sidecar::judge_gpus(request({"0"}), held, GpuOptions{}, 99)[0].busy);
}

TEST_CASE("devices by UUID, UUID prefix, MIG instance, missing ones", "[gpu][judge]") {
  auto g = gpus_from("query-gpu-idle.csv", "compute-apps-two.csv");
  auto v = sidecar::judge_gpus(request({kU1, "GPU-7f0b4c3e", "7", "GPU-ffff"}), g, GpuOptions{});
  REQUIRE(v.size() == 4);
  CHECK(v[0].exists);
  CHECK(v[0].index == 1);
  CHECK_FALSE(v[0].busy);
  CHECK(v[1].exists);
  CHECK(v[1].index == 0);
  CHECK(v[1].busy);
  CHECK_FALSE(v[2].exists);
  CHECK(v[2].reason == "not found (nvidia-smi lists GPU 0, 1)");
  CHECK_FALSE(v[3].exists);

  auto mig = gpus_from("query-gpu-mig.csv");
  sidecar::parse_gpu_list(read_file(data_path("nvidia-smi/list-mig.txt")), &mig);
  mig[0].processes.push_back({"MIG-cba663e8-9bed-5b0d-a2ca-c8e0d8a3a8e3", 5151, 2048.0});
  auto m = sidecar::judge_gpus(
      request({"MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f", "MIG-cba663e8-9bed-5b0d-a2ca-c8e0d8a3a8e3", "MIG-0000"}),
      mig, GpuOptions{});
  CHECK(m[0].exists);
  CHECK_FALSE(m[0].busy);  // the process is on the other instance
  CHECK(m[1].busy);
  CHECK(m[1].index == 0);
  CHECK_FALSE(m[2].exists);
  // A process reported against the parent GPU cannot be placed: it counts.
  mig[0].processes.push_back({"GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77", 6161, 100.0});
  auto p = sidecar::judge_gpus(request({"MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"}), mig, GpuOptions{});
  CHECK(p[0].busy);
  CHECK(p[0].reason.find("MIG instance not reported") != std::string::npos);
}
