// Baseline drift against earlier runs of the same command (header-only,
// std-only): throughput regression and quality behind. Both compare like with
// like: throughput after warm-up (compile, data-loader start) against the
// steady-state throughput of earlier runs; best validation accuracy at the
// same progress (step) against earlier runs' best at that step, never an
// in-progress best against finished runs' final best.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// What earlier finished runs of the same command fingerprint looked like
// (medians, with the sample sizes they came from).
struct Baseline {
  std::size_t runs = 0;  // finished runs that matched
  std::optional<double> throughput;
  std::size_t throughput_n = 0;
  std::optional<double> val_accuracy_best;  // final best (for display)
  std::size_t val_accuracy_n = 0;
  // Per run: best-so-far validation accuracy at increasing steps, and the
  // last step that run reached.
  struct Curve {
    std::vector<SeriesPoint> points;
    std::int64_t last_step = 0;
  };
  std::vector<Curve> val_accuracy_curves;

  bool empty() const { return runs == 0; }

  // Median best-so-far accuracy at `step` over the runs that got that far,
  // with how many runs that is.
  std::optional<std::pair<double, std::size_t>> val_accuracy_at(std::int64_t step) const {
    std::vector<double> vals;
    for (const Curve& c : val_accuracy_curves) {
      if (c.last_step < step) continue;
      const SeriesPoint* at = nullptr;
      for (const SeriesPoint& p : c.points)
        if (p.step <= step) at = &p;
      if (at && std::isfinite(at->value)) vals.push_back(at->value);
    }
    if (vals.empty()) return std::nullopt;
    return std::pair<double, std::size_t>(detail::median_inplace(vals), vals.size());
  }
};

#define SIDECAR_THROUGHPUT_REGRESSION_OPTIONS(X)                                                  \
  X(bool, enabled, true, (), "off: no comparison with earlier runs' throughput")                  \
  X(double, ratio, 0.6, (0.0, 1.0), "fires at or below this x the baseline median")               \
  X(int, warmup_points, 5, (0, 1e8), "throughput points ignored at the start (compile, warm-up)") \
  X(int, window, 5, (1, 1e5), "median of the last window post-warm-up points")                    \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(ThroughputRegressionOptions, SIDECAR_THROUGHPUT_REGRESSION_OPTIONS);

// Returns a "throughput_regression" decision.
inline std::optional<Decision> detect_throughput_regression(const Series& tp, const Baseline& base,
                                                            const ThroughputRegressionOptions& opt) {
  if (!opt.enabled || tp.empty() || !base.throughput || *base.throughput <= 0) return std::nullopt;
  int window = std::max(opt.window, 1);
  if (tp.finite_count() < static_cast<std::uint64_t>(std::max(opt.warmup_points, 0) + window)) return std::nullopt;
  double cur = tp.back().value;
  if (!std::isfinite(cur) || cur > opt.ratio * *base.throughput) return std::nullopt;  // cheap exit
  auto& w = detail::scratch(0);
  tp.finite_window(0, static_cast<std::size_t>(window), &w);
  double med = detail::median_inplace(w);
  if (!(med <= opt.ratio * *base.throughput)) return std::nullopt;
  return detail::make_decision(
      Source::kBaseline, "throughput_regression", opt.severity,
      tp.name() + " " + detail::fmt_num(med) + " is " + detail::fmt_num(med / *base.throughput) + "x the baseline " +
          detail::fmt_num(*base.throughput) + " (" + std::to_string(base.throughput_n) + " earlier runs)",
      tp.name(), &tp,
      {{"recent_median", detail::fmt_num(med)},
       {"baseline", detail::fmt_num(*base.throughput)},
       {"baseline_runs", std::to_string(base.throughput_n)}});
}

#define SIDECAR_QUALITY_BEHIND_OPTIONS(X)                                                                        \
  X(bool, enabled, true, (), "off: no comparison with earlier runs' accuracy")                                   \
  X(double, margin, 0.05, (0.0), "fires when best <= baseline - margin at the same step (x100 for percentages)") \
  X(int, min_points, 3, (1, 1e8), "evaluations before the rule applies")                                         \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(QualityBehindOptions, SIDECAR_QUALITY_BEHIND_OPTIONS);

// Returns a "quality_behind" decision: the run's best validation accuracy so
// far trails the baseline's best at the same step.
inline std::optional<Decision> detect_quality_behind(const Series& acc, const Baseline& base,
                                                     const QualityBehindOptions& opt) {
  if (!opt.enabled || acc.empty() || base.val_accuracy_curves.empty()) return std::nullopt;
  if (acc.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 1))) return std::nullopt;
  auto best = acc.max();
  if (!best) return std::nullopt;
  auto at = base.val_accuracy_at(acc.back().step);
  if (!at) return std::nullopt;
  double scale = std::max(at->first, *best) > 1.5 ? 100.0 : 1.0;
  if (*best > at->first - opt.margin * scale) return std::nullopt;
  return detail::make_decision(Source::kBaseline, "quality_behind", opt.severity,
                               acc.name() + " best " + detail::fmt_num(*best) + " trails the baseline " +
                                   detail::fmt_num(at->first) + " at step " + std::to_string(acc.back().step) + " (" +
                                   std::to_string(at->second) + " earlier runs)",
                               acc.name(), &acc,
                               {{"best", detail::fmt_num(*best)},
                                {"baseline", detail::fmt_num(at->first)},
                                {"baseline_runs", std::to_string(at->second)}});
}

}  // namespace sidecar
