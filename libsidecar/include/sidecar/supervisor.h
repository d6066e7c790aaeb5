// Process supervision for `sidecar-cli run`: launch a training command in its
// own process group with its stdout and stderr on pipes, stop the whole group
// (SIGTERM, then SIGKILL after a grace period), and reap it.
//
//   sidecar::LaunchOptions opts;
//   opts.argv = {"python3", "train.py"};
//   opts.env = {"SIDECAR_RUN_DIR=runs/x"};
//   auto child = sidecar::ChildProcess::launch(opts);   // Result<ChildProcess>
//   // poll child->out_fd() / child->err_fd(), read with read_available() ...
//   child->terminate_group(10.0, now);   // SIGTERM now, SIGKILL at now + 10 s (advance with poll_kill)
//
// The child runs in a new process group whose id is its pid, so signals sent
// to the group reach its workers and grandchildren; no shell is involved
// unless the caller puts one in argv. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/status.h"

namespace sidecar {

struct LaunchOptions {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::vector<std::string> env;   // NAME=VALUE entries that override the inherited environment
  std::string cwd;                // working directory ("" = inherit)
  bool stdin_null = true;         // stdin from /dev/null (else inherited)
};

// How a child ended.
struct ExitInfo {
  int exit_code = 0;    // when it exited normally
  int term_signal = 0;  // the signal that ended it, or 0
  // The shell convention: the exit code, or 128 + N for a signal.
  int shell_status() const { return term_signal != 0 ? 128 + term_signal : exit_code; }
  std::string describe() const;  // "exit code 1" / "signal 9 (SIGKILL)"
};

class ChildProcess {
 public:
  // Starts argv in a new process group with stdout and stderr on non-blocking
  // pipes. Errors: kInvalidArgument (empty argv), kNotFound (no such program;
  // the shell's 127), kPermissionDenied (not executable; 126), kIoError.
  static Result<ChildProcess> launch(const LaunchOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills whatever is left of the process group (SIGKILL) and reaps the child:
  // a supervisor that goes away leaves no orphans.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Read ends of the child's stdout and stderr; -1 once closed (after EOF).
  int out_fd() const { return out_fd_; }
  int err_fd() const { return err_fd_; }

  // Reads what is available on `fd` (out_fd() or err_fd()) into *buf
  // (replacing its content), at most max_bytes. Returns false at EOF (the fd
  // is then closed and reads -1); an empty buffer with true means "nothing now".
  bool read_available(int fd, std::string* buf, std::size_t max_bytes = 1 << 16);
  // Closes both pipes (stops reading output that a straggler still writes).
  void close_pipes();

  // Reaps the child without blocking; the ExitInfo once it has ended.
  std::optional<ExitInfo> poll_exit();
  const std::optional<ExitInfo>& exit_info() const { return exit_; }

  // Sends a signal to the whole process group (the child and its descendants
  // that kept the group). Errors: kNotFound when the group is already gone.
  Status signal_group(int sig) const;
  // Whether any process of the group is still alive (zombies included until reaped).
  bool group_alive() const;

  // Stop protocol: SIGTERM to the group now and SIGKILL when `now + grace_s`
  // passes (checked by poll_kill). Calling it again does not restart the clock.
  void terminate_group(double grace_s, double now);
  // Sends the pending SIGKILL once its time has come (and the group is alive).
  // Returns the seconds until that deadline, or nullopt when nothing is pending.
  std::optional<double> poll_kill(double now);
  bool terminating() const { return kill_at_.has_value() || killed_; }
  bool sent_kill() const { return killed_; }

 private:
  ChildProcess() = default;
  void release();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::optional<ExitInfo> exit_;
  std::optional<double> kill_at_;
  bool killed_ = false;
};

// A self-pipe for signals: while alive, SIGINT, SIGTERM, SIGHUP and SIGCHLD
// are caught and their numbers written to fd(), so one poll() loop sees
// output, timers and signals alike. Changes the process's signal
// dispositions (restored on destruction): one instance per process, owned by
// the program's main loop. SIGPIPE is ignored meanwhile.
class SignalPipe {
 public:
  SignalPipe();
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  bool ok() const { return read_fd_ >= 0; }
  int fd() const { return read_fd_; }
  // The signals that arrived since the last call (in order; SIGCHLD included).
  std::vector<int> drain();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Makes this process the reaper of its orphaned descendants (Linux
// PR_SET_CHILD_SUBREAPER), so workers that a dying child leaves behind are
// re-parented here instead of to init: reap_adopted() can then end them even
// if they left the process group. Process-wide; false when unsupported.
bool become_subreaper();
// Reaps exited children other than `keep` (the supervised child, reaped by
// ChildProcess); with kill_all, first SIGKILLs every remaining child process of
// this one except `keep` and waits (bounded by timeout_s) until they are gone.
// Returns how many processes were reaped.
int reap_adopted(pid_t keep, bool kill_all, double timeout_s = 2.0);

// Monotonic seconds (for the stop protocol and loop timers).
double monotonic_seconds();
// Wall-clock seconds since the epoch.
double wall_seconds();

// The name of a signal ("SIGTERM"), or "signal N".
std::string signal_name(int sig);

}  // namespace sidecar
