// Run reports: one self-contained HTML file per run (no network, no external
// JS or CSS) with inline SVG plots of the run's curves — loss (log scale when
// it spans decades), validation/quality, reward/KL/entropy, throughput, grad
// norm — each with the alerts marked at their steps, an incident timeline
// with evidence and log excerpts, the comparison with the baseline from
// history and the run's facts.
//
// Two entry points:
//   // A run directory (what `sidecar-cli report RUN_DIR` does):
//   auto path = sidecar::write_run_report({.run_dir = "runs/r1"}, "runs/r1/sidecar/report.html");
//
//   // In memory (the end of `run`, Python's Monitor.report(path)):
//   sidecar::ReportBuilder b;
//   b.observe(row);               // every metric row, in arrival order
//   b.add_alert(alert);           // every alert / resolution surfaced
//   b.add_resolved(resolved);
//   b.facts().command = "python train.py";
//   sidecar::Status st = sidecar::write_report(b.build(), "report.html");
//
// Long series are downsampled while they are read (min/max per bucket, the
// bucket width doubling as the run grows), so memory and report size do not
// grow with run length; NaN/Inf points are kept as markers.
//
// Thread-safety: ReportBuilder and SeriesDownsampler are not thread-safe (one
// owner); the free functions are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/roles.h"
#include "sidecar/status.h"

namespace sidecar {

struct ReportPoint {
  double x = 0.0;  // the step (or the row index when rows have no step)
  double y = 0.0;
};

// A streaming min/max-per-bucket downsampler with bounded memory. Points are
// grouped in arrival order into at most max_buckets buckets of `width`
// points; when the buckets are full, neighbours merge and the width doubles.
// Each bucket keeps its first, lowest, highest and last point, so every
// extreme of the raw series survives. Non-finite values never enter the
// buckets: they are kept as markers (the first and the latest ones when
// there are more than max_nonfinite) and break the line where they occur.
//
//   sidecar::SeriesDownsampler d(500);
//   for (...) d.add(step, loss);
//   for (auto& seg : d.segments()) draw_polyline(seg);   // <= 4 x 500 points in all
class SeriesDownsampler {
 public:
  explicit SeriesDownsampler(std::size_t max_buckets = 500, std::size_t max_nonfinite = 400);

  void add(double x, double y);

  // The kept finite points in arrival order, split where non-finite values
  // interrupted the series (each segment is one polyline).
  std::vector<std::vector<ReportPoint>> segments() const;
  // The non-finite points (y is NaN, +Inf or -Inf), in arrival order.
  std::vector<ReportPoint> nonfinite() const;

  std::uint64_t count() const { return count_; }                      // points added
  std::uint64_t nonfinite_count() const { return nonfinite_count_; }  // non-finite points added
  std::optional<double> last_finite() const { return last_finite_; }
  std::optional<double> min_finite() const;
  std::optional<double> max_finite() const;

 private:
  struct Kept {
    ReportPoint p;
    std::uint64_t order = 0;
  };
  struct Bucket {
    Kept first, lo, hi, last;
    std::uint64_t n = 0;
    bool gap_before = false;  // a non-finite value came between this bucket and the previous one
  };
  void merge_pairs();

  std::size_t max_buckets_;
  std::size_t max_nonfinite_;
  std::uint64_t width_ = 1;
  std::vector<Bucket> buckets_;
  std::vector<ReportPoint> nf_head_;  // the first max_nonfinite/2 non-finite points
  std::vector<ReportPoint> nf_tail_;  // a ring of the latest ones
  std::size_t nf_tail_pos_ = 0;
  bool pending_gap_ = false;
  std::uint64_t count_ = 0;
  std::uint64_t nonfinite_count_ = 0;
  std::uint64_t order_ = 0;
  std::optional<double> last_finite_;
};

// One plotted metric key.
struct ReportSeries {
  std::string key;  // as written by the run: "train/loss"
  Role role = Role::kLoss;
  std::vector<std::vector<ReportPoint>> segments;  // downsampled finite points (polylines)
  std::vector<ReportPoint> nonfinite;              // NaN / Inf markers
  std::uint64_t count = 0;                         // raw points
  std::uint64_t nonfinite_count = 0;
  std::optional<double> last, min, max;  // finite values
};

// What is known about the run (every field optional: "" / nullopt = unknown).
struct RunFacts {
  std::string run_id;
  std::string run_dir;
  std::string command;
  std::string status;  // finished | failed | stopped | running | ...
  std::optional<int> exit_code;
  std::string error;
  std::string profile;
  std::optional<double> started_at;  // seconds since the epoch
  std::optional<double> ended_at;
  std::vector<std::string> gpus;  // e.g. "0 (NVIDIA H100 80GB)"
  std::string metrics_path;
  std::string log_path;
  std::string monitor_note;
  std::uint64_t rows = 0;            // metric rows read
  std::uint64_t malformed_rows = 0;  // metric lines skipped
};

// One line of the "this run vs its baseline" table.
struct BaselineComparison {
  std::string metric;  // "throughput (median)", "best val accuracy"
  std::optional<double> this_run;
  std::optional<double> baseline;
  std::size_t baseline_runs = 0;  // finished runs the baseline is the median of
  bool higher_is_better = true;
};

// Lines of the run's log around an alert (1-based line numbers).
struct LogExcerpt {
  std::uint64_t first_line = 0;
  std::uint64_t anchor_line = 0;  // the line that matched (0 = none)
  std::vector<std::string> lines;
};

struct ReportOptions {
  std::size_t max_buckets = 500;       // per series (each bucket draws up to 4 points)
  std::size_t max_keys_per_role = 4;   // more keys bound to one role are not plotted
  std::size_t excerpt_context = 3;     // log lines before and after an alert's anchor line
  std::size_t max_excerpt_line = 240;  // longer log lines are cut (bytes)
  std::size_t log_tail_lines = 15;     // the end of run.log shown at the bottom
  std::size_t max_alerts = 200;        // timeline entries (the rest are counted)
  std::string title;                   // "" = "sidecar report: <run id>"
};

// Everything a report shows.
struct ReportData {
  RunFacts facts;
  std::vector<ReportSeries> series;
  std::vector<Alert> alerts;  // in order of arrival
  std::vector<Resolved> resolved;
  std::vector<std::string> incident_ids;             // parallel to alerts: the alert record's "incident" ("" = none)
  std::vector<LogExcerpt> excerpts;                  // parallel to alerts (empty excerpt = none found)
  std::vector<std::pair<double, double>> time_to_x;  // (epoch s, step) samples, to place alerts without a step
  std::vector<BaselineComparison> baseline;
  std::string baseline_note;  // e.g. "3 finished runs of this command" or why there is none
  std::vector<std::string> log_tail;
  std::vector<std::string> notes;  // what was missing or odd while reading ("no run.log", ...)
};

// Accumulates a report from a live run, row by row (bounded memory).
class ReportBuilder {
 public:
  explicit ReportBuilder(ReportOptions options = {}, const RoleAliases& aliases = RoleAliases{});
  ~ReportBuilder();
  ReportBuilder(ReportBuilder&&) noexcept;
  ReportBuilder& operator=(ReportBuilder&&) noexcept;
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  // One metric row: every key bound to a role is kept (downsampled). O(keys).
  void observe(const MetricRow& row);
  void add_alert(const Alert& alert, std::string incident_id = "");
  void add_resolved(const Resolved& resolved);
  RunFacts& facts();
  // Baseline comparison rows (the run loop knows its baseline).
  void add_baseline(BaselineComparison row);
  void set_baseline_note(std::string note);
  void add_note(std::string note);

  // The report data; log excerpts and the log tail are read from
  // facts().log_path when it is set. Can be called more than once.
  ReportData build() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Renders the report as one HTML document (pure).
std::string render_report_html(const ReportData& data, const ReportOptions& options = {});

// Renders and writes the report to `path` atomically (temporary file, then
// rename). Errors: kIoError / kPermissionDenied / kNotFound (directory missing).
Status write_report(const ReportData& data, const std::string& path, const ReportOptions& options = {});

struct RunReportInputs {
  std::string run_dir;
  std::string metrics_path;  // "" = discover_metrics(run_dir)
  std::string log_path;      // "" = <run_dir>/run.log when it exists
  std::string history_path;  // "" = no baseline comparison
  ReportOptions options;
};

// Reads a run directory: <run_dir>/sidecar/alerts.jsonl, sidecar/status.json,
// sidecar/run.json (run facts, when the run loop wrote one), the metrics
// file, run.log and the history file. Missing pieces are noted in
// ReportData::notes, not errors. Errors: kNotFound (run_dir does not exist or
// is not a directory).
Result<ReportData> load_run_report(const RunReportInputs& inputs);

// load_run_report + write_report. Returns the path written.
Result<std::string> write_run_report(const RunReportInputs& inputs, const std::string& out_path);

// Reads log excerpts around each alert and the log's last lines in one pass
// over the file (the anchor: the alert's evidence line when the log holds it,
// else the first line mentioning "step" and the alert's step).
void read_log_excerpts(const std::string& log_path, const std::vector<Alert>& alerts, const ReportOptions& options,
                       std::vector<LogExcerpt>* excerpts, std::vector<std::string>* tail);

}  // namespace sidecar
