// GPU preflight: the busy rule, the bounded wait, the gpu_occupied decision,
// the operator gate, and the preflight record.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"

namespace sidecar {
namespace {

const std::vector<std::string>& gate_choices() {
  static const std::vector<std::string> kChoices = {std::string(kContinueChoice), std::string(kStopChoice)};
  return kChoices;
}

std::string fmt_num(double v, const char* f = "%g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Seconds for people: "180 s", "2.5 s".
std::string fmt_secs(double s) {
  if (s >= 10 || s == std::floor(s)) return fmt_num(s, "%.0f") + " s";
  return fmt_num(s, "%.1f") + " s";
}

std::string fmt_mib(double mib) {
  if (mib < 1024) return fmt_num(mib, "%.0f") + " MiB";
  return fmt_num(mib / 1024.0, "%.1f") + " GiB";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool uuid_matches(std::string_view have, std::string_view want, bool allow_prefix) {
  if (detail::iequals(have, want)) return true;
  return allow_prefix && want.size() >= 8 && have.size() > want.size() &&
         detail::iequals(have.substr(0, want.size()), want);
}

// The GPU a requested device names (and, for a MIG instance, which one).
const GpuInfo* resolve(std::string_view device, const std::vector<GpuInfo>& gpus, bool* is_mig) {
  *is_mig = false;
  if (all_digits(device)) {
    if (device.size() > 7) return nullptr;
    int index = std::stoi(std::string(device));
    for (const auto& g : gpus)
      if (g.index == index) return &g;
    return nullptr;
  }
  if (device.rfind("MIG-", 0) == 0) {
    *is_mig = true;
    for (const auto& g : gpus)
      for (const auto& m : g.mig_uuids)
        if (uuid_matches(m, device, false)) return &g;
    return nullptr;
  }
  for (const auto& g : gpus)  // exact UUID first, then a unique prefix (CUDA accepts one)
    if (uuid_matches(g.uuid, device, false)) return &g;
  const GpuInfo* found = nullptr;
  for (const auto& g : gpus)
    if (uuid_matches(g.uuid, device, true)) {
      if (found) return nullptr;  // ambiguous
      found = &g;
    }
  return found;
}

std::string list_indices(const std::vector<GpuInfo>& gpus) {
  std::vector<std::string> ids;
  for (const auto& g : gpus) ids.push_back(std::to_string(g.index));
  return ids.empty() ? "no GPUs" : "GPU " + join(ids, ", ");
}

std::string device_label(const GpuVerdict& v) {
  if (all_digits(v.device)) return "GPU " + v.device;
  if (v.index >= 0) return v.device + " (GPU " + std::to_string(v.index) + ")";
  return v.device;
}

}  // namespace

void read_gpu_options(const Value& playbook, GpuOptions* out, std::vector<Status>* errors) {
  const Value* section = playbook.find("gpu");
  if (!section || section->is_null()) return;
  ConfigReader r(*section, "gpu", errors);
  const std::string before = out->default_action;
  read_options(r, out);  // OptionTable<GpuOptions>: keys, bounds
  if (const Value* v = section->is_object() ? section->find("default_action") : nullptr) {
    const std::string action = out->default_action;
    out->default_action = before;
    const std::string* match = nullptr;
    for (const auto& c : gate_choices())
      if (detail::iequals(detail::trim(action), c)) match = &c;
    if (match)
      out->default_action = *match;
    else
      r.error(*v, "default_action", "expected 'Continue Anyway' or 'Stop Job', got '" + action + "'");
  }
  if (out->nvidia_smi.empty()) r.error(*section, "nvidia_smi", "must not be empty");
  r.finish({});
}

std::vector<GpuVerdict> judge_gpus(const DeviceRequest& request, const std::vector<GpuInfo>& gpus,
                                   const GpuOptions& options, long self_pid_to_ignore) {
  std::vector<GpuVerdict> out;
  for (const auto& device : request.devices) {
    GpuVerdict v;
    v.device = device;
    bool is_mig = false;
    const GpuInfo* g = resolve(device, gpus, &is_mig);
    if (!g) {
      v.reason = "not found (nvidia-smi lists " + list_indices(gpus) + ")";
      out.push_back(std::move(v));
      continue;
    }
    v.exists = true;
    v.index = g->index;
    std::vector<std::string> reasons;
    std::vector<const GpuProcess*> holders;
    bool parent_level = false;
    for (const auto& p : g->processes) {
      if (self_pid_to_ignore != 0 && p.pid == self_pid_to_ignore) continue;
      if (is_mig && !detail::iequals(p.gpu_uuid, device)) {
        if (!detail::iequals(p.gpu_uuid, g->uuid)) continue;  // on another MIG instance
        parent_level = true;                                  // reported for the whole GPU: cannot tell which instance
      }
      holders.push_back(&p);
    }
    if (!holders.empty()) {
      std::string r = std::to_string(holders.size()) + (holders.size() == 1 ? " process (" : " processes (");
      for (std::size_t i = 0; i < holders.size() && i < 4; ++i) {
        if (i) r += ", ";
        r += "pid " + std::to_string(holders[i]->pid);
        if (holders[i]->used_mib) r += " " + fmt_mib(*holders[i]->used_mib);
      }
      if (holders.size() > 4) r += ", ...";
      r += ")";
      if (parent_level) r += " on GPU " + std::to_string(g->index) + " (MIG instance not reported)";
      reasons.push_back(std::move(r));
    }
    // Utilization and memory describe the whole GPU: not used for a MIG instance.
    if (!options.processes_only && !is_mig) {
      if (g->util_pct && *g->util_pct >= options.util_busy_pct)
        reasons.push_back("utilization " + fmt_num(*g->util_pct, "%.0f") + "%");
      if (g->mem_used_mib && g->mem_total_mib && *g->mem_total_mib > 0) {
        double pct = 100.0 * *g->mem_used_mib / *g->mem_total_mib;
        if (pct >= options.mem_busy_pct)
          reasons.push_back("memory " + fmt_num(pct, "%.0f") + "% used (" + fmt_mib(*g->mem_used_mib) + " of " +
                            fmt_mib(*g->mem_total_mib) + ")");
      }
    }
    v.busy = !reasons.empty();
    v.reason = v.busy ? join(reasons, ", ") : "free";
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

// Nothing to check (no CUDA_VISIBLE_DEVICES, one the shell computes, or one
// that names no GPU): a skipped check that lets the job start.
PreflightResult skip_unrequested(const DeviceRequest& request, PreflightResult r) {
  r.skipped = true;
  r.available = true;
  r.proceed = true;
  if (!request.specified)
    r.reason = "CUDA_VISIBLE_DEVICES is not set; no GPU check";
  else if (request.note.find("computed by the shell") != std::string::npos)
    r.reason = "cannot tell which GPUs are requested; no GPU check";
  else
    r.reason = "CUDA_VISIBLE_DEVICES='" + request.value + "' requests no GPU";
  return r;
}

// One answered poll, from r->verdicts: the busy devices, the reason, and the
// streak of free polls. Errors: kNotFound when a requested device is not listed.
Status take_verdicts(const DeviceRequest& request, int required, int* free_streak, PreflightResult* r) {
  std::vector<std::string> missing, reasons;
  r->busy.clear();
  for (const auto& v : r->verdicts) {
    if (!v.exists) missing.push_back(device_label(v));
    if (v.busy) {
      r->busy.push_back(v.device);
      reasons.push_back(device_label(v) + ": " + v.reason);
    }
  }
  if (!missing.empty())
    return Status(StatusCode::kNotFound, "requested " + join(missing, ", ") + " not found: nvidia-smi lists " +
                                             list_indices(r->gpus) + " (CUDA_VISIBLE_DEVICES='" + request.value + "')");
  *free_streak = r->busy.empty() ? *free_streak + 1 : 0;
  if (r->busy.empty()) {
    r->reason = "free";
    if (*free_streak < required)
      r->reason += " (" + std::to_string(*free_streak) + " of " + std::to_string(required) + " consecutive polls)";
  } else {
    r->reason = join(reasons, "; ");
  }
  return Status::Ok();
}

}  // namespace

Result<PreflightResult> wait_for_gpus(const DeviceRequest& request, const GpuOptions& options,
                                      const std::function<void(const PreflightResult&)>& progress, const Clock& clock,
                                      long self_pid_to_ignore) {
  PreflightResult r;
  r.requested = request.devices;
  r.order_trusted = request.order_trusted;
  r.note = request.note;
  if (!request.specified || request.devices.empty()) return skip_unrequested(request, std::move(r));
  const bool need_mig = std::any_of(request.devices.begin(), request.devices.end(),
                                    [](const std::string& d) { return d.rfind("MIG-", 0) == 0; });
  const int required = std::max(1, options.free_polls_required);
  const double start = clock.now();
  int free_streak = 0;
  std::optional<Status> failing;  // the latest poll failed

  for (;;) {
    ++r.polls;
    auto q = query_gpus(options, need_mig);
    if (!q) {
      if (r.polls == 1) {
        if (q.status().code() == StatusCode::kNotFound) {
          r.skipped = true;
          r.available = true;
          r.proceed = true;
          r.reason = q.status().message() + "; GPU check skipped";
          return r;
        }
        return q.status();
      }
      failing = q.status();
      free_streak = 0;
      r.reason = "nvidia-smi failed: " + q.status().message();
    } else {
      failing.reset();
      r.gpus = std::move(*q);
      r.verdicts = judge_gpus(request, r.gpus, options, self_pid_to_ignore);
      if (Status s = take_verdicts(request, required, &free_streak, &r); !s.ok()) return s;
    }
    const double elapsed = clock.now() - start;
    r.waited_seconds = std::max(0.0, elapsed);
    r.time_left_s = std::max(0.0, options.wait_s - elapsed);
    if (!failing && free_streak >= required) {
      r.available = true;
      r.proceed = true;
      r.time_left_s = 0;
      r.reason = (r.requested.size() == 1 ? "GPU " : "GPUs ") + join(r.requested, ", ") + " free";
      if (required > 1) r.reason += " for " + std::to_string(required) + " consecutive polls";
      if (progress) progress(r);
      return r;
    }
    if (progress) progress(r);
    if (r.time_left_s <= 0) break;
    clock.sleep(std::min(options.poll_s > 0 ? options.poll_s : 1.0, r.time_left_s));
  }
  if (failing)
    return Status(StatusCode::kUnavailable,
                  "nvidia-smi still failing after " + fmt_secs(r.waited_seconds) + ": " + failing->message());
  r.timed_out = true;
  r.available = false;
  if (r.busy.empty()) r.busy = r.requested;  // free, but not for enough consecutive polls
  r.reason = "still busy after " + fmt_secs(r.waited_seconds) + ": " + r.reason;
  return r;
}

Decision gpu_occupied_decision(const PreflightResult& r) {
  Decision d;
  d.source = Source::kPreflight;
  d.syndrome = "gpu_occupied";
  d.severity = Severity::kWarning;
  d.choices = gate_choices();
  std::string which = (r.busy.size() == 1 ? "GPU " : "GPUs ") + join(r.busy, ", ");
  d.message = which + " still busy after " + fmt_secs(r.waited_seconds);
  std::vector<std::string> holders;
  for (const auto& v : r.verdicts)
    if (v.busy) holders.push_back(device_label(v) + ": " + v.reason);
  if (!holders.empty()) d.message += " (" + join(holders, "; ") + ")";
  d.message += ". Continue anyway or stop the job?";
  d.evidence.emplace_back("requested", join(r.requested, ","));
  d.evidence.emplace_back("busy", join(r.busy, ","));
  d.evidence.emplace_back("waited_s", fmt_num(r.waited_seconds, "%.1f"));
  for (const auto& v : r.verdicts)
    if (v.busy) d.evidence.emplace_back(device_label(v), v.reason);
  if (!r.order_trusted) d.evidence.emplace_back("order", "indices assume CUDA_DEVICE_ORDER=PCI_BUS_ID");
  d.signature = "preflight/gpu_occupied/" + join(r.busy, ",");
  return d;
}

std::optional<OnTimeout> parse_on_timeout(std::string_view text) {
  static constexpr detail::Named<OnTimeout> kNames[] = {
      {OnTimeout::kAsk, "ask"}, {OnTimeout::kContinue, "continue"}, {OnTimeout::kStop, "stop"}};
  return detail::parse_named(kNames, text);
}

Result<PreflightResult> run_gpu_gate(const DeviceRequest& request, const GpuOptions& options, OnTimeout on_timeout,
                                     const ActionTable& table, const GateChannels& channels,
                                     const std::function<void(const PreflightResult&)>& progress, const Clock& clock,
                                     long self_pid_to_ignore) {
  auto waited = wait_for_gpus(request, options, progress, clock, self_pid_to_ignore);
  if (!waited) return waited;
  PreflightResult r = std::move(*waited);
  if (r.available) {
    r.proceed = true;
    return r;
  }
  if (on_timeout != OnTimeout::kAsk) {
    r.decision = on_timeout == OnTimeout::kContinue ? kContinueChoice : kStopChoice;
    r.decided_by = "policy";
    r.proceed = on_timeout == OnTimeout::kContinue;
    return r;
  }
  Alert alert;
  alert.ts = channels.wall_time
                 ? channels.wall_time()
                 : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  alert.run_id = channels.run_id;
  alert.decision = gpu_occupied_decision(r);
  alert.id = sanitize_alert_id("preflight-gpu_occupied-" +
                               std::to_string(static_cast<long long>(std::llround(alert.ts * 1000.0))));
  std::string watch_id = alert.id;
  if (channels.emit_alert) {
    std::string assigned = channels.emit_alert(alert);
    if (!assigned.empty()) watch_id = sanitize_alert_id(assigned);
  }
  AskOptions ask;
  ask.timeout_s = options.answer_timeout_s;
  ask.poll_s = std::clamp(options.answer_timeout_s / 20.0, 0.01, 0.5);
  ask.default_choice = options.default_action;
  AskResult a =
      ask_operator(channels.run_dir, watch_id, alert.decision.choices, table, ask, channels.other_answer, clock);
  r.alert_id = watch_id;
  r.decision = a.choice;
  r.decided_by = a.decided_by;
  r.proceed = a.action == Action::kContinue;
  if (!a.problem.empty()) r.reason += "; " + a.problem;
  return r;
}

std::string to_json(const PreflightResult& r) {
  detail::JsonWriter w;
  w.begin_object().key("type").value("preflight");
  w.key("requested").begin_array();
  for (const auto& d : r.requested) w.value(d);
  w.end_array().key("busy").begin_array();
  for (const auto& d : r.busy) w.value(d);
  w.end_array();
  w.key("available").value(r.available).key("waited_seconds").value(r.waited_seconds);
  w.key("timed_out").value(r.timed_out).key("reason").value(r.reason).key("skipped").value(r.skipped);
  w.key("polls").value(r.polls).key("order_trusted").value(r.order_trusted);
  if (!r.note.empty()) w.key("note").value(r.note);
  if (r.time_left_s > 0) w.key("time_left_s").value(r.time_left_s);
  w.key("devices").begin_array();
  for (const auto& v : r.verdicts) {
    w.begin_object().key("device").value(v.device).key("exists").value(v.exists).key("busy").value(v.busy);
    if (v.index >= 0) w.key("index").value(v.index);
    w.key("reason").value(v.reason).end_object();
  }
  w.end_array().key("gpus").begin_array();
  for (const auto& g : r.gpus) {
    w.begin_object().key("index").value(g.index).key("uuid").value(g.uuid);
    w.key("util_pct").value(g.util_pct).key("mem_used_mib").value(g.mem_used_mib);
    w.key("mem_total_mib").value(g.mem_total_mib);
    w.key("mig").value(g.mig).key("processes").begin_array();
    for (const auto& p : g.processes) {
      w.begin_object().key("pid").value(static_cast<std::int64_t>(p.pid)).key("gpu_uuid").value(p.gpu_uuid);
      w.key("used_mib").value(p.used_mib);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  w.key("proceed").value(r.proceed);
  if (!r.decision.empty()) {
    w.key("decision").value(r.decision).key("decided_by").value(r.decided_by);
    if (!r.alert_id.empty()) w.key("alert_id").value(r.alert_id);
  }
  w.end_object();
  return w.take();
}

std::string to_text(const PreflightResult& r) {
  std::string out;
  if (r.skipped) {
    out = "GPU preflight skipped: " + r.reason;
  } else if (r.available) {
    out = r.reason;
    if (r.waited_seconds >= 0.5) out += " (waited " + fmt_secs(r.waited_seconds) + ")";
  } else {
    out = "GPU preflight: " + r.reason;
  }
  if (!r.decision.empty()) {
    out += "\ndecision: " + r.decision + " (" + r.decided_by + ")";
    out += r.proceed ? " -> the job goes ahead" : " -> the job is not started";
  }
  if (!r.note.empty() && !r.skipped) out += "\nnote: " + r.note;
  return out;
}

}  // namespace sidecar
