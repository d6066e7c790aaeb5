// Hard loss rules (header-only, std-only): non-finite loss (and non-finite
// values in any metric), high loss, loss spike, divergence, frozen loss.
//
//   sidecar::Series loss("loss");
//   for (...) loss.push(step, value);
//   if (auto d = sidecar::detect_nan_loss(loss, {})) alert(*d);   // critical, at once
//   if (auto d = sidecar::detect_loss_spike(loss, {})) alert(*d);
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// NaN or Inf loss: critical on the first such point (no warm-up, no persistence).
// Missing form (a warning, evidence: missing_rows training rows): a trainer
// that leaves a non-finite loss out of its log line (Megatron prints only a
// loss > 0) logs training rows without it. A row with the learning rate or
// the loss scale (keys only training steps log), no loss-family key and
// fewer keys than the training rows before (but at least half as many: less
// is another kind of line, or a pasted line cut short, Megatron-LM#449),
// after missing_rows consecutive rows that carried the loss and the learning
// rate, is a "nan_loss" warning (evidence "rule": missing) until the loss is
// logged again
// (epfLLM/Megatron-LLM#33: lm loss 0.73, 0.71, then training rows without
// it). Eval rows (no learning rate) and a learning rate logged on rows of
// its own never count. Known false positive: a loop that logs the loss only
// every few steps but the learning rate every step, after two steps that
// happened to log both.
#define SIDECAR_NAN_LOSS_OPTIONS(X)                                                                                    \
  X(bool, enabled, true, (), "off: a NaN/Inf loss raises nothing")                                                     \
  X(int, missing_rows, 2, (0, 1e6), "missing form: training rows with the loss before one without it counts (0: off)") \
  X(Severity, severity, Severity::kCritical, (), "a non-finite loss is never benign")
SIDECAR_OPTIONS(NanLossOptions, SIDECAR_NAN_LOSS_OPTIONS);

// Returns a "nan_loss" decision when the latest loss value is NaN or +-Inf.
inline std::optional<Decision> detect_nan_loss(const Series& loss, const NanLossOptions& opt) {
  if (!opt.enabled || loss.empty()) return std::nullopt;
  double v = loss.back().value;
  if (std::isfinite(v)) return std::nullopt;
  // Name the step where it started: between two ticks many rows may arrive,
  // and "inf at step 62" hides that it was inf from step 55 on.
  const std::size_t run = std::min(loss.trailing_nonfinite(), loss.size());
  const SeriesPoint& first = loss.from_back(run > 0 ? run - 1 : 0);
  std::string msg = loss.name() + " is " + detail::fmt_num(v) + " at step " + std::to_string(loss.back().step);
  if (first.step != loss.back().step)
    msg += " (non-finite since step " + std::to_string(first.step) + ", " + detail::fmt_num(first.value) + ")";
  return detail::make_decision(
      Source::kRulebased, "nan_loss", opt.severity, msg, loss.name(), &loss,
      {{"consecutive", std::to_string(loss.trailing_nonfinite())}, {"first_step", std::to_string(first.step)}});
}

// The missing form of nan_loss: `rows` consecutive training rows carried the
// loss, and the training row at `step` does not.
inline std::optional<Decision> detect_missing_loss(const Series& loss, std::int64_t step, std::uint64_t rows,
                                                   const NanLossOptions& opt) {
  if (!opt.enabled || opt.missing_rows <= 0 || loss.empty() || rows < static_cast<std::uint64_t>(opt.missing_rows))
    return std::nullopt;
  Decision d = detail::make_decision(Source::kRulebased, "nan_loss", Severity::kWarning,
                                     loss.name() + " is missing from the training row at step " + std::to_string(step) +
                                         " after " + std::to_string(rows) + " rows that logged it (last " +
                                         detail::fmt_num(loss.back().value) + " at step " +
                                         std::to_string(loss.back().step) + "); a non-finite loss is often left out",
                                     loss.name() + "#missing", nullptr);
  d.step = step;
  d.evidence.emplace_back("metric", loss.name());
  d.evidence.emplace_back("rule", "missing");
  d.evidence.emplace_back("rows_with_loss", std::to_string(rows));
  d.evidence.emplace_back("last_step", std::to_string(loss.back().step));
  return d;
}

namespace detail {
// The least-squares slope of w (oldest first, one unit per point) in
// standard errors: below 0 falls, above 0 rises. A noise-free line has no
// standard error: +-infinity by its sign, 0 when flat. Fewer than 3 values: 0.
inline double trend_z(const std::vector<double>& w) {
  if (w.size() < 3) return 0.0;
  const double m = static_cast<double>(w.size()), xbar = (m - 1.0) / 2.0;
  double ybar = 0, sxx = 0, sxy = 0, sse = 0;
  for (double y : w) ybar += y / m;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double dx = static_cast<double>(i) - xbar;
    sxx += dx * dx;
    sxy += dx * (w[i] - ybar);
  }
  const double slope = sxy / sxx;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = w[i] - ybar - slope * (static_cast<double>(i) - xbar);
    sse += r * r;
  }
  const double se = std::sqrt(sse / (m - 2.0) / sxx);
  if (!(se > 0))
    return slope > 0   ? std::numeric_limits<double>::infinity()
           : slope < 0 ? -std::numeric_limits<double>::infinity()
                       : 0.0;
  return slope / se;
}

// Whether the last n finite values fall with a least-squares slope (per
// point) more than z standard errors below zero (>= 3 values; a noise-free
// decline has a zero standard error and counts at any z).
inline bool still_falling(const Series& s, std::size_t n, double z) {
  auto& w = scratch(2);
  s.finite_window(0, n, &w);
  if (w.size() < 3) return false;
  const double t = trend_z(w);
  return t < 0 && t < -z;
}
}  // namespace detail

// High loss (after llm-foundry's KillLossSpike): once past warm-up, at least
// `fraction` of the last `window` points are >= threshold AND the loss is not
// improving (the median of the last window is above (1 - min_improvement) x
// the median of the window before it). Never fires on the initial loss of a
// language model (ln(vocab) ~ 10-11 at step 0), which an absolute
// "loss >= 8" rule does, nor on a slow but steady early decline.
#define SIDECAR_HIGH_LOSS_OPTIONS(X)                                                                              \
  X(bool, enabled, true, (), "off: a loss that stays high raises nothing")                                        \
  X(double, threshold, 8.0, (), "loss level that counts as high (a language model starts near ln(vocab) ~ 10.8)") \
  X(int, window, 20, (1, 1e5), "points judged together")                                                          \
  X(double, fraction, 0.5, (0.0, 1.0), "share of the window at or above the threshold")                           \
  X(int, min_points, 50, (0, 1e8), "finite points seen before the rule applies (warm-up)")                        \
  X(double, min_improvement, 0.02, (0.0, 1.0),                                                                    \
    "a window-over-window median decline this large means it is still learning")                                  \
  X(double, trend_z, 3.0, (0.0),                                                                                  \
    "a least-squares slope over the last 2 x window points this many standard errors below 0 means it is still "  \
    "learning (0: off)")                                                                                          \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(HighLossOptions, SIDECAR_HIGH_LOSS_OPTIONS);

// Returns a "high_loss" decision when the loss stays at or above the threshold.
inline std::optional<Decision> detect_high_loss(const Series& loss, const HighLossOptions& opt) {
  if (!opt.enabled || loss.empty() || opt.window <= 0) return std::nullopt;
  if (loss.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, opt.window))) return std::nullopt;
  double v = loss.back().value;
  if (!std::isfinite(v) || v < opt.threshold) return std::nullopt;
  auto& w = detail::scratch(0);
  loss.finite_window(0, static_cast<std::size_t>(opt.window), &w);
  if (w.empty()) return std::nullopt;
  std::size_t above = 0;
  for (double x : w) above += x >= opt.threshold ? 1 : 0;
  if (static_cast<double>(above) < opt.fraction * static_cast<double>(w.size())) return std::nullopt;
  auto& prev = detail::scratch(1);
  loss.finite_window(static_cast<std::size_t>(opt.window), static_cast<std::size_t>(opt.window), &prev);
  if (!prev.empty()) {
    double recent = detail::median_inplace(w), before = detail::median_inplace(prev);
    if (before > 0 && recent < (1.0 - opt.min_improvement) * before) return std::nullopt;  // still learning
  }
  // A slow but steady fall is learning too: a contrastive (NT-Xent) loss has
  // a high floor set by the batch size and temperature, and eases towards it
  // ever more slowly (SupContrast#14: 52.4 -> 43.2 over 53 steps, down at all
  // but one; by step 53 the 20-step medians differ by under 2 %).
  if (opt.trend_z > 0 && detail::still_falling(loss, 2 * static_cast<std::size_t>(opt.window), opt.trend_z))
    return std::nullopt;
  Decision d = detail::make_decision(Source::kRulebased, "high_loss", opt.severity,
                                     loss.name() + " stays high: " + std::to_string(above) + " of the last " +
                                         std::to_string(w.size()) + " points >= " + detail::fmt_num(opt.threshold),
                                     loss.name(), &loss,
                                     {{"threshold", detail::fmt_num(opt.threshold)},
                                      {"above", std::to_string(above) + "/" + std::to_string(w.size())}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), opt.threshold);
  return d;
}

// Loss spike. Three rules, the first that holds wins:
//  - ceiling (Megatron): the latest loss > ceiling_factor x the maximum seen
//    before it (at least ceiling_min_points earlier points) -> ceiling_severity;
//  - robust (P0 watcher / llm-foundry): once at least `min_points` finite
//    points precede them, the last `persistence` points all have a robust
//    z-score of log(loss) > z against the trailing `window` points before
//    them (the suspects are never in their own reference) and are >=
//    min_ratio x the reference median. The reference median ignores the
//    warm-up once the window has slid past it;
//  - early (the seed's rule, before `min_points`): the latest loss >=
//    early_ratio x the mean of the >= 3 points before it.
// Non-positive losses are compared on the raw scale (z only, no ratio).
// Every rule measures against the top of the reference's rounding interval
// (half the finest decimal step its values were printed with; the HF
// Trainer logs round(loss, 4)): a GRPO loss printed as 0.0, 0.0, 0.0001 is
// at its print resolution, not 9x its mean.
#define SIDECAR_LOSS_SPIKE_OPTIONS(X)                                                                                \
  X(bool, enabled, true, (), "off: no spike rule runs")                                                              \
  X(int, window, 100, (3, 1e5), "trailing points the robust rule compares against")                                  \
  X(int, min_points, 20, (3, 1e8), "finite points before the robust rule (the early rule runs before)")              \
  X(double, z, 8.0, (0.0), "robust z-score of log(loss) that counts as a spike")                                     \
  X(double, min_ratio, 2.0, (0.0), "a spike is also at least this x the reference median")                           \
  X(int, persistence, 3, (1, 1000), "consecutive spiking points (one-step blips are ignored)")                       \
  X(double, mad_floor, 0.01, (1e-12),                                                                                \
    "floor of the MAD of log(loss) (about 1 %), so a flat reference is not infinitely sensitive")                    \
  X(double, early_ratio, 3.0, (0.0), "early rule: latest >= this x the mean of the points before")                   \
  X(double, ceiling_factor, 10.0, (0.0), "ceiling rule: latest > this x the maximum seen (Megatron)")                \
  X(int, ceiling_min_points, 3, (1, 1e8), "earlier points the ceiling rule needs (1 or 2: a ceiling_factor^3 jump)") \
  X(Severity, severity, Severity::kWarning, (), "severity of the robust and early rules")                            \
  X(Severity, ceiling_severity, Severity::kCritical, (), "severity of the ceiling rule")
SIDECAR_OPTIONS(LossSpikeOptions, SIDECAR_LOSS_SPIKE_OPTIONS);

namespace detail {
inline Decision spike_decision(const Series& loss, Severity sev, std::string rule, std::string msg) {
  return make_decision(Source::kRulebased, "loss_spike", sev, std::move(msg), loss.name(), &loss,
                       {{"rule", std::move(rule)}});
}

// The ceiling rule (Megatron): the latest loss over ceiling_factor x the
// maximum seen before it; for a negative objective (a log-likelihood), more
// negative than ceiling_factor x its most negative value so far (-43 -> -1e27),
// or positive beyond ceiling_factor x that magnitude (-4.3 -> 4191).
inline std::optional<Decision> spike_ceiling(const Series& loss, const LossSpikeOptions& opt, std::uint64_t before) {
  if (!(opt.ceiling_factor > 0) || before == 0) return std::nullopt;
  const double v = loss.back().value;
  auto mx = loss.max_before_last();
  // With fewer earlier points than ceiling_min_points (one or two), only a jump of ceiling_factor^3 (1000x) over
  // every one of them: a regression MLP at SGD learning rate 0.05 logs 0.76 for its first epoch, 8.2e9 for its
  // second, then 1.34 for ever (handson-ml2, chapter 10: the model died); a loss's first values fall, and a fall to a
  // thousandth followed by a thousandfold rise is no healthy start.
  if (before < static_cast<std::uint64_t>(opt.ceiling_min_points)) {
    const double factor = opt.ceiling_factor * opt.ceiling_factor * opt.ceiling_factor;
    if (!(opt.ceiling_factor > 1) || !mx || !(*mx > 0) || !(v > factor * *mx)) return std::nullopt;
    Decision d = spike_decision(loss, opt.ceiling_severity, "ceiling",
                                loss.name() + " " + fmt_num(v) + " is over " + fmt_num(factor) +
                                    "x every value before it (" + fmt_num(*mx) + " at most)");
    d.evidence.emplace_back("max_seen", fmt_num(*mx));
    set_band(d, -std::numeric_limits<double>::infinity(), *mx * opt.ceiling_factor);
    return d;
  }
  auto mn = loss.min();
  if (mx && *mx < 0 && v < 0 && mn && *mn == v && loss.size() >= 2) {
    double prev_min = 0;
    bool any = false;
    for (std::size_t i = 1; i < loss.size(); ++i) {
      double x = loss.from_back(i).value;
      if (!std::isfinite(x)) continue;
      prev_min = any ? std::min(prev_min, x) : x;
      any = true;
    }
    if (any && prev_min < 0 && v < opt.ceiling_factor * prev_min) {
      Decision d = spike_decision(loss, opt.ceiling_severity, "ceiling",
                                  loss.name() + " " + fmt_num(v) + " is over " + fmt_num(opt.ceiling_factor) +
                                      "x its most negative value so far (" + fmt_num(prev_min) + ")");
      d.evidence.emplace_back("min_seen", fmt_num(prev_min));
      set_band(d, prev_min * std::sqrt(opt.ceiling_factor), std::numeric_limits<double>::infinity());
      return d;
    }
  }
  // A negative objective (a flow's log-likelihood, -4.5 .. -4.1) that jumps
  // positive beyond ceiling_factor x the largest magnitude it had (WaveGlow#32:
  // 4191.7): no sign change of a healthy loss is that large.
  if (mx && *mx < 0 && mn && v > 0 && v > opt.ceiling_factor * -*mn) {
    Decision d =
        spike_decision(loss, opt.ceiling_severity, "ceiling",
                       loss.name() + " jumped to " + fmt_num(v) + ", over " + fmt_num(opt.ceiling_factor) +
                           "x the magnitude of its values so far (" + fmt_num(*mn) + " .. " + fmt_num(*mx) + ")");
    d.evidence.emplace_back("max_seen", fmt_num(*mx));
    set_band(d, -std::numeric_limits<double>::infinity(), *mx);
    return d;
  }
  // Over the maximum's rounding interval too: 0.0001 after a run of 0.0 and
  // 0.0001 (a GRPO loss printed with 4 decimals) is no multiple of anything.
  if (mx && *mx > 0 && v > opt.ceiling_factor * *mx &&
      v > opt.ceiling_factor * (*mx + finest_print_step(loss, 0, loss.size()) / 2.0)) {
    Decision d = spike_decision(loss, opt.ceiling_severity, "ceiling",
                                loss.name() + " " + fmt_num(v) + " is over " + fmt_num(opt.ceiling_factor) +
                                    "x the maximum seen so far (" + fmt_num(*mx) + ")");
    d.evidence.emplace_back("max_seen", fmt_num(*mx));
    set_band(d, -std::numeric_limits<double>::infinity(), *mx);
    return d;
  }
  return std::nullopt;
}

// The suspects of the robust rule stand out beyond the logger's rounding: a
// value printed with 4 decimals is known to +- half a step, so a reference
// of 0.0 and 0.0001 has no ratio and no spread finer than that step (a GRPO
// loss at its print resolution while its rewards swing). Evaluated only for
// a decision (it prints every reference value).
inline bool beyond_rounding(const Series& loss, const LossSpikeOptions& opt, int persistence, double ref_median,
                            bool positive, double floor) {
  const double half = finest_print_step(loss, 0, static_cast<std::size_t>(persistence + std::max(opt.window, 1))) / 2;
  if (!(half > 0)) return true;
  for (int i = 0; i < persistence; ++i) {
    double x = loss.from_back(static_cast<std::size_t>(i)).value;
    if (positive ? x < opt.min_ratio * (ref_median + half)
                 : 0.6745 * (x - ref_median) / std::max(floor, 2 * half) <= opt.z)
      return false;
  }
  return true;
}

// The robust rule: the last `persistence` points all have a robust z of
// log(loss) > z against the trailing `window` points before them and are
// >= min_ratio x that reference's median.
inline std::optional<Decision> spike_robust(const Series& loss, const LossSpikeOptions& opt) {
  const int persistence = std::max(opt.persistence, 1);
  const double v = loss.back().value;
  if (loss.size() < static_cast<std::size_t>(persistence) + 1) return std::nullopt;
  // Cheap exit (most ticks): the run-wide minimum bounds the reference
  // median from below, so a value under min_ratio x minimum is no spike.
  auto mn = loss.min();
  if (opt.min_ratio > 0 && v > 0 && mn && *mn > 0 && v < opt.min_ratio * *mn) return std::nullopt;
  auto& ref = scratch(0);
  auto& tmp = scratch(1);
  loss.finite_window(static_cast<std::size_t>(persistence), static_cast<std::size_t>(std::max(opt.window, 1)), &ref);
  if (ref.size() < static_cast<std::size_t>(std::min(opt.min_points, opt.window))) return std::nullopt;
  bool positive = v > 0;
  for (int i = 0; i < persistence && positive; ++i) positive = loss.from_back(static_cast<std::size_t>(i)).value > 0;
  for (double x : ref) positive = positive && x > 0;
  if (positive)
    for (double& x : ref) x = std::log(x);
  RobustRef r = robust_ref(ref, tmp);
  double floor = positive ? opt.mad_floor : std::max(opt.mad_floor * std::fabs(r.median), 1e-12);
  double min_z = std::numeric_limits<double>::infinity();
  for (int i = 0; i < persistence; ++i) {
    double x = loss.from_back(static_cast<std::size_t>(i)).value;
    if (!std::isfinite(x)) return std::nullopt;
    double lx = positive ? std::log(x) : x;
    if (lx <= r.median) return std::nullopt;  // spikes go up
    if (positive && x < opt.min_ratio * std::exp(r.median)) return std::nullopt;
    double z = r.z(lx, floor);
    if (z <= opt.z) return std::nullopt;
    min_z = std::min(min_z, z);
  }
  double ref_median = positive ? std::exp(r.median) : r.median;
  if (!beyond_rounding(loss, opt, persistence, ref_median, positive, std::max(r.mad, floor))) return std::nullopt;
  Decision d = spike_decision(loss, opt.severity, "robust_z",
                              loss.name() + " spiked to " + fmt_num(v) + " (" + std::to_string(persistence) +
                                  " points over " + fmt_num(ref_median) + " typical, robust z " + fmt_num(min_z) + ")");
  d.evidence.emplace_back("reference_median", fmt_num(ref_median));
  d.evidence.emplace_back("z", fmt_num(min_z));
  d.evidence.emplace_back("persistence", std::to_string(persistence));
  if (positive) set_band(d, -std::numeric_limits<double>::infinity(), std::sqrt(opt.min_ratio) * ref_median);
  return d;
}

// Whether the points before the latest (oldest first in `prev`) hold a
// spike the loss came back from that is comparable to v: a value h with
// v <= sqrt(early_ratio) x h, followed by one <= h / sqrt(early_ratio). A
// loss that already spiked that high and recovered on its own scatters that
// way (avod#28: 11.7 at step 560, back to 3.7 and 1.9, then 15.5 at 590,
// from a path-drop regulariser early in training); one point is no
// persistence, so the early rule defers to the series' own spikes.
inline bool recovered_from_like(std::span<const double> prev, double v, double early_ratio) {
  const double k = std::sqrt(early_ratio);
  for (std::size_t i = 0; i + 1 < prev.size(); ++i) {
    if (!(v <= k * prev[i])) continue;
    for (std::size_t j = i + 1; j < prev.size(); ++j)
      if (prev[j] <= prev[i] / k) return true;
  }
  return false;
}

// The early rule (the seed's, before min_points): the latest loss >=
// early_ratio x the mean of the >= 3 points before it, unless the loss
// already recovered from a spike about as high (recovered_from_like).
inline std::optional<Decision> spike_early(const Series& loss, const LossSpikeOptions& opt, std::uint64_t before) {
  if (!(opt.early_ratio > 0) || before < 3) return std::nullopt;
  const double v = loss.back().value;
  auto& prev = scratch(0);
  loss.finite_window(1, static_cast<std::size_t>(std::max(opt.min_points, 3)), &prev);
  if (prev.size() < 3) return std::nullopt;
  double m = mean(prev);
  if (!(m > 0) || v < opt.early_ratio * m) return std::nullopt;
  // Against the top of the reference's rounding interval (the HF Trainer
  // logs round(loss, 4): a mean of 0.0 and 0.0001 is anything up to 0.00005 more).
  if (v < opt.early_ratio * (m + finest_print_step(loss, 0, prev.size() + 1) / 2.0)) return std::nullopt;
  if (recovered_from_like(prev, v, opt.early_ratio)) return std::nullopt;
  Decision d = spike_decision(loss, opt.severity, "early_ratio",
                              loss.name() + " jumped to " + fmt_num(v) + ", " + fmt_num(v / m) +
                                  "x the mean of the previous " + std::to_string(prev.size()) + " points");
  d.evidence.emplace_back("reference_mean", fmt_num(m));
  set_band(d, -std::numeric_limits<double>::infinity(), std::sqrt(opt.early_ratio) * m);
  return d;
}
}  // namespace detail

// Returns a "loss_spike" decision (evidence "rule": ceiling | robust_z | early_ratio).
inline std::optional<Decision> detect_loss_spike(const Series& loss, const LossSpikeOptions& opt) {
  if (!opt.enabled || loss.size() < 2) return std::nullopt;
  if (!std::isfinite(loss.back().value)) return std::nullopt;  // nan_loss covers it
  const std::uint64_t before = loss.finite_count() - 1;
  if (auto d = detail::spike_ceiling(loss, opt, before)) return d;
  const int persistence = std::max(opt.persistence, 1);
  if (before >= static_cast<std::uint64_t>(opt.min_points) + static_cast<std::uint64_t>(persistence - 1))
    return detail::spike_robust(loss, opt);
  return detail::spike_early(loss, opt, before);
}

// A non-finite value in any metric that was finite before (a validation
// metric, a component loss, a learning rate): at least a warning. Loss-family
// keys go through detect_nan_loss instead (critical, even when never finite).
#define SIDECAR_NON_FINITE_OPTIONS(X)                                        \
  X(bool, enabled, true, (), "off: NaN/Inf in other metrics raises nothing") \
  X(Severity, severity, Severity::kWarning, (), "a metric may be NaN when not computed, hence a warning")
SIDECAR_OPTIONS(NonFiniteOptions, SIDECAR_NON_FINITE_OPTIONS);

// Returns a "nonfinite_metric" decision when the latest value is NaN/Inf and
// an earlier one was finite.
inline std::optional<Decision> detect_nonfinite_metric(const Series& s, const NonFiniteOptions& opt) {
  if (!opt.enabled || s.empty() || std::isfinite(s.back().value) || s.finite_count() == 0) return std::nullopt;
  const std::size_t run = std::min(s.trailing_nonfinite(), s.size());
  const SeriesPoint& first = s.from_back(run > 0 ? run - 1 : 0);
  return detail::make_decision(
      Source::kRulebased, "nonfinite_metric", opt.severity,
      s.name() + " is " + detail::fmt_num(s.back().value) + " at step " + std::to_string(s.back().step) +
          " (finite before step " + std::to_string(first.step) + ")",
      s.name(), &s,
      {{"consecutive", std::to_string(s.trailing_nonfinite())}, {"first_step", std::to_string(first.step)}});
}

// Divergence: the loss climbs back from its run-wide minimum and keeps going.
//  - fast (evidence: min_points finite points): the latest loss >= ratio x
//    the minimum, rising over the last `rising` consecutive points, and it
//    has climbed back at least back_fraction of the way from the minimum to
//    the initial level (so a loss near zero wiggling 0.01 -> 0.03 is not
//    "3x its minimum"); a minimum that is the run's first value counts as
//    the value after it (detail::fast_reference: a running average's first
//    print is one batch), and a minimum that is a lone dip as its lower
//    neighbour (detail::hold_reference: a single-sample training loss
//    scatters 0.33 .. 1.3, and three rises to 3x one lucky sample are its
//    noise: rasbt's distillation log). Known false positive: a small-data epoch loss that
//    spikes for two epochs and comes back (piaic#15: 0.67, 0.70, 2.36, 6.05,
//    then 0.62): at the time it fires nothing tells it from a divergence;
//  - slow (evidence: the minimum at least slow_window points back): of the
//    last slow_window steps, every one goes up, the latest is
//    >= (1 + slow_rise) x the minimum and has climbed back at least
//    slow_back_fraction of the way to the initial level. A training loss
//    that rises at every logged point for that long is not noise;
//  - hold (evidence: one point at the minimum, then hold_points): the last
//    hold_points values all >= hold_ratio x the minimum, which precedes
//    them, having climbed back at least back_fraction of the way to the
//    initial level: a loss that jumps to several times its minimum and
//    stays there without rising further (litgpt#628: 1.70 -> 11.46, 11.75,
//    11.50; a warm-up bump or a noisy small batch stays well under 5x). A
//    minimum that is a lone dip (both neighbours higher, before the held
//    points) is one lucky batch: the lower neighbour is the level then;
//  - jump (evidence: 1-4 points before, then hold_points; see
//    detail::jumped_and_held): the loss jumps to >= jump_ratio x the highest
//    of the (up to 4) values before it in one interval and its hold_points
//    values stay >= (1 + jump_ratio) / 2 x that level, within sqrt(jump_ratio)
//    of each other (DisCo#1: a validation loss 5.99, then 12.41, 11.67, 9.24,
//    never back near 6), and the values before it fall between consecutive
//    points by at most half the jump (on the log scale). One value before the jump counts only when the
//    series starts mid-run. Known false positives: a planned switch of data
//    or task, or a loss term switched on, that doubles a steady loss for
//    good; a GAN's or a value loss's level shift as its opponent or the
//    returns change;
//  - creep (evidence: the minimum, then creep_points - 1 points): the last
//    creep_points values start at or after the minimum, rise at all but one
//    of their steps, end at their highest, having risen 1.5 x more than
//    anywhere in the 4 x creep_points values before them (an oscillation
//    rose as much before), >= (1 + slow_rise) x the minimum
//    and slow_back_fraction of the way back to the initial level: an epoch
//    loss creeping up 1.084 -> 1.155 over eight epochs with one dip
//    (keras#8680). A noisy per-step loss rarely rises 6 times in 7 steps
//    while 5 % over its minimum; a plateau's noise never does for long;
//  - step (evidence: kStepFlatPoints flat points, then step_points): the
//    last step_points values all >= (1 + step_rise) x the run's minimum
//    (which precedes them) and above the kStepFlatPoints values before them
//    by more than step_rise and kStepNoise x their own relative spread, the
//    latest no lower than the first of them: a loss that sat still and
//    then stands on a new, higher level, far beyond its noise
//    (sphereface#103: 9.487, 9.497, 9.481, 9.490, then 13.47, 13.40, 13.97
//    after the learning rate dropped). The first of the step_points values
//    (3 or more) may be a ramp between the two levels, out of the flat
//    stretch's noise and under every later value: an epoch average that
//    straddles the change (DeepJ#49: 0.0471 .. 0.0475 for five epochs, then
//    0.0612, 0.0958, 0.0877 -- the loss doubled, no NaN; evidence the same
//    4 + step_points points), the latest then keeping at least half its
//    peak's height over the ramp. A noisy per-step loss's spread puts
//    the bar out of reach; a warm-up bump has no flat stretch before it; a
//    warm restart's bump comes back down. Known false positive: a planned
//    change after a flat stretch that lifts the loss 30 % for good, or a
//    warm restart's bump (ramp form) that decays by under half a point later;
//  - settle (evidence: kSettleFalls falls into the minimum, then
//    hold_points): a loss that fell at each of its last kSettleFalls logged
//    points into its minimum (a smooth descent: its prints carry little noise)
//    has the hold_points values since it all >= (1 + kSettleRise) x that
//    minimum and above the value before it: the loss gave
//    back at least its last logged interval's progress and stays there
//    (parameter-golf's SSD runs: 6.93 .. 3.47, 3.27, then 3.89, 4.02, 3.98 as
//    the state carry destabilised training; 3.49 -> 4.5 in another). A noisy
//    per-step loss seldom falls kSettleFalls times in a row into a lucky
//    minimum and then stays 15 % over it; the latest is no new low of the
//    held values (a sawtooth of per-batch losses falling again within an
//    epoch, a bump that decays, are on their way back). Known false positive: a warm
//    restart or a new data stage right after a smooth descent that lifts the
//    loss 15 % for three logged points;
//  - joint (evidence: one point each, at the same step, see
//    detect_joint_divergence): the training loss and its validation loss
//    both >= joint_ratio x their minimum;
//  - absurd (evidence: one point): a finite loss >= absurd_level (1e20). A
//    healthy loss is a mean of per-example terms: a cross-entropy stays under
//    104 (float32's clamp), a squared error of normalised targets near 1, of
//    raw pixels or prices under 1e12; none in the corpus's healthy curves
//    exceeds 1e5. At 1e20 the terms' square roots are 1e10: the weights or
//    outputs are on their way to float32's overflow (3.4e38), and an excerpt
//    that starts there has no minimum to climb from (DOPE#74: 3.03e31 rising
//    to 3.15e31, then inf and nan; tensorflow/models#3868: 2.1e21 before its
//    nan). Not while the series began at the run's first step (0 or 1)
//    already that high and its latest value is its lowest yet: the
//    untrained model of a bad initialisation on its way down (r27, a GPT-2
//    from scratch in Burn: `Perplexity` 5.2e195 at step 0, then 1.8e40,
//    1.0e33 ... as the loss falls from 451 to 61). Known false positive: a
//    regression on targets of 1e10 and more in raw units (money in cents
//    over countries): set absurd_level.
//  - blowup (evidence: three points): each of the last two values >=
//    blowup_ratio (100) x the one before it, all positive: a loss that
//    grows by two orders of magnitude twice in a row is exploding, whatever
//    its minimum or how few points precede it (DSSE#33450: an MLP's MSE
//    509.9, 2.87e8, 2.26e18 over its first three epochs, full-batch
//    momentum). A healthy loss falls, or rises by a few x in a warm-up
//    bump; no healthy key of the corpus rises 100x twice in a row. Known
//    false positive: none seen; a loss that starts at a tiny value (1e-6)
//    before the data arrive would be one.
// Positive losses only (a ratio to a minimum <= 0 means nothing), and a
// rise of at least min_delta (2e-6 -> 5e-6 is the noise of a converged
// loss, not a divergence). Stays open
// until the loss is back within (1 + slow_rise / 2) x the minimum.
#define SIDECAR_LOSS_DIVERGENCE_OPTIONS(X)                                                                            \
  X(bool, enabled, true, (), "off: a loss climbing back raises nothing")                                              \
  X(double, ratio, 3.0, (1.0), "fast rule: latest >= this x the run's minimum")                                       \
  X(int, rising, 3, (1, 1000), "fast rule: consecutive rising points")                                                \
  X(int, min_points, 4, (2, 1e8), "points before the fast rule applies")                                              \
  X(double, back_fraction, 0.25, (0.0, 1.0),                                                                          \
    "climbed back this fraction of the way from the minimum to the initial level")                                    \
  X(int, slow_window, 5, (2, 1000), "slow rule: of the last slow_window steps all but one go up")                     \
  X(double, slow_rise, 0.05, (0.0), "slow rule: to >= (1 + slow_rise) x the minimum")                                 \
  X(double, min_delta, 1e-3, (0.0), "rises smaller than this (loss units) are the noise of a converged loss")         \
  X(double, slow_back_fraction, 0.3, (0.0, 1.0), "slow rule: climbed back this fraction towards the initial level")   \
  X(double, hold_ratio, 5.0, (2.0), "hold rule: every one of the last hold_points >= this x the minimum before them") \
  X(int, hold_points, 3, (1, 1000), "hold rule: points that stay up")                                                 \
  X(int, creep_points, 8, (0, 1000), "creep rule: points since the minimum, all but one rising (0: off)")             \
  X(int, step_points, 3, (0, 1000), "step rule: values on the new level after a flat stretch (0: off)")               \
  X(double, step_rise, 0.3, (0.0), "step rule: the new level >= (1 + this) x the minimum and above the flat stretch") \
  X(double, joint_ratio, 2.0, (0.0),                                                                                  \
    "joint rule: training and validation loss both >= this x their minimum at one step (0: off)")                     \
  X(double, jump_ratio, 2.0, (0.0),                                                                                   \
    "jump rule: >= this x the <= 4 points before, all hold_points >= (1 + this) / 2 x them (0: off)")                 \
  X(double, absurd_level, 1e20, (0.0),                                                                                \
    "absurd rule: a finite loss at or above this, one point, diverged whatever came before (0: off)")                 \
  X(double, runaway_ratio, 1000.0, (0.0),                                                                             \
    "runaway rule, a loss key with no role: its last 5 values' median >= this x the least of its first 5 (0: off)")   \
  X(double, blowup_ratio, 100.0, (0.0),                                                                               \
    "blowup rule: each of the last two values >= this x the one before it (0: off)")                                  \
  X(double, above_chance_rise, 0.1, (0.0),                                                                            \
    "above_chance rule: a loss that started at >= ln 1000 ends this fraction above its initial level (0: off)")       \
  X(int, above_chance_intervals, 200, (1, 1e9),                                                                       \
    "above_chance rule: its last hold_points values this many first logging intervals after its first")               \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(LossDivergenceOptions, SIDECAR_LOSS_DIVERGENCE_OPTIONS);

namespace detail {
// The run's initial level: the median of its first (up to) 3 finite values;
// NaN before any.
constexpr double kLnThousand = 6.907755278982137;  // ln 1000: an untrained model's loss over 1000 classes

// Whether the loss is logged from the run's start at the chance level of a
// thousand classes or more (its first value >= ln 1000: an LM's vocabulary,
// ImageNet): the flat rule's warm-up allowance and the above_chance rule.
inline bool lm_start(const Series& loss) {
  const auto init = loss.initial_values();
  return !starts_mid_run(loss) && !init.empty() && init.front() >= kLnThousand;
}

inline double initial_level(const Series& s) {
  auto span = s.initial_values().first(std::min<std::size_t>(s.initial_values().size(), 3));
  auto& init = scratch(0);
  init.assign(span.begin(), span.end());
  return median_inplace(init);
}

// Whether v, above the minimum mn, has climbed back `fraction` of the way
// from mn to the initial level (always true when the run did not start above
// its minimum, or has no initial level yet).
inline bool climbed_back(double v, double mn, double initial, double fraction) {
  return !(initial > mn) || v - mn >= fraction * (initial - mn);
}

// The creep rule's shape: the last n values start at or after the minimum,
// are finite, rise at all but one of their n - 1 steps and end higher than
// any of them, and the rise from the minimum is more than
// kCreepOverPrior x the largest rise within the 4 n values before them (a
// run that oscillates -- an epoch sawtooth, a cyclic learning rate, a
// running average of a noisy loss -- has risen as much before and come back).
constexpr double kCreepOverPrior = 1.5;
inline bool creeping(const Series& loss, std::size_t n) {
  if (n < 3 || loss.size() < n || loss.from_back(n - 1).step < loss.argmin_step()) return false;
  std::size_t ups = 0;
  const double v = loss.back().value;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    double a = loss.from_back(i).value, b = loss.from_back(i + 1).value;
    if (!std::isfinite(a) || !std::isfinite(b) || b > v) return false;
    ups += a > b ? 1 : 0;
  }
  if (ups + 2 < n) return false;
  return v - *loss.min() > kCreepOverPrior * largest_rise(loss, n, 5 * n);
}

// The step rule's shape: the last n values all >= (1 + rise) x the minimum
// (which precedes them) and all above the kStepFlatPoints values before them
// by more than rise and kStepNoise x those values' relative spread; the
// first of them (n >= 3) may instead be a ramp between the two levels.
constexpr std::size_t kStepFlatPoints = 4;
constexpr double kStepNoise = 10.0;
// The settle rule (detect_loss_divergence): kSettleFalls falls into the retained minimum, then the n values since it
// all >= (1 + kSettleRise) x it and above the value before it.
constexpr std::size_t kSettleFalls = 4;
constexpr double kSettleRise = 0.15;
inline bool settled_above(const Series& loss, std::size_t n) {
  if (n + kSettleFalls >= loss.size()) return false;
  // the n values are all those since the minimum: it is the point n back
  const SeriesPoint& low = loss.from_back(n);
  if (low.step != loss.argmin_step() || low.value != loss.min()) return false;
  const double mn = low.value;
  for (std::size_t i = n; i < n + kSettleFalls; ++i) {
    const double later = loss.from_back(i).value, earlier = loss.from_back(i + 1).value;
    if (!std::isfinite(earlier) || !(earlier > later)) return false;
  }
  const double before = loss.from_back(n + 1).value;
  double held_low = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    const double x = loss.from_back(i).value;
    if (!std::isfinite(x) || x < (1.0 + kSettleRise) * mn || x <= before) return false;
    if (i > 0) held_low = std::min(held_low, x);
  }
  // ... and not on its way back down: the latest is no new low of the held stretch (an epoch's per-batch losses that
  // start high again and fall, 5.15, 3.17, 2.46; a bump that decays)
  return n < 2 || loss.back().value > held_low;
}

inline bool stepped_up(const Series& loss, std::size_t n, double rise) {
  if (n == 0 || !(rise > 0) || loss.size() < n + kStepFlatPoints || loss.from_back(n).step < loss.argmin_step())
    return false;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, level = lo, peak = -lo;
  for (std::size_t i = n; i < n + kStepFlatPoints; ++i) {
    double x = loss.from_back(i).value;
    if (!std::isfinite(x) || !(x > 0)) return false;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  for (std::size_t i = 0; i + 1 < n; ++i) {
    double x = loss.from_back(i).value;
    if (!std::isfinite(x)) return false;
    level = std::min(level, x);
    peak = std::max(peak, x);
  }
  const double first = loss.from_back(n - 1).value;  // the first value after the flat stretch
  if (!std::isfinite(first)) return false;
  // Standing there, not coming back down (a warm restart's bump decays).
  if (loss.back().value < first) return false;
  const double noise = kStepNoise * (hi - lo) / hi;
  const double bar = hi * (1.0 + std::max(rise, noise)), floor = std::max(bar, (1.0 + rise) * *loss.min());
  if (std::min(level, first) >= floor) return true;  // all n on the new level (level: the n - 1 after the first)
  if (!std::isfinite(level) || level < floor) return false;
  // The ramp: with n >= 3, the first value may lie between the flat stretch
  // and the new level -- out of the stretch's noise (above hi x (1 + 10 x
  // its spread)) and under every later value -- as an epoch average that
  // straddles the change does (its batches are half old, half new): DeepJ#49,
  // 0.0471 .. 0.0475 for five epochs, then 0.0612, 0.0958, 0.0877. Standing
  // there: the latest keeps at least half its peak's height over the ramp (a
  // bump that decays, 0.0612, 0.0958, 0.0700, is coming back down).
  return n >= 3 && first > hi * (1.0 + noise) && first < level && loss.back().value >= (first + peak) / 2.0;
}

// The jump rule's shape: the first of the last n values >= ratio x ref, ref
// the highest of the (1 .. kJumpRefPoints) finite values before it (the
// run's minimum is not after them); all n values >= (1 + ratio) / 2 x ref
// and within a factor sqrt(ratio) of each other. One reference value only
// counts when the series starts mid-run (its first step beyond the interval
// to its second: a pasted excerpt, a resumed run); a run's first loss is the
// untrained model's, and a warm-up bump away from it is normal.
constexpr std::size_t kJumpRefPoints = 4;
// The level the hold rule measures against: the run's minimum, unless it
// is a lone dip -- a point with a neighbour on each side, both before the
// last `n` points, both finite and above it (or right before the last n, the
// value before it kLuckyBatch x over it). Then the lower neighbour: a
// per-batch loss scatters by 2x between batches (deepspeech.pytorch#127:
// 3.86, 1.99, 4.20, then 10.1, 10.0, 12.4 as the batches grow longer), and
// one lucky batch is not a level the run reached. A minimum at the end of a
// descent (its later neighbour is the jump) or on a plateau (a neighbour
// equal to it) stays the reference.
constexpr double kLuckyBatch = 2.5;
inline double hold_reference(const Series& loss, std::size_t n, double mn) {
  const std::int64_t at = loss.argmin_step();
  // Right before the last n: the end of a descent, unless the value before it is kLuckyBatch x over it (a noisy
  // per-step loss's one lucky batch, ds-examples' bf16 baseline: 4.16, 0.96, then 8.6, 5.3, 5.1): that value is the
  // level then.
  if (loss.size() > n + 1 && loss.from_back(n).step == at) {
    const double before = loss.from_back(n + 1).value;
    return std::isfinite(before) && before >= kLuckyBatch * mn ? before : mn;
  }
  // The point i back, at v, is a lone dip: its lower neighbour, else `otherwise`.
  const auto lone_dip = [&](std::size_t i, double v, double otherwise) {
    const double after = loss.from_back(i - 1).value, before = loss.from_back(i + 1).value;
    if (!std::isfinite(after) || !std::isfinite(before) || !(after > v) || !(before > v)) return otherwise;
    return std::min(after, before);
  };
  for (std::size_t i = n + 1; i + 1 < loss.size(); ++i)
    if (loss.from_back(i).step == at) return lone_dip(i, mn, mn);
  // The minimum is the oldest retained point or older: its earlier neighbour is gone, and a level that old is no
  // reference for a jump now. The lowest retained value before the last n, by the same test (a noisy per-batch
  // loss's one lucky batch 6300 steps back, 0.044 among 0.1 .. 0.75, is no level).
  if (loss.size() > n + 3 && loss.from_back(loss.size() - 1).step >= at) {
    std::size_t low = n + 1;
    for (std::size_t i = n + 1; i + 1 < loss.size(); ++i)
      if (std::isfinite(loss.from_back(i).value) && !(loss.from_back(i).value >= loss.from_back(low).value)) low = i;
    const double lv = loss.from_back(low).value;
    return std::isfinite(lv) ? lone_dip(low, lv, std::max(mn, lv)) : mn;
  }
  return mn;
}

// The level the fast rule measures against: the run's minimum, unless it is
// the run's first value and the next is above it; then the next value. A
// first print is one batch: a running average (an AverageMeter over the
// epoch, a Keras progress bar, PaddleClas's loss since the epoch began)
// starts at one batch's loss and only then averages 10, 20 batches, drifting
// to its level (PaddleClas#3203: 0.0176, then 0.051, 0.053, 0.064, 0.067 in a
// healthy epoch). A minimum one value establishes alone is no level.
inline double fast_reference(const Series& loss, double mn) {
  if (loss.count() != loss.size() || loss.size() < 2) return mn;
  const SeriesPoint& first = loss.from_back(loss.size() - 1);
  if (first.value != mn) return mn;
  const double next = loss.from_back(loss.size() - 2).value;
  return std::isfinite(next) && next > mn ? next : mn;
}

inline std::optional<double> jumped_and_held(const Series& loss, std::size_t n, double ratio) {
  if (n == 0 || !(ratio > 1) || loss.size() < n + 1 || loss.from_back(n).step < loss.argmin_step()) return std::nullopt;
  double ref = -std::numeric_limits<double>::infinity(), fall = 1.0, later = 0.0;
  std::size_t refs = 0;
  for (std::size_t i = n; i < std::min(loss.size(), n + kJumpRefPoints); ++i) {
    double x = loss.from_back(i).value;  // newest first: `later` follows x
    if (!std::isfinite(x)) continue;
    if (refs > 0 && later > 0) fall = std::max(fall, x / later);
    ref = std::max(ref, x), later = x, ++refs;
  }
  if (refs < 2 && !starts_mid_run(loss)) return std::nullopt;
  const double first = loss.from_back(n - 1).value;
  if (!(ref > 0) || !(first >= ratio * ref)) return std::nullopt;
  // Beyond the reference's own noise: on the log scale the largest fall
  // between consecutive points before it is at most half the jump (a loss
  // that drops 2x between two batches rises 2x by chance: per-batch losses
  // 3.86, 1.99, 4.20, then 10.1 -- deepspeech.pytorch#127 -- a 2.4x jump).
  if (fall * fall > first / ref) return std::nullopt;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double x = loss.from_back(i).value;
    if (!std::isfinite(x) || x < (1.0 + ratio) / 2.0 * ref) return std::nullopt;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  // A new level, not noise: on the log scale the held values spread at most
  // half as much as the jump (a noisy loss's low sample as the reference
  // jumps too, but its next values scatter as widely).
  if (hi > std::sqrt(ratio) * lo) return std::nullopt;
  return ref;
}
}  // namespace detail

namespace detail {
// Whether the latest value is absurd (>= absurd_level) and not a bad start on its way down: the series began at the
// run's first step (0 or 1, not a mid-run excerpt) already that high and the latest is its lowest value yet
// (Series::min's step: a tie is no new low).
inline bool absurd_now(const Series& loss, const LossDivergenceOptions& opt) {
  const double v = loss.back().value;
  if (!(opt.absurd_level > 0) || !std::isfinite(v) || v < opt.absurd_level) return false;
  const auto init = loss.initial_values();
  const bool bad_start =
      !init.empty() && init.front() >= opt.absurd_level && loss.initial_steps().front() <= 1 && !starts_mid_run(loss);
  return !(bad_start && loss.argmin_step() == loss.back().step);
}

// The absurd form of detect_loss_divergence (the latest value >= absurd_level).
inline Decision absurd_loss(const Series& loss, const LossDivergenceOptions& opt) {
  const double v = loss.back().value;
  Decision d = make_decision(Source::kRulebased, "loss_divergence", opt.severity,
                             loss.name() + " is " + fmt_num(v) + ", >= " + fmt_num(opt.absurd_level) +
                                 ": no healthy loss is that large (overflow is near)",
                             loss.name(), &loss, {{"rule", "absurd"}, {"level", fmt_num(opt.absurd_level)}});
  set_band(d, -std::numeric_limits<double>::infinity(), opt.absurd_level);
  return d;
}
}  // namespace detail

// The blowup form of detect_loss_divergence (the last two rises each >= blowup_ratio x).
namespace detail {
inline Decision blowup_loss(const Series& loss, const LossDivergenceOptions& opt, double a, double b) {
  const double v = loss.back().value;
  Decision d = make_decision(Source::kRulebased, "loss_divergence", opt.severity,
                             loss.name() + " explodes: " + fmt_num(a) + ", " + fmt_num(b) + ", " + fmt_num(v) +
                                 ", each over " + fmt_num(opt.blowup_ratio) + "x the one before",
                             loss.name(), &loss, {{"rule", "blowup"}, {"from", fmt_num(a)}});
  set_band(d, -std::numeric_limits<double>::infinity(), opt.blowup_ratio * a);
  return d;
}
}  // namespace detail

// The absurd rule alone, for any loss-family key that is not the bound loss
// (a perplexity, a component or test loss): the latest value >= absurd_level.
// A perplexity is exp(the cross-entropy), so 1e20 is a mean loss of 46 nats,
// worse than guessing uniformly over any vocabulary (OpenNMT-py#253, #676: ppl
// 2.688e43 = exp(100), the printed cap, on every report line after Adam at
// learning rate 1 blew the model up). Returns a "loss_divergence" decision
// (evidence "rule": absurd).
inline std::optional<Decision> detect_absurd_loss(const Series& loss, const LossDivergenceOptions& opt) {
  if (!opt.enabled || loss.empty() || !detail::absurd_now(loss, opt)) return std::nullopt;
  return detail::absurd_loss(loss, opt);
}

namespace detail {
constexpr std::size_t kRunawayPoints = 5;  // the runaway rule's early and recent points
}  // namespace detail

// Runaway (rule "runaway"; evidence: 2 x kRunawayPoints points), for a
// loss-family key that binds no role (a component or critic loss; the bound
// loss has detect_loss_divergence's rules): the median of its last 5
// values >= runaway_ratio x the least of its first 5 (positive). Three orders
// of magnitude above where it started is no level shift: a critic whose
// Q-values run away (r22, r29, r32: Spinning Up DDPG's LossQ 3.7 -> 7e6,
// 3 -> 6e10, 5.6 -> 1.6e13 over 200 epochs, each step under the jump and
// blowup rules, while the return collapsed). Healthy on the tuned corpus: a
// SAC critic 1 -> 128 as its return grows to 12 000 (99x), an integrated
// TD3's Q regulariser 171x. Open until that median is back under
// sqrt(runaway_ratio) x the start.
inline std::optional<Decision> detect_runaway_loss(const Series& loss, const LossDivergenceOptions& opt) {
  constexpr std::size_t n = detail::kRunawayPoints;
  if (!opt.enabled || !(opt.runaway_ratio > 1) || loss.finite_count() < 2 * n || loss.size() < n) return std::nullopt;
  const auto init = loss.initial_values().first(n);
  const double start = *std::min_element(init.begin(), init.end());
  if (!(start > 0) || !(loss.back().value >= opt.runaway_ratio * start)) return std::nullopt;  // cheap exit
  auto& w = detail::scratch(0);
  loss.finite_window(0, n, &w);
  if (w.size() < n) return std::nullopt;
  const double recent = detail::median_inplace(w);
  if (!(recent >= opt.runaway_ratio * start)) return std::nullopt;
  Decision d = detail::make_decision(Source::kRulebased, "loss_divergence", opt.severity,
                                     loss.name() + " ran away: " + detail::fmt_num(recent) + " over its last " +
                                         std::to_string(n) + " values, " + detail::fmt_num(recent / start) +
                                         "x where it started (" + detail::fmt_num(start) + ")",
                                     loss.name(), &loss, {{"rule", "runaway"}, {"start", detail::fmt_num(start)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), std::sqrt(opt.runaway_ratio) * start);
  return d;
}

namespace detail {
// Above chance (rule "above_chance"; evidence: three initial values from the
// run's start at or above ln 1000, and hold_points values at least
// above_chance_intervals first logging intervals after the first): the last
// hold_points values all >= (1 + above_chance_rise) x the initial level. A
// loss that starts at the chance level of a thousand classes or more (an
// LM's vocabulary) and, that long after, sits above it predicts worse than
// the untrained model did: diverged (llm-action's Megatron-DeepSpeed LLaMA
// run: lm loss 10.65 at iterations 1-3, then 12.67, 13.40, 12.55 at
// 2498-2500 with the fp16 loss scale at 1). A warm-up spike in a run's first
// steps (BigScience's 52B: 12.4 -> 43 at iterations 3-4, under 10 by 20) is
// inside the first intervals. Known false positive: a curriculum that
// lengthens sequences or hardens the data far past the start.
inline bool above_chance(const Series& loss, const LossDivergenceOptions& opt, double initial) {
  const auto steps = loss.initial_steps();
  const auto hp = static_cast<std::size_t>(std::max(opt.hold_points, 1));
  if (!(opt.above_chance_rise > 0) || initial < kLnThousand || steps.size() < 3 || loss.size() < hp || !lm_start(loss))
    return false;
  const double interval = static_cast<double>(steps[1]) - static_cast<double>(steps[0]);
  if (!(interval > 0)) return false;
  const double after = static_cast<double>(steps[0]) + interval * std::max(opt.above_chance_intervals, 1);
  if (static_cast<double>(loss.from_back(hp - 1).step) < after) return false;
  for (std::size_t i = 0; i < hp; ++i) {
    const double x = loss.from_back(i).value;
    if (!std::isfinite(x) || x < (1.0 + opt.above_chance_rise) * initial) return false;
  }
  return true;
}
}  // namespace detail

// Returns a "loss_divergence" decision (evidence "rule": fast | slow | hold | jump | creep | step | settle | absurd |
// blowup | above_chance).
inline std::optional<Decision> detect_loss_divergence(const Series& loss, const LossDivergenceOptions& opt) {
  if (!opt.enabled || loss.empty()) return std::nullopt;
  double v = loss.back().value;
  auto mn = loss.min();
  if (!std::isfinite(v) || !mn || !(*mn > 0)) return std::nullopt;
  if (detail::absurd_now(loss, opt)) return detail::absurd_loss(loss, opt);
  if (opt.blowup_ratio > 1 && v >= opt.blowup_ratio * *mn && loss.size() >= 3) {
    const double b = loss.from_back(1).value, a = loss.from_back(2).value;
    if (a > 0 && b >= opt.blowup_ratio * a && v >= opt.blowup_ratio * b) return detail::blowup_loss(loss, opt, a, b);
  }
  if (v < (1.0 + opt.slow_rise) * *mn && v < opt.ratio * *mn) return std::nullopt;  // cheap exit: near its minimum
  if (v - *mn < opt.min_delta) return std::nullopt;
  const double initial = detail::initial_level(loss);
  auto climbed = [&](double fraction) { return detail::climbed_back(v, *mn, initial, fraction); };
  auto make = [&](std::string rule, std::string msg) {
    Decision d = detail::make_decision(
        Source::kRulebased, "loss_divergence", opt.severity, std::move(msg), loss.name(), &loss,
        {{"rule", std::move(rule)}, {"min", detail::fmt_num(*mn)}, {"min_step", std::to_string(loss.argmin_step())}});
    detail::set_band(d, -std::numeric_limits<double>::infinity(), (1.0 + opt.slow_rise / 2.0) * *mn);
    return d;
  };
  // Formatted only for a decision (a slowly rising healthy loss gets here on every row).
  auto tail = [&] {
    return ", " + detail::fmt_num(v / *mn) + "x its minimum " + detail::fmt_num(*mn) + " (step " +
           std::to_string(loss.argmin_step()) + ")";
  };
  if (detail::above_chance(loss, opt, initial))
    return make("above_chance", loss.name() + " sits above its start at chance level: " + detail::fmt_num(v) +
                                    " against an initial " + detail::fmt_num(initial) + tail());
  int rising = std::max(opt.rising, 1);
  if (v >= opt.ratio * *mn && loss.finite_count() >= static_cast<std::uint64_t>(std::max(opt.min_points, 2)) &&
      loss.size() > static_cast<std::size_t>(rising) && climbed(opt.back_fraction)) {
    bool up = true;
    for (int i = 0; i < rising && up; ++i) {
      double a = loss.from_back(static_cast<std::size_t>(i)).value;
      double b = loss.from_back(static_cast<std::size_t>(i) + 1).value;
      up = std::isfinite(a) && std::isfinite(b) && a > b;
    }
    if (up &&
        v >= opt.ratio * std::max(detail::fast_reference(loss, *mn),
                                  detail::hold_reference(loss, static_cast<std::size_t>(rising), *mn)) &&
        detail::new_high_since_min(loss))
      return make("fast", loss.name() + " keeps rising: " + detail::fmt_num(v) + tail());
  }
  auto hp = static_cast<std::size_t>(std::max(opt.hold_points, 1));
  if (opt.hold_ratio > 0 && v >= opt.hold_ratio * *mn && loss.size() > hp && climbed(opt.back_fraction) &&
      loss.from_back(hp).step >= loss.argmin_step()) {
    const double level = detail::hold_reference(loss, hp, *mn);
    bool held = true;
    for (std::size_t i = 0; i < hp && held; ++i) {
      double x = loss.from_back(i).value;
      held = std::isfinite(x) && x >= opt.hold_ratio * level;
    }
    if (held)
      return make("hold", loss.name() + " jumped and stays up for " + std::to_string(hp) +
                              " points: " + detail::fmt_num(v) + tail());
  }
  if (opt.jump_ratio > 0 && climbed(opt.back_fraction))
    if (auto ref = detail::jumped_and_held(loss, hp, opt.jump_ratio))
      return make("jump", loss.name() + " jumped to " + detail::fmt_num(loss.from_back(hp - 1).value) + ", " +
                              detail::fmt_num(loss.from_back(hp - 1).value / *ref) + "x the points before, and stays " +
                              "up for " + std::to_string(hp) + " points: " + detail::fmt_num(v) + tail());
  auto w = static_cast<std::size_t>(std::max(opt.slow_window, 2));
  if (opt.slow_rise > 0 && v >= (1.0 + opt.slow_rise) * *mn && loss.size() > w && climbed(opt.slow_back_fraction) &&
      loss.from_back(w).step >= loss.argmin_step()) {  // the minimum precedes the window
    std::size_t ups = 0;
    for (std::size_t i = 0; i < w; ++i) {
      double a = loss.from_back(i).value, b = loss.from_back(i + 1).value;
      if (!std::isfinite(a) || !std::isfinite(b)) return std::nullopt;
      ups += a > b ? 1 : 0;
    }
    // A rise at every point of the window: per-step losses that rise at 4 of 5
    // points are noise of a healthy run (a real PyTorch learner at a sane
    // learning rate does that twice in its first 25 steps). And the latest
    // is the highest since the minimum: five rises that stay inside the band
    // the loss has been moving in are its noise (a single-sample training
    // loss between 0.26 and 1.29: rasbt's distillation log).
    if (ups >= w && loss.back().value > loss.from_back(1).value && detail::new_high_since_min(loss))
      return make("slow", loss.name() + " has risen at " + std::to_string(ups) + " of the last " + std::to_string(w) +
                              " points: " + detail::fmt_num(v) + tail());
  }
  auto cp = static_cast<std::size_t>(std::max(opt.creep_points, 0));
  if (cp > 0 && opt.slow_rise > 0 && v >= (1.0 + opt.slow_rise) * *mn && climbed(opt.slow_back_fraction) &&
      detail::creeping(loss, cp))
    return make("creep", loss.name() + " has crept up over " + std::to_string(cp) +
                             " points since its minimum: " + detail::fmt_num(v) + tail());
  auto sp = static_cast<std::size_t>(std::max(opt.step_points, 0));
  if (sp > 0 && v >= (1.0 + opt.step_rise) * *mn && detail::stepped_up(loss, sp, opt.step_rise))
    return make("step", loss.name() + " stepped up from a flat level and stays there: " + detail::fmt_num(v) + tail());
  if (v >= (1.0 + detail::kSettleRise) * *mn && detail::settled_above(loss, hp))
    return make("settle", loss.name() + " fell steadily to its minimum, then rose and stays up for " +
                              std::to_string(hp) + " points: " + detail::fmt_num(v) + tail());
  return std::nullopt;
}

namespace detail {
// The joint rise (evidence: slow_window points of the training loss, one
// validation value at the same step): the slow rule's climb with one rise
// less, which the validation loss confirms. The training loss rose at each
// of the last slow_window - 1 intervals (its minimum at or before them) to
// >= (1 + slow_rise) x the minimum, slow_back_fraction of the way back to its
// initial level; the validation loss, a measurement on other data, is
// >= (1 + slow_rise) x its own (earlier) minimum and above where it stood
// when the climb began. Four rises of one noisy loss happen by chance (1 in
// 120 windows of iid noise, hence the slow rule's five); the held-out loss
// rising with it does not (keras#932: rmsprop, loss 1.889 -> 2.106 and
// val_loss 1.880 -> 2.077 over five epochs while both accuracies fall).
inline bool joint_rise(const Series& loss, const Series& vloss, const LossDivergenceOptions& opt) {
  auto w = static_cast<std::size_t>(std::max(opt.slow_window - 1, 2));
  if (!(opt.slow_rise > 0) || loss.size() <= w || loss.from_back(w).step < loss.argmin_step()) return false;
  const double v = loss.back().value, mn = *loss.min();
  if (!(mn > 0) || v < (1.0 + opt.slow_rise) * mn || v - mn < opt.min_delta ||
      !climbed_back(v, mn, initial_level(loss), opt.slow_back_fraction))
    return false;
  for (std::size_t i = 0; i < w; ++i) {
    double a = loss.from_back(i).value, b = loss.from_back(i + 1).value;
    if (!std::isfinite(a) || !std::isfinite(b) || !(a > b)) return false;
  }
  const double vv = vloss.back().value;
  auto vmn = vloss.min();
  if (!std::isfinite(vv) || !vmn || !(*vmn > 0) || vv < (1.0 + opt.slow_rise) * *vmn || vv - *vmn < opt.min_delta ||
      vloss.argmin_step() >= vloss.back().step)
    return false;
  const std::int64_t start = loss.from_back(w).step;
  for (std::size_t i = 1; i < vloss.size(); ++i) {
    const SeriesPoint& p = vloss.from_back(i);
    if (p.step <= start && std::isfinite(p.value)) return vv > p.value;
  }
  return false;  // no validation value from before the climb
}
}  // namespace detail

// Divergence the validation loss confirms (LossDivergenceOptions::joint_ratio,
// evidence: one point of each, at the same step, after its minimum): the
// training loss and the validation loss both >= joint_ratio x their
// minimum, each climbed back back_fraction of the way to its initial level
// (chemts#8: loss 0.39 -> 0.88 and val_loss 0.37 -> 0.74 in one epoch). One
// series doubling is often noise (a small validation set, an epoch-start
// sawtooth); both at once is not. Known false positive: a warm restart or
// a switch to new data that doubles both losses. A "loss_divergence" of
// the training loss (evidence "rule": joint), open until the training loss
// is back within (1 + slow_rise / 2) x its minimum.
inline std::optional<Decision> detect_joint_divergence(const Series& loss, const Series& vloss,
                                                       const LossDivergenceOptions& opt) {
  if (!opt.enabled || opt.joint_ratio <= 0 || loss.size() < 2 || vloss.size() < 2) return std::nullopt;
  if (loss.back().step != vloss.back().step) return std::nullopt;
  auto up = [&](const Series& s) -> std::optional<double> {
    double v = s.back().value;
    auto mn = s.min();
    if (!std::isfinite(v) || !mn || !(*mn > 0) || v < opt.joint_ratio * *mn || v - *mn < opt.min_delta ||
        s.argmin_step() >= s.back().step)
      return std::nullopt;
    if (!detail::climbed_back(v, *mn, detail::initial_level(s), opt.back_fraction)) return std::nullopt;
    return *mn;
  };
  auto mn = up(loss);
  auto vmn = mn ? up(vloss) : std::nullopt;
  if (!mn || !vmn) {
    if (!detail::joint_rise(loss, vloss, opt)) return std::nullopt;
    Decision d = detail::make_decision(Source::kRulebased, "loss_divergence", opt.severity,
                                       loss.name() + " rose at each of its last " +
                                           std::to_string(std::max(opt.slow_window - 1, 2)) + " points to " +
                                           detail::fmt_num(loss.back().value) + " and " + vloss.name() +
                                           " with it, to " + detail::fmt_num(vloss.back().value) + " (" +
                                           detail::fmt_num(vloss.back().value / *vloss.min()) + "x its minimum)",
                                       loss.name(), &loss,
                                       {{"rule", "joint_rise"},
                                        {"min", detail::fmt_num(*loss.min())},
                                        {"min_step", std::to_string(loss.argmin_step())},
                                        {"val_min", detail::fmt_num(*vloss.min())}});
    detail::set_band(d, -std::numeric_limits<double>::infinity(), (1.0 + opt.slow_rise / 2.0) * *loss.min());
    return d;
  }
  Decision d = detail::make_decision(
      Source::kRulebased, "loss_divergence", opt.severity,
      loss.name() + " and " + vloss.name() + " both jumped: " + detail::fmt_num(loss.back().value) + " (" +
          detail::fmt_num(loss.back().value / *mn) + "x its minimum) and " + detail::fmt_num(vloss.back().value) +
          " (" + detail::fmt_num(vloss.back().value / *vmn) + "x)",
      loss.name(), &loss,
      {{"rule", "joint"},
       {"min", detail::fmt_num(*mn)},
       {"min_step", std::to_string(loss.argmin_step())},
       {"val_min", detail::fmt_num(*vmn)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), (1.0 + opt.slow_rise / 2.0) * *mn);
  return d;
}

// Frozen or collapsed loss. Four rules:
//  - identical: the last `points` values are bit-identical (a loss that is
//    not computed from new data, a dead graph, a stale logger);
//  - zero: exactly 0.0 for zero_points consecutive points after a loss that
//    started at or above zero_min_initial (a loss that collapses to 0.0).
//    A loss that starts at 0.0 is exempt: GRPO/DPO-style losses log 0.0.
//    Also a loss bit-identical at a numerically zero value other than 0.0
//    (|v| <= 1e-12) for zero_points + 1 points, no earlier value needed
//    (caffe#5144: -6.43825e-20 three times);
//  - flat: the last flat_points values within flat_tolerance (relative) of
//    each other, or within one print step when that step is fine
//    (detail::flat_band), while the loss never improved by more than
//    flat_max_improvement on its initial value (stuck at chance level from the start, e.g.
//    ln(1000) = 6.907 for ImageNet, ln(4) = 1.386 for a 4-way choice),
//    and the loss is not still falling: a least-squares slope over its last
//    kFlatTrendPoints values more than flat_trend_z standard errors below
//    zero is a slow improvement (a val_loss 1.0 -> 0.95 over 20 000 steps),
//    not a frozen loss. A series that starts mid-run (starts_mid_run: a
//    pasted excerpt) has no initial level to say "never improved", so its
//    values must agree within flat_excerpt_tolerance (0.025 %) instead: a
//    loss stuck at chance moves less (caffe#59: 6.9063, 6.90727, 6.9073 at
//    iteration 78000), a converged run's excerpt more (PVT#24: 3.2890,
//    3.2858, 3.2879 at epochs 196-198; marian-dev#480: Cost 2.7721, 2.7712,
//    2.7703). Evidence: flat_points points, 3 for the slope;
//  - chance: the last chance_points values all within chance_tolerance
//    (relative) of ln k, the loss of a k-way classifier that predicts
//    uniformly, for k = 2 .. chance_max_classes, under the same "never
//    improved, not still falling" conditions (rwf2000#19: a binary model at
//    0.6857 .. 0.6959 around ln 2 = 0.6931 for 5 epochs). ln k for k > 4
//    lies where healthy losses often settle, so k = chance_max_classes + 1
//    .. chance_wide_classes (5 .. 20: CIFAR-10, MNIST) needs the values
//    within chance_wide_tolerance (0.5 %) and a series that starts at the
//    run's start (its first step 0, or no later than one interval): a loss
//    that sits at ln 10 from its first epoch and never improves is a model
//    that outputs the uniform distribution (PyTorch forum 43814: 2.3086,
//    2.2973, 2.3083, 2.3027, 2.3045 around ln 10 = 2.3026). Scanning every
//    key of the tuned parts' healthy curves, no loss sits within 0.5 % of
//    ln 5 .. ln 20 for 5 points from its start without improving 5 %.
//    Known false positive: a mid-run excerpt mistaken for a run's start
//    (rows without a step) that happens to plateau there.
//  - identical, precise form: precise_points bit-identical values printed
//    with at least precise_digits significant digits (keras#2392: 5.7257
//    three epochs running), after a value that differs, or from the first
//    value on when that value is no ln k: a model whose output does not
//    depend on its input gives ln k on every batch (a DPO loss at ln 2 while
//    the policy is still the reference, a zero-initialised head during a
//    warm-up from lr 0), so a loss identical from its start at ln k keeps
//    the `points` bar; any other value repeated from the start to 5 digits
//    is an epoch average of a model that no longer changes (keras#6132:
//    mse 1.0097 three epochs running from the first). A loss that moves less than 1e-5 of
//    itself between three log points computes nothing new; a short loss
//    printed with 2-4 digits repeats by rounding, so it keeps the bar too.
//    Known false positive: a logger that repeats its last value between
//    updates (forward-filled eval rows), hence off for the validation loss;
//  - saturated: saturated_points values at a clamp constant of the
//    cross-entropy: -ln(FLT_MIN) = 87.3365 (Caffe's SoftmaxWithLoss when the
//    target's probability underflows; up-down-captioner#2: 9.22, then
//    87.3365 from iteration 100), -ln of the smallest float32 denormal
//    103.2789, -ln(1e-7) = 16.1181 (Keras' clipped probabilities). A loss
//    there to 6 digits twice running is the clamp, not a coincidence.
//  - zero_start (detect_zero_start, the engine calls it outside RL when no
//    reward, KL or preference key was seen): exactly 0.0 on every row from
//    the first, zero_start_points rows or more (a supervised loss computes
//    nothing: ms-swift#4711, detectron2#3023). Known false positive: a
//    preference-tuning excerpt pasted without its reward and KL keys.
//  - replay: the last replay_points values repeat, in order and bit for bit,
//    the values logged a fixed lag of 2 <= L <= 256 rows earlier, at later steps,
//    with >= 3 distinct values among them, each printed with >= 3
//    significant digits: per-batch losses that come back the same, batch for
//    batch, one epoch later are a model whose output did not change, its
//    weights not updated (TRACE#5: the 8 micro-batch losses of epoch 1,
//    0.9741, 1.3742, 1.2390, 0.9670, ..., again in epoch 2). A learning model
//    never gives four 3-digit losses again in order. A block printed twice
//    (the same steps) or a value repeated by rounding (fewer digits, fewer
//    distinct values) stays quiet. Known false positive: a logger that
//    reprints an earlier stretch with a step counter that keeps counting.
// The engine also runs these rules on the run's only training-side
// loss-family key when no key binds the loss and it names no other quantity
// (SEC-MXNet#8's "MultiLogisticLoss", NeuralPDE.jl#783's "Current loss is").
// With ignore_zero (default), the identical rule ignores 0.0 (zero decides)
// and a value one print step from it (0.0001 printed with 4 decimals: a GRPO
// loss at its print resolution repeats by rounding); outside reinforcement
// learning and preference tuning only 0.001 and finer count so: a supervised
// loss that repeats 0.01 or 0.1 on `points` rows is frozen there
// (songdejia/EAST#37: 'Loss 0.0100' on every iteration). Known false
// positive: a converged loss printed with one or two decimals only.
#define SIDECAR_FROZEN_LOSS_OPTIONS(X)                                                                                 \
  X(bool, enabled, true, (), "off: a frozen loss raises nothing")                                                      \
  X(int, points, 6, (2, 1e5), "identical rule: this many bit-identical values")                                        \
  X(int, precise_points, 3, (0, 1e5),                                                                                  \
    "identical rule: this many suffice for values printed with >= precise_digits digits (0: off)")                     \
  X(int, precise_digits, 5, (1, 17), "significant digits that make a repeated value precise")                          \
  X(int, saturated_points, 2, (0, 1e5),                                                                                \
    "saturated rule: values at a cross-entropy clamp (87.3365 = -ln FLT_MIN ...) (0: off)")                            \
  X(bool, ignore_zero, true, (),                                                                                       \
    "GRPO/DPO losses of exactly 0.0, or one print step from it (0.0001), are normal (the zero rule decides)")          \
  X(int, zero_points, 2, (0, 1e5), "zero rule: this many values of exactly 0.0 after a real loss")                     \
  X(double, zero_min_initial, 0.1, (0.0), "the zero rule applies to losses that started at or above this")             \
  X(int, zero_start_points, 3, (0, 1e5),                                                                               \
    "zero_start rule: this many values of exactly 0.0 from the first, in a run without reward/KL keys (0: off)")       \
  X(int, replay_points, 4, (0, 1e5),                                                                                   \
    "replay rule: the last this many values repeat, in order and bit for bit, those a fixed lag (>= 2 rows) earlier "  \
    "(below 3: off)")                                                                                                  \
  X(int, metric_points, 4, (0, 1e5),                                                                                   \
    "frozen_metric: bit-identical values of an accuracy-type metric while the loss never improved (0: off)")           \
  X(int, flat_points, 3, (2, 1e5), "flat rule: this many values within flat_tolerance")                                \
  X(double, flat_tolerance, 1e-3, (0.0, 1.0), "relative spread of the flat points")                                    \
  X(double, flat_excerpt_tolerance, 2.5e-4, (0.0, 1.0),                                                                \
    "flat rule: the relative spread instead, when the series starts mid-run (no initial level to compare)")            \
  X(double, flat_max_improvement, 0.05, (0.0, 1.0),                                                                    \
    "flat rule: the loss never improved by more than this on its initial value")                                       \
  X(double, flat_trend_z, 3.0, (0.0),                                                                                  \
    "flat rule: a slope this many standard errors below 0 is a slow improvement, not a frozen loss")                   \
  X(int, chance_points, 5, (0, 1e5), "chance rule: this many values at ln k (0: off)")                                 \
  X(double, chance_tolerance, 0.02, (0.0, 1.0), "chance rule: relative distance from ln k")                            \
  X(int, chance_max_classes, 4, (2, 16), "chance rule: k = 2 .. this (ln 2, ln 3, ln 4)")                              \
  X(int, chance_wide_classes, 20, (2, 1000),                                                                           \
    "chance rule: k beyond chance_max_classes up to this, within chance_wide_tolerance, from the run's start")         \
  X(double, chance_wide_tolerance, 0.005, (0.0, 1.0),                                                                  \
    "chance rule: relative distance from ln k for k beyond chance_max_classes")                                        \
  X(int, chance_pair_points, 5, (0, 1e5),                                                                              \
    "chance pair: this many rows where the loss sits at -log(accuracy), the accuracy <= 0.5 (0: off)")                 \
  X(double, chance_pair_tolerance, 0.08, (0.0, 1.0),                                                                   \
    "chance pair: relative distance of the mean loss from -ln or -log2 of the mean accuracy")                          \
  X(int, chance_wobble_points, 10, (0, 1e5),                                                                           \
    "chance wobble: this many values whose median sits at ln k, k = 2 .. chance_max_classes (0: off)")                 \
  X(double, chance_wobble_above, 0.03, (0.0, 1.0),                                                                     \
    "chance wobble: the median at most this far above ln k (and chance_tolerance below)")                              \
  X(int, chance_wobble_decades, 100, (0, 1e6),                                                                         \
    "chance wobble: also k = 10, 100 .. this (CIFAR-10, CIFAR-100), only in a series from the run's start (below 10: " \
    "off)")                                                                                                            \
  X(int, metric_start_points, 10, (0, 1e5),                                                                            \
    "metric_start: this many evaluations from the run's start of an accuracy <= 0.5 never above 1.25 x its first "     \
    "level, in a run that logs no loss (0: off)")                                                                      \
  X(int, ceiling_points, 3, (0, 1e5),                                                                                  \
    "error_ceiling: this many evaluations of a WER/CER/TER in percent at >= 99.5 while the loss does not fall (0: "    \
    "off)")                                                                                                            \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(FrozenLossOptions, SIDECAR_FROZEN_LOSS_OPTIONS);

namespace detail {
// The fewest significant digits that print v back exactly (1 .. 17): how
// precisely a parsed value was logged (5.7257 -> 5, 0.69 -> 2).
inline int significant_digits(double v) {
  if (!std::isfinite(v) || v == 0.0) return 1;
  char buf[40];
  for (int p = 1; p < 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) return p;
  }
  return 17;
}

// The cross-entropy clamp constant v sits at (6 significant digits), if any.
inline std::optional<double> saturation_constant(double v) {
  // -ln(FLT_MIN), -ln(the smallest float32 denormal), -ln(1e-7)
  constexpr double kClamps[] = {87.336544750553, 103.27892990343, 16.118095650958};
  for (double c : kClamps)
    if (std::fabs(v - c) <= 1e-5 * c) return c;
  return std::nullopt;
}

// Whether v is, to its print precision (float32 rounding at least), ln k for
// an integer k >= 2: the cross-entropy of a model whose output does not
// depend on its input (uniform over k classes; DPO's sigmoid loss at a zero
// margin is ln 2), the same on every batch. Where the ln k lie closer
// together than that precision (k beyond ~10^4 for 4 decimals) any value may
// be one: true.
inline bool at_uniform_output(double v) {
  if (!(v > 0.5) || !(v < 50)) return false;
  const double tol = std::max(print_step(v) / 2.0, 1e-6 * v);
  const double k = std::round(std::exp(v));
  return 1.0 / k <= 2.0 * tol || std::fabs(v - std::log(k)) <= tol;
}

// Whether v is +- one step of the decimals it was printed with (0.0001,
// -0.001): the least non-zero value that logger prints, zero give or take
// its rounding. A GRPO loss (about beta x KL) logged with round(loss, 4)
// reads 0.0, 0.0001, 0.0001, ... for many steps: repeats of rounding, which
// ignore_zero exempts from the identical rule like 0.0 itself.
inline bool one_print_step(double v) {
  if (!(std::fabs(v) < 1.0) || v == 0.0) return false;
  const double step = print_step(v);
  return step > 0 && std::fabs(std::fabs(v) - step) <= 1e-9 * step;
}

// The coarsest print step that still stands for zero outside reinforcement
// learning and preference tuning: 0.001 and finer (a converged supervised
// loss under round(loss, 4) reads 0.0001 for many rows). A loss that repeats
// 0.01 or 0.1 there is not at a logger's floor -- JSON keeps no trailing
// zeros, so EAST's 'Loss 0.0100' arrives as 0.01 -- it is a value that stopped
// changing (songdejia/EAST#37: 0.0100 on every iteration).
constexpr double kSupervisedPrintFloor = 0.001;

// Whether the identical rule treats v as zero (ignore_zero): 0.0 itself, and
// a value one print step from it -- in a reward or preference run any such
// value (a GRPO loss of beta x KL printed 0.0001 or 0.01), elsewhere only up
// to kSupervisedPrintFloor. In a reward run also a value under 0.01 printed
// with one or two significant digits: a few print steps from zero, where a
// beta x KL loss rounded to 4 decimals sits for hundreds of steps while the
// policy learns (r22's GRPO-from-scratch notebook: 0.0012 at most steps from
// 130 on, between 0.0010 and 0.0015, the reward rising to its plateau).
inline bool counts_as_zero(double v, bool reward_run) {
  if (reward_run && std::fabs(v) < 0.01 && significant_digits(v) <= 2) return true;
  // Under the floor with one significant digit, in any run: a few steps of 4 decimals from zero (r30: HF Trainer's
  // 'loss' of a converged Whisper and a CodeBERT fine-tune reads 0.0003 for six logging steps running)
  if (std::fabs(v) < kSupervisedPrintFloor && significant_digits(v) <= 1) return true;
  return one_print_step(v) && (reward_run || std::fabs(v) <= kSupervisedPrintFloor * (1.0 + 1e-9));
}

constexpr std::size_t kFlatTrendPoints = 32;
constexpr double kNumericZero = 1e-12;  // a loss this close to 0 computes nothing

}  // namespace detail

namespace detail {
// The flat rule's band for the last n values: flat_tolerance x the latest,
// or one step of the decimals they were printed with when that step is
// fine (<= 10 x flat_tolerance of the value): values that differ only by
// the logger's rounding did not move (pretrained-models.pytorch#27: 0.0383,
// 0.0382, 0.0382 printed with 4 decimals). A coarse print (0.69, 0.70 with
// 2 decimals) keeps the relative band.
inline double flat_band(const Series& loss, std::size_t n, double flat_tolerance) {
  const double v = loss.back().value, rel = flat_tolerance * std::fabs(v);
  const double step = finest_print_step(loss, 0, n);
  if (!(step > 0) || step > 10.0 * rel) return rel;
  return std::max(rel, step * (1.0 + 1e-9));
}

// The chance rule: the k whose ln k the last chance_points values sit at.
// k = 2 .. chance_max_classes within chance_tolerance; beyond, up to
// chance_wide_classes, within chance_wide_tolerance and only in a series
// that starts at the run's start (not a mid-run excerpt).
inline std::optional<int> at_chance(const Series& loss, const FrozenLossOptions& opt) {
  auto n = static_cast<std::size_t>(std::max(opt.chance_points, 2));
  if (opt.chance_points <= 0 || loss.size() < n) return std::nullopt;
  double v = loss.back().value;
  const int kmax = std::max(opt.chance_max_classes, opt.chance_wide_classes);
  if (!(v > 0.5) || !(v < 1.1 * std::log(static_cast<double>(kmax)))) return std::nullopt;  // cheap exit
  // The nearest ln k lie at k = floor(e^v) and the next integer.
  const double kf = std::floor(std::exp(v));
  for (int k : {static_cast<int>(kf), static_cast<int>(kf) + 1}) {
    if (k < 2 || k > kmax) continue;
    const bool wide = k > opt.chance_max_classes;
    const double tol = wide ? opt.chance_wide_tolerance : opt.chance_tolerance;
    double c = std::log(static_cast<double>(k));
    if (!(std::fabs(v - c) <= tol * c)) continue;
    if (wide && starts_mid_run(loss)) return std::nullopt;
    for (std::size_t i = 1; i < n; ++i) {
      double x = loss.from_back(i).value;
      if (!(std::fabs(x - c) <= tol * c)) return std::nullopt;
    }
    auto init = loss.initial_values();
    if (init.empty() || *loss.min() < (1.0 - opt.flat_max_improvement) * init.front()) return std::nullopt;
    if (still_falling(loss, kFlatTrendPoints, opt.flat_trend_z)) return std::nullopt;
    return k;
  }
  return std::nullopt;
}
}  // namespace detail

namespace detail {
// The identical rule's bar when the latest value repeats: `points`, or
// precise_points for a value printed with >= precise_digits digits; the
// bar if the trailing run of bit-identical values reaches it. The precise
// form needs the loss to have moved before the run (a value that differs),
// or a value no untrained model gives whatever its data: a loss exactly the
// same from its first value on at ln k (a DPO loss at ln 2 while the policy
// is still the reference, a zero-initialised head at ln(vocab) during a
// warm-up from lr 0) keeps the bar of `points`, and so does a series that
// starts mid-run (a pasted excerpt: its first value is no initial level, so
// "from the first value on" shows no loss that never moved; a boosted model
// 2000 rounds in at eta 0.02 repeats its train logloss to six digits,
// xgboost#807). A numerically zero value is the zero rule's.
constexpr std::size_t kRelogRuns = 3;  // completed runs that show a re-print period

// The period at which a logger re-prints each value: the median length of the
// completed runs of equal values before the trailing `skip` points (at most
// 17; the oldest retained one left out when the walk reaches it, the ring
// may have cut it), or 1 when fewer than kRelogRuns.
inline std::size_t relog_period(const Series& s, std::size_t skip) {
  std::array<std::size_t, 17> runs{};
  std::size_t count = 0, i = skip;
  while (i < s.size() && count < runs.size()) {
    const double x = s.from_back(i).value;
    std::size_t len = 1;
    while (i + len < s.size() && s.from_back(i + len).value == x) ++len;
    i += len;
    runs[count++] = len;
  }
  if (count > 0 && i >= s.size()) --count;  // the oldest run may be cut by the ring
  if (count < kRelogRuns) return 1;
  auto mid = runs.begin() + static_cast<std::ptrdiff_t>(count / 2);
  std::nth_element(runs.begin(), mid, runs.begin() + static_cast<std::ptrdiff_t>(count));
  return std::max<std::size_t>(*mid, 1);
}

inline std::optional<std::size_t> identical_run(const Series& loss, const FrozenLossOptions& opt) {
  const double v = loss.back().value;
  auto n = static_cast<std::size_t>(std::max(opt.points, 2));
  std::size_t run = 1;  // the trailing run of bit-identical values
  while (run < loss.size() && loss.from_back(run).value == v) ++run;
  if (opt.precise_points >= 2 && (run < loss.size() || (!at_uniform_output(v) && !starts_mid_run(loss))) &&
      std::fabs(v) > kNumericZero && significant_digits(v) >= opt.precise_digits)
    n = std::min(n, static_cast<std::size_t>(opt.precise_points));
  if (run < n) return std::nullopt;
  // A logger that re-prints each value k times (an evaluation repeated on every row until the next one) counts
  // in prints of k: n new values, not n rows (r32: ICNet's CamVid log, each evaluation on 5 rows, two of them
  // alike at 0.95). k: the median length of the completed runs before the trailing one, the oldest retained left
  // out (the ring may have cut it).
  const std::size_t k = relog_period(loss, run);
  return run >= n * k ? std::optional<std::size_t>(n * k) : std::nullopt;
}
}  // namespace detail

namespace detail {
// Rows back the replay rule looks for an earlier epoch (an epoch of more
// logged rows than this is not compared): it runs on every loss row, so the
// search is bounded, value comparisons only, and the costly digit count runs
// only on a match.
constexpr std::size_t kMaxReplayLag = 256;

// The replay rule: the lag L (2 .. kMaxReplayLag rows) at which the last
// replay_points values equal, in order and bit for bit, those L rows earlier
// at earlier steps, >= 3 of them distinct and each printed with >= 3
// significant digits; nullopt if none.
inline std::optional<std::size_t> replay_lag(const Series& loss, const FrozenLossOptions& opt) {
  if (opt.replay_points < 3) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.replay_points);
  if (loss.size() < n + 2) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = loss.from_back(i).value;
    if (!std::isfinite(x) || x == 0.0) return std::nullopt;
  }
  std::optional<std::size_t> found;
  const std::size_t last_lag = std::min(kMaxReplayLag, loss.size() - n);
  const double latest = loss.back().value;
  for (std::size_t lag = 2; lag <= last_lag && !found; ++lag) {
    if (loss.from_back(lag).value != latest) continue;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) {
      const SeriesPoint& a = loss.from_back(i);
      const SeriesPoint& b = loss.from_back(i + lag);
      same = a.value == b.value && a.step > b.step;
    }
    if (same) found = lag;
  }
  if (!found) return std::nullopt;
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < n && distinct < 3; ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = loss.from_back(j).value == loss.from_back(i).value;
    distinct += seen ? 0 : 1;
  }
  if (distinct < 3) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i)
    if (significant_digits(loss.from_back(i).value) < 3) return std::nullopt;
  return found;
}
}  // namespace detail

// A total loss printed as exactly 0.0 on each of the last zero_points + 1
// rows while another loss-family key logged on the same rows is a real loss
// (>= zero_min_initial on each): the total does not add up its parts
// (PaddleOCR#3982: "loss: 0.0" beside loss_ctc_Student 1027 at every
// iteration, acc 0). A GRPO loss logs 0.0 with no component beside it and
// stays quiet. Returns a "frozen_loss" decision (evidence "rule": zero_total).
inline std::optional<Decision> detect_zero_total(const Series& loss, const Series& part, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.zero_points <= 0) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.zero_points) + 1;
  if (loss.size() < n || part.size() < n) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = loss.from_back(i);
    const auto& b = part.from_back(i);
    if (a.value != 0.0 || a.step != b.step || !std::isfinite(b.value) || !(b.value >= opt.zero_min_initial))
      return std::nullopt;
  }
  return detail::make_decision(Source::kRulebased, "frozen_loss", opt.severity,
                               loss.name() + " is exactly 0 for " + std::to_string(n) + " rows while " + part.name() +
                                   " on the same rows is " + detail::fmt_num(part.back().value),
                               loss.name(), &loss,
                               {{"points", std::to_string(n)}, {"rule", "zero_total"}, {"part", part.name()}});
}

// A loss-family key (a head's own loss) exactly 0.0 on each of the last
// zero_points + 1 rows while a quality metric logged on the same rows is
// exactly at its ceiling (1.0 or 100): a head that scores perfectly at zero
// loss has nothing to learn -- its targets are all one class, or all ignored
// (SCTNet#24: decode.loss_ce 0.0000 and decode.acc_seg 100.0000 on every line
// at iterations 3900-4050 of 160k on iSAID, converted with the wrong labels,
// while only a guidance loss moves; pytorch/examples#737: Loss 0.0, Acc@1
// 100.0 on ImageNet). A learning model's loss is never exactly 0 beside a
// perfect score on real data; an MoE aux loss switched off (0.0) has no
// perfect score beside it. The engine calls it outside reinforcement learning
// and reward runs (a GRPO batch whose completions were all right logs a zero
// loss and a full accuracy reward). Returns a "frozen_loss" decision
// (evidence "rule": zero_perfect).
inline std::optional<Decision> detect_zero_perfect(const Series& loss, const Series& quality,
                                                   const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.zero_points <= 0) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.zero_points) + 1;
  if (loss.size() < n || quality.size() < n) return std::nullopt;
  const double top = quality.back().value;
  if (top != 1.0 && top != 100.0) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = loss.from_back(i);
    const auto& b = quality.from_back(i);
    if (a.value != 0.0 || a.step != b.step || b.value != top) return std::nullopt;
  }
  return detail::make_decision(
      Source::kRulebased, "frozen_loss", opt.severity,
      loss.name() + " is exactly 0 for " + std::to_string(n) + " rows while " + quality.name() + " is exactly " +
          detail::fmt_num(top) + ": a perfect score at zero loss, nothing to learn (check the targets)",
      loss.name(), &loss,
      {{"points", std::to_string(n)}, {"rule", "zero_perfect"}, {"metric_at_ceiling", quality.name()}});
}

// A loss printed as exactly 0.0 on every row from its first, zero_start_points
// rows or more, in a run that logs no reward, KL or preference key and is not
// reinforcement learning (the caller checks): a supervised loss (cross-entropy,
// a detection total, an SFT loss) is never exactly 0 on real data, so the
// targets are empty or masked out, or the loss is not wired to the model
// (ms-swift#4711: an Ovis2 LoRA SFT at loss 0.0 and grad_norm 0.0 from step 1;
// detectron2#3023: total_loss 0 at every iteration while the lr decays). The
// zero rule needs a real loss before the zeros; this form needs one row more
// instead. GRPO and DPO losses sit at 0.0 from their start, and their runs log
// rewards and a KL: they stay quiet. Known false positive: a pasted excerpt of
// a preference-tuning run that leaves the reward and KL columns out.
inline std::optional<Decision> detect_zero_start(const Series& loss, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.zero_start_points <= 0 || loss.empty() || loss.back().value != 0.0) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.zero_start_points);
  if (loss.size() < n || loss.count() != loss.size()) return std::nullopt;  // every row retained, from the first
  for (std::size_t i = 0; i < loss.size(); ++i)
    if (loss.from_back(i).value != 0.0) return std::nullopt;
  return detail::make_decision(Source::kRulebased, "frozen_loss", opt.severity,
                               loss.name() + " has been exactly 0 on each of its " + std::to_string(loss.size()) +
                                   " rows from the first (since step " +
                                   std::to_string(loss.from_back(loss.size() - 1).step) +
                                   "): a supervised loss computes nothing",
                               loss.name(), &loss, {{"points", std::to_string(loss.size())}, {"rule", "zero_start"}});
}

// A GAN's generator or discriminator loss printed as exactly 0.0 on every row
// from its first, zero_start_points rows or more, while its opponent's loss
// (the other side of the G/D pair, the caller matches the keys) is finite and
// non-zero on each of the same rows: an adversarial loss (BCE, LSGAN) is
// exactly 0 only when the discriminator's outputs are saturated, so the
// game is dead and that side gets no gradient (DCGAN-tensorflow#276: g_loss
// 0.00000000 at every batch beside d_loss 61.8-92.2; neural-colorization#13:
// G GAN Loss 0.0 beside D loss 50.0). A WGAN critic's losses are never
// exactly 0. Evidence: zero_start_points rows of both keys. Known false
// positives: a hinge discriminator loss, which is 0 whenever its margins hold
// while the generator still gets a gradient (BMSG-GAN#40, relativistic hinge:
// d_loss 0.000000 beside g_loss 7.4-18.5, a healthy run by its author; the
// values alone do not tell hinge from a saturated BCE at the printed
// precision); an adversarial term logged as 0 while switched off for a warm-up
// with the discriminator still trained and logged (none in the corpus; the
// healthy curves' exactly-0 losses are an MoE aux loss, YOLOX's l1_loss
// before its last epochs and GRPO losses, none of them a G/D pair).
// Returns a "frozen_loss" decision (evidence "rule": adversarial_zero).
inline std::optional<Decision> detect_adversarial_zero(const Series& loss, const Series& opponent,
                                                       const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.zero_start_points <= 0 || loss.empty() || loss.back().value != 0.0) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.zero_start_points);
  if (loss.size() < n || loss.count() != loss.size() || opponent.size() < loss.size()) return std::nullopt;
  for (std::size_t i = 0; i < loss.size(); ++i) {
    const auto& a = loss.from_back(i);
    const auto& b = opponent.from_back(i);
    if (a.value != 0.0 || a.step != b.step || !std::isfinite(b.value) || b.value == 0.0) return std::nullopt;
  }
  return detail::make_decision(
      Source::kRulebased, "frozen_loss", opt.severity,
      loss.name() + " has been exactly 0 on each of its " + std::to_string(loss.size()) + " rows while " +
          opponent.name() + " is " + detail::fmt_num(opponent.back().value) +
          ": the adversarial game is dead (saturated discriminator outputs)",
      loss.name(), &loss,
      {{"points", std::to_string(loss.size())}, {"rule", "adversarial_zero"}, {"opponent", opponent.name()}});
}

// Returns a "frozen_loss" decision (evidence "rule": identical | zero | saturated | flat | chance;
// no_gradient from detect_no_gradient). `reward_run`: the run is reinforcement
// learning or logs a reward, KL or preference key (the engine knows), so any
// value one print step from zero counts as zero for ignore_zero; otherwise
// only 0.001 and finer (detail::counts_as_zero). detect_frozen_loss (below)
// is the cautious reading, reward_run true.
inline std::optional<Decision> detect_frozen_loss_in(const Series& loss, const FrozenLossOptions& opt,
                                                     bool reward_run) {
  if (!opt.enabled || loss.size() < 2) return std::nullopt;
  double v = loss.back().value;
  if (!std::isfinite(v)) return std::nullopt;
  auto make = [&](std::string rule, std::size_t n, std::string what) {
    return detail::make_decision(Source::kRulebased, "frozen_loss", opt.severity,
                                 loss.name() + " " + what + " for " + std::to_string(n) + " points (since step " +
                                     std::to_string(loss.from_back(n - 1).step) + ")",
                                 loss.name(), &loss, {{"points", std::to_string(n)}, {"rule", std::move(rule)}});
  };
  double prev = loss.from_back(1).value;
  if (v == 0.0 && opt.zero_points > 0) {
    auto n = static_cast<std::size_t>(std::max(opt.zero_points, 1));
    auto init = loss.initial_values();
    if (loss.size() >= n && !init.empty() && init.front() >= opt.zero_min_initial) {
      bool zeros = true;
      for (std::size_t i = 0; i < n && zeros; ++i) zeros = loss.from_back(i).value == 0.0;
      if (zeros) return make("zero", n, "collapsed to exactly 0 from " + detail::fmt_num(init.front()));
    }
    if (opt.ignore_zero) return std::nullopt;
  }
  // Numerically zero but not 0.0 (|v| <= kNumericZero), bit-identical for
  // zero_points + 1 points: a loss that computes nothing (caffe#5144:
  // -6.43825e-20 at three tests in a row). Evidence: one point more than the
  // zero rule, since no real loss is seen before it.
  if (v != 0.0 && std::fabs(v) <= detail::kNumericZero && prev == v && opt.zero_points > 0) {
    auto n = static_cast<std::size_t>(opt.zero_points) + 1;
    bool same = loss.size() >= n;
    for (std::size_t i = 2; i < n && same; ++i) same = loss.from_back(i).value == v;
    if (same) return make("zero", n, "is stuck at " + detail::fmt_num(v) + ", numerically zero,");
  }
  if (opt.saturated_points > 0) {
    if (auto c = detail::saturation_constant(v)) {
      auto n = static_cast<std::size_t>(opt.saturated_points);
      bool at = loss.size() >= n;
      for (std::size_t i = 1; i < n && at; ++i) at = detail::saturation_constant(loss.from_back(i).value) == c;
      if (at)
        return make("saturated", n,
                    "is at " + detail::fmt_num(*c) + ", a cross-entropy clamp (-ln of the smallest probability),");
    }
  }
  if (prev == v && !(opt.ignore_zero && detail::counts_as_zero(v, reward_run)))
    if (auto n = detail::identical_run(loss, opt))
      return make("identical", *n, "has been exactly " + detail::fmt_num(v));
  if (auto lag = detail::replay_lag(loss, opt))
    return make("replay", static_cast<std::size_t>(opt.replay_points),
                "repeats, value for value, the " + std::to_string(opt.replay_points) + " values it logged " +
                    std::to_string(*lag) + " rows earlier (the model's output did not change)");
  auto f = static_cast<std::size_t>(std::max(opt.flat_points, 2));
  // An excerpt that starts mid-run has no initial level to say "never
  // improved": its values must agree within flat_excerpt_tolerance instead.
  const double flat_tol = detail::starts_mid_run(loss) && opt.flat_excerpt_tolerance < opt.flat_tolerance
                              ? opt.flat_excerpt_tolerance
                              : opt.flat_tolerance;
  const double tol = flat_tol > 0 ? detail::flat_band(loss, f, flat_tol) : 0.0;
  // A loss that starts at the chance level of a thousand classes or more (>= ln 1000: an LM's vocabulary,
  // ImageNet) cannot move in the first steps of a warm-up from a learning rate near 0 (maxtext#4847: 12.979,
  // 12.98, 12.979 at steps 1-3), so from the run's start the flat values must follow a first one.
  const auto init = loss.initial_values();
  if (flat_tol > 0 && v > 0 && loss.size() >= f + (detail::lm_start(loss) ? 1 : 0) && std::fabs(prev - v) <= tol) {
    double lo = v, hi = v;
    for (std::size_t i = 1; i < f; ++i) {
      double x = loss.from_back(i).value;
      if (!std::isfinite(x)) return std::nullopt;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    bool never_improved = !init.empty() && *loss.min() >= (1.0 - opt.flat_max_improvement) * init.front();
    if (hi - lo <= std::max(tol, flat_tol * hi) && never_improved && hi > lo &&
        !detail::still_falling(loss, detail::kFlatTrendPoints, opt.flat_trend_z))
      return make(
          "flat", f,
          "is stuck at " + detail::fmt_num(v) + " and never improved on its initial " + detail::fmt_num(init.front()));
  }
  if (auto k = detail::at_chance(loss, opt))
    return make("chance", static_cast<std::size_t>(opt.chance_points),
                "sits at chance level ln " + std::to_string(*k) + " = " +
                    detail::fmt_num(std::log(static_cast<double>(*k))) + " and never improved");
  return std::nullopt;
}

// detect_frozen_loss_in for a run that may be reinforcement learning or
// preference tuning (any one-print-step value counts as zero).
inline std::optional<Decision> detect_frozen_loss(const Series& loss, const FrozenLossOptions& opt) {
  return detect_frozen_loss_in(loss, opt, true);
}

// No gradient (evidence: precise_points finite gradient norms, NaNs between
// them skipped): the last precise_points finite values of the gradient norm
// exactly 0.0 while the loss at the latest row is finite and not zero. No
// parameter receives a gradient -- a detached graph, every layer frozen --
// so nothing is learned (YOLO-World#276: grad_norm 0.0000 on every line of
// prompt tuning, the loss at 208-209). A GRPO step whose completions all
// scored the same has zero advantages and a zero loss too, hence the loss
// bar, and the caller runs it outside reward runs only (r29: a healthy GRPO
// run's grad_norm is 0.0 at three steps running while its loss reads
// 0.02-0.12); a skipped fp16 overflow step logs a non-finite norm, not 0.0. A norm
// that was 0.0 on every row of the run while the loss moved by more than
// its own lowest level (max > 2 x min) is a column the logger fills without
// computing it (Megatron-DeepSpeed prints 'grad norm: 0.000' and 'loss
// scale: -1.0' when DeepSpeed owns the optimizer: BigScience's 52B log,
// lm-loss 12.4 -> 43.1 -> 7.7), not a frozen model.
inline std::optional<Decision> detect_no_gradient(const Series& loss, const Series& gnorm,
                                                  const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.precise_points < 2 || loss.empty() || gnorm.empty()) return std::nullopt;
  const double v = loss.back().value;
  if (!std::isfinite(v) || std::fabs(v) <= detail::kNumericZero || gnorm.back().value != 0.0) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.precise_points);
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < std::min(gnorm.size(), 2 * n) && zeros < n; ++i) {
    const double g = gnorm.from_back(i).value;
    if (!std::isfinite(g)) continue;
    if (g != 0.0) return std::nullopt;
    ++zeros;
  }
  if (zeros < n) return std::nullopt;
  const auto lo = loss.min(), hi = loss.max();
  if (gnorm.max() == 0.0 && gnorm.min() == 0.0 && lo && hi && *lo > 0 && *hi > 2.0 * *lo) return std::nullopt;
  return detail::make_decision(Source::kRulebased, "frozen_loss", opt.severity,
                               loss.name() + " gets no gradient: " + gnorm.name() + " has been exactly 0 for " +
                                   std::to_string(n) + " points while the loss is " + detail::fmt_num(v),
                               loss.name(), &loss, {{"points", std::to_string(n)}, {"rule", "no_gradient"}});
}

// Frozen quality metric (evidence: metric_points bit-identical values and a
// loss with an initial level): an accuracy-type metric (the validation
// accuracy or any quality key) exactly the same for metric_points points,
// never higher before, below its ceiling (0.99 / 99 %), while the training
// loss never improved by more than flat_max_improvement on its initial level
// and is not still falling (detail::still_falling, as for the flat rule).
// A classifier that outputs the same thing for every input scores the same
// (bert#855: valid accuracy 3.6057692021131516 % every epoch, the loss at 5.0;
// PaddleOCR#3074: acc exactly 0 while the CTC loss sits at 114). An accuracy
// is k / N of a fixed evaluation set, so a converged run repeats its value
// too: the loss that no longer falls from its start is what says "not
// learning" (a regression model's meaningless acc of 0 beside a falling loss
// stays quiet). No loss, no decision. Known false positives: the first
// evaluations of a run that predicts the majority class for a while before it
// learns, with a loss that has not fallen 5 % by then; a pasted excerpt of a
// converged run whose small validation set scores the same k / N four times.
inline std::optional<Decision> detect_frozen_metric(const Series& m, const Series* loss, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.metric_points < 2 || !loss || loss->finite_count() < 3) return std::nullopt;
  auto n = static_cast<std::size_t>(opt.metric_points);
  if (m.size() < n) return std::nullopt;
  const double v = m.back().value;
  if (!std::isfinite(v) || !(v >= 0) || (v >= 0.99 && v <= 1.0) || v >= 99.0 || *m.max() > v) return std::nullopt;
  for (std::size_t i = 1; i < n; ++i)
    if (m.from_back(i).value != v) return std::nullopt;
  const double initial = detail::initial_level(*loss);
  auto lmin = loss->min();
  if (!(initial > 0) || !lmin || *lmin < (1.0 - opt.flat_max_improvement) * initial) return std::nullopt;
  // A loss still falling (the flat rule's slope test) is learning: the metric
  // sits on a plateau of its k / N (speechbrain#2191: valid ACC 0.935 four
  // epochs running while the train loss eases 31.17 -> 29.84, every epoch down).
  if (detail::still_falling(*loss, detail::kFlatTrendPoints, opt.flat_trend_z)) return std::nullopt;
  return detail::make_decision(
      Source::kRulebased, "frozen_metric", opt.severity,
      m.name() + " has been exactly " + detail::fmt_num(v) + " for " + std::to_string(n) + " points (since step " +
          std::to_string(m.from_back(n - 1).step) + ") while " + loss->name() + " never improved on its initial " +
          detail::fmt_num(initial) + ": the model is not learning",
      m.name(), &m, {{"points", std::to_string(n)}, {"rule", "metric"}, {"loss_initial", detail::fmt_num(initial)}});
}

// Frozen evaluation loss (evidence: precise_points rows, rule
// "identical_eval"): a validation-side loss (a test or validation loss)
// bit-identical at its last precise_points evaluations, printed with >=
// precise_digits significant digits, while another evaluation key logged at
// the same steps (`sibling`: the validation loss beside a test loss, or the
// other way round) changed between each of them. The sibling's change shows
// the evaluation ran at every one of those rows, so the repeat is no
// forward-filled value; a loss over a fixed evaluation set that comes back
// the same to every printed digit is a model whose weights did not change
// between the evaluations (Time-Series-Library#294: Test Loss 2341.5895996
// at epochs 455-459 while Vali Loss, computed on a shuffled split, jitters
// 2840 .. 2956, the learning rate halved to 1e-24). A converged run's
// evaluation still moves in its last digits (PatchTST#116: Test Loss
// 0.2741248, 0.2741421, 0.2741397 at a learning rate of 7.9e-07), and a
// value printed with fewer digits repeats by rounding, so it stays quiet.
// The identical rule for a validation loss alone stays off (val_frozen_:
// forward-filled eval rows). Known false positive: a test loss reported for
// the best checkpoint so far beside a validation loss that is not, or a test
// loss forward-filled between evaluations at a slower cadence than its
// sibling's.
inline std::optional<Decision> detect_frozen_eval(const Series& eval, const Series& sibling,
                                                  const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.precise_points < 2) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.precise_points);
  if (eval.size() < n || sibling.size() < n) return std::nullopt;
  const double v = eval.back().value;
  if (!std::isfinite(v) || std::fabs(v) <= detail::kNumericZero) return std::nullopt;
  for (std::size_t i = 1; i < n; ++i)
    if (eval.from_back(i).value != v) return std::nullopt;
  // The sibling's value at each of those steps (searched from its back).
  std::vector<double> at;
  at.reserve(n);
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const SeriesPoint* q = detail::point_at(sibling, eval.from_back(i).step, &j);
    if (!q || !std::isfinite(q->value)) return std::nullopt;
    at.push_back(q->value);
  }
  for (std::size_t i = 1; i < n; ++i)
    if (at[i] == at[i - 1]) return std::nullopt;
  if (detail::significant_digits(v) < opt.precise_digits) return std::nullopt;
  return detail::make_decision(Source::kRulebased, "frozen_loss", opt.severity,
                               eval.name() + " has been exactly " + detail::fmt_num(v) + " for " + std::to_string(n) +
                                   " evaluations (since step " + std::to_string(eval.from_back(n - 1).step) +
                                   ") while " + sibling.name() + " changed at each: the weights no longer change",
                               eval.name(), &eval, {{"points", std::to_string(n)}, {"rule", "identical_eval"}});
}

// Frozen quality metric in a run that logs no loss at all (evidence:
// metric_points rows): an accuracy-type metric bit-identical on every row
// from its first, metric_points rows or more, above 0 and below its ceiling
// (0.99 / 99 %). A pasted or grep'd log of only the evaluation lines has no
// loss to say "not learning"; a value that never moved from the first
// evaluation on, to every digit, is a model whose predictions do not change
// -- one class for every input (apache/mxnet#4220: Validation-accuracy
// 0.110204 at each of epochs 0-15). A learning model's first evaluations
// differ; a converged one's repeat only after they moved. The engine calls it
// outside reinforcement learning and only while no loss-family key was seen
// (a success rate at one value in a sparse task is RL's). Known false
// positive: the grep'd evaluations of a converged run whose small validation
// set scores the same k / N from the first excerpted line on.
inline std::optional<Decision> detect_frozen_metric_alone(const Series& m, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.metric_points < 2) return std::nullopt;
  auto n = static_cast<std::size_t>(opt.metric_points);
  if (m.size() < n || m.count() != m.size()) return std::nullopt;  // every row retained, from the first
  const double v = m.back().value;
  if (!std::isfinite(v) || !(v > 0) || (v >= 0.99 && v <= 1.0) || v >= 99.0) return std::nullopt;
  for (std::size_t i = 1; i < m.size(); ++i)
    if (m.from_back(i).value != v) return std::nullopt;
  return detail::make_decision(Source::kRulebased, "frozen_metric", opt.severity,
                               m.name() + " has been exactly " + detail::fmt_num(v) + " on each of its " +
                                   std::to_string(m.size()) + " rows from the first (since step " +
                                   std::to_string(m.from_back(m.size() - 1).step) +
                                   "), and the run logs no loss: the model's predictions do not change",
                               m.name(), &m, {{"points", std::to_string(m.size())}, {"rule", "metric_alone"}});
}

namespace detail {
// An accuracy series' scale: 0.01 when it is printed in percent (its
// highest value above 1), else 1; 0 when no accuracy can be that high.
inline double accuracy_scale(const Series& acc) {
  auto mx = acc.max();
  if (!mx || *mx > 100.0) return 0.0;
  return *mx > 1.0 ? 0.01 : 1.0;
}
}  // namespace detail

// Chance pair (evidence: chance_pair_points rows carrying both keys, rule
// "chance_pair"): the loss and an accuracy logged on the same rows agree on
// one chance level. Over the last chance_pair_points such rows the mean
// accuracy a is at most 0.5 (percentages read as such) and at least 0.001,
// and the mean loss is within chance_pair_tolerance (relative) of ln(1/a)
// or log2(1/a) (fairseq logs its loss in base 2): the cross-entropy of a
// model that guesses uniformly among 1/a classes, which is exactly what a
// chance accuracy of a says it does. A model that learned something is
// peaked: its loss sits well above -ln(accuracy) (its misses cost more than
// ln k each) or its accuracy well above 1/k. Neither the loss falls nor the
// accuracy rises by more than flat_trend_z standard errors over those rows
// (a run still leaving chance), and the loss has at least one row before
// them unless its steps show it starts mid-run (a run's first rows are its
// untrained model's, at chance by design; an excerpt's are not).
// Needs no class count and no initial level, so it holds on a mid-run
// excerpt (fairseq#5361: RoBERTa on CommonsenseQA, 5 choices, loss 2.33,
// 2.328, 2.315, 2.32, 2.32 = log2 5 while accuracy reads 18.5-25 %;
// pretrained-models.pytorch#96: BNInception loss 2.59-2.67 while the batch
// accuracy averages 0.07, ln(1/0.07) = 2.63). On the tuned corpus, pairing
// every loss key with every accuracy key of its own side, no healthy curve
// comes within 20 % of the relation (a small-data CNN's validation loss 1.82
// at 20 % training accuracy is 22 % off log2 5, and pairs across sides).
// Known false positive: a run logged per batch through a long learning-rate
// warm-up, whose untrained model sits at chance for chance_pair_points rows
// after its first; a hard task where the model is truly no better than a
// uniform guess among its top 1/a candidates (worth a look too).
inline std::optional<Decision> detect_chance_pair(const Series& loss, const Series& acc, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.chance_pair_points < 3 || loss.empty() || acc.empty()) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.chance_pair_points);
  if (loss.size() < n || acc.size() < n || !std::isfinite(loss.back().value)) return std::nullopt;
  if (loss.size() == n && !detail::starts_mid_run(loss)) return std::nullopt;
  const double scale = detail::accuracy_scale(acc);
  if (!(scale > 0)) return std::nullopt;
  // The accuracy at each of the loss's last rows that carry one (newest first).
  std::vector<double> lv, av;
  std::size_t j = 0;
  for (std::size_t i = 0; i < std::min(loss.size(), 4 * n) && lv.size() < n; ++i) {
    const SeriesPoint& p = loss.from_back(i);
    const SeriesPoint* q = detail::point_at(acc, p.step, &j);
    if (!q) {
      if (j == acc.size()) break;
      if (i == 0) return std::nullopt;  // the latest loss row carries the accuracy
      continue;
    }
    const double l = p.value, a = q->value * scale;
    if (!std::isfinite(l) || !std::isfinite(a) || !(l > 0) || a < 0) return std::nullopt;
    lv.push_back(l);
    av.push_back(a);
  }
  if (lv.size() < n) return std::nullopt;
  std::reverse(lv.begin(), lv.end());
  std::reverse(av.begin(), av.end());
  double lm = 0, am = 0;
  for (std::size_t i = 0; i < n; ++i) {
    lm += lv[i] / static_cast<double>(n);
    am += av[i] / static_cast<double>(n);
  }
  if (!(am >= 1e-3 && am <= 0.5)) return std::nullopt;
  if (detail::trend_z(lv) < -opt.flat_trend_z || detail::trend_z(av) > opt.flat_trend_z) return std::nullopt;
  const double nats = std::log(1.0 / am);
  for (const double base : {1.0, std::log(2.0)}) {
    const double c = nats / base;
    if (!(std::fabs(lm - c) <= opt.chance_pair_tolerance * c)) continue;
    const long k = std::lround(1.0 / am);
    return detail::make_decision(
        Source::kRulebased, "frozen_loss", opt.severity,
        loss.name() + " sits at chance: " + detail::fmt_num(lm) + " on average over its last " + std::to_string(n) +
            " rows (since step " + std::to_string(loss.from_back(n - 1).step) + ") is " +
            (base == 1.0 ? "ln" : "log2") + " of 1 / " + acc.name() + " (" + detail::fmt_num(am) +
            " on average): the model guesses uniformly among about " + std::to_string(k) + " classes",
        loss.name(), &loss,
        {{"points", std::to_string(n)},
         {"rule", "chance_pair"},
         {"accuracy", acc.name()},
         {"classes", std::to_string(k)},
         {"log_base", base == 1.0 ? "e" : "2"}});
  }
  return std::nullopt;
}

// Chance wobble (evidence: chance_wobble_points values and twice as many
// logged, rule "chance_wobble"): a noisy loss that hovers at ln k, k = 2 ..
// chance_max_classes, or k = 10, 100 .. chance_wobble_decades (CIFAR-10,
// CIFAR-100: "loss stuck at 2.30") in a series that starts at the run's
// start (first step 0 or within one interval; a mid-run excerpt at 2.3 or
// 4.6 is as often a fine-tuned model's plateau), instead of repeating it. The median of its last
// chance_wobble_points values is within chance_tolerance below and
// chance_wobble_above above ln k (a constant prediction on balanced classes
// costs ln k, on skewed ones a little less; any other miss costs more), at
// least 80 % of them lie within [0.95, 1.10] x ln k, the loss was never
// below 0.95 x ln k and started at most 1.25 x ln k (its initial level, the
// median of its first 3 values: an untrained k-way model starts at chance;
// a loss that comes down from far above passes through ln k on its way, and
// logged every step it looks flat over 10 points), their median within
// flat_max_improvement of that initial level (never improved), and their
// least-squares slope is not more than flat_trend_z standard errors below 0.
// The loss has logged at least twice chance_wobble_points values (a run's first values are its untrained
// model's, at ln k by design), and no accuracy logged beside it (the
// training-side one, else the validation one) reads above 1.5 / k: a model at
// 65 % accuracy on 3 classes has learned, even if its loss sits at 1.10
// (keras#8680). The exact-looking chance rule needs its 5 values within 2 %;
// per-batch losses of a binary model that learns nothing scatter wider
// (snorkel#870: a bi-LSTM's batch losses 0.67-0.95, median 0.705, for 22
// steps). On the tuned corpus no healthy loss-family key fires (the nearest:
// a validation loss at 1.02 x ln 2 whose run went down to 0.84 x ln 2
// first; a detection total_loss at 1.015 x ln 3 logged 7 times). Known false
// positives: a binary, 3- or 4-way classifier logged per step through a
// warm-up longer than 2 x chance_wobble_points rows, with no accuracy
// logged; a loss of another kind (a regression, a reconstruction) that
// happens to settle at 0.69-0.71, 1.08-1.13, 1.36-1.43, 2.26-2.37 or
// 4.51-4.74 from its start without a trend and was never lower. A language
// model starts at ln(vocab), far above 1.25 x ln 100, so its plateaus stay
// quiet; on the tuned corpus no loss-family key with 20 values comes within
// one failed condition of ln 10, ln 100 or ln 1000.
inline std::optional<Decision> detect_chance_wobble(const Series& loss, const Series* accuracy,
                                                    const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.chance_wobble_points < 5 || loss.empty() || !std::isfinite(loss.back().value))
    return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.chance_wobble_points);
  if (loss.count() < 2 * n) return std::nullopt;
  std::vector<double> w;
  loss.finite_window(0, n, &w);
  if (w.size() < n) return std::nullopt;
  std::vector<double> sorted = w;
  const double median = detail::median_inplace(sorted);
  auto lo = loss.min();
  if (!lo) return std::nullopt;
  // k = 2 .. chance_max_classes, then the decades 10, 100 .. chance_wobble_decades.
  std::vector<int> ks;
  for (int k = 2; k <= opt.chance_max_classes; ++k) ks.push_back(k);
  for (long k = 10; k <= opt.chance_wobble_decades; k *= 10)
    if (k > opt.chance_max_classes) ks.push_back(static_cast<int>(k));
  for (int k : ks) {
    const double c = std::log(static_cast<double>(k));
    if (!(median >= (1.0 - opt.chance_tolerance) * c && median <= (1.0 + opt.chance_wobble_above) * c)) continue;
    // ln 10 and above lie where fine-tuned losses settle: only a series that
    // starts at the run's start (its initial level is then the model's own).
    if (k > opt.chance_max_classes && detail::starts_mid_run(loss)) return std::nullopt;
    std::size_t near = 0;
    for (double x : w) near += x >= 0.95 * c && x <= 1.10 * c ? 1 : 0;
    if (5 * near < 4 * n) return std::nullopt;
    if (*lo < 0.95 * c) return std::nullopt;
    // Started at chance (an untrained k-way model's loss, give or take its
    // initialisation), not a loss from far above passing through ln k.
    const double initial = detail::initial_level(loss);
    if (!(initial <= 1.25 * c)) return std::nullopt;
    // ... and never improved on it: the window's median within
    // flat_max_improvement of the initial level. A loss logged every step
    // that eases down slowly looks flat over 10 points; from its start it is
    // lower (0.5 + 2 e^(-t/20000): 2.5 -> 2.37 by step 1000, 5 % down).
    if (median < (1.0 - opt.flat_max_improvement) * initial) return std::nullopt;
    if (detail::trend_z(w) < -opt.flat_trend_z) return std::nullopt;
    if (accuracy && !accuracy->empty() && std::isfinite(accuracy->back().value)) {
      const double scale = detail::accuracy_scale(*accuracy);
      if (scale > 0 && accuracy->back().value * scale > 1.5 / k) return std::nullopt;
    }
    return detail::make_decision(
        Source::kRulebased, "frozen_loss", opt.severity,
        loss.name() + " hovers at chance level ln " + std::to_string(k) + " = " + detail::fmt_num(c) + ": median " +
            detail::fmt_num(median) + " over its last " + std::to_string(n) + " points (since step " +
            std::to_string(loss.from_back(n - 1).step) + "), no downward trend, never lower",
        loss.name(), &loss, {{"points", std::to_string(n)}, {"rule", "chance_wobble"}, {"classes", std::to_string(k)}});
  }
  return std::nullopt;
}

// Error rate at its ceiling (syndrome "frozen_metric", evidence: ceiling_points
// evaluations, rule "error_ceiling"): a word, character or token error rate
// printed in percent (its key says wer/cer/ter; the engine decides that)
// reads >= 99.5 at each of its last ceiling_points evaluations, and the loss
// (when one is given and logged at or before the first of them) is not 5 %
// (flat_max_improvement) below where it stood then. An ASR model at 100 %
// WER outputs nothing usable -- blanks only, or one token -- and a loss
// that does not fall with it says it is not on its way out: CTC and
// transducer models collapsed to the blank (speechbrain#2533: valid WER
// 1.00e+02 at epochs 1-4 while the train loss sits at 1.06e+02 from epoch 2;
// wav2letter#848: train-WER 102.27, 100.00, 100.00 and dev-clean-WER 99.99,
// 100.01, 100.00 at updates 66000-68000, the loss at 79-81). A series whose
// highest value is at most 1.5 may be a fraction, where 1.0 is 100 % but
// also 1 % printed in percent: it is judged only at exactly 1.0 on each of
// the evaluations, never above 1.0,
// and with a loss given (a percent rate that never exceeded 1 % and sits at
// exactly 1.0 three times over while its loss does not fall is no model in
// training; transformers#10884: wav2vec2's Wer 1.000000 at steps 400, 800,
// 1200, the loss at 5.06, 5.12, 5.12). On the tuned corpus no healthy curve
// logs a WER above 99.5 more than once (a whisper fine-tune's first
// evaluation at 100). Known false positive: a CTC
// model trained from scratch whose first ceiling_points evaluations come
// before it leaves the blank, with a loss that has not fallen 5 % between
// them (an evaluation every few hundred steps early in a slow warm-up).
inline std::optional<Decision> detect_error_ceiling(const Series& rate, const Series* loss,
                                                    const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.ceiling_points < 2 || rate.empty()) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.ceiling_points);
  if (rate.size() < n) return std::nullopt;
  auto mx = rate.max();
  if (!mx || *mx > 1000.0) return std::nullopt;  // a count, not a rate
  // A fraction is judged only at exactly 1.0, never above it, and beside a loss: 1 % printed in percent is a
  // healthy rate, one that is exactly 1.0 at each evaluation and never worse, while the loss does not fall, is a
  // fraction at 100 %.
  const bool fraction = !(*mx > 1.5);
  if (fraction && (*mx != 1.0 || !loss || loss->empty())) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = rate.from_back(i).value;
    if (!std::isfinite(v) || (fraction ? v != 1.0 : v < 99.5)) return std::nullopt;
  }
  const std::int64_t first = rate.from_back(n - 1).step;
  if (loss && !loss->empty() && std::isfinite(loss->back().value)) {
    for (std::size_t i = 0; i < loss->size(); ++i) {
      const SeriesPoint& p = loss->from_back(i);
      if (p.step > first || !std::isfinite(p.value)) continue;
      if (loss->back().value < (1.0 - opt.flat_max_improvement) * p.value) return std::nullopt;
      break;
    }
  }
  return detail::make_decision(
      Source::kRulebased, "frozen_metric", opt.severity,
      rate.name() + " has been at " + detail::fmt_num(rate.back().value) + (fraction ? " (100 %)" : " % or more") +
          " for " + std::to_string(n) + " evaluations (since step " + std::to_string(first) + ")" +
          (loss && !loss->empty() ? " while " + loss->name() + " does not fall" : std::string()) +
          ": the model outputs nothing usable (collapsed to blanks?)",
      rate.name(), &rate, {{"points", std::to_string(n)}, {"rule", "error_ceiling"}});
}

// Accuracy that never left its start (syndrome "frozen_metric", evidence:
// metric_start_points evaluations from the run's start, rule
// "metric_start"): in a run that logs no loss (the engine's condition, as
// for metric_alone), an accuracy-type metric logged from the run's start
// (its first step 0 or within one interval) has at least
// metric_start_points values, all at most 0.5 (percentages read as such),
// none above 1.25 x its initial level (the median of its first 3 values,
// above 0), and no rise over its last metric_start_points values steeper
// than flat_trend_z standard errors. The first evaluation of a model is its
// untrained one, at chance; a model that learns leaves that level within a
// few evaluations, a model that does not scatters around it without
// repeating a value, which metric_alone needs (frereit/HTR#3: batch
// accuracy 0.065 at step 0, then 0.025-0.065 at every 200 steps to 2400,
// 'only about 4 % after 10k'). The engine asks it only of a key that names
// an accuracy (accuracy, top1/top5, correct): a BLEU or a PSNR has no chance
// level at its first evaluation, and healthy ones sit within 1.25 x their
// start for 10 evaluations (a BLEU-4 at 0.08-0.10; a validation PSNR on a
// plateau). On the tuned corpus no accuracy of a run without a loss comes
// near. Known false positive: a hard task whose
// accuracy is still at chance after 10 evaluations of a slow warm-up, logged
// without its loss.
inline std::optional<Decision> detect_metric_start(const Series& m, const FrozenLossOptions& opt) {
  if (!opt.enabled || opt.metric_start_points < 3) return std::nullopt;
  const auto n = static_cast<std::size_t>(opt.metric_start_points);
  if (m.size() < n || m.count() != m.size() || m.finite_count() != m.count()) return std::nullopt;
  if (m.size() >= 2 && detail::starts_mid_run(m)) return std::nullopt;
  const double scale = detail::accuracy_scale(m);
  auto mx = m.max();
  if (!(scale > 0) || !mx || *mx * scale > 0.5) return std::nullopt;
  const double initial = detail::initial_level(m);
  if (!(initial > 0) || *mx > 1.25 * initial) return std::nullopt;
  std::vector<double> w;
  m.finite_window(0, n, &w);
  if (detail::trend_z(w) > opt.flat_trend_z) return std::nullopt;
  return detail::make_decision(Source::kRulebased, "frozen_metric", opt.severity,
                               m.name() + " never left its first level " + detail::fmt_num(initial) + " in " +
                                   std::to_string(m.size()) + " evaluations from the run's start (highest " +
                                   detail::fmt_num(*mx) + "), and the run logs no loss: the model is not learning",
                               m.name(), &m, {{"points", std::to_string(m.size())}, {"rule", "metric_start"}});
}

}  // namespace sidecar
