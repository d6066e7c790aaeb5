// nvidia-smi: the CSV queries preflight runs and their tolerant parsers
// ([N/A], [Not Supported], blank lines, extra spaces, units left in, MIG).
#include <algorithm>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"
#include "sidecar/process.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxRows = 4096;  // far more GPUs/processes than one node has

std::string excerpt(std::string_view line) {
  line = detail::trim(line);
  if (line.size() > 80) return std::string(line.substr(0, 77)) + "...";
  return std::string(line);
}

// A numeric field; nullopt for [N/A], [Not Supported], [Unknown Error], N/A, "".
// Units left in by a query without `nounits` ("97 %", "1234 MiB") are accepted.
std::optional<double> field_number(std::string_view f) {
  f = detail::trim(f);
  if (f.empty() || f.front() == '[' || detail::iequals(f, "N/A")) return std::nullopt;
  for (std::string_view unit : {"%", "MiB", "MB", "W", "C"}) {
    if (f.size() > unit.size() && f.substr(f.size() - unit.size()) == unit) {
      f = detail::trim(f.substr(0, f.size() - unit.size()));
      break;
    }
  }
  auto v = detail::parse_number(f);
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

std::optional<long> field_int(std::string_view f) {
  f = detail::trim(f);
  if (f.empty() || f.size() > 12) return std::nullopt;
  long v = 0;
  for (char c : f) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Lines of nvidia-smi output worth parsing (not blank, not a header).
template <typename Fn>
Status for_each_row(std::string_view csv, std::string_view header_word, std::string_view what, Fn&& fn) {
  std::size_t line_no = 0, rows = 0;
  for (std::string_view line : detail::split(csv, '\n')) {
    ++line_no;
    std::string_view t = detail::trim(line);
    if (t.empty()) continue;
    if (t.rfind(header_word, 0) == 0) continue;  // a header row (csv without noheader)
    if (++rows > kMaxRows) return Status(StatusCode::kResourceExhausted, std::string(what) + ": more than 4096 rows");
    Status s = fn(t, line_no);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status row_error(std::string_view what, std::size_t line_no, std::string_view msg, std::string_view line) {
  return Status(StatusCode::kParseError, std::string(what) + ": line " + std::to_string(line_no) + ": " +
                                             std::string(msg) + " in '" + excerpt(line) + "'");
}

}  // namespace

Result<std::vector<GpuInfo>> parse_gpu_query(std::string_view csv) {
  constexpr std::string_view kWhat = "nvidia-smi --query-gpu";
  std::vector<GpuInfo> gpus;
  Status s = for_each_row(csv, "index", kWhat, [&](std::string_view line, std::size_t n) -> Status {
    auto f = detail::split(line, ',');
    if (f.size() < 5)
      return row_error(kWhat, n, "expected 5 fields (index, uuid, utilization.gpu, memory.used, memory.total)", line);
    GpuInfo g;
    auto index = field_int(f[0]);
    if (!index || *index > 1'000'000) return row_error(kWhat, n, "bad GPU index", line);
    g.index = static_cast<int>(*index);
    g.uuid = std::string(detail::trim(f[1]));
    if (g.uuid.empty()) return row_error(kWhat, n, "empty GPU UUID", line);
    g.util_pct = field_number(f[2]);
    g.mem_used_mib = field_number(f[3]);
    g.mem_total_mib = field_number(f[4]);
    if (f.size() > 5 && detail::iequals(detail::trim(f[5]), "Enabled")) g.mig = true;  // mig.mode.current
    for (const auto& other : gpus)
      if (other.index == g.index) return row_error(kWhat, n, "GPU index listed twice", line);
    gpus.push_back(std::move(g));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return gpus;
}

Result<std::vector<GpuProcess>> parse_compute_apps(std::string_view csv) {
  constexpr std::string_view kWhat = "nvidia-smi --query-compute-apps";
  std::vector<GpuProcess> procs;
  Status s = for_each_row(csv, "gpu_uuid", kWhat, [&](std::string_view line, std::size_t n) -> Status {
    if (detail::to_lower(line).find("no running") != std::string::npos) return Status::Ok();
    auto f = detail::split(line, ',');
    if (f.size() < 2) return row_error(kWhat, n, "expected 3 fields (gpu_uuid, pid, used_memory)", line);
    GpuProcess p;
    p.gpu_uuid = std::string(detail::trim(f[0]));
    auto pid = field_int(f[1]);
    if (p.gpu_uuid.empty() || !pid) return row_error(kWhat, n, "bad GPU UUID or pid", line);
    p.pid = *pid;
    if (f.size() > 2) p.used_mib = field_number(f[2]);
    procs.push_back(std::move(p));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return procs;
}

void parse_gpu_list(std::string_view text, std::vector<GpuInfo>* gpus) {
  GpuInfo* current = nullptr;
  auto uuid_in = [](std::string_view line) -> std::string_view {
    auto p = line.find("UUID:");
    if (p == std::string_view::npos) return {};
    std::string_view rest = detail::trim(line.substr(p + 5));
    auto end = rest.find_first_of(") ");
    return rest.substr(0, end);
  };
  for (std::string_view line : detail::split(text, '\n')) {
    std::string_view t = detail::trim(line);
    std::string_view uuid = uuid_in(t);
    if (uuid.empty()) continue;
    if (t.rfind("GPU ", 0) == 0) {
      current = nullptr;
      for (auto& g : *gpus)
        if (detail::iequals(g.uuid, uuid)) current = &g;
    } else if (t.rfind("MIG", 0) == 0 && current && uuid.rfind("MIG-", 0) == 0) {
      current->mig = true;
      if (current->mig_uuids.size() < 64) current->mig_uuids.emplace_back(uuid);
    }
  }
}

namespace {

Result<std::string> smi(const GpuOptions& options, std::vector<std::string> args) {
  args.insert(args.begin(), options.nvidia_smi);
  ProcessOptions po;
  po.timeout_s = options.smi_timeout_s;
  po.max_output = std::size_t{1} << 20;
  auto r = run_process(args, "", po);
  if (!r) {
    if (r.status().code() == StatusCode::kNotFound)
      return Status(StatusCode::kNotFound, "nvidia-smi not found ('" + options.nvidia_smi + "')");
    return Status(r.status().code(), "nvidia-smi ('" + options.nvidia_smi + "'): " + r.status().message());
  }
  std::string cmd = "nvidia-smi " + args[1];
  if (r->timed_out) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", options.smi_timeout_s);
    return Status(StatusCode::kUnavailable, cmd + " did not answer within " + buf + " s");
  }
  if (r->term_signal != 0)
    return Status(StatusCode::kUnavailable, cmd + " was killed by signal " + std::to_string(r->term_signal));
  if (r->exit_code != 0) {
    std::string_view said = detail::trim(r->err);
    if (said.empty()) said = detail::trim(r->out);
    said = said.substr(0, said.find('\n'));
    std::string msg = cmd + " exited with status " + std::to_string(r->exit_code);
    if (!said.empty()) msg += ": " + excerpt(said);
    return Status(StatusCode::kUnavailable, msg);
  }
  return std::move(r->out);
}

}  // namespace

Result<std::vector<GpuInfo>> query_gpus(const GpuOptions& options, bool with_mig_list) {
  auto q = smi(options,
               {"--query-gpu=index,uuid,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"});
  if (!q) return q.status();
  auto gpus = parse_gpu_query(*q);
  if (!gpus) return gpus.status();
  auto a = smi(options, {"--query-compute-apps=gpu_uuid,pid,used_memory", "--format=csv,noheader,nounits"});
  if (!a) return a.status();
  auto procs = parse_compute_apps(*a);
  if (!procs) return procs.status();
  // MIG instances are listed only by `-L`: run it when a MIG device is asked
  // for, or when a process names a device that is not one of the GPUs.
  const bool unmatched = std::any_of(procs->begin(), procs->end(), [&](const GpuProcess& p) {
    return std::none_of(gpus->begin(), gpus->end(),
                        [&](const GpuInfo& g) { return detail::iequals(g.uuid, p.gpu_uuid); });
  });
  if (with_mig_list || unmatched) {
    auto l = smi(options, {"-L"});
    if (!l) return l.status();
    parse_gpu_list(*l, &*gpus);
  }
  // A process belongs to the GPU whose UUID (or one of whose MIG instances) it names.
  for (auto& p : *procs)
    for (auto& g : *gpus)
      if (detail::iequals(g.uuid, p.gpu_uuid) ||
          std::any_of(g.mig_uuids.begin(), g.mig_uuids.end(),
                      [&](const std::string& m) { return detail::iequals(m, p.gpu_uuid); })) {
        g.processes.push_back(p);
        break;
      }
  return gpus;
}

}  // namespace sidecar
