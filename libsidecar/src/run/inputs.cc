#include "inputs.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "sidecar/session.h"
#include "sidecar/supervisor.h"

namespace sidecar::detail {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxLogs = 256;                      // one tail per file, at most this many files
constexpr std::size_t kLogBudget = std::size_t{16} << 20;  // bytes per file per poll
constexpr double kPollTimeS = 0.05;                        // time per file per poll

// Live reading: one poll reads a bounded amount (a huge, sparse or endless
// file must not hold up the loop, the child's pipes or signals).
MetricsReaderOptions live_options(MetricsFormat format = MetricsFormat::kAuto) {
  MetricsReaderOptions mo;
  mo.format = format;
  mo.max_poll_bytes = kLogBudget;
  mo.max_poll_s = kPollTimeS;
  return mo;
}

FileTail live_tail(const std::string& path) {
  FileTail t(path);
  t.set_round_budget(kLogBudget, std::chrono::milliseconds(static_cast<int>(kPollTimeS * 1000)));
  return t;
}
}  // namespace

InputSet::InputSet(std::string run_dir, std::string metrics_path, std::vector<std::string> log_patterns,
                   SessionReporter& reporter)
    : run_dir_(std::move(run_dir)), log_patterns_(std::move(log_patterns)), rep_(reporter) {
  if (!metrics_path.empty()) {
    metrics_ = std::make_unique<MetricsReader>(metrics_path, live_options());
    metrics_path_ = std::move(metrics_path);
  }
}

bool InputSet::poll_metrics(Pipeline& p, bool discover, bool eager) {
  // Discovery stats a dozen paths: at most every 0.1 s until a file is found.
  double now = monotonic_seconds();
  if (!metrics_ && discover && (eager || now - last_discovery_ >= 0.1)) {
    last_discovery_ = now;
    if (auto found = discover_metrics(run_dir_)) {
      metrics_path_ = found->path;
      metrics_ = std::make_unique<MetricsReader>(found->path, live_options(found->format));
      rep_.notice("metrics: " + found->path + (found->reason.empty() ? "" : " (" + found->reason + ")"));
    }
  }
  if (!metrics_) return false;
  const std::uint64_t before = metrics_->stats().bytes;
  const double t0 = monotonic_seconds();
  auto n = metrics_->poll([&](const MetricRow& row) { p.row(row, metrics_path_); });
  report_metrics_status(n);
  // A poll that read to its budget (bytes or time) may have left more behind.
  const std::uint64_t read = metrics_->stats().bytes - before;
  return read > 0 && (read >= kLogBudget || monotonic_seconds() - t0 >= kPollTimeS);
}

void InputSet::report_metrics_status(const Result<std::size_t>& n) {
  if (!n) {
    if (n.status().message() != metrics_error_) rep_.notice("metrics: " + n.status().message());
    metrics_error_ = n.status().message();
  } else {
    metrics_error_.clear();
  }
  const auto& st = metrics_->stats();
  if (st.malformed != reported_malformed_) {
    rep_.notice("metrics: " + std::to_string(st.malformed) + " malformed line(s) skipped; latest: " + st.last_error);
    reported_malformed_ = st.malformed;
  }
}

bool InputSet::poll_logs(Pipeline& p) {
  refresh_logs();
  bool more = false;
  for (auto& lg : logs_) {
    std::size_t budget = kLogBudget;
    for (;;) {
      auto chunk = lg.tail.poll();
      if (!chunk) {
        if (chunk.status().message() != lg.last_error) rep_.notice("log: " + chunk.status().message());
        lg.last_error = chunk.status().message();
        break;
      }
      lg.last_error.clear();
      if (chunk->data.empty()) {
        more = more || lg.tail.budget_spent();
        break;
      }
      if (chunk->restarted && chunk->offset == 0 && lg.tail.restarts() > 0) p.flush_log(lg.label);
      p.log(chunk->data, lg.label);
      count_output(chunk->data);
      if (chunk->data.size() >= budget) {
        more = true;
        break;
      }
      budget -= chunk->data.size();
    }
  }
  return more;
}

void InputSet::flush(Pipeline& p) {
  // A job that wrote its metrics and ended within one discovery interval:
  // look once more (eagerly) before the last read.
  // Every poll is bounded: read until nothing more is waiting.
  while (poll_metrics(p, /*discover=*/true, /*eager=*/true)) {
  }
  while (poll_logs(p)) {
  }
  if (metrics_) metrics_->flush([&](const MetricRow& row) { p.row(row, metrics_path_); });
  for (auto& lg : logs_) p.flush_log(lg.label);
}

void InputSet::count_output(std::string_view bytes) {
  bytes_ += bytes.size();
  lines_ += static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

void InputSet::refresh_logs() {
  for (const auto& pattern : log_patterns_) {
    for (auto& path : expand_log_pattern(pattern, run_dir_)) {
      if (std::any_of(logs_.begin(), logs_.end(), [&](const TailedLog& l) { return l.path == path; })) continue;
      if (logs_.size() >= kMaxLogs) break;
      std::string label = path;
      std::error_code ec;
      fs::path rel = fs::path(path).lexically_relative(run_dir_);
      if (!rel.empty() && rel.native().rfind("..", 0) != 0) label = rel.string();
      logs_.push_back(TailedLog{path, label, live_tail(path), {}});
      if (fs::exists(path, ec)) rep_.notice("log: following " + path);
    }
  }
}

}  // namespace sidecar::detail
