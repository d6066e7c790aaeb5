// Log syndromes: lossless, incremental recognition of failure syndromes
// (SPEC §4) in a run's log output as it is written.
//
// A LogScanner is the compiled catalogue (one linear-time multi-pattern
// matcher for every include pattern, RE2 for verification, exclusions and
// evidence on matched lines only). It is immutable and shared by any number
// of LogStreams, one per log source, which carry the per-source state:
// partial lines, line numbers, byte offsets, pending tracebacks.
//
//   sidecar::LogOptions opts;
//   std::vector<sidecar::Status> errors;
//   sidecar::read_log_options(*sidecar::default_playbook_tree(), &opts, &errors);
//   auto scanner = sidecar::LogScanner::create(opts).value();
//   sidecar::LogStream stream(scanner, "run.log");
//   std::vector<sidecar::LogMatch> matches;
//   stream.feed(bytes, &matches);   // any chunking: results do not depend on it
//   stream.flush(&matches);         // end of the stream
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/config.h"
#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/file_tail.h"
#include "sidecar/status.h"

namespace sidecar {

// Maps one extracted evidence field through a table into another field
// (e.g. Xid code -> NVIDIA's immediate-action bucket).
struct EvidenceLookup {
  std::string field;                                       // source field, e.g. "xid"
  std::string into;                                        // target field, e.g. "xid_action"
  std::vector<std::pair<std::string, std::string>> table;  // value -> result
  std::string fallback;                                    // when the value is not in the table ("" = no field)
};

// How far after a finding a syndrome's follow-up line belongs to it (SyndromeSpec::follow_ups).
inline constexpr std::uint64_t kLogFollowUpLines = 8;

// One syndrome of the catalogue. Patterns are regular expressions in the
// common subset of RE2 and Vectorscan syntax, matched per line (after \r
// splitting and ANSI stripping), case-insensitively unless case_sensitive.
struct SyndromeSpec {
  std::string name;
  Severity severity = Severity::kWarning;
  std::vector<std::string> patterns;  // a line matching any of these (and no exclusion) matches
  // Parallel to `patterns` when not empty ("" = the pattern itself): what the
  // multi-pattern pass looks for instead of a pattern that is slow there (a
  // literal every match contains). Hits are verified with the pattern itself,
  // so a prefilter may match more lines, never fewer (a playbook item
  // `{pattern: '...', prefilter: '...'}`).
  std::vector<std::string> prefilters;
  // Parallel to `patterns` when not empty (1 = every line): a line that only
  // a pattern with N > 1 matches is this syndrome's on its Nth occurrence on
  // the same rank (the rank prefix, else an extracted "rank" field) and not
  // before, carrying evidence "repeats": for lines a healthy run prints once
  // but a stuck one prints again and again (c10d's "Waiting in store based
  // barrier", every 10 s while ranks are missing). A playbook item
  // `{pattern: '...', repeats: N}`.
  std::vector<std::size_t> repeats;
  // Parallel to `repeats` when not empty ({"", ""} = none): two evidence
  // fields {a, b} (from `extract`); a line whose a is greater than its b is
  // the syndrome's at its first print, the wait can never end (c10d's
  // worker_count above its world_size: an earlier run's keys left in a reused
  // store). A playbook item `{pattern: '...', repeats: N, at_once_if_greater: [a, b]}`.
  std::vector<std::pair<std::string, std::string>> at_once_if_greater;
  std::vector<std::string> exclude;  // a line matching any of these is not this syndrome
  // Message template: "{field}" is replaced by an evidence field ("unknown" when absent).
  std::string message;
  bool enabled = true;
  // Lines matching one of these also match the syndrome, at kCritical.
  std::vector<std::string> escalate;
  // Lines a program prints after an error of its own (PyTorch's "CUDA kernel
  // errors might be asynchronously reported" hint, c10's backtrace header):
  // such a line is this syndrome's when it stands alone or follows one of
  // this syndrome's, but within kLogFollowUpLines lines after a finding of
  // another syndrome on the same rank (cuda_oom before cuda_error's hint)
  // it belongs to that finding and is not reported again.
  std::vector<std::string> follow_ups;
  // RE2 patterns with named groups, (?P<bytes>...); each group that takes
  // part in the match becomes an evidence field. A field whose value reads
  // like a size ("20.00 MiB") also gets "<field>_bytes" in bytes.
  std::vector<std::string> extract;
  std::vector<EvidenceLookup> lookups;
  bool case_sensitive = false;
  // A Python traceback header: the match is held until the final exception
  // line of the same rank arrives (evidence "exception", "exception_type"),
  // or the wait runs out, or flush(). Chained exceptions ("During handling
  // of the above exception..." / "The above exception was the direct cause
  // ...") fold into the same finding: it carries the LAST exception, and the
  // first one as "chained_from".
  bool until_exception = false;
  // Multi-line reports (an NCCL watchdog cascade, a torchrun failure
  // report): when > 0, a match is held while further matches of this
  // syndrome keep coming within `fold_lines` lines (from any rank; a blank
  // line ends the report); they
  // fold into it ("folded" counts them, "ranks" lists the ranks seen), and
  // the extract patterns also run over the lines in between (so the report's
  // "rank : 3" and "exitcode : 1" lines become evidence).
  std::size_t fold_lines = 0;
  // Attribution, carried in every finding's evidence unless a lookup or an
  // extract pattern already set the field: "cause" (user_code, gpu_hardware,
  // interconnect, storage, host_memory, scheduler), "retry_helps" (yes, no,
  // maybe) and "retry_reason" (a short why).
  std::string cause;
  std::string retry_helps;
  std::string retry_reason;
};

// The log scanner's options. `syndromes:` is read by read_log_options.
// cache_dir (no playbook option): where LogScanner::create() may keep
// compiled pattern databases between processes (keyed by the exact patterns,
// flags and engine version; a stale or corrupt file is ignored and
// rewritten). Empty: no disk access, unless the CLI or a test runner set the
// internal process-wide folder (detail/cache_dir.h).
#define SIDECAR_LOG_OPTIONS(X)                                              \
  X(std::size_t, max_line_bytes, 64 * 1024, (256, 1 << 30),                 \
    "longer lines are scanned up to here (the next line is never lost)")    \
  X(std::size_t, max_text_bytes, 2048, (64, 1 << 20),                       \
    "the line carried by a match (text, evidence \"line\") is capped here") \
  X(std::size_t, max_traceback_lines, 500, (1, 1 << 20), "lines a traceback waits for its final exception line")
SIDECAR_OPTIONS(LogOptions, SIDECAR_LOG_OPTIONS, std::vector<SyndromeSpec> syndromes = {}; std::string cache_dir = {};);

// Reads the `syndromes:` (list of named items) and `logs:` sections of a
// playbook tree, appending located errors ("file:line:col: what"); every
// pattern is compile-checked here so that a bad one is reported where it is written.
void read_log_options(const Value& playbook, LogOptions* out, std::vector<Status>* errors);

// The rank a line's prefix names: "[rank3]:", "[Rank 3]", "rank 3:",
// torchrun's "[default3]:", Open MPI's "[1,3]<stderr>:" (the same reading
// as LogMatch::rank); none for a line without one.
std::optional<int> log_line_rank(std::string_view line);

// One recognised syndrome occurrence: LogMatch, with its record, in core/records.h.

// The compiled catalogue: immutable, thread-safe, shared by many streams.
class LogScanner {
 public:
  // Compiles the enabled syndromes. Errors (kInvalidArgument) name the
  // syndrome and the pattern that failed to compile.
  static Result<std::shared_ptr<const LogScanner>> create(const LogOptions& options);
  ~LogScanner();
  LogScanner(const LogScanner&) = delete;
  LogScanner& operator=(const LogScanner&) = delete;

  const LogOptions& options() const;
  // The multi-pattern engine in use ("vectorscan").
  std::string_view engine() const;

  struct Impl;

 private:
  friend class LogStream;  // share the compiled database, never the API's concern
  friend class LogPrechecker;
  const Impl& impl() const { return *impl_; }
  explicit LogScanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The fast path of LogStream::feed, run ahead on another thread (a reader
// thread checks each chunk it has read while the scanning thread feeds the
// previous one). check() looks at the complete lines of a chunk after its
// first newline, in the pieces the stream scans them in: the run of pieces
// from there up to the first one that needs something line by line (ESC/NUL,
// an over-long line) or where the multi-pattern pass finds a hit is quiet,
// and feed() only counts its lines, unless a finding is held then; the rest
// of the chunk is scanned as always. The verdict is the same with or
// without a check.
struct LogPrecheck {
  const void* scanner = nullptr;  // the LogScanner that checked (feed ignores another's)
  std::size_t begin = 0;          // [begin, end) of the chunk: complete lines, quiet
  std::size_t end = 0;
  std::uint64_t newlines = 0;
  bool quiet = false;
};

// One per thread that checks (its own scratch space); never blocks.
class LogPrechecker {
 public:
  explicit LogPrechecker(std::shared_ptr<const LogScanner> scanner);
  ~LogPrechecker();
  LogPrechecker(const LogPrechecker&) = delete;
  LogPrechecker& operator=(const LogPrechecker&) = delete;

  // The chunk's quiet lines from after its first newline (up to its last one at most).
  LogPrecheck check(std::string_view chunk);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Per-source incremental state: joins lines split across feeds, counts lines
// and byte offsets, normalises \r overwrites and ANSI escapes, tolerates NUL
// and invalid UTF-8, caps over-long lines without losing the next ones, and
// holds pending tracebacks. Not thread-safe (one per source); never throws
// for any input bytes; memory is bounded by max_line_bytes and the number of
// ranks with a pending traceback, whatever the size of a feed.
class LogStream {
 public:
  LogStream(std::shared_ptr<const LogScanner> scanner, std::string source_label);
  ~LogStream();
  LogStream(LogStream&&) noexcept;
  LogStream& operator=(LogStream&&) noexcept;

  // Scans every complete line in `bytes` (with any partial line held from
  // before); appends matches in stream order.
  void feed(std::string_view bytes, std::vector<LogMatch>* out);
  // The same, with `precheck` = LogPrechecker::check(bytes) done ahead.
  void feed(std::string_view bytes, std::vector<LogMatch>* out, const LogPrecheck& precheck);
  // End of stream: scans the partial last line and emits pending tracebacks.
  void flush(std::vector<LogMatch>* out);
  // The source has gone quiet (call from a tick, e.g. after a few idle
  // seconds): emits held findings that are already complete (a traceback
  // whose exception arrived, a folded multi-line report) without touching
  // the partial line. Tracebacks still waiting for their exception stay held.
  void settle(std::vector<LogMatch>* out);
  // The file was truncated or rotated: drops partial-line and traceback
  // state and restarts line numbers and offsets at the beginning.
  void reset();

  // Rank for lines without a rank prefix (e.g. taken from the file name).
  void set_default_rank(std::optional<int> rank);

  std::uint64_t bytes_seen() const;  // bytes fed since the last reset
  std::uint64_t lines_seen() const;  // complete lines scanned since the last reset
  const std::string& source() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A log file followed as it is written: a FileTail feeding a LogStream.
// Truncation and rotation (FileTail's "restarted") flush what the old file
// left pending, then restart line numbers for the new one. Never drops
// bytes: a poll stops after `budget_bytes` and the next one goes on.
//
//   sidecar::LogTail tail(scanner, "run/train.log");
//   std::vector<sidecar::LogMatch> matches;
//   if (auto r = tail.poll(&matches); !r) log(r.status());   // every tick
class LogTail {
 public:
  LogTail(std::shared_ptr<const LogScanner> scanner, std::string path);

  // Scans what was appended since the last poll (up to budget_bytes);
  // returns the number of bytes read. Errors: FileTail::poll's (the tail
  // simply retries on the next poll).
  Result<std::uint64_t> poll(std::vector<LogMatch>* out, std::uint64_t budget_bytes = UINT64_MAX);
  // End of the run: scans the partial last line and emits pending tracebacks.
  void flush(std::vector<LogMatch>* out);

  const std::string& path() const { return tail_.path(); }
  const LogStream& stream() const { return stream_; }
  void set_default_rank(std::optional<int> rank) { stream_.set_default_rank(rank); }

 private:
  FileTail tail_;
  LogStream stream_;
};

}  // namespace sidecar
