// run_process: run a helper program (nvidia-smi, a judge command) with a
// bounded time and bounded output, no shell, in its own process group.
//
//   auto r = sidecar::run_process({"nvidia-smi", "--query-gpu=index", "--format=csv"}, "", 10.0);
//   if (!r) ...                       // kNotFound: no such program; kIoError: spawn failed
//   else if (r->timed_out) ...        // killed (whole process group) after 10 s
//   else use(r->out);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/status.h"

namespace sidecar {

struct ProcessResult {
  int exit_code = -1;      // valid when exited normally
  int term_signal = 0;     // the signal that ended it, or 0
  bool timed_out = false;  // killed at the deadline
  std::string out;         // stdout, capped at max_output bytes
  std::string err;         // stderr, capped at max_output bytes
  bool truncated = false;  // some output was dropped by the cap
};

struct ProcessOptions {
  double timeout_s = 30.0;
  std::size_t max_output = std::size_t{1} << 20;
  std::vector<std::string> env;  // NAME=VALUE entries on top of the inherited environment; "NAME" removes NAME
};

// Ends a process group when this process dies, however it dies (SIGKILL
// included): a small watchdog process (/bin/sh, in its own process group)
// reads a pipe whose write end only this process holds (close-on-exec, so no
// other child inherits it); at EOF it sends `sig` to the group. release()
// (the run ended normally) stops the watchdog without signalling anything.
// Not thread-safe; one owner. `sidecar-cli run --detach`-style survival is
// simply not starting one.
//
//   auto life = sidecar::GroupLifeline::start(child.pid());   // SIGTERM to the group if we vanish
//   ... run ...
//   life->release();
class GroupLifeline {
 public:
  // Errors: kIoError (pipe or spawn failed; e.g. no /bin/sh).
  static Result<GroupLifeline> start(int pgid, int sig = 15 /* SIGTERM */);

  GroupLifeline() = default;
  GroupLifeline(GroupLifeline&& other) noexcept;
  GroupLifeline& operator=(GroupLifeline&& other) noexcept;
  GroupLifeline(const GroupLifeline&) = delete;
  GroupLifeline& operator=(const GroupLifeline&) = delete;
  ~GroupLifeline() { release(); }

  // Stops the watchdog (SIGKILL, reaped) and closes the pipe; the group is left alone.
  void release();
  int watchdog_pid() const { return pid_; }

 private:
  int pid_ = -1;
  int write_fd_ = -1;
};

// Runs argv[0] (looked up on PATH when it has no '/') with `input` on stdin.
// Errors: kInvalidArgument (empty argv), kNotFound (no such program),
// kPermissionDenied (not executable), kIoError (pipe/spawn failure).
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::string_view input,
                                  const ProcessOptions& options = {});

}  // namespace sidecar
