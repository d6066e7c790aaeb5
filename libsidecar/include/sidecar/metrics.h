// Metrics ingestion: incremental readers for the files training runs write.
//
// Formats: JSON Lines (generic metrics.jsonl, research-agent
// agent_metrics.jsonl), W&B wandb-history.jsonl, Lightning CSVLogger
// metrics.csv, Stable-Baselines3 progress.csv, TensorBoard event files (a file
// or a directory of them), HF trainer_state.json, the MLflow file store and
// detectron2 metrics.json. Metric lines in printed output: metric_lines.h.
// Files are followed with
// FileTail (only new bytes are read; truncation and rotation restart cleanly);
// a partial last line waits for its newline; malformed lines are counted and
// reported as "file:line: what", never fatal. Memory does not grow with the
// number of rows.
//
//   sidecar::MetricsReader reader("run/metrics.jsonl");
//   auto n = reader.poll([&](const sidecar::MetricRow& row) { monitor.observe(row); });
//   if (!n) log(n.status().to_string());              // I/O error: retried next poll
//   if (reader.stats().malformed) log(reader.stats().last_error);
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar {

enum class MetricsFormat {
  kAuto,
  kJsonl,
  kWandbHistory,
  kLightningCsv,
  kSb3ProgressCsv,
  kTfEvents,        // TensorBoard event files: one file, or every events.out.tfevents.* of a directory
  kHfTrainerState,  // HF trainer_state.json (log_history; rewritten in place, only new entries delivered)
  kMlflow,          // MLflow file store run directory (metrics/<key>: "timestamp value step" lines)
  kDetectron2,      // detectron2 metrics.json (JSON Lines; step from "iteration", "time" is a value)
};

// "auto", "jsonl", "wandb_history", "lightning_csv", "sb3_progress_csv",
// "tfevents", "hf_trainer_state", "mlflow", "detectron2".
std::string_view to_string(MetricsFormat f);
// Parses the names above (also "wandb", "lightning", "sb3", "csv" -> lightning_csv, "json",
// "tensorboard", "trainer_state").
std::optional<MetricsFormat> parse_metrics_format(std::string_view text);

struct MetricsReaderOptions {
  MetricsFormat format = MetricsFormat::kAuto;        // kAuto: from the file name, else from the first byte
  std::size_t max_line_bytes = std::size_t{1} << 20;  // longer lines are skipped and reported
  int max_depth = 32;                                 // deeper nesting: the line is skipped and reported
  std::size_t max_keys = 4096;                        // per row (and CSV columns); keys beyond are counted, not stored
  // One poll() reads at most this many bytes / for this long, then returns
  // and the next poll() goes on (a live run: a huge or sparse file must not
  // hold up the loop). 0 = until drained (replay of a finished file).
  std::uint64_t max_poll_bytes = 0;
  double max_poll_s = 0.0;
};

struct MetricsStats {
  std::uint64_t rows = 0;          // rows delivered
  std::uint64_t malformed = 0;     // lines skipped as malformed (too long, too deep, not JSON, bad CSV)
  std::uint64_t bytes = 0;         // bytes read (all files, across restarts; a partial last line included)
  std::uint64_t restarts = 0;      // truncations, rotations, re-creations, CSV header rewrites
  std::uint64_t dropped_keys = 0;  // keys beyond max_keys (counted, not stored)
  std::string last_error;          // "file:line: what" of the latest malformed line
};

// Parses single lines into rows: the engine of MetricsReader, exposed for the
// Python module, tests and fuzzing. Keeps reusable buffers (one per thread).
class MetricsLineParser {
 public:
  explicit MetricsLineParser(MetricsReaderOptions options = {});
  ~MetricsLineParser();
  MetricsLineParser(MetricsLineParser&&) noexcept;
  MetricsLineParser& operator=(MetricsLineParser&&) noexcept;
  MetricsLineParser(const MetricsLineParser&) = delete;
  MetricsLineParser& operator=(const MetricsLineParser&) = delete;

  // Parses one JSON object (a line, with or without its newline) and calls
  // on_row once with it. A blank line yields no row and Ok. Errors
  // (kParseError, kResourceExhausted) say what, without a location.
  // `wandb`: also skip W&B's internal `_`-prefixed keys (_runtime, _wandb...).
  Status parse_json(std::string_view line, const std::function<void(const MetricRow&)>& on_row, bool wandb = false);

  // Parses a block of complete JSON lines (`text` ends with '\n'; blank lines
  // are skipped) with simdjson's iterate_many: one stage-1 pass for the
  // block, one row per line. A line that is malformed (or that the fast path
  // cannot attribute to exactly one line) is parsed alone, exactly as
  // parse_json would, and reported through on_error with its 0-based line
  // index in the block. `padding`: readable bytes after the end of `text`;
  // with fewer than 64 the block is copied first. Returns the lines consumed.
  std::size_t parse_json_lines(std::string_view text, std::size_t padding,
                               const std::function<void(const MetricRow&)>& on_row,
                               const std::function<void(std::size_t line_index, const Status& error)>& on_error,
                               bool wandb = false);

  // CSV: set the header line (column names), then parse data lines against it.
  Status set_csv_header(std::string_view line);
  Status parse_csv(std::string_view line, const std::function<void(const MetricRow&)>& on_row);
  bool has_csv_header() const;

  // Keys dropped beyond max_keys so far.
  std::uint64_t dropped_keys() const;
  const MetricsReaderOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Incremental reader over one metrics file (which may not exist yet).
class MetricsReader {
 public:
  explicit MetricsReader(std::string path, MetricsReaderOptions options = {});
  ~MetricsReader();
  MetricsReader(MetricsReader&&) noexcept;
  MetricsReader& operator=(MetricsReader&&) noexcept;
  MetricsReader(const MetricsReader&) = delete;
  MetricsReader& operator=(const MetricsReader&) = delete;

  // Reads everything new and calls on_row for each complete row; returns the
  // number of rows delivered. Never fails on bad lines (they are counted, with
  // file:line, in stats()); I/O errors are returned and the next poll retries.
  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row);

  // The file is finished (replay, post-mortem): parses a last line that has
  // no newline, which poll() keeps waiting for. Returns the rows delivered (0 or 1).
  std::size_t flush(const std::function<void(const MetricRow&)>& on_row);

  const MetricsStats& stats() const;
  const std::string& path() const;
  // The format in use: the option, or what kAuto resolved to (kAuto until known).
  MetricsFormat format() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct DiscoveredSource {
  std::string path;
  MetricsFormat format = MetricsFormat::kAuto;
  std::string reason;  // why it was chosen (and what else was there)
  double mtime = 0.0;  // seconds since the epoch of the newest file behind it (0 unknown)
  // discover_metrics_sources: what kind of source and under which root
  // ("tfevents in the working directory"); one source per kind, so a later
  // source of the same kind (a newer checkpoint, version or run) replaces it.
  std::string kind;
  bool in_work_dir = false;  // found under work_dir (not the run directory)
};

// Finds the metrics file of a run directory: metrics.jsonl, agent_metrics.jsonl,
// wandb/{run,offline-run}-*/files/wandb-history.jsonl (newest run wins),
// Lightning [*/]lightning_logs/version_*/metrics.csv (highest version wins),
// SB3 progress.csv (also one level down). A file path is taken as is.
// kNotFound when nothing is there yet (callers retry later).
Result<DiscoveredSource> discover_metrics(const std::string& run_dir);

struct DiscoverOptions {
  std::size_t max_sources = 8;  // sources returned at most (newest first)
};

// Every metrics source of a run, newest first, each with the reason it was
// chosen: in the run directory, then the job's working directory (`work_dir`,
// may be empty or the same), and the usual places under each:
//   metrics.jsonl, agent_metrics.jsonl, outputs/**/metrics.jsonl (Hydra, 2 levels);
//   wandb/latest-run (else the newest run-*) files/wandb-history.jsonl;
//   lightning_logs/version_N (highest N): metrics.csv and tfevents;
//   runs/*/ and the directory itself: tfevents (newest directory);
//   mlruns/<exp>/<run> (newest run with metrics/);
//   checkpoint-*/trainer_state.json (highest checkpoint; also one level down), trainer_state.json;
//   detectron2 metrics.json (also output/); SB3 progress.csv.
// One source per kind (the newest of that kind); at most options.max_sources.
// A file path is returned as is. Empty when nothing is there yet.
std::vector<DiscoveredSource> discover_metrics_sources(const std::string& run_dir, const std::string& work_dir = {},
                                                       const DiscoverOptions& options = {});

// The info line for "no metric row after N s": where sidecar looked and how
// to point it at the metrics (--metrics, SIDECAR_METRICS_FILE).
std::string no_metrics_message(const std::string& run_dir, const std::string& work_dir, double seconds);

// The format a file name implies (wandb-history.jsonl, progress.csv, *.csv,
// *tfevents*, trainer_state.json, detectron2's metrics.json, else JSON Lines).
// For a directory MetricsReader looks inside: tfevents files, or an MLflow run.
MetricsFormat metrics_format_for_path(std::string_view path);

// Parses one JSON line into a row with a thread-local parser (see MetricsLineParser::parse_json).
Status parse_metrics_json_line(std::string_view line, const std::function<void(const MetricRow&)>& on_row,
                               const MetricsReaderOptions& options = {});

}  // namespace sidecar
