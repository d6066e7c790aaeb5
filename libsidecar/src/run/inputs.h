// The inputs of a run or watch: metrics sources (a given file, or every
// source discovered in the run directory and the job's working directory:
// metrics.jsonl, tfevents, trainer_state.json, ...; each its own stream) and
// followed log files (globs re-expanded so late files are picked up), read
// incrementally and fed into the pipeline in the order they are read. Each
// poll is bounded (bytes per file) so a flood cannot starve the loop; poll()
// says when more is waiting. When no metric row has arrived N s after the
// start, one notice says where sidecar looked and how to point it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sidecar/file_tail.h"
#include "sidecar/metrics.h"
#include "sidecar/pipeline.h"

namespace sidecar::detail {

class InputSet {
 public:
  // `work_dir`: the job's working directory, searched too ("" = none).
  // `no_rows_notice_s`: the notice when no row has arrived by then (<= 0: never).
  InputSet(std::string run_dir, std::string metrics_path, std::vector<std::string> log_patterns,
           SessionReporter& reporter, std::string work_dir = {}, double no_rows_notice_s = 60.0);

  // Reads what is new in the metrics sources (discovering them when no file
  // was given) and feeds the rows. Returns true when more is waiting.
  // Discovery runs at most every 0.1 s until a source is found (every 1 s
  // after, for more sources) unless `eager` (output just arrived: the rows
  // written before it must be read first).
  bool poll_metrics(Pipeline& p, bool discover = true, bool eager = false);
  // Reads what is new in the followed logs. Returns true when more is waiting.
  bool poll_logs(Pipeline& p);
  bool poll(Pipeline& p, bool discover = true) {
    bool more = poll_metrics(p, discover);
    return poll_logs(p) || more;
  }
  // The end of the inputs: a last metrics line without a newline, partial log lines.
  void flush(Pipeline& p);
  void count_output(std::string_view bytes);

  // The first metrics source followed ("" = none yet), and all of them.
  const std::string& metrics_path() const { return metrics_path_; }
  std::vector<std::string> metrics_paths() const;
  std::uint64_t malformed_rows() const;
  std::uint64_t lines() const { return lines_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  struct TailedLog {
    std::string path;
    std::string label;
    FileTail tail;
    std::string last_error;
  };
  // One metrics stream. A newer source of the same kind (checkpoint-N,
  // version_N, runs/<newest>) replaces the reader under the same label; for a
  // newer checkpoint's trainer_state.json, its rows at or before the last
  // step already read are skipped (it repeats the history).
  struct MetricsSource {
    std::string kind;   // DiscoveredSource::kind ("" = given)
    std::string label;  // the stream's name for the pipeline (its first path)
    std::string path;
    std::unique_ptr<MetricsReader> reader;
    std::string error;
    std::uint64_t reported_malformed = 0;
    double grew_at = 0;                     // monotonic time of the last growth
    std::optional<std::int64_t> last_step;  // the latest step delivered
    std::optional<std::int64_t> skip_to;    // replaced: rows at or before this step are skipped
    std::uint64_t malformed_before = 0;     // malformed lines of the readers it replaced
  };
  void refresh_logs();
  void discover(Pipeline& p, double now, bool eager);
  void adopt(Pipeline& p, const DiscoveredSource& src, double now);
  bool poll_source(MetricsSource& s, Pipeline& p);
  void deliver(MetricsSource& s, Pipeline& p, const MetricRow& row);
  void report_metrics_status(MetricsSource& s, const Result<std::size_t>& n);
  void maybe_notice(const Pipeline& p, double now);

  std::string run_dir_;
  std::string work_dir_;
  std::vector<std::string> log_patterns_;
  SessionReporter& rep_;
  bool given_ = false;  // a metrics file was given: no discovery
  std::deque<MetricsSource> sources_;
  std::string metrics_path_;
  std::set<std::string> ignored_;  // stale working-directory sources, named once
  double started_ = 0;             // monotonic
  double started_wall_ = 0;
  double no_rows_notice_s_ = 60.0;
  bool noticed_ = false;
  double last_discovery_ = -1e300;
  std::deque<TailedLog> logs_;
  std::uint64_t lines_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace sidecar::detail
