// Cross-run memory (SPEC §7): a bounded JSONL file of one row per finished,
// failed or stopped run, and the baseline computed from it.
//
// Row: {"run_id","status","timestamp","profile","command_fingerprint","summary":{...}}.
// Appends take an exclusive flock on "<path>.lock", so concurrent writers
// lose nothing; the file is compacted to the newest max_rows rows (temp file
// + rename, under the same lock); corrupt lines are skipped and counted when
// reading, and kept (never dropped) when compacting. A file that is not a
// history file (its first line is not a row: a training log given as
// --history by mistake) is never written to, and one that is mostly not rows
// or too large to read whole is never rewritten.
//
//   auto rows = sidecar::read_history(".sidecar/history.jsonl");
//   auto fp = sidecar::command_fingerprint("CUDA_VISIBLE_DEVICES=3 python train.py --seed 1", opts.masks);
//   sidecar::Baseline b = sidecar::compute_baseline(rows->rows, fp, opts);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/detectors/baseline.h"
#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar {

// masks: command-line flags / environment variables whose values do not
// change what a run is (masked before hashing): "--seed 3", "--seed=3",
// "SEED=3"; the playbook's `extra_masks` (read after the table) extends it.
#define SIDECAR_HISTORY_OPTIONS(X)                                                                            \
  X(std::string, path, ".sidecar/history.jsonl", (), "the history file, relative to the working directory")   \
  X(bool, enabled, true, (), "false: no run is recorded and no baseline used")                                \
  X(int, max_rows, 400, (1, 1e7), "compacted to the newest rows past this")                                   \
  X(int, min_samples, 1, (1, 1e6), "finished runs needed before a baseline is used")                          \
  X(std::vector<std::string>, masks,                                                                          \
    (std::vector<std::string>{"CUDA_VISIBLE_DEVICES", "--seed", "--output_dir", "--output-dir", "--run_name", \
                              "--run-name", "--logging_dir", "--save_dir", "--wandb_run_name", "--run-dir",   \
                              "--run_dir"}),                                                                  \
    (), "flags/variables whose values do not change what a run is (a list here replaces it)")
SIDECAR_OPTIONS(HistoryOptions, SIDECAR_HISTORY_OPTIONS);

struct HistoryRow {
  std::string run_id;
  std::string status;  // finished | failed | stopped | ...
  double timestamp = 0.0;
  Profile profile = Profile::kGeneric;
  std::string command_fingerprint;
  std::string command;  // the command text (capped), so people can find a run by what they typed
  // Summary numbers (throughput = steady-state median, val_accuracy_best, loss_last, steps, ...).
  std::vector<std::pair<std::string, double>> summary;
  // Best-so-far validation accuracy at increasing steps (bounded).
  std::vector<SeriesPoint> val_accuracy_curve;
  std::int64_t last_step = 0;

  std::optional<double> get(std::string_view key) const {
    for (const auto& [k, v] : summary)
      if (k == key) return v;
    return std::nullopt;
  }
};

struct HistoryFile {
  std::vector<HistoryRow> rows;
  std::size_t corrupt_lines = 0;
};

// The command with masked values and collapsed whitespace (what is hashed).
std::string canonical_command(std::string_view command, std::span<const std::string> masks);
// 16 hex digits (FNV-1a 64) of canonical_command().
std::string command_fingerprint(std::string_view command, std::span<const std::string> masks);

// One row as one line of JSON (no newline).
std::string history_row_to_json(const HistoryRow& row);
// Parses one line; errors: kParseError.
Result<HistoryRow> history_row_from_json(std::string_view line);

// Reads every row (a missing file is an empty history). Errors: kPermissionDenied, kIoError.
Result<HistoryFile> read_history(const std::string& path);
// Appends one row under the lock (creating directories), then compacts past
// max_rows. Errors: kInvalidArgument (not a history file: nothing written),
// kIoError, kPermissionDenied.
Status append_history(const std::string& path, const HistoryRow& row, const HistoryOptions& opt);

// Medians over finished runs with this fingerprint (empty when fewer than min_samples).
Baseline compute_baseline(std::span<const HistoryRow> rows, std::string_view fingerprint, const HistoryOptions& opt);

}  // namespace sidecar
