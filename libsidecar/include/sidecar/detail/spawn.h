// Starting a program the way sidecar always does (internal; used by
// run_process and ChildProcess): posix_spawnp, in a new process group, with
// default signal dispositions and an empty signal mask whatever the caller
// catches or blocks, and the inherited environment with overrides applied.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "sidecar/status.h"

namespace sidecar::detail {

// Spawns argv (argv[0] looked up on PATH when it has no '/') with the file
// actions given (may be null); `env_overrides` (NAME=VALUE) replace
// same-named inherited variables, and an entry "NAME" without '=' removes
// NAME from the child's environment (sidecar's own secrets). Returns the pid (also the process group id).
// Errors: kInvalidArgument (empty argv), kNotFound (no such program),
// kPermissionDenied (not executable), kIoError (any other spawn failure).
Result<pid_t> spawn_in_new_group(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides,
                                 const posix_spawn_file_actions_t* actions);

// A watcher: a shell in its own process group reading a pipe whose write end
// only the caller holds, so the shell sees EOF when the caller is gone (even
// by SIGKILL) and then acts. It runs `sh -c script` with the words after the
// script as $0, $1, ...; stdin is the pipe, stdout and stderr /dev/null;
// `add_actions` may add file actions (it gets the pipe's read end).
struct Watcher {
  pid_t pid = -1;
  int write_fd = -1;
};
// Errors: kIoError ("pipe: ..." or "lifeline: <why spawning failed>").
Result<Watcher> spawn_watcher(const std::vector<std::string>& script_and_args,
                              const std::function<void(posix_spawn_file_actions_t*, int read_fd)>& add_actions = {});

// Kills the watcher's group, reaps the shell and closes the write end; both
// become -1. Nothing to do for -1.
void stop_watcher(pid_t* pid, int* write_fd);

}  // namespace sidecar::detail
