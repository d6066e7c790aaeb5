// Bounded metric series indexed by step (header-only, std-only).
//
// A Series keeps the last `capacity` points of one metric in a ring buffer
// plus streaming statistics over the whole run (count, extrema, first
// values, trailing non-finite run), so memory does not grow with run length
// and a push is O(1). Detectors read it; only the Monitor (or a test) writes.
//
//   sidecar::Series loss("loss", 128);
//   loss.push(10, 2.31);
//   double last = loss.back().value;
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar {

struct SeriesPoint {
  std::int64_t step = 0;
  double value = 0.0;
};

class Series {
 public:
  static constexpr std::size_t kDefaultCapacity = 128;
  static constexpr std::size_t kInitialValues = 16;

  explicit Series(std::string name = {}, std::size_t capacity = kDefaultCapacity)
      : name_(std::move(name)), ring_(std::max<std::size_t>(capacity, 8)) {}

  // Appends a point. A point at the same step as the last one replaces it
  // (a metric re-logged for a step), without undoing run-wide extrema.
  void push(std::int64_t step, double value) {
    if (size_ > 0 && back().step == step && has_step_) {
      ring_[index(0)].value = value;
      update_stats(value, /*replace=*/true);
      return;
    }
    if (++head_ == ring_.size()) head_ = 0;
    ring_[head_] = SeriesPoint{step, value};
    if (size_ < ring_.size()) ++size_;
    ++count_;
    has_step_ = true;
    update_stats(value, /*replace=*/false);
  }

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  bool empty() const { return size_ == 0; }
  // Points retained (at most capacity()).
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return ring_.size(); }
  // Points pushed over the whole run.
  std::uint64_t count() const { return count_; }
  std::uint64_t finite_count() const { return finite_count_; }
  // The i-th newest point (0 = latest). Requires i < size().
  const SeriesPoint& from_back(std::size_t i) const { return ring_[index(i)]; }
  const SeriesPoint& back() const { return from_back(0); }
  // Consecutive non-finite values at the end of the series.
  std::size_t trailing_nonfinite() const { return trailing_nonfinite_; }
  // Run-wide extrema of finite values (nullopt before the first finite value).
  std::optional<double> max() const { return finite_count_ ? std::optional<double>(max_) : std::nullopt; }
  std::optional<double> min() const { return finite_count_ ? std::optional<double>(min_) : std::nullopt; }
  // Run-wide maximum of finite values before the latest point.
  std::optional<double> max_before_last() const {
    return finite_before_last_ ? std::optional<double>(max_before_last_) : std::nullopt;
  }
  // Step at which the run-wide maximum / minimum was reached.
  std::int64_t argmax_step() const { return argmax_step_; }
  std::int64_t argmin_step() const { return argmin_step_; }
  // The first kInitialValues finite values of the run (for "initial level"
  // and "early post-warm-up level" references).
  std::span<const double> initial_values() const { return {initial_.data(), initial_count_}; }
  // ... and their steps.
  std::span<const std::int64_t> initial_steps() const { return {initial_steps_.data(), initial_count_}; }

  // Finite values of the points from_back(skip + n - 1) .. from_back(skip),
  // oldest first, appended to `out` (cleared first). Fewer when not retained.
  void finite_window(std::size_t skip, std::size_t n, std::vector<double>* out) const {
    out->clear();
    if (skip >= size_) return;
    std::size_t avail = std::min(n, size_ - skip);
    for (std::size_t i = skip + avail; i-- > skip;) {
      double v = from_back(i).value;
      if (std::isfinite(v)) out->push_back(v);
    }
  }

 private:
  // No division on the hot path: i < size() <= capacity.
  std::size_t index(std::size_t i) const { return head_ >= i ? head_ - i : head_ + ring_.size() - i; }

  void update_stats(double v, bool replace) {
    if (!replace) {
      finite_before_last_ = finite_count_ > 0;
      max_before_last_ = max_;
    }
    if (!std::isfinite(v)) {
      trailing_nonfinite_ = replace ? std::max<std::size_t>(trailing_nonfinite_, 1) : trailing_nonfinite_ + 1;
      return;
    }
    trailing_nonfinite_ = 0;
    if (!replace) ++finite_count_;
    std::int64_t step = back().step;
    if (finite_count_ == 1 || v > max_) {
      max_ = v;
      argmax_step_ = step;
    }
    if (finite_count_ == 1 || v < min_) {
      min_ = v;
      argmin_step_ = step;
    }
    if (!replace && initial_count_ < kInitialValues) {
      initial_steps_[initial_count_] = step;
      initial_[initial_count_++] = v;
    }
  }

  std::string name_;
  std::vector<SeriesPoint> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  bool has_step_ = false;
  std::uint64_t count_ = 0;
  std::uint64_t finite_count_ = 0;
  std::size_t trailing_nonfinite_ = 0;
  double max_ = 0.0, min_ = 0.0, max_before_last_ = 0.0;
  bool finite_before_last_ = false;
  std::int64_t argmax_step_ = 0, argmin_step_ = 0;
  std::array<double, kInitialValues> initial_{};
  std::array<std::int64_t, kInitialValues> initial_steps_{};
  std::size_t initial_count_ = 0;
};

namespace detail {

// Median of `v` (reorders it); NaN when empty.
inline double median_inplace(std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2.0;
}

inline double mean(const std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

}  // namespace detail
}  // namespace sidecar
