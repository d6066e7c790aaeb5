// run_session: launch a command and feed its output, its metrics files and
// its logs into the pipeline, in the order they arrive. The loop waits in
// poll() on the child's pipes, the signal self-pipe and the operator's TTY,
// with a timeout that is the next tick (<= interval_s), so an idle run costs
// one wake-up per interval; output is handled the moment it arrives.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "run_log.h"
#include "session_core.h"
#include "session_wiring.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/spawn.h"
#include "sidecar/lost_runs.h"
#include "sidecar/operator.h"
#include "sidecar/process.h"
#include "sidecar/session.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace fs = std::filesystem;

namespace {

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::string raw_join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string fmt_seconds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Ends the job's process group when sidecar vanishes, even by SIGKILL (issue
// 19.8; --detach: none). A small shell waits on a pipe whose write end only
// sidecar holds; at EOF it sends SIGTERM to the group, then drains the job's
// output pipes (it holds copies of their read ends) into run.log, so the job
// neither runs on unsupervised nor dies of SIGPIPE (a shell printing
// "Terminated", a Python print) before its own SIGTERM handler has run.
class OutputLifeline {
 public:
  OutputLifeline() = default;
  OutputLifeline(const OutputLifeline&) = delete;
  OutputLifeline& operator=(const OutputLifeline&) = delete;
  ~OutputLifeline() { release(); }

  // Errors: kIoError (pipe or spawn failed).
  Status start(int pgid, int out_fd, int err_fd, const std::string& run_log) {
    auto watcher = detail::spawn_watcher(
        {"cat >/dev/null; kill -s TERM -- \"-$1\" 2>/dev/null; cat <&3 >>\"$2\" & cat <&4 >>\"$2\"; wait",
         "sidecar-lifeline", std::to_string(pgid), run_log},
        [&](posix_spawn_file_actions_t* actions, int read_fd) {
          add_job_pipe(actions, out_fd >= 0 ? out_fd : read_fd, 3);
          add_job_pipe(actions, err_fd >= 0 ? err_fd : read_fd, 4);
        });
    if (!watcher) return watcher.status();
    pid_ = watcher->pid;
    write_fd_ = watcher->write_fd;
    return Status::Ok();
  }

  // One of the job's pipes as the watcher's fd `target`, opened anew through
  // /proc: a blocking description of the same pipe. Sidecar's own read ends
  // are O_NONBLOCK, and a `cat` sharing that description stops at the first
  // empty read, leaving the job to write into a closed pipe (EPIPE) or its
  // last lines unread. Without /proc, the shared description.
  static void add_job_pipe(posix_spawn_file_actions_t* actions, int fd, int target) {
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);  // "self": the child, which inherited fd
    if (::access(proc.c_str(), R_OK) == 0)
      posix_spawn_file_actions_addopen(actions, target, proc.c_str(), O_RDONLY, 0);
    else
      posix_spawn_file_actions_adddup2(actions, fd, target);
  }

  // Stops the watcher (its group: the shell and its cats) and closes the pipe;
  // the job's group is left alone.
  void release() { detail::stop_watcher(&pid_, &write_fd_); }

 private:
  int pid_ = -1;
  int write_fd_ = -1;
};

// Answers a previous run in the same directory left behind belong to its
// alerts, not to this run's (issue 19.2): moved to alerts/previous-<time>/
// before launching. Returns how many were moved.
std::size_t archive_old_answers(const std::string& alerts_dir) {
  std::error_code ec;
  std::vector<fs::path> old;
  for (fs::directory_iterator it(alerts_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".response" && it->is_regular_file(ec)) old.push_back(it->path());
  if (old.empty()) return 0;
  fs::path dest = fs::path(alerts_dir) / ("previous-" + std::to_string(static_cast<long long>(wall_seconds())));
  fs::create_directories(dest, ec);
  std::size_t moved = 0;
  for (const auto& p : old) {
    fs::rename(p, dest / p.filename(), ec);
    if (!ec) ++moved;
  }
  return moved;
}

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kIoError, dir + ": " + ec.message());
  return Status::Ok();
}

class RunLoop {
 public:
  RunLoop(RunOptions opt, SessionReporter& rep, SignalPipe* signals, detail::SessionCore core)
      : opt_(std::move(opt)), rep_(rep), signals_(signals), core_(std::move(core)), tty_(opt_.prompt_fd) {}

  Result<SessionSummary> run();

 private:
  // The GPU gate. Ok: go on (`ended` set when the run ends here); else an error.
  Status preflight(bool* ended);
  DeviceRequest requested_devices(const GpuOptions& gpu);
  Result<SessionSummary> launch_failed(const Status& st, const std::string& program);
  LaunchOptions launch_options() const;
  void loop();
  void on_timer(double now);
  bool wait_once(double now);
  void handle_output(int fd, bool is_err, double now);
  void handle_signals(double now);
  void end_of_child(double now);
  Result<SessionSummary> finalize();
  void register_live();
  SessionSummary finish(const std::string& status, std::optional<int> exit_code, int signal, std::string error);

  Pipeline& pipe() { return *core_.pipeline; }

  RunOptions opt_;
  SessionReporter& rep_;
  SignalPipe* signals_;
  detail::SessionCore core_;
  FdLineReader tty_;
  detail::RunLog runlog_;
  std::optional<ChildProcess> child_;
  OutputLifeline lifeline_;        // SIGTERM to the job's group if sidecar vanishes (not with detach)
  std::string live_registration_;  // <history>.live/<run>.json while the run goes on ("" = none)
  SessionSummary summary_;
  double t0_ = 0;
  std::string buf_;
  double next_tick_ = 0;
  std::optional<double> drain_until_;       // set once the child has exited
  double force_kill_at_ = -1;               // < 0: none (an interrupt's SIGKILL deadline)
  std::optional<std::string> interrupted_;  // a signal the user sent us
  bool stop_sent_ = false;
  int interrupts_ = 0;
  bool more_input_ = false;
  bool sigchld_ = false;
  bool done_ = false;
};

// The GPUs the job will see: those CUDA_VISIBLE_DEVICES names, else every
// GPU nvidia-smi lists (a job without the variable sees them all).
DeviceRequest RunLoop::requested_devices(const GpuOptions& gpu) {
  DeviceRequest req = parse_requested_devices(opt_.command, current_environment());
  if (req.specified) return req;
  auto gpus = query_gpus(gpu);
  if (!gpus || gpus->empty()) return req;
  for (const auto& g : *gpus) req.devices.push_back(std::to_string(g.index));
  req.specified = true;
  req.source = "environment";
  req.note = "CUDA_VISIBLE_DEVICES is not set: the job will see every GPU";
  return req;
}

// The GPU gate, before anything is launched.
Status RunLoop::preflight(bool* ended) {
  *ended = false;
  if (!opt_.preflight) return Status::Ok();
  DeviceRequest req = requested_devices(opt_.gpu);
  if (!req.specified || req.devices.empty()) {
    PreflightResult skipped;
    skipped.skipped = true;
    skipped.available = true;
    skipped.reason = req.specified ? "no GPU requested (CUDA_VISIBLE_DEVICES=" + req.value + ")"
                                   : "no GPU requested (CUDA_VISIBLE_DEVICES is not set and nvidia-smi lists none)";
    rep_.preflight(skipped, true);
    return Status::Ok();
  }
  OnTimeout on_timeout = opt_.gpu_on_timeout.value_or(opt_.on_alert == OnAlert::kStop       ? OnTimeout::kStop
                                                      : opt_.on_alert == OnAlert::kContinue ? OnTimeout::kContinue
                                                                                            : OnTimeout::kAsk);
  GateChannels ch;
  ch.run_dir = opt_.run_dir;
  ch.run_id = core_.run_id;
  ch.emit_alert = [&](const Alert& a) {
    pipe().sinks().on_alert(a);
    pipe().count_external_alert(a);
    rep_.alert(a, response_path(opt_.run_dir, a.id), true);
    return std::string();
  };
  if (opt_.prompt_fd >= 0)
    ch.other_answer = [&]() -> std::optional<std::string> {
      auto line = tty_.poll();
      if (!line) return std::nullopt;
      std::string t(detail::trim(*line));
      if (t == "1") return std::string(kContinueChoice);
      if (t == "2") return std::string(kStopChoice);
      return t;
    };
  auto r = run_gpu_gate(req, opt_.gpu, on_timeout, pipe().options().actions, ch,
                        [&](const PreflightResult& p) { rep_.preflight(p, false); });
  if (!r) {
    pipe().sinks().close(opt_.sink_close_timeout_s);
    return Status(r.status().code(), "GPU preflight: " + r.status().message());
  }
  rep_.preflight(*r, true);
  if (r->proceed || r->skipped || r->available) return Status::Ok();
  summary_.stopped_by = "GPU preflight: " + (r->decision.empty() ? std::string("GPUs busy") : r->decision) +
                        (r->decided_by.empty() ? "" : " (" + r->decided_by + ")");
  summary_.exit_status = kExitStoppedBySidecar;
  finish("stopped", std::nullopt, 0, "requested GPUs busy: " + to_text(*r));
  *ended = true;
  return Status::Ok();
}

LaunchOptions RunLoop::launch_options() const {
  const std::string abs_run_dir = fs::absolute(opt_.run_dir).lexically_normal().string();
  const std::string metrics_file = opt_.metrics_path.empty() ? (fs::path(abs_run_dir) / "metrics.jsonl").string()
                                                             : fs::absolute(opt_.metrics_path).string();
  LaunchOptions lo;
  if (opt_.shell)
    lo.argv = {"/bin/sh", "-c", raw_join(opt_.argv)};
  else
    lo.argv = opt_.argv;
  lo.cwd = opt_.cwd;
  lo.env = {"SIDECAR_RUN_DIR=" + abs_run_dir, "SIDECAR_METRICS_FILE=" + metrics_file, "SIDECAR_RUN_ID=" + core_.run_id};
  // Python buffers a pipe's output in 8 KiB blocks: ask it not to, so alerts
  // and run.log follow the run as it happens (a user's own setting wins).
  if (!std::getenv("PYTHONUNBUFFERED")) lo.env.push_back("PYTHONUNBUFFERED=1");
  // sidecar's own secrets stay with sidecar (a name without '=' removes it).
  if (!opt_.pass_secrets) lo.env.push_back("SIDECAR_AUTH_TOKEN");
  return lo;
}

Result<SessionSummary> RunLoop::launch_failed(const Status& st, const std::string& program) {
  summary_.exit_status = st.code() == StatusCode::kNotFound ? 127 : 126;
  std::string msg = "cannot run " + program + ": " + st.message();
  rep_.notice(msg);
  return finish("failed", summary_.exit_status, 0, msg);
}

Result<SessionSummary> RunLoop::run() {
  t0_ = monotonic_seconds();
  bool ended = false;
  if (Status st = preflight(&ended); !st.ok()) return st;
  if (ended) return summary_;
  LaunchOptions lo = launch_options();
  if (opt_.adopt_orphans) become_subreaper();
  if (auto st = runlog_.open((fs::path(opt_.run_dir) / "run.log").string()); !st.ok()) return st;
  // Where answers go: there before the first alert says to write one there.
  const std::string alerts_dir = (fs::path(opt_.run_dir) / "alerts").string();
  if (auto st = make_dirs(alerts_dir); !st.ok()) return st;
  if (std::size_t n = archive_old_answers(alerts_dir))
    rep_.notice(std::to_string(n) + " answer(s) of a previous run in " + alerts_dir + " moved to " + alerts_dir +
                "/previous-*/ (they answer that run's alerts, not this one's)");
  register_live();
  auto child = ChildProcess::launch(lo);
  if (!child) return launch_failed(child.status(), lo.argv[0]);
  child_.emplace(std::move(child).value());
  if (!opt_.detach) {
    const std::string log = fs::absolute(fs::path(opt_.run_dir) / "run.log").string();
    if (Status st = lifeline_.start(child_->pid(), child_->out_fd(), child_->err_fd(), log); !st.ok())
      rep_.notice("the job will outlive sidecar if sidecar is killed: " + st.message());
  }
  pipe().sinks().on_status("running");
  rep_.notice("started " + opt_.command + " (pid " + std::to_string(child_->pid()) + ") in " + opt_.run_dir);
  next_tick_ = monotonic_seconds();
  while (!done_) loop();
  return finalize();
}

// One pass: timers, kill deadlines, the end of the child, one wait.
void RunLoop::loop() {
  double now = monotonic_seconds();
  if (more_input_ && now < next_tick_) more_input_ = core_.inputs->poll(pipe());
  if (now >= next_tick_) on_timer(now);
  ChildProcess& c = *child_;
  c.poll_kill(now);
  if (force_kill_at_ >= 0 && now >= force_kill_at_) {
    c.signal_group(SIGKILL);
    force_kill_at_ = -1;
  }
  end_of_child(now);
  if (done_) return;
  if (!wait_once(now)) done_ = true;
}

void RunLoop::on_timer(double now) {
  pipe().advance(wall_seconds());
  more_input_ = core_.inputs->poll(pipe());
  pipe().tick(wall_seconds());
  detail::report_sink_notices(core_, rep_);
  detail::update_prometheus(core_);
  runlog_.flush_stale(now);
  next_tick_ = now + std::clamp(opt_.interval_s, 0.05, 1.0);
  ChildProcess& c = *child_;
  if (pipe().stop_request() && !stop_sent_) {
    stop_sent_ = true;
    summary_.stopped_by = *pipe().stop_request();
    rep_.notice("stopping the run: " + summary_.stopped_by + "; SIGTERM to process group " + std::to_string(c.pid()) +
                ", SIGKILL after " + fmt_seconds(opt_.grace_s) + " s");
    c.terminate_group(opt_.grace_s, now);
  }
  if (c.poll_exit() && !drain_until_) drain_until_ = now + opt_.drain_s;
  // Adopted orphans that exited: reaped on SIGCHLD (each tick without a signal pipe).
  if (opt_.adopt_orphans && (sigchld_ || !signals_)) reap_adopted(c.pid(), false);
  sigchld_ = false;
}

// The child exited: drain its pipes for a while, then end what still holds them.
void RunLoop::end_of_child(double now) {
  ChildProcess& c = *child_;
  if (c.poll_exit() && !drain_until_) drain_until_ = now + opt_.drain_s;
  if (drain_until_ && now >= *drain_until_ && (c.out_fd() >= 0 || c.err_fd() >= 0)) {
    if (c.group_alive() && !c.terminating()) {
      rep_.notice("the command exited but processes of its group are still running; stopping them");
      c.terminate_group(opt_.grace_s, now);
    } else if (!c.group_alive()) {
      c.close_pipes();  // an escaped process holds them; reap_adopted ends it below
    }
  }
  if (c.exit_info() && c.out_fd() < 0 && c.err_fd() < 0) {
    if (!c.group_alive()) {
      done_ = true;
      return;
    }
    if (!c.terminating()) {
      rep_.notice("the command exited but processes of its group are still running; stopping them");
      c.terminate_group(opt_.grace_s, now);
    }
  }
}

// Waits for output, signals, the TTY or the next timer. False on a poll error.
bool RunLoop::wait_once(double now) {
  ChildProcess& c = *child_;
  pollfd fds[4];
  int n = 0;
  int i_out = -1, i_err = -1, i_sig = -1, i_tty = -1;
  if (c.out_fd() >= 0) i_out = n, fds[n++] = {c.out_fd(), POLLIN, 0};
  if (c.err_fd() >= 0) i_err = n, fds[n++] = {c.err_fd(), POLLIN, 0};
  if (signals_ && signals_->ok()) i_sig = n, fds[n++] = {signals_->fd(), POLLIN, 0};
  if (pipe().prompting() && !tty_.eof()) i_tty = n, fds[n++] = {opt_.prompt_fd, POLLIN, 0};
  double wait = next_tick_ - now;
  if (auto k = c.poll_kill(now)) wait = std::min(wait, *k);
  if (force_kill_at_ >= 0) wait = std::min(wait, force_kill_at_ - now);
  if (drain_until_) wait = std::min(wait, std::max(0.0, *drain_until_ - now) + 0.01);
  if (more_input_) wait = 0;
  if (c.exit_info() && i_out < 0 && i_err < 0) wait = std::min(wait, 0.05);  // waiting for the group to go
  int r = ::poll(fds, static_cast<nfds_t>(n), detail::poll_timeout_ms(wait));
  if (r < 0 && errno != EINTR) return false;
  now = monotonic_seconds();
  if (r <= 0) return true;
  if (i_out >= 0 && (fds[i_out].revents & (POLLIN | POLLHUP | POLLERR))) handle_output(c.out_fd(), false, now);
  if (i_err >= 0 && (fds[i_err].revents & (POLLIN | POLLHUP | POLLERR))) handle_output(c.err_fd(), true, now);
  if (i_tty >= 0 && (fds[i_tty].revents & (POLLIN | POLLHUP))) {
    while (auto line = tty_.poll()) pipe().tty_line(*line);
    if (pipe().stop_request() && !stop_sent_) next_tick_ = now;  // act on it now
  }
  if (i_sig >= 0 && (fds[i_sig].revents & POLLIN)) handle_signals(now);
  return true;
}

// Output as it arrives. Metric rows the job wrote before this output are
// read first, so every line is seen after the rows that preceded it.
void RunLoop::handle_output(int fd, bool is_err, double now) {
  const char* source = is_err ? "stderr" : "stdout";
  // Bounded work per wake-up: a flood on one pipe cannot starve the other,
  // the timer or signals.
  for (int i = 0; i < 16; ++i) {
    if (!child_->read_available(fd, &buf_)) {
      pipe().flush_log(source);
      return;
    }
    if (buf_.empty()) return;
    rep_.output(buf_, is_err);
    runlog_.write(is_err ? 1 : 0, buf_, now);
    pipe().advance(wall_seconds());
    core_.inputs->poll_metrics(pipe(), /*discover=*/true, /*eager=*/true);
    pipe().log(buf_, source);
    core_.inputs->count_output(buf_);
  }
}

void RunLoop::handle_signals(double now) {
  ChildProcess& c = *child_;
  for (int sig : signals_->drain()) {
    if (sig == SIGCHLD) {
      sigchld_ = true;
      if (c.poll_exit() && !drain_until_) drain_until_ = now + opt_.drain_s;
      continue;
    }
    ++interrupts_;
    if (!interrupted_) interrupted_ = signal_name(sig);
    if (interrupts_ == 1) {
      int fwd = sig == SIGHUP ? SIGTERM : sig;
      rep_.notice("received " + signal_name(sig) + ": forwarding it to the run; SIGKILL after " +
                  fmt_seconds(opt_.grace_s) + " s (again to kill now)");
      c.signal_group(fwd);
      c.signal_group(SIGCONT);
      force_kill_at_ = now + opt_.grace_s;
    } else {
      rep_.notice("received " + signal_name(sig) + " again: killing the run");
      c.signal_group(SIGKILL);
      force_kill_at_ = -1;
    }
  }
}

// What is left in the pipes, the last metrics and log lines, then the end.
// Records carry exit_code only when the child exited (docs/cli.md): a
// signal death is `killed` with the signal named.
Result<SessionSummary> RunLoop::finalize() {
  runlog_.flush_all();
  ExitInfo exit = child_->exit_info().value_or(ExitInfo{});
  summary_.exit = exit;
  lifeline_.release();  // the job has ended: nothing left to end
  if (opt_.adopt_orphans) reap_adopted(child_->pid(), true);
  core_.inputs->poll(pipe());
  core_.inputs->flush(pipe());
  pipe().flush_log("stdout");
  pipe().flush_log("stderr");
  pipe().tick(wall_seconds());
  std::optional<int> code = exit.term_signal ? std::nullopt : std::optional<int>(exit.exit_code);
  if (!summary_.stopped_by.empty()) {
    summary_.exit_status = kExitStoppedBySidecar;
    return finish("stopped", code, exit.term_signal, "stopped by sidecar: " + summary_.stopped_by);
  }
  summary_.exit_status = exit.shell_status();
  if (interrupted_)
    return finish("killed", code, exit.term_signal, "interrupted (" + *interrupted_ + "), " + exit.describe());
  if (exit.term_signal != 0) return finish("killed", code, exit.term_signal, exit.describe());
  if (!runlog_.error().empty()) rep_.notice(runlog_.error());
  return finish(exit.exit_code == 0 ? "finished" : "failed", code, 0, exit.exit_code == 0 ? "" : exit.describe());
}

// While the run goes on it is registered next to its history, so that if
// sidecar is SIGKILLed the next `history`/`watch` writes its row as lost.
void RunLoop::register_live() {
  if (core_.history_off || core_.history_path.empty()) return;
  HistoryRow row = pipe().monitor().history_row("running", wall_seconds());
  auto reg = register_live_run(core_.history_path, sanitize_alert_id(core_.run_id + "-" + core_.nonce), row,
                               opt_.run_dir, this_supervisor());
  if (reg)
    live_registration_ = *reg;
  else
    rep_.notice("a lost run will not be recorded in the history: " + reg.status().message());
}

SessionSummary RunLoop::finish(const std::string& status, std::optional<int> exit_code, int signal, std::string error) {
  double wall = wall_seconds();
  summary_.status = status;
  summary_.error = std::move(error);
  summary_.duration_s = monotonic_seconds() - t0_;
  PipelineEnd end;
  end.status = status;
  end.exit_code = exit_code;
  end.signal = signal;
  end.error = summary_.error;
  // status.json carries what the network sinks failed to deliver.
  if (std::string sf = detail::sink_failure_text(core_); !sf.empty()) end.error += (end.error.empty() ? "" : "; ") + sf;
  end.write_history = !core_.history_off;
  end.close_timeout_s = opt_.sink_close_timeout_s;
  Status hs = pipe().finish(end, wall);
  unregister_live_run(live_registration_);  // the end is written: not lost
  detail::report_sink_notices(core_, rep_);
  if (!hs.ok()) summary_.history_error = hs.message();
  summary_.history_written = end.write_history && hs.ok();
  detail::fill_summary(core_, opt_, wall, &summary_);
  rep_.summary(summary_);
  return summary_;
}

}  // namespace

Result<SessionSummary> run_session(const RunOptions& options, SessionReporter& reporter, SignalPipe* signals) {
  if (options.argv.empty()) return Status(StatusCode::kInvalidArgument, "no command to run (put it after --)");
  if (auto st = make_dirs(options.run_dir); !st.ok()) return st;
  RunOptions opt = options;
  // The command as a shell would read it (profile hints, GPU request, fingerprint):
  // with --shell the words are shell text already.
  if (opt.command.empty()) opt.command = opt.shell ? raw_join(opt.argv) : join_command(opt.argv);
  // Metrics the job writes where it runs are found there too.
  if (opt.work_dir.empty()) {
    std::error_code ec;
    opt.work_dir = (opt.cwd.empty() ? fs::current_path(ec) : fs::absolute(opt.cwd, ec).lexically_normal()).string();
  }
  auto core = detail::open_session(opt, reporter, opt.logs, true, supervisor_json(this_supervisor()));
  if (!core) return core.status();
  RunLoop loop(std::move(opt), reporter, signals, std::move(core).value());
  return loop.run();
}

}  // namespace sidecar
