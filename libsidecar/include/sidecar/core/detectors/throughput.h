// Within-run throughput collapse (header-only, std-only): throughput falls
// to a fraction of the run's own early post-warm-up level and stays there.
// Needs no history (baseline.h compares against earlier runs instead).
//
//   if (auto d = sidecar::detect_throughput_collapse(tokens_per_s, {})) alert(*d);
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// Reference: the median of the first reference_points finite values after
// the first warmup_points (compile, data-loader start, cache warm-up are
// slow and never the reference), taken only from points before the suspects.
// Fires when the last `persistence` values are all <= ratio x reference (one
// slow step, a checkpoint save, is not a collapse) and below the reference's
// own low (its lowest value, past 8 reference values its second lowest, and
// so on: one in eight may be a checkpoint save; values of a ramp-up before
// the first one at the median do not count): a throughput that already went
// that low while the reference was taken swings, it has not collapsed
// (gluon-mobilenet-yolov3#11: 29, 15, 28, 12, 26, 13, 14, 22 samples/s
// while the learning rate warms up).
// ratio 0.7: a run that settles a third slower for good (mxnet#8366: Speed
// ~490 samples/s in epoch 6, 325-329 in epoch 47, 0.67x) is a slowdown to
// flag; a 25 % dip was on a healthy run of the corpus (SEW-ResNet's img/s
// jitter), so the bar sits at 30 %. Known false positive: a planned phase
// that is 30 % slower (longer sequences, larger evaluation batches).
// Evidence: warmup_points + 2 reference points + persistence. Stays open
// until throughput is back above the midpoint of ratio and the reference.
#define SIDECAR_THROUGHPUT_COLLAPSE_OPTIONS(X)                                                                       \
  X(bool, enabled, true, (), "off: no within-run throughput rule")                                                   \
  X(int, warmup_points, 2, (0, 1000), "first values ignored (compile, warm-up)")                                     \
  X(int, reference_points, 8, (2, Series::kInitialValues), "values after the warm-up whose median is the reference") \
  X(double, ratio, 0.7, (0.0, 1.0), "fires at or below this x the reference")                                        \
  X(int, persistence, 2, (1, 1000), "consecutive low values (one slow step, a checkpoint save, is not a collapse)")  \
  X(double, step_time_ratio, 2.0, (0.0), "time per iteration >= this x its minimum ...")                             \
  X(int, step_time_rising, 2, (1, 1000), "... rising at each of the last step_time_rising points")                   \
  X(int, eta_points, 8, (4, 1000),                                                                                   \
    "a remaining-time estimate (epoch_Time, time_remaining) that rose over this many points")                        \
  X(int, creep_points, 5, (0, 1000),                                                                                 \
    "creep: a time per step (or epoch, or a time left) at a new high at each of this many points (0: off)")          \
  X(double, creep_ratio, 1.25, (1.0), "creep: the latest >= this x the run's minimum")                               \
  X(double, critical_ratio, 10.0, (1.0),                                                                             \
    "escalates to critical at 1/this of the reference (a step time this x its minimum)")                             \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(ThroughputCollapseOptions, SIDECAR_THROUGHPUT_COLLAPSE_OPTIONS);

namespace detail {
// An RL run's first phase often only acts: a DQN or SAC fills its replay
// buffer (learning_starts) before its first gradient step, and then steps
// down once to its training throughput (Deep-RL-Hands-On#80: 720 frames/s
// for ten games, 147 from frame 10000 on). With `phase_change`, the first
// drop to <= ratio x the early reference within the initial values starts
// a new reference: the median of the values after the drop's row (the row
// that straddles the switch is skipped) that precede the suspects; the drop
// may be a suspect itself (then there is no new reference yet). Returns the
// reference's first index, or `from` when there was no such drop.
inline std::size_t after_phase_change(std::span<const double> init, std::size_t from, double med, double ratio) {
  for (std::size_t k = from + 2; k < init.size(); ++k)
    if (init[k] <= ratio * med) return k + 1;
  return from;
}

// The reference window of the initial values from `from` on (at most
// reference_points values, only those before the suspects: `usable`): its
// end and its median in `ref`. nullopt when it has fewer than two values or
// `cur` is above ratio x its median (no collapse against it).
struct CollapseReference {
  std::size_t end;
  double median;
};
inline std::optional<CollapseReference> collapse_reference(std::span<const double> init, std::size_t from,
                                                           std::size_t usable, const ThroughputCollapseOptions& opt,
                                                           double cur, std::vector<double>& ref) {
  const std::size_t end =
      std::min<std::size_t>({init.size(), from + static_cast<std::size_t>(std::max(opt.reference_points, 1)), usable});
  if (end < from + 2) return std::nullopt;
  // Cheap exit (every row of a healthy run): above ratio x the largest
  // reference value, it cannot be under ratio x their median.
  double ref_max = init[from];
  for (std::size_t i = from + 1; i < end; ++i) ref_max = std::max(ref_max, init[i]);
  if (cur > opt.ratio * ref_max) return std::nullopt;
  ref.assign(init.begin() + static_cast<std::ptrdiff_t>(from), init.begin() + static_cast<std::ptrdiff_t>(end));
  const double med = median_inplace(ref);
  if (!(med > 0) || cur > opt.ratio * med) return std::nullopt;
  return CollapseReference{end, med};
}
}  // namespace detail

namespace detail {
// "tp fell to 0.33, 0.17x " -- or, judging the reciprocal of a time per step
// (time_key: detect_step_time_collapse), the same in the time's own terms:
// "iter_time rose to 3, 6x ". The caller names what `ref` is.
inline std::string collapse_head(const Series& tp, std::string_view time_key, double cur, double ref) {
  if (time_key.empty()) return tp.name() + " fell to " + fmt_num(cur) + ", " + fmt_num(cur / ref) + "x ";
  return std::string(time_key) + " rose to " + fmt_num(1.0 / cur) + ", " + fmt_num(ref / cur) + "x ";
}

// The short form (a series too short for a reference past the warm-up:
// evidence kShortBefore values, then `p`): the last p values all <= ratio^2
// (0.49: under half) x the LOWEST of every value before them, warm-up
// included. Warm-up is slow, never fast, so a throughput that falls to under
// half of all of it, twice running, has collapsed whatever the warm-up was
// (dotaclient#15: steps_per_s 559, 711, 805, then 242 and 141 while pods
// were preempted). Without a reference the bar is squared: a speed that
// was already easing (92.8, 86.9, 77.5, then 48.2, 48.0: 0.62x) may be a
// warm-up that ends fast, so it waits for the reference.
constexpr std::size_t kShortBefore = 3;
inline std::optional<Decision> short_collapse(const Series& tp, const ThroughputCollapseOptions& opt, int p,
                                              std::string_view time_key) {
  const auto n = static_cast<std::size_t>(p);
  if (tp.count() != tp.size() || tp.size() < kShortBefore + n) return std::nullopt;  // every row, from the first
  double lowest = std::numeric_limits<double>::infinity();
  for (std::size_t i = n; i < tp.size(); ++i) {
    const double x = tp.from_back(i).value;
    if (!std::isfinite(x)) return std::nullopt;
    lowest = std::min(lowest, x);
  }
  if (!(lowest > 0)) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = tp.from_back(i).value;
    if (!std::isfinite(x) || x > opt.ratio * opt.ratio * lowest) return std::nullopt;
  }
  const double cur = tp.back().value;
  Severity sev = cur * opt.critical_ratio <= lowest ? std::max(opt.severity, Severity::kCritical) : opt.severity;
  Decision d = make_decision(
      Source::kRulebased, "throughput_collapse", sev,
      collapse_head(tp, time_key, cur, lowest) + "the " + (time_key.empty() ? "lowest" : "highest") + " of its " +
          std::to_string(tp.size() - n) + " values before",
      tp.name(), &tp, {{"reference", fmt_num(lowest)}, {"consecutive", std::to_string(p)}, {"rule", "short"}});
  set_band(d, lowest * (1.0 + opt.ratio) / 2.0, std::numeric_limits<double>::infinity());
  return d;
}
}  // namespace detail

// Returns a "throughput_collapse" decision. `phase_change` (the RL profile,
// unless the run logged a loss from the throughput's first row on: the engine
// knows): a single early step down to a new level is the learning start,
// measured from there (detail::after_phase_change). A series too short for a
// reference past the warm-up gets the short form (detail::short_collapse,
// evidence "rule": short), not under phase_change. Known false negative there: an
// RL run whose throughput halves once early and for good for another reason.
// `time_key` (detect_step_time_collapse): `tp` is the reciprocal of that time
// per step, and the message speaks of the time.
inline std::optional<Decision> detect_throughput_collapse_phased(const Series& tp, const ThroughputCollapseOptions& opt,
                                                                 bool phase_change, std::string_view time_key = {}) {
  if (!opt.enabled || tp.empty()) return std::nullopt;
  double cur = tp.back().value;
  if (!std::isfinite(cur)) return std::nullopt;
  if (auto mx = tp.max(); mx && cur > opt.ratio * *mx) return std::nullopt;  // cheapest exit: near the run's best
  int p = std::max(opt.persistence, 1);
  // An excerpt that starts mid-run has no warm-up to skip (mxnet#3072:
  // batches 650-750, then 3100-3200 of one epoch).
  auto warm = detail::starts_mid_run(tp) ? 0 : static_cast<std::size_t>(std::max(opt.warmup_points, 0));
  auto init = tp.initial_values();
  // Only initial values that precede the suspects may be the reference.
  std::uint64_t usable = tp.finite_count() > static_cast<std::uint64_t>(p) ? tp.finite_count() - p : 0;
  auto& ref = detail::scratch(0);
  auto r = detail::collapse_reference(init, warm, static_cast<std::size_t>(usable), opt, cur, ref);
  if (!r && usable < warm + 2 && !phase_change) return detail::short_collapse(tp, opt, p, time_key);
  if (!r) return std::nullopt;
  if (phase_change) {
    const std::size_t start = detail::after_phase_change(init, warm, r->median, opt.ratio);
    if (start != warm) {
      warm = start;
      r = detail::collapse_reference(init, warm, static_cast<std::size_t>(usable), opt, cur, ref);
      if (!r) return std::nullopt;
    }
  }
  const std::size_t end = r->end;
  const double med = r->median;
  if (tp.size() < static_cast<std::size_t>(p)) return std::nullopt;
  // The low is taken from the first reference value at the median on: a
  // ramp-up longer than the warm-up (a cache filling, fp16 loss-scale
  // search) is slow once and never again, a swing keeps coming back.
  std::size_t from = warm;
  while (from + 1 < end && init[from] < med) ++from;
  ref.assign(init.begin() + static_cast<std::ptrdiff_t>(from), init.begin() + static_cast<std::ptrdiff_t>(end));
  auto low_at = ref.begin() + static_cast<std::ptrdiff_t>(ref.size() / 8);
  std::nth_element(ref.begin(), low_at, ref.end());
  const double low = *low_at;
  for (int i = 0; i < p; ++i) {
    double x = tp.from_back(static_cast<std::size_t>(i)).value;
    if (!std::isfinite(x) || x > opt.ratio * med || x >= low) return std::nullopt;
  }
  // A tenth of the reference (critical_ratio) is a run that will take ten
  // times as long: critical, so an open warning escalates.
  Severity sev = cur * opt.critical_ratio <= med ? std::max(opt.severity, Severity::kCritical) : opt.severity;
  Decision d =
      detail::make_decision(Source::kRulebased, "throughput_collapse", sev,
                            detail::collapse_head(tp, time_key, cur, med) + "the run's own early level " +
                                detail::fmt_num(time_key.empty() ? med : 1.0 / med),
                            tp.name(), &tp, {{"reference", detail::fmt_num(med)}, {"consecutive", std::to_string(p)}});
  detail::set_band(d, med * (1.0 + opt.ratio) / 2.0, std::numeric_limits<double>::infinity());
  return d;
}

// Returns a "throughput_collapse" decision (no phase change: every profile but RL).
inline std::optional<Decision> detect_throughput_collapse(const Series& tp, const ThroughputCollapseOptions& opt) {
  return detect_throughput_collapse_phased(tp, opt, false);
}

// A time per step that jumps to a new level and stays there (a data loader
// starved by a slow disk: 0.5 s per iteration, then 3 s for good), which
// detect_step_time_growth below leaves alone: it wants every step slower
// than the last. `rate` is the reciprocal of the time logged as `time_key`
// (one point per finite positive value), judged as a throughput
// (detect_throughput_collapse, its evidence and its known false positives);
// the message speaks of the time ("iter_time rose to 3, 6x the run's own
// early level 0.5"). Stays open until the rate is back above the midpoint of
// ratio and the reference.
inline std::optional<Decision> detect_step_time_collapse(const Series& rate, std::string_view time_key,
                                                         const ThroughputCollapseOptions& opt) {
  return detect_throughput_collapse_phased(rate, opt, false, time_key);
}

namespace detail {
// Whether each of the last n values of t is a new record of the run: above (`high`) or below every finite value
// logged before it; a non-finite one among them is none.
inline bool records_at_each(const Series& t, std::size_t n, bool high) {
  double rec = high ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  for (std::size_t i = n; i < t.size(); ++i) {
    const double x = t.from_back(i).value;
    if (std::isfinite(x)) rec = high ? std::max(rec, x) : std::min(rec, x);
  }
  for (std::size_t i = n; i-- > 0;) {
    const double x = t.from_back(i).value;
    if (!std::isfinite(x) || !(high ? x > rec : x < rec)) return false;
    rec = x;
  }
  return true;
}

// The creep form of a growing step time (evidence: creep_points points): the
// last creep_points values are each a new high of the run (above every value
// before them) and the latest is >= creep_ratio x the run's minimum. A leak
// makes every step slower than the last (TF1 ops added to the graph inside
// the loop; a PyTorch loop that keeps the autograd history of its running
// loss, both documented pitfalls): not a jump, a steady climb. A steady step
// time's noise sets a new high rarely (n iid values end in k highs with
// probability 1/(n (n-1) ... (n-k+1)): 1/120 for 5 of 5), and a warm-up
// makes the first steps the slowest, not the fastest.
inline std::optional<Decision> step_time_creep(const Series& t, const ThroughputCollapseOptions& opt) {
  auto n = static_cast<std::size_t>(std::max(opt.creep_points, 0));
  if (n < 3 || !(opt.creep_ratio > 1.0) || t.size() < n) return std::nullopt;
  const double cur = t.back().value;
  auto mn = t.min();
  if (!std::isfinite(cur) || !mn || !(*mn > 0) || cur < opt.creep_ratio * *mn) return std::nullopt;
  if (!records_at_each(t, n, true)) return std::nullopt;
  Decision d = make_decision(Source::kRulebased, "throughput_collapse", opt.severity,
                             t.name() + " grew to " + fmt_num(cur) + ", " + fmt_num(cur / *mn) + "x its minimum " +
                                 fmt_num(*mn) + ", a new high at each of the last " + std::to_string(n) + " points",
                             t.name(), &t, {{"rule", "creep"}, {"min", fmt_num(*mn)}});
  set_band(d, -std::numeric_limits<double>::infinity(), *mn * (1.0 + opt.creep_ratio) / 2.0);
  return d;
}

// Throughput's mirror of step_time_creep (evidence: creep_points points): the
// last creep_points values are each a new low of the run (below every value
// before them) and the latest is <= 1/creep_ratio x the run's maximum. A
// speed that falls at every print is the same leak seen from the other side
// (gluonts#833: a DeepAR epoch at 2.95 it/s, then 1.92, 1.91, 1.51, 1.46 with
// the same 4000 batches), and a warm-up makes the first values the lowest,
// not the highest. A fall is a creep only when no single step makes it: the
// value before the latest is already the midpoint m = (1 + creep_ratio) / 2
// under the maximum (one slow interval after a gentle ease, insightface#807's
// 224, 223, 218, 215, then 26 at an evaluation, is the collapse rule's, which
// wants it twice), and the latest is m under the second of the points (a
// fast first interval and then a level that barely eases, TimeMixer#88's
// 3.62, then 1.080 ... 1.076, is no slowdown). Stays open until the
// throughput is back above the run's maximum / m.
inline std::optional<Decision> throughput_creep(const Series& tp, const ThroughputCollapseOptions& opt) {
  auto n = static_cast<std::size_t>(std::max(opt.creep_points, 0));
  if (n < 3 || !(opt.creep_ratio > 1.0) || tp.size() < n) return std::nullopt;
  const double cur = tp.back().value;
  auto mx = tp.max();
  if (!std::isfinite(cur) || !(cur > 0) || !mx || !std::isfinite(*mx) || cur * opt.creep_ratio > *mx)
    return std::nullopt;
  const double mid = (1.0 + opt.creep_ratio) / 2.0;
  if (!(tp.from_back(1).value * mid <= *mx) || !(cur * mid <= tp.from_back(n - 2).value)) return std::nullopt;
  if (!records_at_each(tp, n, false)) return std::nullopt;
  Decision d = make_decision(Source::kRulebased, "throughput_collapse", opt.severity,
                             tp.name() + " fell to " + fmt_num(cur) + ", " + fmt_num(cur / *mx) + "x its maximum " +
                                 fmt_num(*mx) + ", a new low at each of the last " + std::to_string(n) + " points",
                             tp.name(), &tp, {{"rule", "creep"}, {"max", fmt_num(*mx)}});
  set_band(d, *mx / mid, std::numeric_limits<double>::infinity());
  return d;
}
}  // namespace detail

// A throughput judged by the collapse rule (detect_throughput_collapse_phased)
// and, when that finds nothing, by its creep form (detail::throughput_creep):
// a speed at a new low at each of creep_points points, creep_ratio under its
// best; not with `phase_change` (an RL learner's speed steps down at its learning start and then eases as its
// replay buffer grows: ptan#5, a DQN at 333 frames/s, then 40, 18.2, 17.3, 16.7, 16.4). Known false positive of the
// creep form: a planned ramp (sequence length, batch size) that slows each logged interval in turn.
inline std::optional<Decision> detect_throughput_slowdown(const Series& tp, const ThroughputCollapseOptions& opt,
                                                          bool phase_change) {
  auto d = detect_throughput_collapse_phased(tp, opt, phase_change);
  if (!d && opt.enabled && !tp.empty() && !phase_change) d = detail::throughput_creep(tp, opt);
  return d;
}

// The jump form of detect_step_time_growth (below).
namespace detail {
// Whether the series fell between two consecutive retained values somewhere:
// a step's duration does, an elapsed clock never.
inline bool fell_once(const Series& t) {
  for (std::size_t i = 0; i + 1 < t.size(); ++i)
    if (t.from_back(i).value < t.from_back(i + 1).value) return true;
  return false;
}

// The largest factor a positive series fell by between two consecutive
// finite values among from_back(end - 1) .. from_back(begin) (1 when it never
// fell): how far the series swings down by itself, and so up.
inline double largest_fall_ratio(const Series& t, std::size_t begin, std::size_t end) {
  double fall = 1.0;
  for (std::size_t i = begin; i + 1 < std::min(t.size(), end); ++i) {
    const double later = t.from_back(i).value, earlier = t.from_back(i + 1).value;
    if (std::isfinite(later) && std::isfinite(earlier) && later > 0 && earlier > later)
      fall = std::max(fall, earlier / later);
  }
  return fall;
}

// A step time's minimum, leaving out a point both of whose neighbours are at least `ratio` times it: a single short
// step between two ordinary ones, an epoch's last and partial batch at a quarter of the usual time (r33: 0.138 s
// among 0.52 s steps), is a dip, not the level later steps are slower than.
inline std::optional<double> min_without_dips(const Series& t, double ratio) {
  std::optional<double> least;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double v = t.from_back(i).value;
    if (!std::isfinite(v)) continue;
    if (i > 0 && i + 1 < t.size() && t.from_back(i - 1).value >= ratio * v && t.from_back(i + 1).value >= ratio * v)
      continue;
    if (!least || v < *least) least = v;
  }
  return least;
}

inline std::optional<Decision> step_time_jump(const Series& t, const ThroughputCollapseOptions& opt) {
  if (opt.step_time_ratio <= 1.0) return std::nullopt;
  double cur = t.back().value;
  auto mn = min_without_dips(t, opt.step_time_ratio);
  if (!std::isfinite(cur) || !mn || !(*mn > 0) || cur < opt.step_time_ratio * *mn) return std::nullopt;
  auto r = static_cast<std::size_t>(std::max(opt.step_time_rising, 1));
  if (t.size() <= r) return std::nullopt;
  if (!(t.from_back(1).value >= (1.0 + opt.step_time_ratio) / 2.0 * *mn)) return std::nullopt;
  for (std::size_t i = 0; i < r; ++i) {
    double a = t.from_back(i).value, b = t.from_back(i + 1).value;
    if (!std::isfinite(a) || !std::isfinite(b) || !(a > b)) return std::nullopt;
  }
  if (!new_high_since_min(t)) return std::nullopt;
  // Beyond the series' own swing: the one before the latest above the
  // minimum times the largest factor by which the step time fell between two
  // prints before the rise (a shared machine's step time that went 9.31 ->
  // 4.07 s swings by 2.3x, and a climb to 6.99 s from 3.11 s is within it).
  const double swing = largest_fall_ratio(t, r, t.size());
  if (!(t.from_back(1).value > swing * *mn)) return std::nullopt;
  // critical_ratio x the minimum: a run that will take that many times as
  // long; critical, so an open warning escalates (NiftyNet#47: 1.35 s, then
  // 3-5 s, then 64-75 s per iteration).
  Severity sev = cur >= opt.critical_ratio * *mn ? std::max(opt.severity, Severity::kCritical) : opt.severity;
  Decision d = detail::make_decision(Source::kRulebased, "throughput_collapse", sev,
                                     t.name() + " grew to " + detail::fmt_num(cur) + ", " + detail::fmt_num(cur / *mn) +
                                         "x its minimum " + detail::fmt_num(*mn) + " (each step slower than the last)",
                                     t.name(), &t, {{"rule", "step_time"}, {"min", detail::fmt_num(*mn)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), *mn * (1.0 + opt.step_time_ratio) / 2.0);
  return d;
}
}  // namespace detail

// The same for a time per iteration ("elapsed time per iteration (ms)",
// s/it): inverse throughput. Fires when the latest is >= step_time_ratio x
// the run's minimum, the one before it already >= halfway there
// ((1 + step_time_ratio) / 2 x the minimum: one slow step, a checkpoint
// save at 5.5 s among 1.0 s steps, is not a slowdown), and it rose at each
// of the last step_time_rising points (evidence: step_time_rising + 1
// points), e.g. 84 s -> 142 s -> 202 s. With may_be_clock (a key that is a
// bare unit, "s" or "time": a step's duration or an elapsed clock), the
// series must also have fallen once before: a clock never falls. Known
// false positive: steps that really get slower for a known reason (a longer
// sequence length schedule, a batch-size ramp-up, evaluation folded into the
// step time). The creep form (detail::step_time_creep) judges a steady climb
// below step_time_ratio; evidence "rule": step_time | creep.
inline std::optional<Decision> detect_step_time_growth(const Series& t, const ThroughputCollapseOptions& opt,
                                                       bool may_be_clock = false) {
  if (!opt.enabled || t.empty()) return std::nullopt;
  auto d = detail::step_time_jump(t, opt);
  if (!d) d = detail::step_time_creep(t, opt);
  if (d && may_be_clock && !detail::fell_once(t)) return std::nullopt;
  return d;
}

namespace detail {
// The rise form of detect_eta_growth (below).
inline std::optional<Decision> eta_rise(const Series& eta, const ThroughputCollapseOptions& opt) {
  auto n = static_cast<std::size_t>(std::max(opt.eta_points, 4));
  if (opt.eta_points <= 0 || eta.size() < n) return std::nullopt;
  const SeriesPoint& first = eta.from_back(n - 1);
  double cur = eta.back().value;
  if (!std::isfinite(cur) || !std::isfinite(first.value) || !(first.value > 0) || !(cur > first.value))
    return std::nullopt;
  std::size_t falls = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const SeriesPoint &a = eta.from_back(i), &b = eta.from_back(i + 1);
    if (!std::isfinite(a.value) || !(a.step > b.step) || a.value - b.value > (cur - first.value) / 2.0)
      return std::nullopt;
    falls += a.value < b.value ? 1 : 0;
  }
  if (4 * falls > n - 1) return std::nullopt;
  Decision d =
      detail::make_decision(Source::kRulebased, "throughput_collapse", opt.severity,
                            eta.name() + ", a remaining-time estimate, rose from " + detail::fmt_num(first.value) +
                                " to " + detail::fmt_num(cur) + " over " + std::to_string(n) + " points (since step " +
                                std::to_string(first.step) + "): each step now takes longer than the run's average",
                            eta.name(), &eta, {{"rule", "eta"}, {"from", detail::fmt_num(first.value)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), first.value);
  return d;
}
}  // namespace detail

// A remaining-time estimate (epoch_Time, time_remaining) must fall as the
// run advances; one that rises means each step now takes longer than the
// run's average so far (minimind#480: 1612 -> 1616 min over 1200 steps, after
// 1199 min earlier). Fires when, over the last eta_points values (evidence:
// eta_points points, steps advancing), the estimate rose overall and fell at
// no more than a quarter of them (rounding or a fast step), in steps of which
// none is more than half the rise (a new epoch resets the estimate in one
// jump). Stays open until it is back at the window's first value. Before
// eta_points, the creep form of detect_step_time_growth: an estimate at a new
// high at each of creep_points points is a slowdown too, and so is an epoch
// duration so named ("time this epoch", "epoch_time": the tokens cannot
// tell a time left from a time taken; either way a steady climb is a run
// that gets slower; tensorflow#198: 1.75 s -> 2.56 s over five epochs).
inline std::optional<Decision> detect_eta_growth(const Series& eta, const ThroughputCollapseOptions& opt) {
  if (!opt.enabled || eta.empty()) return std::nullopt;
  if (auto d = detail::eta_rise(eta, opt)) return d;
  return detail::step_time_creep(eta, opt);
}

}  // namespace sidecar
