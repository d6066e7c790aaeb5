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
constexpr double kFirstDiscoveryS = 0.1;                   // discovery interval until a metrics source is found
constexpr double kMoreDiscoveryS = 1.0;                    // after: more sources, newer ones of a kind
constexpr double kReplaceQuietS = 5.0;  // a source quiet this long may be replaced by a newer one of its kind
constexpr double kStaleSlackS = 2.0;    // working-directory files older than the start by this are another run's

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
                   SessionReporter& reporter, std::string work_dir, double no_rows_notice_s)
    : run_dir_(std::move(run_dir)),
      work_dir_(std::move(work_dir)),
      log_patterns_(std::move(log_patterns)),
      rep_(reporter),
      started_(monotonic_seconds()),
      started_wall_(wall_seconds()),
      no_rows_notice_s_(no_rows_notice_s) {
  if (!metrics_path.empty()) {
    given_ = true;
    MetricsSource& s = sources_.emplace_back();
    s.label = s.path = metrics_path_ = std::move(metrics_path);
    s.reader = std::make_unique<MetricsReader>(s.path, live_options());
    s.grew_at = started_;
  }
}

std::vector<std::string> InputSet::metrics_paths() const {
  std::vector<std::string> out;
  for (const auto& s : sources_) out.push_back(s.path);
  return out;
}

std::uint64_t InputSet::malformed_rows() const {
  std::uint64_t n = 0;
  for (const auto& s : sources_) n += s.malformed_before + s.reader->stats().malformed;
  return n;
}

bool InputSet::poll_metrics(Pipeline& p, bool discover_now, bool eager) {
  const double now = monotonic_seconds();
  if (!given_ && discover_now) discover(p, now, eager);
  bool more = false;
  for (auto& s : sources_) more = poll_source(s, p) || more;
  maybe_notice(p, now);
  return more;
}

// Discovery lists a few dozen directories: every 0.1 s (or eagerly) until a
// source is found, then every second for more sources and newer ones.
void InputSet::discover(Pipeline& p, double now, bool eager) {
  const double every = sources_.empty() ? kFirstDiscoveryS : kMoreDiscoveryS;
  if (!(sources_.empty() && eager) && now - last_discovery_ < every) return;
  last_discovery_ = now;
  for (const DiscoveredSource& src : discover_metrics_sources(run_dir_, work_dir_)) adopt(p, src, now);
}

// Follows a discovered source: a new stream, a newer source of a kind already
// followed (once the older one has been quiet a while), or nothing new.
void InputSet::adopt(Pipeline& p, const DiscoveredSource& src, double now) {
  if (src.in_work_dir && src.mtime > 0 && src.mtime < started_wall_ - kStaleSlackS) {
    // Written before this run started: another run's, until it changes.
    if (ignored_.insert(src.path).second)
      rep_.notice("metrics: not following " + src.path + " (" + src.reason + "): last written before this run started");
    return;
  }
  auto same_kind = std::find_if(sources_.begin(), sources_.end(), [&](const MetricsSource& s) {
    return s.path == src.path || (!src.kind.empty() && s.kind == src.kind);
  });
  if (same_kind != sources_.end()) {
    MetricsSource& s = *same_kind;
    if (s.path == src.path || now - s.grew_at < kReplaceQuietS) return;
    rep_.notice("metrics: " + src.path + " (" + src.reason + ") follows " + s.path);
    s.reader->flush([&](const MetricRow& row) { deliver(s, p, row); });  // its last line without a newline
    s.path = src.path;
    s.malformed_before += s.reader->stats().malformed;
    s.reader = std::make_unique<MetricsReader>(src.path, live_options(src.format));
    // A newer checkpoint's trainer_state.json repeats the history before it;
    // a new run directory or version may start its steps again.
    s.skip_to = src.format == MetricsFormat::kHfTrainerState ? s.last_step : std::nullopt;
    s.reported_malformed = 0;
    s.error.clear();
    return;
  }
  MetricsSource& s = sources_.emplace_back();
  s.kind = src.kind;
  s.label = s.path = src.path;
  s.reader = std::make_unique<MetricsReader>(src.path, live_options(src.format));
  s.grew_at = now;
  if (metrics_path_.empty()) metrics_path_ = src.path;
  rep_.notice("metrics: " + src.path + (src.reason.empty() ? "" : " (" + src.reason + ")"));
}

void InputSet::deliver(MetricsSource& s, Pipeline& p, const MetricRow& row) {
  if (row.step) {
    if (s.skip_to && *row.step <= *s.skip_to) return;
    if (!s.last_step || *row.step > *s.last_step) s.last_step = row.step;
  }
  p.row(row, s.label);
}

bool InputSet::poll_source(MetricsSource& s, Pipeline& p) {
  MetricsReader& r = *s.reader;
  const std::uint64_t before = r.stats().bytes;
  const double t0 = monotonic_seconds();
  auto n = r.poll([&](const MetricRow& row) { deliver(s, p, row); });
  report_metrics_status(s, n);
  // A poll that read to its budget (bytes or time) may have left more behind.
  const std::uint64_t read = r.stats().bytes - before;
  if (read > 0) s.grew_at = t0;
  return read > 0 && (read >= kLogBudget || monotonic_seconds() - t0 >= kPollTimeS);
}

void InputSet::report_metrics_status(MetricsSource& s, const Result<std::size_t>& n) {
  if (!n) {
    if (n.status().message() != s.error) rep_.notice("metrics: " + n.status().message());
    s.error = n.status().message();
  } else {
    s.error.clear();
  }
  const auto& st = s.reader->stats();
  if (st.malformed != s.reported_malformed) {
    rep_.notice("metrics: " + std::to_string(st.malformed) + " malformed line(s) skipped; latest: " + st.last_error);
    s.reported_malformed = st.malformed;
  }
}

// No metric row (from any file or the output) N s after the start: say once
// where sidecar looked and how to point it at the metrics.
void InputSet::maybe_notice(const Pipeline& p, double now) {
  if (noticed_ || given_ || no_rows_notice_s_ <= 0 || now - started_ < no_rows_notice_s_) return;
  noticed_ = true;
  if (p.monitor().stats().rows > 0) return;
  rep_.notice(no_metrics_message(run_dir_, work_dir_, no_rows_notice_s_));
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
  last_discovery_ = -1e300;
  while (poll_metrics(p, /*discover=*/true, /*eager=*/true)) {
  }
  while (poll_logs(p)) {
  }
  for (auto& s : sources_) s.reader->flush([&](const MetricRow& row) { deliver(s, p, row); });
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
