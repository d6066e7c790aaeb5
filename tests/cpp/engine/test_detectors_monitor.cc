// Detection through the Monitor with real metric names: families watched by
// token, conditions open until recovered, one incident per failure.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "monitor_rows.h"
#include "sidecar/monitor.h"

using namespace sidecar;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MonitorOptions opts(std::optional<Profile> profile = std::nullopt) {
  MonitorOptions o;
  o.run_id = "run-7";
  o.history_path = "-";
  o.scan_logs = false;
  o.profile = profile;
  return o;
}

// Observes one row; returns what surfaced for it.
TickResult row(Monitor& m, std::int64_t step, std::initializer_list<std::pair<const char*, double>> kv) {
  sidecar::test::observe_row(m, step, kv);
  return m.take();
}

std::string ev(const Alert& a, const char* key) {
  const std::string* v = evidence_get(a.decision.evidence, key);
  return v ? *v : "";
}

// Appends each alert of `t` to `got`: its syndrome, then "@step" (the
// decision's step) when `at`, then ":" and its evidence `key` when given.
void collect(std::vector<std::string>* got, const TickResult& t, bool at = false, const char* key = nullptr) {
  for (const Alert& a : t.alerts) {
    std::string s = a.decision.syndrome;
    if (at) s += "@" + std::to_string(a.decision.step.value_or(-1));
    if (key) s += ":" + ev(a, key);
    got->push_back(std::move(s));
  }
}

// Exactly one alert: `syndrome` by `rule` at `step`.
void check_one(const std::vector<Alert>& got, std::string_view syndrome, std::string_view rule, std::int64_t step) {
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == syndrome);
  CHECK(ev(got[0], "rule") == rule);
  CHECK(got[0].decision.step == step);
}

// Appends the alerts of `t` to `got`.
void collect(std::vector<Alert>* got, const TickResult& t) {
  got->insert(got->end(), t.alerts.begin(), t.alerts.end());
}

// Whether any alert of `got` is `syndrome`.
bool raised(const std::vector<Alert>& got, std::string_view syndrome) {
  return std::any_of(got.begin(), got.end(), [&](const Alert& a) { return a.decision.syndrome == syndrome; });
}

}  // namespace

TEST_CASE("monitor: non-finite values in any watched key", "[monitor][families]") {
  Monitor m(opts());
  row(m, 1, {{"loss", 2.0}, {"policy_loss", 0.5}, {"learning_rate", 1e-4}, {"epoch", 0.1}});
  auto t = row(m, 2, {{"loss", 1.9}, {"policy_loss", kNaN}, {"learning_rate", 1e-4}, {"epoch", 0.2}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.syndrome == "nan_loss");  // a loss-family key: critical
  CHECK(t.alerts[0].decision.severity == Severity::kCritical);
  CHECK(t.alerts[0].decision.signature == "rulebased/nan_loss/policy_loss");
  Monitor m2(opts());
  row(m2, 1, {{"loss", 2.0}, {"learning_rate", 1e-4}});
  auto t2 = row(m2, 2, {{"loss", 1.9}, {"learning_rate", kNaN}});
  REQUIRE(t2.alerts.size() == 1);
  CHECK(t2.alerts[0].decision.syndrome == "nonfinite_metric");
  CHECK(t2.alerts[0].decision.severity == Severity::kWarning);
  // A key with no family that was finite: a warning too (issue 16); one
  // that never was finite stays quiet. (Marian's "Cost" is the loss now.)
  Monitor m3(opts());
  row(m3, 1, {{"Ratio", 314.0}, {"Counter", kNaN}});
  auto t3 = row(m3, 2, {{"Ratio", kNaN}, {"Counter", kNaN}});
  REQUIRE(t3.alerts.size() == 1);
  CHECK(t3.alerts[0].decision.syndrome == "nonfinite_metric");
  CHECK(t3.alerts[0].decision.severity == Severity::kWarning);
  CHECK(t3.alerts[0].decision.signature == "rulebased/nonfinite_metric/Ratio");
}

TEST_CASE("monitor: a val loss rising while the training loss falls is overfitting (keras#3056)",
          "[monitor][families]") {
  Monitor m(opts());
  double vl[] = {0.677, 0.6765, 0.6789, 0.6913, 0.7101, 0.7268};
  double tl[] = {0.6807, 0.6693, 0.6678, 0.6485, 0.6175, 0.586};
  double va[] = {0.5802, 0.5796, 0.5801, 0.5599, 0.5591, 0.5556};
  std::vector<Alert> got;
  for (int i = 0; i < 6; ++i) collect(&got, row(m, i + 1, {{"loss", tl[i]}, {"val_loss", vl[i]}, {"val_acc", va[i]}}));
  check_one(got, "validation_loss_regression", "overfit", 6);
}

TEST_CASE("monitor: a quality metric that binds no role is watched for a collapse", "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  double prec[] = {0.61, 0.64, 0.66, 0.12, 0.10};
  for (int i = 0; i < 5; ++i) collect(&got, row(m, i, {{"loss", 1.0 - 0.05 * i}, {"metrics/precision", prec[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "quality_drop");
  CHECK(got[0].decision.step == 3);
}

TEST_CASE("monitor: a precision or recall that trades off against its counterpart beside mAP is not a quality drop",
          "[monitor][families]") {
  // A YOLO run: precision collapses for an epoch while recall and mAP50 hold (the confidence threshold shifted).
  const double prec[] = {0.40, 0.48, 0.52, 0.005, 0.006, 0.50};
  const double rec[] = {0.70, 0.80, 0.90, 0.95, 0.96, 0.91};
  const double map[] = {0.55, 0.60, 0.65, 0.63, 0.64, 0.68};
  std::vector<Alert> got;
  Monitor m(opts());
  for (int i = 0; i < 6; ++i)
    collect(&got, row(m, i + 1,
                      {{"train/box_loss", 1.0 - 0.05 * i},
                       {"metrics/precision(B)", prec[i]},
                       {"metrics/recall(B)", rec[i]},
                       {"metrics/mAP50(B)", map[i]}}));
  CHECK(got.empty());
  // Without a combined score the same precision is judged ...
  got.clear();
  Monitor alone(opts());
  for (int i = 0; i < 6; ++i)
    collect(
        &got,
        row(alone, i + 1,
            {{"train/box_loss", 1.0 - 0.05 * i}, {"metrics/precision(B)", prec[i]}, {"metrics/recall(B)", rec[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "quality_drop");
  CHECK(got[0].decision.step == 4);
  // ... and so is a pair that falls together (a detector that finds nothing), beside an mAP too small to judge.
  got.clear();
  Monitor both(opts());
  const double rec_gone[] = {0.55, 0.56, 0.58, 0.0, 0.0, 0.0};
  const double prec_gone[] = {0.0018, 0.0019, 0.0020, 0.0, 0.0, 0.0};
  for (int i = 0; i < 6; ++i)
    collect(&got, row(both, i + 1,
                      {{"train/cls_loss", 100.0 - 10 * i},
                       {"metrics/precision(B)", prec_gone[i]},
                       {"metrics/recall(B)", rec_gone[i]},
                       {"metrics/mAP50(B)", 0.005}}));
  CHECK(raised(got, "quality_drop"));
}

TEST_CASE("monitor: a quality drop while the learning rate warms up past its value at the best waits for the LR",
          "[monitor][families]") {
  // A fine-tuned detector scores well at once; the warm-up's rising LR shakes it (r37's tomato counter).
  const double map[] = {0.80, 0.86, 0.76, 0.75, 0.17, 0.52, 0.79};
  const double ramp[] = {0.0003, 0.0006, 0.0009, 0.0012, 0.0015, 0.0018, 0.0019};
  std::vector<Alert> got;
  Monitor m(opts());
  for (int i = 0; i < 7; ++i)
    collect(&got,
            row(m, i + 1, {{"train/box_loss", 1.0 - 0.05 * i}, {"metrics/mAP50(B)", map[i]}, {"lr/pg0", ramp[i]}}));
  CHECK(got.empty());
  // The same drop under a flat (or decaying) LR is one.
  got.clear();
  Monitor flat(opts());
  for (int i = 0; i < 7; ++i)
    collect(&got,
            row(flat, i + 1, {{"train/box_loss", 1.0 - 0.05 * i}, {"metrics/mAP50(B)", map[i]}, {"lr/pg0", 0.001}}));
  CHECK(raised(got, "validation_drop"));  // mAP50 is the run's validation score
}

TEST_CASE("monitor: a validation loss that climbs while the accuracy keeps rising is no divergence", "[monitor]") {
  // r39: a DistilBERT fine-tuned for 16 epochs; its validation loss 2.19 -> 5.77 as it grows confident on what it gets
  // wrong, its accuracy 0.213 -> 0.401 all the way (healthy). HF's table prints the evaluation accuracy as a bare
  // "Accuracy": no validation role, but no training side either.
  const double train[] = {2.2439, 1.9235, 1.5915, 1.3262, 1.0529, 0.8495, 0.6779, 0.5546,
                          0.4738, 0.412,  0.3961, 0.3292, 0.318,  0.2936, 0.2671, 0.2301};
  const double val[] = {2.1898, 2.1045, 2.138,  2.2544, 2.5662, 2.8731, 3.198,  3.6289,
                        3.9732, 4.2945, 4.6127, 4.9586, 5.2615, 5.4567, 5.6902, 5.7685};
  const double acc[] = {0.213,  0.2372, 0.255,  0.2758, 0.2955, 0.3078, 0.3218, 0.338,
                        0.3448, 0.3565, 0.3772, 0.3805, 0.3887, 0.3931, 0.3965, 0.401};
  auto run = [&](bool acc_falls) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 16; ++i)
      collect(&got, row(m, 9142 * (i + 1),
                        {{"Training Loss", train[i]},
                         {"Validation Loss", val[i]},
                         {"Accuracy", acc_falls && i >= 3 ? acc[3] - 0.01 * (i - 2) : acc[i]}}));
    return raised(got, "loss_divergence") || raised(got, "validation_loss_regression");
  };
  CHECK_FALSE(run(false));
  CHECK(run(true));  // the same climb while the accuracy slides back: a divergence
}

TEST_CASE("monitor: an accuracy on a small validation set holds within its sampling spread", "[monitor]") {
  // r41: a requirements classifier evaluated on 196 examples (one example is 0.005 of accuracy, its binomial spread
  // at 0.82 is 0.027): the accuracy holds at 0.78-0.83 from its 9th evaluation on while the evaluation loss climbs
  // 0.82 -> 1.29 (healthy). Its first 36 evaluations, every 98 steps.
  const std::vector<double> acc = {0.5408, 0.6224, 0.7041, 0.7449, 0.7908, 0.7908, 0.8163, 0.8061, 0.8214,
                                   0.7755, 0.7755, 0.8010, 0.8010, 0.8061, 0.8163, 0.8010, 0.8316, 0.8214,
                                   0.8214, 0.8265, 0.8265, 0.8214, 0.8214, 0.8214, 0.8214, 0.8214, 0.8214,
                                   0.8214, 0.8214, 0.8163, 0.8214, 0.8214, 0.8163, 0.8214, 0.8214, 0.7959};
  const std::vector<double> loss = {1.5128, 1.2641, 1.0309, 0.8704, 0.8195, 0.8514, 0.8724, 0.8901, 0.9171,
                                    1.0321, 1.0820, 1.0342, 1.0586, 1.0633, 1.0377, 1.1193, 1.0683, 1.1136,
                                    1.1254, 1.1360, 1.1472, 1.1640, 1.1681, 1.1743, 1.1813, 1.1919, 1.2045,
                                    1.2104, 1.2212, 1.2327, 1.2409, 1.2477, 1.2560, 1.2620, 1.2688, 1.2945};
  auto run = [&](double fall) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const double a = i >= 20 ? acc[i] - fall : acc[i];
      collect(&got, row(m, 98 * static_cast<std::int64_t>(i + 1), {{"eval_accuracy", a}, {"eval_loss", loss[i]}}));
    }
    return raised(got, "validation_loss_regression") || raised(got, "loss_divergence");
  };
  CHECK_FALSE(run(0.0));
  CHECK(run(0.15));  // the same loss while the accuracy falls 0.15, far beyond 196 examples' spread
}

TEST_CASE("monitor: a loss at ln 3 beside a score of 1/3 is at chance only when the score is an accuracy",
          "[monitor]") {
  // r28's ResNet on three classes: test loss 1.10 while the test accuracy sits at 33.63 %, then learning starts.
  const double loss[] = {1.1037, 1.1018, 1.1010, 1.0999, 1.0961, 1.0925, 1.0764, 0.9800};
  const double score[] = {31.03, 33.63, 33.63, 33.63, 33.63, 33.63, 35.2, 47.17};
  auto run = [&](const char* key) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 8; ++i) collect(&got, row(m, i + 1, {{"Test Loss", loss[i]}, {key, score[i]}}));
    return raised(got, "frozen_loss");
  };
  CHECK(run("Accuracy on Test set"));
  // An F1 or a ROUGE at the same value says nothing of a chance level: no class count relates it to the loss.
  CHECK_FALSE(run("Test F1"));
  CHECK_FALSE(run("Rouge Average"));
}

TEST_CASE("monitor: under RL a TD or value loss's level is no high_loss and no loss at chance", "[monitor][rl]") {
  // A value loss in the hundreds that grows with the returns (a dueling DQN on Doom, r40).
  std::vector<Alert> got;
  for (auto profile : {Profile::kReinforcementLearning, Profile::kSupervised}) {
    got.clear();
    Monitor m(opts(profile));
    for (int i = 0; i < 60; ++i)
      collect(&got, row(m, i + 1, {{"loss", 300.0 + 5.0 * (i % 7) + 2.0 * i}, {"return", -100.0 + 4.0 * i}}));
    if (profile == Profile::kReinforcementLearning)
      CHECK_FALSE(raised(got, "high_loss"));
    else
      CHECK(raised(got, "high_loss"));  // a supervised loss stuck at 300 is one
  }
}

TEST_CASE("monitor: a success rate bound to its role is judged for a collapse outside RL (maml#86)",
          "[monitor][families]") {
  double rate[] = {0.0, 62.0, 70.0, 81.0, 88.0, 89.0, 77.0, 45.0, 30.0, 16.0};
  for (auto profile : {Profile::kSupervised, Profile::kReinforcementLearning}) {
    Monitor m(opts(profile));
    std::vector<Alert> got;
    for (int i = 0; i < 10; ++i) collect(&got, row(m, i, {{"eval success rate", rate[i]}}));
    if (profile == Profile::kReinforcementLearning) {
      CHECK(got.empty());  // a sparse task's success scatters: reward_hacking reads it there
      continue;
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0].decision.syndrome == "quality_drop");
    CHECK(got[0].decision.step == 7);  // 77 and 45, both 8 points under the best 89 (the drop rule)
    CHECK(ev(got[0], "metric") == "eval success rate");
  }
}

TEST_CASE("monitor: an evaluation accuracy is judged under reinforcement learning too (a GRPO run's eval_acc)",
          "[monitor][families]") {
  // LLMs-from-scratch reasoning ch. 7: eval_acc 12.4 -> 40.8, then 0.0 while the KL loss and entropy blow up
  double acc[] = {12.4, 40.8, 0.0, 0.0, 0.0};
  Monitor m(opts(Profile::kReinforcementLearning));
  std::vector<Alert> got;
  for (int i = 0; i < 5; ++i) collect(&got, row(m, i * 50, {{"reward_avg", 0.1}, {"eval_acc", acc[i]}}));
  REQUIRE_FALSE(got.empty());
  CHECK(got[0].decision.syndrome == "validation_drop");
  CHECK(got[0].decision.step == 100);  // 0.0 alone is under a quarter of the best 40.8: no second look
}

TEST_CASE("monitor: a cumulative fps (steps over time_elapsed, SB3) is judged by the clock's rise per interval",
          "[monitor][families]") {
  // SB3's DQN: 1000 frames/s while the replay buffer fills, then ~10/s once updates begin; time/fps is the
  // cumulative average num_timesteps / time_elapsed, so it decays from 1000 towards 10 for ever after.
  // Returns the throughput alerts (metric, step).
  auto run = [](bool cumulative, int slow_from) {
    Monitor m(opts());
    std::vector<std::pair<std::string, std::int64_t>> got;
    double elapsed = 10;
    std::int64_t steps = 10000;
    for (int i = 0; i < 30; ++i) {
      if (i > 0) {
        elapsed += i >= slow_from ? 3000.0 : 1000.0;  // 10 000 steps a row at 10/s, from slow_from at 3.3/s
        steps += 10000;
      }
      const double fps = cumulative ? std::floor(static_cast<double>(steps) / elapsed) : (i < 10 ? 1000.0 : 10.0);
      for (auto& a : row(m, steps, {{"fps", fps}, {"time_elapsed", elapsed}, {"loss", 1.0 / (i + 1)}}).alerts)
        if (a.decision.syndrome == "throughput_collapse") got.emplace_back(ev(a, "metric"), *a.decision.step);
    }
    return got;
  };
  CHECK(run(true, 1000).empty());  // a learning start and an average catching up: no collapse
  auto slow = run(true, 20);       // each interval three times slower from row 20: the clock's rule says so
  REQUIRE_FALSE(slow.empty());
  CHECK(slow[0].first.find("time_elapsed") != std::string::npos);
  auto plain = run(false, 1000);  // an fps of each interval (not steps / time_elapsed) that falls 100x: as before
  REQUIRE_FALSE(plain.empty());
  CHECK(plain[0].first == "fps");
}

TEST_CASE("monitor: a clock in whole seconds is read over ten of them, not row by row", "[monitor][families]") {
  // r40's SB3 DQN on grid2op (its first 201 rows): a row at each episode's end, 1-11 steps apart, time/time_elapsed
  // in whole seconds at ~16 steps/s. Read row by row, a tick between two rows 1 step apart said 1 step/s, "0.22x the
  // run's own early level" at step 773.
  const std::vector<std::int64_t> steps = {
      4,   9,   12,  16,  21,  24,  29,  34,  36,  41,  45,  47,  51,  56,  58,  59,  70,  79,  83,  88,  91,  94,  100,
      101, 105, 108, 111, 118, 121, 123, 125, 135, 138, 144, 146, 149, 152, 163, 166, 169, 170, 173, 176, 186, 194, 195,
      201, 205, 208, 211, 215, 221, 224, 229, 233, 235, 239, 241, 243, 247, 250, 255, 260, 266, 267, 270, 276, 281, 284,
      289, 293, 294, 304, 308, 311, 314, 320, 323, 326, 329, 331, 334, 335, 338, 341, 344, 346, 349, 354, 357, 362, 366,
      374, 379, 382, 386, 390, 397, 399, 413, 415, 416, 419, 426, 430, 432, 437, 446, 447, 450, 452, 456, 459, 460, 461,
      467, 473, 477, 481, 486, 494, 496, 504, 508, 511, 516, 519, 521, 522, 523, 527, 530, 533, 537, 541, 544, 549, 551,
      555, 559, 561, 571, 573, 577, 580, 588, 593, 596, 597, 603, 604, 607, 609, 612, 613, 618, 630, 634, 638, 642, 645,
      648, 651, 655, 661, 669, 672, 676, 680, 683, 687, 693, 697, 700, 703, 706, 712, 718, 721, 723, 725, 731, 734, 742,
      746, 749, 751, 753, 758, 762, 765, 772, 773, 775, 781, 784, 785, 791, 795, 798, 800};
  const std::vector<double> elapsed = {
      0,  0,  1,  1,  1,  2,  2,  2,  3,  3,  3,  4,  4,  4,  4,  5,  5,  5,  5,  6,  6,  6,  6,  7,  7,  7,
      7,  8,  8,  8,  8,  8,  9,  9,  9,  9,  9,  10, 10, 10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 13, 13,
      13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18, 19, 19, 19, 19,
      20, 20, 20, 20, 21, 21, 21, 22, 22, 22, 23, 23, 23, 23, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 27, 27,
      27, 27, 28, 28, 28, 29, 29, 29, 30, 30, 30, 31, 31, 31, 32, 32, 32, 32, 33, 33, 33, 33, 34, 34, 34, 34,
      35, 35, 35, 35, 35, 36, 36, 36, 36, 37, 37, 37, 37, 38, 38, 38, 38, 39, 39, 39, 39, 39, 40, 40, 40, 40,
      41, 41, 41, 41, 41, 42, 42, 42, 42, 43, 43, 43, 43, 44, 44, 44, 44, 45, 45, 45, 45, 45, 46, 46, 46, 46,
      47, 47, 47, 47, 47, 48, 48, 48, 48, 48, 49, 49, 49, 49, 50, 50, 50, 50, 51};
  REQUIRE(steps.size() == elapsed.size());
  // Returns the throughput alerts; from row slow_from on each row's clock runs four times slower.
  auto run = [&](std::size_t slow_from) {
    Monitor m(opts());
    std::vector<std::string> got;
    double lag = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (i >= slow_from) lag += 3.0 * static_cast<double>(steps[i] - steps[i - 1]) / 16.0;
      const double t = elapsed[i] + std::floor(lag);
      collect(&got, row(m, steps[i],
                        {{"time/fps", std::floor(steps[i] / std::max(t, 1.0))},
                         {"time/time_elapsed", t},
                         {"rollout/ep_rew_mean", 2.29}}));
    }
    std::erase_if(got, [](const std::string& s) { return s != "throughput_collapse"; });
    return got;
  };
  CHECK(run(steps.size()).empty());
  CHECK_FALSE(run(120).empty());  // a real slowdown, 16 -> 4 steps/s, is still one
}

TEST_CASE("monitor: an elapsed clock whose rise per step jumps to a new level and holds is a throughput collapse",
          "[monitor][families]") {
  // stat453's VGG-16 notebook (r21): a cumulative 'Time elapsed' in minutes, 1.16-1.20 per epoch for 17 epochs,
  // then 1.91 and 2.12-2.17 for every epoch after: never each epoch slower than the last, never 2x its minimum
  const double per_epoch[] = {1.2,  1.19, 1.2,  1.2,  1.18, 1.19, 1.2,  1.19, 1.2,  1.2,  1.19, 1.17, 1.17, 1.16, 1.17,
                              1.16, 1.18, 1.91, 2.17, 2.17, 2.15, 2.15, 2.15, 2.14, 2.13, 2.15, 2.12, 2.15, 2.14, 2.14};
  auto run = [&](std::size_t epochs) {
    Monitor m(opts());
    std::vector<std::pair<std::string, std::int64_t>> got;
    double elapsed = 0;
    for (std::size_t i = 0; i < epochs; ++i) {
      elapsed += per_epoch[i];
      for (auto& a :
           row(m, static_cast<std::int64_t>(i + 1), {{"Loss", 2.0 / (i + 1)}, {"Time elapsed", elapsed}}).alerts)
        if (a.decision.syndrome == "throughput_collapse") got.emplace_back(ev(a, "metric"), *a.decision.step);
    }
    return got;
  };
  CHECK(run(18).empty());  // one slower epoch is not a new level
  auto slow = run(std::size(per_epoch));
  REQUIRE(slow.size() == 1);  // one alert, opened once
  CHECK(slow[0].second == 19);
  CHECK(slow[0].first.find("Time elapsed") != std::string::npos);
}

TEST_CASE("monitor: a time per epoch averaged since the start beside its clock is no slowdown of its own",
          "[monitor][families]") {
  // r22's Spinning Up SAC on Ant (rpg_sac_ant_s766): a cumulative "Time" and "AVG Time Per Epoch" = Time / Epoch.
  // The first epoch (random actions before the first update) took 33 s, every later one 41-49 s: the average
  // creeps up for ever, 1.3x its minimum by epoch 5, while the time per epoch holds at ~48 s after epoch 4.
  const double time[] = {33.17,  74.74, 119.94, 167.84, 216.33, 265.0, 313.56, 361.58,
                         409.67, 457.8, 505.94, 554.14, 602.3,  650.5, 698.6,  746.8};
  auto run = [&](bool with_clock) {
    Monitor m(opts());
    std::vector<std::string> got;
    for (std::size_t i = 0; i < std::size(time); ++i) {
      const auto epoch = static_cast<std::int64_t>(i + 1);
      std::vector<std::pair<std::string, double>> kv = {{"LossQ", 1.5 + 0.1 * static_cast<double>(i)},
                                                        {"AVG Time Per Epoch", time[i] / static_cast<double>(epoch)}};
      if (with_clock) kv.emplace_back("Time", time[i]);
      sidecar::test::observe_row(m, epoch, kv);
      for (auto& a : m.take().alerts)
        if (a.decision.syndrome == "throughput_collapse") got.push_back(ev(a, "metric"));
    }
    return got;
  };
  CHECK(run(true).empty());
  // Alone, nothing says it is an average: its creep is judged as a time per step's.
  auto alone = run(false);
  REQUIRE(alone.size() == 1);
  CHECK(alone[0] == "AVG Time Per Epoch");
}

TEST_CASE("monitor: a time key whose running mean per step is logged beside it is an elapsed clock (modded-nanogpt)",
          "[monitor][families]") {
  // r25's parameter-golf RTX 4070 run: 'train_time:...ms step_avg:...ms', 491-520 ms per step to step 380, then
  // 5.8 s and 8.1 s per step; step_avg, the running mean, only reaches 650 and 836
  auto run = [&](bool slow, bool with_mean) {
    Monitor m(opts());
    std::vector<std::int64_t> got;
    double t = 6800;  // the first step compiles
    for (std::int64_t step = 1; step <= 470; step += step < 10 ? 1 : 10) {
      const std::int64_t prev = step < 11 ? step - 1 : step - 10;
      if (step > 1) t += static_cast<double>(step - prev) * (slow && step >= 390 ? 8079.0 : 505.0);
      std::vector<std::pair<std::string, double>> kv = {{"train_loss", 6.0 - 0.005 * static_cast<double>(step)},
                                                        {"train_time", t}};
      if (with_mean) kv.emplace_back("step_avg", t / static_cast<double>(step));
      sidecar::test::observe_row(m, step, kv);
      for (auto& a : m.take().alerts)
        if (a.decision.syndrome == "throughput_collapse") got.push_back(*a.decision.step);
    }
    return got;
  };
  CHECK(run(false, true).empty());  // a steady clock, its compiled first step left out
  auto slow = run(true, true);
  REQUIRE(slow.size() == 1);
  CHECK(slow[0] <= 400);
  CHECK(run(true, false).empty());  // without the mean nothing says the time is a clock
}

TEST_CASE("monitor: a bound reward is judged whatever profile the other keys point to", "[monitor][families]") {
  // r25's GRPO evaluation log (trl_dapo, Qwen2.5-VL 3B): eval_loss, eval_accuracy and eval_reward every 10 steps;
  // the eval keys make the profile supervised, and eval_reward falls from 2.3-2.8 to -1.0 at step 80 for good
  const double reward[] = {2.6081, 2.7692, 2.3739, 1.6971, 2.2725, 2.3221, 1.8582, -1, -1, -1, -1, -1};
  Monitor m(opts());
  std::vector<std::int64_t> got;
  for (std::size_t i = 0; i < std::size(reward); ++i) {
    const auto step = static_cast<std::int64_t>(10 * (i + 1));
    std::vector<std::pair<std::string, double>> kv = {
        {"eval_loss", 0.05}, {"eval_reward", reward[i]}, {"eval_accuracy", 0.0}};
    sidecar::test::observe_row(m, step, kv);
    for (auto& a : m.take().alerts)
      if (a.decision.syndrome == "reward_drop") got.push_back(*a.decision.step);
  }
  CHECK(m.profile() == Profile::kSupervised);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == 100);
}

TEST_CASE("monitor: Spinning Up's keys bind the return and make the run RL", "[monitor][families]") {
  // r22's Spinning Up PPO on InvertedDoublePendulum (rpg_ppo_idp_s11747): AverageEpRet 9357 for 30 epochs, then
  // 300-500 after a KL of 1.68 at epoch 127; the profile is inferred from the keys alone.
  Monitor m(opts());  // no profile pinned
  std::vector<std::string> got;
  for (std::int64_t epoch = 0; epoch < 40; ++epoch) {
    const double ret = epoch < 30 ? 9350.0 + 0.2 * static_cast<double>(epoch) : 400.0;
    for (auto& a :
         row(m, epoch, {{"AverageEpRet", ret}, {"StdEpRet", 5.0}, {"LossPi", -0.01}, {"LossV", 0.05}, {"KL", 0.006}})
             .alerts)
      got.push_back(a.decision.syndrome);
  }
  CHECK(m.profile() == Profile::kReinforcementLearning);
  CHECK(std::find(got.begin(), got.end(), "reward_drop") != got.end());
}

TEST_CASE("monitor: a KL that jumped to 9 and stays at 10 stays open, a NaN never resolves it", "[monitor][recovery]") {
  Monitor m(opts(Profile::kReinforcementLearning));
  std::int64_t step = 0;
  for (double k : {0.02, 0.03, 0.025, 0.03, 0.02}) row(m, step++, {{"approx_kl", k}});
  auto t = row(m, step++, {{"approx_kl", 9.0}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.syndrome == "kl_explosion");
  for (int i = 0; i < 10; ++i) CHECK(row(m, step++, {{"approx_kl", 10.0}}).resolved.empty());
  std::vector<Resolved> res;
  for (int i = 0; i < 5; ++i) {
    auto r = row(m, step++, {{"approx_kl", 10.0}});
    res.insert(res.end(), r.resolved.begin(), r.resolved.end());
  }
  CHECK(res.empty());
  for (int i = 0; i < 5; ++i) {
    auto r = row(m, step++, {{"approx_kl", kNaN}});
    res.insert(res.end(), r.resolved.begin(), r.resolved.end());
  }
  CHECK(res.empty());  // NaN is not recovery
  for (int i = 0; i < 5; ++i) {
    auto r = row(m, step++, {{"approx_kl", 0.03}});
    res.insert(res.end(), r.resolved.begin(), r.resolved.end());
  }
  REQUIRE(res.size() >= 1);
  bool kl_resolved = false;
  for (const auto& r : res) kl_resolved = kl_resolved || r.syndrome == "kl_explosion";
  CHECK(kl_resolved);
}

TEST_CASE("monitor: spike -> grad explosion -> NaN is one incident with two notifications", "[monitor][incidents]") {
  Monitor m(opts());
  std::vector<Alert> got;
  std::int64_t step = 0;
  for (int i = 0; i < 60; ++i, ++step)
    collect(&got, row(m, step, {{"loss", 2.0 + 0.01 * std::sin(i)}, {"grad_norm", 1.0 + 0.01 * std::cos(i)}}));
  REQUIRE(got.empty());
  for (int i = 0; i < 4; ++i, ++step) collect(&got, row(m, step, {{"loss", 30.0 + i}, {"grad_norm", 50.0 + i}}));
  for (int i = 0; i < 3; ++i, ++step)
    collect(&got, row(m, step, {{"loss", kNaN}, {"grad_norm", kNaN}, {"eval_loss", kNaN}}));
  collect(&got, m.drain(0));
  REQUIRE(got.size() >= 3);
  std::map<std::string, int> notify;
  for (const auto& a : got) {
    CHECK(ev(a, "incident") == ev(got[0], "incident"));
    ++notify[ev(a, "notify")];
  }
  CHECK(notify["opened"] == 1);
  CHECK(notify["escalated"] <= 1);
  CHECK(notify["opened"] + notify["escalated"] <= 2);
  CHECK(notify["no"] == static_cast<int>(got.size()) - notify["opened"] - notify["escalated"]);
}

TEST_CASE("monitor: a frozen loss and a time per iteration that keeps growing", "[monitor][families]") {
  Monitor m(opts());
  std::vector<std::string> got;
  double loss[] = {6.91161, 6.90501, 6.90635, 6.90681, 6.90704};
  for (int i = 0; i < 5; ++i) collect(&got, row(m, i * 20, {{"loss", loss[i]}}));
  CHECK(got == std::vector<std::string>{"frozen_loss"});
  Monitor t(opts());
  got.clear();
  double ms[] = {84606.2, 142474.1, 202438.6};
  for (int i = 0; i < 3; ++i)
    collect(&got, row(t, 10 + 5 * i, {{"elapsed time per iteration (ms)", ms[i]}, {"learning rate", 1e-5}}));
  CHECK(got == std::vector<std::string>{"throughput_collapse"});
}

TEST_CASE("monitor: a time per iteration that jumps and stays high is one slowdown, resolved when it is back",
          "[monitor][families][recovery]") {
  Monitor m(opts());
  std::vector<std::string> got;
  std::size_t resolved = 0;
  std::int64_t step = 0;
  auto feed = [&](double t, int n) {
    for (int i = 0; i < n; ++i, step += 10) {
      TickResult r =
          row(m, step, {{"loss", 2.0 - 0.001 * static_cast<double>(step)}, {"iter_time", t + 0.01 * (i % 3)}});
      collect(&got, r, true);
      resolved += r.resolved.size();
    }
  };
  feed(0.5, 12);  // 0.50-0.52 s
  feed(3.0, 1);   // one slow window: nothing yet
  CHECK(got.empty());
  feed(3.0, 8);
  CHECK(got == std::vector<std::string>{"throughput_collapse@130"});
  CHECK(resolved == 0);
  feed(0.5, 3);  // back to its early speed
  CHECK(resolved == 1);
  CHECK(got.size() == 1);
}

TEST_CASE("monitor: a boosting error rate that stops moving after the first tree is a frozen loss",
          "[monitor][families][frozen]") {
  // xgboost#1692: train-error 0.010228 .. 0.010231 and test-error 0.0272 ..
  // 0.027193 from round 0: the boosting adds nothing. The run's only
  // training-side loss-family key is the error rate, judged as the loss.
  Monitor m(opts());
  std::vector<std::string> got;
  double train[] = {0.010228, 0.010229, 0.010229, 0.01023, 0.010229, 0.010229};
  double test[] = {0.0272, 0.027197, 0.027194, 0.027196, 0.027194, 0.027193};
  for (int i = 0; i < 6; ++i)
    collect(&got, row(m, i, {{"test-error", test[i]}, {"train-error", train[i]}}), true, "metric");
  CHECK(got == std::vector<std::string>{"frozen_loss@2:train-error"});
  // A boosting run whose error keeps falling round after round stays quiet.
  Monitor h(opts());
  got.clear();
  for (int i = 0; i < 30; ++i)
    collect(&got,
            row(h, i, {{"test-error", 0.2 * std::exp(-i / 10.0) + 0.05}, {"train-error", 0.2 * std::exp(-i / 8.0)}}),
            true);
  CHECK(got.empty());
}

TEST_CASE("monitor: an accuracy that never leaves its first level in a run without a loss, a PSNR is not one",
          "[monitor][families][frozen]") {
  // frereit/HTR#3: batch accuracy 0.025-0.065 from step 0 to 2400, no loss logged.
  double acc[] = {0.065, 0.04, 0.065, 0.025, 0.06, 0.055, 0.045, 0.06, 0.05, 0.065, 0.055, 0.06, 0.04};
  Monitor m(opts());
  std::vector<std::string> got;
  for (int i = 0; i < 13; ++i) collect(&got, row(m, 200 * i, {{"Accuracy", acc[i]}}), true, "rule");
  CHECK(got == std::vector<std::string>{"frozen_metric@1800:metric_start"});
  // A top-3 accuracy is an accuracy as the chance rules read one (accuracy_key), an F1 is not.
  for (const char* key : {"top3", "f1"}) {
    Monitor k(opts());
    got.clear();
    for (int i = 0; i < 13; ++i) collect(&got, row(k, 200 * i, {{key, acc[i]}}), true, "rule");
    CHECK(got == (std::string(key) == "top3" ? std::vector<std::string>{"frozen_metric@1800:metric_start"}
                                             : std::vector<std::string>{}));
  }
  // A validation PSNR on a plateau (26.1-26.4 dB) has no chance level at its start: quiet.
  Monitor p(opts());
  got.clear();
  for (int i = 0; i < 13; ++i) collect(&got, row(p, 200 * i, {{"val_psnr", 26.2 + 0.1 * std::sin(i * 1.3)}}), true);
  CHECK(got.empty());
}

TEST_CASE("monitor: a boosting metric NaN from round 0, a time delta per print that keeps growing",
          "[monitor][families]") {
  // xgboost#88: eval-rmse and train-rmse print nan from the first round on;
  // there is no finite value before them, and none is needed for a loss.
  Monitor m(opts());
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i)
    for (auto& a : row(m, i, {{"eval-rmse", kNaN}, {"train-rmse", kNaN}}).alerts) {
      got.push_back(a.decision.syndrome);
      CHECK(a.decision.severity == Severity::kCritical);
    }
  CHECK(got == std::vector<std::string>{"nan_loss", "nan_loss"});
  // A PyTorch LSTM whose every 10 epochs take longer (each print's "time
  // delta", 0.0057 s, 0.21, 0.49, 0.78 ...): a leak, not noise.
  Monitor t(opts());
  got.clear();
  double dt[] = {0.005673, 0.208632, 0.494301, 0.784275, 1.074783};
  double loss[] = {0.1753, 0.2568, 0.2092, 0.2663, 0.1965};
  for (int i = 0; i < 5; ++i) collect(&got, row(t, 10 * i, {{"loss", loss[i]}, {"time delta", dt[i]}}));
  CHECK(got == std::vector<std::string>{"throughput_collapse"});
}

TEST_CASE("monitor: a slowly improving val_loss is not frozen, a growing remaining time is a slowdown",
          "[monitor][families][false_positive]") {
  // 200k steps, val_loss = 1 - i/400000 every 100 steps, a healthy noisy loss
  // every step (before the flat rule's slope test, val_loss raised frozen_loss).
  Monitor m(opts());
  std::vector<std::string> got;
  for (int i = 0; i < 200000; ++i) {
    double loss = 0.5 + 2.0 * std::exp(-i / 20000.0) + 0.05 * std::sin(i * 0.37) + 0.03 * std::cos(i * 1.3);
    TickResult t =
        i % 100 == 0 ? row(m, i, {{"loss", loss}, {"val_loss", 1.0 - i / 400000.0}}) : row(m, i, {{"loss", loss}});
    collect(&got, t, true);
  }
  INFO((got.empty() ? std::string() : got[0]));
  CHECK(got.empty());
  // minimind#480: epoch_Time (the epoch's remaining minutes) grows while the steps advance.
  Monitor e(opts());
  got.clear();
  double eta[] = {1612, 1613, 1613, 1614, 1614, 1614, 1615, 1614, 1615, 1615, 1615, 1616, 1616};
  double loss[] = {2.038, 1.882, 2.196, 1.594, 2.125, 2.051, 2.207, 2.283, 1.82, 1.746, 1.836, 1.7, 2.112};
  for (int i = 0; i < 13; ++i)
    collect(&got, row(e, 459800 + 100 * i, {{"loss", loss[i]}, {"epoch_Time", eta[i]}}), true);
  CHECK(got == std::vector<std::string>{"throughput_collapse@460500"});
}

TEST_CASE("monitor: an epoch time that grows every epoch (tensorflow#198), read as a time left or taken",
          "[monitor][families]") {
  // 'time this epoch' has an 'epoch' token (a time left by its tokens); the
  // creep form judges it either way: a new high at each of 5 epochs.
  const double secs[] = {1.749361, 1.873362, 2.053877, 2.401098, 2.563413, 2.675142, 2.638027, 2.632813};
  for (const char* key : {"time this epoch", "sec_per_epoch"}) {
    Monitor m(opts());
    std::vector<std::string> got;
    for (int i = 0; i < 8; ++i) collect(&got, row(m, i + 1, {{key, secs[i]}}), true);
    INFO(key);
    CHECK(got == std::vector<std::string>{"throughput_collapse@5"});
  }
}

TEST_CASE("monitor: a loss that stops being logged on training rows (Megatron-LLM#33)", "[monitor][families]") {
  Monitor m(opts());
  std::vector<std::string> got;
  auto add = [&](const TickResult& t) { collect(&got, t, true); };
  add(row(m, 3383, {{"learning rate", 6.68e-06}, {"lm loss", 0.7334521}, {"loss scale", 1.0}, {"grad norm", 0.752}}));
  add(row(m, 3384, {{"learning rate", 6.678e-06}, {"lm loss", 0.7072597}, {"loss scale", 1.0}, {"grad norm", 0.741}}));
  add(row(m, 3385, {{"learning rate", 6.676e-06}, {"loss scale", 1.0}}));
  add(row(m, 3386, {{"learning rate", 6.674e-06}, {"loss scale", 1.0}}));
  REQUIRE(got == std::vector<std::string>{"nan_loss@3385"});
  // The loss is back: the condition resolves.
  row(m, 3387, {{"learning rate", 6.672e-06}, {"lm loss", 0.70}, {"loss scale", 1.0}, {"grad norm", 0.74}});
  bool resolved = false;
  for (int i = 0; i < 8 && !resolved; ++i) {
    TickResult t = row(m, 3388 + i, {{"learning rate", 6.67e-06}, {"lm loss", 0.70}, {"loss scale", 1.0}});
    for (auto& r : t.resolved) resolved = resolved || r.signature == "rulebased/nan_loss/lm loss#missing";
    add(t);
  }
  CHECK(resolved);
  CHECK(got == std::vector<std::string>{"nan_loss@3385"});
}

TEST_CASE("monitor: rows without the loss that are not a missing loss", "[monitor][families][false_positive]") {
  std::vector<std::string> got;
  auto add = [&](const TickResult& t) { collect(&got, t); };
  // fairseq#301: an epoch summary with its own "train loss" and the lr.
  Monitor f(opts());
  for (int i = 0; i < 4; ++i) add(row(f, i, {{"loss", 1.2 + 0.1 * i}, {"wps", 962}, {"lr", 0.001}, {"gnorm", 2.1}}));
  add(row(f, 4, {{"epoch", 10}, {"train loss", 1.44}, {"lr", 0.001}, {"gnorm", 2.1}}));
  add(row(f, 4, {{"epoch", 10}, {"valid loss", 1.94}}));
  // An eval row (no learning rate), a learning rate on rows of its own.
  Monitor e(opts());
  for (int i = 0; i < 4; ++i) add(row(e, i, {{"loss", 1.2 - 0.1 * i}, {"learning_rate", 1e-4}, {"epoch", 0.1 * i}}));
  add(row(e, 4, {{"eval_accuracy", 0.7}, {"epoch", 0.4}}));
  Monitor l(opts());
  for (int i = 0; i < 6; ++i) {
    add(row(l, i, {{"lr-Adam", 1e-3}}));
    add(row(l, i, {{"train_loss", 1.2 - 0.1 * i}, {"epoch", 0}}));
  }
  // Megatron-LM#449: a pasted log whose last iteration line is cut off after its learning rate (fewer than half
  // the keys of the rows before: not a line that only left its loss out).
  Monitor c(opts());
  for (int i = 1; i <= 2; ++i)
    add(row(c, 100 * i,
            {{"consumed samples", 25600.0 * i},
             {"elapsed time per iteration (ms)", 4300},
             {"learning rate", 3e-5 * i},
             {"global batch size", 256},
             {"lm loss", 11.0 - 3 * i},
             {"loss scale", 65536},
             {"grad norm", 3.0},
             {"number of skipped iterations", 0},
             {"number of nan iterations", 0}}));
  add(row(c, 300,
          {{"consumed samples", 76800}, {"elapsed time per iteration (ms)", 4289.1}, {"learning rate", 1.1e-4}}));
  CHECK(got.empty());
}

TEST_CASE("monitor: a non-finite throughput, accuracy or reward that was finite", "[monitor][families]") {
  // marian-dev#699: words/s nan with the cost (Marian's training loss: nan_loss).
  Monitor m(opts());
  row(m, 100, {{"Cost", 314.0}, {"gNorm", 20126.0}, {"words/s", 5532.88}});
  row(m, 200, {{"Cost", 211.4}, {"gNorm", 35733.2}, {"words/s", 3498.78}});
  auto t = row(m, 300, {{"Cost", kNaN}, {"gNorm", 41172.8}, {"words/s", kNaN}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.signature == "rulebased/nan_loss/Cost");
  // words/s alone going nan beside a finite loss: nonfinite_metric.
  Monitor w(opts());
  row(w, 100, {{"Cost", 314.0}, {"words/s", 5532.88}});
  auto tw = row(w, 200, {{"Cost", 211.4}, {"words/s", kNaN}});
  REQUIRE(tw.alerts.size() == 1);
  CHECK(tw.alerts[0].decision.syndrome == "nonfinite_metric");
  CHECK(tw.alerts[0].decision.signature == "rulebased/nonfinite_metric/words/s");
  // A bound validation accuracy too; never finite before: nothing.
  Monitor v(opts());
  row(v, 1, {{"loss", 1.0}, {"val_acc", 0.5}});
  CHECK(row(v, 2, {{"loss", 0.9}, {"val_acc", kNaN}}).alerts.size() == 1);
  Monitor n(opts());
  row(n, 1, {{"loss", 1.0}, {"val_acc", kNaN}});
  CHECK(row(n, 2, {{"loss", 0.9}, {"val_acc", kNaN}}).alerts.empty());
}

TEST_CASE("monitor: a validation loss confirms a training loss jump (chemts#8)", "[monitor][families]") {
  Monitor m(opts());
  std::vector<std::string> got;
  double loss[] = {0.3925, 0.8816, 0.7743, 0.5779}, vloss[] = {0.365, 0.7405, 0.6743, 0.5234};
  std::int64_t steps[] = {19, 20, 21, 100};
  for (int i = 0; i < 4; ++i)
    collect(&got, row(m, steps[i], {{"loss", loss[i]}, {"acc", 0.8}, {"val_loss", vloss[i]}, {"val_acc", 0.8}}), true);
  CHECK(got == std::vector<std::string>{"loss_divergence@20"});
  // The validation loss on a row of its own, at the training row's step.
  Monitor h(opts());
  got.clear();
  for (int i = 0; i < 2; ++i) {
    row(h, steps[i], {{"loss", loss[i]}, {"learning_rate", 1e-4}});
    collect(&got, row(h, steps[i], {{"eval_loss", vloss[i]}}));
  }
  CHECK(got == std::vector<std::string>{"loss_divergence"});
}

TEST_CASE("monitor: an elapsed clock whose rise per step keeps growing is a slowdown (MnemonicReader#4)",
          "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double clock[] = {13.1, 42.78, 180.82, 549.89};
  for (int i = 0; i < 4; ++i) collect(&got, row(m, 3 * i, {{"loss", 11.3}, {"elapsed time", clock[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "throughput_collapse");
  CHECK(got[0].decision.step == 9);
  // A steady clock, and one with an evaluation folded into one interval: quiet.
  Monitor q(opts());
  const double steady[] = {10, 20, 30, 75, 85, 95, 105, 150, 160};
  for (int i = 0; i < 9; ++i) CHECK(row(q, i, {{"loss", 2.0 - 0.1 * i}, {"time_elapsed", steady[i]}}).alerts.empty());
  // An "elapsed" that falls is a time per log interval, not a clock: its
  // noise rising three times running is no slowdown.
  Monitor p(opts());
  const double interval[] = {10.4, 10.1, 10.2, 10.5, 11.5, 13.0};
  for (int i = 0; i < 6; ++i) CHECK(row(p, i, {{"loss", 2.0 - 0.1 * i}, {"elapsed", interval[i]}}).alerts.empty());
}

TEST_CASE("monitor: a training accuracy stuck at exactly 0 beside a loss that never falls (PaddleOCR#3074)",
          "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double loss[] = {114.313988, 115.315887, 115.961136, 114.718689, 113.873207};
  for (int i = 0; i < 5; ++i) collect(&got, row(m, 1340 + 10 * i, {{"loss", loss[i]}, {"acc", 0.0}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_metric");
  CHECK(got[0].decision.step == 1370);
  // Reinforcement learning: a sparse task's accuracy sits at 0 while the value loss does not fall.
  Monitor rl(opts(Profile::kReinforcementLearning));
  for (int i = 0; i < 5; ++i)
    CHECK(row(rl, 1340 + 10 * i, {{"loss", loss[i]}, {"accuracy", 0.0}, {"reward", -1.0}}).alerts.empty());
}

TEST_CASE("monitor: a total loss of exactly 0 beside a component loss of 1027 (PaddleOCR#3982)",
          "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double ctc[] = {1027.32251, 1026.842407, 1026.300781};
  for (int i = 0; i < 3; ++i)
    collect(&got,
            row(m, 82960 + 10 * i, {{"loss_ctc_Student_0_0", ctc[i]}, {"dml_0_1", 0.0}, {"loss", 0.0}, {"acc", 0.0}}));
  check_one(got, "frozen_loss", "zero_total", 82980);
  // A GRPO loss at 0.0 with no component beside it, or beside a component
  // that is itself ~0 (a KL term): quiet.
  Monitor g(opts());
  for (int i = 0; i < 6; ++i) CHECK(row(g, i, {{"loss", 0.0}, {"kl", 0.0004}, {"reward", 0.5}}).alerts.empty());
  Monitor k(opts());
  for (int i = 0; i < 6; ++i) CHECK(row(k, i, {{"loss", 0.0}, {"kl_loss", 0.0003}}).alerts.empty());
}

TEST_CASE("monitor: validation accuracy halves while the training accuracy peaks (mxnet#1865)", "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double v[] = {0.694959, 0.5297, 0.657973, 0.72191, 0.695673, 0.316746};
  const double t[] = {0.940604, 0.95722, 0.965952, 0.972351, 0.976373, 0.979318};
  for (int i = 0; i < 6; ++i) collect(&got, row(m, 3 + i, {{"Train-accuracy", t[i]}, {"Validation-accuracy", v[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "validation_drop");
  CHECK(got[0].decision.step == 8);
}

TEST_CASE("monitor: a supervised loss of exactly 0 from its first row (ms-swift#4711)", "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double lr[] = {1.538e-05, 3.077e-05, 4.615e-05, 6.154e-05};
  for (int i = 0; i < 4; ++i)
    collect(&got, row(m, 1 + i, {{"loss", 0.0}, {"grad_norm", 0.0}, {"learning_rate", lr[i]}}));
  check_one(got, "frozen_loss", "zero_start", 3);
  // GRPO (a reward and a KL beside it), DPO (chosen / rejected rewards), a
  // KL loss beside it, or the RL profile: a loss at 0.0 from the start is normal.
  Monitor g(opts());
  for (int i = 0; i < 6; ++i)
    CHECK(row(g, i, {{"loss", 0.0}, {"grad_norm", 0.0}, {"reward", 0.0}, {"kl", 0.0}}).alerts.empty());
  Monitor dpo(opts());
  for (int i = 0; i < 6; ++i)
    CHECK(row(dpo, i, {{"Train loss", 0.0}, {"Chosen reward", -1.2}, {"Rejected reward", -9.5}}).alerts.empty());
  Monitor lp(opts());
  for (int i = 0; i < 6; ++i) CHECK(row(lp, i, {{"loss", 0.0}, {"logps/chosen", -120.5}}).alerts.empty());
  Monitor rl(opts(Profile::kReinforcementLearning));
  for (int i = 0; i < 6; ++i) CHECK(row(rl, i, {{"loss", 0.0}}).alerts.empty());
}

TEST_CASE("monitor: the run's only loss key stands in for the loss (SEC-MXNet#8, NeuralPDE.jl#783)",
          "[monitor][families]") {
  // A camel-case loss no alias takes: 0.100427, then exactly 0 (the zero rule).
  Monitor m(opts());
  std::vector<Alert> got;
  const double mll[] = {0.100427, 0.0, 0.0, 0.0};
  for (int i = 0; i < 4; ++i) collect(&got, row(m, 10 * (i + 1), {{"Speed", 29.5}, {"MultiLogisticLoss", mll[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
  CHECK(got[0].decision.signature == "rulebased/frozen_loss/MultiLogisticLoss");
  CHECK(got[0].decision.step == 30);
  // Julia's callback print, identical to 17 digits from iteration 85: an
  // excerpt's first value is no initial level, so the identical rule's 6.
  Monitor j(opts());
  got.clear();
  for (int i = 0; i < 7; ++i) collect(&got, row(j, 85 + i, {{"Current loss is", 121.37774643538611}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
  CHECK(got[0].decision.step == 90);
  // Two component losses, none of them the loss: quiet (a component may sit still).
  Monitor c(opts());
  for (int i = 0; i < 8; ++i)
    CHECK(row(c, i, {{"loss_cls", 0.6931}, {"loss_bbox", 0.0312 + 0.001 * i}}).alerts.empty());
  // A lone KL or value loss, or a validation-side one: not the loss.
  Monitor kl(opts());
  for (int i = 0; i < 8; ++i) CHECK(row(kl, i, {{"kl_loss", 0.123456789}}).alerts.empty());
  Monitor v(opts());
  for (int i = 0; i < 8; ++i) CHECK(row(v, i, {{"val_custom_loss", 1.23456789}}).alerts.empty());
  // Once a key binds the loss, the component is a component again.
  Monitor b(opts());
  for (int i = 0; i < 8; ++i)
    CHECK(row(b, i, {{"loss", 2.5 - 0.1 * i}, {"MultiLogisticLoss", 0.123456789}}).alerts.empty());
}

TEST_CASE("monitor: an image-restoration loss term named l_pix or L1 is a loss (EFNet#11, EDSR-PyTorch#198, #214)",
          "[monitor][families]") {
  // BasicSR's l_pix NaN from the first logged iteration after a resume: critical at once.
  Monitor e(opts());
  auto t = row(e, 649, {{"time (data)", 4.499}, {"l_pix", kNaN}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.syndrome == "nan_loss");
  CHECK(t.alerts[0].decision.severity == Severity::kCritical);
  // EDSR's "[L1: inf]" from the first report.
  Monitor i(opts());
  t = row(i, 800, {{"L1", std::numeric_limits<double>::infinity()}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.syndrome == "nan_loss");
  // EDSR's L1 at ~6 that jumps to 2948: the ceiling rule.
  Monitor j(opts());
  std::vector<Alert> got;
  const double l1[] = {5.9633, 6.0812, 5.9816, 5.9686, 5.9985, 6.0579, 2948.0002, 3150.1106};
  for (int k = 0; k < 8; ++k) collect(&got, row(j, 1600 * (k + 1), {{"L1", l1[k]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "loss_spike");
  CHECK(got[0].decision.step == 11200);
  // Marian's "L.r." is no loss: a NaN there is a non-finite metric, a warning.
  Monitor r(opts());
  row(r, 1, {{"Cost", 2.77}, {"L.r.", 5.38e-05}});
  t = row(r, 2, {{"Cost", 2.76}, {"L.r.", kNaN}});
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts[0].decision.syndrome == "nonfinite_metric");
}

TEST_CASE("monitor: an RL run that logged its loss from the first row has no learning start (dotaclient#15)",
          "[monitor][families]") {
  const double sps[] = {559.17, 711.36, 805.36, 241.90, 140.80};
  const double loss[] = {-0.0141, -0.0138, -0.0181, -0.0661, -0.1711};
  const double rew[] = {3.36, 0.29, 0.43, 2.61, 3.39};
  Monitor m(opts(Profile::kReinforcementLearning));
  std::vector<Alert> got;
  for (int i = 0; i < 5; ++i)
    collect(&got, row(m, i, {{"steps_per_s", sps[i]}, {"mean_reward", rew[i]}, {"loss", loss[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "throughput_collapse");
  CHECK(got[0].decision.step == 4);
  // Without a loss before the drop (a DQN filling its replay buffer): the learning start, quiet.
  Monitor q(opts(Profile::kReinforcementLearning));
  for (int i = 0; i < 5; ++i) CHECK(row(q, i, {{"steps_per_s", sps[i]}, {"mean_reward", rew[i]}}).alerts.empty());
}

TEST_CASE("monitor: a head's loss exactly 0 beside its accuracy at exactly 100 (SCTNet#24)", "[monitor][families]") {
  const double guidance[] = {5.1837, 5.407, 5.3209, 5.2152};
  Monitor m(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 4; ++i)
    collect(&got, row(m, 3900 + 50 * i,
                      {{"lr", 4.878e-04},
                       {"decode.loss_ce", 0.0},
                       {"decode.acc_seg", 100.0},
                       {"aux_1.loss_guidance", guidance[i]},
                       {"loss", guidance[i]}}));
  check_one(got, "frozen_loss", "zero_perfect", 4000);
  // An MoE aux loss switched off (exactly 0) beside an accuracy that is not perfect: quiet.
  Monitor q(opts());
  for (int i = 0; i < 6; ++i)
    CHECK(row(q, i, {{"loss", 7.0 - 0.1 * i}, {"aux_loss", 0.0}, {"acc", 0.30 + 0.01 * i}}).alerts.empty());
  // A GRPO batch all right: a zero loss beside a full accuracy reward in a reward run, quiet.
  Monitor g(opts());
  for (int i = 0; i < 6; ++i)
    CHECK(row(g, i, {{"loss", 0.0}, {"reward", 1.0}, {"accuracy", 1.0}, {"kl", 0.001}}).alerts.empty());
}

TEST_CASE("monitor: a plain \"time\" that fell is a step time that more than doubled (mmaction#199, lit-llama#257)",
          "[monitor][families]") {
  // Kinetics-400 TSN: 0.77-0.93 s per iteration, then 1.67-1.72 s for good, data_time unchanged.
  const double time[] = {0.828, 0.818, 0.932, 0.79,  0.778, 0.777, 0.771, 0.766, 1.709, 1.693, 1.673, 1.671,
                         1.714, 1.69,  1.681, 1.704, 1.702, 1.693, 1.699, 1.717, 1.686, 1.687, 1.688, 1.685};
  auto run = [&](bool with_data_time, double scale, const char* key = "time") {
    Monitor m(opts());
    std::vector<std::string> got;
    for (int i = 0; i < 24; ++i) {
      auto t = with_data_time ? row(m, i, {{key, scale * time[i]}, {"data_time", 0.035}, {"loss", 3.7 - 0.02 * i}})
                              : row(m, i, {{key, scale * time[i]}, {"loss", 3.7 - 0.02 * i}});
      collect(&got, t);
    }
    return got;
  };
  CHECK(run(true, 1.0) == std::vector<std::string>{"throughput_collapse"});
  // PyTorch's ImageNet example prints it as "Time" (pytorch#2769); another key of a time is no step time.
  CHECK(run(false, 1.0, "Time") == std::vector<std::string>{"throughput_collapse"});
  CHECK(run(false, 1.0, "TIME") == std::vector<std::string>{"throughput_collapse"});
  CHECK(run(false, 1.0, "times").empty());
  // Alone, a "time" that fell is a duration too (a timestamp or a total never falls).
  CHECK(run(false, 1.0) == std::vector<std::string>{"throughput_collapse"});
  // lit-llama: ms per iteration, 1.1-8.4 s, then 24-73 s with the RAM full.
  const double lit[] = {3363.41,  4064.29,  1436.98, 1592.5,   1236.71, 6845.58,  7218.04, 1129.11,
                        2974.26,  4688.8,   5415.15, 4641.96,  6900.25, 8394.88,  2549.55, 24229.89,
                        38324.21, 15916.11, 9625.88, 36445.62, 62494.0, 60610.83, 72959.29};
  Monitor l(opts());
  bool crit = false;
  for (int i = 0; i < 23; ++i)
    for (auto& a : row(l, 41 + i, {{"loss", 2.7}, {"time", lit[i]}}).alerts)
      crit = crit || (a.decision.syndrome == "throughput_collapse" && a.decision.severity == Severity::kCritical);
  CHECK(crit);
  // A "time" alone that never fell (a time since the start) stays unjudged.
  Monitor s(opts());
  for (int i = 0; i < 24; ++i)
    CHECK(row(s, i, {{"time", 10.0 * (i + 1) * (i + 1)}, {"loss", 3.7 - 0.02 * i}}).alerts.empty());
  // Beside data_time, a time that never fell (a clock) is not judged either.
  Monitor c(opts());
  for (int i = 0; i < 24; ++i)
    CHECK(
        row(c, i, {{"time", 10.0 * (i + 1) * (i + 1)}, {"data_time", 0.035}, {"loss", 3.7 - 0.02 * i}}).alerts.empty());
  // A steady mmcv time with the usual jitter stays quiet.
  Monitor q(opts());
  const double steady[] = {0.828, 0.818, 0.932, 0.79, 0.778, 0.777, 0.771, 0.766, 0.801, 0.845, 0.79, 0.812};
  for (int i = 0; i < 12; ++i)
    CHECK(row(q, i, {{"time", steady[i]}, {"data_time", 0.04}, {"loss", 3.7 - 0.02 * i}}).alerts.empty());
}

TEST_CASE(
    "monitor: a supervised loss stuck at 0.0100, a grep'd accuracy stuck from its first line "
    "(songdejia/EAST#37, apache/mxnet#4220)",
    "[monitor][families]") {
  // EAST: 'Loss 0.0100 Avg Loss 0.0100' on every iteration (JSON: 0.01).
  Monitor m(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 17; ++i) collect(&got, row(m, 372 + i, {{"Loss", 0.01}, {"Avg Loss", 0.01}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
  CHECK(got[0].decision.step == 377);
  // The same loss beside a reward (GRPO), or under the RL profile: a loss at
  // its print resolution, quiet.
  Monitor g(opts());
  for (int i = 0; i < 17; ++i) CHECK(row(g, i, {{"loss", 0.01}, {"reward", 0.5 + 0.01 * i}}).alerts.empty());
  Monitor rl(opts(Profile::kReinforcementLearning));
  for (int i = 0; i < 17; ++i) CHECK(row(rl, i, {{"loss", 0.01}}).alerts.empty());
  // MXNet: the grep'd Validation-accuracy lines, 0.110204 at every epoch, no loss.
  Monitor x(opts());
  got.clear();
  for (int i = 0; i < 16; ++i) collect(&got, row(x, i, {{"Validation-accuracy", 0.110204}}));
  check_one(got, "frozen_metric", "metric_alone", 3);
  // With a loss that falls, the metric is weighed against the loss: quiet.
  Monitor l(opts());
  for (int i = 0; i < 16; ++i)
    CHECK(row(l, i, {{"Validation-accuracy", 0.110204}, {"loss", 2.3 - 0.1 * i}}).alerts.empty());
  // A success rate stuck at one value in an RL run (a reward key): RL's, quiet.
  Monitor r(opts());
  for (int i = 0; i < 16; ++i) CHECK(row(r, i, {{"success_rate", 0.25}, {"reward", -1.0 + 0.01 * i}}).alerts.empty());
}

TEST_CASE("monitor: BLEU halves as the validation cross-entropy jumps to its worst (marian-dev#512)",
          "[monitor][families]") {
  Monitor m(opts());
  std::vector<Alert> got;
  const double ce[] = {53.9433, 53.018, 52.1468, 52.3338, 75.2208};
  const double bleu[] = {26.4827, 26.4965, 27.1569, 27.4341, 12.0324};
  for (int i = 0; i < 5; ++i) collect(&got, row(m, 80000 + 10000 * i, {{"cross-entropy", ce[i]}, {"bleu", bleu[i]}}));
  check_one(got, "validation_drop", "loss_confirmed", 120000);
  // The same BLEU with a loss that keeps falling: the fall alone is under severe_ratio, quiet.
  Monitor q(opts());
  for (int i = 0; i < 5; ++i)
    CHECK(row(q, 80000 + 10000 * i, {{"cross-entropy", 53.9 - 0.5 * i}, {"bleu", bleu[i]}}).alerts.empty());
}

namespace {
// Observes one row without a step of its own; returns what surfaced for it.
TickResult stepless_row(Monitor& m, std::initializer_list<std::pair<const char*, double>> kv) {
  std::vector<MetricValue> vals;
  for (const auto& [k, v] : kv) vals.push_back({k, v});
  MetricRow r;
  r.values = vals;
  m.observe(r);
  return m.take();
}
}  // namespace

TEST_CASE("monitor: a stepless row repeated with its full-precision learning rate is a reprint (LLaMA-Factory#813)",
          "[monitor][families][false_positive]") {
  // Every HF dict printed once per node: four copies of one logging step.
  Monitor m(opts());
  const double loss[] = {1.8673, 0.7744, 0.6309, 0.5621};
  const double lr[] = {4.9999999999876634e-05, 4.999999999950652e-05, 4.999999999888967e-05, 4.9999999998026084e-05};
  for (int i = 0; i < 4; ++i)
    for (int node = 0; node < 4; ++node)
      CHECK(stepless_row(m, {{"loss", loss[i]}, {"learning_rate", lr[i]}, {"epoch", 0.0}}).alerts.empty());
  // The same rows with a constant learning rate printed short (5e-05): no
  // proof that no optimizer step was taken, so a loss repeated to 5 digits
  // from its first row is frozen (precise identical form, 3 rows).
  Monitor c(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 4; ++i)
    collect(&got, stepless_row(c, {{"loss", 1.8673}, {"learning_rate", 5e-05}, {"epoch", 0.0}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
  CHECK(got[0].decision.step == 2);
  // A row with a step of its own is a new step, whatever it repeats.
  Monitor s(opts());
  got.clear();
  for (int i = 0; i < 4; ++i)
    collect(&got, row(s, 10 * i, {{"loss", 1.8673}, {"learning_rate", lr[0]}, {"epoch", 0.0}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
}

TEST_CASE("monitor: a perplexity pinned at exp(100), the printed cap, has diverged (OpenNMT-py#676)",
          "[monitor][families]") {
  // ppl binds no role (no loss is bound): the absurd level still applies to it.
  Monitor m(opts());
  std::vector<Alert> got;
  const double acc[] = {1.61, 1.6, 1.46};
  for (int i = 0; i < 3; ++i) collect(&got, row(m, 8900 + 50 * i, {{"acc", acc[i]}, {"ppl", 2.6881171418161356e+43}}));
  check_one(got, "loss_divergence", "absurd", 8900);
  // A perplexity that falls from its vocabulary size: quiet.
  Monitor h(opts());
  const double ppl[] = {31000.0, 2400.0, 310.0, 95.0};
  for (int i = 0; i < 4; ++i) CHECK(row(h, 50 * i, {{"acc", 10.0 * i}, {"ppl", ppl[i]}}).alerts.empty());
}

TEST_CASE("monitor: a flat validation loss in a mid-run excerpt is a converged run (PatchTST#116)",
          "[monitor][families][false_positive]") {
  // Epochs 49-55 with a learning rate of 7.9e-07: the test loss moves in its
  // fifth digit, the training loss with its batches. An excerpt has no initial
  // level to say "never improved"; a fixed evaluation set under weights that
  // barely move reads flat.
  const double train[] = {0.4055362, 0.4044474, 0.4046243, 0.4045866, 0.4026537};
  const double test[] = {0.2741248, 0.2741421, 0.2741397, 0.2741141, 0.2740823};
  Monitor m(opts());
  for (int i = 0; i < 5; ++i) CHECK(row(m, 49 + i, {{"Train Loss", train[i]}, {"Test Loss", test[i]}}).alerts.empty());
  // The same flat test loss from the run's start never improved on its first
  // value: frozen (the flat rule), beside a training loss that only scatters.
  const double noisy[] = {0.412, 0.398, 0.421, 0.403, 0.415};
  Monitor s(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 5; ++i) collect(&got, row(s, i, {{"Train Loss", noisy[i]}, {"Test Loss", test[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "frozen_loss");
  CHECK(ev(got[0], "rule") == "flat");
  CHECK(got[0].decision.signature == "rulebased/frozen_loss/Test Loss");
}

TEST_CASE("monitor: a GAN side's loss at exactly 0 beside its opponent's (neural-colorization#13)",
          "[monitor][frozen]") {
  Monitor m(opts());
  std::vector<std::string> seen;
  const double g_total[] = {16.75, 17.25, 16.37, 14.24, 17.94};
  for (int i = 0; i < 5; ++i)
    for (const auto& a : row(m, i, {{"D loss", 50.0}, {"G total loss", g_total[i]}, {"G GAN Loss", 0.0}}).alerts)
      seen.push_back(a.decision.syndrome + "/" + ev(a, "rule"));
  CHECK(std::find(seen.begin(), seen.end(), "frozen_loss/adversarial_zero") != seen.end());
  // A detector's loss term at exactly 0 (YOLOX's l1_loss before its last
  // epochs) names no G/D side: quiet.
  Monitor y(opts());
  bool frozen = false;
  const double total[] = {5.8, 5.7, 5.6, 5.5, 5.4};
  for (int i = 0; i < 5; ++i)
    for (const auto& a : row(y, i, {{"total_loss", total[i]}, {"iou_loss", 2.5}, {"l1_loss", 0.0}}).alerts)
      frozen = frozen || a.decision.syndrome == "frozen_loss";
  CHECK_FALSE(frozen);
}

TEST_CASE("monitor: a loss that does not move while the learning rate is negligible is the schedule's (tinygrad#13803)",
          "[monitor][families][false_positive]") {
  // Llama 3 8B at LR 1e-12 .. 5e-12 in its first warm-up steps: loss 11.875 on nine of ten steps.
  Monitor m(opts());
  for (int i = 0; i < 10; ++i)
    CHECK(row(m, i + 1, {{"loss", i == 4 ? 11.9375 : 11.875}, {"LR", 1e-12 * (1 + i / 2)}}).alerts.empty());
  // The same losses at a learning rate that moves the weights: frozen.
  Monitor f(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 10; ++i) collect(&got, row(f, i + 1, {{"loss", i == 4 ? 11.9375 : 11.875}, {"LR", 3e-4}}));
  REQUIRE_FALSE(got.empty());
  CHECK(got[0].decision.syndrome == "frozen_loss");
}

TEST_CASE("monitor: a policy-gradient objective's jump under RL is no loss spike, and a value loss's is",
          "[monitor][families][false_positive]") {
  // SB3 PPO: policy_gradient_loss is an advantage-weighted ratio around 0 (0.00014, then 0.0087 at one update).
  const double v[] = {0.00011, -0.00009, 0.00014, 0.00012, 0.0087, 0.0001};
  Monitor m(opts());
  for (int i = 0; i < 6; ++i)
    CHECK(row(m, 2048 * (i + 1), {{"ep_rew_mean", 10.0 + i}, {"approx_kl", 0.01}, {"policy_gradient_loss", v[i]}})
              .alerts.empty());
  Monitor c(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 6; ++i)
    collect(&got, row(c, 2048 * (i + 1), {{"ep_rew_mean", 10.0 + i}, {"approx_kl", 0.01}, {"value_loss", v[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "loss_spike");
  CHECK(ev(got[0], "rule") == "ceiling");
}

TEST_CASE("monitor: an RL loss that rises gradually chases its targets, and an overwhelming rise still counts",
          "[monitor][families][false_positive]") {
  // SB3 PPO's total loss in a healthy fighting-game run (r26): 0.704, then 2.93 .. 10.2 as the returns grow.
  const double loss[] = {8.86, 5.82, 5.73, 12.5,  9.6,  7.04, 13.4, 12.4, 9.58, 2.56,
                         6.38, 4.17, 5.79, 0.704, 2.93, 1.11, 3.5,  4.71, 6.98, 10.2};
  Monitor m(opts());
  for (int i = 0; i < 20; ++i)
    CHECK(row(m, 2048 * (i + 1), {{"ep_rew_mean", 92.0 + i}, {"approx_kl", 0.01}, {"loss", loss[i]}}).alerts.empty());
  // The same loss in a supervised run: it keeps rising, 3.5x the level under its lucky minimum.
  Monitor s(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 20; ++i) collect(&got, row(s, i + 1, {{"loss", loss[i]}}));
  REQUIRE_FALSE(got.empty());
  CHECK(got[0].decision.syndrome == "loss_divergence");
  // An RL loss that blows up by two orders of magnitude twice in a row is still divergence.
  Monitor b(opts());
  got.clear();
  const double blow[] = {0.9, 0.8, 0.7, 75.0, 8000.0};
  for (int i = 0; i < 5; ++i)
    collect(&got, row(b, 2048 * (i + 1), {{"ep_rew_mean", 5.0 + i}, {"approx_kl", 0.01}, {"loss", blow[i]}}));
  CHECK(raised(got, "loss_divergence"));
}

TEST_CASE("monitor: an RL loss's jump against its recent values is its moving target, and the ceiling still counts",
          "[monitor][families][false_positive]") {
  // An SB3 DQN's TD loss (r26): 0.0001 .. 0.00035, then 0.00074 at one update, 3.6x the mean before it.
  const double loss[] = {0.000102, 0.000147, 0.000249, 0.000347, 0.000219, 0.000156, 0.000739};
  Monitor m(opts());
  for (int i = 0; i < 7; ++i)
    CHECK(row(m, 8000 * (i + 1), {{"ep_rew_mean", 1.0 + 0.1 * i}, {"exploration_rate", 0.5}, {"loss", loss[i]}})
              .alerts.empty());
  Monitor s(opts());
  std::vector<Alert> got;
  for (int i = 0; i < 7; ++i) collect(&got, row(s, i + 1, {{"loss", loss[i]}}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].decision.syndrome == "loss_spike");
  // Ten times anything the RL loss reached before: the ceiling, critical.
  Monitor c(opts());
  got.clear();
  for (int i = 0; i < 7; ++i)
    collect(&got, row(c, 8000 * (i + 1),
                      {{"ep_rew_mean", 1.0 + 0.1 * i}, {"exploration_rate", 0.5}, {"loss", i < 6 ? loss[i] : 0.01}}));
  REQUIRE(got.size() == 1);
  CHECK(ev(got[0], "rule") == "ceiling");
}

TEST_CASE("monitor: an evaluation's speed falling is no stall, the training loop's is", "[monitor][families]") {
  // r34: a DistilBERT's evaluations took 38 s, then 1050 s at some of them (the host was shared), while training
  // went on at its pace: eval_samples_per_second 26.5 -> 0.95.
  const double eval_speed[] = {26.5, 26.1, 26.8, 26.3, 25.9, 26.4, 26.2, 26.6, 26.0, 26.3, 0.95, 0.97, 0.93, 0.96};
  for (const char* key : {"eval_samples_per_second", "train_samples_per_second"}) {
    INFO(key);
    std::vector<Alert> got;
    Monitor m(opts());
    for (int i = 0; i < 14; ++i)
      collect(&got,
              row(m, 100 * (i + 1), {{"loss", 1.0 - 0.05 * i}, {"eval_loss", 1.1 - 0.05 * i}, {key, eval_speed[i]}}));
    CHECK(raised(got, "throughput_collapse") == (std::string_view(key) == "train_samples_per_second"));
  }
}

TEST_CASE("monitor: a loss at chance while the learning rate still warms up from ~0 waits for the warm-up",
          "[monitor][families][false_positive]") {
  // r43: TinyLlama's DPO log, loss 0.6931 = ln 2 by construction at the start, learning rate 1.7e-9 x step.
  const double loss[] = {0.6931, 0.6938, 0.6912, 0.6925, 0.6934, 0.6911};
  auto run = [&](bool warming) {
    std::vector<Alert> got;
    Monitor m(opts());
    for (int i = 0; i < 6; ++i)
      collect(&got, row(m, i == 0 ? 1 : 10 * i,
                        {{"learning_rate", warming ? 1.718e-9 * (i == 0 ? 1 : 10 * i) : 5e-7}, {"loss", loss[i]}}));
    return got;
  };
  CHECK_FALSE(raised(run(true), "frozen_loss"));
  CHECK(raised(run(false), "frozen_loss"));  // the same loss at a learning rate that moves the weights
}

TEST_CASE("monitor: PPO's KL early stop at the first policy iteration, update after update, is a KL blow-up",
          "[monitor][families]") {
  // Spinning Up's PPO on HalfCheetah (r39): StopIter 79 (no early stop) while the KL holds ~0.02, then the KL
  // passes 1.5 x target_kl after one gradient step at every update while the logged KL stays moderate (0.12 here,
  // under every jump rule's floor).
  auto run = [](int stopped, double usual) {
    std::vector<Alert> got;
    Monitor m(opts());
    for (int i = 0; i < 30; ++i) {
      const bool late = i >= 30 - stopped;
      collect(&got, row(m, i,
                        {{"AverageEpRet", 1500.0 - (late ? 40.0 * i : 0.0)},
                         {"KL", late ? 0.12 : 0.02},
                         {"ClipFrac", 0.2},
                         {"StopIter", late ? 1.0 : usual}}));
    }
    return got;
  };
  auto got = run(5, 79.0);
  REQUIRE(raised(got, "kl_explosion"));
  CHECK(ev(*std::find_if(got.begin(), got.end(), [](const Alert& a) { return a.decision.syndrome == "kl_explosion"; }),
           "rule") == "early_stop");
  CHECK_FALSE(raised(run(4, 79.0), "kl_explosion"));  // four in a row: a healthy run's flare-up
  CHECK_FALSE(raised(run(5, 0.0), "kl_explosion"));   // a run that takes one policy iteration by design
}

TEST_CASE("monitor: an RL loss that jumps while the returns grow follows them, while the reward falls it diverges",
          "[monitor][families][false_positive]") {
  // A PPO total loss (its value loss regresses onto the returns) that settles at 0.025, then jumps 80x and stays,
  // as in r42's SB3 PPO on an inverted pendulum (0.024 -> 2.1 while the episode reward climbs back to 1000).
  const double loss[] = {0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.04, 0.03, 0.025, 0.03, 2.1, 2.0, 2.2};
  auto run = [&](bool reward_rises) {
    std::vector<Alert> got;
    Monitor m(opts());
    for (int i = 0; i < 13; ++i) {
      const double reward = i < 10 || reward_rises ? 100.0 + 80.0 * i : 800.0 - 250.0 * (i - 9);
      collect(&got, row(m, 2048 * (i + 1), {{"ep_rew_mean", reward}, {"approx_kl", 0.01}, {"loss", loss[i]}}));
    }
    return got;
  };
  CHECK_FALSE(raised(run(true), "loss_divergence"));
  CHECK(raised(run(false), "loss_divergence"));
}

TEST_CASE(
    "monitor: an RL learner's elapsed clock slows across its learning start, and a supervised one's is a slowdown",
    "[monitor][families][false_positive]") {
  // An SB3 DQN on Breakout (r26): no loss in the first row (the replay buffer fills), then 11.1 steps/s in the
  // interval that starts learning, easing to 7.4 over five more, then steady.
  const double step[] = {8022, 15981, 24354, 32520, 41211, 49417, 58453, 68523, 80150};
  const double elapsed[] = {29, 744, 1695, 2674, 3824, 4935, 6163, 7533, 9104};
  const double fps[] = {273, 21, 14, 12, 10, 10, 9, 9, 8};
  std::vector<Alert> got;
  Monitor m(opts());
  for (int i = 0; i < 9; ++i) {
    std::vector<std::pair<std::string, double>> kv = {
        {"ep_rew_mean", 1.0 + 0.1 * i}, {"fps", fps[i]}, {"time_elapsed", elapsed[i]}};
    if (i > 0) kv.emplace_back("loss", 0.0002);
    sidecar::test::observe_row(m, static_cast<std::int64_t>(step[i]), kv);
    collect(&got, m.take());
  }
  CHECK_FALSE(raised(got, "throughput_collapse"));
  // The same clock in a supervised run that logs its loss from the first row: the speed fell at each interval.
  Monitor s(opts());
  got.clear();
  for (int i = 0; i < 9; ++i)
    collect(&got, row(s, static_cast<std::int64_t>(step[i]),
                      {{"fps", fps[i]}, {"time_elapsed", elapsed[i]}, {"loss", 2.0 - 0.1 * i}}));
  CHECK(raised(got, "throughput_collapse"));
}

TEST_CASE("monitor: an RL loss's first updates after learning starts are no reference (r28, an SB3 DQN)",
          "[monitor][families][false_positive]") {
  // An SB3 DQN on Breakout: the TD loss right after learning starts, against a critic that predicts ~0, then at the
  // level it keeps while the reward rises from 2 to 3.2.
  const double loss[] = {2.8e-05, 0.000107, 9.17e-05, 0.00122, 9.32e-05, 0.0007, 0.000996, 0.00134, 0.00115};
  const double reward[] = {2.0, 1.89, 1.41, 1.85, 1.87, 2.02, 2.75, 2.8, 3.18};
  std::vector<Alert> got;
  Monitor m(opts());
  for (int i = 0; i < 9; ++i)
    collect(&got, row(m, 8000 * (i + 2), {{"ep_rew_mean", reward[i]}, {"exploration_rate", 0.9}, {"loss", loss[i]}}));
  CHECK_FALSE(raised(got, "loss_spike"));
  CHECK_FALSE(raised(got, "loss_divergence"));
  // The same values as a supervised loss: 0.00122 is over ten times anything before it.
  Monitor s(opts());
  got.clear();
  for (int i = 0; i < 9; ++i) collect(&got, row(s, 8000 * (i + 2), {{"loss", loss[i]}}));
  CHECK(raised(got, "loss_spike"));
}

TEST_CASE("monitor: a GRPO step with no gradient is a batch whose groups all scored alike, not a frozen model (r29)",
          "[monitor][families][false_positive]") {
  // TRL GRPO rows of a healthy Qwen2.5-7B run: grad_norm 0.0 at three steps running while the loss is not 0 and the
  // reward recovers from a dip (frac_reward_zero_std 0.6-0.9: most groups have no advantage to learn from).
  const double loss[] = {0.0364, 0.0392, 0.0229, 0.1433, 0.0145, 0.108, 0.0173, 0.0545, 0.1235};
  const double gnorm[] = {0.1859, 0.4696, 0.1549, 0.7019, 0.1399, 0.2004, 0.0, 0.0, 0.0};
  const double reward[] = {0.85, 0.925, 0.95, 0.975, 0.875, 0.6, 0.85, 0.75, 0.725};
  auto run = [&](bool with_reward) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 9; ++i) {
      std::vector<std::pair<std::string, double>> kv = {{"loss", loss[i]}, {"grad_norm", gnorm[i]}};
      if (with_reward) kv.emplace_back("reward", reward[i]);
      sidecar::test::observe_row(m, i + 1, kv);
      collect(&got, m.take());
    }
    return got;
  };
  CHECK_FALSE(raised(run(true), "frozen_loss"));
  // The same values in a supervised run: no parameter gets a gradient.
  CHECK(raised(run(false), "frozen_loss"));
}

TEST_CASE("monitor: PPO's update KL that climbs while most of each batch is clipped has left its trust region (r28)",
          "[monitor][families]") {
  // An SB3 PPO whose approx_kl climbs slowly from 0.02 to 1.1 as its clip fraction goes from 0.14 to 0.83 (the
  // reward still rising): no jump for the jump rules, a trust region lost.
  auto run = [](bool with_clip, double kl_top, double clip_top) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 40; ++i) {
      const double t = i / 39.0;
      std::vector<std::pair<std::string, double>> kv = {{"rollout/ep_rew_mean", 20.0 + 15.0 * i},
                                                        {"train/approx_kl", 0.02 * std::pow(kl_top / 0.02, t)}};
      if (with_clip) kv.emplace_back("train/clip_fraction", 0.14 + (clip_top - 0.14) * t);
      sidecar::test::observe_row(m, 4096 * (i + 1), kv);
      collect(&got, m.take());
    }
    return got;
  };
  auto got = run(true, 1.1, 0.83);
  REQUIRE(raised(got, "kl_explosion"));
  CHECK(ev(got[0], "rule") == "trust_region");
  // Healthy: an SB3 Breakout PPO at approx_kl 0.41 and clip fraction 0.61 whose reward rises (r23).
  CHECK_FALSE(raised(run(true, 0.41, 0.61), "kl_explosion"));
  // A KL to a reference policy, logged without a clip fraction (GRPO's drifts to 1-2 in healthy runs): not judged so.
  CHECK_FALSE(raised(run(false, 1.1, 0.83), "kl_explosion"));
}

TEST_CASE("monitor: a validation loss that rises while the WER holds at its best is over-confidence (r28, Whisper)",
          "[monitor][families][false_positive]") {
  const double train[] = {0.0111, 0.0007, 0.0003, 0.0002, 0.0002};
  const double vloss[] = {0.321, 0.3585, 0.3937, 0.4123, 0.42};
  const double wer[] = {0.7888, 0.7478, 0.7432, 0.7443, 0.7449};
  auto run = [&](bool worse) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 5; ++i)
      collect(
          &got,
          row(m, 1000 * (i + 1),
              {{"Training Loss", train[i]}, {"Validation Loss", vloss[i]}, {"Wer", worse && i == 4 ? 0.81 : wer[i]}}));
    return got;
  };
  CHECK(run(false).empty());
  // The same losses with the WER 9 % above its best at the last evaluation: the model got worse.
  CHECK(raised(run(true), "validation_loss_regression"));
}

TEST_CASE("monitor: a GRPO step time that follows the answers' length is the work, not a slowdown (r32, r37)",
          "[monitor][families][false_positive]") {
  // TRL GRPO rows of a healthy Qwen2.5-7B run: the answers shrink to 3 tokens and grow back to 340, and step_time
  // follows them, 1.3 s to 4.3 s.
  const double step_time[] = {3.4999, 3.5523, 2.8799, 1.7599, 1.3120, 1.3117, 2.8854, 3.9097, 3.8639, 4.3162};
  const double length[] = {229.75, 235.05, 163.625, 13.975, 3.2, 3.6, 186.425, 324.375, 303.8, 343.05};
  auto run = [&](bool log_length, bool length_holds) {
    Monitor m(opts());
    std::vector<Alert> got;
    for (int i = 0; i < 10; ++i) {
      std::vector<std::pair<std::string, double>> kv = {{"step_time", step_time[i]}, {"reward", 0.8}};
      if (log_length) kv.emplace_back("completions/mean_length", length_holds ? 3.4 : length[i]);
      sidecar::test::observe_row(m, i + 1, kv);
      collect(&got, m.take());
    }
    return got;
  };
  CHECK_FALSE(raised(run(true, false), "throughput_collapse"));
  // Without the length, or with answers that stay 3 tokens long, the same times are a slowdown.
  CHECK(raised(run(false, false), "throughput_collapse"));
  CHECK(raised(run(true, true), "throughput_collapse"));
}

TEST_CASE("monitor: a held-out metric exactly 0 at 20 evaluations while the training loss falls never scored (r42)",
          "[monitor][families][frozen]") {
  // A YOLO26n whose data.yaml named other classes: mAP50 exactly 0 for 100 epochs while train/box_loss falls.
  auto run = [](int epochs, double box_from, bool rl) {
    Monitor m(opts());
    std::vector<std::string> got;
    for (int e = 1; e <= epochs; ++e) {
      std::vector<std::pair<std::string, double>> kv = {{"train/box_loss", box_from * std::exp(-e / 40.0)},
                                                        {"metrics/mAP50(B)", 0.0}};
      if (rl) kv.emplace_back("reward", 1.0);
      sidecar::test::observe_row(m, e, kv);
      collect(&got, m.take(), true, "rule");
    }
    return got;
  };
  CHECK(run(30, 1.14, false) == std::vector<std::string>{"frozen_metric@20:never_scored"});
  // A run from scratch that scores 0 at fewer evaluations, one whose loss never fell a fifth, a reward run: quiet.
  CHECK(run(19, 1.14, false).empty());
  CHECK(run(30, 0.0, false).empty());
  CHECK(run(30, 1.14, true).empty());
}
