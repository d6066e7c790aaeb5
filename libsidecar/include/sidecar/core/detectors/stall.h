// Stall detection (header-only, std-only): no new metrics for `factor` x the
// run's own median interval between metric arrivals (and at least
// min_seconds, so checkpoint pauses do not page anyone). NVRx computes its
// timeouts from observed intervals the same way.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// The last arrival times of metric rows (bounded: the last 32 intervals).
class ArrivalClock {
 public:
  static constexpr std::size_t kIntervals = 32;

  void arrive(double t) {
    if (has_last_ && t > last_) {
      intervals_[next_] = t - last_;
      next_ = (next_ + 1) % kIntervals;
      if (count_ < kIntervals) ++count_;
    }
    if (!has_last_ || t > last_) last_ = t;
    has_last_ = true;
  }
  bool any() const { return has_last_; }
  double last() const { return last_; }
  std::size_t intervals() const { return count_; }
  // Median of the retained intervals (0 when none).
  double median_interval() const {
    if (count_ == 0) return 0.0;
    std::vector<double>& v = detail::scratch(3);
    v.assign(intervals_.begin(), intervals_.begin() + static_cast<std::ptrdiff_t>(count_));
    return detail::median_inplace(v);
  }

 private:
  std::array<double, kIntervals> intervals_{};
  std::size_t next_ = 0, count_ = 0;
  double last_ = 0.0;
  bool has_last_ = false;
};

#define SIDECAR_STALL_OPTIONS(X)                                                                                \
  X(bool, enabled, true, (), "off: silence raises nothing")                                                     \
  X(double, factor, 10.0, (1.0), "silent for this x the run's own median interval")                             \
  X(double, min_seconds, 300.0, (0.0), "and at least this long (evaluation and checkpoint phases are shorter)") \
  X(int, min_intervals, 5, (1, 1000), "intervals observed before the median is trusted")                        \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(StallOptions, SIDECAR_STALL_OPTIONS);

// Returns a "stall" decision when nothing arrived for too long at `now`.
inline std::optional<Decision> detect_stall(const ArrivalClock& clock, double now, const StallOptions& opt) {
  if (!opt.enabled || !clock.any()) return std::nullopt;
  double quiet = now - clock.last();
  if (quiet < opt.min_seconds) return std::nullopt;  // cheap exit
  if (clock.intervals() < static_cast<std::size_t>(std::max(opt.min_intervals, 1))) return std::nullopt;
  double med = clock.median_interval();
  double limit = std::max(opt.factor * med, opt.min_seconds);
  if (quiet < limit) return std::nullopt;
  Decision d;
  d.source = Source::kRulebased;
  d.syndrome = "stall";
  d.severity = opt.severity;
  d.message =
      "no new metrics for " + detail::fmt_num(quiet) + " s (the run usually logs every " + detail::fmt_num(med) + " s)";
  d.signature = detail::make_signature(Source::kRulebased, "stall", "metrics");
  d.evidence.emplace_back("quiet_s", detail::fmt_num(quiet));
  d.evidence.emplace_back("median_interval_s", detail::fmt_num(med));
  d.evidence.emplace_back("limit_s", detail::fmt_num(limit));
  return d;
}

}  // namespace sidecar
