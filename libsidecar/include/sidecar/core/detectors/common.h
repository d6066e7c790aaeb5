// Helpers shared by the detectors (header-only, std-only): decision
// construction, number formatting and robust statistics.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/series.h"
#include "sidecar/core/types.h"

namespace sidecar::detail {

// A number as a short, stable text ("0.5", "1.2e+03", "nan", "inf").
inline std::string fmt_num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// "<source>/<syndrome>/<subject>": the identity of a condition.
inline std::string make_signature(Source source, std::string_view syndrome, std::string_view subject) {
  std::string s(to_string(source));
  s += '/';
  s += syndrome;
  if (!subject.empty()) {
    s += '/';
    s += subject;
  }
  return s;
}

// A rule's decision about `subject` (its signature), at the series' latest
// point (its step; evidence "metric" and "value") when one is given, then
// the rule's own evidence in order ({"rule", "fast"}, {"points", "3"}, ...).
inline Decision make_decision(Source source, std::string_view syndrome, Severity severity, std::string message,
                              std::string_view subject, const Series* series,
                              std::initializer_list<std::pair<std::string, std::string>> evidence = {}) {
  Decision d;
  d.source = source;
  d.syndrome = std::string(syndrome);
  d.severity = severity;
  d.message = std::move(message);
  d.signature = make_signature(source, syndrome, subject);
  if (series && !series->empty()) {
    d.step = series->back().step;
    d.evidence.emplace_back("metric", series->name());
    d.evidence.emplace_back("value", fmt_num(series->back().value));
  }
  d.evidence.insert(d.evidence.end(), evidence.begin(), evidence.end());
  return d;
}

// Robust z-score of x against a reference: 0.6745 * |x - median| / MAD, with
// the MAD floored so that a flat reference does not make every change infinite.
struct RobustRef {
  double median = std::nan("");
  double mad = std::nan("");
  double z(double x, double mad_floor) const {
    double m = std::max(mad, mad_floor);
    return 0.6745 * std::fabs(x - median) / m;
  }
};

inline RobustRef robust_ref(std::vector<double>& values, std::vector<double>& scratch) {
  RobustRef r;
  if (values.empty()) return r;
  r.median = median_inplace(values);
  scratch.clear();
  for (double v : values) scratch.push_back(std::fabs(v - r.median));
  r.mad = median_inplace(scratch);
  return r;
}

// Per-thread scratch buffers, so detectors allocate nothing in steady state.
inline std::vector<double>& scratch(int i) {
  thread_local std::vector<double> buffers[4];
  return buffers[i & 3];
}

// Mean of the last n finite values before the latest point (skip = 1), or nullopt when fewer than n.
inline std::optional<double> mean_of_previous(const Series& s, std::size_t n, std::vector<double>* buf) {
  s.finite_window(1, n, buf);
  if (buf->size() < n) return std::nullopt;
  return mean(*buf);
}

// Whether the latest value is above every finite value retained since the
// run's minimum (after it, up to the one before the latest): a rise to a new
// high of that stretch. A rise that stays under a peak the series already
// reached and came back down from is the series' own swing, not a climb
// (a noisy per-batch loss 0.0121, ..., 0.0768, 0.0187, ..., then 0.0127,
// 0.0365, 0.0426, 0.051 -- argman/EAST#246, healthy).
inline bool new_high_since_min(const Series& s) {
  const double v = s.back().value;
  const std::int64_t at = s.argmin_step();
  for (std::size_t i = 1; i < s.size(); ++i) {
    const SeriesPoint& p = s.from_back(i);
    if (p.step <= at) break;
    if (std::isfinite(p.value) && p.value >= v) return false;
  }
  return true;
}

// The largest rise (a value minus the lowest finite value before it) among
// the retained values from_back(end - 1) .. from_back(begin), oldest first:
// how much the series has gone up and come back before (an oscillation, an
// epoch sawtooth, the noise of a small validation set).
inline double largest_rise(const Series& s, std::size_t begin, std::size_t end) {
  double lo = std::numeric_limits<double>::infinity(), rise = 0;
  for (std::size_t i = std::min(s.size(), end); i-- > begin;) {
    double x = s.from_back(i).value;
    if (!std::isfinite(x)) continue;
    lo = std::min(lo, x);
    rise = std::max(rise, x - lo);
  }
  return rise;
}

// The decimal step a value was printed with: 10^-d for the fewest decimals d
// (0 .. 12) that print it back exactly (0.0001 -> 1e-4, 6.8593 -> 1e-4,
// 25 -> 1); 0 for a value printed with more (a full-precision float). Loggers
// round (the HF Trainer logs round(loss, 4), Keras prints 4 decimals), and a
// rounded value is only known to within half that step.
// Runs on every row (the flat and spike rules), so no printing: v has d
// decimals when the nearest integer k to v x 10^d gives v back as k / 10^d
// (both exact below 2^53, the quotient correctly rounded, as strtod of the
// printed text would be).
inline double print_step(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e15) return 0.0;
  double scale = 1.0;
  for (int d = 0; d <= 12; ++d, scale *= 10.0) {
    const double k = std::nearbyint(v * scale);
    if (std::fabs(k) >= 9007199254740992.0) return 0.0;  // 2^53: no longer exact
    if (k / scale == v) return 1.0 / scale;
  }
  return 0.0;
}

// The finest print step among the finite values from_back(begin) ..
// from_back(end - 1): the resolution of the logger that printed them (one
// value that happens to be round, 0.25 or 0.0, says nothing about it).
inline double finest_print_step(const Series& s, std::size_t begin, std::size_t end) {
  double q = std::numeric_limits<double>::infinity();
  for (std::size_t i = begin; i < std::min(s.size(), end); ++i) {
    double x = s.from_back(i).value;
    if (std::isfinite(x)) q = std::min(q, print_step(x));
  }
  return std::isfinite(q) ? q : 0.0;
}

// Whether the series starts mid-run: all of it retained and its first step
// beyond the interval to its second (a pasted excerpt, a resumed run), so
// its first values are no start of a run (no untrained model, no warm-up).
inline bool starts_mid_run(const Series& s) {
  if (s.count() != s.size() || s.size() < 2) return false;
  const std::int64_t first = s.from_back(s.size() - 1).step, second = s.from_back(s.size() - 2).step;
  return first > 0 && first > second - first;
}

// The point of `s` logged at exactly `step`, else null. For steps asked newest first: *cursor (from 0, an
// index from the back) moves past the points logged after `step` and stays for the next, older step, so a
// walk over n rows costs one pass of `s`; *cursor == s.size() when no point at or before `step` is retained.
inline const SeriesPoint* point_at(const Series& s, std::int64_t step, std::size_t* cursor) {
  while (*cursor < s.size() && s.from_back(*cursor).step > step) ++*cursor;
  if (*cursor == s.size() || s.from_back(*cursor).step != step) return nullptr;
  return &s.from_back(*cursor);
}

}  // namespace sidecar::detail

namespace sidecar {

// Open until recovered. A decision may carry its pre-incident band (evidence
// "band_lo" / "band_hi"): the condition stays open while the metric is
// outside it and resolves only after `points` consecutive finite values back
// inside. A non-finite value never counts as recovery. A decision without a
// band recovers when its detector stops finding it (and the value is finite).
struct Band {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool contains(double v) const { return std::isfinite(v) && v >= lo && v <= hi; }
};

namespace detail {
inline void set_band(Decision& d, double lo, double hi) {
  if (std::isfinite(lo)) d.evidence.emplace_back("band_lo", fmt_num(lo));
  if (std::isfinite(hi)) d.evidence.emplace_back("band_hi", fmt_num(hi));
}
}  // namespace detail

// The band a decision carries, if any.
inline std::optional<Band> band_of(const Decision& d) {
  const std::string* lo = evidence_get(d.evidence, "band_lo");
  const std::string* hi = evidence_get(d.evidence, "band_hi");
  if (!lo && !hi) return std::nullopt;
  Band b;
  if (lo) b.lo = std::strtod(lo->c_str(), nullptr);
  if (hi) b.hi = std::strtod(hi->c_str(), nullptr);
  return b;
}

// True when the last `points` values of `s` are finite and inside `band`
// (every point when fewer are retained never counts: recovery needs evidence).
inline bool recovered(const Series& s, const Band& band, std::size_t points) {
  points = std::max<std::size_t>(points, 1);
  if (s.size() < points) return false;
  for (std::size_t i = 0; i < points; ++i)
    if (!band.contains(s.from_back(i).value)) return false;
  return true;
}

}  // namespace sidecar
