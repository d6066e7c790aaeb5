// The inputs of a run or watch: metrics files (given, or discovered in the
// run directory) and followed log files (globs re-expanded so late files are
// picked up), read incrementally and fed into the pipeline in the order they
// are read. Each poll is bounded (bytes per file) so a flood cannot starve
// the loop; poll() says when more is waiting.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sidecar/file_tail.h"
#include "sidecar/metrics.h"
#include "sidecar/pipeline.h"

namespace sidecar::detail {

class InputSet {
 public:
  InputSet(std::string run_dir, std::string metrics_path, std::vector<std::string> log_patterns,
           SessionReporter& reporter);

  // Reads what is new in the metrics files (discovering one when none was
  // given) and feeds the rows. Returns true when more is waiting. Discovery
  // runs at most every 0.1 s unless `eager` (output just arrived: the rows
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

  const std::string& metrics_path() const { return metrics_path_; }
  std::uint64_t malformed_rows() const { return metrics_ ? metrics_->stats().malformed : 0; }
  std::uint64_t lines() const { return lines_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  struct TailedLog {
    std::string path;
    std::string label;
    FileTail tail;
    std::string last_error;
  };
  void refresh_logs();
  void report_metrics_status(const Result<std::size_t>& n);

  std::string run_dir_;
  std::vector<std::string> log_patterns_;
  SessionReporter& rep_;
  std::unique_ptr<MetricsReader> metrics_;
  std::string metrics_path_;
  std::string metrics_error_;
  std::uint64_t reported_malformed_ = 0;
  double last_discovery_ = -1e300;
  std::deque<TailedLog> logs_;
  std::uint64_t lines_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace sidecar::detail
