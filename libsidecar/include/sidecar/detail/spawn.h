// Starting a program the way sidecar always does (internal; used by
// run_process and ChildProcess): posix_spawnp, in a new process group, with
// default signal dispositions and an empty signal mask whatever the caller
// catches or blocks, and the inherited environment with overrides applied.
#pragma once

#include <spawn.h>
#include <sys/types.h>

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

}  // namespace sidecar::detail
