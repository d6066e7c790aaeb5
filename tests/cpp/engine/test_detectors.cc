// Every detector: fires, stays quiet, edge cases (empty, single point, NaN,
// negative, huge), the seed's cases and the seed's known false positives.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "sidecar/core/detectors/baseline.h"
#include "sidecar/core/detectors/grad_norm.h"
#include "sidecar/core/detectors/loss.h"
#include "sidecar/core/detectors/rl.h"
#include "sidecar/core/detectors/stall.h"
#include "sidecar/core/detectors/supervised.h"
#include "sidecar/core/detectors/throughput.h"

using namespace sidecar;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Series make(std::vector<double> values, std::string name = "loss", std::int64_t step0 = 0) {
  Series s(std::move(name));
  std::int64_t step = step0;
  for (double v : values) s.push(step++, v);
  return s;
}

// A language-model-like loss curve: starts near ln(50k) ~ 10.8 and decays to
// ~2 with small deterministic noise.
std::vector<double> lm_curve(int n, double floor = 2.0) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    double noise = 0.03 * std::sin(i * 1.7) + 0.02 * std::cos(i * 0.31);
    out.push_back(floor + (10.8 - floor) * std::exp(-i / 15.0) + noise);
  }
  return out;
}

const std::string* ev(const Decision& d, const char* key) { return evidence_get(d.evidence, key); }

// A detector asked about a series: a callable of the series alone, or a
// detect_xxx(series, options) function asked with its default options.
template <typename Detect>
std::optional<Decision> ask(const Detect& detect, const Series& s) {
  if constexpr (std::is_invocable_v<const Detect&, const Series&>)
    return detect(s);
  else
    return detect(s, {});
}

// The values arrive one at a time, at steps step0, step0 + stride, ...: the
// first decision the detector makes on the way, if any.
template <typename Detect>
std::optional<Decision> first_decision(const std::vector<double>& values, const Detect& detect,
                                       std::string name = "loss", std::int64_t step0 = 0, std::int64_t stride = 1) {
  Series s(std::move(name));
  std::optional<Decision> first;
  for (std::size_t i = 0; i < values.size(); ++i) {
    s.push(step0 + stride * static_cast<std::int64_t>(i), values[i]);
    if (!first) first = ask(detect, s);
  }
  return first;
}

// Validation loss, training loss and validation accuracy arrive one
// evaluation at a time (steps 1, 2, ...) until val_loss_regression first
// decides: that decision and the series as far as they were fed.
struct ValLossRun {
  Series vloss{"val_loss"}, loss{"loss"}, vacc{"val_acc"};
  std::optional<Decision> first;
};

ValLossRun first_val_loss_regression(const std::vector<double>& v, const std::vector<double>& t,
                                     const std::vector<double>& acc) {
  ValLossRun r;
  for (std::size_t i = 0; i < v.size() && !r.first; ++i) {
    const auto step = static_cast<std::int64_t>(i + 1);
    r.vloss.push(step, v[i]);
    r.loss.push(step, t[i]);
    r.vacc.push(step, acc[i]);
    r.first = detect_val_loss_regression(r.vloss, {}, &r.loss, &r.vacc);
  }
  return r;
}

// The values arrive one at a time (steps step0, step0 + 1, ...) and the
// detector stays quiet at every one of them.
template <typename Detect>
void check_quiet_throughout(const std::vector<double>& values, const Detect& detect, std::string name = "loss",
                            std::int64_t step0 = 0) {
  Series s(std::move(name));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::int64_t step = step0 + static_cast<std::int64_t>(i);
    s.push(step, values[i]);
    INFO("step " << step);
    CHECK_FALSE(ask(detect, s));
  }
}

}  // namespace

TEST_CASE("series: bounded ring, run-wide stats, same-step replace", "[series]") {
  Series s("x", 8);
  CHECK(s.empty());
  for (int i = 0; i < 100; ++i) s.push(i, i);
  CHECK(s.size() == 8);
  CHECK(s.count() == 100);
  CHECK(s.back().value == 99);
  CHECK(s.from_back(7).value == 92);
  CHECK(*s.max() == 99);
  CHECK(*s.min() == 0);
  CHECK(*s.max_before_last() == 98);
  CHECK(s.initial_values().size() == Series::kInitialValues);
  s.push(99, 5.0);  // same step: replaces
  CHECK(s.count() == 100);
  CHECK(s.back().value == 5.0);
  s.push(100, kNaN);
  s.push(101, kInf);
  CHECK(s.trailing_nonfinite() == 2);
  CHECK(s.finite_count() == 100);
  std::vector<double> w;
  s.finite_window(0, 4, &w);
  CHECK(w == std::vector<double>{98, 5});
}

TEST_CASE("nan_loss: critical at once, quiet otherwise", "[detectors][nan]") {
  CHECK_FALSE(detect_nan_loss(Series("loss"), {}));
  CHECK_FALSE(detect_nan_loss(make({2.0, 1.5}), {}));
  for (double bad : {kNaN, kInf, -kInf}) {
    auto d = detect_nan_loss(make({bad}), {});  // a single point is enough
    REQUIRE(d);
    CHECK(d->severity == Severity::kCritical);
    CHECK(d->syndrome == "nan_loss");
    CHECK(d->signature == "rulebased/nan_loss/loss");
    CHECK(d->step == 0);
  }
  auto d = detect_nan_loss(make({2.0, 1.9, kNaN}), {});
  REQUIRE(d);
  CHECK(d->message.find("nan") != std::string::npos);
  CHECK_FALSE(detect_nan_loss(make({kNaN}), {.enabled = false}));
}

TEST_CASE("high_loss: the LM initial loss ~10.8 at step 0 stays quiet", "[detectors][high_loss][false_positive]") {
  // The seed's absolute 'loss >= 8' fires here at step 0 of every LM run.
  check_quiet_throughout(lm_curve(300), detect_high_loss);
}

TEST_CASE("high_loss: a slow but steady early decline above 8 stays quiet", "[detectors][high_loss][false_positive]") {
  // Logged every step with a long warm-up: above 8 for ~150 points, but learning.
  std::vector<double> slow;
  for (int i = 0; i < 1000; ++i) slow.push_back(2.0 + 8.8 * std::exp(-i / 400.0) + 0.03 * std::sin(i * 1.7));
  check_quiet_throughout(slow, detect_high_loss);
  // The same run stuck at its initial level fires.
  Series stuck("loss");
  for (int i = 0; i < 60; ++i) stuck.push(i, 10.8 + 0.03 * std::sin(i * 1.7));
  CHECK(detect_high_loss(stuck, {}));
  // Diverged to a high plateau and stuck there: fires.
  Series diverged("loss");
  for (int i = 0; i < 100; ++i) diverged.push(i, i < 50 ? 2.0 : 9.0);
  CHECK(detect_high_loss(diverged, {}));
}

TEST_CASE("high_loss: a contrastive loss easing towards its high floor is learning (SupContrast#14)",
          "[detectors][high_loss][false_positive]") {
  // SimCLR's NT-Xent loss, steps 1-53: down at all but one step, the 20-step
  // medians under 2 % apart by the end.
  const std::vector<double> simclr = {
      52.376, 51.320, 50.260, 49.500, 49.093, 48.875, 48.574, 47.988, 47.178, 46.757, 46.549, 46.394, 46.234, 46.099,
      45.991, 45.912, 45.811, 45.534, 45.245, 44.959, 44.709, 44.494, 44.379, 44.301, 44.236, 44.171, 44.101, 44.014,
      43.969, 43.929, 43.905, 43.849, 43.796, 43.776, 43.735, 43.671, 43.635, 43.630, 43.594, 43.548, 43.522, 43.505,
      43.483, 43.439, 43.373, 43.362, 43.339, 43.311, 43.268, 43.255, 43.233, 43.249, 43.207};
  check_quiet_throughout(simclr, detect_high_loss);
  // Without the slope test (trend_z 0) it fires, and so does the same loss
  // once it stops falling: the last 40 points scatter around 43.2.
  Series s = make(simclr);
  CHECK(detect_high_loss(s, {.trend_z = 0.0}));
  Series flat = make(simclr);
  for (int i = 0; i < 40; ++i) flat.push(53 + i, 43.2 + 0.05 * std::sin(i * 1.7));
  CHECK(detect_high_loss(flat, {}));
}

TEST_CASE("high_loss: fires when the loss stays high past warm-up", "[detectors][high_loss]") {
  CHECK_FALSE(detect_high_loss(Series("loss"), {}));
  CHECK_FALSE(detect_high_loss(make({9.0}), {}));
  std::vector<double> v(60, 9.5);
  auto d = detect_high_loss(make(v), {});
  REQUIRE(d);
  CHECK(d->syndrome == "high_loss");
  CHECK(d->severity == Severity::kWarning);
  CHECK(*ev(*d, "above") == "20/20");
  // Huge values too.
  std::vector<double> huge(60, 1e300);
  CHECK(detect_high_loss(make(huge), {}));
  // Negative losses are never "high".
  std::vector<double> neg(60, -3.0);
  CHECK_FALSE(detect_high_loss(make(neg), {}));
  // A brief excursion over the cap is not "staying high".
  std::vector<double> mostly_low(60, 2.0);
  mostly_low[55] = 9.0;
  mostly_low[59] = 9.0;
  CHECK_FALSE(detect_high_loss(make(mostly_low), {}));
}

TEST_CASE("loss_spike: warm-up in the reference does not mask a later spike", "[detectors][spike][false_positive]") {
  // Seed rule: current >= 3 x mean(all previous) -- the warm-up (10.8 ...)
  // inflates the mean, so a later jump from 2 to 5 goes unseen. Ours fires.
  std::vector<double> v = lm_curve(150);
  for (int i = 0; i < 3; ++i) v.push_back(5.0 + 0.1 * i);
  double mean_prev = 0;
  for (std::size_t i = 0; i + 1 < v.size(); ++i) mean_prev += v[i];
  mean_prev /= static_cast<double>(v.size() - 1);
  REQUIRE(v.back() < 3.0 * mean_prev);  // the seed's rule stays silent here
  Series s = make(v);
  auto d = detect_loss_spike(s, {});
  REQUIRE(d);
  CHECK(d->syndrome == "loss_spike");
  CHECK(*ev(*d, "rule") == "robust_z");
  CHECK(d->severity == Severity::kWarning);
  CHECK(d->signature == "rulebased/loss_spike/loss");
}

TEST_CASE("loss_spike: needs persistence, a one-point blip stays quiet", "[detectors][spike]") {
  std::vector<double> v = lm_curve(150);
  v.push_back(5.0);
  CHECK_FALSE(detect_loss_spike(make(v), {}));
  v.push_back(5.1);
  CHECK_FALSE(detect_loss_spike(make(v), {}));
  v.push_back(5.2);
  CHECK(detect_loss_spike(make(v), {}));
  // ... and it is over once the loss comes back.
  v.push_back(2.0);
  CHECK_FALSE(detect_loss_spike(make(v), {}));
}

TEST_CASE("loss_spike: a whole healthy LM curve never fires", "[detectors][spike][false_positive]") {
  check_quiet_throughout(lm_curve(400), detect_loss_spike);
}

TEST_CASE("loss_spike: Megatron's 10x-max ceiling is critical at once", "[detectors][spike]") {
  auto d = detect_loss_spike(make({10.8, 9.0, 7.0, 6.0, 150.0}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "ceiling");
  CHECK(d->severity == Severity::kCritical);
  auto huge = detect_loss_spike(make({2.0, 2.1, 1.9, 2.0, 1e300}), {});
  REQUIRE(huge);
  CHECK(*ev(*huge, "rule") == "ceiling");
}

TEST_CASE("loss_spike: with one or two points before it, the ceiling wants 1000x (handson-ml2 chapter 10)",
          "[detectors][spike]") {
  // A regression MLP at SGD learning rate 0.05: 0.7645 for its first epoch, 8.2e9 for its second (then 1.34 for ever).
  auto d = detect_loss_spike(make({0.7645, 8159520618.2209}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "ceiling");
  CHECK(d->severity == Severity::kCritical);
  CHECK(detect_loss_spike(make({0.7645, 0.6, 8159520618.2209}), {}));
  // Under 1000x with so little before it: a second epoch's loss may be anything near the first's scale.
  CHECK_FALSE(detect_loss_spike(make({0.7645, 500.0}), {}));
  CHECK_FALSE(detect_loss_spike(make({0.7645, 0.6, 500.0}), {}));
  // A first value at or under 0 is no scale.
  CHECK_FALSE(detect_loss_spike(make({0.0, 8159520618.2209}), {}));
}

TEST_CASE("loss_spike: a negative log-likelihood that jumps positive past 10x its magnitude (WaveGlow#32)",
          "[detectors][spike]") {
  auto d = detect_loss_spike(make({-4.0656, -4.4903, -4.4543, -4.3225, 4191.68}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "ceiling");
  CHECK(d->severity == Severity::kCritical);
  // A sign change within the magnitude it had (a WGAN generator loss
  // swinging -2 .. -10 .. +40) is no ceiling spike.
  CHECK_FALSE(detail::spike_ceiling(make({-2.0, -5.0, -10.0, -3.0, 40.0}), {}, 4));
  // Too few points before it: the ceiling needs ceiling_min_points.
  CHECK_FALSE(detail::spike_ceiling(make({-4.0, -4.4, 4191.0}), {}, 2));
}

TEST_CASE("loss_spike: the seed's ratio case still fires early in a run", "[detectors][spike][seed]") {
  auto d = detect_loss_spike(make({1.0, 1.1, 0.9, 1.0, 3.5}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "early_ratio");
  CHECK_FALSE(detect_loss_spike(make({1.0, 1.1, 0.9, 1.0, 2.5}), {}));
}

TEST_CASE("loss_spike: a loss at its print resolution is no multiple of its mean (GRPO 0.0, 0.0001)",
          "[detectors][spike][false_positive]") {
  // A GRPO loss logged with 4 decimals (unsloth#2291): 0.0 for eight steps,
  // then 0.0001 -- 9x the mean of the points before it, before rounding.
  check_quiet_throughout({0, 0, 0, 0, 0, 0, 0, 0, 0.0001, 0.0001, 0.0001}, detect_loss_spike, "loss");
  // The robust rule on the raw scale: 30 zeros, then three 0.0001.
  std::vector<double> zeros(30, 0.0);
  for (int i = 0; i < 3; ++i) zeros.push_back(0.0001);
  CHECK_FALSE(detect_loss_spike(make(zeros), {}));
  // The ceiling: 0.0012 is not 10x a maximum printed as 0.0001 (the early ratio may still judge it).
  CHECK_FALSE(detail::spike_ceiling(make({0.0001, 0.0, 0.0001, 0.0, 0.0012}), {}, 4));
  // Spikes far beyond the rounding still fire on the same print resolution.
  auto early = detect_loss_spike(make({0.0012, 0.0011, 0.0013, 0.0012, 0.0060}), {});
  REQUIRE(early);
  CHECK(*ev(*early, "rule") == "early_ratio");
  zeros.resize(30);
  for (int i = 0; i < 3; ++i) zeros.push_back(0.0537);
  CHECK(detect_loss_spike(make(zeros), {}));
  CHECK(detect_loss_spike(make({0.0001, 0.0, 0.0001, 0.0, 0.0020}), {}));
  CHECK(detail::print_step(0.0001) == Approx(1e-4));
  CHECK(detail::print_step(6.8593) == Approx(1e-4));
  CHECK(detail::print_step(25.0) == 1.0);
  CHECK(detail::print_step(0.6931471824645996) == 0.0);
}

TEST_CASE("loss_spike: edge cases", "[detectors][spike]") {
  CHECK_FALSE(detect_loss_spike(Series("loss"), {}));
  CHECK_FALSE(detect_loss_spike(make({5.0}), {}));
  CHECK_FALSE(detect_loss_spike(make({1.0, 1.0, 1.0, kNaN}), {}));  // nan_loss covers it
  // Flat loss (MAD 0) then a tiny wiggle is not a spike.
  std::vector<double> flat(120, 1.0);
  flat.push_back(1.01);
  flat.push_back(1.01);
  flat.push_back(1.01);
  CHECK_FALSE(detect_loss_spike(make(flat), {}));
  // Negative losses (e.g. an RL objective) are handled on the raw scale.
  std::vector<double> neg;
  for (int i = 0; i < 120; ++i) neg.push_back(-1.0 + 0.01 * std::sin(i));
  CHECK_FALSE(detect_loss_spike(make(neg), {}));
  neg.push_back(5.0);
  neg.push_back(5.0);
  neg.push_back(5.0);
  CHECK(detect_loss_spike(make(neg), {}));
  CHECK_FALSE(detect_loss_spike(make(neg), {.enabled = false}));
}

TEST_CASE("val_acc_drop: the seed's case fires (warning)", "[detectors][supervised][seed]") {
  Series s = make({0.71, 0.74, 0.79, 0.84, 0.85, 0.69, 0.67}, "val/accuracy");
  auto d = detect_val_acc_drop(s, {});
  REQUIRE(d);
  CHECK(d->syndrome == "validation_drop");
  CHECK(d->severity == Severity::kWarning);
  CHECK(d->source == Source::kPlaybook);
  CHECK(*ev(*d, "best") == "0.85");
  CHECK(d->signature == "playbook/validation_drop/val/accuracy");
}

TEST_CASE("val_acc_drop: quiet cases and edges", "[detectors][supervised]") {
  CHECK_FALSE(detect_val_acc_drop(Series("acc"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.5}, "acc"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.71, 0.74, 0.79, 0.84, 0.85, 0.86, 0.87}, "acc"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.71, 0.74, 0.79, 0.84, 0.85, 0.83}, "acc"), {}));  // small dip
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.5, 0.4}, "acc"), {}));                      // < 6 evaluations
  CHECK_FALSE(detect_val_acc_drop(make({0.71, 0.74, 0.79, 0.84, 0.85, 0.69, kNaN}, "acc"), {}));
  // Percentages: the same drop in 0-100 units.
  CHECK(detect_val_acc_drop(make({71, 74, 79, 84, 85, 69, 67}, "acc"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({71, 74, 79, 84, 85, 84.9, 84.8}, "acc"), {}));
}

TEST_CASE("val_loss_regression: a single low evaluation of a noisy validation set is no level (r28, CGCNN)",
          "[detectors][supervised][false_positive]") {
  // Valid Loss 70.7, 58.7, 59.8, 125.8, 47.1, then 73.3: 1.56x the single lowest, not 1.5x any three-evaluation mean.
  CHECK_FALSE(detect_val_loss_regression(make({70.66, 58.69, 59.80, 125.75, 47.12, 73.27}, "Valid Loss"), {}));
  // A level it held, then a rise that stays: fires.
  auto d = detect_val_loss_regression(make({70.0, 50.0, 48.0, 47.0, 49.0, 80.0, 85.0, 90.0}, "Valid Loss"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "regression");
  // A first evaluation that is the best, the loss rising from there, is no dip to discount (r30, Whisper at LR 3e-3
  // warming up): quiet at the fifth evaluation (recent mean 1.39x), fires at the sixth.
  std::vector<double> whisper = {2.5529, 3.6152, 3.4914, 3.1947, 3.9588};
  CHECK_FALSE(detect_val_loss_regression(make(whisper, "eval_loss"), {}));
  whisper.push_back(3.9837);
  CHECK(detect_val_loss_regression(make(whisper, "eval_loss"), {}));
}

TEST_CASE("val_loss_regression: fires and stays quiet", "[detectors][supervised]") {
  auto d = detect_val_loss_regression(make({1.0, 0.8, 0.6, 0.5, 0.5, 0.9, 0.95}, "val/loss"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "validation_loss_regression");
  CHECK_FALSE(detect_val_loss_regression(make({1.0, 0.8, 0.6, 0.5, 0.45, 0.44}, "val/loss"), {}));
  CHECK_FALSE(detect_val_loss_regression(Series("val/loss"), {}));
  CHECK_FALSE(detect_val_loss_regression(make({0.5}, "val/loss"), {}));
  CHECK_FALSE(detect_val_loss_regression(make({-1, -2, -3, -4, -5, -1}, "val/loss"), {}));
  CHECK_FALSE(detect_val_loss_regression(make({1.0, 0.8, 0.6, 0.5, 0.5, kInf}, "val/loss"), {}));
}

TEST_CASE("reward_drop: positive and negative rewards, after the RL warm-up", "[detectors][rl]") {
  // The seed's drop (12 -> 4), held for two points, once past the warm-up.
  auto d = detect_reward_drop(make({9, 10, 10, 11, 10, 10, 11, 12, 11, 12, 4, 4}, "reward"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "reward_drop");
  CHECK(band_of(*d));
  // One low point is no drop by default: a single dip of a noisy return
  // recovers on the next row (a PPO HalfCheetah return 374 -> 148 -> 297);
  // persistence 1 takes it as the seed did.
  CHECK_FALSE(detect_reward_drop(make({9, 10, 10, 11, 10, 10, 11, 12, 11, 12, 11, 4}, "reward"), {}));
  CHECK(detect_reward_drop(make({9, 10, 10, 11, 10, 10, 11, 12, 11, 12, 11, 4}, "reward"), {.persistence = 1}));
  // Negative rewards (the seed's rule never fires for them): -20 -> -45.
  CHECK(detect_reward_drop(make({-22, -20, -21, -20, -21, -20, -19, -21, -20, -20, -45, -46}, "reward"), {}));
  // Negative rewards that improve stay quiet.
  CHECK_FALSE(detect_reward_drop(make({-100, -80, -60, -40, -30, -20, -15, -12, -10, -9, -8, -7}, "reward"), {}));
  // Ordinary noise stays quiet.
  CHECK_FALSE(detect_reward_drop(make({10, 10.5, 9.8, 10.2, 9.9, 10.1, 9.5, 10.3, 9.7, 10.0, 9.6, 9.9}, "reward"), {}));
  // Edges.
  CHECK_FALSE(detect_reward_drop(Series("reward"), {}));
  CHECK_FALSE(detect_reward_drop(make({5}, "reward"), {}));
  CHECK_FALSE(detect_reward_drop(make({9, 10, 10, 11, 10, 10, 11, 12, 11, 12, 4, kNaN}, "reward"), {}));
  // Zero from the first row is no drop (7 rows; from the eighth it is the frozen rule, tested below).
  CHECK_FALSE(detect_reward_drop(make(std::vector<double>(7, 0.0), "reward"), {}));
  std::vector<double> huge(10, 1e300);
  huge.push_back(1.0);
  huge.push_back(1.0);
  CHECK(detect_reward_drop(make(huge, "reward"), {}));
}

TEST_CASE("reward_drop: a fresh policy's noisy first updates are warm-up, not a drop",
          "[detectors][rl][false_positive]") {
  // PPO's first updates: the reward dips from its random-policy level, then learns.
  check_quiet_throughout({5.0, 4.0, 1.0, 0.5, 0.8, 3.0, 6.0, 8.0, 9.0, 10.0, 11.0, 12.0}, detect_reward_drop, "reward");
  // Without the warm-up the same dip would fire: the rule can fail.
  Series t = make({5.0, 5.0, 5.0, 5.0, 5.0, 1.0, 0.5}, "reward");
  CHECK(detect_reward_drop(t, {.warmup_points = 0}));
}

TEST_CASE("reward_drop: a reward the reference window itself reached is noise (GRPO batch rewards)",
          "[detectors][rl][false_positive]") {
  // unsloth#2291's GRPO table: the batch reward swings with the prompts
  // (-18.75 .. 7.5); -17.25 at step 11 is under mean - 0.5 x scale of the five
  // before it, but one of them was -17.25 too.
  std::vector<double> grpo = {-17.25, -10.5, 0.0, -18.75, -4.0, -17.25, -13.75, 7.5, -3.0, -11.5, -17.25};
  check_quiet_throughout(grpo, detect_reward_drop, "reward");
  // Under the window's low for two points it is a drop.
  grpo.back() = -25.0;
  grpo.push_back(-26.0);
  CHECK(detect_reward_drop(make(grpo, "reward"), {}));
}

TEST_CASE("reward_drop: a per-step GRPO reward that jumps around its range dips into it (r29, unsloth)",
          "[detectors][rl][false_positive]") {
  // The Advanced Llama 3.1 (3B) GRPO notebook's reward over its first 72 steps: -1.2 .. -0.3 for 50 steps, easing
  // up to -0.3 .. 0.09, then -0.70 and -0.69 (back where it was 10 steps before); it rises to 8 afterwards.
  const std::vector<double> grpo = {
      -1.234375, -0.765625, -1.140625, -0.5625,   -0.578125, -0.765625, -1.015625, -0.328125, -0.640625,
      -1.03125,  -0.546875, -0.796875, -0.859375, -1.0625,   -0.828125, -0.90625,  -1.0625,   -1.109375,
      -1.1875,   -1.203125, -0.65625,  -0.9375,   -0.546875, -0.875,    -0.6875,   -0.828125, -0.359375,
      -0.90625,  -0.625,    -0.46875,  -0.859375, -0.453125, -1.03125,  -0.890625, -0.640625, -0.84375,
      -0.828125, -0.5625,   -0.53125,  -1.03125,  -0.265625, -0.8125,   -0.765625, -0.8125,   -1.21875,
      -0.671875, -0.671875, -0.453125, -0.8125,   -0.484375, -0.296875, -0.625,    -0.578125, -0.734375,
      -0.46875,  -0.4375,   -0.46875,  -0.40625,  0.03125,   -0.1875,   -0.140625, -0.6875,   -0.359375,
      0.09375,   -0.296875, -0.375,    0.09375,   -0.3125,   -0.125,    0.015625,  -0.703125, -0.6875};
  check_quiet_throughout(grpo, detect_reward_drop, "reward");
}

TEST_CASE("reward_hacking: the seed's case fires (critical)", "[detectors][rl][seed]") {
  Series reward = make({10, 12, 13, 14, 15, 24}, "episode_reward");
  Series success = make({.80, .82, .81, .79, .78, .45}, "success_rate");
  auto d = detect_reward_hacking(reward, success, {});
  REQUIRE(d);
  CHECK(d->syndrome == "reward_hacking_suspected");
  CHECK(d->severity == Severity::kCritical);
  CHECK(*ev(*d, "rule") == "jump");
  CHECK(*ev(*d, "quality_metric") == "success_rate");
}

TEST_CASE("reward_hacking: accuracy reward falls while total reward rises (open-r1#255)", "[detectors][rl]") {
  // format_reward 0.48 -> 0.86 drives the total up; accuracy_reward 0.16 -> 0.06.
  std::vector<double> total, acc;
  for (int i = 0; i < 20; ++i) {
    double t = i / 19.0;
    total.push_back(0.64 + 0.28 * t + 0.01 * std::sin(i));
    acc.push_back(0.16 - 0.10 * t + 0.005 * std::cos(i));
  }
  auto d = detect_reward_hacking(make(total, "reward"), make(acc, "rewards/accuracy_reward"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "trend");
}

TEST_CASE("reward_hacking: quiet cases and edges", "[detectors][rl]") {
  // Both rising: healthy.
  CHECK_FALSE(detect_reward_hacking(make({10, 12, 13, 14, 15, 24}, "r"), make({.5, .55, .6, .62, .65, .7}, "s"), {}));
  // Reward jumps, success flat.
  CHECK_FALSE(detect_reward_hacking(make({10, 12, 13, 14, 15, 24}, "r"), make({.8, .8, .8, .8, .8, .79}, "s"), {}));
  // Success falls, reward falls too (a collapse, not hacking).
  CHECK_FALSE(detect_reward_hacking(make({10, 12, 13, 14, 15, 5}, "r"), make({.8, .8, .8, .8, .8, .3}, "s"), {}));
  CHECK_FALSE(detect_reward_hacking(Series("r"), Series("s"), {}));
  CHECK_FALSE(detect_reward_hacking(make({1}, "r"), make({1}, "s"), {}));
  CHECK_FALSE(detect_reward_hacking(make({10, 12, 13, 14, 15, kNaN}, "r"), make({.8, .8, .8, .8, .8, .3}, "s"), {}));
  // Negative rewards rising towards zero while success collapses: still hacking.
  CHECK(detect_reward_hacking(make({-50, -48, -47, -49, -48, -10}, "r"), make({.8, .8, .8, .8, .8, .3}, "s"), {}));
}

TEST_CASE("reward_hacking: one lucky sample of the quality is no level it held (r29, unsloth's Mistral GRPO)",
          "[detectors][rl][false_positive]") {
  // A correctness reward that scored 0.33 once, at step 13, and 0 everywhere else, while the format
  // rewards lift the total: nothing fell. Every prefix stays quiet, for the jump and the trend rules alike.
  std::vector<double> reward, correct;
  for (int i = 0; i < 30; ++i) {
    reward.push_back(-0.6 + 0.02 * i + 0.1 * std::sin(1.7 * i));
    correct.push_back(i == 13 ? 1.0 / 3.0 : 0.0);
  }
  for (std::size_t n = 2; n <= reward.size(); ++n) {
    std::vector<double> r(reward.begin(), reward.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<double> c(correct.begin(), correct.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("prefix " << n);
    CHECK_FALSE(detect_reward_hacking(make(r, "reward"), make(c, "rewards / correctness_reward_func"), {}));
  }
  // Twice in the early half, then never again while the reward rises: a level it lost.
  correct[16] = 1.0 / 3.0;
  CHECK(detect_reward_hacking(make(reward, "reward"), make(correct, "rewards / correctness_reward_func"), {}));
}

TEST_CASE("kl_explosion: the seed's rule", "[detectors][rl]") {
  auto d = detect_kl_explosion(make({0.01, 0.012, 0.011, 0.013, 0.012, 0.2}, "kl"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "kl_explosion");
  CHECK_FALSE(detect_kl_explosion(make({0.01, 0.012, 0.011, 0.013, 0.012, 0.1}, "kl"), {}));  // <= 0.15
  CHECK_FALSE(detect_kl_explosion(make({0.1, 0.12, 0.11, 0.13, 0.12, 0.2}, "kl"), {}));       // < 2.5x
  CHECK_FALSE(detect_kl_explosion(Series("kl"), {}));
  CHECK_FALSE(detect_kl_explosion(make({5.0}, "kl"), {}));
  CHECK(detect_kl_explosion(make({0.01, 0.02, kNaN}, "kl"), {}));
  CHECK(detect_kl_explosion(make({-0.01, -0.02, 0.0, -0.01, 0.01, 1e300}, "kl"), {}));
}

TEST_CASE("grad_norm: NaN is a warning unless it persists or the loss is 0", "[detectors][grad_norm]") {
  Series g = make({1.0, 1.1, kNaN}, "grad_norm");
  auto d = detect_grad_norm(g, nullptr, {});
  REQUIRE(d);
  CHECK(d->syndrome == "grad_norm_nonfinite");
  CHECK(d->severity == Severity::kWarning);
  g.push(3, kNaN);
  g.push(4, kInf);
  d = detect_grad_norm(g, nullptr, {});
  REQUIRE(d);
  CHECK(d->severity == Severity::kCritical);
  Series loss = make({0.0}, "loss");
  d = detect_grad_norm(make({1.0, kNaN}, "grad_norm"), &loss, {});
  REQUIRE(d);
  CHECK(d->severity == Severity::kCritical);
  CHECK_FALSE(detect_grad_norm(Series("grad_norm"), nullptr, {}));
  CHECK_FALSE(detect_grad_norm(make({1.0}, "grad_norm"), nullptr, {}));
  // The AMP loss scale halved down to its minimum: critical at the first NaN.
  Series scale = make({64, 32, 16, 8, 4, 2, 1}, "loss_scale");
  d = detect_grad_norm(make({1.0, kNaN}, "grad_norm"), nullptr, {}, &scale);
  REQUIRE(d);
  CHECK(d->severity == Severity::kCritical);
  CHECK(*ev(*d, "loss_scale") == "1");
  Series healthy_scale = make({65536}, "loss_scale");
  CHECK(detect_grad_norm(make({1.0, kNaN}, "grad_norm"), nullptr, {}, &healthy_scale)->severity == Severity::kWarning);
}

TEST_CASE("grad_norm: a loss scaler's skipped step is info, not a warning", "[detectors][grad_norm]") {
  // Time-MoE#71: nan at the first logged row (the scaler's first scales
  // overflow) and again three rows later, a steady loss throughout.
  Series loss = make({0.147, 0.155, 0.186, 0.182}, "loss");
  auto d = detect_grad_norm(make({kNaN}, "grad_norm"), &loss, {});
  REQUIRE(d);
  CHECK(d->severity == Severity::kInfo);
  d = detect_grad_norm(make({kNaN, 0.19, 1.02, kNaN}, "grad_norm"), &loss, {});
  REQUIRE(d);
  CHECK(d->syndrome == "grad_norm_nonfinite");
  CHECK(d->severity == Severity::kInfo);
  CHECK(*ev(*d, "rule") == "loss_scaler_skip");
  // No earlier recovery: the first non-finite value mid-run still warns.
  CHECK(detect_grad_norm(make({0.59, 4.25, 1.34, kNaN}, "grad_norm"), &loss, {})->severity == Severity::kWarning);
  // Persisting, a zero loss or a non-finite loss: not a skipped step.
  CHECK(detect_grad_norm(make({kNaN, 0.19, kNaN, kNaN, kNaN}, "grad_norm"), &loss, {})->severity ==
        Severity::kCritical);
  CHECK(detect_grad_norm(make({kNaN, kNaN, kNaN}, "grad_norm"), &loss, {})->severity == Severity::kCritical);
  Series zero = make({0.2, 0.0}, "loss");
  CHECK(detect_grad_norm(make({kNaN}, "grad_norm"), &zero, {})->severity == Severity::kCritical);
  Series nan_loss = make({0.2, kNaN}, "loss");
  CHECK(detect_grad_norm(make({kNaN, 0.19, kNaN}, "grad_norm"), &nan_loss, {})->severity == Severity::kWarning);
}

TEST_CASE("grad_norm: explosion after warm-up", "[detectors][grad_norm]") {
  std::vector<double> v;
  for (int i = 0; i < 40; ++i) v.push_back(1.0 + 0.1 * std::sin(i));
  CHECK_FALSE(detect_grad_norm(make(v, "grad_norm"), nullptr, {}));
  v.push_back(30.0);
  auto d = detect_grad_norm(make(v, "grad_norm"), nullptr, {});
  REQUIRE(d);
  CHECK(d->syndrome == "grad_norm_explosion");
  CHECK(d->severity == Severity::kWarning);
  v.push_back(35.0);
  v.push_back(40.0);
  d = detect_grad_norm(make(v, "grad_norm"), nullptr, {});
  REQUIRE(d);
  CHECK(d->severity == Severity::kCritical);
  // Early in the run (warm-up) large swings are normal.
  CHECK_FALSE(detect_grad_norm(make({1.0, 50.0}, "grad_norm"), nullptr, {}));
  // One blip of 10-20x the median is one a clipped optimizer survives (r30, TrOCR: 12.5x while the loss falls); the
  // same at two points running is an explosion.
  v.resize(40);
  v.push_back(12.5);
  CHECK_FALSE(detect_grad_norm(make(v, "grad_norm"), nullptr, {}));
  v.push_back(13.0);
  d = detect_grad_norm(make(v, "grad_norm"), nullptr, {});
  REQUIRE(d);
  CHECK(d->syndrome == "grad_norm_explosion");
}

TEST_CASE("stall: k x the run's own median interval, at least min_seconds", "[detectors][stall]") {
  ArrivalClock c;
  CHECK_FALSE(detect_stall(c, 1000, {}));
  for (int i = 0; i <= 10; ++i) c.arrive(1000 + 10.0 * i);  // every 10 s, last at 1100
  CHECK(c.median_interval() == Approx(10.0));
  CHECK_FALSE(detect_stall(c, 1100 + 200, {}));  // < min_seconds (300)
  auto d = detect_stall(c, 1100 + 400, {});
  REQUIRE(d);
  CHECK(d->syndrome == "stall");
  CHECK(d->signature == "rulebased/stall/metrics");
  ArrivalClock slow;
  for (int i = 0; i <= 10; ++i) slow.arrive(60.0 * i);  // every minute, last at 600
  CHECK_FALSE(detect_stall(slow, 600 + 400, {}));       // 10 x 60 s = 600 s limit
  CHECK(detect_stall(slow, 600 + 601, {}));
  ArrivalClock few;
  few.arrive(0);
  few.arrive(10);
  CHECK_FALSE(detect_stall(few, 10000, {}));  // too few intervals to know the run's pace
}

TEST_CASE("entropy: collapse and explosion", "[detectors][rl]") {
  std::vector<double> collapse = {2.0, 2.0, 1.9, 2.1, 2.0, 1.5, 1.0, 0.5, 0.15, 0.1, 0.1};
  auto d = detect_entropy(make(collapse, "entropy"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "entropy_collapse");
  std::vector<double> boom(20, 0.5);
  boom.push_back(1.5);
  boom.push_back(1.6);
  d = detect_entropy(make(boom, "entropy"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "entropy_explosion");
  std::vector<double> ok(20, 0.3);
  ok.push_back(0.8);
  ok.push_back(0.8);
  CHECK_FALSE(detect_entropy(make(ok, "entropy"), {}));  // rising but below 1 (rllm#116)
  CHECK_FALSE(detect_entropy(Series("entropy"), {}));
  CHECK_FALSE(detect_entropy(make({0.0}, "entropy"), {}));
  std::vector<double> nan_tail(20, 0.5);
  nan_tail.push_back(kNaN);
  CHECK_FALSE(detect_entropy(make(nan_tail, "entropy"), {}));
}

TEST_CASE("throughput_regression: the seed's case, after warm-up", "[detectors][baseline][seed]") {
  Baseline b;
  b.runs = 3;
  b.throughput = 50.0;
  b.throughput_n = 3;
  std::vector<double> v(10, 20.0);
  auto d = detect_throughput_regression(make(v, "throughput"), b, {});
  REQUIRE(d);
  CHECK(d->syndrome == "throughput_regression");
  CHECK(d->source == Source::kBaseline);
  CHECK(*ev(*d, "baseline_runs") == "3");
  CHECK_FALSE(detect_throughput_regression(make(v, "throughput"), Baseline{}, {}));  // no baseline
}

TEST_CASE("throughput_regression: warm-up / compile is not a regression", "[detectors][baseline][false_positive]") {
  Baseline b;
  b.runs = 2;
  b.throughput = 50.0;
  auto regression = [&b](const Series& s) { return detect_throughput_regression(s, b, {}); };
  std::vector<double> v = {2, 5, 12, 30, 45, 49, 51, 50, 48, 52, 50};  // compile, warm-up, steady
  check_quiet_throughout(v, regression, "throughput");
  // One slow step (a checkpoint) is not a regression either.
  v.push_back(10.0);
  CHECK_FALSE(regression(make(v, "throughput")));
  CHECK_FALSE(detect_throughput_regression(Series("throughput"), b, {}));
}

TEST_CASE("quality_behind: in-progress best vs finished best stays quiet", "[detectors][baseline][false_positive]") {
  // Earlier runs reached 0.85 at step 1000 but were at ~0.72 at step 300.
  Baseline b;
  b.runs = 2;
  b.val_accuracy_best = 0.85;
  for (int r = 0; r < 2; ++r) {
    Baseline::Curve c;
    for (int step = 100; step <= 1000; step += 100)
      c.points.push_back({step, 0.5 + 0.35 * (step / 1000.0) + (step == 300 ? 0.015 : 0.0) + 0.01 * r});
    c.last_step = 1000;
    b.val_accuracy_curves.push_back(c);
  }
  // This run at step 300 has 0.70: behind the final 0.85 by 0.15 (the seed
  // fires), but at the same progress earlier runs had ~0.62-0.63. Quiet.
  Series acc("val/accuracy");
  acc.push(100, 0.6);
  acc.push(200, 0.66);
  acc.push(300, 0.70);
  CHECK_FALSE(detect_quality_behind(acc, b, {}));
  // Truly behind at the same progress: fires.
  Series bad("val/accuracy");
  bad.push(100, 0.4);
  bad.push(200, 0.45);
  bad.push(300, 0.5);
  auto d = detect_quality_behind(bad, b, {});
  REQUIRE(d);
  CHECK(d->syndrome == "quality_behind");
  CHECK(*ev(*d, "baseline_runs") == "2");
  // Beyond the progress earlier runs reached: nothing to compare with.
  Series longer("val/accuracy");
  longer.push(1500, 0.1);
  longer.push(1600, 0.1);
  longer.push(1700, 0.1);
  CHECK_FALSE(detect_quality_behind(longer, b, {}));
  CHECK_FALSE(detect_quality_behind(Series("acc"), b, {}));
  CHECK_FALSE(detect_quality_behind(bad, Baseline{}, {}));
}

TEST_CASE("nonfinite_metric: any key that was finite turns NaN/Inf", "[detectors][nan]") {
  CHECK_FALSE(detect_nonfinite_metric(Series("lr"), {}));
  CHECK_FALSE(detect_nonfinite_metric(make({kNaN, kNaN}, "eval_bleu"), {}));  // never finite: a placeholder
  CHECK_FALSE(detect_nonfinite_metric(make({1e-4, 2e-4}, "lr"), {}));
  auto d = detect_nonfinite_metric(make({0.7, 0.71, kNaN, kNaN}, "eval_accuracy"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "nonfinite_metric");
  CHECK(d->severity == Severity::kWarning);
  CHECK(d->signature == "rulebased/nonfinite_metric/eval_accuracy");
  CHECK(*ev(*d, "first_step") == "2");
  // Loss-family keys go through nan_loss: critical, named by their key.
  auto l = detect_nan_loss(make({0.5, kNaN}, "policy_loss"), {});
  REQUIRE(l);
  CHECK(l->severity == Severity::kCritical);
  CHECK(l->signature == "rulebased/nan_loss/policy_loss");
}

TEST_CASE("loss_divergence: several times the minimum and still rising, on a short series", "[detectors][divergence]") {
  // A pasted log: 4 epochs learn, then the loss climbs back (too high a learning rate).
  auto d = detect_loss_divergence(make({2.3, 1.2, 0.6, 0.5, 0.9, 1.6, 2.1}), {});
  REQUIRE(d);
  CHECK(d->syndrome == "loss_divergence");
  CHECK(*ev(*d, "rule") == "fast");
  CHECK(*ev(*d, "min") == "0.5");
  // Not rising any more at this point (a single blip back down): quiet.
  CHECK_FALSE(detect_loss_divergence(make({2.3, 1.2, 0.6, 0.5, 0.9, 1.6, 1.55}), {}));
  // A loss near zero wiggling 0.01 -> 0.04 has not climbed back towards its start.
  CHECK_FALSE(detect_loss_divergence(make({2.3, 0.5, 0.05, 0.01, 0.02, 0.03, 0.04}), {}));
  // Edges: NaN, non-positive minimum, one point.
  CHECK_FALSE(detect_loss_divergence(make({2.3, 0.5, 0.9, 1.6, kNaN}), {}));
  CHECK_FALSE(detect_loss_divergence(make({-1.0, -2.0, 3.0, 4.0, 5.0}), {}));
  CHECK_FALSE(detect_loss_divergence(make({5.0}), {}));
  CHECK_FALSE(detect_loss_divergence(make({2.3, 1.2, 0.6, 0.5, 0.9, 1.6, 2.1}), {.enabled = false}));
}

TEST_CASE("loss_divergence fast: a running average's first print is one batch (PaddleClas#3203)",
          "[detectors][divergence][false_positive]") {
  // An epoch's running average starts at one batch's loss and drifts to its
  // level: 3.8x its first value, rising three times, in a healthy epoch.
  CHECK_FALSE(detect_loss_divergence(make({0.01757, 0.05098, 0.05253, 0.06434, 0.06668}), {}));
  // A loss that really leaves its first values behind still fires, at the
  // same point (pytorch#38192: 0.046, 0.053, then 2.29, 2.30).
  auto d = detect_loss_divergence(make({0.046, 0.053, 2.294, 2.301}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "fast");
  // A minimum that is not the first value stays the reference (unless it is one lucky batch, 2.5x under the value
  // before it: then that value is the level).
  CHECK(detect_loss_divergence(make({0.05, 0.03, 0.01757, 0.05098, 0.05253, 0.06434}), {}));
  CHECK_FALSE(detect_loss_divergence(make({0.05, 0.01757, 0.05098, 0.05253, 0.06434}), {}));
}

TEST_CASE("loss_divergence absurd: a loss at 1e20 or more has diverged (DOPE#74)", "[detectors][divergence]") {
  // An excerpt that starts after the blow-up: 3.03e31 and creeping up 4 %,
  // no minimum to climb back from.
  auto d = detect_loss_divergence(make({3.0266e31, 3.0373e31, 3.0477e31}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "absurd");
  REQUIRE(detect_loss_divergence(make({3.0266e31}, "loss", 4320), {}));  // its first row alone, mid-run
  // Healthy large losses (a YOLO loss in the thousands, raw-pixel sums) and the option off stay quiet.
  CHECK_FALSE(detect_loss_divergence(make({6800.0, 5200.0, 4900.0, 5000.0}), {}));
  CHECK_FALSE(detect_loss_divergence(make({4e12, 3.9e12, 3.95e12}), {}));
  CHECK_FALSE(detect_loss_divergence(make({3.0266e31, 3.0373e31}), {.absurd_level = 0.0}));
}

TEST_CASE("loss_divergence absurd, alone: any loss-family key at 1e20 or more (OpenNMT-py#253)",
          "[detectors][divergence]") {
  // A perplexity pinned at OpenNMT-py's printed cap, exp(100), from the first report line (batch 50).
  auto d = detect_absurd_loss(make({2.6881171418161356e+43}, "ppl", 50), {});
  REQUIRE(d);
  CHECK(d->syndrome == "loss_divergence");
  CHECK(*ev(*d, "rule") == "absurd");
  // A perplexity at its vocabulary size, a NaN, the option or the rule off: quiet.
  CHECK_FALSE(detect_absurd_loss(make({50257.0, 812.0, 95.3}), {}));
  CHECK_FALSE(detect_absurd_loss(make({2.6881171418161356e+43, std::nan("")}), {}));
  CHECK_FALSE(detect_absurd_loss(make({2.6881171418161356e+43}), {.absurd_level = 0.0}));
  CHECK_FALSE(detect_absurd_loss(make({2.6881171418161356e+43}), {.enabled = false}));
}

TEST_CASE("loss_divergence absurd: a run that starts there and keeps falling is a bad initialisation on its way down",
          "[detectors][divergence][false_positive]") {
  // r27, a GPT-2 from scratch in Burn (healthy): Perplexity = exp(loss) with the loss 451 -> 93 -> 76 ... at steps
  // 0, 10, 20: every print a new low from the untrained model's.
  const std::vector<double> ppl = {5.181565888228256e+195, 1.8343719773192594e+40, 1.0456325841376427e+33,
                                   8.462974776434143e+31};
  for (std::size_t n = 1; n <= ppl.size(); ++n) {
    std::vector<double> head(ppl.begin(), ppl.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_FALSE(detect_absurd_loss(make(head, "Perplexity"), {}));
    CHECK_FALSE(detect_loss_divergence(make(head), {}));
  }
  // ... but one that stops falling while still that high has diverged, and so has one that got there later
  auto up = detect_absurd_loss(make({5.2e195, 1.8e40, 3.0e40}, "Perplexity"), {});
  REQUIRE(up);
  CHECK(*ev(*up, "rule") == "absurd");
  CHECK(detect_absurd_loss(make({5.2e195, 1.8e40, 1.8e40}, "Perplexity"), {}));  // a tie is no new low
  CHECK(detect_loss_divergence(make({2.3, 1.9, 4e21}), {}));
  CHECK(detect_loss_divergence(make({4e21, 3e21}, "loss", 1), {}) == std::nullopt);  // step 1 is a run's start too
}

TEST_CASE("loss_divergence blowup: two rises of 100x or more in a row (DSSE#33450)", "[detectors][divergence]") {
  // An MLP's MSE over its first three epochs: too few points for any other rule.
  auto d = detect_loss_divergence(make({509.89886474609375, 287486752.0, 2.262859251393233e+18}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "blowup");
  // One 100x rise, then a fall or a smaller rise: a warm-up bump or a noisy start.
  CHECK_FALSE(detect_loss_divergence(make({509.9, 287486752.0}), {}));
  CHECK_FALSE(detect_loss_divergence(make({5.0, 600.0, 900.0}), {}));
  CHECK_FALSE(detect_loss_divergence(make({0.001, 0.05, 2.0}), {}));  // 50x and 40x
  CHECK_FALSE(detect_loss_divergence(make({509.9, 287486752.0, 2.26e18}), {.blowup_ratio = 0.0}));
}

TEST_CASE("loss_divergence: a slow sustained rise from the running minimum", "[detectors][divergence]") {
  std::vector<double> v;
  for (int i = 0; i < 30; ++i) v.push_back(3.0 * std::exp(-i / 6.0) + 0.4);         // learns to ~0.42
  for (int i = 1; i <= 12; ++i) v.push_back(0.42 + 0.12 * i + 0.02 * std::sin(i));  // creeps back up
  auto first = first_decision(v, detect_loss_divergence);
  REQUIRE(first);
  CHECK(first->step >= 32);
  // A healthy decaying curve with noise never fires.
  check_quiet_throughout(lm_curve(400), detect_loss_divergence);
}

TEST_CASE("loss_divergence: an LR-restart bump that recovers stays quiet", "[detectors][divergence][false_positive]") {
  // SGDR: the loss jumps a little at each restart and comes back down.
  Series s("loss");
  int step = 0;
  for (int cycle = 0; cycle < 4; ++cycle)
    for (int i = 0; i < 20; ++i) {
      double floor = 1.0 - 0.15 * cycle;
      s.push(step++, floor + 0.5 * std::exp(-i / 4.0));
      INFO("step " << step);
      CHECK_FALSE(detect_loss_divergence(s, {}));
    }
}

TEST_CASE("frozen_loss: bit-identical values for N points, 0.0 is exempt", "[detectors][frozen]") {
  auto d = detect_frozen_loss(make({2.1, 1.9, 0.6931, 0.6931, 0.6931, 0.6931, 0.6931, 0.6931}), {});
  REQUIRE(d);
  CHECK(d->syndrome == "frozen_loss");
  CHECK(*ev(*d, "points") == "6");
  CHECK_FALSE(detect_frozen_loss(make({2.1, 1.9, 0.6931, 0.6931, 0.6931, 0.6931, 0.6931}), {}));  // 5 < 6
  CHECK_FALSE(detect_frozen_loss(make({2.1, 1.9, 0.6931, 0.6931, 0.6931, 0.6931, 0.6932}), {}));
  // GRPO logs a loss of exactly 0.0 for many steps when beta = 0: healthy.
  CHECK_FALSE(detect_frozen_loss(make(std::vector<double>(50, 0.0)), {}));
  CHECK(detect_frozen_loss(make(std::vector<double>(50, 0.0)), {.ignore_zero = false}));
  CHECK_FALSE(detect_frozen_loss(make({kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN}), {}));
  CHECK_FALSE(detect_frozen_loss(Series("loss"), {}));
}

TEST_CASE("val_acc_drop: a collapse by more than half fires on a short series", "[detectors][supervised]") {
  // Three evaluations: 0.62 -> 0.11 -> 0.10 needs no sixth evaluation.
  auto d = detect_val_acc_drop(make({0.55, 0.62, 0.11, 0.10}, "val_acc"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "collapse");
  // One low evaluation is not yet a collapse; a noisy small-data dip neither.
  CHECK_FALSE(detect_val_acc_drop(make({0.55, 0.62, 0.20}, "val_acc"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.55, 0.62, 0.40, 0.58}, "val_acc"), {}));
  // mAP in percent, any quality metric with its own syndrome.
  auto m = detect_val_acc_drop(make({30.1, 35.2, 12.0, 9.5}, "bbox/AP"), {}, "quality_drop");
  REQUIRE(m);
  CHECK(m->syndrome == "quality_drop");
  // A metric that was never meaningful (best under min_best) is ignored.
  CHECK_FALSE(detect_val_acc_drop(make({0.02, 0.04, 0.01, 0.01}, "val_acc"), {}));
}

TEST_CASE("kl_explosion: a noisy KL swinging around a level it held is not an explosion",
          "[detectors][rl][false_positive]") {
  // unsloth's Llama 3.1 (8B) GRPO notebook, healthy (its reward climbs), steps 108-147: the per-step KL reached
  // 0.135 at step 114 and swings 0.008 .. 0.114 after it; 0.268 at step 147 is 3.7x the five before it but 2x the
  // run's earlier maximum
  std::vector<double> kl = {0.011891, 0.04083,  0.041541, 0.024577, 0.029624, 0.008397, 0.135183, 0.024339,
                            0.052319, 0.053519, 0.011517, 0.040767, 0.048344, 0.016102, 0.010244, 0.021899,
                            0.037803, 0.014915, 0.047556, 0.114219, 0.080086, 0.044463, 0.015283, 0.092489,
                            0.021336, 0.010366, 0.010344, 0.042889, 0.047211, 0.090803, 0.038389, 0.03371,
                            0.016052, 0.025131, 0.017418, 0.016646, 0.034915, 0.072663, 0.0145,   0.267697};
  check_quiet_throughout(kl, detect_kl_explosion, "kl");
  // Leaving that level (2.5x the run's maximum) is one.
  kl.back() = 0.4;
  auto d = detect_kl_explosion(make(kl, "kl"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "window");
}

TEST_CASE("kl_explosion: short series fire when the effect is overwhelming", "[detectors][rl]") {
  // Two points: 0.02 -> 3.1 (150x).
  auto d = detect_kl_explosion(make({0.02, 3.1}, "approx_kl"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "jump");
  // An absolute level no PPO/GRPO run reaches.
  auto l = detect_kl_explosion(make({60.0}, "kl"), {});
  REQUIRE(l);
  CHECK(*ev(*l, "rule") == "level");
  // Healthy growth of a small KL stays quiet.
  CHECK_FALSE(detect_kl_explosion(make({0.001, 0.004, 0.01, 0.02, 0.03}, "kl"), {}));
  // Open until recovered: KL that jumped to 9 and stays at 10 is still outside its band.
  Series k = make({0.02, 0.03, 0.025, 0.03, 0.02, 9.0}, "kl");
  auto open = detect_kl_explosion(k, {});
  REQUIRE(open);
  auto band = band_of(*open);
  REQUIRE(band);
  k.push(6, 10.0);
  k.push(7, 10.0);
  k.push(8, 10.0);
  CHECK_FALSE(recovered(k, *band, 3));
  k.push(9, 0.03);
  k.push(10, 0.02);
  CHECK_FALSE(recovered(k, *band, 3));
  k.push(11, 0.03);
  CHECK(recovered(k, *band, 3));
  k.push(12, kNaN);  // a NaN never counts as recovery
  CHECK_FALSE(recovered(k, *band, 3));
}

TEST_CASE("open until recovered: bands of the jump-style rules", "[detectors][recovery]") {
  // The spike's band sits between the reference and the trigger level.
  std::vector<double> v = lm_curve(150);
  for (int i = 0; i < 3; ++i) v.push_back(5.0 + 0.1 * i);
  Series s = make(v);
  auto d = detect_loss_spike(s, {});
  REQUIRE(d);
  auto b = band_of(*d);
  REQUIRE(b);
  CHECK(b->hi > 2.0);
  CHECK(b->hi < 5.0);
  CHECK_FALSE(b->contains(kNaN));
  // Validation drop: back near the best.
  auto a = detect_val_acc_drop(make({0.71, 0.74, 0.79, 0.84, 0.85, 0.69, 0.67}, "val/accuracy"), {});
  REQUIRE(a);
  auto ab = band_of(*a);
  REQUIRE(ab);
  CHECK(ab->contains(0.84));
  CHECK_FALSE(ab->contains(0.70));
  // No band: nothing to parse.
  Decision plain;
  CHECK_FALSE(band_of(plain));
}

TEST_CASE("throughput_collapse: vs the run's own early post-warm-up level", "[detectors][throughput]") {
  // Warm-up (compile) is slow; steady ~100 samples/s; then it falls to ~30.
  std::vector<double> v = {5, 40, 98, 101, 100, 99, 102, 100, 97, 60, 35, 31, 30};
  auto first = first_decision(v, detect_throughput_collapse, "samples_per_second");
  REQUIRE(first);
  CHECK(first->syndrome == "throughput_collapse");
  CHECK(first->step == 10);
  // A slow start is never the reference; a compile-time first point is no collapse.
  CHECK_FALSE(detect_throughput_collapse(make({2, 3, 100, 101, 99, 100, 98, 100}, "tp"), {}));
  // One slow step (a checkpoint save) is not a collapse.
  CHECK_FALSE(detect_throughput_collapse(make({50, 90, 100, 101, 99, 100, 98, 100, 10, 100}, "tp"), {}));
  CHECK_FALSE(detect_throughput_collapse(Series("tp"), {}));
  CHECK_FALSE(detect_throughput_collapse(make({100, 100, 100, kNaN, kNaN, kNaN}, "tp"), {}));
}

TEST_CASE("frozen_loss: a logger that re-prints each value k times counts in prints of k",
          "[detectors][frozen][false_positive]") {
  // r32, ICNet's CamVid log: each evaluation's Loss on 5 rows until the next one; two evaluations alike at 0.95 make
  // 10 identical rows, 2 values
  std::vector<double> loss;
  for (double v : {1.31, 1.12, 1.04, 0.99, 0.95, 0.95, 0.93})
    for (int r = 0; r < 5; ++r) loss.push_back(v);
  check_quiet_throughout(loss, detect_frozen_loss, "Loss");
  // Six evaluations alike (30 rows) are a frozen loss again, after as many rows.
  std::vector<double> frozen(loss.begin(), loss.begin() + 20);  // 1.31 .. 0.99, five rows each
  for (int r = 0; r < 30; ++r) frozen.push_back(0.95);
  auto d = first_decision(frozen, detect_frozen_loss, "Loss");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "identical");
  CHECK(d->step == 49);  // the 30th row at 0.95
  CHECK(*ev(*d, "points") == "30");
}

TEST_CASE("frozen_loss: stuck at chance from the start, collapsed to exactly 0", "[detectors][frozen]") {
  // ImageNet at ln(1000) = 6.907 for every logged point: never learned. From the run's start a loss at a
  // thousand classes' chance level needs a point before the flat three (the first steps of a warm-up from a
  // learning rate near 0 cannot move it: maxtext#4847, an LM at 12.979, 12.98, 12.979 at steps 1-3).
  CHECK_FALSE(detect_frozen_loss(make({6.91161, 6.90501, 6.90635}), {}));
  CHECK_FALSE(detect_frozen_loss(make({12.979, 12.98, 12.979}), {}));
  auto f = detect_frozen_loss(make({6.91161, 6.90501, 6.90635, 6.90581}), {});
  REQUIRE(f);
  CHECK(*ev(*f, "rule") == "flat");
  CHECK(detect_frozen_loss(make({12.979, 12.98, 12.979, 12.98}), {}));
  // The same flatness after learning is a plateau, not a frozen loss.
  CHECK_FALSE(detect_frozen_loss(make({9.1, 7.2, 6.91161, 6.90501, 6.90635}), {}));
  // Noise of a healthy plateau is larger than the tolerance.
  CHECK_FALSE(detect_frozen_loss(make({2.31, 2.29, 2.30}), {}));
  // 1.9 -> 0.0 -> 0.0: collapsed.
  auto z = detect_frozen_loss(make({1.9166, 0.0, 0.0}), {});
  REQUIRE(z);
  CHECK(*ev(*z, "rule") == "zero");
  CHECK_FALSE(detect_frozen_loss(make({1.9166, 0.0}), {}));                 // one zero
  CHECK_FALSE(detect_frozen_loss(make({0.0, 0.0, 0.0002, 0.0, 0.0}), {}));  // GRPO: 0.0 from the start
}

TEST_CASE("loss_divergence: a training loss that rises at almost every epoch", "[detectors][divergence]") {
  // Keras CIFAR: the loss bottoms out at epoch 4 and rises at every epoch after.
  auto first = first_decision({1.5869, 1.2171, 1.1202, 1.0933, 1.1043, 1.1402, 1.1855, 1.2136, 1.2371},
                              detect_loss_divergence, "loss", 1);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "slow");
  CHECK(first->step == 9);
  // A noisy plateau that goes up and down never rises "at almost every point".
  CHECK_FALSE(detect_loss_divergence(make({2.0, 1.2, 1.0, 1.06, 1.02, 1.08, 1.03, 1.09, 1.04, 1.1}), {}));
}

TEST_CASE("val_acc_drop: one evaluation at a quarter of the best is a collapse", "[detectors][supervised]") {
  auto d = detect_val_acc_drop(make({0.9018, 0.119}, "val_acc"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "collapse");
  // A noisy small validation set: 0.87 -> 0.61 -> 0.90 is one bad evaluation, not a drop.
  check_quiet_throughout(
      {0.4766, 0.6276, 0.8398, 0.8047, 0.8659, 0.8151, 0.8737, 0.6055, 0.9023, 0.9648},
      [](const Series& acc) { return detect_val_acc_drop(acc, {}); }, "val_accuracy", 1);
}

TEST_CASE("reward_drop: a slow decline from the peak that stays down", "[detectors][rl]") {
  auto first = first_decision({22.6, 20.3, 17.0, 14.9, 14.1, 14.1, 13.8, 14.1}, detect_reward_drop, "reward", 50, 50);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "decline");
  CHECK(first->step == 300);
  // Negative rewards drifting a little lower early on: not a collapse.
  CHECK_FALSE(detect_reward_drop(make({-257.4, -261.0, -267.0, -282.0, -270.0, -275.0}, "MeanRew"), {}));
}

TEST_CASE("reward_hacking: three points are enough when quality falls at each", "[detectors][rl]") {
  // open-r1#255: accuracy reward 0.16 -> 0.12 -> 0.064 while the total reward rises.
  auto d = detect_reward_hacking(make({0.7115, 0.6941, 0.8867}, "reward"),
                                 make({0.1598, 0.1179, 0.0643}, "rewards/accuracy_reward"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "short");
  CHECK_FALSE(detect_reward_hacking(make({0.7115, 0.6941, 0.8867}, "reward"),
                                    make({0.1598, 0.1179, 0.1200}, "rewards/accuracy_reward"), {}));
}

TEST_CASE("throughput: time per iteration that keeps growing", "[detectors][throughput]") {
  auto d = detect_step_time_growth(make({84606.2, 142474.1, 202438.6}, "elapsed time per iteration (ms)"), {});
  REQUIRE(d);
  CHECK(d->syndrome == "throughput_collapse");
  CHECK_FALSE(detect_step_time_growth(make({1.70, 2.01, 1.95, 1.87}, "sec_per_batch"), {}));
  CHECK_FALSE(detect_step_time_growth(make({1.0, 5.0, 2.0}, "s/it"), {}));  // one slow step
  // One short step between ordinary ones (an epoch's partial last batch, r33) is no level to be slower than; a
  // slowdown from the level it dipped out of still counts
  CHECK_FALSE(detect_step_time_growth(make({0.40, 0.138, 0.503, 0.520, 0.524, 0.528}, "Time"), {}));
  CHECK(detect_step_time_growth(make({0.40, 0.138, 0.503, 0.520, 1.3, 2.0}, "Time"), {}));
}

TEST_CASE("reward_hacking: a slow hack over 128 points (long_trend), open until quality recovers", "[detectors][rl]") {
  // Reward climbs 1.0 -> 1.5 while success slides 0.6 -> 0.2 over 128 steps:
  // inside any 20 points the success moves < 10 %, the trend rule stays quiet.
  std::vector<double> reward, success;
  for (int i = 0; i < 128; ++i) {
    reward.push_back(1.0 + 0.5 * i / 127.0 + ((i % 3) - 1) * 0.02);
    success.push_back(0.6 - 0.4 * i / 127.0 + ((i % 2) ? 0.02 : -0.02));
  }
  RewardHackingOptions no_long;
  no_long.long_window = 0;
  CHECK_FALSE(detect_reward_hacking(make(reward, "reward"), make(success, "success_rate"), no_long));
  auto d = detect_reward_hacking(make(reward, "reward"), make(success, "success_rate"), {});
  REQUIRE(d);
  CHECK(*evidence_get(d->evidence, "rule") == "long_trend");
  auto band = band_of(*d);
  REQUIRE(band);
  CHECK(band->lo > 0.35);
  CHECK(band->lo < 0.45);  // half way back to the early mean (~0.5)
  // Healthy: both rise together over the same window.
  std::vector<double> up;
  for (int i = 0; i < 128; ++i) up.push_back(0.3 + 0.3 * i / 127.0);
  CHECK_FALSE(detect_reward_hacking(make(reward, "reward"), make(up, "success_rate"), {}));
}

TEST_CASE("entropy: a collapse while the reward sits at its best is convergence, not an alarm", "[detectors][rl]") {
  std::vector<double> ent, reward;
  for (int i = 0; i < 40; ++i) {
    ent.push_back(i < 30 ? 2.0 - 0.06 * i : 0.1);
    reward.push_back(i < 30 ? 0.1 + 0.025 * i : 0.85 + ((i % 2) ? 0.02 : -0.02));
  }
  auto e = make(ent, "entropy");
  REQUIRE(detect_entropy(e, {}));  // no reward to judge by: today's rule
  auto r = make(reward, "reward");
  CHECK_FALSE(detect_entropy(e, {}, &r));  // converged on what pays
  EntropyOptions off;
  off.converged_band = 0;
  CHECK(detect_entropy(e, off, &r));
  // The same collapse while the reward fell back to its start is an alarm.
  std::vector<double> fell = reward;
  for (int i = 35; i < 40; ++i) fell[static_cast<std::size_t>(i)] = 0.1;
  auto f = make(fell, "reward");
  CHECK(detect_entropy(e, {}, &f));
}

TEST_CASE("entropy: a collapse while a non-negative reward stays near its cap is convergence",
          "[detectors][rl][false_positive]") {
  // r32, a GRPO run (Qwen2.5-7B, GSM8K 0.895 at evaluation): the accuracy reward 0.63 .. 1.0 from its first step,
  // 0.88 over the five steps to row 28, while the token entropy fell from 0.15 to 0.008. Its range is noise: the top
  // quarter of 0.63 .. 1.0 is out of reach of a five-step mean
  const std::vector<double> reward = {0.825, 0.875, 0.925, 0.8,   0.925, 0.875, 0.8,   1.0,   0.925, 0.9,
                                      0.9,   1.0,   0.75,  0.775, 0.9,   0.8,   0.625, 0.875, 0.85,  0.7,
                                      0.875, 0.875, 1.0,   0.975, 0.9,   0.825, 0.925, 0.95,  0.8};
  const std::vector<double> ent = {0.1529, 0.1651, 0.137,  0.1343, 0.114,  0.1359, 0.1112, 0.0886, 0.0755, 0.0725,
                                   0.0669, 0.0348, 0.0332, 0.0258, 0.0154, 0.0187, 0.0295, 0.0231, 0.0246, 0.0482,
                                   0.0298, 0.0231, 0.0171, 0.0138, 0.0139, 0.0137, 0.0119, 0.0099, 0.0084};
  auto e = make(ent, "entropy");
  REQUIRE(detect_entropy(e, {}));  // no reward to judge by
  auto r = make(reward, "reward");
  CHECK_FALSE(detect_entropy(e, {}, &r));
  // The same collapse while that reward sinks to half its best is an alarm.
  std::vector<double> sank = reward;
  for (std::size_t i = sank.size() - 5; i < sank.size(); ++i) sank[i] = 0.5;
  auto s = make(sank, "reward");
  CHECK(detect_entropy(e, {}, &s));
}

TEST_CASE("frozen_loss: a val_loss improving 5 % over 20 000 steps is not flat",
          "[detectors][frozen][false_positive]") {
  // val_loss = 1 - i/400000 every 100 steps: consecutive evaluations differ by
  // 2.5e-4 (inside flat_tolerance) and it has not yet improved by 5 % on its
  // initial value, but it falls at every point: a slow improvement.
  FrozenLossOptions val = {};
  val.points = std::numeric_limits<int>::max() / 2;  // as the monitor judges a validation loss
  for (const FrozenLossOptions& opt : {FrozenLossOptions{}, val}) {
    Series s("val_loss");
    int fired = 0;
    for (int i = 0; i <= 200000; i += 100) {
      s.push(i, 1.0 - i / 400000.0);
      fired += detect_frozen_loss(s, opt) ? 1 : 0;
    }
    CHECK(fired == 0);
  }
  // The same slow fall with noise larger than its per-point step is not
  // judged flat either once the spread exceeds the tolerance; a loss stuck at
  // chance that jitters around ln(1000) still is.
  auto f = detect_frozen_loss(make({6.91161, 6.90501, 6.90635, 6.90681, 6.90704}), {});
  REQUIRE(f);
  CHECK(*ev(*f, "rule") == "flat");
  // A noise-free decline of three points is a trend, not a frozen loss.
  CHECK_FALSE(detect_frozen_loss(make({6.9100, 6.9080, 6.9060}), {}));
  // The slope test is an option: z = 1e9 never calls a decline significant ...
  CHECK_FALSE(detect_frozen_loss(make({6.9100, 6.9080, 6.9061}), {}));
  CHECK(detect_frozen_loss(make({6.9120, 6.9100, 6.9080, 6.9061}), {.flat_trend_z = 1e9}));
}

TEST_CASE("loss_divergence: a jump to several times the minimum that stays there", "[detectors][divergence]") {
  // litgpt#628: 1.70 at iter 1151, then 10-12 (chance level) from 1152 on.
  auto first = first_decision({1.7019, 11.463, 11.7545, 11.5019, 11.4807, 12.1935, 10.022}, detect_loss_divergence,
                              "loss", 1151);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "hold");
  CHECK(first->step == 1154);  // one point at the minimum, then three up
  // Two points up is not yet "stays there"; one that comes back down is a spike.
  CHECK_FALSE(detect_loss_divergence(make({1.7019, 11.463, 11.7545}), {}));
  CHECK_FALSE(detect_loss_divergence(make({1.7019, 11.463, 11.7545, 2.1}), {}));
  // A warm-up bump to 2-4x the first loss stays under hold_ratio.
  CHECK_FALSE(detect_loss_divergence(make({1.0, 3.9, 3.5, 3.8, 3.6}), {}));
  // A loss near zero that went 0.01 -> 0.06 has not climbed back towards its start.
  CHECK_FALSE(detect_loss_divergence(make({2.3, 2.0, 1.5, 0.01, 0.06, 0.06, 0.06}), {}));
  CHECK_FALSE(detect_loss_divergence(make({1.7019, 11.463, 11.7545, 11.5019}), {.hold_ratio = 8.0}));
}

TEST_CASE("throughput_collapse creep: a time per step or epoch at a new high at each of 5 points (tensorflow#198)",
          "[detectors][throughput]") {
  auto growth = [](const Series& s, const ThroughputCollapseOptions& o) { return detect_step_time_growth(s, o); };
  // An epoch that takes longer each time (TF1 ops added to the graph in the
  // loop): 1.75 s -> 2.56 s over five epochs, under the jump form's 2x.
  const std::vector<double> tf198 = {1.749361, 1.873362, 2.053877, 2.401098, 2.563413, 2.675142, 2.638027};
  auto d = first_decision(tf198, growth, "sec_per_epoch", 1);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "creep");
  CHECK(d->step == 5);
  // The same key read as a time left ("time this epoch" has an "epoch" token): the same step.
  auto e = first_decision(tf198, detect_eta_growth, "time this epoch", 1);
  REQUIRE(e);
  CHECK(e->step == 5);
  CHECK_FALSE(detect_step_time_growth(make({1.749361, 1.873362, 2.053877, 2.401098, 2.563413}), {.creep_points = 0}));
  // Documented healthy shapes: evaluation phases that slow a step now and
  // then, a warm-up whose first steps are the slowest, a noisy steady step
  // time, a slow drift under a quarter, and an elapsed clock (always a new
  // high) under a bare unit, which never fell.
  std::vector<double> evals, warm, noisy, drift, clock;
  for (int i = 0; i < 60; ++i) {
    evals.push_back(i % 10 == 9 ? 3.1 + 0.01 * i : 1.0 + 0.01 * std::sin(i));
    warm.push_back(1.0 + 4.0 * std::exp(-i / 3.0) + 0.02 * std::cos(i * 1.3));
    noisy.push_back(1.0 + 0.1 * std::sin(i * 2.1) + 0.05 * std::cos(i * 0.7));
    drift.push_back(1.0 + 0.003 * i);
    clock.push_back(10.0 * (i + 1));
  }
  check_quiet_throughout(evals, growth, "s/it");
  check_quiet_throughout(warm, growth, "s/it");
  check_quiet_throughout(noisy, growth, "s/it");
  check_quiet_throughout(drift, growth, "s/it");
  auto as_clock = [](const Series& s, const ThroughputCollapseOptions& o) {
    return detect_step_time_growth(s, o, true);
  };
  check_quiet_throughout(clock, as_clock, "s");
}

TEST_CASE("throughput_collapse creep: a speed at a new low at each of 5 points (gluonts#833)",
          "[detectors][throughput]") {
  auto slowdown = [](const Series& s, const ThroughputCollapseOptions& o) {
    return detect_throughput_slowdown(s, o, false);
  };
  // A DeepAR epoch of the same 4000 batches at 2.95 it/s, then 1.92, 1.91, 1.51, 1.46: too short for the
  // collapse rule's reference, and under its short form's 0.49.
  const std::vector<double> gluonts = {2.95, 1.92, 1.91, 1.51, 1.46};
  CHECK_FALSE(detect_throughput_collapse(make(gluonts, "it/s", 1), {}));
  auto d = first_decision(gluonts, slowdown, "it/s", 1);
  REQUIRE(d);
  CHECK(d->syndrome == "throughput_collapse");
  CHECK(*ev(*d, "rule") == "creep");
  CHECK(d->step == 5);
  CHECK_FALSE(slowdown(make(gluonts, "it/s", 1), {.creep_points = 0}));
  // Under a possible RL learning start it is the phase change's (ptan#5: a DQN at 333 frames/s, then 40, 18.2,
  // 17.3, 16.7, 16.4 while its replay buffer grows).
  CHECK_FALSE(detect_throughput_slowdown(make({331, 333, 40.25, 18.19, 17.3, 16.67, 16.37}, "speed"), {}, true));
  // One slow interval after a gentle ease (insightface#807: 224, 223, 218, 215, then 26 at an evaluation, back to
  // 239), and a fast first interval then a level that barely eases (TimeMixer#88: 3.62, then 1.080 ... 1.076).
  check_quiet_throughout({224.07, 222.6, 217.72, 214.87, 26.38, 239.32, 238.34, 229.5}, slowdown, "Speed");
  check_quiet_throughout({3.6158, 1.0803, 1.0787, 1.0773, 1.0761, 3.5695, 1.073, 1.0767}, slowdown, "speed");
  // A warm-up makes the first values the lowest; a noisy steady speed rarely sets 5 new lows in a row.
  std::vector<double> warm, noisy;
  for (int i = 0; i < 60; ++i) {
    warm.push_back(100.0 - 80.0 * std::exp(-i / 3.0) + 0.5 * std::cos(i * 1.3));
    noisy.push_back(100.0 + 10.0 * std::sin(i * 2.1) + 5.0 * std::cos(i * 0.7));
  }
  check_quiet_throughout(warm, slowdown, "samples/s");
  check_quiet_throughout(noisy, slowdown, "samples/s");
}

TEST_CASE("throughput_collapse: a remaining-time estimate that rises", "[detectors][throughput]") {
  // minimind#480: the epoch's remaining minutes grow while the steps advance.
  auto first = first_decision({1612, 1613, 1613, 1614, 1614, 1614, 1615, 1614, 1615, 1615}, detect_eta_growth,
                              "epoch_Time", 459800, 100);
  REQUIRE(first);
  CHECK(first->syndrome == "throughput_collapse");
  CHECK(*ev(*first, "rule") == "eta");
  CHECK(first->step == 460500);  // 8 points
  // A healthy estimate falls (rounded to minutes it may sit still for a while).
  std::vector<double> falling;
  for (int i = 0; i < 300; ++i) falling.push_back(std::floor(1600.0 - i / 7.0));
  check_quiet_throughout(falling, detect_eta_growth, "epoch_Time");
  // A new epoch resets the estimate in one jump: not a slowdown.
  CHECK_FALSE(detect_eta_growth(make({3, 2, 1, 60, 60, 60, 60, 60, 60}, "epoch_Time"), {}));
  // Steps that do not advance (a re-logged row) are no evidence.
  Series same("epoch_Time");
  for (int i = 0; i < 10; ++i) same.push(7, 1600.0 + i);
  CHECK_FALSE(detect_eta_growth(same, {}));
}

TEST_CASE("frozen_loss: a loss that sits at chance level ln k and never improves", "[detectors][frozen]") {
  // rwf2000#19: a binary video classifier at ~ln 2 for every epoch.
  auto first = first_decision({0.7078, 0.6959, 0.6947, 0.6857, 0.6896, 0.6957, 0.6945}, detect_frozen_loss, "loss", 1);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "chance");
  CHECK(first->step == 6);  // 0.7078 is 2.1 % off ln 2: the five after it
  // A DPO-style loss that starts at ln 2 and falls steadily is learning.
  CHECK_FALSE(detect_frozen_loss(make({0.6931, 0.6925, 0.6912, 0.6898, 0.6881, 0.6862}), {}));
  // Having learned (2.3 -> 0.69) is a plateau, not chance.
  CHECK_FALSE(detect_frozen_loss(make({2.3, 1.2, 0.70, 0.69, 0.695, 0.688, 0.692}), {}));
  // ln 10 = 2.303 is where healthy losses settle too: not judged by default.
  CHECK_FALSE(detect_frozen_loss(make({2.31, 2.29, 2.30, 2.32, 2.28, 2.30}), {}));
  CHECK(detect_frozen_loss(make({2.31, 2.29, 2.30, 2.32, 2.28, 2.30}), {.chance_max_classes = 10}));
  CHECK_FALSE(detect_frozen_loss(make({0.7078, 0.6959, 0.6947, 0.6857, 0.6896, 0.6957}), {.chance_points = 0}));
}

TEST_CASE("frozen_loss chance, k up to 20: at ln 10 from the run's start (PyTorch forum 43814)",
          "[detectors][frozen]") {
  std::vector<double> v = {2.308579206466675,  2.297269344329834, 2.3083386421203613,
                           2.3027005195617676, 2.304455518722534, 2.305694341659546};
  auto first = first_decision(v, detect_frozen_loss, "loss", 0);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "chance");
  CHECK(first->step == 4);
  // The same values in an excerpt that starts mid-run (steps 74 ..): a plateau, not judged.
  CHECK_FALSE(detect_frozen_loss(make(v, "loss", 74), {}));
  // 0.5 % only: 2.29 and 2.32 are 0.5-0.8 % off ln 10.
  CHECK_FALSE(detect_frozen_loss(make({2.31, 2.29, 2.30, 2.32, 2.28, 2.30}), {}));
  // Having fallen to ln 10 from 2.6 is learning.
  CHECK_FALSE(detect_frozen_loss(make({2.6, 2.45, 2.3086, 2.2973, 2.3083, 2.3027, 2.3045}), {}));
  // k beyond 20 (ln 30 = 3.401) is not judged; the option narrowed to 4 classes turns it off.
  CHECK_FALSE(detect_frozen_loss(make({3.41, 3.39, 3.40, 3.42, 3.38}), {}));
  CHECK_FALSE(detect_frozen_loss(make(v), {.chance_wide_classes = 4}));
}

TEST_CASE("frozen_loss chance_pair: the loss at -log of a chance accuracy on the same rows", "[detectors][frozen]") {
  // fairseq#5361: RoBERTa on CommonsenseQA (5 choices), an excerpt from update
  // 2800: fairseq's base-2 loss at log2 5 = 2.32 while accuracy reads ~22 %.
  auto pair = [](std::vector<double> l, std::vector<double> a, std::int64_t step0, std::int64_t every) {
    Series loss("loss"), acc("accuracy");
    for (std::size_t i = 0; i < l.size(); ++i) {
      loss.push(step0 + every * static_cast<std::int64_t>(i), l[i]);
      acc.push(step0 + every * static_cast<std::int64_t>(i), a[i]);
    }
    return std::pair{loss, acc};
  };
  auto [l1, a1] = pair({2.33, 2.328, 2.315, 2.32, 2.32}, {18.5, 22.5, 22, 22, 25}, 2800, 25);
  auto d = detect_chance_pair(l1, a1, {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "chance_pair");
  CHECK(*ev(*d, "classes") == "5");
  CHECK(*ev(*d, "log_base") == "2");
  // pretrained-models.pytorch#96: ln(1 / 0.072) = 2.63 in nats, accuracy as a fraction.
  auto [l2, a2] = pair({2.6701, 2.6671, 2.609, 2.5923, 2.6018, 2.5977},
                       {0.0469, 0.0625, 0.0469, 0.0781, 0.0781, 0.0938}, 2900, 100);
  auto d2 = detect_chance_pair(l2, a2, {});
  REQUIRE(d2);
  CHECK(*ev(*d2, "log_base") == "e");
  // A model that learned: 40 % accuracy on 10 classes costs 1.8 nats, not ln 2.5 = 0.92.
  auto [l3, a3] = pair({1.82, 1.80, 1.81, 1.79, 1.80}, {0.40, 0.41, 0.40, 0.42, 0.41}, 2800, 25);
  CHECK_FALSE(detect_chance_pair(l3, a3, {}));
  // Above 50 % accuracy is never chance (a 2-way task at 0.6 / 0.51 nats learned).
  auto [l4, a4] = pair({0.51, 0.50, 0.51, 0.52, 0.51}, {0.60, 0.61, 0.60, 0.59, 0.60}, 2800, 25);
  CHECK_FALSE(detect_chance_pair(l4, a4, {}));
  // Leaving chance: the accuracy rises at every row (the trend test).
  auto [l5, a5] = pair({2.33, 2.32, 2.31, 2.30, 2.29}, {18, 20, 22, 24, 26}, 2800, 25);
  CHECK_FALSE(detect_chance_pair(l5, a5, {}));
  // A run's own first rows (from step 0) are its untrained model's: one row more is needed.
  auto [l6, a6] = pair({2.33, 2.328, 2.315, 2.32, 2.32}, {18.5, 22.5, 22, 22, 25}, 0, 25);
  CHECK_FALSE(detect_chance_pair(l6, a6, {}));
  // The option turns it off.
  CHECK_FALSE(detect_chance_pair(l1, a1, {.chance_pair_points = 0}));
  CHECK_FALSE(detect_chance_pair(l1, a1, {.chance_pair_tolerance = 0.0}));
}

TEST_CASE("frozen_loss chance_wobble: per-batch losses scattered around ln 2 (snorkel#870)", "[detectors][frozen]") {
  std::vector<double> v = {0.845315, 0.706016, 0.717638, 0.77187,  0.731818, 0.762896, 0.690147, 0.7032,
                           0.745951, 0.950101, 0.717052, 0.712117, 0.700079, 0.716837, 0.714996, 0.694084,
                           0.70559,  0.671527, 0.713507, 0.746347, 0.696672, 0.703526};
  // The exact-looking chance rule needs 5 values within 2 %: these scatter wider.
  CHECK_FALSE(detect_frozen_loss(make(v, "loss", 5), {}));
  Series s("loss");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < v.size() && !first; ++i) {
    s.push(5 + static_cast<std::int64_t>(i), v[i]);
    first = detect_chance_wobble(s, nullptr, {});
  }
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "chance_wobble");
  CHECK(*ev(*first, "classes") == "2");
  CHECK(first->step == 24);  // 20 values logged, the last 10 at a median of 0.705
  // An accuracy above 1.5 / k beside it says the model learned (keras#8680's 0.65 on ln 3).
  Series acc = make(std::vector<double>(22, 0.80), "acc", 5);
  CHECK_FALSE(detect_chance_wobble(make(v, "loss", 5), &acc, {}));
  Series chance_acc = make(std::vector<double>(22, 0.52), "acc", 5);
  CHECK(detect_chance_wobble(make(v, "loss", 5), &chance_acc, {}));
  // A loss that went below chance before is a plateau of a model that learned.
  std::vector<double> dipped = v;
  dipped[3] = 0.60;
  CHECK_FALSE(detect_chance_wobble(make(dipped, "loss", 5), nullptr, {}));
  // A loss that came down from far above (initial level 1.4 = 2 x ln 2) passes through ln 2.
  std::vector<double> from_above = {1.6, 1.4, 1.2};
  from_above.insert(from_above.end(), v.begin(), v.end());
  CHECK_FALSE(detect_chance_wobble(make(from_above, "loss", 2), nullptr, {}));
  // Still falling through ln 2 is learning.
  std::vector<double> falling;
  for (int i = 0; i < 22; ++i) falling.push_back(0.80 - 0.006 * i + 0.004 * std::sin(i));
  CHECK_FALSE(detect_chance_wobble(make(falling), nullptr, {}));
  // ln 10 lies where healthy losses settle: in an excerpt from step 5 on it is not judged
  // (k beyond chance_max_classes needs the run's start), and ln 5 never is.
  std::vector<double> ln10, ln5;
  for (double x : v) ln10.push_back(x * std::log(10.0) / std::log(2.0));
  for (double x : v) ln5.push_back(x * std::log(5.0) / std::log(2.0));
  CHECK_FALSE(detect_chance_wobble(make(ln10, "loss", 5), nullptr, {}));
  CHECK_FALSE(detect_chance_wobble(make(ln5), nullptr, {}));
  CHECK_FALSE(detect_chance_wobble(make(v, "loss", 5), nullptr, {.chance_wobble_points = 0}));
}

TEST_CASE("frozen_loss chance_wobble at ln 10 / ln 100: only from the run's start", "[detectors][frozen]") {
  // A CIFAR-10 model whose per-batch loss scatters around ln 10 = 2.3026 from step 0.
  std::vector<double> v;
  for (int i = 0; i < 24; ++i)
    v.push_back(std::log(10.0) * (1.0 + 0.03 * std::sin(i * 2.1) + 0.01 * std::cos(i * 0.7)));
  auto alone = [](const Series& s) { return detect_chance_wobble(s, nullptr, {}); };
  auto first = first_decision(v, alone, "loss", 0);
  REQUIRE(first);
  CHECK(*ev(*first, "classes") == "10");
  CHECK(first->step == 19);
  // The same values in an excerpt from step 5000 on (every 10 steps): a plateau, not judged.
  Series mid("loss");
  for (std::size_t i = 0; i < v.size(); ++i) mid.push(5000 + 10 * static_cast<std::int64_t>(i), v[i]);
  CHECK_FALSE(detect_chance_wobble(mid, nullptr, {}));
  // ln 100 = 4.605 too; off with chance_wobble_decades below 100.
  std::vector<double> w;
  for (double x : v) w.push_back(x * 2.0);
  CHECK(detect_chance_wobble(make(w), nullptr, {}));
  CHECK_FALSE(detect_chance_wobble(make(w), nullptr, {.chance_wobble_decades = 10}));
  CHECK_FALSE(detect_chance_wobble(make(v), nullptr, {.chance_wobble_decades = 0}));
  // A language model that came down from ln(vocab) = 10.8 to a plateau at 2.3 is no chance level.
  std::vector<double> lm = {10.8, 9.1, 7.4};
  lm.insert(lm.end(), v.begin(), v.end());
  CHECK_FALSE(detect_chance_wobble(make(lm), nullptr, {}));
}

TEST_CASE("frozen_metric error_ceiling: a WER at 100 % while the loss does not fall (speechbrain#2533)",
          "[detectors][frozen]") {
  Series wer = make({100.0, 100.0, 100.0, 100.0}, "valid WER", 1);
  Series loss = make({126.0, 106.0, 106.0, 106.0}, "train loss", 1);
  // Epochs 1-3: the loss fell 126 -> 106 since the first of them (16 %): maybe on its way out.
  Series wer3 = make({100.0, 100.0, 100.0}, "valid WER", 1);
  Series loss3 = make({126.0, 106.0, 106.0}, "train loss", 1);
  CHECK_FALSE(detect_error_ceiling(wer3, &loss3, {}));
  auto d = detect_error_ceiling(wer, &loss, {});
  REQUIRE(d);
  CHECK(d->syndrome == "frozen_metric");
  CHECK(*ev(*d, "rule") == "error_ceiling");
  // wav2letter#848: above 100 (insertions) counts, no loss needed.
  CHECK(detect_error_ceiling(make({102.27, 100.0, 100.0}, "train-WER", 66), nullptr, {}));
  // One evaluation under 99.5 breaks it; a fraction-scale series (max <= 1.5) without a loss is never judged.
  CHECK_FALSE(detect_error_ceiling(make({100.0, 97.3, 100.0}, "valid WER"), nullptr, {}));
  CHECK_FALSE(detect_error_ceiling(make({1.0, 1.0, 1.0, 1.0}, "eval_wer"), nullptr, {}));
  // A fraction at exactly 1.0 at each evaluation, never above, beside a loss that does not fall: 100 %
  // (transformers#10884: wav2vec2's Wer 1.0 at steps 400, 800, 1200, the training loss 5.06, 5.12, 5.12).
  Series frac_loss = make({5.0632, 5.1152, 5.1192}, "Training Loss", 400);
  auto f = detect_error_ceiling(make({1.0, 1.0, 1.0}, "Wer", 400), &frac_loss, {});
  REQUIRE(f);
  CHECK(*ev(*f, "rule") == "error_ceiling");
  CHECK(f->message.find("(100 %)") != std::string::npos);
  // ... but not 1 % in percent that was ever above it, nor one evaluation off 1.0, nor with the loss falling 5 %.
  CHECK_FALSE(detect_error_ceiling(make({1.2, 1.0, 1.0, 1.0}, "wer", 400), &frac_loss, {}));
  CHECK_FALSE(detect_error_ceiling(make({1.0, 0.98, 1.0}, "wer", 400), &frac_loss, {}));
  CHECK_FALSE(detect_error_ceiling(make({1.0, 1.0, 1.0}, "wer", 400),
                                   &(frac_loss = make({5.06, 4.9, 4.7}, "Training Loss", 400)), {}));
  // A loss falling 5 % or more over those evaluations: a CTC model still leaving the blank.
  CHECK_FALSE(detect_error_ceiling(make({100.0, 100.0, 100.0}, "wer", 1), &loss3, {}));
  CHECK_FALSE(detect_error_ceiling(wer, &loss, {.ceiling_points = 0}));
}

TEST_CASE("frozen_metric metric_start: an accuracy scattered at its first level (frereit/HTR#3)",
          "[detectors][frozen]") {
  std::vector<double> v = {0.065,       0.039999995, 0.065, 0.024999999, 0.06, 0.054999996, 0.044999994,
                           0.059999995, 0.049999997, 0.065, 0.054999992, 0.06, 0.04};
  auto start = [](const Series& s) { return detect_metric_start(s, {}); };
  auto first = first_decision(v, start, "Accuracy", 0, 200);
  REQUIRE(first);
  CHECK(first->syndrome == "frozen_metric");
  CHECK(*ev(*first, "rule") == "metric_start");
  CHECK(first->step == 1800);  // the 10th evaluation
  // A model that learns leaves its start: 0.065 -> 0.09 is above 1.25 x.
  std::vector<double> learning = v;
  learning.back() = 0.09;
  CHECK_FALSE(detect_metric_start(make(learning, "Accuracy"), {}));
  // A mid-run excerpt has no first level; above 0.5 is no chance level; zero is no level.
  CHECK_FALSE(detect_metric_start(make(v, "Accuracy", 1000), {}));
  std::vector<double> high(12, 0.62);
  high[3] = 0.61;
  CHECK_FALSE(detect_metric_start(make(high, "acc"), {}));
  CHECK_FALSE(detect_metric_start(make(std::vector<double>(12, 0.0), "acc"), {}));
  // Percentages read as such: 6.5 % is 0.065.
  std::vector<double> pct;
  for (double x : v) pct.push_back(100.0 * x);
  CHECK(detect_metric_start(make(pct, "Accuracy"), {}));
  CHECK_FALSE(detect_metric_start(make(v, "Accuracy"), {.metric_start_points = 0}));
}

TEST_CASE("loss_divergence creep: an epoch loss creeping up with one dip (keras#8680)", "[detectors][divergence]") {
  // Rises at 4 of every 5 points, never at 5 of 5: the slow rule never fires.
  std::vector<double> v = {1.0897, 1.0843, 1.1078, 1.1158, 1.1304, 1.1263, 1.1296, 1.1395, 1.1528, 1.1552};
  auto first = first_decision(v, detect_loss_divergence, "loss", 174);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "creep");
  CHECK(first->step == 182);
  CHECK_FALSE(detect_loss_divergence(make(v, "loss", 174), {.creep_points = 0}));
  // Two dips in the window, or a rise under 5 % of the minimum, is not a creep.
  CHECK_FALSE(detect_loss_divergence(make({1.0843, 1.1078, 1.1158, 1.1004, 1.1296, 1.1395, 1.1300, 1.1552}), {}));
  CHECK_FALSE(detect_loss_divergence(make({1.0843, 1.0878, 1.0958, 1.0904, 1.0996, 1.1095, 1.1128, 1.1252}), {}));
  // A healthy loss that fell a long way and wanders near its floor has not
  // climbed back towards its start.
  CHECK_FALSE(detect_loss_divergence(make({2.3, 1.2, 0.6, 0.5, 0.52, 0.53, 0.55, 0.54, 0.56, 0.57, 0.58}), {}));
  // An oscillation (a cyclic learning rate, beating with an epoch sawtooth)
  // has risen as much before: its next crest is no creep.
  Series c("loss");
  for (int i = 0; i < 400; ++i) {
    c.push(i, 2.5 + 0.05 * std::sin(i * 0.37) + 0.03 * std::cos(i * 1.3));
    INFO("step " << i);
    CHECK_FALSE(detect_loss_divergence(c, {}));
  }
  // The same creep after a long, noisy decline still fires.
  Series l("loss");
  for (int i = 0; i < 60; ++i) l.push(i, 1.3 - 0.2 * i / 60.0 + 0.004 * std::sin(i * 2.1));
  std::optional<Decision> late;
  for (int i = 0; i < 12 && !late; ++i) {
    l.push(60 + i, 1.1 + 0.01 * i + (i == 4 ? -0.015 : 0.0));
    late = detect_loss_divergence(l, {});
  }
  REQUIRE(late);
  CHECK(*ev(*late, "rule") == "creep");
}

TEST_CASE("loss_divergence joint: training and validation loss both double (chemts#8)", "[detectors][divergence]") {
  Series loss = make({0.3925, 0.8816}, "loss", 19);
  Series vloss = make({0.365, 0.7405}, "val_loss", 19);
  auto d = detect_joint_divergence(loss, vloss, {});
  REQUIRE(d);
  CHECK(d->syndrome == "loss_divergence");
  CHECK(*ev(*d, "rule") == "joint");
  CHECK(d->step == 20);
  CHECK_FALSE(detect_joint_divergence(loss, vloss, {.joint_ratio = 0}));
  // One of them doubling is noise (a small validation set, an epoch sawtooth).
  CHECK_FALSE(detect_joint_divergence(loss, make({0.365, 0.52}, "val_loss", 19), {}));
  CHECK_FALSE(detect_joint_divergence(make({0.3925, 0.45}, "loss", 19), vloss, {}));
  // Not at the same step: the validation loss is from another evaluation.
  CHECK_FALSE(detect_joint_divergence(loss, make({0.365, 0.7405}, "val_loss", 18), {}));
  // A warm restart late in training (2.3 -> 0.05, back to 0.3) has not
  // climbed back a quarter of the way to the start.
  CHECK_FALSE(detect_joint_divergence(make({2.3, 2.1, 1.9, 0.4, 0.05, 0.3}, "loss"),
                                      make({2.2, 2.0, 1.8, 0.5, 0.25, 0.6}, "val_loss"), {}));
  CHECK_FALSE(detect_joint_divergence(make({0.39, kNaN}, "loss", 19), vloss, {}));
}

TEST_CASE(
    "loss_divergence joint_rise: the training loss rises four epochs running and the validation loss with it "
    "(keras#932)",
    "[detectors][divergence]") {
  const std::vector<double> train = {1.8887, 1.9328, 1.9986, 2.0482, 2.1057};
  const std::vector<double> val = {1.8804, 1.9089, 1.9611, 1.9454, 2.0767};
  auto first_joint = [](const std::vector<double>& t, const std::vector<double>& v) {
    Series loss("loss"), vloss("val_loss");
    for (std::size_t i = 0; i < t.size(); ++i) {
      loss.push(static_cast<std::int64_t>(i), t[i]);
      vloss.push(static_cast<std::int64_t>(i), v[i]);
      if (auto d = detect_joint_divergence(loss, vloss, {})) return std::optional<Decision>(d);
    }
    return std::optional<Decision>();
  };
  auto d = first_joint(train, val);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "joint_rise");
  CHECK(d->step == 4);
  // Alone, four rises are the slow rule's business (it wants five): the validation loss must confirm.
  CHECK_FALSE(first_joint(train, {1.8804, 1.87, 1.86, 1.85, 1.84}));        // still falling
  CHECK_FALSE(first_joint(train, {1.8804, 1.9089, 1.9611, 1.9454, 1.95}));  // under 5 % over its minimum
  // Overfitting (the validation loss rises while the training loss falls) is another rule's.
  CHECK_FALSE(first_joint({2.0, 1.9, 1.8, 1.7, 1.6}, {1.8804, 1.9089, 1.9611, 1.9454, 2.0767}));
  // Documented healthy shapes: a warm-up bump (both rise for two or three
  // epochs, then fall) and an SGDR warm restart (both jump once, then fall).
  CHECK_FALSE(first_joint({2.0, 2.1, 2.2, 2.25, 1.9, 1.7, 1.5}, {2.0, 2.1, 2.2, 2.3, 1.9, 1.7, 1.5}));
  CHECK_FALSE(
      first_joint({2.3, 1.2, 0.8, 0.6, 1.1, 0.9, 0.7, 0.6, 0.5}, {2.2, 1.3, 0.9, 0.7, 1.2, 1.0, 0.8, 0.7, 0.6}));
  CHECK_FALSE(detect_joint_divergence(make(train), make(val, "val_loss"), {.joint_ratio = 0}));
}

TEST_CASE("reward_drop collapse: judged in the RL warm-up when overwhelming (mlagents#805)", "[detectors][rl]") {
  auto first =
      first_decision({1.175, 1.32, -3.601, -3.902, -31.675, -88.323}, detect_reward_drop, "Mean Reward", 2000, 2000);
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "collapse");
  CHECK(first->step == 10000);
  CHECK_FALSE(detect_reward_drop(make({1.175, 1.32, -3.601, -3.902, -31.675}, "reward"), {.collapse_points = 0}));
  // A fresh policy's dip, rewards falling 10 % in early iterations, a negative
  // return improving after a dip: far from a collapse.
  CHECK_FALSE(detect_reward_drop(make({2.02, 1.18}, "reward"), {}));
  CHECK_FALSE(detect_reward_drop(make({-257.4, -261.0, -267.0, -282.0}, "reward"), {}));
  CHECK_FALSE(detect_reward_drop(make({-665, -737, -606, -579, -566, -540}, "reward"), {}));
  // Pendulum-like returns: the earlier range is the scale.
  CHECK_FALSE(detect_reward_drop(make({-130, -1397, -1495, -1500, -1510}, "reward"), {}));
  // Falling, but not each point lower than the one before.
  CHECK_FALSE(detect_reward_drop(make({1.175, 1.32, -31.675, -3.902, -88.323}, "reward"), {}));
}

TEST_CASE("val_loss_regression overfit: the val loss rises while the training loss falls (keras#3056)",
          "[detectors][supervised]") {
  std::vector<double> v = {0.677, 0.6765, 0.6789, 0.6913, 0.7101, 0.7268, 0.7586};
  std::vector<double> t = {0.6807, 0.6693, 0.6678, 0.6485, 0.6175, 0.586, 0.5521};
  std::vector<double> acc = {0.5802, 0.5796, 0.5801, 0.5599, 0.5591, 0.5556, 0.5456};
  auto [vloss, loss, vacc, first] = first_val_loss_regression(v, t, acc);
  REQUIRE(first);
  CHECK(first->syndrome == "validation_loss_regression");
  CHECK(*ev(*first, "rule") == "overfit");
  CHECK(first->step == 6);  // the minimum (epoch 2), then four rises
  REQUIRE(band_of(*first));
  // Without the training loss there is no evidence of overfitting; the
  // seed's rule alone waits for 1.5x.
  CHECK_FALSE(detect_val_loss_regression(vloss, {}));
  CHECK_FALSE(detect_val_loss_regression(vloss, {.overfit_points = 0}, &loss, &vacc));
  // The training loss rose too: a divergence, not overfitting.
  Series up = make({0.6, 0.61, 0.62, 0.63, 0.64, 0.65}, "loss", 1);
  CHECK_FALSE(
      detect_val_loss_regression(make({0.677, 0.6765, 0.6789, 0.6913, 0.7101, 0.7268}, "val_loss", 1), {}, &up));
  // A val accuracy at its best at the latest evaluation: over-confidence while
  // still improving.
  Series best = make({0.55, 0.56, 0.57, 0.58, 0.59, 0.60}, "val_acc", 1);
  Series down = make({0.6807, 0.6693, 0.6678, 0.6485, 0.6175, 0.586}, "loss", 1);
  Series vl = make({0.677, 0.6765, 0.6789, 0.6913, 0.7101, 0.7268}, "val_loss", 1);
  CHECK(detect_val_loss_regression(vl, {}, &down));
  CHECK_FALSE(detect_val_loss_regression(vl, {}, &down, &best));
  // Rising at each of four evaluations, but under 5 % over the minimum: the
  // noise of a small validation set.
  CHECK_FALSE(detect_val_loss_regression(make({0.677, 0.6765, 0.678, 0.681, 0.685, 0.69}, "val_loss", 1), {}, &down));
  // A noisy validation loss that rose as much before and came back: its
  // noise, not overfitting (0.62 -> 0.70 before the minimum 0.60).
  Series fall = make({1.2, 1.0, 0.9, 0.8, 0.75, 0.7, 0.66, 0.63, 0.6, 0.58, 0.55}, "loss", 1);
  CHECK_FALSE(detect_val_loss_regression(
      make({1.0, 0.8, 0.7, 0.62, 0.70, 0.64, 0.60, 0.61, 0.62, 0.64, 0.66}, "val_loss", 1), {}, &fall));
  CHECK(detect_val_loss_regression(make({1.0, 0.8, 0.7, 0.62, 0.64, 0.63, 0.60, 0.61, 0.62, 0.64, 0.66}, "val_loss", 1),
                                   {}, &fall));
  // Three rises only, or one dip among them: not yet.
  CHECK_FALSE(detect_val_loss_regression(make({0.677, 0.6765, 0.6913, 0.7101, 0.7268}, "val_loss", 2), {}, &down));
  CHECK_FALSE(
      detect_val_loss_regression(make({0.677, 0.6765, 0.6913, 0.6901, 0.7101, 0.7268}, "val_loss", 1), {}, &down));
}

TEST_CASE("frozen_loss zero: a loss stuck at a numerically zero value (caffe#5144)", "[detectors][frozen]") {
  auto d = detect_frozen_loss(make({-6.43825e-20, -6.43825e-20, -6.43825e-20}, "loss", 560), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "zero");
  CHECK(*ev(*d, "points") == "3");
  CHECK_FALSE(detect_frozen_loss(make({-6.43825e-20, -6.43825e-20}), {}));  // two points
  CHECK_FALSE(detect_frozen_loss(make({-6.43825e-20, -6.43825e-20, -6.43825e-20}), {.zero_points = 0}));
  // Tiny but moving (a converged regression loss), or tiny and repeated but
  // not numerically zero (a loss printed with few digits): quiet.
  CHECK_FALSE(detect_frozen_loss(make({3e-20, -6e-20, 1e-20}), {}));
  CHECK_FALSE(detect_frozen_loss(make({1.35e-05, 1.35e-05, 1.35e-05}), {}));
  // GRPO's 0.0 stays exempt.
  CHECK_FALSE(detect_frozen_loss(make({0.0, 0.0, 0.0}), {}));
}

TEST_CASE("reward_drop decline: one high evaluation of a sparse reward is not a peak (ml-agents#1600)",
          "[detectors][rl][false_positive]") {
  std::vector<double> v = {0.4, 0.25, 0.0, 0.0, 0.25, 0.25, 0.0, 0.4, 0.0};
  Series s("Mean Reward");
  for (std::size_t i = 0; i < v.size(); ++i) {
    s.push(static_cast<std::int64_t>(35000 + 1000 * i), v[i]);
    CHECK_FALSE(detect_reward_drop(s, {}));
  }
  // Held at its level for two evaluations, then down and staying down: a decline.
  auto d = detect_reward_drop(make({0.4, 0.38, 0.25, 0.1, 0.0, 0.0}, "Mean Reward"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "decline");
}

TEST_CASE("throughput: a checkpoint step among steady steps is not a slowdown (deeplab-lfov#5)",
          "[detectors][throughput][false_positive]") {
  // sec/step 1.0 .. 1.02, then 5.5 s at the checkpoint step 13000: rising at
  // two points and 5.5x the minimum, but the step before it was an ordinary one.
  std::vector<double> v = {1.019, 1.016, 1.0, 1.035, 0.999, 0.996, 1.0, 1.017, 5.495, 0.743, 1.011};
  Series s("sec/step");
  for (std::size_t i = 0; i < v.size(); ++i) {
    s.push(static_cast<std::int64_t>(12991 + i), v[i]);
    CHECK_FALSE(detect_step_time_growth(s, {}));
  }
}

TEST_CASE("loss_divergence fast: three rises from one lucky sample are noise, from a level a climb",
          "[detectors][loss][false_positive]") {
  // A single-sample training loss scattering 0.55-0.85 with one lucky 0.33:
  // 0.45, 0.70, 1.06 rise three times to 3.2x that sample, under 2x its neighbours.
  std::vector<double> noisy = {0.77, 0.75, 0.63, 0.72, 0.68, 0.62, 0.70, 0.58, 0.75, 0.82,
                               0.63, 0.82, 0.60, 0.55, 0.33, 0.62, 0.40, 0.45, 0.70, 1.06};
  check_quiet_throughout(noisy, detect_loss_divergence, "train_loss");
  // The same climb from a level the loss held (0.33, then 0.34) is a divergence.
  std::vector<double> level = noisy;
  level[15] = 0.34;
  REQUIRE(first_decision(level, detect_loss_divergence, "train_loss"));
  CHECK(*ev(*first_decision(level, detect_loss_divergence, "train_loss"), "rule") == "fast");
}

TEST_CASE("throughput: a time per step that jumps to a new level and stays there is a collapse of its rate",
          "[detectors][throughput]") {
  // 0.50-0.52 s per iteration, then 3 s for good (a data loader starved by a
  // slow disk): never slower at each of two points, so the growth rule is
  // quiet; the rate (1 / the time) is a sixth of the run's own early level.
  std::vector<double> v = {0.50, 0.51, 0.52, 0.50, 0.51, 0.52, 0.50, 0.51, 0.52, 0.50, 3.0, 3.0, 3.0};
  Series time("iter_time"), rate("1/iter_time");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < v.size(); ++i) {
    time.push(static_cast<std::int64_t>(i), v[i]);
    rate.push(static_cast<std::int64_t>(i), 1.0 / v[i]);
    CHECK_FALSE(detect_step_time_growth(time, {}));
    auto d = detect_step_time_collapse(rate, time.name(), {});
    if (d && !first) first = d;
    if (i < 11) CHECK_FALSE(d);  // one slow step is not a collapse (persistence 2)
  }
  REQUIRE(first);
  CHECK(first->step == 11);
  CHECK(first->syndrome == "throughput_collapse");
  CHECK(first->message == "iter_time rose to 3, 5.882x the run's own early level 0.51");
  // The checkpoint step of deeplab-lfov#5 (5.5 s among 1.0 s steps) and a
  // speed that swings as low in its reference (gluon-yolov3#11, as times) stay quiet.
  for (const std::vector<double>& quiet :
       {std::vector<double>{1.019, 1.016, 1.0, 1.035, 0.999, 0.996, 1.0, 1.017, 5.495, 0.743, 1.011},
        std::vector<double>{1 / 28.997, 1 / 14.945, 1 / 27.756, 1 / 11.758, 1 / 26.387, 1 / 13.143, 1 / 13.592,
                            1 / 22.194}}) {
    Series r("1/sec/step");
    for (std::size_t i = 0; i < quiet.size(); ++i) {
      r.push(static_cast<std::int64_t>(i), 1.0 / quiet[i]);
      CHECK_FALSE(detect_step_time_collapse(r, "sec/step", {}));
    }
  }
}

TEST_CASE("throughput: a bare time unit that balloons escalates, a clock that never falls is quiet (NiftyNet#47)",
          "[detectors][throughput]") {
  // The "(1.35s)" of NiftyNet's iteration lines: 1.35 s, 3-5 s, then 64-75 s.
  std::vector<double> v = {1.35, 1.98, 5.26, 21.41, 3.72, 5.14, 2.99, 3.75, 3.84, 4.02, 3.95, 63.81, 75.35};
  Series s("s");
  std::optional<Decision> last;
  for (std::size_t i = 0; i < v.size(); ++i) {
    s.push(static_cast<std::int64_t>(3211 + i), v[i]);
    if (auto d = detect_step_time_growth(s, {}, /*may_be_clock=*/true)) last = d;
  }
  REQUIRE(last);
  CHECK(last->step == 3223);
  CHECK(last->severity == Severity::kCritical);  // 75 s is over 10x the 1.35 s minimum
  // An elapsed clock under the same bare name rises at every point: never judged.
  Series clock("s");
  for (int i = 0; i < 8; ++i) {
    clock.push(i, 10.0 * (i + 1) * (i + 1));
    CHECK_FALSE(detect_step_time_growth(clock, {}, /*may_be_clock=*/true));
  }
  CHECK(detect_step_time_growth(clock, {}));  // the same series named as a step time does fire
}

TEST_CASE("reward_drop decline: beyond the plateau's own noise (liampetti/DDPG#2)", "[detectors][rl]") {
  // CartPole episodes of a random-level policy (13 .. 39), then 8 .. 11: three
  // low episodes after a lucky 39 are noise; the run falling under its
  // plateau's lowest episode is the decline.
  std::vector<double> early = {29, 37, 22, 21, 17, 23, 39, 23, 19, 21, 20, 27, 18, 21, 20, 28,
                               21, 24, 19, 20, 24, 31, 22, 20, 15, 21, 20, 37, 17, 13, 18};
  std::vector<double> late = {9, 10, 9, 10, 10, 9, 8, 11};
  Series s("Reward");
  for (std::size_t i = 0; i < early.size(); ++i) {
    s.push(static_cast<std::int64_t>(267 + i), early[i]);
    CHECK_FALSE(detect_reward_drop(s, {}));
  }
  std::optional<Decision> first;
  for (std::size_t i = 0; i < late.size() && !first; ++i) {
    s.push(static_cast<std::int64_t>(937 + i), late[i]);
    first = detect_reward_drop(s, {});
  }
  REQUIRE(first);
  CHECK(first->step == 938);  // the second late episode: 9, 10 against a recent mean of 21
}

TEST_CASE("loss_divergence step: a flat loss that stands on a higher level (sphereface#103)",
          "[detectors][divergence]") {
  // Caffe's smoothed loss at 9.49 (spread 0.16 %), then 13.4-14.0 after the
  // learning rate dropped: 1.41x, far beyond its noise, three points in a row.
  std::vector<double> v = {9.48658, 9.49667, 9.48145, 9.49019, 13.4725, 13.3963, 13.9681, 13.8304};
  Series s("loss");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < v.size() && !first; ++i) {
    s.push(static_cast<std::int64_t>(i < 4 ? 3600 + 100 * i : 18900 + 100 * (i - 4)), v[i]);
    first = detect_loss_divergence(s, {});
  }
  REQUIRE(first);
  CHECK(first->step == 19100);
  CHECK(*ev(*first, "rule") == "step");
  // Two points on the new level are not a level yet; a bump coming back down is none.
  CHECK_FALSE(detect_loss_divergence(make({9.48658, 9.49667, 9.48145, 9.49019, 13.4725, 13.3963}), {}));
  CHECK_FALSE(detect_loss_divergence(make({9.48658, 9.49667, 9.48145, 9.49019, 13.4725, 13.0, 12.5}), {}));
  // A noisy per-step loss (spread 40 %) stepping up 41 % is within its noise.
  CHECK_FALSE(detect_loss_divergence(make({0.70, 0.95, 0.62, 0.88, 1.32, 1.31}), {}));
}

TEST_CASE("loss_divergence step, ramp form: an epoch average between the two levels (DeepJ#49)",
          "[detectors][divergence]") {
  // Keras epoch loss at 0.0471-0.0475 for five epochs, then 0.0612 (the epoch
  // that straddles the change), 0.0958 and 0.0877: doubled and standing there.
  std::vector<double> v = {0.0475, 0.0474, 0.0473, 0.0471, 0.0472, 0.0612, 0.0958, 0.0877};
  auto first = first_decision(v, detect_loss_divergence, "loss", 60);
  REQUIRE(first);
  CHECK(first->step == 67);
  CHECK(*ev(*first, "rule") == "step");
  CHECK_FALSE(detect_loss_divergence(make({0.0475, 0.0474, 0.0473, 0.0471, 0.0472, 0.0612, 0.0958, 0.0877}),
                                     {.step_points = 0}));
  // Look-alikes: a bump that decays (the latest fell more than half way back
  // to the ramp); a "ramp" within the flat stretch's noise, then two points
  // up (no level yet); a ramp above the next values (a spike coming down).
  CHECK_FALSE(detect_loss_divergence(make({0.0475, 0.0474, 0.0473, 0.0471, 0.0472, 0.0612, 0.0958, 0.0700}), {}));
  CHECK_FALSE(detect_loss_divergence(make({0.0475, 0.0474, 0.0473, 0.0471, 0.0472, 0.0490, 0.0958, 0.0877}), {}));
  CHECK_FALSE(detect_loss_divergence(make({0.0475, 0.0474, 0.0473, 0.0471, 0.0472, 0.0940, 0.0930, 0.0877}), {}));
  // A noisy per-step loss (spread 40 %) with a "ramp" is within its noise.
  CHECK_FALSE(detect_loss_divergence(make({0.70, 0.95, 0.62, 0.88, 1.10, 1.32, 1.31}), {}));
}

TEST_CASE("loss_divergence jump: doubled in one interval and stays on the new level (DisCo#1)",
          "[detectors][divergence]") {
  // fairseq validation loss 5.99 (the best), then 12.41, 11.67, 9.24, ...:
  // 2.07x in one evaluation; three points later it has not come back half way.
  std::vector<double> v = {5.99, 12.413, 11.669, 9.24, 8.942, 8.918, 8.832, 8.751, 11.789};
  Series s("loss");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < v.size() && !first; ++i) {
    s.push(static_cast<std::int64_t>(12854 + 280 * i), v[i]);
    first = detect_loss_divergence(s, {});
  }
  REQUIRE(first);
  CHECK(first->step == 12854 + 280 * 3);
  CHECK(*ev(*first, "rule") == "jump");
  CHECK_FALSE(detect_loss_divergence(make({5.99, 12.413, 11.669, 9.24}, "loss", 12854), {.jump_ratio = 0}));
  // Two points up are no level yet; a jump that comes back half way is a bump.
  CHECK_FALSE(detect_loss_divergence(make({5.99, 12.413, 11.669}, "loss", 12854), {}));
  CHECK_FALSE(detect_loss_divergence(make({5.99, 12.413, 11.669, 8.5}, "loss", 12854), {}));
  // A noisy small loss whose reference is a low sample: its next values
  // scatter as widely as the jump (DQN TD loss 0.009, 0.023, 0.085, 0.017;
  // a fine-tune's 0.062, 0.19, 0.11, 0.10).
  CHECK_FALSE(detect_loss_divergence(make({0.00924, 0.02298, 0.08478, 0.0166}, "loss", 12854), {}));
  CHECK_FALSE(detect_loss_divergence(make({0.0618, 0.1924, 0.1147, 0.1006}, "loss", 12854), {}));
  // From a run's first loss (step 0, or the first step no later than the
  // interval to the next) one reference value is a warm-up bump, not a jump.
  CHECK_FALSE(detect_loss_divergence(make({5.99, 12.413, 11.669, 9.24}), {}));
  Series every10("loss");
  for (int i = 0; i < 4; ++i) every10.push(10 * (i + 1), v[static_cast<std::size_t>(i)]);  // steps 10, 20, 30, 40
  CHECK_FALSE(detect_loss_divergence(every10, {}));
  CHECK(detect_loss_divergence(make({5.99, 12.413, 11.669, 9.24}, "loss", 12854), {}));
  CHECK(detect_loss_divergence(make({4.0, 5.99, 12.413, 11.669, 9.24}), {}));
  // Under 2x the highest of the points before it is no jump.
  CHECK_FALSE(detect_loss_divergence(make({5.0, 6.2, 5.99, 11.9, 11.5, 11.2}), {}));
}

TEST_CASE("frozen_loss: a precisely printed value three times, a cross-entropy clamp (keras#2392, up-down#2)",
          "[detectors][frozen]") {
  // 5.7257 (5 significant digits) three epochs running: the identical rule's
  // precise form needs 3 points, not 6.
  auto d = detect_frozen_loss(make({5.7178, 5.7257, 5.7257, 5.7257}), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "identical");
  CHECK(*ev(*d, "points") == "3");
  CHECK_FALSE(detect_frozen_loss(make({5.7178, 5.7257, 5.7257}), {}));        // two
  CHECK_FALSE(detect_frozen_loss(make({0.91, 0.43, 0.43, 0.43, 0.43}), {}));  // 2 digits repeat by rounding
  CHECK_FALSE(detect_frozen_loss(make({5.7178, 5.7257, 5.7257, 5.7257}), {.precise_points = 0}));
  // Identical from the first value on (a DPO loss at ln 2 while the policy is the reference): the bar of 6.
  CHECK_FALSE(detect_frozen_loss(make({0.6931471824645996, 0.6931471824645996, 0.6931471824645996}), {}));
  // Once fired it holds while the run goes on (no resolve between 3 and 6 points).
  Series held("loss");
  held.push(0, 5.7178);
  for (int i = 1; i < 9; ++i) {
    held.push(i, 5.7257);
    INFO("step " << i);
    CHECK(detect_frozen_loss(held, {}).has_value() == (i >= 3));
  }
  CHECK(detail::significant_digits(5.7257) == 5);
  CHECK(detail::significant_digits(3.6057692021131516) == 17);
  // Caffe's saturated softmax: -ln(FLT_MIN) = 87.3365 twice after 9.22.
  auto s = detect_frozen_loss(make({9.21768, 87.3365, 87.3365}), {});
  REQUIRE(s);
  CHECK(*ev(*s, "rule") == "saturated");
  CHECK_FALSE(detect_frozen_loss(make({9.21768, 87.3365}), {}));
  CHECK_FALSE(detect_frozen_loss(make({9.2, 87.31, 87.35}), {}));  // near it, not at it
  CHECK(detect_frozen_loss(make({2.3, 16.1181, 16.1181}), {}));    // Keras' clip: -ln(1e-7)
}

TEST_CASE("frozen_loss: identical from the first value, and not at ln k (keras#6132)", "[detectors][frozen]") {
  // An mse epoch loss 1.0097 three epochs running from the first: no untrained
  // model gives that on every batch, so the precise form's 3 points suffice.
  auto d = detect_frozen_loss(make({1.0097, 1.0097, 1.0097}, "loss", 1), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "identical");
  CHECK(*ev(*d, "points") == "3");
  CHECK_FALSE(detect_frozen_loss(make({1.0097, 1.0097}, "loss", 1), {}));
  // At ln k from the start (a uniform output: ln 10 for CIFAR-10, DPO's ln 2 in
  // float32, a zero-initialised LM head at ln 50257 whose ln k lie closer than
  // 4 decimals) the bar stays `points`.
  CHECK_FALSE(detect_frozen_loss(make({2.3026, 2.3026, 2.3026}), {}));
  CHECK_FALSE(detect_frozen_loss(make({0.6931472, 0.6931472, 0.6931472}), {}));
  CHECK_FALSE(detect_frozen_loss(make({10.8249, 10.8249, 10.8249}), {}));
  CHECK(detect_frozen_loss(make(std::vector<double>(6, 2.3026)), {}));
  CHECK(detail::at_uniform_output(std::log(4.0)));
  CHECK_FALSE(detail::at_uniform_output(1.0097));
  CHECK_FALSE(detail::at_uniform_output(0.0266));
}

TEST_CASE("frozen_loss: identical from an excerpt's first value keeps the bar of points (xgboost#807)",
          "[detectors][frozen][false_positive]") {
  // xgb.cv at eta 0.02, rounds 2135-2145 printed every 5: a converged train
  // logloss 0.528952 three rows running from the excerpt's first row. Mid-run,
  // the first value is no initial level: no evidence the loss never moved.
  Series excerpt("train-logloss", 64);
  for (int i = 0; i < 3; ++i) excerpt.push(2135 + 5 * i, 0.528952);
  CHECK_FALSE(detect_frozen_loss(excerpt, {}));
  for (int i = 3; i < 6; ++i) excerpt.push(2135 + 5 * i, 0.528952);
  CHECK(detect_frozen_loss(excerpt, {}));  // six identical values: the identical rule's own bar
  // From the run's start the precise form's 3 points still suffice.
  CHECK(detect_frozen_loss(make({0.528952, 0.528952, 0.528952}), {}));
  // After a value that differs, also mid-run (keras#2392's form).
  Series moved("loss", 64);
  for (double v : {0.531107, 0.528952, 0.528952, 0.528952}) moved.push(2135 + 5 * static_cast<int>(moved.size()), v);
  CHECK(detect_frozen_loss(moved, {}));
}

TEST_CASE("frozen_loss: a GRPO loss one print step from 0 repeats by rounding", "[detectors][frozen][false_positive]") {
  // TRL/unsloth GRPO tables (round(loss, 4)): the loss is about beta x KL,
  // 0.0 for the first steps, then 0.0001 for many more.
  std::vector<double> grpo = {0.0, -0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  for (int i = 0; i < 12; ++i) grpo.push_back(0.0001);
  check_quiet_throughout(grpo, detect_frozen_loss, "loss");
  CHECK(detect_frozen_loss(make(grpo), {.ignore_zero = false}));
  check_quiet_throughout({0.0, -0.001, -0.001, -0.001, -0.001, -0.001, -0.001, -0.001}, detect_frozen_loss, "loss");
  // Values with more digits than one step still count (piaic#16: 0.0266 six times).
  CHECK(detect_frozen_loss(make({0.3, 0.0266, 0.0266, 0.0266, 0.0266, 0.0266, 0.0266}), {}));
  CHECK(detail::one_print_step(0.0001));
  CHECK(detail::one_print_step(-0.01));
  CHECK_FALSE(detail::one_print_step(0.0002));
  CHECK_FALSE(detail::one_print_step(0.0));
  CHECK_FALSE(detail::one_print_step(1.0));
}

TEST_CASE("frozen_loss: a GRPO loss a few print steps from 0 sits there by rounding",
          "[detectors][frozen][false_positive]") {
  // r22's GRPO-from-scratch notebook (loss rounded to 4 decimals, reward rising): 0.0 at first, then 0.0012 at most
  // steps, between 0.0010 and 0.0015.
  std::vector<double> grpo = {0.0, 0.0, 0.0001, 0.0003, 0.0008, 0.0011, 0.0013, 0.0012, 0.0012, 0.0014};
  for (int i = 0; i < 8; ++i) grpo.push_back(0.0012);
  check_quiet_throughout(grpo, detect_frozen_loss, "loss");  // the reward-run reading
  // Outside a reward run the same repetition is a loss that stopped changing.
  CHECK(detect_frozen_loss_in(make(grpo), {}, false));
  // Three significant digits are no rounding of that kind.
  CHECK(detect_frozen_loss(make({0.3, 0.00123, 0.00123, 0.00123, 0.00123, 0.00123, 0.00123}), {}));
}

TEST_CASE("frozen_metric: an accuracy identical while the loss never improved (bert#855, PaddleOCR#3074)",
          "[detectors][frozen]") {
  const double a = 3.6057692021131516;
  // Its first four epochs the loss still falls at every one (5.20 -> 5.005):
  // too early; by the sixth it has stopped (5.0035, 5.0101).
  Series early = make({5.2009, 5.0857, 5.0195, 5.0053}, "train_loss");
  CHECK_FALSE(detect_frozen_metric(make({a, a, a, a}, "valid_ac"), &early, {}));
  Series loss = make({5.2009, 5.0857, 5.0195, 5.0053, 5.0035, 5.0101}, "train_loss");
  auto d = detect_frozen_metric(make({a, a, a, a}, "valid_ac"), &loss, {});
  REQUIRE(d);
  CHECK(d->syndrome == "frozen_metric");
  CHECK(*ev(*d, "rule") == "metric");
  CHECK_FALSE(detect_frozen_metric(make({a, a, a}, "valid_ac"), &loss, {}));       // three
  CHECK_FALSE(detect_frozen_metric(make({a, a, a, a}, "valid_ac"), nullptr, {}));  // no loss, no evidence
  CHECK_FALSE(detect_frozen_metric(make({a, a, a, a}, "valid_ac"), &loss, {.metric_points = 0}));
  // Exactly 0 beside a CTC loss that sits at 114.
  Series ctc = make({114.31, 115.32, 115.96, 114.72}, "loss");
  CHECK(detect_frozen_metric(make({0.0, 0.0, 0.0, 0.0}, "acc"), &ctc, {}));
  // A regression model's meaningless acc of 0 beside a falling loss.
  Series falling = make({0.1583, 0.0636, 0.0609, 0.0357}, "loss");
  CHECK_FALSE(detect_frozen_metric(make({0.0, 0.0, 0.0, 0.0}, "val_acc"), &falling, {}));
  // An excerpt of a converged run: valid ACC 0.935 four epochs running while
  // the train loss, 4 % down, still falls at every epoch (speechbrain#2191).
  Series easing = make({31.17, 30.77, 30.55, 30.31, 29.94, 29.84}, "train loss", 72);
  CHECK_FALSE(detect_frozen_metric(make({0.934, 0.935, 0.935, 0.935, 0.935}, "valid ACC", 73), &easing, {}));
  // At its ceiling (converged), or lower than before (a drop, not a freeze).
  CHECK_FALSE(detect_frozen_metric(make({1.0, 1.0, 1.0, 1.0}, "acc"), &ctc, {}));
  CHECK_FALSE(detect_frozen_metric(make({0.7, 0.5, 0.5, 0.5, 0.5}, "acc"), &ctc, {}));
}

TEST_CASE("throughput_collapse: a speed that swings as low in its reference is no collapse (gluon-yolov3#11)",
          "[detectors][throughput][false_positive]") {
  check_quiet_throughout({28.997, 14.945, 27.756, 11.758, 26.387, 13.143, 13.592, 22.194}, detect_throughput_collapse,
                         "Speed");
  // A real collapse still fires: below 0.6 x the reference and below its lowest value.
  CHECK(first_decision({50, 90, 100, 101, 99, 100, 98, 100, 40, 38}, detect_throughput_collapse, "tp"));
  // One slow reference value in eight (a checkpoint save) does not hide it.
  CHECK(first_decision({50, 90, 100, 101, 30, 100, 98, 100, 99, 100, 40, 38}, detect_throughput_collapse, "tp"));
  // Nor does a ramp-up longer than the warm-up (slow once, never again).
  CHECK(first_decision({20, 30, 45, 60, 100, 101, 99, 100, 98, 50, 48}, detect_throughput_collapse, "tp"));
}

TEST_CASE(
    "validation_drop: one evaluation at half its best while the training accuracy is at its highest "
    "(mxnet#1865)",
    "[detectors][supervised]") {
  Series val("Validation-accuracy"), train("Train-accuracy");
  const double v[] = {0.694959, 0.5297, 0.657973, 0.72191, 0.695673, 0.316746};
  const double t[] = {0.940604, 0.95722, 0.965952, 0.972351, 0.976373, 0.979318};
  for (int i = 0; i < 6; ++i) {
    val.push(3 + i, v[i]);
    train.push(3 + i, t[i]);
  }
  auto d = detect_val_acc_drop(val, {}, "validation_drop", -kInf, &train);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "confirmed");
  CHECK(d->step == 8);
  CHECK_FALSE(detect_val_acc_drop(val, {}));  // one evaluation alone
  CHECK_FALSE(detect_val_acc_drop(val, {.confirm_ratio = 0}, "validation_drop", -kInf, &train));
  // The training accuracy fell too at that step: a hard epoch, not held-out data.
  Series fell("Train-accuracy");
  for (int i = 0; i < 6; ++i) fell.push(3 + i, i < 5 ? t[i] : 0.6);
  CHECK_FALSE(detect_val_acc_drop(val, {}, "validation_drop", -kInf, &fell));
}

TEST_CASE("validation_drop step: a flat metric that steps down for good (jsws#11)", "[detectors][supervised]") {
  // mIOU of six training segments: 0.5563, 0.5564, 0.5552 (spread 0.2 %),
  // then 0.5089, 0.5079, 0.5067 after a resume: 8.5 % under the best, three
  // evaluations running, under the drop rule's 8 points and 10 %.
  auto d = first_decision(
      {0.5563, 0.5564, 0.5552, 0.5089, 0.5079, 0.5067}, [](const Series& s) { return detect_val_acc_drop(s, {}); },
      "mIOU");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "step");
  CHECK(d->step == 5);
  CHECK_FALSE(detect_val_acc_drop(make({0.5563, 0.5564, 0.5552, 0.5089, 0.5079, 0.5067}, "mIOU"), {.step_drop = 0}));
  // Percent-scaled: the same shape at x100.
  CHECK(detect_val_acc_drop(make({55.63, 55.64, 55.52, 50.89, 50.79, 50.67}, "mIOU"), {}));
  // Look-alikes: two evaluations down are no level yet; a metric coming back
  // up; a noisy metric (spread 6 %) 8 % lower is within its noise; a 3 %
  // step is under step_drop.
  CHECK_FALSE(detect_val_acc_drop(make({0.5563, 0.5564, 0.5552, 0.5089, 0.5079}, "mIOU"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.5563, 0.5564, 0.5552, 0.5089, 0.5079, 0.5090}, "mIOU"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.5563, 0.5250, 0.5552, 0.5089, 0.5079, 0.5067}, "mIOU"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.5563, 0.5564, 0.5552, 0.5389, 0.5379, 0.5367}, "mIOU"), {}));
}

TEST_CASE("validation_drop collapse: an AUC judged above its chance level 0.5 (easy-ctr#8)",
          "[detectors][supervised]") {
  // Eval AUC 0.982286, then 0.464652 at the next evaluation: a ranking no
  // better than random after a good one; 0.46 is not under a quarter of 0.98.
  auto d = detect_val_acc_drop(make({0.982286, 0.464652}, "Eval AUC"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "collapse");
  CHECK(d->step == 1);
  CHECK(detect_val_acc_drop(make({98.2286, 46.4652}, "val_auroc"), {}));  // percent-scaled
  // The same values of an accuracy (chance 0) need a second evaluation.
  CHECK_FALSE(detect_val_acc_drop(make({0.982286, 0.464652}, "val_acc"), {}));
  // Look-alikes: an AUC that loses a third of its skill; one whose best was
  // barely above chance (0.62: skill 0.12 < 2 x min_drop); severe_ratio 0.
  CHECK_FALSE(detect_val_acc_drop(make({0.95, 0.80}, "Eval AUC"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.62, 0.50}, "Eval AUC"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.982286, 0.464652}, "Eval AUC"), {.severe_ratio = 0}));
  CHECK(detail::chance_level("roc_auc", 1.0) == 0.5);
  CHECK(detail::chance_level("val_acc", 1.0) == 0.0);
}

TEST_CASE("loss_divergence: a lone low batch is no level the loss reached (deepspeech.pytorch#127)",
          "[detectors][loss][false_positive]") {
  // Per-batch CTC losses of batches sorted by length: 1.99 is one lucky
  // batch between 3.86 and 4.20; the later batches are longer and scatter.
  check_quiet_throughout({3.2168, 3.6915, 3.8567, 1.9861, 4.202, 10.1045, 10.0306, 12.3729, 8.1055, 5.7821},
                         detect_loss_divergence, "Loss", 1);
  // A minimum at the end of a descent still anchors the hold rule (litgpt#628 shape).
  auto d = first_decision({9.0, 6.0, 3.5, 1.7019, 11.463, 11.7545, 11.5019}, detect_loss_divergence);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "hold");
  // A minimum on a plateau (a neighbour equal to it) too.
  d = first_decision({3.0, 2.0, 2.0, 2.0, 11.0, 11.5, 11.2}, detect_loss_divergence);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "hold");
}

TEST_CASE("loss_spike early: a spike like one the loss already recovered from (avod#28)",
          "[detectors][loss][false_positive]") {
  check_quiet_throughout({2.645, 3.583, 11.722, 3.723, 1.895, 15.548, 2.417}, detect_loss_spike, "Total Loss", 0);
  // A spike far above the earlier one still fires.
  auto d = first_decision({2.645, 3.583, 11.722, 3.723, 1.895, 40.0}, detect_loss_spike, "Total Loss");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "early_ratio");
  // And an earlier high point the loss never came back from is no noise.
  d = first_decision({3.01, 2.87, 1.66e13, 2.09e13}, detect_loss_spike);
  REQUIRE(d);
}

TEST_CASE("val_loss_regression: the accuracy at the same evaluation holds (pytorch-pose#43, eat_tf2#69)",
          "[detectors][supervised][false_positive]") {
  auto run = [](const std::vector<double>& v, const std::vector<double>& t, const std::vector<double>& a) {
    return first_val_loss_regression(v, t, a).first;
  };
  // Heatmap MSE bumps 2.4x while PCK sets a new best at every epoch.
  const std::vector<double> pv = {0.006604, 0.005863, 0.007943, 0.006463, 0.011357, 0.013878, 0.011793, 0.006337};
  const std::vector<double> pt = {0.040519, 0.005778, 0.005601, 0.005433, 0.005278, 0.005151, 0.005042, 0.004942};
  const std::vector<double> pa = {0.154301, 0.295626, 0.333515, 0.382962, 0.43316, 0.458898, 0.508453, 0.515834};
  CHECK_FALSE(run(pv, pt, pa));
  // Over-confidence: the val loss rises 57 % while the accuracy stays within 1.4 % of its best.
  const std::vector<double> ev2 = {0.572207, 0.491477, 0.514342, 0.564446, 0.643948, 0.770708};
  const std::vector<double> et = {0.679054, 0.467249, 0.349681, 0.278649, 0.2197, 0.163984};
  const std::vector<double> ea = {0.717, 0.7588, 0.7628, 0.763, 0.7548, 0.7524};
  CHECK_FALSE(run(ev2, et, ea));
  // The same losses with an accuracy that sinks 6 %: fires.
  const std::vector<double> sunk = {0.717, 0.7588, 0.7628, 0.763, 0.74, 0.717};
  auto d = run(ev2, et, sunk);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "overfit");
  // Without an accuracy the rule judges the loss alone: the bump is 2.4x its best.
  CHECK(first_decision(
      pv, [](const Series& s) { return detect_val_loss_regression(s, {}); }, "Val Loss"));
}

TEST_CASE("throughput_collapse: a run that settles a third slower for good (mxnet#8366)", "[detectors][throughput]") {
  // Speedometer lines of epoch 6 (~490 samples/s), then of epoch 47 (~327: 0.67x).
  std::vector<double> v = {490.41, 486.56, 497.6, 492.58, 528.04, 464.52, 484.11, 484.18,
                           495.1,  486.6,  484.4, 491.89, 328.83, 328.94, 328.48};
  auto d = first_decision(v, detect_throughput_collapse, "Speed");
  REQUIRE(d);
  CHECK(d->step == 13);
  CHECK_FALSE(first_decision(
      v, [](const Series& s) { return detect_throughput_collapse(s, {.ratio = 0.6}); }, "Speed"));
  // Look-alikes: a 25 % dip for good is within the bar; one slow line at 0.67x is no level.
  std::vector<double> dip = v, once = v;
  for (std::size_t i = 12; i < dip.size(); ++i) dip[i] = 370.0;
  once[13] = 490.0;
  once[14] = 488.0;
  check_quiet_throughout(dip, detect_throughput_collapse, "Speed");
  check_quiet_throughout(once, detect_throughput_collapse, "Speed");
}

TEST_CASE("throughput_collapse RL: a DQN's one step down when learning starts (Deep-RL-Hands-On#80)",
          "[detectors][throughput][false_positive]") {
  const std::vector<double> fps = {585.91, 722.61, 721.65, 721.01, 719.14, 720.16, 721.55, 718.43,
                                   712.01, 722.72, 244.7,  147.07, 146.79, 146.91, 146.55};
  auto rl = [](const Series& s) { return detect_throughput_collapse_phased(s, {}, true); };
  check_quiet_throughout(fps, rl, "speed");
  // Without the RL profile it is a collapse to a fifth.
  CHECK(first_decision(fps, detect_throughput_collapse, "speed"));
  // After the learning start, a further collapse from the new level fires.
  std::vector<double> worse = fps;
  for (double x : {146.6, 147.0, 146.8, 60.0, 58.0}) worse.push_back(x);
  CHECK(first_decision(worse, rl, "speed"));
}

TEST_CASE("throughput_collapse short: five rows, the last two under every value before (dotaclient#15)",
          "[detectors][throughput]") {
  // Too short for a reference past the warm-up: the lowest of all the values
  // before, warm-up included (warm-up is slow, never fast).
  const std::vector<double> sps = {559.17, 711.36, 805.36, 241.90, 140.80};
  auto d = first_decision(sps, detect_throughput_collapse, "steps_per_s");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "short");
  CHECK(d->step == 4);
  // One low row is a checkpoint save; a fall to 0.6x of the lowest is not under half (no reference yet).
  CHECK_FALSE(first_decision({559.17, 711.36, 805.36, 805.0, 140.80}, detect_throughput_collapse, "steps_per_s"));
  CHECK_FALSE(first_decision({559.17, 711.36, 805.36, 340.0, 335.0}, detect_throughput_collapse, "steps_per_s"));
  // Under a possible learning start (RL, no loss logged before) a step down is that start.
  auto rl = [](const Series& s) { return detect_throughput_collapse_phased(s, {}, true); };
  CHECK_FALSE(first_decision(sps, rl, "steps_per_s"));
}

TEST_CASE("frozen_loss flat: values that differ only by the logger's rounding (pretrained-models#27)",
          "[detectors][frozen]") {
  auto d = first_decision({0.0383, 0.0382, 0.0382}, detect_frozen_loss, "train Loss");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "flat");
  // Two print steps apart is movement; a coarse print (2 decimals, 1.4 % a step) keeps the relative band.
  CHECK_FALSE(first_decision({0.0384, 0.0382, 0.0382}, detect_frozen_loss, "train Loss"));
  CHECK_FALSE(first_decision({0.71, 0.70, 0.70}, detect_frozen_loss, "train Loss"));
}

TEST_CASE("frozen_loss flat: an excerpt that starts mid-run has no initial level (PVT#24, marian-dev#480, caffe#59)",
          "[detectors][frozen][false_positive]") {
  auto at = [](const std::vector<double>& v, std::int64_t step0, std::int64_t every) {
    Series s("loss");
    for (std::size_t i = 0; i < v.size(); ++i) s.push(step0 + every * static_cast<std::int64_t>(i), v[i]);
    return detect_frozen_loss_in(s, FrozenLossOptions{}, false);
  };
  // Converged runs pasted mid-run: the loss moves 0.07-0.1 % between prints
  // (PVT's epochs 196-198, Marian's updates 497000-499000): no initial level, quiet.
  CHECK_FALSE(at({3.2889927095598837, 3.285767560608858, 3.287864878380613}, 196, 1));
  CHECK_FALSE(at({2.77209687, 2.77120614, 2.77030158, 2.77276516}, 497000, 1000));
  // The same spread from the run's start is still flat (nothing says the excerpt is late).
  CHECK(at({3.2889927095598837, 3.285767560608858, 3.287864878380613}, 0, 1));
  // Stuck at chance mid-run moves far less: ImageNet's ln 1000 at iteration 78000 (0.015 %).
  auto d = at({6.9063, 6.90727, 6.9073}, 78000, 20);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "flat");
  // FractalNet#3's 2.303 / 2.3029 printed with 4 decimals, from epoch 34.
  CHECK(at({2.303, 2.303, 2.3029, 2.3029}, 34, 1));
}

TEST_CASE("frozen_loss: a loss at exactly 1.0 for a few points is no saturation (PaddleOCR#13159 left)",
          "[detectors][frozen][false_positive]") {
  // A round value repeats by rounding, and any loss can sit at 1.0: a rule for
  // a dice loss at its upper bound (1.000000 at every step) fired on every loss
  // key at exactly 1.0 for 3 points, including the HF-callback and replay tests'
  // steady rows, so it was taken out; 1.0 keeps the identical rule's bar of 6.
  CHECK_FALSE(first_decision({1.0, 1.0, 1.0, 1.0, 1.0}, detect_frozen_loss, "loss", 172));
  CHECK(first_decision({1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, detect_frozen_loss));
}

TEST_CASE("throughput_collapse: an excerpt that starts mid-run has no warm-up to skip (mxnet#3072)",
          "[detectors][throughput]") {
  const std::vector<double> speed = {92.81, 86.86, 77.47, 48.23, 48.0, 47.92};
  const std::vector<std::int64_t> steps = {650, 700, 750, 3100, 3150, 3200};
  auto run = [&](std::int64_t shift) {
    Series s("Speed");
    std::optional<Decision> first;
    for (std::size_t i = 0; i < speed.size() && !first; ++i) {
      s.push(steps[i] - shift, speed[i]);
      first = detect_throughput_collapse(s, {});
    }
    return first;
  };
  auto d = run(0);
  REQUIRE(d);
  CHECK(d->step == 3150);
  // The same values from a run's start (step 0): its first two are the warm-up.
  CHECK_FALSE(run(650));
}

TEST_CASE("frozen_loss no_gradient: a gradient norm of exactly 0 while the loss is not (YOLO-World#276)",
          "[detectors][frozen]") {
  Series loss("loss"), gn("grad_norm");
  const double l[] = {208.4161, 208.5272, 209.18, 208.8468};
  const double g[] = {0.0, 0.0, kNaN, 0.0};
  std::optional<Decision> first;
  for (int i = 0; i < 4 && !first; ++i) {
    loss.push(i, l[i]);
    gn.push(i, g[i]);
    first = detect_no_gradient(loss, gn, {});
  }
  REQUIRE(first);
  CHECK(first->syndrome == "frozen_loss");
  CHECK(*ev(*first, "rule") == "no_gradient");
  CHECK(first->step == 3);
  // A GRPO step whose completions all scored the same: zero gradient and a zero loss.
  Series grpo("loss"), gz("grad_norm");
  for (int i = 0; i < 4; ++i) grpo.push(i, 0.0), gz.push(i, 0.0);
  CHECK_FALSE(detect_no_gradient(grpo, gz, {}));
  // One non-zero norm among them: the gradient flows.
  Series gm("grad_norm");
  for (double x : {0.0, 0.3, 0.0, 0.0}) gm.push(static_cast<std::int64_t>(gm.size()), x);
  CHECK_FALSE(detect_no_gradient(loss, gm, {}));
  // A norm the logger prints as 0.000 on every row while the loss moves
  // several-fold (BigScience's 52B DeepSpeed log: lm-loss 12.44, 12.45, 41.03,
  // 43.06, 38.14): a placeholder column, no frozen model.
  Series lm("lm-loss"), g0("grad norm");
  std::optional<Decision> any;
  int i = 1;
  for (double x : {12.44238, 12.44502, 41.03157, 43.05696, 38.14122, 33.68778, 31.23441}) {
    lm.push(i, x);
    g0.push(i++, 0.0);
    if (!any) any = detect_no_gradient(lm, g0, {});
  }
  CHECK_FALSE(any);
}

TEST_CASE("loss_divergence above_chance: an LM loss above its chance-level start long after it (llm-action)",
          "[detectors][divergence]") {
  // Megatron-DeepSpeed LLaMA: lm loss 10.65 at iterations 1-3, then 12.67,
  // 13.40, 12.55 at 2498-2500 (the fp16 loss scale at 1).
  Series lm("lm loss");
  const std::pair<std::int64_t, double> rows[] = {{1, 10.65542},    {2, 10.6521},     {3, 10.64566},
                                                  {2498, 12.67467}, {2499, 13.40131}, {2500, 12.54951}};
  std::optional<Decision> d;
  for (auto [step, x] : rows) {
    lm.push(step, x);
    if (!d) d = detect_loss_divergence(lm, {});
  }
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "above_chance");
  CHECK(d->step == 2500);
  // A warm-up spike in the first iterations (BigScience's 52B: 12.44 -> 43.06
  // at iterations 3-4, falling after) is far inside the first 200 intervals.
  Series spike("lm loss");
  std::optional<Decision> early;
  int step = 1;
  for (double x : {12.44238, 12.44502, 41.03157, 43.05696, 38.14122, 33.68778, 31.23441, 25.63856, 22.13366}) {
    spike.push(step++, x);
    if (auto e = detect_loss_divergence(spike, {}); e && *ev(*e, "rule") == "above_chance") early = e;
  }
  CHECK_FALSE(early);
  // Below ln 1000 at the start (a 10-class loss at 2.3 that ends at 2.6) is not judged by it.
  Series small("loss");
  for (auto [s, x] :
       {std::pair<std::int64_t, double>{1, 2.30}, {2, 2.30}, {3, 2.29}, {2498, 2.6}, {2499, 2.6}, {2500, 2.6}})
    small.push(s, x);
  auto d2 = detect_loss_divergence(small, {});
  CHECK_FALSE((d2 && *ev(*d2, "rule") == "above_chance"));
  // Off.
  LossDivergenceOptions off;
  off.above_chance_rise = 0;
  Series again("lm loss");
  std::optional<Decision> d3;
  for (auto [s, x] : rows) {
    again.push(s, x);
    if (!d3) d3 = detect_loss_divergence(again, off);
  }
  CHECK_FALSE(d3);
}

TEST_CASE("reward_drop window: the means of a per-step reward that jumps between 0 and 1 (rasbt's vanilla GRPO)",
          "[detectors][rl]") {
  // The fraction of 8 rollouts solved at each step: around 0.8 for 60 steps,
  // with single 0s among the 1s, then mostly 0 once the answers run into the
  // length cap. The point rule stays quiet on the single 0s; the window rule
  // fires on the last 20 steps' mean.
  std::vector<double> r;
  for (int i = 0; i < 60; ++i) r.push_back(i % 7 == 3 ? 0.0 : (i % 3 == 0 ? 0.75 : 1.0));
  Series s("reward_avg");
  std::optional<Decision> early;
  for (std::size_t i = 0; i < r.size(); ++i) {
    s.push(static_cast<std::int64_t>(i + 1), r[i]);
    if (auto d = detect_reward_drop(s, {}); d && !early) early = d;
  }
  CHECK_FALSE(early);
  std::optional<Decision> late;
  for (int i = 0; i < 30 && !late; ++i) {
    s.push(61 + i, i % 5 == 2 ? 0.625 : 0.0);
    late = detect_reward_drop(s, {});
  }
  REQUIRE(late);
  CHECK(*ev(*late, "rule") == "window");
  CHECK(late->step >= 70);
  RewardDropOptions off;
  off.mean_window = 0;
  Series t("reward_avg");
  std::optional<Decision> none;
  for (std::size_t i = 0; i < r.size(); ++i) t.push(static_cast<std::int64_t>(i + 1), r[i]);
  for (int i = 0; i < 30 && !none; ++i) {
    t.push(61 + i, i % 5 == 2 ? 0.625 : 0.0);
    if (auto d = detect_reward_drop(t, off); d && *ev(*d, "rule") == "window") none = d;
  }
  CHECK_FALSE(none);
  // A smooth episode return that falls is still judged point by point.
  Series e("episode_reward");
  std::optional<Decision> drop;
  int step = 0;
  for (double x : {10.0, 10.5, 11.0, 11.2, 11.5, 11.8, 12.0, 12.1, 12.3, 12.4, 12.5, 3.0, 2.9}) {
    e.push(step++, x);
    if (!drop) drop = detect_reward_drop(e, {});
  }
  REQUIRE(drop);
  CHECK(*ev(*drop, "rule") == "drop");
}

TEST_CASE("loss_divergence slow: five rises inside the band the loss has been moving in are its noise",
          "[detectors][divergence]") {
  // rasbt's distillation log: a single-sample training loss between 0.26 and
  // 1.29; at step 1900 it had risen five times in a row, 0.459 -> 0.848, still
  // under the 0.855 it reached at 1300.
  Series s("train_loss");
  const double v[] = {0.765625, 0.746094, 0.628906, 0.722656, 0.683594, 0.361328, 0.699219, 0.578125,
                      0.746094, 0.824219, 0.632812, 0.824219, 0.515625, 0.427734, 0.458984, 0.734375,
                      0.824219, 0.482422, 0.667969, 0.636719, 0.550781, 0.515625, 0.808594, 0.621094,
                      0.796875, 0.855469, 0.421875, 0.578125, 0.550781, 0.59375,  0.816406, 0.458984,
                      0.53125,  0.578125, 0.628906, 0.75,     0.847656};
  std::optional<Decision> d;
  for (std::size_t i = 0; i < std::size(v); ++i) {
    s.push(static_cast<std::int64_t>(50 * (i + 1)), v[i]);
    if (auto e = detect_loss_divergence(s, {}); e && !d) d = e;
  }
  CHECK_FALSE(d);
}

TEST_CASE("frozen_loss: zero_start, a loss exactly 0 from its first row (ms-swift#4711, detectron2#3023)",
          "[detectors][frozen]") {
  // detectron2#3023: total_loss 0 at every logged iteration from 1959 on.
  Series loss("total_loss");
  std::optional<Decision> first;
  for (int i = 0; i < 9 && !first; ++i) {
    loss.push(1959 + 20 * i, 0.0);
    first = detect_zero_start(loss, {});
  }
  REQUIRE(first);
  CHECK(first->syndrome == "frozen_loss");
  CHECK(*ev(*first, "rule") == "zero_start");
  CHECK(first->step == 1999);  // the third zero
  // Two zeros are not three.
  Series two("loss");
  two.push(1, 0.0), two.push(2, 0.0);
  CHECK_FALSE(detect_zero_start(two, {}));
  // A loss that was ever non-zero is the zero rule's (it needs a real loss before the zeros).
  Series small("loss");
  for (double x : {0.05, 0.0, 0.0, 0.0, 0.0}) small.push(static_cast<std::int64_t>(small.size()), x);
  CHECK_FALSE(detect_zero_start(small, {}));
  // 0.0001 at its print resolution is not exactly 0.
  Series grpo("loss");
  for (double x : {0.0, 0.0, 0.0001, 0.0}) grpo.push(static_cast<std::int64_t>(grpo.size()), x);
  CHECK_FALSE(detect_zero_start(grpo, {}));
  FrozenLossOptions off;
  off.zero_start_points = 0;
  CHECK_FALSE(detect_zero_start(loss, off));
}

TEST_CASE("frozen_loss: replay, an epoch's per-batch losses again in order (TRACE#5)", "[detectors][frozen]") {
  const double epoch[] = {0.9741, 1.3742, 1.239, 0.967, 1.0386, 1.1681, 1.224, 0.961};
  Series loss("Loss");
  std::optional<Decision> first;
  for (int i = 0; i < 14 && !first; ++i) {
    loss.push(i, epoch[i % 8]);
    first = detect_frozen_loss(loss, {});
  }
  REQUIRE(first);
  CHECK(first->syndrome == "frozen_loss");
  CHECK(*ev(*first, "rule") == "replay");
  CHECK(first->step == 11);  // the fourth repeated value
  // A block printed twice (the same steps again): a display issue, quiet.
  Series twice("Loss");
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < 8; ++i) twice.push(i, epoch[i]);
  CHECK_FALSE(detect_frozen_loss(twice, {}));
  // Two-digit values that come back by rounding, or only two distinct values: quiet.
  Series coarse("loss");
  for (double x : {2.3, 2.1, 2.2, 2.4, 2.3, 2.1, 2.2, 2.4}) coarse.push(static_cast<std::int64_t>(coarse.size()), x);
  CHECK_FALSE(detect_frozen_loss(coarse, {}));
  Series alternating("loss");
  for (int i = 0; i < 10; ++i) alternating.push(i, i % 2 ? 1.2345 : 1.5432);
  CHECK_FALSE(detect_frozen_loss(alternating, {}));
  // Three repeated values are not four; replay_points 0 turns it off.
  Series three("Loss");
  for (int i = 0; i < 11; ++i) three.push(i, epoch[i % 8]);
  CHECK_FALSE(detect_frozen_loss(three, {}));
  FrozenLossOptions off;
  off.replay_points = 0;
  Series all("Loss");
  for (int i = 0; i < 14; ++i) all.push(i, epoch[i % 8]);
  CHECK_FALSE(detect_frozen_loss(all, off));
  CHECK(detect_frozen_loss(all, {}));
}

TEST_CASE(
    "frozen_loss: a supervised loss that repeats 0.01 is frozen, a GRPO loss at 0.0001 is rounding "
    "(songdejia/EAST#37)",
    "[detectors][frozen]") {
  // 'Loss 0.0100' on every iteration, read from JSON as 0.01.
  auto first = [](double v, bool reward_run) {
    Series s("Loss");
    for (int i = 0; i < 17; ++i) {
      s.push(372 + i, v);
      if (auto d = detect_frozen_loss_in(s, {}, reward_run)) return std::optional<Decision>(d);
    }
    return std::optional<Decision>();
  };
  auto d = first(0.01, false);
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "identical");
  CHECK(d->step == 377);  // the sixth identical value (points 6)
  auto tenth = first(0.1, false);
  REQUIRE(tenth);
  CHECK(tenth->step == 377);
  // A reward or preference run: one print step from zero is a loss at its
  // print resolution (beta x KL), whatever the decimals; detect_frozen_loss
  // reads every run so.
  CHECK_FALSE(first(0.01, true));
  CHECK_FALSE(first(0.1, true));
  Series s("Loss");
  for (int i = 0; i < 17; ++i) s.push(i, 0.01);
  CHECK_FALSE(detect_frozen_loss(s, {}));
  // A converged supervised loss under round(loss, 4) or 3 decimals: rounding.
  CHECK_FALSE(first(0.0001, false));
  CHECK_FALSE(first(0.001, false));
  // ... and a few steps of 4 decimals from zero, one significant digit (r30: HF Trainer's 'loss' of converged
  // Whisper and CodeBERT fine-tunes, 0.0003 six times running); two digits are a value, not rounding.
  CHECK_FALSE(first(0.0003, false));
  CHECK_FALSE(first(0.0009, false));
  CHECK(first(0.0013, false));
  // ignore_zero off: any repeated value counts.
  CHECK(detect_frozen_loss_in(s, {.ignore_zero = false}, true));
}

TEST_CASE(
    "frozen_metric alone: an accuracy identical from its first row in a run without a loss "
    "(apache/mxnet#4220)",
    "[detectors][frozen]") {
  auto first = [](const std::vector<double>& v, const FrozenLossOptions& o) {
    Series s("Validation-accuracy");
    for (std::size_t i = 0; i < v.size(); ++i) {
      s.push(static_cast<std::int64_t>(i), v[i]);
      if (auto d = detect_frozen_metric_alone(s, o)) return std::optional<Decision>(d);
    }
    return std::optional<Decision>();
  };
  auto d = first(std::vector<double>(16, 0.110204), {});
  REQUIRE(d);
  CHECK(d->syndrome == "frozen_metric");
  CHECK(*ev(*d, "rule") == "metric_alone");
  CHECK(d->step == 3);  // the fourth identical evaluation
  // Look-alikes: three evaluations; a metric that moved first (a converged
  // run's k / N repeating); exactly 0 (not computed yet); at its ceiling.
  CHECK_FALSE(first(std::vector<double>(3, 0.110204), {}));
  CHECK_FALSE(first({0.2307, 0.110204, 0.110204, 0.110204, 0.110204, 0.110204}, {}));
  CHECK_FALSE(first(std::vector<double>(8, 0.0), {}));
  CHECK_FALSE(first(std::vector<double>(8, 0.991), {}));
  CHECK_FALSE(first(std::vector<double>(8, 99.5), {}));
  FrozenLossOptions off;
  off.metric_points = 0;
  CHECK_FALSE(first(std::vector<double>(16, 0.110204), off));
}

TEST_CASE(
    "loss_divergence fast and step_time: a rise under a peak the series came back from is its swing "
    "(argman/EAST#246)",
    "[detectors][loss][throughput][false_positive]") {
  // The model loss of a healthy EAST run, 10 steps per line: it jumps between
  // 0.011 and 0.077 with no trend; at step 1270 it rose three times to 0.051,
  // 4.2x its minimum 0.0121 -- under 0.0768, 0.062 and 0.0531 seen since.
  const std::vector<double> loss = {0.0279, 0.0121, 0.0236, 0.0333, 0.0157, 0.0665, 0.0768, 0.0187,
                                    0.0193, 0.0392, 0.0152, 0.0433, 0.0284, 0.0254, 0.062,  0.0258,
                                    0.0328, 0.0531, 0.0127, 0.0365, 0.0426, 0.051,  0.0188};
  check_quiet_throughout(loss, detect_loss_divergence, "model loss");
  // The same climb to a new high since the minimum is a divergence.
  std::vector<double> up = loss;
  up.back() = 0.0801;
  up[up.size() - 2] = 0.0790;
  auto d = detect_loss_divergence(make(up, "model loss"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "fast");
  // Its seconds/step swing between 1.65 and 11.28 s: 3.11, 3.27, then 9.31
  // (back to 4.07), and 4.99, 6.99, 11.28 rises under the 2.3x fall seen.
  const std::vector<double> t = {3.11, 3.27, 9.31, 4.07, 4.99, 6.99, 11.28, 4.57, 5.6, 5.75, 5.72, 4.75, 1.77};
  check_quiet_throughout(
      t, [](const Series& s) { return detect_step_time_growth(s, {.creep_points = 0}); }, "seconds/step");
  // Beyond the swing it is still a slowdown: NiftyNet#47's bare "s" (judged
  // as a possible clock: it must fall once first) swings 1.3-21 s, then 63.8,
  // 75.4 s per iteration.
  auto n = first_decision(
      {1.349622, 1.981073, 5.262965, 21.411524, 3.720585, 5.143972, 2.990682, 3.754132, 3.843937, 4.022754, 3.947105,
       63.809136, 75.350587},
      [](const Series& s) { return detect_step_time_growth(s, {.creep_points = 0}, true); }, "s");
  REQUIRE(n);
  CHECK(n->step == 12);
  CHECK(detect_step_time_growth(make({1.0, 1.02, 0.99, 1.01, 1.6, 2.3}, "s/it"), {}));
}

TEST_CASE(
    "validation_drop loss_confirmed: BLEU halves as the validation loss jumps to its worst "
    "(marian-dev#512)",
    "[detectors][supervised]") {
  const std::int64_t steps[] = {80000, 90000, 100000, 110000, 120000};
  auto run = [&](const double* ce, const ValAccDropOptions& o) {
    Series bleu("bleu"), loss("cross-entropy");
    std::optional<Decision> first;
    const double b[] = {26.4827, 26.4965, 27.1569, 27.4341, 12.0324};
    for (int i = 0; i < 5 && !first; ++i) {
      bleu.push(steps[i], b[i]);
      loss.push(steps[i], ce[i]);
      first = detect_val_acc_drop(bleu, o, "validation_drop", -kInf, nullptr, &loss);
    }
    return first;
  };
  const double ce[] = {53.9433, 53.018, 52.1468, 52.3338, 75.2208};
  auto d = run(ce, {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "loss_confirmed");
  CHECK(d->step == 120000);
  // Look-alikes: the loss lower than it once was (not its worst), or only
  // 10 % over its minimum; the rule off.
  const double below[] = {80.1, 53.018, 52.1468, 52.3338, 75.2208};
  CHECK_FALSE(run(below, {}));
  const double mild[] = {53.9433, 53.018, 52.1468, 52.3338, 57.4};
  CHECK_FALSE(run(mild, {}));
  CHECK_FALSE(run(ce, {.confirm_loss_rise = 0}));
  // Without a loss, 12.03 / 27.43 = 0.44 is over severe_ratio: quiet.
  Series bleu("bleu");
  for (double x : {26.4827, 26.4965, 27.1569, 27.4341, 12.0324}) bleu.push(static_cast<std::int64_t>(bleu.size()), x);
  CHECK_FALSE(detect_val_acc_drop(bleu, {}));
}

TEST_CASE("frozen_loss identical_eval: a test loss identical to every digit while the validation loss moves",
          "[detectors][loss][frozen]") {
  // Time-Series-Library#294: epochs 455-459 at a learning rate of 1e-24.
  auto first = [](const std::vector<double>& test, const std::vector<double>& vali) {
    Series t("Test Loss"), v("Vali Loss");
    for (std::size_t i = 0; i < test.size(); ++i) {
      t.push(static_cast<std::int64_t>(455 + i), test[i]);
      v.push(static_cast<std::int64_t>(455 + i), vali[i]);
      if (auto d = detect_frozen_eval(t, v, FrozenLossOptions{})) return std::optional<Decision>(d);
    }
    return std::optional<Decision>();
  };
  const std::vector<double> vali = {2879.697998, 2913.9836426, 2956.5004883, 2840.520752, 2942.1745605};
  auto d = first(std::vector<double>(5, 2341.5895996), vali);
  REQUIRE(d);
  CHECK(d->syndrome == "frozen_loss");
  CHECK(*ev(*d, "rule") == "identical_eval");
  CHECK(d->step == 457);  // the third identical evaluation
  // Quiet: a converged run's test loss still moves in its last digits
  // (PatchTST#116); a sibling that repeats too (forward-filled eval rows);
  // a value printed with too few digits to move.
  CHECK_FALSE(first({0.2741248, 0.2741421, 0.2741397, 0.2741141, 0.2740823}, vali));
  CHECK_FALSE(first(std::vector<double>(5, 2341.5895996), std::vector<double>(5, 2879.697998)));
  CHECK_FALSE(first(std::vector<double>(5, 0.27), vali));
  FrozenLossOptions off;
  off.precise_points = 0;
  Series t("Test Loss"), v("Vali Loss");
  for (std::size_t i = 0; i < 5; ++i) {
    t.push(static_cast<std::int64_t>(i), 2341.5895996);
    v.push(static_cast<std::int64_t>(i), vali[i]);
    CHECK_FALSE(detect_frozen_eval(t, v, off));
  }
}

TEST_CASE("val_acc_drop decline: a metric that halves in successive falls (facenet#104)", "[detectors][supervised]") {
  // The validation rate 0.85, 0.63, 0.54, 0.39: three falls since the best.
  auto d = detect_val_acc_drop(make({0.85, 0.63, 0.54, 0.39}, "val_rate"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "decline");
  CHECK(*ev(*d, "best") == "0.85");
  // Quiet: two falls only; a fall that turned back up before the latest; one
  // noisy evaluation at half the best after others near it; still above
  // half; the rule off with collapse_ratio 0.
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.63, 0.39}, "val_rate"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.63, 0.54, 0.58, 0.40}, "val_rate"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.84, 0.86, 0.85, 0.40}, "val_rate"), {}));
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.70, 0.60, 0.50}, "val_rate"), {}));
  ValAccDropOptions off;
  off.collapse_ratio = 0;
  CHECK_FALSE(detect_val_acc_drop(make({0.85, 0.63, 0.54, 0.39}, "val_rate"), off));
}

TEST_CASE("frozen_loss: adversarial_zero, a GAN side's loss exactly 0 beside its opponent (DCGAN-tensorflow#276)",
          "[detectors][frozen]") {
  // DCGAN-tensorflow#276: g_loss 0.00000000 at every batch, d_loss 61.8-92.2.
  const std::vector<double> d_vals = {66.69, 76.59, 61.85, 92.15, 77.85};
  Series g("g_loss"), d("d_loss");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < d_vals.size() && !first; ++i) {
    d.push(static_cast<std::int64_t>(i), d_vals[i]);
    g.push(static_cast<std::int64_t>(i), 0.0);
    first = detect_adversarial_zero(g, d, {});
  }
  REQUIRE(first);
  CHECK(first->syndrome == "frozen_loss");
  CHECK(*ev(*first, "rule") == "adversarial_zero");
  CHECK(*ev(*first, "opponent") == "d_loss");
  CHECK(first->step == 2);  // the third zero
  // A generator loss that was ever non-zero, an opponent also at 0 (an
  // adversarial term switched off, its discriminator not trained), or one
  // logged on other rows: quiet.
  Series real("g_loss");
  for (double x : {0.7, 0.0, 0.0, 0.0}) real.push(static_cast<std::int64_t>(real.size()), x);
  Series d4 = make({66.7, 76.6, 61.8, 92.2}, "d_loss");
  CHECK_FALSE(detect_adversarial_zero(real, d4, {}));
  Series g4 = make({0.0, 0.0, 0.0, 0.0}, "g_loss");
  CHECK(detect_adversarial_zero(g4, d4, {}));
  CHECK_FALSE(detect_adversarial_zero(g4, make({0.0, 0.0, 0.0, 0.0}, "d_loss"), {}));
  CHECK_FALSE(detect_adversarial_zero(g4, make({66.7, 76.6, 61.8, 92.2}, "d_loss", 10), {}));
  // Two zeros are not three.
  CHECK_FALSE(detect_adversarial_zero(make({0.0, 0.0}, "g_loss"), d4, {}));
  FrozenLossOptions off;
  off.zero_start_points = 0;
  CHECK_FALSE(detect_adversarial_zero(g4, d4, off));
}

TEST_CASE("grad_norm: growth, x1.3 or more per row for 6 rows while the loss stalls (grokfast#9)",
          "[detectors][grad_norm]") {
  // grokfast#9: grad_norm x1.5 per logged row, the loss at 11.1-11.7.
  const std::vector<double> gn = {3.79e12, 5.68e12, 8.50e12, 1.27e13, 1.91e13, 2.86e13, 4.28e13, 6.41e13};
  const std::vector<double> lv = {11.6752, 11.4293, 11.3192, 11.2486, 11.111, 11.2352, 11.3782, 11.2332};
  Series g("grad_norm"), loss("loss");
  std::optional<Decision> first;
  for (std::size_t i = 0; i < gn.size() && !first; ++i) {
    g.push(static_cast<std::int64_t>(i), gn[i]);
    loss.push(static_cast<std::int64_t>(i), lv[i]);
    first = detect_grad_norm_growth(g, &loss, {});
  }
  REQUIRE(first);
  CHECK(first->syndrome == "grad_norm_explosion");
  CHECK(*ev(*first, "rule") == "growth");
  CHECK(first->step == 6);  // the sixth consecutive rise
  // Not through detect_grad_norm: 7 points are below its min_points.
  CHECK_FALSE(
      detect_grad_norm(make({3.79e12, 5.68e12, 8.50e12, 1.27e13, 1.91e13, 2.86e13, 4.28e13}, "grad_norm"), &loss, {}));
  // A warm-up: the same growth while the loss falls 10 % -> quiet.
  Series falling = make({6.0, 5.8, 5.6, 5.5, 5.4, 5.3, 5.2}, "loss");
  Series g7 = make({0.1, 0.15, 0.22, 0.33, 0.5, 0.75, 1.1}, "grad_norm");
  CHECK_FALSE(detect_grad_norm_growth(g7, &falling, {}));
  Series flat = make({6.0, 6.1, 6.0, 5.9, 6.0, 6.1, 6.0}, "loss");
  CHECK(detect_grad_norm_growth(g7, &flat, {}));
  // One rise short of x1.3 breaks the run; no loss logged: quiet.
  CHECK_FALSE(detect_grad_norm_growth(make({0.1, 0.15, 0.22, 0.33, 0.42, 0.75, 1.1}, "grad_norm"), &flat, {}));
  CHECK_FALSE(detect_grad_norm_growth(g7, nullptr, {}));
  GradNormOptions off;
  off.growth_points = 0;
  CHECK_FALSE(detect_grad_norm_growth(g7, &flat, off));
}

TEST_CASE("kl_explosion window: a KL rising from 0 as the policy leaves its reference is no level yet",
          "[detectors][rl][false_positive]") {
  // unsloth's Ministral 3 sudoku GRPO notebook, steps 1-9 (healthy): 0 .. 0.146, then 0.70 (4.8x the five before)
  std::vector<double> kl = {0.0, 0.0, 0.001629, 0.023117, 0.145891, 0.701149, 1.378505, 0.856263, 1.220453};
  check_quiet_throughout(kl, detect_kl_explosion, "kl");
  // From a level it held over min_kl, the same jump is one.
  auto d = detect_kl_explosion(make({0.2, 0.25, 0.22, 0.3, 0.24, 0.9}, "kl"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "window");
}

TEST_CASE("loss_divergence runaway: a loss three orders of magnitude over where it started, by small steps",
          "[detectors][loss]") {
  // r32, Spinning Up DDPG (InvertedDoublePendulum, seed 21808): LossQ 3.67, 9.22, 44.1, 56.7, 72.4, 141, ... each
  // epoch 5-30 % over the last, 1.03e3 at epoch 14 and 7e6 at 110, while the return fell from 9313 to 400
  std::vector<double> q = {3.67, 9.22, 44.1, 56.7, 72.4, 141,  181,  247,  314,  452,  596,  667, 847,
                           1030, 1220, 1560, 1840, 2290, 2550, 2990, 3450, 3970, 4680, 5130, 5920};
  auto d = first_decision(q, detect_runaway_loss, "LossQ");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "runaway");
  CHECK(d->step == 23);  // the median of the last five (2990 .. 5130) first >= 1000 x 3.67
  // A critic that grows with its return (a healthy SAC, 1 -> 128) stays quiet, as does the rule off.
  std::vector<double> sac;
  for (int i = 0; i < 60; ++i) sac.push_back(1.0 * std::pow(128.0, i / 59.0));
  check_quiet_throughout(sac, detect_runaway_loss, "LossQ");
  LossDivergenceOptions off;
  off.runaway_ratio = 0;
  CHECK_FALSE(detect_runaway_loss(make(q, "LossQ"), off));
}

TEST_CASE("kl_explosion climb: a KL that leaves the band it held by steps under the window ratio", "[detectors][rl]") {
  // r31, rookworld-rlvr's mini GRPO (training_history.jsonl, fourth run): kl_div held -1.4 .. +1.8 for 550 steps,
  // reached 2.87 at 559, then climbed 6.79, 10.79, 21.54, 38.83 with no step of 2.5x its maximum so far and no
  // point at max_kl
  std::vector<double> kl;
  for (int i = 0; i < 60; ++i) kl.push_back(i % 3 == 0 ? -1.2 : (i % 3 == 1 ? 1.5 : 0.4));
  for (double v : {2.87, 1.1, 0.5, 2.17, 6.79, 3.2, 2.9, 3.9, 4.5, 5.3, 4.9, 10.79, 21.54, 9.0, 38.83, 14.34, 40.74})
    kl.push_back(v);
  // Quiet until three points running are 4x the band (max 1.5): 10.79, 21.54, 9.0 at step 73.
  auto d = first_decision(kl, detect_kl_explosion, "kl_div");
  REQUIRE(d);
  CHECK(d->step == 73);
  CHECK(*ev(*d, "rule") == "climb");
  // unsloth's gpt-oss GRPO notebook (healthy, its reward rises): a KL that held 0.31 and climbs under 4x of it
  std::vector<double> healthy;
  for (int i = 0; i < 40; ++i) healthy.push_back(0.1 + 0.2 * (i % 2) + 0.006 * (i % 5));
  for (double v : {0.6, 0.9, 1.1, 2.3, 3.6, 1.18}) healthy.push_back(v);
  check_quiet_throughout(healthy, detect_kl_explosion, "kl");
  // The climb rule off: the same run is quiet.
  KlExplosionOptions off;
  off.climb_window = 0;
  CHECK_FALSE(detect_kl_explosion(make(kl, "kl_div"), off));
}

TEST_CASE("reward_drop decline: a reward that jumps across its range declines only to a new low",
          "[detectors][rl][false_positive]") {
  // rl-formative's SB3 DQN, raw episode rewards of its first episodes (healthy): 683 at episode 4, then -152, -20
  std::vector<double> r = {100, 73, 598, 683, 540, 400, -152, -20};
  check_quiet_throughout(r, detect_reward_drop, "Reward");
  // A smoothed reward sliding from its first value stays a decline (coursia#2368: 22.6 -> 14.1).
  auto d = detect_reward_drop(make({22.6, 20.3, 17.0, 14.9, 14.1, 14.1}, "Reward moyen (100 ep)"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "decline");
}

TEST_CASE("val_acc_drop drop: a metric climbing back from a hard epoch is recovering", "[detectors][supervised]") {
  // rasbt's ResNet-101 on CIFAR-10 (healthy): train accuracy 74.3 at epoch 9, 43.7 at 10, 64.8 at 11
  std::vector<double> acc = {22.23, 34.62, 44.03, 52.26, 57.62, 61.26, 65.91, 70.48, 74.3, 43.73, 64.8};
  check_quiet_throughout(
      acc, [](const Series& s, const ValAccDropOptions& o) { return detect_val_acc_drop(s, o); }, "Train Acc.");
  // Staying down is the drop.
  acc.back() = 50.0;
  auto d = detect_val_acc_drop(make(acc, "Train Acc."), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "drop");
}

TEST_CASE("loss_divergence hold: a minimum older than the retained points is no reference for a jump",
          "[detectors][divergence][false_positive]") {
  // A noisy per-batch distillation loss (rasbt's Qwen3 distillation, healthy): 0.1 .. 0.75 around 0.28, one lucky
  // 0.044 batch, then 126 more; three batches at 0.50, 0.26, 0.32 are its noise, not 5x a level it held
  Series s("train_loss");  // 128 points retained
  std::vector<double> noise = {0.24, 0.52, 0.23, 0.39, 0.10, 0.37, 0.24, 0.21, 0.31, 0.17, 0.28, 0.45};
  std::int64_t step = 0;
  for (int i = 0; i < 40; ++i) s.push(step += 50, noise[static_cast<std::size_t>(i) % noise.size()]);
  s.push(step += 50, 0.044);
  for (int i = 0; i < 124; ++i) {
    s.push(step += 50, noise[static_cast<std::size_t>(i) % noise.size()]);
    CHECK_FALSE(detect_loss_divergence(s, {}));
  }
  for (double x : {0.5, 0.26, 0.32}) {
    s.push(step += 50, x);
    CHECK_FALSE(detect_loss_divergence(s, {}));
  }
  // A real jump off the retained level still is one.
  for (double x : {1.6, 1.7, 1.8}) s.push(step += 50, x);
  auto d = detect_loss_divergence(s, {});
  REQUIRE(d);
}

TEST_CASE("reward_drop decline: a reward frozen at one value under its peak is stuck, not noisy", "[detectors][rl]") {
  // rl-formative's A2C (r25): 791-995 in its first episodes, a noisy slide through 542, 493, 374, then exactly 500.0
  // (the episode cap) for 70 episodes: under its plateau's lowest it never goes, and it never moves again
  std::vector<double> r = {210, 650, 791, 700, 804, 900, 995, 800, 542, 700,
                           985, 900, 822, 750, 705, 600, 493, 500, 374};
  Series s("Reward");
  std::int64_t step = 0;
  for (double x : r) s.push(++step, x);
  std::optional<Decision> first;
  for (int i = 0; i < 20 && !first; ++i) {
    s.push(++step, 500.0);
    first = detect_reward_drop(s, {});
  }
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "decline");
  CHECK(*first->step == static_cast<std::int64_t>(r.size()) + 8);  // the eighth 500.0 in a row
  // At the run's peak it is a solved task, not a frozen one (CartPole's 500.0 for every evaluation).
  check_quiet_throughout(std::vector<double>(20, 500.0), detect_reward_drop, "reward");
}

TEST_CASE("loss_divergence settle: a smooth descent that gives back its last interval and stays up",
          "[detectors][divergence]") {
  // parameter-golf's SSD run (r26): 6.93 .. 3.47, 3.27, then 3.89, 4.02, 3.98 as the state carry destabilises it
  const std::vector<double> v = {6.9315, 6.7307, 6.4816, 6.2195, 5.8372, 5.6197, 5.1915, 4.9796,
                                 4.8125, 4.7512, 3.468,  3.2696, 3.8929, 4.0247, 3.9849};
  std::vector<double> head(v.begin(), v.end() - 1);
  check_quiet_throughout(head, detect_loss_divergence, "train_loss");
  auto d = detect_loss_divergence(make(v, "train_loss"), {});
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "settle");
  // On its way back down (an epoch of sorted batches starting high again), a bump that decays, a rise under 15 %, a
  // minimum reached by a noisy path: quiet.
  auto quiet = [](std::vector<double> tail, std::vector<double> start) {
    start.insert(start.end(), tail.begin(), tail.end());
    CHECK_FALSE(detect_loss_divergence(make(start, "train_loss"), {}));
  };
  const std::vector<double> descent = {2.9, 2.1, 1.77, 1.28, 1.08, 0.91, 0.69, 0.51};
  quiet({5.15, 3.17, 2.46}, descent);
  quiet({0.75, 0.70, 0.66}, descent);
  quiet({0.57, 0.58, 0.57}, descent);
  quiet({0.75, 0.76, 0.77}, {2.9, 2.1, 1.77, 1.9, 1.08, 0.91, 1.2, 0.51});
}

TEST_CASE("quality drop: a sparse rate back at the level it mostly holds is no collapse", "[detectors][supervised]") {
  // minimind's GRPO `Correct` (r26): 0 on steps 1-19, 0.12 on steps 20-21, 0 again, 0.12 or 0.25 on one step in ten
  std::vector<double> v(19, 0.0);
  for (double x : {0.12, 0.12, 0.0, 0.0, 0.0, 0.0, 0.12, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.12, 0.0, 0.0})
    v.push_back(x);
  check_quiet_throughout(
      v, [](const Series& s) { return detect_val_acc_drop(s, {}, "quality_drop"); }, "Correct");
  // A metric that learned a level and falls under it collapses, even to where it started.
  auto d = detect_val_acc_drop(make({0.0, 0.0, 0.3, 0.6, 0.8, 0.82, 0.0, 0.0}, "acc"), {}, "quality_drop");
  REQUIRE(d);
  CHECK(*ev(*d, "rule") == "collapse");
}

TEST_CASE("reward_drop: a reward's jumpiness is its recent noise, not the range it climbed through",
          "[detectors][rl]") {
  // verl's per-step GRPO reward (r26): -0.35 .. 0.1 in its first steps, then 0.01 .. 0.34; two steps at -0.08, -0.06
  Series s("critic/rewards/mean");
  std::int64_t step = 0;
  for (int i = 0; i < 60; ++i) s.push(++step, -0.35 + 0.0075 * i);  // the climb: smooth, far below today's noise
  const double recent[] = {0.33, 0.15, 0.28, 0.13, 0.22, 0.07, 0.35, 0.18, 0.12, 0.03, 0.29, 0.01, 0.17, 0.24,
                           0.15, 0.32, 0.08, 0.25, 0.09, 0.13, 0.19, 0.25, 0.16, 0.06, 0.23, 0.27, 0.14, 0.3};
  for (double x : recent) s.push(++step, x);
  s.push(++step, -0.082);
  CHECK_FALSE(detect_reward_drop(s, {}));
  s.push(++step, -0.056);
  CHECK_FALSE(detect_reward_drop(s, {}));
  // ... a smooth reward at that level that falls as far is a drop
  Series smooth("reward");
  for (int i = 0; i < 30; ++i) smooth.push(i, 0.2 + 0.002 * (i % 2));
  smooth.push(30, -0.08);
  smooth.push(31, -0.06);
  CHECK(detect_reward_drop(smooth, {}));
}

TEST_CASE("reward_drop frozen: a reward at zero or below that never moved from its first row", "[detectors][rl]") {
  // An SB3 PPO on MultiRoom (r21): ep_rew_mean 0 on every logged iteration; the eighth row decides
  Series zero("ep_rew_mean");
  std::optional<Decision> first;
  for (std::int64_t step = 1; step <= 14 && !first; ++step) {
    zero.push(step, 0.0);
    first = detect_reward_drop(zero, {});
  }
  REQUIRE(first);
  CHECK(*ev(*first, "rule") == "frozen");
  CHECK(*first->step == 8);
  CHECK(detect_reward_drop(make(std::vector<double>(8, -5.0), "reward"), {}));        // the same penalty every episode
  check_quiet_throughout(std::vector<double>(7, 0.0), detect_reward_drop, "reward");  // too few rows
  check_quiet_throughout(std::vector<double>(20, 500.0), detect_reward_drop, "reward");        // a task at its cap
  check_quiet_throughout({0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, detect_reward_drop, "reward");  // it moved once
  // A run whose first rows have left the retained window: no longer known to be frozen from the first.
  Series old("reward", 10);
  for (std::int64_t step = 1; step <= 12; ++step) old.push(step, 0.0);
  CHECK_FALSE(detail::reward_frozen(old, {}));
}

TEST_CASE("reward_drop: a per-step reward scattering across its range drops only to a new, lower level",
          "[detectors][rl][false_positive]") {
  // unsloth's gpt-oss 2048-game GRPO notebook (healthy): batch means of the game's outcomes, steps 1-17
  std::vector<double> r = {2.5, -1.25, 0.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.5, 1.0, 1.0, 0.0, 1.0, 1.0, -2.0, -1.0, -1.0};
  check_quiet_throughout(r, detect_reward_drop, "reward");
  // Both low points under everything before them are the drop.
  r.push_back(-4.0);
  r.push_back(-4.5);
  auto d = detect_reward_drop(make(r, "reward"), {});
  REQUIRE(d);
}
