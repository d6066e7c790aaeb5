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
  std::vector<std::string> env;  // extra NAME=VALUE entries on top of the inherited environment
};

// Runs argv[0] (looked up on PATH when it has no '/') with `input` on stdin.
// Errors: kInvalidArgument (empty argv), kNotFound (no such program),
// kPermissionDenied (not executable), kIoError (pipe/spawn failure).
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::string_view input,
                                  const ProcessOptions& options = {});

}  // namespace sidecar
