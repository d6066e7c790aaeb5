// sidecar-cli preflight: are the GPUs a command asks for free? Waits (bounded)
// while they are busy, then asks the operator Continue/Stop. All the logic is
// libsidecar's run_gpu_gate; this file wires flags, output and channels.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/config.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/core/detectors/common.h"
#include "sidecar/core/records.h"
#include "sidecar/gpu.h"
#include "sidecar/operator.h"

namespace sidecar::cli {
namespace {

// The GPU defaults in help come from GpuOptions' initializers (not restated here).
const GpuOptions kGpuDefaults;
const std::string kWaitHelp =
    "wait up to S seconds for busy GPUs (playbook gpu.wait_s, default " + detail::fmt_num(kGpuDefaults.wait_s) + ")";
const std::string kPollHelp =
    "poll nvidia-smi every S seconds while waiting (default " + detail::fmt_num(kGpuDefaults.poll_s) + ")";
const std::string kFreePollsHelp = "consecutive free polls needed before a GPU counts as free (default " +
                                   std::to_string(kGpuDefaults.free_polls_required) + ")";
const std::string kAnswerTimeoutHelp =
    "how long to wait for the operator's answer (default " + detail::fmt_num(kGpuDefaults.answer_timeout_s) + ")";
const std::string kNvidiaSmiHelp =
    "the nvidia-smi program to run (default: " + kGpuDefaults.nvidia_smi + ", looked up on PATH unless a path)";
const std::string kDefaultActionHelp = "applied when nobody answers: '" + std::string(kStopChoice) + "' or '" +
                                       std::string(kContinueChoice) + "' (default '" + kGpuDefaults.default_action +
                                       "')";

const FlagSpec kFlags[] = {
    {"command", 'c', "CMD", "the job's command line; CUDA_VISIBLE_DEVICES is read from it and the environment"},
    {"devices", 'd', "LIST", "check these devices instead (\"0,1\", GPU-<uuid>, MIG-<uuid>)"},
    {"wait", 'w', "S", kWaitHelp},
    {"poll", 0, "S", kPollHelp},
    {"free-polls", 0, "N", kFreePollsHelp},
    {"processes-only", 0, "", "busy only when another process holds the GPU (ignore utilization and memory)"},
    {"nvidia-smi", 0, "PATH", kNvidiaSmiHelp},
    {"on-timeout", 0, "ACTION", "still busy after the wait: ask (default), continue or stop"},
    {"answer-timeout", 0, "S", kAnswerTimeoutHelp},
    {"default-action", 0, "CHOICE", kDefaultActionHelp},
    {"run-dir", 0, "DIR", "run directory: answers are read from DIR/alerts/<id>.response (default .)"},
    {"run-id", 0, "ID", "run id put in the alert"},
    {"playbook", 'p', "FILE", "playbook merged over the default (gpu: and operator: sections)"},
    kFormatFlag,
};

constexpr std::string_view kUsage =
    "sidecar-cli preflight [--command CMD | --devices LIST] [--wait S] [--poll S] [--nvidia-smi PATH]\n"
    "                      [--on-timeout ask|continue|stop] [--answer-timeout S] [--run-dir DIR] [--format "
    "text|jsonl]";
constexpr std::string_view kSummary =
    "Checks that the GPUs a job asks for (CUDA_VISIBLE_DEVICES in --command or the environment) are free.\n"
    "While they are busy it polls nvidia-smi up to --wait seconds, then raises a preflight/gpu_occupied\n"
    "alert with the choices 'Continue Anyway' / 'Stop Job', answered in DIR/alerts/<id>.response or on\n"
    "the terminal within --answer-timeout seconds, else the default action applies.";
constexpr std::string_view kExit =
    "0 go ahead (free, nothing to check, or Continue Anyway), 1 still busy and the job\nshould not start (Stop Job), "
    "2 error (a requested GPU does not exist, nvidia-smi failing, bad flags)";

Status set_number(const ParsedFlags& f, std::string_view name, double* out, double min) {
  auto n = f.number(name);
  if (!n) return n.status();
  if (!*n) return Status::Ok();
  if (**n < min)
    return Status(StatusCode::kInvalidArgument,
                  "--" + std::string(name) + ": expected a number >= " + std::to_string(static_cast<int>(min)));
  *out = **n;
  return Status::Ok();
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s >= 10 || s == static_cast<long long>(s) ? "%.0f s" : "%.1f s", s);
  return buf;
}

// Appends one line to <run_dir>/sidecar/alerts.jsonl (O_APPEND: one write).
void append_alert(const std::string& run_dir, const std::string& json) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(run_dir) / "sidecar", ec);
  std::string path = (std::filesystem::path(run_dir) / "sidecar" / "alerts.jsonl").string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    print_warning("cannot append the alert to " + path);
    return;
  }
  std::string line = json + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    print_warning("short write to " + path);
  ::close(fd);
}

// The gate's options: C++ defaults <- playbook <- flags.
Status read_preflight_options(const ParsedFlags& f, GpuOptions* options, ActionTable* table) {
  auto tree = playbook_tree(f.get_or("playbook", ""));
  if (!tree) return tree.status();
  std::vector<Status> errors;
  read_gpu_options(*tree, options, &errors);
  read_operator_options(*tree, table, &errors);
  if (Status s = join_errors(errors); !s.ok()) return s;
  for (auto [name, out, min] : {std::tuple{"wait", &options->wait_s, 0.0}, std::tuple{"poll", &options->poll_s, 0.0},
                                std::tuple{"answer-timeout", &options->answer_timeout_s, 0.0}})
    if (Status s = set_number(f, name, out, min); !s.ok()) return s;
  if (f.has("poll") && options->poll_s <= 0)
    return Status(StatusCode::kInvalidArgument, "--poll: expected a number > 0");
  double free_polls = options->free_polls_required;
  if (Status s = set_number(f, "free-polls", &free_polls, 1); !s.ok()) return s;
  options->free_polls_required = static_cast<int>(std::min(free_polls, 1000.0));
  if (f.has("processes-only")) options->processes_only = true;
  if (auto smi = f.get("nvidia-smi")) options->nvidia_smi = *smi;
  if (auto d = f.get("default-action")) {
    if (detail::iequals(detail::trim(*d), kStopChoice))
      options->default_action = kStopChoice;
    else if (detail::iequals(detail::trim(*d), kContinueChoice))
      options->default_action = kContinueChoice;
    else
      return Status(StatusCode::kInvalidArgument,
                    "--default-action: expected 'Stop Job' or 'Continue Anyway', got '" + *d + "'");
  }
  return Status::Ok();
}

// The devices to check: --devices LIST (as if CUDA_VISIBLE_DEVICES), else
// what --command and the environment ask for.
DeviceRequest requested_devices(const ParsedFlags& f) {
  auto env = current_environment();
  if (auto list = f.get("devices")) {
    std::erase_if(env, [](const auto& kv) { return kv.first == "CUDA_VISIBLE_DEVICES"; });
    env.emplace_back("CUDA_VISIBLE_DEVICES", *list);
    DeviceRequest request = parse_requested_devices("", env);
    request.source = "command";
    return request;
  }
  return parse_requested_devices(f.get_or("command", ""), env);
}

const CommandHelp kHelp = {.usage = kUsage, .summary = kSummary, .flags = kFlags, .exit_status = kExit};

Result<int> preflight_main(const ParsedFlags& f) {
  if (!f.positional.empty())
    return Status(StatusCode::kInvalidArgument,
                  "unexpected argument '" + f.positional[0] + "' (give the job as --command 'CMD')");
  auto jsonl_flag = jsonl_format(f);
  if (!jsonl_flag) return jsonl_flag.status();
  const bool jsonl = *jsonl_flag;
  if (f.has("command") && f.has("devices"))
    return Status(StatusCode::kInvalidArgument, "--command and --devices are alternatives; give one");

  GpuOptions options;
  ActionTable table;
  if (Status s = read_preflight_options(f, &options, &table); !s.ok()) return s;
  auto on_timeout = parse_on_timeout(f.get_or("on-timeout", "ask"));
  if (!on_timeout)
    return Status(StatusCode::kInvalidArgument,
                  "--on-timeout: expected ask, continue or stop, got '" + f.get_or("on-timeout", "") + "'");

  DeviceRequest request = requested_devices(f);

  // Progress: which GPUs, who holds them, time left (stderr).
  Style err_style = Style::for_stream(stderr);
  auto progress = [&](const PreflightResult& p) {
    if (p.available || p.skipped) return;
    std::string line = "preflight: " + p.reason;
    if (p.time_left_s > 0) line += " " + err_style.dim("(waiting, " + seconds(p.time_left_s) + " left)");
    write_line(stderr, line);
  };

  const std::string run_dir = f.get_or("run-dir", ".");
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  FdLineReader stdin_reader(STDIN_FILENO);
  GateChannels channels;
  channels.run_dir = run_dir;
  channels.run_id = f.get_or("run-id", "");
  channels.emit_alert = [&](const Alert& alert) {
    std::string json = to_json(alert);
    if (jsonl) write_line(stdout, json);
    if (f.has("run-dir")) append_alert(run_dir, json);
    std::string how = "write '" + alert.decision.choices.at(0) + "' or '" + alert.decision.choices.at(1) + "' to " +
                      response_path(run_dir, alert.id);
    if (tty) how += ", or type it here";
    write_line(stderr,
               err_style.severity(alert.decision.severity) + " preflight/gpu_occupied: " + alert.decision.message);
    write_line(stderr, "  answer: " + how + " (within " + seconds(options.answer_timeout_s) + "; default '" +
                           options.default_action + "')");
    return std::string();
  };
  if (tty) channels.other_answer = [&] { return stdin_reader.poll(); };

  auto result = run_gpu_gate(request, options, *on_timeout, table, channels, progress);
  if (!result) return result.status();
  if (jsonl)
    write_line(stdout, to_json(*result));
  else
    write_line(stdout, to_text(*result));
  // The contract: 0 when the GPUs are available (or nothing to check),
  // 1 when still busy at the timeout, whatever was decided ("proceed" in the
  // record says whether to launch anyway), 2 on error.
  return result->available || result->skipped ? kExitOk : kExitFindings;
}

}  // namespace

Result<int> cmd_preflight(Args args) { return run_command(kHelp, args, preflight_main); }

}  // namespace sidecar::cli
