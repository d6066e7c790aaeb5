// Roles and key matching, profile inference, selection/dedupe/resolution,
// snapshots, the Monitor end to end, and the history store.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "monitor_rows.h"
#include "sidecar/core/dedupe.h"
#include "sidecar/core/profile.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/history.h"
#include "sidecar/monitor.h"
#include "sidecar/roles.h"

using namespace sidecar;
using sidecar::test::TempDir;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Decision dec(std::string syndrome, Severity sev, Source src = Source::kRulebased, std::string subject = "x") {
  Decision d;
  d.source = src;
  d.syndrome = syndrome;
  d.severity = sev;
  d.message = syndrome + " happened (value 1.234)";
  d.signature = std::string(to_string(src)) + "/" + syndrome + "/" + subject;
  return d;
}

MonitorOptions quiet_options(std::string run_id = "run-1") {
  MonitorOptions o;
  o.run_id = std::move(run_id);
  o.history_path = "-";
  return o;
}

// Observes one row of (key, value) pairs at `step`.
void row(Monitor& m, std::int64_t step, std::initializer_list<std::pair<const char*, double>> kv) {
  sidecar::test::observe_row(m, step, kv);
}

}  // namespace

TEST_CASE("key matching is forgiving the way real logs need", "[roles]") {
  KeyMatcher m;
  auto role = [&](std::string_view k) { return m.match(k) ? std::optional<Role>(m.match(k)->role) : std::nullopt; };
  CHECK(role("loss") == Role::kLoss);
  CHECK(role("TRAIN/LOSS") == Role::kLoss);
  CHECK(role("train-loss") == Role::kLoss);
  CHECK(role("train_loss_epoch") == Role::kLoss);  // Lightning decoration
  CHECK(role("Val Acc") == Role::kValAccuracy);
  CHECK(role("eval/accuracy") == Role::kValAccuracy);
  CHECK(role("validation-accuracy") == Role::kValAccuracy);
  CHECK(role("valid.acc") == Role::kValAccuracy);
  CHECK(role("eval_loss") == Role::kValLoss);
  CHECK(role("rollout/ep_rew_mean") == Role::kReward);
  CHECK(role("ep_rew") == Role::kReward);
  CHECK(role("Mean Reward") == Role::kReward);
  CHECK(role("episode reward") == Role::kReward);
  CHECK(role("rewards/accuracy_reward") == Role::kRewardAccuracy);
  CHECK(role("win_rate") == Role::kSuccessRate);
  CHECK(role("tokens/s") == Role::kThroughput);
  CHECK(role("objective/kl") == Role::kKl);
  CHECK(role("grad-norm") == Role::kGradNorm);
  CHECK_FALSE(role("lossy"));
  CHECK_FALSE(role("accuracy"));  // training accuracy is no validation accuracy
  CHECK_FALSE(role(""));
  CHECK_FALSE(role("///"));
  RoleAliases custom;
  custom.aliases[static_cast<std::size_t>(Role::kLoss)].push_back("my_objective");
  KeyMatcher m2(custom);
  CHECK(m2.match("My Objective")->role == Role::kLoss);
  CHECK(normalize_key(" Val//Acc ") == "val_accuracy");
}

TEST_CASE("profile inference by whole tokens", "[profile]") {
  ProfileOptions o;
  std::vector<std::string> none;
  CHECK(infer_profile("python train_ppo.py --env CartPole-v1", none, "", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("python -m trl.scripts.grpo --model x", none, "", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("python run.py  # uses PPOTrainer", none, "", o) == Profile::kReinforcementLearning);
  // Substrings are not tokens: "supported" is not "ppo", "factor" is not "actor".
  CHECK(infer_profile("python supported_factor_model.py --refactor", none, "", o) == Profile::kGeneric);
  CHECK(infer_profile("python train.py", none, "factor=2 supported=yes", o) == Profile::kGeneric);
  std::vector<std::string> sup_keys = {"train/loss", "val/accuracy"};
  CHECK(infer_profile("python train.py", sup_keys, "", o) == Profile::kSupervised);
  std::vector<std::string> grpo_keys = {"reward", "rewards/accuracy_reward/mean", "kl"};
  CHECK(infer_profile("python train.py", grpo_keys, "", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("python train.py", none, "", o) == Profile::kGeneric);
  CHECK(infer_profile("python rl.py", none, "env.step() took 3 ms", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("python rl.py", none, "environment steps", o) == Profile::kGeneric);
  // PPO's own diagnostics name an RL run without any other hint (baselines' PPO1 logs only these).
  std::vector<std::string> ppo1_keys = {"pol_surr", "pol_entpen", "vf_loss", "kl", "ent"};
  CHECK(infer_profile("python run.py", ppo1_keys, "", o) == Profile::kReinforcementLearning);
  std::vector<std::string> sb3_keys = {"train/approx_kl", "train/clip_fraction", "train/explained_variance"};
  CHECK(infer_profile("python run.py", sb3_keys, "", o) == Profile::kReinforcementLearning);
  // Value-based and off-policy algorithms and RL libraries by name; SB3's DQN keys.
  CHECK(infer_profile("python dqn_breakout.py --lr 5e-4", none, "", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("rllib train --run SAC --env Pendulum-v1", none, "", o) == Profile::kReinforcementLearning);
  std::vector<std::string> dqn_keys = {"ep_rew_mean", "exploration_rate", "fps", "loss"};
  CHECK(infer_profile("python run.py", dqn_keys, "", o) == Profile::kReinforcementLearning);
  CHECK(infer_profile("python isac_sacrum.py", none, "", o) == Profile::kGeneric);  // tokens, not substrings
  std::vector<std::string> vae_keys = {"loss", "kl", "recon_loss"};                 // a VAE's KL term alone is no hint
  CHECK(infer_profile("python run.py", vae_keys, "", o) == Profile::kGeneric);
  o.pin = Profile::kSupervised;
  CHECK(infer_profile("python train_ppo.py", none, "", o) == Profile::kSupervised);
}

TEST_CASE("profile tracker is sticky", "[profile]") {
  ProfileTracker t;
  CHECK(t.current() == Profile::kGeneric);
  CHECK(t.add("python finetune.py"));
  CHECK(t.current() == Profile::kSupervised);
  CHECK_FALSE(t.add("reward"));  // one RL hint does not flip a settled profile
  CHECK(t.current() == Profile::kSupervised);
  t.add("policy");
  t.add("ppo");
  t.add("rollout");
  CHECK(t.current() == Profile::kReinforcementLearning);  // clear lead: it switches
  ProfileTracker pinned;
  pinned.pin(Profile::kGeneric);
  CHECK_FALSE(pinned.add("ppo grpo rlhf"));
  CHECK(pinned.current() == Profile::kGeneric);
}

TEST_CASE("selection: highest severity, then Source order, then first pending", "[dedupe]") {
  DedupeBook book;
  book.raise(dec("kl_explosion", Severity::kWarning, Source::kPlaybook), 0);
  book.raise(dec("cuda_oom", Severity::kCritical, Source::kLogwatch), 0);
  book.raise(dec("nan_loss", Severity::kCritical, Source::kRulebased), 0);
  book.raise(dec("throughput_regression", Severity::kWarning, Source::kBaseline), 0);
  auto a = book.select(0);
  REQUIRE(a);
  CHECK(a->decision.syndrome == "nan_loss");  // critical; rulebased beats logwatch
  // Losers stay pending: one per tick, nothing lost.
  a = book.select(1);
  REQUIRE(a);
  CHECK(a->decision.syndrome == "cuda_oom");
  a = book.select(2);
  REQUIRE(a);
  CHECK(a->decision.syndrome == "kl_explosion");  // playbook before baseline
  a = book.select(3);
  REQUIRE(a);
  CHECK(a->decision.syndrome == "throughput_regression");
  CHECK_FALSE(book.select(4));
  CHECK(book.alerts() == 4);
}

TEST_CASE("dedupe: TTL on the signature, not the message", "[dedupe]") {
  DedupeBook book({.ttl_s = 180});
  Decision d = dec("nan_loss", Severity::kCritical);
  book.raise(d, 0);
  auto first = book.select(0);
  REQUIRE(first);
  d.message = "loss is inf at step 12";  // different text, same condition
  book.raise(d, 10);
  CHECK_FALSE(book.select(10));
  book.raise(d, 179);
  CHECK_FALSE(book.select(179));
  book.raise(d, 181);  // persistent: re-notified once per TTL
  auto again = book.select(181);
  REQUIRE(again);
  CHECK(again->id != first->id);
  CHECK(book.suppressed() == 2);
  // A severity escalation is new information: surfaced within the TTL.
  Decision g = dec("grad_norm_nonfinite", Severity::kWarning);
  book.raise(g, 200);
  REQUIRE(book.select(200));
  g.severity = Severity::kCritical;
  book.raise(g, 201);
  auto esc = book.select(201);
  REQUIRE(esc);
  CHECK(esc->decision.severity == Severity::kCritical);
}

TEST_CASE("dedupe: resolution with hysteresis", "[dedupe]") {
  DedupeBook book({.ttl_s = 180, .clear_ticks = 3});
  Decision d = dec("loss_spike", Severity::kWarning);
  book.raise(d, 0);
  auto a = book.select(0);
  REQUIRE(a);
  CHECK(book.open_alerts() == 1);
  CHECK_FALSE(book.clear(d.signature, 1));
  book.raise(d, 2);  // flaps back: the clean count restarts
  CHECK_FALSE(book.clear(d.signature, 3));
  CHECK_FALSE(book.clear(d.signature, 4));
  CHECK(book.take_resolved().empty());
  CHECK(book.clear(d.signature, 5));
  auto res = book.take_resolved();
  REQUIRE(res.size() == 1);
  CHECK(res[0].alert_id == a->id);
  CHECK(res[0].signature == d.signature);
  CHECK(res[0].duration_s == Approx(5.0));
  CHECK(book.open_alerts() == 0);
  // Log events never resolve.
  Decision oom = dec("cuda_oom", Severity::kCritical, Source::kLogwatch);
  book.raise(oom, 10, /*event=*/true);
  REQUIRE(book.select(10));
  CHECK(book.open_alerts() == 0);
}

TEST_CASE(
    "dedupe: a recurrence after recur_ticks clean evaluations is a new episode, even on a clock that stands still",
    "[dedupe]") {
  // A replay of rows without time stamps never moves the clock past the TTL: a KL that exploded at one epoch,
  // resolved, and explodes again 40 epochs later is news; a flap within recur_ticks evaluations is not.
  DedupeBook book({.ttl_s = 180, .clear_ticks = 3, .recur_ticks = 30});
  Decision d = dec("kl_explosion", Severity::kWarning, Source::kPlaybook);
  int tick = 0;
  auto evaluate = [&](bool holds) {
    if (holds)
      book.raise(d, 0);
    else
      book.clear(d.signature, 0);
    return book.select(0);
  };
  auto first = evaluate(true);
  REQUIRE(first);
  for (tick = 0; tick < 3; ++tick) CHECK_FALSE(evaluate(false));
  REQUIRE(book.take_resolved().size() == 1);
  for (tick = 0; tick < 10; ++tick) CHECK_FALSE(evaluate(false));
  CHECK_FALSE(evaluate(true));  // 11 evaluations after it resolved: a flap, within the TTL
  for (tick = 0; tick < 3; ++tick) CHECK_FALSE(evaluate(false));
  REQUIRE(book.take_resolved().empty());  // it never surfaced, so nothing reopened
  for (tick = 0; tick < 40; ++tick) CHECK_FALSE(evaluate(false));
  auto again = evaluate(true);  // resolved long ago: notified again
  REQUIRE(again);
  CHECK(again->id != first->id);
}

TEST_CASE("dedupe: a condition that cleared while it waited is still surfaced, then resolved", "[dedupe]") {
  DedupeBook book({.ttl_s = 180, .clear_ticks = 1});
  Decision crit = dec("nan_loss", Severity::kCritical);
  Decision warn = dec("kl_explosion", Severity::kWarning, Source::kPlaybook);
  book.raise(crit, 0);
  book.raise(warn, 0);
  REQUIRE(book.select(0)->decision.syndrome == "nan_loss");
  book.clear(warn.signature, 1);  // cleared before it was surfaced
  auto a = book.select(1);
  REQUIRE(a);
  CHECK(a->decision.syndrome == "kl_explosion");
  CHECK(book.take_resolved().empty());
  CHECK_FALSE(book.select(2));
  auto res = book.take_resolved();
  REQUIRE(res.size() == 1);
  CHECK(res[0].alert_id == a->id);
}

TEST_CASE("dedupe: occurrences merge ranks and sources, ids are file-name safe", "[dedupe]") {
  DedupeBook book({}, "run 7/x");
  for (int r = 0; r < 8; ++r) {
    Decision d = dec("nccl_timeout", Severity::kCritical, Source::kLogwatch, "");
    d.signature = "logwatch/nccl_timeout";
    d.evidence = {{"ranks", std::to_string(r)}, {"sources", "rank" + std::to_string(r) + ".log"}, {"count", "1"}};
    book.raise(d, 0, true);
  }
  auto a = book.select(0);
  REQUIRE(a);
  CHECK_FALSE(book.select(1));
  CHECK(*evidence_get(a->decision.evidence, "ranks") == "0,1,2,3,4,5,6,7");
  CHECK(evidence_get(a->decision.evidence, "sources")->find("rank7.log") != std::string::npos);
  CHECK(*evidence_get(a->decision.evidence, "count") == "8");
  CHECK(a->id == "run_7_x-0001-nccl_timeout");
  for (char c : a->id) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'));
  CHECK(detail::merge_list("1,2", "2,3", 2) == "1,2,+1 more");
}

TEST_CASE("dedupe: a run nonce makes the ids a session's own, still response-file names", "[dedupe]") {
  DedupeBook book({}, "v1..2", "3fa9c1");
  book.raise(dec("cuda_oom", Severity::kCritical, Source::kLogwatch, ""), 0, true);
  auto a = book.select(0);
  REQUIRE(a);
  CHECK(a->id == "v1._2-3fa9c1-0001-cuda_oom");
  CHECK(detail::safe_alert_id(a->id, 128) == a->id);  // the response file's name is the id itself
  DedupeBook hostile({}, std::string(200, 'r'), "../../etc/passwd\n" + std::string(100, 'x'));
  hostile.raise(dec("cuda_oom", Severity::kCritical, Source::kLogwatch, ""), 0, true);
  auto h = hostile.select(0);
  REQUIRE(h);
  CHECK(detail::safe_alert_id(h->id, 128) == h->id);
  CHECK(h->id.find("..") == std::string::npos);
  CHECK(h->id.size() <= 128);

  MonitorOptions mo;
  mo.run_id = "demo";
  mo.alert_id_nonce = detail::run_nonce();
  mo.history_path = "-";
  REQUIRE(mo.alert_id_nonce.size() == 6);
  Monitor m(mo);
  m.feed_log("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n");
  m.flush_log();
  auto t = m.tick(1.0);
  REQUIRE(!t.alerts.empty());
  CHECK(t.alerts[0].id == "demo-" + mo.alert_id_nonce + "-0001-cuda_oom");
}

TEST_CASE("dedupe: bounded memory", "[dedupe]") {
  DedupeBook book({.max_conditions = 16});
  for (int i = 0; i < 1000; ++i) {
    book.raise(dec("s", Severity::kWarning, Source::kRulebased, std::to_string(i)), i);
    book.select(i);
  }
  CHECK(book.alerts() <= 1000);
  CHECK(book.open_alerts() <= 16);
}

TEST_CASE("snapshot: note, tags and monitoring stay within bounds", "[snapshot]") {
  SnapshotInput in;
  in.profile = Profile::kSupervised;
  in.summary = {{"loss", 0.5}, {"val_acc", 0.8}, {"throughput", 12.345}};
  Baseline b;
  b.runs = 2;
  b.throughput = 20;
  in.baseline = &b;
  in.tp_vs_base = 0.62;
  in.updated_at = 100;
  Snapshot s = build_snapshot(in, {});
  CHECK(s.monitor_note == "profile=supervised | loss=0.5000 | val_acc=0.8000 | throughput=12.35 | tp_vs_base=0.62x");
  CHECK(s.monitor_tags == std::vector<std::string>{"supervised", "baseline-aware"});
  CHECK(s.monitoring_json.find("\"profile\":\"supervised\"") != std::string::npos);
  CHECK(s.monitoring_json.find("\"runs\":2") != std::string::npos);
  // Many values and syndromes: still bounded.
  for (int i = 0; i < 50; ++i) in.summary.emplace_back("metric_with_a_long_name_" + std::to_string(i), 1e9 * i);
  for (int i = 0; i < 50; ++i)
    in.syndrome_counts.emplace_back("a_very_long_syndrome_name_that_goes_on_and_on_" + std::to_string(i), 1);
  in.open_alerts = 3;
  in.summary[0].second = kNaN;
  s = build_snapshot(in, {});
  CHECK(s.monitor_note.size() <= 220);
  CHECK(s.monitor_tags.size() <= 8);
  for (const auto& t : s.monitor_tags) CHECK(t.size() <= 40);
  CHECK(s.monitoring_json.find("nan") == std::string::npos);  // NaN -> null, valid JSON
  CHECK(parse_json(s.monitoring_json).ok());
}

TEST_CASE("monitor: a NaN loss is critical at once and deduped on the next tick", "[monitor][seed]") {
  Monitor m(quiet_options());
  row(m, 1, {{"loss", 2.0}});
  auto t = m.tick(1000);
  CHECK(t.alerts.empty());
  REQUIRE(t.snapshot);  // the first tick always carries a snapshot
  row(m, 2, {{"loss", kNaN}});
  t = m.tick(1002);
  REQUIRE(!t.alerts.empty());
  CHECK(t.alerts.front().decision.syndrome == "nan_loss");
  CHECK(t.alerts.front().decision.severity == Severity::kCritical);
  CHECK(t.alerts.front().decision.step == 2);
  CHECK(t.alerts.front().run_id == "run-1");
  CHECK(t.snapshot);  // material change: an alert opened
  row(m, 3, {{"loss", kNaN}});
  t = m.tick(1004);
  CHECK(t.alerts.empty());  // deduped
  CHECK_FALSE(t.snapshot);
  CHECK(m.stats().suppressed == 1);
  // It clears after clear_ticks clean evaluations.
  for (int i = 4; i < 7; ++i) {
    row(m, i, {{"loss", 2.0}});
    t = m.tick(1000 + 2 * i);
  }
  REQUIRE(t.resolved.size() == 1);
  CHECK(t.resolved[0].syndrome == "nan_loss");
}

TEST_CASE("monitor: a loss that turns NaN does not 'clear' its spike, NaN names where it began", "[monitor]") {
  Monitor m(quiet_options());
  std::int64_t step = 1;
  for (; step <= 300; ++step) row(m, step, {{"loss", 2.0 + 0.01 * static_cast<double>(step % 7)}});
  m.tick(1000);
  // A burst of huge losses: the spike rule opens a condition.
  for (int i = 0; i < 5; ++i, ++step) row(m, step, {{"loss", 5e6}});
  auto t = m.tick(1001);
  REQUIRE(!t.alerts.empty());
  const std::string spike = t.alerts.front().decision.syndrome;
  // Several non-finite rows arrive between two ticks (as they do in run mode).
  const std::int64_t first_bad = step;
  for (int i = 0; i < 6; ++i, ++step) row(m, step, {{"loss", i < 3 ? std::numeric_limits<double>::infinity() : kNaN}});
  bool nan_seen = false;
  for (int k = 0; k < 6; ++k) {
    t = m.tick(1002 + k);
    for (const auto& r : t.resolved) CHECK(r.syndrome != spike);  // never "OK" while the loss is NaN
    if (!t.alerts.empty() && t.alerts.front().decision.syndrome == "nan_loss") {
      nan_seen = true;
      // Every row is evaluated: the alert is raised at the first non-finite row itself.
      CHECK(t.alerts.front().decision.step == first_bad);
      CHECK(t.alerts.front().decision.message.find(std::to_string(first_bad)) != std::string::npos);
      CHECK(*evidence_get(t.alerts.front().decision.evidence, "first_step") == std::to_string(first_bad));
    }
    row(m, step++, {{"loss", kNaN}});
  }
  CHECK(nan_seen);
}

TEST_CASE("monitor: the seed's validation drop and reward hacking fire through the engine", "[monitor][seed]") {
  {
    Monitor m(quiet_options());
    double acc[] = {0.71, 0.74, 0.79, 0.84, 0.85, 0.69, 0.67};
    std::vector<std::string> got;
    for (int i = 0; i < 7; ++i) {
      row(m, i * 100, {{"loss", 1.0 - 0.05 * i}, {"val/accuracy", acc[i]}});
      for (const auto& a : m.tick(1000 + i).alerts) got.push_back(a.decision.syndrome);
    }
    CHECK(m.profile() == Profile::kSupervised);
    CHECK(got == std::vector<std::string>{"validation_drop"});
  }
  {
    Monitor m(quiet_options());
    double reward[] = {10, 12, 13, 14, 15, 24};
    double success[] = {.80, .82, .81, .79, .78, .45};
    std::optional<Alert> alert;
    for (int i = 0; i < 6; ++i) {
      row(m, i, {{"episode_reward", reward[i]}, {"success_rate", success[i]}});
      if (auto t = m.tick(1000 + i); !t.alerts.empty()) alert = t.alerts.front();
    }
    CHECK(m.profile() == Profile::kReinforcementLearning);
    REQUIRE(alert);
    CHECK(alert->decision.syndrome == "reward_hacking_suspected");
    CHECK(alert->decision.severity == Severity::kCritical);
  }
}

TEST_CASE("monitor: throughput 20 vs baseline 50 is a regression", "[monitor][seed]") {
  MonitorOptions o = quiet_options();
  Baseline b;
  b.runs = 2;
  b.throughput = 50;
  b.throughput_n = 2;
  o.baseline = b;
  Monitor m(std::move(o));
  std::optional<Alert> alert;
  for (int i = 0; i < 12; ++i) {
    row(m, i, {{"samples_per_second", 20.0}});
    if (auto t = m.tick(1000 + i); !t.alerts.empty()) alert = t.alerts.front();
  }
  REQUIRE(alert);
  CHECK(alert->decision.syndrome == "throughput_regression");
  Snapshot s = m.snapshot(2000);
  CHECK(s.monitor_note.find("tp_vs_base=0.40x") != std::string::npos);
  CHECK(std::find(s.monitor_tags.begin(), s.monitor_tags.end(), "baseline-aware") != s.monitor_tags.end());
}

TEST_CASE("monitor: first present alias wins and stays bound, steps auto-increment", "[monitor]") {
  Monitor m(quiet_options());
  row(m, 0, {{"train/loss", 5.0}, {"loss", 2.0}});  // "loss" is listed first
  CHECK(*m.latest(Role::kLoss) == 2.0);
  row(m, 1, {{"train/loss", 7.0}});  // the other alias no longer feeds the role
  CHECK(*m.latest(Role::kLoss) == 2.0);
  std::vector<MetricValue> vals = {{"loss", 1.5}};
  MetricRow r;  // no step: previous + 1
  r.values = vals;
  m.observe(r);
  m.tick(1);
  CHECK(m.history_row("finished", 2).last_step == 2);
}

TEST_CASE("monitor: keys seen in first-seen order, the bindings, and the key report", "[monitor][keys]") {
  Monitor m(quiet_options());
  CHECK(m.keys_seen().empty());
  CHECK(m.key_bindings().empty());
  CHECK(m.key_report().find("\"bound\":{}") != std::string::npos);
  row(m, 0, {{"train/loss", 5.0}, {"loss", 2.0}, {"learning_rate", 1e-4}});
  row(m, 1, {{"eval_loss", 3.0}, {"loss", 1.9}, {"epoch", 0.5}});
  CHECK(m.keys_seen() == std::vector<std::string>{"train/loss", "loss", "learning_rate", "eval_loss", "epoch"});
  CHECK(m.bound_key(Role::kLoss) == "loss");  // the alias listed first won within the first row
  CHECK(m.bound_key(Role::kValLoss) == "eval_loss");
  CHECK(m.bound_key(Role::kThroughput).empty());
  auto b = m.key_bindings();
  REQUIRE(b.size() == 2);
  CHECK((b[0].role == Role::kLoss && b[0].key == "loss"));
  CHECK((b[1].role == Role::kValLoss && b[1].key == "eval_loss"));
  const std::string j = m.key_report();
  CHECK(j.find("\"keys_seen\":5") != std::string::npos);
  CHECK(j.find("\"bound\":{\"loss\":\"loss\",\"val_loss\":\"eval_loss\"") != std::string::npos);
  CHECK(j.find("{\"key\":\"train/loss\",\"role\":\"loss\"}") != std::string::npos);
  CHECK(j.find("\"epoch\"") != std::string::npos);
}

TEST_CASE("monitor: fastai's bare metric beside valid_loss is the validation accuracy", "[monitor][keys]") {
  // fastai's Recorder prints "epoch train_loss valid_loss accuracy time": its metrics are the validation set's.
  Monitor m(quiet_options());
  row(m, 0, {{"train_loss", 0.81}, {"valid_loss", 0.46}, {"accuracy", 0.90}});
  CHECK(m.bound_key(Role::kValLoss) == "valid_loss");
  CHECK(m.bound_key(Role::kValAccuracy) == "accuracy");
  const std::string j = m.key_report();
  CHECK(j.find("\"val_accuracy\":\"accuracy\"") != std::string::npos);
  CHECK(j.find("\"ignored\":[]") != std::string::npos);
  // Keras' bare "accuracy" is the training set's (its validation loss is "val_loss"); a bare metric first seen
  // before any validation loss stays unbound too
  Monitor keras(quiet_options());
  row(keras, 0, {{"loss", 0.7}, {"accuracy", 0.6}, {"val_loss", 0.8}, {"val_accuracy", 0.55}});
  CHECK(keras.bound_key(Role::kValAccuracy) == "val_accuracy");
  Monitor other(quiet_options());
  row(other, 0, {{"accuracy", 0.6}, {"valid_loss", 0.8}});
  CHECK(other.bound_key(Role::kValAccuracy).empty());
}

TEST_CASE("monitor: snapshots on heartbeat or material change only", "[monitor][snapshot]") {
  Monitor m(quiet_options());
  int snapshots = 0;
  for (int i = 0; i < 100; ++i) {
    // A healthy, moving loss (a loss frozen at one value is itself a finding,
    // and so is one that repeats its values in order: frozen_loss's replay rule).
    row(m, i, {{"loss", 2.0 - 0.001 * static_cast<double>(i) + 0.01 * static_cast<double>(i % 7)}});
    if (m.tick(1000 + i).snapshot) ++snapshots;  // 1 row per second for 100 s
  }
  CHECK(snapshots == 4);  // t=1000, 1030, 1060, 1090
}

TEST_CASE("monitor: eight ranks hitting the same NCCL timeout make one alert", "[monitor][logs]") {
  Monitor m(quiet_options());
  REQUIRE(m.log_status().ok());
  for (int r = 0; r < 8; ++r) {
    std::string line = "[rank" + std::to_string(r) + "]:[E ProcessGroupNCCL.cpp:563] [Rank " + std::to_string(r) +
                       "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1234, OpType=ALLREDUCE, "
                       "NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600" +
                       std::to_string(r) + "12 milliseconds before timing out.\n";
    m.feed_log(line, "rank" + std::to_string(r) + ".log");
  }
  auto t = m.tick(100);
  REQUIRE(t.alerts.size() == 1);
  CHECK(t.alerts.front().decision.syndrome == "nccl_timeout");
  CHECK(t.alerts.front().decision.source == Source::kLogwatch);
  CHECK(t.alerts.front().decision.signature == "logwatch/nccl_timeout");
  const std::string* ranks = evidence_get(t.alerts.front().decision.evidence, "ranks");
  REQUIRE(ranks);
  CHECK(*ranks == "0,1,2,3,4,5,6,7");
  CHECK(*evidence_get(t.alerts.front().decision.evidence, "count") == "8");
  CHECK(m.tick(101).alerts.empty());
  // A line split across feeds is joined.
  m.feed_log("RuntimeError: CUDA out of mem", "run.log");
  m.feed_log("ory. Tried to allocate 2.00 GiB\n", "run.log");
  t = m.tick(102);
  REQUIRE(!t.alerts.empty());
  CHECK(t.alerts.front().decision.syndrome == "cuda_oom");
}

TEST_CASE("monitor: bounded memory and steady cost over a long run", "[monitor]") {
  Monitor m(quiet_options());
  for (int i = 0; i < 200000; ++i) {
    row(m, i, {{"loss", 2.0 + 0.01 * std::sin(i)}, {"grad_norm", 1.0}, {"lr", 1e-4}, {"tokens_per_second", 1000.0}});
    m.tick(1000 + 0.01 * i);
  }
  CHECK(m.stats().rows == 200000);
  CHECK(m.stats().alerts == 0);
  CHECK(m.history_row("finished", 3000).summary.size() < 20);
  // Unbounded key churn (a new key every row) is bounded too.
  for (int i = 0; i < 10000; ++i) {
    std::string k = "metric_" + std::to_string(i);
    row(m, 200000 + i, {{k.c_str(), 1.0}});
  }
  CHECK(m.stats().rows == 210000);
}

TEST_CASE("command fingerprints mask GPUs, seeds and whitespace", "[history][seed]") {
  HistoryOptions o;
  auto fp = [&](std::string_view c) { return command_fingerprint(c, o.masks); };
  CHECK(fp("CUDA_VISIBLE_DEVICES=0 python train.py --lr 3e-4") ==
        fp("CUDA_VISIBLE_DEVICES=7 python train.py --lr 3e-4"));
  CHECK(fp("CUDA_VISIBLE_DEVICES=0,1 python  train.py\t--lr 3e-4") ==
        fp("CUDA_VISIBLE_DEVICES='2,3' python train.py --lr 3e-4"));
  CHECK(fp("python train.py --seed 1 --lr 3e-4") == fp("python train.py --seed=2 --lr 3e-4"));
  CHECK(fp("python train.py --output_dir /a/b") == fp("python train.py --output_dir /c"));
  CHECK(fp("python train.py --lr 3e-4") != fp("python train.py --lr 1e-3"));
  CHECK(fp("python train.py") != fp("python eval.py"));
  CHECK(fp("python train.py").size() == 16);
  CHECK(canonical_command("export CUDA_VISIBLE_DEVICES=3 &&  python t.py", o.masks) ==
        "export CUDA_VISIBLE_DEVICES=* && python t.py");
}

TEST_CASE("history: append, read, corrupt lines skipped and counted", "[history]") {
  TempDir dir("engine");
  const std::string path = dir.file("hist_corrupt.jsonl");
  HistoryOptions o;
  HistoryRow r;
  r.run_id = "a";
  r.status = "finished";
  r.command_fingerprint = "f";
  r.profile = Profile::kSupervised;
  r.summary = {{"throughput", 40}, {"val_accuracy_best", 0.8}, {"nan_value", kNaN}};
  r.val_accuracy_curve = {{100, 0.5}, {200, 0.8}};
  r.last_step = 250;
  REQUIRE(append_history(path, r, o).ok());
  {
    std::ofstream f(path, std::ios::app);
    f << "{not json\n"
      << "[1,2,3]\n"
      << "{\"run_id\":\"x\"}\n";
    f << "{\"run_id\":\"torn\",\"status\":\"fini";  // a torn last line (crash mid-write)
  }
  r.run_id = "b";
  r.summary = {{"throughput", 60}, {"val_accuracy_best", 0.9}};
  REQUIRE(append_history(path, r, o).ok());
  auto h = read_history(path);
  REQUIRE(h.ok());
  REQUIRE(h->rows.size() == 2);
  CHECK(h->corrupt_lines == 4);
  CHECK(h->rows[0].run_id == "a");
  CHECK(h->rows[0].profile == Profile::kSupervised);
  CHECK(h->rows[0].val_accuracy_curve.size() == 2);
  CHECK(h->rows[0].last_step == 250);
  CHECK_FALSE(h->rows[0].get("nan_value"));  // NaN written as null, not read back as a number
  CHECK(h->rows[1].run_id == "b");
  auto missing = read_history(dir.file("does_not_exist.jsonl"));
  REQUIRE(missing.ok());
  CHECK(missing->rows.empty());
}

TEST_CASE("history: compaction keeps the newest max_rows", "[history]") {
  TempDir dir("engine");
  const std::string path = dir.file("hist_compact.jsonl");
  HistoryOptions o;
  o.max_rows = 10;
  HistoryRow r;
  r.status = "finished";
  r.command_fingerprint = "f";
  for (int i = 0; i < 25; ++i) {
    r.run_id = "run" + std::to_string(i);
    REQUIRE(append_history(path, r, o).ok());
  }
  auto h = read_history(path);
  REQUIRE(h.ok());
  REQUIRE(h->rows.size() == 10);
  CHECK(h->rows.front().run_id == "run15");
  CHECK(h->rows.back().run_id == "run24");
}

TEST_CASE("history: two concurrent writers lose nothing", "[history]") {
  TempDir dir("engine");
  const std::string path = dir.file("hist_concurrent.jsonl");
  HistoryOptions o;
  o.max_rows = 150;  // compaction runs while both write
  constexpr int kEach = 100;
  auto write_rows = [&](const std::string& who) {
    HistoryRow r;
    r.status = "finished";
    r.command_fingerprint = "f";
    r.summary = {{"throughput", 1.0}};
    for (int i = 0; i < kEach; ++i) {
      r.run_id = who + "-" + std::to_string(i);
      if (!append_history(path, r, o).ok()) return false;
    }
    return true;
  };
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(write_rows("child") ? 0 : 1);
  bool ok = write_rows("parent");
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(ok);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto h = read_history(path);
  REQUIRE(h.ok());
  CHECK(h->corrupt_lines == 0);
  CHECK(h->rows.size() == 150);  // 200 written, compacted to the newest 150, none torn
  int parent_last = 0, child_last = 0;
  for (const auto& row : h->rows) {
    if (row.run_id == "parent-99") ++parent_last;
    if (row.run_id == "child-99") ++child_last;
  }
  CHECK(parent_last == 1);
  CHECK(child_last == 1);
  // Threads in one process too (each append takes the lock on its own fd).
  std::remove(path.c_str());
  o.max_rows = 1000;
  std::thread t1([&] { write_rows("t1"); });
  std::thread t2([&] { write_rows("t2"); });
  t1.join();
  t2.join();
  h = read_history(path);
  REQUIRE(h.ok());
  CHECK(h->rows.size() == 2 * kEach);
  CHECK(h->corrupt_lines == 0);
}

TEST_CASE("baseline: median over finished runs of the same command, with sample size", "[history]") {
  HistoryOptions o;
  std::vector<HistoryRow> rows;
  auto add = [&](std::string fp, std::string status, double tp, double acc) {
    HistoryRow r;
    r.run_id = "r" + std::to_string(rows.size());
    r.status = std::move(status);
    r.command_fingerprint = std::move(fp);
    r.summary = {{"throughput", tp}, {"val_accuracy_best", acc}};
    rows.push_back(r);
  };
  add("f", "finished", 40, 0.8);
  add("f", "finished", 50, 0.9);
  add("f", "finished", 70, 0.85);
  add("f", "failed", 1, 0.1);    // not finished: ignored
  add("g", "finished", 999, 1);  // another command: ignored
  Baseline b = compute_baseline(rows, "f", o);
  CHECK(b.runs == 3);
  CHECK(*b.throughput == 50);
  CHECK(b.throughput_n == 3);
  CHECK(*b.val_accuracy_best == Approx(0.85));
  o.min_samples = 4;
  CHECK(compute_baseline(rows, "f", o).empty());
  CHECK(compute_baseline(rows, "nope", HistoryOptions{}).empty());
}

TEST_CASE("monitor: two runs of the same command build a baseline through history", "[monitor][history]") {
  TempDir dir("engine");
  const std::string path = dir.file("hist_monitor.jsonl");
  for (int run = 0; run < 2; ++run) {
    MonitorOptions o;
    o.run_id = "run" + std::to_string(run);
    o.command = "CUDA_VISIBLE_DEVICES=" + std::to_string(run) + " python train.py --lr 1e-3";
    o.history_path = path;
    Monitor m(std::move(o));
    if (run == 1) {
      CHECK(m.baseline().runs == 1);
      CHECK(*m.baseline().throughput == Approx(100));
    }
    std::optional<Alert> alert;
    for (int i = 0; i < 20; ++i) {
      row(m, i, {{"loss", 2.0}, {"throughput", run == 0 ? 100.0 : 30.0}, {"val/accuracy", 0.5 + 0.01 * i}});
      if (auto t = m.tick(1000 + i); !t.alerts.empty()) alert = t.alerts.front();
    }
    if (run == 1) {
      REQUIRE(alert);
      CHECK(alert->decision.syndrome == "throughput_regression");
    }
    REQUIRE(m.finish("finished", 2000, 0).ok());
  }
  auto h = read_history(path);
  REQUIRE(h.ok());
  REQUIRE(h->rows.size() == 2);
  CHECK(h->rows[0].command_fingerprint == h->rows[1].command_fingerprint);
  CHECK(h->rows[0].get("val_accuracy_best"));
  CHECK(*h->rows[1].get("exit_code") == 0);
}
