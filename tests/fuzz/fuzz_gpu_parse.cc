// Fuzzes the GPU preflight parsers: nvidia-smi CSV (--query-gpu,
// --query-compute-apps, -L) and CUDA_VISIBLE_DEVICES from a shell command.
// Never a crash; parsed values stay sane; the record is always valid JSON.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/config.h"
#include "sidecar/gpu.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<sidecar::GpuInfo> gpus;
  if (auto g = sidecar::parse_gpu_query(text)) {
    gpus = std::move(*g);
    for (const auto& gpu : gpus) {
      if (gpu.uuid.empty() || gpu.index < 0) std::abort();
      for (const auto& v : {gpu.util_pct, gpu.mem_used_mib, gpu.mem_total_mib})
        if (v && (!std::isfinite(*v) || *v < 0)) std::abort();
    }
  } else if (g.status().message().empty()) {
    std::abort();
  }
  if (auto p = sidecar::parse_compute_apps(text)) {
    for (const auto& proc : *p)
      if (proc.gpu_uuid.empty() || proc.pid < 0) std::abort();
    if (!gpus.empty()) gpus[0].processes = std::move(*p);
  }
  sidecar::parse_gpu_list(text, &gpus);

  // The same bytes as a command line (and as an inherited value).
  auto req = sidecar::parse_requested_devices(text, {{"CUDA_VISIBLE_DEVICES", std::string(text.substr(0, 64))}});
  for (const auto& d : req.devices) {
    if (d.empty()) std::abort();
    if (d.rfind("GPU-", 0) != 0 && d.rfind("MIG-", 0) != 0)
      for (char c : d)
        if (c < '0' || c > '9') std::abort();
  }
  sidecar::PreflightResult r;
  r.requested = req.devices;
  r.gpus = gpus;
  r.verdicts = sidecar::judge_gpus(req, gpus, sidecar::GpuOptions{});
  if (r.verdicts.size() != req.devices.size()) std::abort();
  r.reason = std::string(text.substr(0, 256));
  if (!sidecar::parse_json(sidecar::to_json(r)).ok()) std::abort();
  return 0;
}
