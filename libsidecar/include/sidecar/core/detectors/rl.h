// Reinforcement-learning rules (header-only, std-only): reward drop, reward
// hacking, KL explosion, entropy collapse / explosion.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"

namespace sidecar {

// Reward drop / collapse: the last `persistence` points all <= mean(the
// `window` points before them) - drop_fraction x scale, where scale =
// max(|mean|, range/2) and range is the run-wide spread of rewards, and all
// under the lowest of those `window` points (a value the reference reached
// itself is its noise). For positive rewards that is the seed's "current <=
// 0.5 x mean(previous 5)" held for two points: one low evaluation of a noisy
// return is back on the next row (a PPO HalfCheetah return 374, 148, 297),
// and the seed's rule works for no negative reward; this one does. RL warm-up: the first
// warmup_points rewards of a fresh policy are noisy (a dip in the first
// updates is normal) and never judged, nor used as the reference. Slow form
// (decline): after decline_min_points rewards, the last decline_points all
// sit >= decline_fraction x scale under the run's peak -- a reward that
// slides from 22.6 to 14 over many updates and stays there -- at least
// 2 earlier rewards reached that level (one high evaluation of a sparse
// reward, 0.4 among 0.25s and 0s, is noise, not a peak), and the last
// decline_points are all under every reward since the run first reached
// that level (a noisy plateau's low episodes are not a decline). Collapse form
// (evidence: 2 rewards, then collapse_points), judged from the start, RL
// warm-up included, because its effect is overwhelming: the last
// collapse_points rewards each at least collapse_fraction x scale under the
// peak of the rewards before them (scale = max(|peak|, their range / 2)),
// each no higher than the one before, the latest collapse_extent x scale
// under the peak (mlagents#805: 1.18, 1.32, then -3.6, -3.9, -31.7). A
// fresh policy's dip, a noisy negative return (Pendulum's -4 .. -1500: its
// range is the scale) or a reward falling 10 % in early iterations stay far
// from it. Known false positive: a reward near 0 (|peak| tiny) that falls
// steadily, e.g. a per-step penalty growing with episode length. Stays open
// until the reward is back within half the drop of the reference.
#define SIDECAR_REWARD_DROP_OPTIONS(X)                                                                             \
  X(bool, enabled, true, (), "off: a reward drop raises nothing")                                                  \
  X(int, window, 5, (1, 1000), "rewards averaged as the reference")                                                \
  X(int, min_points, 6, (2, 1e8), "rewards before the drop rule applies")                                          \
  X(double, drop_fraction, 0.5, (0.0), "drop of this x max(|mean|, range/2) under the reference")                  \
  X(int, warmup_points, 5, (0, 1e8), "a fresh policy's first rewards are never judged nor the reference")          \
  X(int, persistence, 2, (1, 1000), "consecutive low points")                                                      \
  X(double, decline_fraction, 0.3, (0.0), "slow decline: the last decline_points all this x scale under the peak") \
  X(int, decline_points, 3, (1, 1000), "points of the slow decline")                                               \
  X(int, decline_min_points, 6, (2, 1e8), "rewards before the decline rule applies")                               \
  X(int, collapse_points, 3, (0, 1000), "collapse: this many falling rewards after 2 (0: off)")                    \
  X(double, collapse_fraction, 2.0, (0.0), "collapse: each this x scale under the earlier peak")                   \
  X(double, collapse_extent, 10.0, (0.0), "collapse: the latest this x scale under the earlier peak")              \
  X(int, mean_window, 20, (0, 42), "window form: rewards per mean; 3 x this retained rewards needed (0: off)")     \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(RewardDropOptions, SIDECAR_REWARD_DROP_OPTIONS);

namespace detail {
constexpr std::size_t kDeclineHeldPoints = 2;   // rewards at the peak's level before a decline
constexpr std::size_t kFrozenRewardPoints = 8;  // one value this many times running: a frozen reward, not noise
constexpr std::size_t kJumpyPoints = 32;        // jumpy(): the recent rewards whose steps and spread are compared

// The slow form of a reward collapse: the last decline_points rewards all at
// least decline_fraction x scale under the run's peak (which precedes them).
inline bool jumpy(const Series& reward);
inline bool new_low(const Series& reward, std::size_t n);

inline std::optional<Decision> reward_decline(const Series& reward, const RewardDropOptions& opt) {
  if (opt.decline_fraction <= 0 ||
      reward.finite_count() < static_cast<std::uint64_t>(std::max(opt.decline_min_points, 2)))
    return std::nullopt;
  auto n = static_cast<std::size_t>(std::max(opt.decline_points, 1));
  if (reward.size() < n) return std::nullopt;
  double peak = *reward.max();
  double scale = std::max(std::fabs(peak), (peak - *reward.min()) / 2.0);
  if (!(scale > 0)) return std::nullopt;
  double limit = peak - opt.decline_fraction * scale;
  double cur = reward.back().value, others_max = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    const SeriesPoint& p = reward.from_back(i);
    if (!std::isfinite(p.value) || p.value > limit || p.step <= reward.argmax_step()) return std::nullopt;
    if (i > 0) others_max = std::max(others_max, p.value);
  }
  if (n > 1 && cur > others_max) return std::nullopt;  // climbing back out (a warm-up dip recovering)
  // The peak is a level the reward held, not one lucky evaluation of a noisy
  // or sparse reward (ml-agents#1600: 0.4, then 0.25, 0, 0, 0.25, 0.25):
  // kDeclineHeldPoints retained rewards at or above the limit, unless the
  // peak is older than the retained points.
  std::size_t held = 0;
  for (std::size_t i = n; i < reward.size(); ++i) held += reward.from_back(i).value >= limit ? 1 : 0;
  bool peak_retained = reward.from_back(reward.size() - 1).step <= reward.argmax_step();
  if (peak_retained && held < kDeclineHeldPoints) return std::nullopt;
  // Beyond the plateau's own noise: every one of the last n under each
  // reward since the run first reached the peak's level. A noisy reward (a
  // random-level DDPG policy at 13 .. 39, liampetti/DDPG#2) has three low
  // episodes in a row after a lucky 39 all the time, but not under its
  // plateau's lowest; a real decline ends up there (9, 10, 9).
  double plateau_low = std::numeric_limits<double>::infinity();
  bool reached = false;
  for (std::size_t i = reward.size(); i-- > n;) {
    double x = reward.from_back(i).value;
    reached = reached || x >= limit;
    if (reached && std::isfinite(x)) plateau_low = std::min(plateau_low, x);
  }
  // ... unless the reward has frozen there: the same value kFrozenRewardPoints times running under the limit is a
  // policy stuck in one fixed behaviour, no noise (rl-formative's A2C: 791-995, a noisy slide through 542, 493, 374,
  // then exactly 500.0 for 70 episodes)
  std::size_t same = 1;
  while (same < reward.size() && reward.from_back(same).value == cur) ++same;
  if (same < kFrozenRewardPoints)
    for (std::size_t i = 0; i < n; ++i)
      if (!(reward.from_back(i).value < plateau_low)) return std::nullopt;
  // A reward that jumps across most of its range from one point to the next declines only to a new low.
  if (jumpy(reward) && !new_low(reward, n)) return std::nullopt;
  Decision d = make_decision(Source::kPlaybook, "reward_drop", opt.severity,
                             reward.name() + " declined to " + fmt_num(cur) + " from its peak " + fmt_num(peak) +
                                 " (step " + std::to_string(reward.argmax_step()) + ") and stays down",
                             reward.name(), &reward, {{"peak", fmt_num(peak)}, {"rule", "decline"}});
  set_band(d, peak - 0.5 * opt.decline_fraction * scale, std::numeric_limits<double>::infinity());
  return d;
}

// The collapse form: the last collapse_points rewards fall, each no higher
// than the one before, far under the peak of the (>= 2) rewards before them.
inline std::optional<Decision> reward_collapse(const Series& reward, const RewardDropOptions& opt) {
  auto n = static_cast<std::size_t>(std::max(opt.collapse_points, 0));
  if (n == 0 || opt.collapse_fraction <= 0 || reward.size() < n + 2) return std::nullopt;
  double peak = -std::numeric_limits<double>::infinity(), low = std::numeric_limits<double>::infinity();
  std::size_t refs = 0;
  for (std::size_t i = n; i < reward.size(); ++i) {
    double x = reward.from_back(i).value;
    if (!std::isfinite(x)) continue;
    peak = std::max(peak, x);
    low = std::min(low, x);
    ++refs;
  }
  double scale = std::max(std::fabs(peak), (peak - low) / 2.0);
  if (refs < 2 || !(scale > 0)) return std::nullopt;
  const double cur = reward.back().value;
  if (!(cur <= peak - std::max(opt.collapse_extent, opt.collapse_fraction) * scale)) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    double x = reward.from_back(i).value;
    if (!std::isfinite(x) || x > peak - opt.collapse_fraction * scale) return std::nullopt;
    if (i + 1 < n && x > reward.from_back(i + 1).value) return std::nullopt;
  }
  Decision d = make_decision(Source::kPlaybook, "reward_drop", opt.severity,
                             reward.name() + " collapsed to " + fmt_num(cur) + " from " + fmt_num(peak) +
                                 ", falling at each of the last " + std::to_string(n) + " points",
                             reward.name(), &reward, {{"peak", fmt_num(peak)}, {"rule", "collapse"}});
  set_band(d, peak - scale, std::numeric_limits<double>::infinity());
  return d;
}

// The frozen form (rule "frozen"; evidence: kFrozenRewardPoints rows): the
// reward bit-identical on every row from its first, at zero or below. A
// policy that learns changes what it earns; one that never earned anything
// or only the same penalty gets no signal to learn from (an SB3 PPO on
// MultiRoom with ep_rew_mean 0 for all of 20 M steps). A positive reward
// that never moves may be a solved task at its cap (every evaluation of a
// CartPole agent scores 500.0), so it stays quiet, and so does a reward that
// rose to a level and stays there. Known false positive: a sparse-reward task
// whose first successes come later than kFrozenRewardPoints logged rows.
inline std::optional<Decision> reward_frozen(const Series& reward, const RewardDropOptions& opt) {
  if (reward.size() < kFrozenRewardPoints || reward.count() != reward.size()) return std::nullopt;
  const double v = reward.back().value;
  if (!std::isfinite(v) || v > 0) return std::nullopt;
  for (std::size_t i = 1; i < reward.size(); ++i)
    if (reward.from_back(i).value != v) return std::nullopt;
  Decision d =
      make_decision(Source::kPlaybook, "reward_drop", opt.severity,
                    reward.name() + " has been exactly " + fmt_num(v) + " on each of its " +
                        std::to_string(reward.size()) + " rows from the first: the policy earns nothing to learn from",
                    reward.name(), &reward, {{"points", std::to_string(reward.size())}, {"rule", "frozen"}});
  return d;
}

// Whether the recent rewards (the last kJumpyPoints retained) jump around
// much of their range from one point to the next: over >= 6 steps, the mean
// step between consecutive rewards >= 0.18 x their spread (r29: an unsloth
// GRPO notebook's per-step reward, -1.22 .. 0.09 with steps of 0.26 on
// average, sat at 0.99 x the fifth this bar was). The recent ones
// only: a reward that climbed from far below spans a range its current
// noise never crosses (verl's per-step GRPO reward: -0.35 .. 0.1 early,
// 0.01 .. 0.34 now, two steps at -0.08 and -0.06, then 0.22). Jumpy
// rewards: a per-step GRPO reward that is the fraction of 8 rollouts solved
// (0, 1, 0.5, 1, 0 ...); a batch mean of a game's -10.5 .. 11.5 outcomes;
// raw episode returns of a fresh DQN or of Pendulum, whose start angle makes
// them -2 or -125 .. -540. The low points
// of such a reward are its noise unless each is under every reward retained
// before them (new_low); the window form judges its means. Smoothed rewards
// move a few percent of their range per point.
inline bool jumpy(const Series& reward) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, steps = 0, prev = std::nan("");
  std::size_t n = 0;
  for (std::size_t i = std::min<std::size_t>(reward.size(), kJumpyPoints); i-- > 0;) {
    const double x = reward.from_back(i).value;
    if (!std::isfinite(x)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    if (std::isfinite(prev)) steps += std::fabs(x - prev), ++n;
    prev = x;
  }
  return n >= 6 && hi > lo && steps / static_cast<double>(n) >= 0.18 * (hi - lo);
}

// Whether the last n rewards are each under every finite reward retained before them (a new, lower level: a noisy
// reward scatters there, 9, 10, 9, so each need not be a new low of its own).
inline bool new_low(const Series& reward, std::size_t n) {
  n = std::max<std::size_t>(n, 1);
  double hi = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n && i < reward.size(); ++i) hi = std::max(hi, reward.from_back(i).value);
  for (std::size_t i = n; i < reward.size(); ++i)
    if (!(hi < reward.from_back(i).value) && std::isfinite(reward.from_back(i).value)) return false;
  return std::isfinite(hi);
}

// The window form (rule "window"; evidence: 3 x mean_window retained finite
// rewards): the mean of the last mean_window rewards <= the best mean of any
// earlier mean_window rewards (ending before them) - drop_fraction x scale,
// scale = max(|best mean|, the run's range / 2). A per-step reward that is a
// fraction of a few rollouts (0, 0.125 .. 1) scatters too widely for the
// point rules; its means do not (rasbt's vanilla GRPO run: reward_avg means
// about 0.8 over steps 21-50, 0.21 .. 0.09 over steps 221-258 as the answers
// run into the length cap). Known false positive: a curriculum that hands
// the policy harder tasks partway through.
inline std::optional<Decision> reward_window_decline(const Series& reward, const RewardDropOptions& opt) {
  const auto w = static_cast<std::size_t>(std::max(opt.mean_window, 0));
  if (w == 0 || reward.size() < 3 * w || reward.finite_count() < 3 * w) return std::nullopt;
  auto& v = scratch(1);
  reward.finite_window(0, reward.size(), &v);
  if (v.size() < 3 * w) return std::nullopt;
  double sum = 0;
  for (std::size_t i = 0; i < w; ++i) sum += v[i];
  double best = sum;  // sums of w consecutive rewards ending before the last w
  for (std::size_t end = w; end + w < v.size(); ++end) {
    sum += v[end] - v[end - w];
    best = std::max(best, sum);
  }
  double last = 0;
  for (std::size_t i = v.size() - w; i < v.size(); ++i) last += v[i];
  best /= static_cast<double>(w);
  last /= static_cast<double>(w);
  const double scale = std::max(std::fabs(best), (*reward.max() - *reward.min()) / 2.0);
  if (!(scale > 0) || !(last <= best - opt.drop_fraction * scale)) return std::nullopt;
  Decision d = make_decision(Source::kPlaybook, "reward_drop", opt.severity,
                             reward.name() + " averages " + fmt_num(last) + " over its last " + std::to_string(w) +
                                 " points, down from a best mean of " + fmt_num(best),
                             reward.name(), &reward, {{"best_mean", fmt_num(best)}, {"rule", "window"}});
  set_band(d, best - 0.5 * opt.drop_fraction * scale, std::numeric_limits<double>::infinity());
  return d;
}
}  // namespace detail

// Returns a "reward_drop" decision (evidence "rule": drop | decline | collapse | window | frozen).
inline std::optional<Decision> detect_reward_drop(const Series& reward, const RewardDropOptions& opt) {
  if (!opt.enabled || reward.empty()) return std::nullopt;
  if (auto d = detail::reward_collapse(reward, opt)) return d;
  if (auto d = detail::reward_decline(reward, opt)) return d;
  if (auto d = detail::reward_window_decline(reward, opt)) return d;
  if (auto d = detail::reward_frozen(reward, opt)) return d;
  int p = std::max(opt.persistence, 1);
  int window = std::max(opt.window, 1);
  if (reward.finite_count() < static_cast<std::uint64_t>(std::max({opt.min_points, window + p, 2})) ||
      reward.finite_count() < static_cast<std::uint64_t>(std::max(opt.warmup_points, 0) + window + p))
    return std::nullopt;
  double cur = reward.back().value;
  if (!std::isfinite(cur)) return std::nullopt;
  auto& w = detail::scratch(0);
  reward.finite_window(static_cast<std::size_t>(p), static_cast<std::size_t>(window), &w);
  if (w.size() < static_cast<std::size_t>(window)) return std::nullopt;
  double ref = detail::mean(w);
  double range = *reward.max() - *reward.min();
  double scale = std::max(std::fabs(ref), range / 2.0);
  if (scale <= 0) return std::nullopt;
  double limit = ref - opt.drop_fraction * scale;
  // Under the reference's own low too: a reward the reference itself reached
  // is its noise, not a drop (a GRPO batch reward swinging -18.75 .. 7.5 with
  // the prompts; the same test throughput_collapse makes of a swing). Its
  // newest points already under the limit are the drop going on, not noise.
  std::size_t kept = w.size();
  while (kept > 1 && w[kept - 1] <= limit) --kept;
  const double ref_low = *std::min_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(kept));
  for (int i = 0; i < p; ++i) {
    double x = reward.from_back(static_cast<std::size_t>(i)).value;
    if (!std::isfinite(x) || x > limit || x >= ref_low) return std::nullopt;
  }
  // Walks the retained rewards: only once the point rule would fire.
  if (detail::jumpy(reward) && !detail::new_low(reward, static_cast<std::size_t>(p))) return std::nullopt;
  Decision d = detail::make_decision(
      Source::kPlaybook, "reward_drop", opt.severity,
      reward.name() + " fell to " + detail::fmt_num(cur) + " from a recent mean of " + detail::fmt_num(ref),
      reward.name(), &reward,
      {{"recent_mean", detail::fmt_num(ref)}, {"peak", detail::fmt_num(*reward.max())}, {"rule", "drop"}});
  detail::set_band(d, ref - 0.5 * opt.drop_fraction * scale, std::numeric_limits<double>::infinity());
  return d;
}

// Reward hacking suspected: the reward rises while a quality measure (success
// or win rate, or an accuracy-type reward component) falls. Two rules:
//  - jump (the seed's): reward >= reward_ratio x mean(previous `window`) and
//    quality <= quality_ratio x mean(previous `window`);
//  - short (evidence: short_points points): the quality fell at every one
//    of the last short_points points to <= short_quality_ratio x where it
//    was, while the reward rose by >= trend_reward_rise x scale;
//  - trend (open-r1#255: format reward up, accuracy reward down): over the
//    last trend_window points of each, the late half's reward mean exceeds
//    the early half's by >= trend_reward_rise x scale, and the late quality
//    mean is <= trend_quality_ratio x the early one; open until the quality
//    is back half way to its early mean;
//  - long_trend: the same over the last long_window points (at least half
//    of them seen), for hacks that take hundreds of steps: a policy learning
//    to pad its answers, reward 1.0 -> 2.0 while success 0.68 -> 0.04 over
//    200 steps, moves too little inside any 20-point window (the
//    tests/cli/learners/policy.py reward_hacking run).
#define SIDECAR_REWARD_HACKING_OPTIONS(X)                                                                 \
  X(bool, enabled, true, (), "off: reward up with quality down raises nothing")                           \
  X(int, window, 5, (1, 1000), "jump rule: previous points averaged")                                     \
  X(int, min_points, 6, (2, 1e8), "points before the jump rule applies")                                  \
  X(double, reward_ratio, 1.5, (1.0), "jump rule: reward >= this x its recent mean")                      \
  X(double, quality_ratio, 0.7, (0.0, 1.0), "jump rule: quality <= this x its recent mean")               \
  X(int, trend_window, 20, (4, 1000), "trend rule: points whose halves are compared")                     \
  X(int, trend_min_points, 10, (4, 1e8), "points before the trend rule applies")                          \
  X(int, long_window, 128, (0, 128), "long trend rule over this many points (0: off; 128 are retained)")  \
  X(double, trend_reward_rise, 0.1, (0.0), "the reward's late half rises by this x scale")                \
  X(double, trend_quality_ratio, 0.7, (0.0, 1.0), "while quality's late half <= this x its early half")   \
  X(int, short_points, 3, (0, 1000), "short rule: quality falls at each of the last short_points ...")    \
  X(double, short_quality_ratio, 0.5, (0.0, 1.0), "... to <= this x where it was while the reward rises") \
  X(Severity, severity, Severity::kCritical, (), "a policy gaming its reward wastes the run: critical")
SIDECAR_OPTIONS(RewardHackingOptions, SIDECAR_REWARD_HACKING_OPTIONS);

namespace detail {
// Mean of the early and late halves of the last n finite points (n >= 2).
inline std::optional<std::pair<double, double>> halves(const Series& s, std::size_t n) {
  auto& w = scratch(2);
  s.finite_window(0, n, &w);
  if (w.size() < 4) return std::nullopt;
  std::size_t h = w.size() / 2;
  double a = 0, b = 0;
  for (std::size_t i = 0; i < h; ++i) a += w[i];
  for (std::size_t i = w.size() - h; i < w.size(); ++i) b += w[i];
  return std::pair<double, double>(a / static_cast<double>(h), b / static_cast<double>(h));
}
}  // namespace detail

// Returns a "reward_hacking_suspected" decision (evidence "rule": jump | trend).
inline std::optional<Decision> detect_reward_hacking(const Series& reward, const Series& quality,
                                                     const RewardHackingOptions& opt) {
  if (!opt.enabled || reward.empty() || quality.empty()) return std::nullopt;
  double r = reward.back().value, q = quality.back().value;
  if (!std::isfinite(r) || !std::isfinite(q)) return std::nullopt;
  auto make = [&](std::string rule, std::string msg) {
    return detail::make_decision(
        Source::kPlaybook, "reward_hacking_suspected", opt.severity, std::move(msg), reward.name(), &reward,
        {{"quality_metric", quality.name()}, {"quality_value", detail::fmt_num(q)}, {"rule", std::move(rule)}});
  };
  auto need = static_cast<std::uint64_t>(std::max({opt.min_points, opt.window + 1, 2}));
  if (reward.finite_count() >= need && quality.finite_count() >= need) {
    auto w = static_cast<std::size_t>(std::max(opt.window, 1));
    auto rm = detail::mean_of_previous(reward, w, &detail::scratch(0));
    auto& qw = detail::scratch(1);  // the quality's previous window
    auto qm = detail::mean_of_previous(quality, w, &qw);
    // ... a level the quality held, as for the trend rules below: two of those points above the latest
    if (rm && qm && *qm > 0 && std::count_if(qw.begin(), qw.end(), [&](double x) { return x > q; }) >= 2) {
      double scale = std::max(std::fabs(*rm), (*reward.max() - *reward.min()) / 2.0);
      bool reward_up = *rm > 0 ? r >= opt.reward_ratio * *rm : (r - *rm) >= (opt.reward_ratio - 1.0) * scale;
      bool quality_down = q <= opt.quality_ratio * *qm;
      if (reward_up && quality_down && scale > 0) {
        Decision d = make("jump", reward.name() + " jumped to " + detail::fmt_num(r) + " (recent mean " +
                                      detail::fmt_num(*rm) + ") while " + quality.name() + " fell to " +
                                      detail::fmt_num(q) + " (recent mean " + detail::fmt_num(*qm) + ")");
        d.evidence.emplace_back("reward_recent_mean", detail::fmt_num(*rm));
        d.evidence.emplace_back("quality_recent_mean", detail::fmt_num(*qm));
        return d;
      }
    }
  }
  // Short: over the last short_points points the reward rose and the
  // quality fell at every point, to <= short_quality_ratio x where it was.
  auto sp = static_cast<std::size_t>(std::max(opt.short_points, 0));
  if (sp >= 3 && reward.size() >= sp && quality.size() >= sp) {
    bool ok = true;
    for (std::size_t i = 0; i + 1 < sp && ok; ++i) {
      double q0 = quality.from_back(i + 1).value, q1 = quality.from_back(i).value;
      ok = std::isfinite(q0) && std::isfinite(q1) && q1 < q0;
    }
    double r0 = reward.from_back(sp - 1).value, q0 = quality.from_back(sp - 1).value;
    double scale = std::max(std::fabs(r0), (*reward.max() - *reward.min()) / 2.0);
    if (ok && std::isfinite(r0) && q0 > 0 && q <= opt.short_quality_ratio * q0 && scale > 0 &&
        r - r0 >= opt.trend_reward_rise * scale) {
      Decision d = make("short", reward.name() + " rose (" + detail::fmt_num(r0) + " -> " + detail::fmt_num(r) +
                                     ") while " + quality.name() + " fell at every point (" + detail::fmt_num(q0) +
                                     " -> " + detail::fmt_num(q) + ")");
      return d;
    }
  }
  // Trend over trend_window points, then over long_window (a hack that
  // takes hundreds of steps moves too little inside 20 points).
  auto trend = [&](int window, std::uint64_t min_points, const char* rule) -> std::optional<Decision> {
    if (window < 4 || reward.finite_count() < min_points || quality.finite_count() < min_points) return std::nullopt;
    auto rh = detail::halves(reward, static_cast<std::size_t>(window));
    auto qh = detail::halves(quality, static_cast<std::size_t>(window));
    if (!rh || !qh || qh->first <= 0) return std::nullopt;
    double scale = std::max(std::fabs(rh->first), (*reward.max() - *reward.min()) / 2.0);
    bool reward_up = scale > 0 && rh->second - rh->first >= opt.trend_reward_rise * scale;
    bool quality_down = qh->second <= opt.trend_quality_ratio * qh->first;
    if (!reward_up || !quality_down) return std::nullopt;
    // The early level is one the quality held: at least two of its early points above the late mean. One lucky
    // sample is no level (r29, unsloth's Mistral GRPO notebook: a correctness reward of 0.33 at one step in ten or
    // twenty, 0 at every other step of the run, while the format rewards rise).
    auto& w = detail::scratch(2);
    quality.finite_window(0, static_cast<std::size_t>(window), &w);
    std::size_t above = 0;
    for (std::size_t i = 0; i < w.size() / 2; ++i) above += w[i] > qh->second ? 1 : 0;
    if (above < 2) return std::nullopt;
    Decision d = make(rule, reward.name() + " rose (" + detail::fmt_num(rh->first) + " -> " +
                                detail::fmt_num(rh->second) + ") while " + quality.name() + " fell (" +
                                detail::fmt_num(qh->first) + " -> " + detail::fmt_num(qh->second) + ")");
    d.evidence.emplace_back("reward_trend", detail::fmt_num(rh->first) + "->" + detail::fmt_num(rh->second));
    d.evidence.emplace_back("quality_trend", detail::fmt_num(qh->first) + "->" + detail::fmt_num(qh->second));
    // Open until the quality climbs back half way to where it was.
    detail::set_band(d, (qh->first + qh->second) / 2.0, std::numeric_limits<double>::infinity());
    return d;
  };
  if (auto d = trend(opt.trend_window, static_cast<std::uint64_t>(std::max(opt.trend_min_points, 4)), "trend"))
    return d;
  return trend(opt.long_window, static_cast<std::uint64_t>(std::max(opt.long_window / 2, 4)), "long_trend");
}

// KL explosion. Four rules, the first that holds wins:
//  - level: KL >= max_kl, a level typical PPO/GRPO runs never reach
//    (per-token KL stays well under 1; TRL PPO's summed objective/kl runs
//    at 5-20 in healthy runs; evidence: one point);
//  - jump: KL >= jump_ratio x the maximum of every earlier point and >
//    min_kl (evidence: one earlier point; two orders of magnitude need no
//    more);
//  - the seed's: KL >= ratio x max(previous `window`) and > min_kl, and
//    >= ratio x the run's earlier maximum (a noisy KL's swing around a
//    level it held is not an explosion); for a run whose first KL is ~0
//    (<= min_kl / 30: a policy starting at its reference) that maximum over
//    min_kl (a KL rising from 0 as the policy leaves its reference is no
//    level yet);
//  - climb: the last climb_points KL values each >= climb_ratio x the
//    maximum of the retained points before the last climb_window (at least
//    kClimbBand of them, that maximum > min_kl): a KL that leaves a band it
//    held by steps of under ratio each, so no single point is a jump (r31:
//    a GRPO run's kl_div held -1.4..+2.9 for 560 steps, then 6.8, 10.8,
//    21.5, 38.8, 40.7 with the loss at 1e7-1e8). Healthy on the tuned
//    corpus: unsloth's gpt-oss GRPO KL 0.31 -> 1.2-3.6 over 30 steps while
//    its reward rises (3.8x: the margin under climb_ratio is thin).
// A non-finite KL after a finite one also counts. Stays open until KL is
// back under the pre-incident band (max(min_kl, the earlier maximum x the
// midpoint of ratio)).
// A fifth rule, trust_region (detect_kl_trust_region), judges a PPO run that
// logs its clip fraction: the KL that climbs slowly to a level where most of
// every batch is clipped. A sixth, early_stop (detect_kl_early_stop), one that
// logs the iteration at which PPO's KL early stop ended each update.
#define SIDECAR_KL_EXPLOSION_OPTIONS(X)                                                                 \
  X(bool, enabled, true, (), "off: no KL rule runs")                                                    \
  X(int, window, 5, (1, 1000), "window rule: previous points compared")                                 \
  X(double, ratio, 2.5, (1.0), "window rule: KL >= this x their maximum and the run's earlier one")     \
  X(double, min_kl, 0.15, (), "the window and jump rules ignore a KL at or below this")                 \
  X(double, max_kl, 50.0, (0.0),                                                                        \
    "a level healthy PPO/GRPO runs never reach (TRL's summed KL runs 5-20): fires on one point")        \
  X(double, jump_ratio, 20.0, (0.0), ">= this x every earlier value: fires with one earlier point")     \
  X(int, climb_window, 30, (0, 100), "climb rule: the recent points it looks past (0: off)")            \
  X(int, climb_points, 3, (1, 100), "climb rule: the last this many points, each ...")                  \
  X(double, climb_ratio, 4.0, (1.0), "... >= this x the KL's maximum before the climb window")          \
  X(int, trust_points, 5, (0, 1000), "trust_region rule: the last this many updates of both (0: off)")  \
  X(double, trust_kl, 0.5, (0.0), "trust_region rule: PPO's update KL >= this at each of them ...")     \
  X(double, trust_clip, 0.7, (0.0, 1.0), "... and its clip fraction >= this at each of them")           \
  X(int, early_stop_points, 5, (0, 1000),                                                               \
    "early_stop rule: the last this many updates all stopped at their first policy iteration (0: off)") \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(KlExplosionOptions, SIDECAR_KL_EXPLOSION_OPTIONS);

namespace detail {
constexpr double kKlAtReference = 1.0 / 30.0;  // a first KL under this x min_kl: the policy starts at its reference
constexpr std::size_t kClimbBand = 10;         // the climb rule's earlier points: a band the KL held
}  // namespace detail

namespace detail {
// detect_kl_explosion's window rule.
template <typename Make>
std::optional<Decision> kl_window_rule(const Series& kl, const KlExplosionOptions& opt, std::optional<double> before,
                                       const Make& make) {
  const double cur = kl.back().value;
  auto& w = scratch(0);
  kl.finite_window(1, static_cast<std::size_t>(std::max(opt.window, 1)), &w);
  if (w.size() < static_cast<std::size_t>(std::max(opt.window, 1))) return std::nullopt;
  double mx = *std::max_element(w.begin(), w.end());
  // ... and so over the run's earlier maximum, which is at least theirs: a per-step GRPO KL swings 3-5x around a
  // level it has held (unsloth's Llama 3.1 GRPO notebook: 0.05 .. 0.135 over steps 110-145, then 0.268); an
  // explosion leaves that level
  if (!(cur >= opt.ratio * (before ? std::max(*before, mx) : mx))) return std::nullopt;
  // A policy that starts at its reference (its first KL ~0) raises its KL by orders of magnitude as it leaves it
  // (unsloth's GRPO notebooks: 0, 0.0016, 0.023, 0.146, 0.70 over steps 1-6; 0.0023 .. 0.09, then 0.31 at step 28):
  // no level until the KL has been over min_kl; the level and jump rules judge that rise
  const auto first = kl.initial_values();
  if (kl.count() == kl.size() && !first.empty() && std::fabs(first[0]) <= kKlAtReference * opt.min_kl &&
      !(std::max(before ? *before : mx, mx) > opt.min_kl))
    return std::nullopt;
  return make("window",
              kl.name() + " jumped to " + fmt_num(cur) + " (max of the previous " + std::to_string(w.size()) + ": " +
                  fmt_num(mx) + ")",
              mx);
}
}  // namespace detail

// Returns a "kl_explosion" decision (evidence "rule": level | jump | window | climb | nonfinite).
inline std::optional<Decision> detect_kl_explosion(const Series& kl, const KlExplosionOptions& opt) {
  if (!opt.enabled || kl.empty()) return std::nullopt;
  double cur = kl.back().value;
  if (std::isnan(cur) || std::isinf(cur)) {
    if (kl.count() < 2 || kl.finite_count() == 0) return std::nullopt;
    return detail::make_decision(
        Source::kPlaybook, "kl_explosion", opt.severity,
        kl.name() + " is " + detail::fmt_num(cur) + " at step " + std::to_string(kl.back().step), kl.name(), &kl,
        {{"rule", "nonfinite"}});
  }
  if (!(cur > opt.min_kl)) return std::nullopt;  // cheap exit
  auto before = kl.max_before_last();
  auto band_hi = [&](double prev_max) { return std::max(opt.min_kl, prev_max * (1.0 + (opt.ratio - 1.0) / 2.0)); };
  auto make = [&](std::string rule, std::string msg, double prev_max) {
    Decision d = detail::make_decision(Source::kPlaybook, "kl_explosion", opt.severity, std::move(msg), kl.name(), &kl,
                                       {{"previous_max", detail::fmt_num(prev_max)}, {"rule", std::move(rule)}});
    detail::set_band(d, -std::numeric_limits<double>::infinity(), band_hi(prev_max));
    return d;
  };
  if (opt.max_kl > 0 && cur >= opt.max_kl) {
    double prev = before ? *before : 0.0;
    if (!before || prev < opt.max_kl)
      return make("level",
                  kl.name() + " is " + detail::fmt_num(cur) +
                      ", a level healthy runs never reach (>= " + detail::fmt_num(opt.max_kl) + ")",
                  before ? std::min(prev, opt.max_kl / opt.jump_ratio) : opt.min_kl);
  }
  if (opt.jump_ratio > 0 && before && *before >= 0 && cur >= opt.jump_ratio * *before)
    return make("jump",
                kl.name() + " jumped to " + detail::fmt_num(cur) + ", " +
                    (*before > 0 ? detail::fmt_num(cur / *before) + "x" : std::string("far over")) +
                    " the maximum so far (" + detail::fmt_num(*before) + ")",
                *before);
  if (auto d = detail::kl_window_rule(kl, opt, before, make)) return d;
  // Climb: the band is the retained points before the window.
  const auto cw = static_cast<std::size_t>(std::max(opt.climb_window, 0));
  const auto cp = static_cast<std::size_t>(std::max(opt.climb_points, 1));
  if (cw == 0 || cp > cw || kl.size() < cw + detail::kClimbBand) return std::nullopt;
  auto& band = detail::scratch(0);
  kl.finite_window(cw, kl.size() - cw, &band);
  if (band.size() < detail::kClimbBand) return std::nullopt;
  const double held = *std::max_element(band.begin(), band.end());
  if (!(held > opt.min_kl)) return std::nullopt;
  for (std::size_t i = 0; i < cp; ++i)
    if (!(kl.from_back(i).value >= opt.climb_ratio * held)) return std::nullopt;  // a NaN fails too
  return make("climb",
              kl.name() + " climbed to " + detail::fmt_num(cur) + ", its last " + std::to_string(cp) +
                  " points each >= " + detail::fmt_num(opt.climb_ratio) + "x the band it held (max " +
                  detail::fmt_num(held) + ")",
              held);
}

// The trust region lost (rule "trust_region"; evidence: trust_points updates
// of the KL and of the clip fraction a PPO implementation logs beside it):
// the last trust_points KL values all >= trust_kl and the last trust_points
// clip fractions all >= trust_clip. PPO's approx_kl measures each update
// against the policy that collected the batch; the clipped objective keeps it
// near the 0.01-0.05 that SB3's and CleanRL's target_kl aim at, and a clip
// fraction over 0.7 says most samples' probability ratios left the clip
// range: the surrogate gives them no gradient and the update has left the
// region it trusts. That climb is slow (r28: an SB3 drone-hover PPO's
// approx_kl 0.02 -> 0.2 -> 1.0 over 500k steps at clip fraction 0.83 while
// its Gaussian std shrank from 0.99 to 0.06; a LEAP-hand resume 0.1 -> 1.1 at
// 0.80 while its std grew from 2.3 to 9), so the jump rules never see it. A
// KL to a reference policy (GRPO's, TRL's objective/kl) comes with no clip
// fraction and is not judged so: a GRPO policy drifting from its reference
// reaches 1.7-2.3 in healthy runs (r25). Healthy on the tuned corpus: an SB3
// Breakout PPO at approx_kl 0.41 and clip fraction 0.61 whose reward rises.
// Open until the KL is back under trust_kl.
inline std::optional<Decision> detect_kl_trust_region(const Series& kl, const Series& clip,
                                                      const KlExplosionOptions& opt) {
  const auto n = static_cast<std::size_t>(std::max(opt.trust_points, 0));
  if (!opt.enabled || n == 0 || !(opt.trust_kl > 0) || kl.size() < n || clip.size() < n) return std::nullopt;
  auto all_at_least = [n](const Series& s, double level) {
    for (std::size_t i = 0; i < n; ++i)
      if (!(s.from_back(i).value >= level)) return false;  // a NaN fails too
    return true;
  };
  if (!all_at_least(kl, opt.trust_kl) || !all_at_least(clip, opt.trust_clip)) return std::nullopt;
  Decision d = detail::make_decision(
      Source::kPlaybook, "kl_explosion", opt.severity,
      kl.name() + " has been >= " + detail::fmt_num(opt.trust_kl) + " for " + std::to_string(n) + " updates (now " +
          detail::fmt_num(kl.back().value) + ") with " + clip.name() + " at " + detail::fmt_num(clip.back().value) +
          ": most of each batch is clipped, the updates have left PPO's trust region",
      kl.name(), &kl, {{"rule", "trust_region"}, {"clip_fraction", detail::fmt_num(clip.back().value)}});
  detail::set_band(d, -std::numeric_limits<double>::infinity(), opt.trust_kl);
  return d;
}

// PPO's own KL early stop at work every time (rule "early_stop"; evidence: the
// iteration at which each update stopped, Spinning Up's `StopIter`): the last
// early_stop_points updates all stopped at their first policy iteration (0 or
// 1), after stopping later before (some earlier update went past iteration
// 4, so this is no run configured for a single iteration). Spinning Up's PPO
// ends an update's policy iterations once the KL passes 1.5 x target_kl: an
// update that passes it after one gradient step moved the policy too far at
// once, and doing so epoch after epoch is a KL that left its target for good
// while the logged mean KL, measured at the stop, stays moderate (r39:
// HalfCheetah runs at KL 0.25-0.55 with StopIter 1 for 5-26 epochs running as
// their returns halve). Healthy on the tuned corpus: runs of 4 or fewer.
// Open until an update gets past its first iteration.
inline std::optional<Decision> detect_kl_early_stop(const Series& kl, const Series& stop_iter,
                                                    const KlExplosionOptions& opt) {
  const auto n = static_cast<std::size_t>(std::max(opt.early_stop_points, 0));
  constexpr double kFirstIteration = 1.0, kStoppedLater = 4.0;
  if (!opt.enabled || n == 0 || kl.empty() || stop_iter.size() <= n) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i)
    if (!(stop_iter.from_back(i).value <= kFirstIteration)) return std::nullopt;  // a NaN fails too
  bool later = false;
  for (std::size_t i = n; i < stop_iter.size() && !later; ++i) later = stop_iter.from_back(i).value > kStoppedLater;
  if (!later) return std::nullopt;
  return detail::make_decision(
      Source::kPlaybook, "kl_explosion", opt.severity,
      stop_iter.name() + " has stopped every update at its first policy iteration for " + std::to_string(n) +
          " updates (" + kl.name() + " " + detail::fmt_num(kl.back().value) +
          "): each update overshoots the KL target at once, the policy moves too far",
      kl.name(), &kl, {{"rule", "early_stop"}, {"stop_iter", detail::fmt_num(stop_iter.back().value)}});
}

// Entropy collapse (the policy turned deterministic: entropy <=
// collapse_fraction x its initial level) and explosion (entropy >=
// explosion_ratio x its recent median and >= explosion_min, verl#2738 /
// rllm#116), each for `persistence` consecutive points.
// A collapse while the reward's last 5 points average within the top
// `converged_band` of its run-wide range is a policy that converged on what
// pays (a bandit settling on its best arm: tests/cli/learners/policy.py
// healthy), not an alarm; known miss: premature convergence onto a local
// optimum that is the best reward seen so far. 0 turns the check off.
#define SIDECAR_ENTROPY_OPTIONS(X)                                                       \
  X(bool, enabled, true, (), "off: entropy collapse/explosion raise nothing")            \
  X(int, min_points, 10, (2, 1e8), "points before the rules apply")                      \
  X(int, window, 20, (3, 1e5), "recent points of the explosion median")                  \
  X(double, collapse_fraction, 0.1, (0.0, 1.0), "collapse: <= this x the initial level") \
  X(double, explosion_ratio, 2.0, (1.0), "explosion: >= this x the recent median")       \
  X(double, explosion_min, 1.0, (), "and >= this absolute level")                        \
  X(int, persistence, 2, (1, 1000), "consecutive points")                                \
  X(double, converged_band, 0.25, (0.0, 1.0),                                            \
    "no collapse while the reward sits in this top share of its range (converged)")      \
  X(Severity, severity, Severity::kWarning, (), "alert severity")
SIDECAR_OPTIONS(EntropyOptions, SIDECAR_ENTROPY_OPTIONS);

// Returns an "entropy_collapse" or "entropy_explosion" decision.
inline std::optional<Decision> detect_entropy(const Series& ent, const EntropyOptions& opt,
                                              const Series* reward = nullptr) {
  if (!opt.enabled || ent.empty() || ent.finite_count() < static_cast<std::uint64_t>(std::max(opt.min_points, 2)))
    return std::nullopt;
  int p = std::max(opt.persistence, 1);
  if (ent.size() < static_cast<std::size_t>(p) + 1) return std::nullopt;
  auto init_span = ent.initial_values().first(std::min<std::size_t>(ent.initial_values().size(), 5));
  auto& init = detail::scratch(0);
  init.assign(init_span.begin(), init_span.end());
  double initial = detail::median_inplace(init);
  bool collapse = initial > 0;
  for (int i = 0; i < p && collapse; ++i) {
    double x = ent.from_back(static_cast<std::size_t>(i)).value;
    collapse = std::isfinite(x) && x <= opt.collapse_fraction * initial;
  }
  if (collapse && reward && opt.converged_band > 0 && reward->finite_count() >= 5) {
    auto& last = detail::scratch(1);
    reward->finite_window(0, 5, &last);
    double hi = *reward->max(), lo = *reward->min();
    const double mean = std::accumulate(last.begin(), last.end(), 0.0) / 5.0;
    // ... or, for a reward that is never negative, within converged_band of its best: a reward that sat near its cap
    // from the start has a range of noise alone (r32: a GRPO run's accuracy reward 0.63 .. 1.0, 0.88 over its last
    // five steps, while its token entropy fell 20x as the policy settled on answers it gets right)
    if (last.size() == 5 && hi > lo &&
        (mean >= hi - opt.converged_band * (hi - lo) || (lo >= 0 && mean >= (1.0 - opt.converged_band) * hi)))
      return std::nullopt;
  }
  if (collapse) {
    return detail::make_decision(Source::kPlaybook, "entropy_collapse", opt.severity,
                                 ent.name() + " collapsed to " + detail::fmt_num(ent.back().value) +
                                     " from an initial " + detail::fmt_num(initial),
                                 ent.name(), &ent, {{"initial", detail::fmt_num(initial)}});
  }
  auto& ref = detail::scratch(1);
  ent.finite_window(static_cast<std::size_t>(p), static_cast<std::size_t>(std::max(opt.window, 1)), &ref);
  if (ref.size() < 3) return std::nullopt;
  double med = detail::median_inplace(ref);
  if (!(med > 0)) return std::nullopt;
  for (int i = 0; i < p; ++i) {
    double x = ent.from_back(static_cast<std::size_t>(i)).value;
    if (!(std::isfinite(x) && x >= opt.explosion_ratio * med && x >= opt.explosion_min)) return std::nullopt;
  }
  return detail::make_decision(
      Source::kPlaybook, "entropy_explosion", opt.severity,
      ent.name() + " rose to " + detail::fmt_num(ent.back().value) + " from a recent median of " + detail::fmt_num(med),
      ent.name(), &ent, {{"recent_median", detail::fmt_num(med)}});
}

}  // namespace sidecar
