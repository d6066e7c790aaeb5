// Supervised-profile rules (header-only, std-only): validation accuracy drop
// and validation loss regression (SPEC §2 reference thresholds).
#pragma once

#include <cmath>
#include <optional>
#include <string>

#include "sidecar/detectors/common.h"

namespace sidecar {

// Validation accuracy drop: after min_points evaluations, best - current >=
// min_drop and mean(last mean_window) <= mean_ratio x best. Accuracies logged
// in percent (best > 1.5) have min_drop scaled by 100.
struct ValAccDropOptions {
  bool enabled = true;
  int min_points = 6;
  double min_drop = 0.08;
  double mean_ratio = 0.9;
  int mean_window = 3;
  Severity severity = Severity::kWarning;
};

// Returns a "validation_drop" decision.
inline std::optional<Decision> detect_val_acc_drop(const Series& acc, const ValAccDropOptions& opt) {
  if (!opt.enabled || acc.empty() || acc.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 1)))
    return std::nullopt;
  double cur = acc.back().value;
  auto best = acc.max();
  if (!std::isfinite(cur) || !best || *best <= 0) return std::nullopt;
  double scale = *best > 1.5 ? 100.0 : 1.0;
  if (*best - cur < opt.min_drop * scale) return std::nullopt;
  auto& w = detail::scratch(0);
  acc.finite_window(0, static_cast<std::size_t>(std::max(opt.mean_window, 1)), &w);
  double m = detail::mean(w);
  if (!(m <= opt.mean_ratio * *best)) return std::nullopt;
  Decision d = detail::make_decision(Source::kPlaybook, "validation_drop", opt.severity,
                                     acc.name() + " dropped to " + detail::fmt_num(cur) + " from its best " +
                                         detail::fmt_num(*best) + " (step " + std::to_string(acc.argmax_step()) + ")",
                                     acc.name(), &acc);
  d.evidence.emplace_back("best", detail::fmt_num(*best));
  d.evidence.emplace_back("best_step", std::to_string(acc.argmax_step()));
  d.evidence.emplace_back("recent_mean", detail::fmt_num(m));
  return d;
}

// Validation loss regression: after min_points evaluations, current >= ratio
// x best and mean(last mean_window) >= mean_ratio x best (best = lowest, > 0).
struct ValLossRegressionOptions {
  bool enabled = true;
  int min_points = 6;
  double ratio = 1.5;
  double mean_ratio = 1.4;
  int mean_window = 3;
  Severity severity = Severity::kWarning;
};

// Returns a "validation_loss_regression" decision.
inline std::optional<Decision> detect_val_loss_regression(const Series& vloss, const ValLossRegressionOptions& opt) {
  if (!opt.enabled || vloss.empty() || vloss.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 1)))
    return std::nullopt;
  double cur = vloss.back().value;
  auto best = vloss.min();
  if (!std::isfinite(cur) || !best || *best <= 0) return std::nullopt;
  if (cur < opt.ratio * *best) return std::nullopt;
  auto& w = detail::scratch(0);
  vloss.finite_window(0, static_cast<std::size_t>(std::max(opt.mean_window, 1)), &w);
  double m = detail::mean(w);
  if (!(m >= opt.mean_ratio * *best)) return std::nullopt;
  Decision d = detail::make_decision(Source::kPlaybook, "validation_loss_regression", opt.severity,
                                     vloss.name() + " rose to " + detail::fmt_num(cur) + ", " +
                                         detail::fmt_num(cur / *best) + "x its best " + detail::fmt_num(*best) +
                                         " (step " + std::to_string(vloss.argmin_step()) + ")",
                                     vloss.name(), &vloss);
  d.evidence.emplace_back("best", detail::fmt_num(*best));
  d.evidence.emplace_back("best_step", std::to_string(vloss.argmin_step()));
  d.evidence.emplace_back("recent_mean", detail::fmt_num(m));
  return d;
}

}  // namespace sidecar
