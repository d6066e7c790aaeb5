// Runs whose supervisor vanished (issue 19.8). A `run` that is SIGKILLed (or
// OOM-killed) never writes its end: status.json keeps saying "running" and no
// history row appears. So `run` names itself in status.json ("supervisor":
// pid, host, process start time) and, when it keeps a history, registers in
// `<history>.live/` until its row is written. The next `watch` of the run
// directory, or `history` of that file, finds the supervisor gone on this
// host and marks the run `lost`: status.json's status, and a history row.
//
//   if (auto msg = sidecar::mark_lost_run(run_dir); msg && !msg->empty()) notice(*msg);
//   auto lost = sidecar::reap_lost_runs(".sidecar/history.jsonl", playbook.history);
//
// A supervisor on another host (a shared file system) cannot be checked and
// is never called gone; nor is one whose /proc entry cannot be read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/history.h"
#include "sidecar/status.h"

namespace sidecar {

struct SupervisorId {
  std::int64_t pid = 0;
  std::string host;
  std::uint64_t start = 0;  // start time in clock ticks after boot (/proc/<pid>/stat): a reused pid differs
};

// This process. host: gethostname(); start: 0 when /proc is unreadable.
SupervisorId this_supervisor();

// True only when the supervisor is known to be gone: same host, and its pid
// no longer exists, is a zombie, or belongs to a process started later.
bool supervisor_gone(const SupervisorId& s);

// {"pid":…,"host":"…","start":…} (the status.json member).
std::string supervisor_json(const SupervisorId& s);

// The supervisor <run_dir>/sidecar/status.json names while it says
// "running" (nullopt: none, or another status). `watch` keeps it in the
// status.json it writes, so watching a live run does not hide its supervisor.
std::optional<SupervisorId> run_supervisor(const std::string& run_dir);

// When <run_dir>/sidecar/status.json says "running" and names a supervisor
// that is gone, rewrites it (atomically) with "status":"lost", an "error"
// naming the supervisor and "lost_at"; the other members are kept. Returns
// what it did for people ("" = nothing to mark: no file, another status, no
// supervisor named, or one that is alive). Errors: kIoError (rewrite failed).
Result<std::string> mark_lost_run(const std::string& run_dir);

// A run registered in `<history_path>.live/` while it goes on. The file holds
// the run's history row (status "running"), its run directory and supervisor.
// Returns the registration's path. Errors: kIoError, kPermissionDenied.
Result<std::string> register_live_run(const std::string& history_path, const std::string& key, const HistoryRow& row,
                                      const std::string& run_dir, const SupervisorId& supervisor);
// Removes a registration (the run wrote its own end). Never fails loudly.
void unregister_live_run(const std::string& registration);

// Each registered run of `history_path` whose supervisor is gone: its row is
// appended with status "lost" (dated now), its run directory marked
// (mark_lost_run) and its registration removed, once even when several
// commands reap at the same time. Returns one line per lost run for people.
// Errors: only from appending a row (the registration is then kept).
Result<std::vector<std::string>> reap_lost_runs(const std::string& history_path, const HistoryOptions& opt);

}  // namespace sidecar
