// Supervised-profile rules (header-only, std-only): validation accuracy drop
// (any quality metric that should rise) and validation loss regression
// (SPEC §2 reference thresholds), with a short-series collapse rule.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// Validation accuracy (or any quality metric that should rise) drop. Two rules:
//  - drop (the seed's; evidence: min_points evaluations): the last
//    drop_points values are each >= min_drop under the best and
//    mean(last mean_window) <= mean_ratio x best (one noisy evaluation of a
//    small validation set is not a drop);
//  - collapse (evidence: the best and collapse_points evaluations after it):
//    the last collapse_points values all <= collapse_ratio x best (fell by
//    more than half), or the latest alone <= severe_ratio x best (0.90 ->
//    0.12 needs no second look); best >= min_best. Short series fire here.
// Metrics logged in percent (best > 1.5) have min_drop and min_best scaled
// by 100. Stays open until the metric is back within half of min_drop of its best.
struct ValAccDropOptions {
  bool enabled = true;
  int min_points = 6;
  double min_drop = 0.08;
  double mean_ratio = 0.9;
  int mean_window = 3;
  int drop_points = 2;
  double collapse_ratio = 0.5;
  int collapse_points = 2;
  double severe_ratio = 0.25;
  double min_best = 0.05;
  Severity severity = Severity::kWarning;
};

template <>
struct OptionTable<ValAccDropOptions> {
  using O = ValAccDropOptions;
  static constexpr OptionField<O> fields[] = {
      {"enabled", &O::enabled, {}, "off: a validation accuracy drop raises nothing"},
      {"min_points", &O::min_points, {1, 1e8}, "evaluations before the drop rule applies"},
      {"min_drop", &O::min_drop, {0.0}, "drop under the best that counts (x100 for percentages)"},
      {"mean_ratio", &O::mean_ratio, {0.0, 1.0}, "and the mean of the last mean_window evaluations <= this x best"},
      {"mean_window", &O::mean_window, {1, 1000}, "evaluations averaged"},
      {"drop_points", &O::drop_points, {1, 1000}, "the drop rule needs this many evaluations under best - min_drop"},
      {"collapse_ratio",
       &O::collapse_ratio,
       {0.0, 1.0},
       "collapse: the last collapse_points evaluations <= this x best"},
      {"collapse_points", &O::collapse_points, {1, 1000}, "evaluations the collapse rule needs"},
      {"severe_ratio", &O::severe_ratio, {0.0, 1.0}, "or the latest alone <= this x best"},
      {"min_best", &O::min_best, {0.0}, "a metric never above this is not judged (x100 for percentages)"},
      {"severity", &O::severity, {}, "alert severity"},
  };
};

// Returns a "validation_drop" decision (or `syndrome`, for other quality
// metrics), evidence "rule": drop | collapse.
// `known_best`: a best-so-far the run logs itself ("best test acc"), which
// may predate the retained points (a pasted log that starts after the best).
inline std::optional<Decision> detect_val_acc_drop(const Series& acc, const ValAccDropOptions& opt,
                                                   std::string_view syndrome = "validation_drop",
                                                   double known_best = -std::numeric_limits<double>::infinity()) {
  if (!opt.enabled || acc.empty() || (acc.size() < 2 && !std::isfinite(known_best))) return std::nullopt;
  double cur = acc.back().value;
  auto best = acc.max();
  bool external = std::isfinite(known_best) && best && known_best > *best;
  if (external) best = known_best;
  if (!std::isfinite(cur) || !best || *best <= 0) return std::nullopt;
  double scale = *best > 1.5 ? 100.0 : 1.0;
  if (*best - cur < opt.min_drop * scale && cur > opt.collapse_ratio * *best) return std::nullopt;  // cheap exit
  bool after_best = external || acc.back().step > acc.argmax_step();
  std::int64_t best_step = external ? std::numeric_limits<std::int64_t>::min() : acc.argmax_step();
  auto make = [&](std::string rule, double recent) {
    Decision d = detail::make_decision(Source::kPlaybook, syndrome, opt.severity,
                                       acc.name() + " dropped to " + detail::fmt_num(cur) + " from its best " +
                                           detail::fmt_num(*best) + " (step " + std::to_string(acc.argmax_step()) + ")",
                                       acc.name(), &acc);
    d.evidence.emplace_back("best", detail::fmt_num(*best));
    d.evidence.emplace_back("best_step", std::to_string(acc.argmax_step()));
    d.evidence.emplace_back("recent_mean", detail::fmt_num(recent));
    d.evidence.emplace_back("rule", std::move(rule));
    detail::set_band(d, *best - 0.5 * opt.min_drop * scale, std::numeric_limits<double>::infinity());
    return d;
  };
  auto cp = static_cast<std::size_t>(std::max(opt.collapse_points, 1));
  if (after_best && *best >= opt.min_best * scale && opt.severe_ratio > 0 && cur <= opt.severe_ratio * *best)
    return make("collapse", cur);
  if (opt.collapse_ratio > 0 && *best >= opt.min_best * scale && acc.size() > cp && after_best) {
    bool collapsed = true;
    double sum = 0;
    for (std::size_t i = 0; i < cp && collapsed; ++i) {
      const SeriesPoint& p = acc.from_back(i);
      collapsed = std::isfinite(p.value) && p.value <= opt.collapse_ratio * *best && p.step > best_step;
      sum += p.value;
    }
    if (collapsed) return make("collapse", sum / static_cast<double>(cp));
  }
  if (acc.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 1))) return std::nullopt;
  auto dp = static_cast<std::size_t>(std::max(opt.drop_points, 1));
  if (acc.size() < dp) return std::nullopt;
  for (std::size_t i = 0; i < dp; ++i) {
    double x = acc.from_back(i).value;
    if (!std::isfinite(x) || *best - x < opt.min_drop * scale || acc.from_back(i).step <= best_step)
      return std::nullopt;
  }
  auto& w = detail::scratch(0);
  acc.finite_window(0, static_cast<std::size_t>(std::max(opt.mean_window, 1)), &w);
  double m = detail::mean(w);
  if (!(m <= opt.mean_ratio * *best)) return std::nullopt;
  return make("drop", m);
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

template <>
struct OptionTable<ValLossRegressionOptions> {
  using O = ValLossRegressionOptions;
  static constexpr OptionField<O> fields[] = {
      {"enabled", &O::enabled, {}, "off: a validation loss regression raises nothing"},
      {"min_points", &O::min_points, {1, 1e8}, "evaluations before the rule applies"},
      {"ratio", &O::ratio, {1.0}, "current >= this x the best"},
      {"mean_ratio", &O::mean_ratio, {1.0}, "and the mean of the last mean_window >= this x the best"},
      {"mean_window", &O::mean_window, {1, 1000}, "evaluations averaged"},
      {"severity", &O::severity, {}, "alert severity"},
  };
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
  detail::set_band(d, -std::numeric_limits<double>::infinity(), (1.0 + (opt.ratio - 1.0) / 2.0) * *best);
  return d;
}

}  // namespace sidecar
