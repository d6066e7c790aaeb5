// Supervised-profile rules (header-only, std-only): validation accuracy drop
// (any quality metric that should rise) and validation loss regression
// (SPEC §2 reference thresholds), with a short-series collapse rule.
#pragma once

#include <algorithm>
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
//    small validation set is not a drop), the latest not more than half way
//    back from the lowest since the best (a hard epoch that recovers);
//  - collapse (evidence: the best and collapse_points evaluations after it):
//    the last collapse_points values all <= collapse_ratio x best (fell by
//    more than half), or the latest alone <= severe_ratio x best (0.90 ->
//    0.12 needs no second look); best >= min_best. Short series fire here.
//    Decline form (evidence: the best and collapse_points + 1 evaluations
//    after it, rule "decline"): the latest alone <= collapse_ratio x best,
//    reached by a fall at every evaluation since the best: a metric that
//    halves in three or more successive falls is declining, not scattering
//    (facenet#104: validation rate 0.85, 0.63, 0.54, 0.39 at epochs 80-999
//    while LFW accuracy eases 0.98 -> 0.94; one noisy evaluation at half
//    the best after rises, or a fall that turns back up, stays quiet).
//    An AUC is measured above its chance level 0.5 (evidence: the best and
//    one evaluation after it): the latest within severe_ratio of the best's
//    skill over chance (best - 0.5 >= 2 x min_drop), i.e. a ranking no better
//    than random after a good one (easy-ctr#8: Eval AUC 0.982 -> 0.465 while
//    the logloss keeps falling). Known false positive: an AUC on a handful
//    of positives.
//  - confirmed (evidence: the best, one evaluation after it, and the
//    training-side metric at that step): the latest <= confirm_ratio x best
//    while the training metric (the run's accuracy on its own data) is at
//    its highest at the same step (mxnet#1865: validation accuracy 0.72 ->
//    0.32 at epoch 8 while the training accuracy climbs to 0.979). A small
//    validation set's noise or a hard epoch drags both down; a model that
//    learns ever better and scores half as well on held-out data is broken
//    there (an evaluation that differs from training, a shifted set).
//    Known false positive: a validation set of a handful of samples.
//  - loss_confirmed (evidence: the best, one evaluation after it, and the
//    loss at that step): the latest <= confirm_ratio x best while the loss
//    logged at the same step (the validation loss, else the loss) is the
//    highest it has been and >= (1 + confirm_loss_rise) x its minimum
//    (marian-dev#512: BLEU 27.43 -> 12.03 at update 120000 while the
//    validation cross-entropy jumps 52.33 -> 75.22, 1.44x its minimum, above
//    its first value). A small set's noise moves the metric, not the loss it
//    is scored with to a new high; a model that scores half as well and fits
//    worse than ever at the same evaluation has diverged. Known false
//    positive: an evaluation on a different, harder set that lowers the
//    metric and raises the loss at once;
//  - step (evidence: kAccStepFlat + kAccStepPoints = 6 evaluations, the drop
//    rule's count): the metric sat still for kAccStepFlat evaluations that
//    hold its best (their spread the noise), then the last kAccStepPoints
//    are all lower than that stretch's lowest by more than step_drop (5 %,
//    relative) and kAccStepNoise x its relative spread, the latest no
//    higher than the first of them: a metric that stood on a level and
//    stepped down to a lower one for good, far beyond its noise (jsws#11:
//    mIOU 0.5563, 0.5564, 0.5552, then 0.5089, 0.5079, 0.5067 after a
//    resume, 8.5 % under the best). A noisy metric's spread puts the bar out
//    of reach; one bad evaluation is not three. Known false positives: a
//    metric that falls on purpose after a plateau (a harder evaluation set,
//    a curriculum stage); a small set whose k / N sits at one value three
//    times and 5 % lower three times by chance.
// None of them fires for a metric at the level it mostly holds: more than
// half of the (>= 4) retained values before the latest no higher than it (a
// sparse per-batch rate, 0 on most steps, that touches its best now and
// then). Known miss: a metric that sat low on most retained evaluations
// before a short-lived best and then collapses back there.
// Metrics logged in percent (best > 1.5) have min_drop and min_best scaled
// by 100. Stays open until the metric is back within half of min_drop of its best.
#define SIDECAR_VAL_ACC_DROP_OPTIONS(X)                                                                               \
  X(bool, enabled, true, (), "off: a validation accuracy drop raises nothing")                                        \
  X(int, min_points, 6, (1, 1e8), "evaluations before the drop rule applies")                                         \
  X(double, min_drop, 0.08, (0.0), "drop under the best that counts (x100 for percentages)")                          \
  X(double, mean_ratio, 0.9, (0.0, 1.0), "and the mean of the last mean_window evaluations <= this x best")           \
  X(int, mean_window, 3, (1, 1000), "evaluations averaged")                                                           \
  X(int, drop_points, 2, (1, 1000), "the drop rule needs this many evaluations under best - min_drop")                \
  X(double, collapse_ratio, 0.5, (0.0, 1.0), "collapse: the last collapse_points evaluations <= this x best")         \
  X(int, collapse_points, 2, (1, 1000), "evaluations the collapse rule needs")                                        \
  X(double, severe_ratio, 0.25, (0.0, 1.0), "or the latest alone <= this x best")                                     \
  X(double, min_best, 0.05, (0.0), "a metric never above this is not judged (x100 for percentages)")                  \
  X(double, confirm_ratio, 0.5, (0.0, 1.0),                                                                           \
    "confirmed: one evaluation <= this x best while the training metric is at its highest (0: off)")                  \
  X(double, confirm_loss_rise, 0.25, (0.0),                                                                           \
    "loss_confirmed: one evaluation <= confirm_ratio x best while the loss there is its highest and >= (1 + this) x " \
    "its minimum (0: off)")                                                                                           \
  X(double, step_drop, 0.05, (0.0, 1.0),                                                                              \
    "step: 3 evaluations this much (relative) under a flat stretch of 3 that holds the best (0: off)")                \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(ValAccDropOptions, SIDECAR_VAL_ACC_DROP_OPTIONS);

namespace detail {
// The chance level of a quality metric: 0.5 (x scale) for an AUC ("auc" or
// "auroc" in its name, any case: AUC, roc_auc, AUROC), whose 0.5 is a model that ranks
// at random; 0 for every other metric.
inline double chance_level(std::string_view name, double scale) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto at = [&](std::size_t i, std::string_view w) {
    if (i + w.size() > name.size()) return false;
    for (std::size_t k = 0; k < w.size(); ++k)
      if (lower(name[i + k]) != w[k]) return false;
    return true;
  };
  for (std::size_t i = 0; i + 3 <= name.size(); ++i)
    if (at(i, "auc") || at(i, "auroc")) return 0.5 * scale;
  return 0.0;
}

// Whether the training-side metric is at its highest so far at `step` (>= 3 points).
inline bool at_own_best(const Series& train, std::int64_t step) {
  if (train.size() < 3 || train.back().step != step || !std::isfinite(train.back().value)) return false;
  return train.back().value >= *train.max();
}

// Whether the loss is at its highest so far at `step` (a value before it to
// compare with) and >= (1 + rise) x its minimum (> 0).
inline bool loss_at_worst(const Series& loss, std::int64_t step, double rise) {
  if (!(rise > 0) || loss.size() < 2 || loss.back().step != step || !std::isfinite(loss.back().value)) return false;
  const double v = loss.back().value;
  auto before = loss.max_before_last();
  auto mn = loss.min();
  return before && v > *before && mn && *mn > 0 && v >= (1.0 + rise) * *mn;
}

// The step rule's shape: the kAccStepFlat evaluations before the last
// kAccStepPoints hold the best (finite, > 0); the last kAccStepPoints are all
// under that stretch's lowest x (1 - max(drop, kAccStepNoise x its relative
// spread)), the latest no higher than the first of them (not coming back up).
constexpr std::size_t kAccStepFlat = 3;
constexpr std::size_t kAccStepPoints = 3;
constexpr double kAccStepNoise = 10.0;
inline bool stepped_down(const Series& acc, double best, double drop) {
  if (!(drop > 0) || acc.size() < kAccStepFlat + kAccStepPoints) return false;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, level = -lo;
  for (std::size_t i = kAccStepPoints; i < kAccStepPoints + kAccStepFlat; ++i) {
    const double x = acc.from_back(i).value;
    if (!std::isfinite(x) || !(x > 0)) return false;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (hi < best) return false;  // the stretch holds the best
  for (std::size_t i = 0; i < kAccStepPoints; ++i) {
    const double x = acc.from_back(i).value;
    if (!std::isfinite(x)) return false;
    level = std::max(level, x);
  }
  if (acc.back().value > acc.from_back(kAccStepPoints - 1).value) return false;
  return level <= lo * (1.0 - std::max(drop, kAccStepNoise * (hi - lo) / hi));
}
}  // namespace detail

// Returns a "validation_drop" decision (or `syndrome`, for other quality
// metrics), evidence "rule": drop | collapse | decline | confirmed | loss_confirmed | step.
// `known_best`: a best-so-far the run logs itself ("best test acc"), which
// may predate the retained points (a pasted log that starts after the best).
// `train`: the same kind of metric on the training data (the confirmed rule).
// `loss`: the loss the metric's evaluation goes with (the loss_confirmed rule).
inline std::optional<Decision> detect_val_acc_drop(const Series& acc, const ValAccDropOptions& opt,
                                                   std::string_view syndrome = "validation_drop",
                                                   double known_best = -std::numeric_limits<double>::infinity(),
                                                   const Series* train = nullptr, const Series* loss = nullptr) {
  if (!opt.enabled || acc.empty() || (acc.size() < 2 && !std::isfinite(known_best))) return std::nullopt;
  double cur = acc.back().value;
  auto best = acc.max();
  bool external = std::isfinite(known_best) && best && known_best > *best;
  if (external) best = known_best;
  if (!std::isfinite(cur) || !best || *best <= 0) return std::nullopt;
  double scale = *best > 1.5 ? 100.0 : 1.0;
  const double fall_ratio = std::max(opt.collapse_ratio, train || loss ? opt.confirm_ratio : 0.0);
  const bool step_candidate = opt.step_drop > 0 && cur <= (1.0 - opt.step_drop) * *best;  // the step rule's bar
  if (*best - cur < opt.min_drop * scale && cur > fall_ratio * *best && !step_candidate)
    return std::nullopt;  // cheap exit
  bool after_best = external || acc.back().step > acc.argmax_step();
  std::int64_t best_step = external ? std::numeric_limits<std::int64_t>::min() : acc.argmax_step();
  // At the level it mostly holds: more than half of the (>= 4) retained values before the latest are no higher. A
  // sparse rate that touches its best now and then returns there between (minimind's GRPO `Correct`: 0 on steps 1-19,
  // 0.12 on steps 20-21, 0 again, 0.12 or 0.25 on one step in ten); a metric that collapses falls under the level it
  // learned and held.
  if (!external && acc.size() >= 5) {
    std::size_t lower = 0;
    for (std::size_t i = 1; i < acc.size(); ++i) lower += acc.from_back(i).value <= cur ? 1 : 0;
    if (2 * lower > acc.size() - 1) return std::nullopt;
  }
  auto make = [&](std::string rule, double recent) {
    Decision d = detail::make_decision(Source::kPlaybook, syndrome, opt.severity,
                                       acc.name() + " dropped to " + detail::fmt_num(cur) + " from its best " +
                                           detail::fmt_num(*best) + " (step " + std::to_string(acc.argmax_step()) + ")",
                                       acc.name(), &acc,
                                       {{"best", detail::fmt_num(*best)},
                                        {"best_step", std::to_string(acc.argmax_step())},
                                        {"recent_mean", detail::fmt_num(recent)},
                                        {"rule", std::move(rule)}});
    detail::set_band(d, *best - 0.5 * opt.min_drop * scale, std::numeric_limits<double>::infinity());
    return d;
  };
  auto cp = static_cast<std::size_t>(std::max(opt.collapse_points, 1));
  if (after_best && *best >= opt.min_best * scale && opt.severe_ratio > 0 && cur <= opt.severe_ratio * *best)
    return make("collapse", cur);
  // An AUC is judged above its chance level (0.5: a model that ranks at
  // random): the latest within severe_ratio of the skill the best had over
  // chance, that skill >= 2 x min_drop.
  if (after_best && opt.severe_ratio > 0) {
    const double chance = detail::chance_level(acc.name(), scale);
    if (chance > 0 && *best - chance >= 2.0 * opt.min_drop * scale &&
        cur - chance <= opt.severe_ratio * (*best - chance))
      return make("collapse", cur);
  }
  if (train && after_best && opt.confirm_ratio > 0 && *best >= opt.min_best * scale &&
      cur <= opt.confirm_ratio * *best && detail::at_own_best(*train, acc.back().step))
    return make("confirmed", cur);
  if (loss && after_best && opt.confirm_ratio > 0 && *best >= opt.min_best * scale &&
      cur <= opt.confirm_ratio * *best && detail::loss_at_worst(*loss, acc.back().step, opt.confirm_loss_rise))
    return make("loss_confirmed", cur);
  if (opt.collapse_ratio > 0 && *best >= opt.min_best * scale && acc.size() > cp && after_best) {
    bool collapsed = true;
    double sum = 0;
    for (std::size_t i = 0; i < cp && collapsed; ++i) {
      const SeriesPoint& p = acc.from_back(i);
      collapsed = std::isfinite(p.value) && p.value <= opt.collapse_ratio * *best && p.step > best_step;
      sum += p.value;
    }
    if (collapsed) return make("collapse", sum / static_cast<double>(cp));
    // The decline form: the latest alone <= collapse_ratio x best, reached
    // by a fall at every one of the >= collapse_points + 1 evaluations since
    // the best (facenet#104: validation rate 0.85, 0.63, 0.54, 0.39).
    if (!external && cur <= opt.collapse_ratio * *best) {
      std::size_t since = 0;
      bool falling = true;
      while (falling && since + 1 < acc.size() && acc.from_back(since).step > best_step) {
        const double x = acc.from_back(since).value, before = acc.from_back(since + 1).value;
        falling = std::isfinite(x) && std::isfinite(before) && x < before;
        ++since;
      }
      if (falling && since >= cp + 1) return make("decline", cur);
    }
  }
  if (*best >= opt.min_best * scale && detail::stepped_down(acc, *best, opt.step_drop)) {
    auto& w = detail::scratch(0);
    acc.finite_window(0, detail::kAccStepPoints, &w);
    return make("step", detail::mean(w));
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
  // Climbing back: the latest more than half way from the lowest point since the best back to the best (a hard
  // epoch, 74.3 -> 43.7 -> 64.8, recovers; a drop stays down)
  double trough = cur;
  for (std::size_t i = 1; i < acc.size() && acc.from_back(i).step > best_step; ++i)
    if (std::isfinite(acc.from_back(i).value)) trough = std::min(trough, acc.from_back(i).value);
  if (cur > trough + 0.5 * (*best - trough)) return std::nullopt;
  return make("drop", m);
}

// Validation loss regression. Two rules:
//  - regression (the seed's; evidence: min_points evaluations): current >=
//    ratio x best and mean(last mean_window) >= mean_ratio x best (best =
//    lowest, > 0);
//  - overfit (evidence: the best evaluation, then overfit_points): the
//    validation loss rose at each of the last overfit_points evaluations,
//    all after its minimum, to >= (1 + overfit_rise) x the minimum, while
//    the training loss fell over the same stretch (its value at the latest
//    evaluation is lower than at the minimum's) -- keras#3056: val_loss
//    0.6765 -> 0.6789, 0.6913, 0.7101, 0.7268 while the loss falls 0.669 ->
//    0.586.
// A validation accuracy measured at the same evaluation at its best or within
// 2 % of it (a loss rising through over-confidence while the accuracy holds,
// eat_tensorflow2#69, pytorch-pose#43), or an error rate (WER, CER) at or
// within 2 % of its lowest, keeps both rules quiet. Known false
// positive: a small validation set whose loss drifts up 5 % over four
// evaluations by chance while the training loss falls (and no accuracy is
// logged with it). Known false negative: an over-fit whose accuracy sinks
// by under 2 %. Open until the validation loss is back within
// (1 + overfit_rise / 2) x its minimum.
#define SIDECAR_VAL_LOSS_REGRESSION_OPTIONS(X)                                                     \
  X(bool, enabled, true, (), "off: a validation loss regression raises nothing")                   \
  X(int, min_points, 6, (1, 1e8), "evaluations before the rule applies")                           \
  X(double, ratio, 1.5, (1.0), "current >= this x the best")                                       \
  X(double, mean_ratio, 1.4, (1.0), "and the mean of the last mean_window >= this x the best")     \
  X(int, mean_window, 3, (1, 1000), "evaluations averaged")                                        \
  X(int, overfit_points, 4, (0, 1000),                                                             \
    "overfit rule: rises at each of this many evaluations while the training loss falls (0: off)") \
  X(double, overfit_rise, 0.05, (0.0), "overfit rule: to >= (1 + this) x the minimum")             \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(ValLossRegressionOptions, SIDECAR_VAL_LOSS_REGRESSION_OPTIONS);

namespace detail {
// The value of `s` at `step`: its latest point at or before it (NaN if none
// is retained).
inline double value_at(const Series& s, std::int64_t step) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.from_back(i).step <= step) return s.from_back(i).value;
  return std::numeric_limits<double>::quiet_NaN();
}

// The overfit rule's shape: the last n evaluations rise at each one, all
// after the minimum, by more than kOverfitOverPrior x the largest rise in
// the kOverfitPriorPoints evaluations before them (the noise of a small
// validation set on a plateau rises as much now and then), and the training
// loss is lower at the latest of them than at the minimum.
constexpr double kOverfitOverPrior = 1.5;
constexpr std::size_t kOverfitPriorPoints = 32;
inline bool overfitting(const Series& vloss, const Series& train, std::size_t n) {
  if (n == 0 || vloss.size() <= n || vloss.from_back(n).step < vloss.argmin_step()) return false;
  for (std::size_t i = 0; i < n; ++i) {
    double a = vloss.from_back(i).value, b = vloss.from_back(i + 1).value;
    if (!std::isfinite(a) || !std::isfinite(b) || !(a > b)) return false;
  }
  double rise = vloss.back().value - vloss.from_back(n).value;
  if (!(rise > kOverfitOverPrior * largest_rise(vloss, n + 1, n + 1 + kOverfitPriorPoints))) return false;
  double then = value_at(train, vloss.argmin_step()), now = value_at(train, vloss.back().step);
  return std::isfinite(then) && std::isfinite(now) && now < then;
}

// The lowest mean of n consecutive values of v (its minimum when it holds fewer).
inline double lowest_window_mean(const std::vector<double>& v, std::size_t n) {
  double lowest = std::numeric_limits<double>::infinity(), sum = 0;
  if (n == 0 || v.size() < n) return v.empty() ? lowest : *std::min_element(v.begin(), v.end());
  for (std::size_t i = 0; i < v.size(); ++i) {
    sum += v[i];
    if (i >= n) sum -= v[i - n];
    if (i + 1 >= n) lowest = std::min(lowest, sum / static_cast<double>(n));
  }
  return lowest;
}

// A validation accuracy measured at the validation loss's latest step still
// at or within kAccHoldTolerance (relative) of its best: a cross-entropy or
// heatmap loss that rises through over-confidence on a few examples while
// the accuracy holds is the over-fitting every small run shows, not a
// regression. 2 % is the sampling noise of an accuracy near 0.75 on ~1000
// validation examples (sd 1.4 points); a quality that really drops falls
// further (keras#3056: 0.580 -> 0.556, 4 %).
constexpr double kAccHoldTolerance = 0.02;
// The same holds for an error rate (WER, CER: lower is better) at or within kAccHoldTolerance of its lowest: a speech
// model fine-tuned past its best loss grows over-confident on the words it gets wrong while it gets no more of them
// wrong (r28: Whisper large-v2 on Japanese, Validation Loss 0.321 -> 0.420 over four evaluations while Wer goes
// 0.789, 0.748, 0.743, 0.744, 0.745).
// An accuracy is k/N of a validation set of N examples: N shows in the granularity of its values (the smallest gap
// between two distinct retained values, from kSamplingValues of them), and a small set's accuracy scatters by its
// binomial spread, sqrt(p (1 - p) / N). The relative tolerance of an accuracy at best p: the larger of `floor` and two
// such spreads, at most kSamplingMaxTolerance (r41: a requirements classifier on 196 examples holds 0.80-0.83 for 30
// evaluations, one example is 0.005 and its spread 0.027, while its evaluation loss climbs 0.82 -> 1.29).
constexpr std::size_t kSamplingValues = 5;
constexpr double kSamplingMaxTolerance = 0.1;
inline double sampling_tolerance(const Series& acc, double best, double floor) {
  if (!(best > 0)) return floor;
  const double scale = best > 1.5 ? 100.0 : 1.0;  // a percentage
  // scratch 3: no caller of a hold check holds it
  auto& v = scratch(3);
  acc.finite_window(0, acc.size(), &v);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (v.size() < kSamplingValues) return floor;
  double gap = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < v.size(); ++i) gap = std::min(gap, (v[i] - v[i - 1]) / scale);
  const double p = std::min(best / scale, 1.0);
  if (!(gap >= 1e-3) || !(p < 1.0)) return floor;        // N above 1000, or at the ceiling: no sampling allowance
  const double spread = std::sqrt(p * (1.0 - p) * gap);  // N = 1 / gap
  return std::clamp(2.0 * spread / p, floor, std::max(floor, kSamplingMaxTolerance));
}

inline bool metric_holds(const Series& vloss, const Series* metric, bool higher_is_better) {
  if (!metric || metric->empty() || metric->back().step != vloss.back().step) return false;
  const double x = metric->back().value;
  auto best = higher_is_better ? metric->max() : metric->min();
  if (!std::isfinite(x) || !best || !std::isfinite(*best)) return false;
  if (higher_is_better)
    return x >= *best || (*best > 0 && x >= (1.0 - sampling_tolerance(*metric, *best, kAccHoldTolerance)) * *best);
  return *best >= 0 && x <= (1.0 + kAccHoldTolerance) * *best;
}
}  // namespace detail

// Returns a "validation_loss_regression" decision (evidence "rule":
// regression | overfit). `train`: the training loss (the overfit rule needs
// it); `val_acc`: a validation accuracy, `error_rate`: a validation error rate, either of which, holding at its
// best, keeps both rules quiet.
inline std::optional<Decision> detect_val_loss_regression(const Series& vloss, const ValLossRegressionOptions& opt,
                                                          const Series* train = nullptr,
                                                          const Series* val_acc = nullptr,
                                                          const Series* error_rate = nullptr) {
  if (!opt.enabled || vloss.empty()) return std::nullopt;
  double cur = vloss.back().value;
  auto best = vloss.min();
  if (!std::isfinite(cur) || !best || *best <= 0) return std::nullopt;
  auto make = [&](std::string rule, std::string what, double band_ratio) {
    Decision d = detail::make_decision(Source::kPlaybook, "validation_loss_regression", opt.severity,
                                       vloss.name() + what + detail::fmt_num(cur) + ", " +
                                           detail::fmt_num(cur / *best) + "x its best " + detail::fmt_num(*best) +
                                           " (step " + std::to_string(vloss.argmin_step()) + ")",
                                       vloss.name(), &vloss,
                                       {{"best", detail::fmt_num(*best)},
                                        {"best_step", std::to_string(vloss.argmin_step())},
                                        {"rule", std::move(rule)}});
    detail::set_band(d, -std::numeric_limits<double>::infinity(), band_ratio * *best);
    return d;
  };
  auto n = static_cast<std::size_t>(std::max(opt.overfit_points, 0));
  // The accuracy measured at this evaluation holds: the loss rises alone.
  if (detail::metric_holds(vloss, val_acc, true) || detail::metric_holds(vloss, error_rate, false)) return std::nullopt;
  if (train && n > 0 && cur >= (1.0 + opt.overfit_rise) * *best && detail::overfitting(vloss, *train, n))
    return make("overfit",
                " rose at each of the last " + std::to_string(n) + " evaluations while the training loss fell: ",
                1.0 + opt.overfit_rise / 2.0);
  if (vloss.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 1)) || cur < opt.ratio * *best)
    return std::nullopt;
  const auto mw = static_cast<std::size_t>(std::max(opt.mean_window, 1));
  // Against the lowest mean of mean_window consecutive evaluations as well as the lowest one: a small validation set
  // that scatters 2x between evaluations has single lows its level never held (r28, CGCNN: Valid Loss 59.8, 125.8,
  // 47.1, 73.3 at epochs 3-6; a ResNet's Test Loss 0.0110 once among 0.0142-0.0188)
  // ... when the lowest is a lone dip (a value on each side, both higher): a run whose first evaluation is its best
  // and rises from there has no dip to discount (r30, Whisper at LR 3e-3: Eval Loss 2.55 at epoch 1, then 3.6, 3.5,
  // 3.2, 3.96 and up to 4.46 as the learning rate warms up)
  auto& all = detail::scratch(1);
  vloss.finite_window(0, vloss.size(), &all);
  const auto lo = static_cast<std::size_t>(std::min_element(all.begin(), all.end()) - all.begin());
  const bool lone_dip = lo > 0 && lo + 1 < all.size() && all[lo - 1] > all[lo] && all[lo + 1] > all[lo];
  const double level = lone_dip ? detail::lowest_window_mean(all, mw) : *best;
  if (cur < opt.ratio * level) return std::nullopt;
  auto& w = detail::scratch(0);
  vloss.finite_window(0, mw, &w);
  double m = detail::mean(w);
  if (!(m >= opt.mean_ratio * level)) return std::nullopt;
  Decision d = make("regression", " rose to ", 1.0 + (opt.ratio - 1.0) / 2.0);
  d.evidence.emplace_back("recent_mean", detail::fmt_num(m));
  return d;
}

}  // namespace sidecar
