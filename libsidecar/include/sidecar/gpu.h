// GPU preflight (SPEC §6): which GPUs a command asks for, whether they are
// free, a bounded wait for them, and the operator's Continue/Stop choice when
// they stay busy.
//
//   auto req = sidecar::parse_requested_devices("CUDA_VISIBLE_DEVICES=0,1 python train.py", env);
//   sidecar::GpuOptions opts;                                 // or read_gpu_options(playbook, ...)
//   auto r = sidecar::wait_for_gpus(req, opts, print_progress);
//   if (!r) ...                                               // GPU missing, nvidia-smi failing
//   else if (!r->available) ... sidecar::gpu_occupied_decision(*r) ...
//
// Everything but wait_for_gpus / query_gpus / run_gpu_gate is pure. nvidia-smi
// is run through run_process with a timeout; its path is a setting so tests
// use a fake that prints canned CSV.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/operator.h"
#include "sidecar/status.h"

namespace sidecar {

struct Value;  // sidecar/config.h

// `default_action` must be one of the gate's choices (checked by read_gpu_options).
#define SIDECAR_GPU_OPTIONS(X)                                                                                  \
  X(std::string, nvidia_smi, "nvidia-smi", (), "program on PATH, or a path (CLI --nvidia-smi)")                 \
  X(double, util_busy_pct, 85, (0, 100), "busy at or above this utilization (%)")                               \
  X(double, mem_busy_pct, 85, (0, 100), "busy at or above this share of memory used (%)")                       \
  X(bool, processes_only, false, (), "busy only when another process holds the GPU")                            \
  X(int, free_polls_required, 1, (1, 1000), "consecutive free polls before declaring free")                     \
  X(double, poll_s, 10, (0.001, 86400), "seconds between nvidia-smi polls (CLI --poll)")                        \
  X(double, wait_s, 180, (0, 7 * 86400), "bounded wait for busy GPUs, then the operator is asked (CLI --wait)") \
  X(double, answer_timeout_s, 120, (0, 7 * 86400), "bounded wait for the operator's answer")                    \
  X(std::string, default_action, std::string(kStopChoice), (),                                                  \
    "applied when nobody answers: 'Stop Job' or 'Continue Anyway'")                                             \
  X(double, smi_timeout_s, 10, (0.1, 3600), "one nvidia-smi call; a hung one is killed and reported")
SIDECAR_OPTIONS(GpuOptions, SIDECAR_GPU_OPTIONS);

// Reads the playbook's `gpu:` section into `out` (errors appended, never thrown).
void read_gpu_options(const Value& playbook, GpuOptions* out, std::vector<Status>* errors);

// The GPUs a command asks for through CUDA_VISIBLE_DEVICES.
struct DeviceRequest {
  std::vector<std::string> devices;  // "0", "GPU-<uuid>", "MIG-<uuid>"; duplicates removed, order kept
  bool specified = false;            // CUDA_VISIBLE_DEVICES was set at all
  std::string source;                // "command" | "environment" (where the value came from)
  bool order_trusted = true;         // false when indices are used without CUDA_DEVICE_ORDER=PCI_BUS_ID
  std::string value;                 // the raw value that applies
  std::string note;                  // anything a person should know ("stopped at invalid entry 'x'", ...)
};

// The CUDA_VISIBLE_DEVICES (and CUDA_DEVICE_ORDER) that apply to the command's
// program, from the command text (prefix assignments, `env`, `export … &&`,
// quotes, `$VAR`, `sh -c`; the assignment that applies to the program wins;
// helpers such as `echo`/`nvidia-smi`/`tee` are not the job; a command that
// starts several programs asks for the GPUs of all of them) over the inherited
// `env`. Empty, "-1" and "NoDevFiles" request no GPU; like CUDA, the list ends
// at the first invalid entry. Pure.
DeviceRequest parse_requested_devices(std::string_view command,
                                      const std::vector<std::pair<std::string, std::string>>& env);

// The current process environment as (name, value) pairs.
std::vector<std::pair<std::string, std::string>> current_environment();

struct GpuProcess {
  std::string gpu_uuid;
  long pid = 0;
  std::optional<double> used_mib;
};

struct GpuInfo {
  int index = 0;
  std::string uuid;
  std::optional<double> util_pct, mem_used_mib, mem_total_mib;  // nullopt for [N/A] / [Not Supported]
  std::vector<GpuProcess> processes;
  bool mig = false;                    // MIG mode on (instances listed in mig_uuids)
  std::vector<std::string> mig_uuids;  // "MIG-…" instances of this GPU (from `nvidia-smi -L`)
};

// Parses `nvidia-smi --query-gpu=index,uuid,utilization.gpu,memory.used,memory.total
// --format=csv,noheader,nounits` (an optional 6th column mig.mode.current is
// understood). Errors: kParseError "nvidia-smi --query-gpu: line N: what".
Result<std::vector<GpuInfo>> parse_gpu_query(std::string_view csv);
// Parses `--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits`
// ("No running processes found" is an empty list).
Result<std::vector<GpuProcess>> parse_compute_apps(std::string_view csv);
// Parses `nvidia-smi -L` and records each GPU's MIG instances in `gpus` (matched by UUID).
void parse_gpu_list(std::string_view text, std::vector<GpuInfo>* gpus);

// One requested device, judged.
struct GpuVerdict {
  std::string device;  // as requested
  bool exists = false;
  bool busy = false;
  int index = -1;      // the GPU it resolved to (the parent GPU for a MIG instance)
  std::string reason;  // "2 processes (pid 4242 12.3 GiB, ...)" / "utilization 97%" / "not found"
};

// Applies the busy rule to each requested device. Processes with pid
// `self_pid_to_ignore` do not count. Pure.
std::vector<GpuVerdict> judge_gpus(const DeviceRequest& request, const std::vector<GpuInfo>& gpus,
                                   const GpuOptions& options, long self_pid_to_ignore = 0);

struct PreflightResult {
  std::vector<std::string> requested;
  std::vector<std::string> busy;
  bool available = false;
  double waited_seconds = 0;
  bool timed_out = false;
  std::string reason;
  std::vector<GpuInfo> gpus;  // the latest nvidia-smi view
  bool skipped = false;       // no GPU requested or nvidia-smi absent
  // Progress details (also in the JSON):
  std::vector<GpuVerdict> verdicts;  // the latest verdict per requested device
  int polls = 0;
  double time_left_s = 0;  // while waiting
  bool order_trusted = true;
  std::string note;
  // Set once the operator gate ran (run_gpu_gate):
  std::string decision;    // "Continue Anyway" / "Stop Job"; empty when nobody was asked
  std::string decided_by;  // "response_file" | "tty" | "default" | "policy"
  std::string alert_id;
  bool proceed = false;  // launch the job
};

// {"type":"preflight","requested":[…],"busy":[…],"available":bool,"waited_seconds":…,
//  "timed_out":bool,"reason":…,"skipped":bool,"gpus":[{index,uuid,util_pct,mem_used_mib,
//  mem_total_mib,mig,processes:[{pid,used_mib}]}], …, "decision":… when asked}
std::string to_json(const PreflightResult& r);
// A short human summary ("GPU 0 busy: 1 process (pid 4242 12.0 GiB); waited 180 s").
std::string to_text(const PreflightResult& r);

// One poll: runs nvidia-smi (--query-gpu, --query-compute-apps, and -L when a
// MIG device is asked for or a process names a device that is not one of the
// GPUs, i.e. a MIG instance). Errors: kNotFound (no nvidia-smi), kUnavailable
// (non-zero exit, timeout, killed), kParseError.
Result<std::vector<GpuInfo>> query_gpus(const GpuOptions& options, bool with_mig_list = false);

// Bounded wait: polls every poll_s up to wait_s until the requested GPUs have
// been free for free_polls_required consecutive polls. `progress` gets every
// poll (which GPUs, who holds them, time left). Returns available=false,
// timed_out=true when still busy at the deadline; skipped when nothing is
// requested or nvidia-smi is absent. Errors: kNotFound (a requested GPU does
// not exist), kUnavailable (nvidia-smi failing at the first poll, or still
// failing at the deadline; a failure mid-wait is reported through `progress`,
// never taken as free), kParseError.
Result<PreflightResult> wait_for_gpus(const DeviceRequest& request, const GpuOptions& options,
                                      const std::function<void(const PreflightResult&)>& progress,
                                      const Clock& clock = Clock::system(), long self_pid_to_ignore = 0);

// The timeout decision: source preflight, syndrome "gpu_occupied", severity
// warning, choices {"Continue Anyway","Stop Job"}, evidence (busy GPUs, holders).
Decision gpu_occupied_decision(const PreflightResult& r);

enum class OnTimeout { kAsk, kContinue, kStop };
std::optional<OnTimeout> parse_on_timeout(std::string_view text);  // "ask" | "continue" | "stop"

// How the gate reaches people.
struct GateChannels {
  std::string run_dir;  // where alerts/<id>.response is read; empty: no response file
  std::string run_id;
  // Emits the alert (stdout, alerts.jsonl, server…). Returns the id to watch
  // (a server-assigned one, sanitised here) or "" to keep alert.id.
  std::function<std::string(const Alert&)> emit_alert;
  std::function<std::optional<std::string>()> other_answer;  // non-blocking (TTY); may be empty
  std::function<double()> wall_time;                         // epoch seconds for alert.ts; empty: system
};

// The whole preflight: wait_for_gpus, then when still busy at the deadline
// either apply `on_timeout` (continue/stop) or raise the gpu_occupied alert
// and ask (bounded by answer_timeout_s, then default_action). Fills
// decision/decided_by/alert_id/proceed. Errors as wait_for_gpus.
Result<PreflightResult> run_gpu_gate(const DeviceRequest& request, const GpuOptions& options, OnTimeout on_timeout,
                                     const ActionTable& table, const GateChannels& channels,
                                     const std::function<void(const PreflightResult&)>& progress,
                                     const Clock& clock = Clock::system(), long self_pid_to_ignore = 0);

}  // namespace sidecar
