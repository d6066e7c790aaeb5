// Playbook loading: defaults agree with the C++ structs, user files merge,
// errors are located with did-you-mean.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "sidecar/playbook.h"

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = std::string("/tmp/sidecar_engine_test_") + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("default playbook loads and equals the C++ defaults", "[playbook]") {
  auto pb = sidecar::load_playbook("");
  INFO(pb.status().message());
  REQUIRE(pb.ok());
  sidecar::Playbook def;
  const auto& d = pb->detectors;
  CHECK(d.nan_loss.enabled == def.detectors.nan_loss.enabled);
  CHECK(d.nan_loss.severity == def.detectors.nan_loss.severity);
  CHECK(d.high_loss.threshold == def.detectors.high_loss.threshold);
  CHECK(d.high_loss.window == def.detectors.high_loss.window);
  CHECK(d.high_loss.fraction == def.detectors.high_loss.fraction);
  CHECK(d.high_loss.min_points == def.detectors.high_loss.min_points);
  CHECK(d.high_loss.min_improvement == def.detectors.high_loss.min_improvement);
  CHECK(d.loss_spike.window == def.detectors.loss_spike.window);
  CHECK(d.loss_spike.min_points == def.detectors.loss_spike.min_points);
  CHECK(d.loss_spike.z == def.detectors.loss_spike.z);
  CHECK(d.loss_spike.min_ratio == def.detectors.loss_spike.min_ratio);
  CHECK(d.loss_spike.persistence == def.detectors.loss_spike.persistence);
  CHECK(d.loss_spike.mad_floor == def.detectors.loss_spike.mad_floor);
  CHECK(d.loss_spike.early_ratio == def.detectors.loss_spike.early_ratio);
  CHECK(d.loss_spike.ceiling_factor == def.detectors.loss_spike.ceiling_factor);
  CHECK(d.loss_spike.ceiling_min_points == def.detectors.loss_spike.ceiling_min_points);
  CHECK(d.loss_spike.ceiling_severity == def.detectors.loss_spike.ceiling_severity);
  CHECK(d.grad_norm.persistence == def.detectors.grad_norm.persistence);
  CHECK(d.grad_norm.explosion_ratio == def.detectors.grad_norm.explosion_ratio);
  CHECK(d.grad_norm.window == def.detectors.grad_norm.window);
  CHECK(d.grad_norm.min_points == def.detectors.grad_norm.min_points);
  CHECK(d.grad_norm.min_loss_scale == def.detectors.grad_norm.min_loss_scale);
  CHECK(d.grad_norm.persistent_severity == def.detectors.grad_norm.persistent_severity);
  CHECK(d.stall.factor == def.detectors.stall.factor);
  CHECK(d.stall.min_seconds == def.detectors.stall.min_seconds);
  CHECK(d.stall.min_intervals == def.detectors.stall.min_intervals);
  CHECK(d.val_acc_drop.min_points == def.detectors.val_acc_drop.min_points);
  CHECK(d.val_acc_drop.min_drop == def.detectors.val_acc_drop.min_drop);
  CHECK(d.val_acc_drop.mean_ratio == def.detectors.val_acc_drop.mean_ratio);
  CHECK(d.val_acc_drop.mean_window == def.detectors.val_acc_drop.mean_window);
  CHECK(d.val_loss_regression.ratio == def.detectors.val_loss_regression.ratio);
  CHECK(d.val_loss_regression.mean_ratio == def.detectors.val_loss_regression.mean_ratio);
  CHECK(d.val_loss_regression.min_points == def.detectors.val_loss_regression.min_points);
  CHECK(d.reward_drop.window == def.detectors.reward_drop.window);
  CHECK(d.reward_drop.drop_fraction == def.detectors.reward_drop.drop_fraction);
  CHECK(d.reward_drop.min_points == def.detectors.reward_drop.min_points);
  CHECK(d.reward_hacking.reward_ratio == def.detectors.reward_hacking.reward_ratio);
  CHECK(d.reward_hacking.quality_ratio == def.detectors.reward_hacking.quality_ratio);
  CHECK(d.reward_hacking.trend_window == def.detectors.reward_hacking.trend_window);
  CHECK(d.reward_hacking.trend_min_points == def.detectors.reward_hacking.trend_min_points);
  CHECK(d.reward_hacking.trend_reward_rise == def.detectors.reward_hacking.trend_reward_rise);
  CHECK(d.reward_hacking.trend_quality_ratio == def.detectors.reward_hacking.trend_quality_ratio);
  CHECK(d.reward_hacking.severity == def.detectors.reward_hacking.severity);
  CHECK(d.kl_explosion.ratio == def.detectors.kl_explosion.ratio);
  CHECK(d.kl_explosion.min_kl == def.detectors.kl_explosion.min_kl);
  CHECK(d.kl_explosion.window == def.detectors.kl_explosion.window);
  CHECK(d.entropy.collapse_fraction == def.detectors.entropy.collapse_fraction);
  CHECK(d.entropy.explosion_ratio == def.detectors.entropy.explosion_ratio);
  CHECK(d.entropy.explosion_min == def.detectors.entropy.explosion_min);
  CHECK(d.entropy.persistence == def.detectors.entropy.persistence);
  CHECK(d.entropy.window == def.detectors.entropy.window);
  CHECK(d.entropy.min_points == def.detectors.entropy.min_points);
  CHECK(d.throughput_regression.ratio == def.detectors.throughput_regression.ratio);
  CHECK(d.throughput_regression.warmup_points == def.detectors.throughput_regression.warmup_points);
  CHECK(d.throughput_regression.window == def.detectors.throughput_regression.window);
  CHECK(d.quality_behind.margin == def.detectors.quality_behind.margin);
  CHECK(d.quality_behind.min_points == def.detectors.quality_behind.min_points);
  CHECK(d.val_acc_drop.collapse_ratio == def.detectors.val_acc_drop.collapse_ratio);
  CHECK(d.val_acc_drop.collapse_points == def.detectors.val_acc_drop.collapse_points);
  CHECK(d.val_acc_drop.min_best == def.detectors.val_acc_drop.min_best);
  CHECK(d.reward_drop.warmup_points == def.detectors.reward_drop.warmup_points);
  CHECK(d.reward_drop.persistence == def.detectors.reward_drop.persistence);
  CHECK(d.kl_explosion.max_kl == def.detectors.kl_explosion.max_kl);
  CHECK(d.kl_explosion.jump_ratio == def.detectors.kl_explosion.jump_ratio);
  CHECK(d.nonfinite.enabled == def.detectors.nonfinite.enabled);
  CHECK(d.nonfinite.severity == def.detectors.nonfinite.severity);
  CHECK(d.loss_divergence.ratio == def.detectors.loss_divergence.ratio);
  CHECK(d.loss_divergence.rising == def.detectors.loss_divergence.rising);
  CHECK(d.loss_divergence.min_points == def.detectors.loss_divergence.min_points);
  CHECK(d.loss_divergence.back_fraction == def.detectors.loss_divergence.back_fraction);
  CHECK(d.loss_divergence.slow_rise == def.detectors.loss_divergence.slow_rise);
  CHECK(d.loss_divergence.min_delta == def.detectors.loss_divergence.min_delta);
  CHECK(d.frozen_loss.zero_points == def.detectors.frozen_loss.zero_points);
  CHECK(d.frozen_loss.zero_min_initial == def.detectors.frozen_loss.zero_min_initial);
  CHECK(d.frozen_loss.flat_points == def.detectors.frozen_loss.flat_points);
  CHECK(d.frozen_loss.flat_tolerance == def.detectors.frozen_loss.flat_tolerance);
  CHECK(d.frozen_loss.flat_max_improvement == def.detectors.frozen_loss.flat_max_improvement);
  CHECK(d.val_acc_drop.drop_points == def.detectors.val_acc_drop.drop_points);
  CHECK(d.val_acc_drop.severe_ratio == def.detectors.val_acc_drop.severe_ratio);
  CHECK(d.reward_drop.decline_fraction == def.detectors.reward_drop.decline_fraction);
  CHECK(d.reward_drop.decline_points == def.detectors.reward_drop.decline_points);
  CHECK(d.reward_drop.decline_min_points == def.detectors.reward_drop.decline_min_points);
  CHECK(d.reward_hacking.short_points == def.detectors.reward_hacking.short_points);
  CHECK(d.reward_hacking.short_quality_ratio == def.detectors.reward_hacking.short_quality_ratio);
  CHECK(d.throughput_collapse.step_time_ratio == def.detectors.throughput_collapse.step_time_ratio);
  CHECK(d.throughput_collapse.step_time_rising == def.detectors.throughput_collapse.step_time_rising);
  CHECK(d.loss_divergence.slow_window == def.detectors.loss_divergence.slow_window);
  CHECK(d.loss_divergence.slow_back_fraction == def.detectors.loss_divergence.slow_back_fraction);
  CHECK(d.loss_divergence.severity == def.detectors.loss_divergence.severity);
  CHECK(d.frozen_loss.points == def.detectors.frozen_loss.points);
  CHECK(d.frozen_loss.ignore_zero == def.detectors.frozen_loss.ignore_zero);
  CHECK(d.throughput_collapse.warmup_points == def.detectors.throughput_collapse.warmup_points);
  CHECK(d.throughput_collapse.reference_points == def.detectors.throughput_collapse.reference_points);
  CHECK(d.throughput_collapse.ratio == def.detectors.throughput_collapse.ratio);
  CHECK(d.throughput_collapse.persistence == def.detectors.throughput_collapse.persistence);
  CHECK(d.rank_progress.enabled == def.detectors.rank_progress.enabled);
  CHECK(d.rank_progress.stall_seconds == def.detectors.rank_progress.stall_seconds);
  CHECK(d.rank_progress.cadence_factor == def.detectors.rank_progress.cadence_factor);
  CHECK(d.rank_progress.min_lines == def.detectors.rank_progress.min_lines);
  CHECK(d.rank_progress.min_advancing_share == def.detectors.rank_progress.min_advancing_share);
  CHECK(d.rank_progress.min_ranks == def.detectors.rank_progress.min_ranks);
  CHECK(d.rank_progress.timeout_settle_seconds == def.detectors.rank_progress.timeout_settle_seconds);
  CHECK(d.rank_progress.severity == def.detectors.rank_progress.severity);
  CHECK(d.rank_progress.timeout_severity == def.detectors.rank_progress.timeout_severity);
  CHECK(pb->profile.pin == def.profile.pin);
  CHECK(pb->profile.rl_hints == def.profile.rl_hints);
  CHECK(pb->profile.supervised_hints == def.profile.supervised_hints);
  CHECK(pb->profile.switch_margin == def.profile.switch_margin);
  for (std::size_t r = 0; r < sidecar::kRoleCount; ++r) {
    INFO(sidecar::to_string(static_cast<sidecar::Role>(r)));
    CHECK(pb->roles.aliases[r] == def.roles.aliases[r]);
  }
  CHECK(pb->dedupe.ttl_s == def.dedupe.ttl_s);
  CHECK(pb->dedupe.clear_ticks == def.dedupe.clear_ticks);
  CHECK(pb->dedupe.max_conditions == def.dedupe.max_conditions);
  CHECK(pb->dedupe.max_list_items == def.dedupe.max_list_items);
  CHECK(pb->snapshot.heartbeat_s == def.snapshot.heartbeat_s);
  CHECK(pb->snapshot.max_note_chars == def.snapshot.max_note_chars);
  CHECK(pb->snapshot.max_tags == def.snapshot.max_tags);
  CHECK(pb->snapshot.max_tag_chars == def.snapshot.max_tag_chars);
  CHECK(pb->history.path == def.history.path);
  CHECK(pb->history.max_rows == def.history.max_rows);
  CHECK(pb->history.min_samples == def.history.min_samples);
  CHECK(pb->history.masks == def.history.masks);
  CHECK(pb->history.enabled == def.history.enabled);
}

TEST_CASE("a user playbook overrides, extends and disables", "[playbook]") {
  std::string path = write_temp("ok.yaml",
                                "detectors:\n"
                                "  loss_spike: {z: 6.5, persistence: 5}\n"
                                "  high_loss:\n"
                                "    enabled: false\n"
                                "roles:\n"
                                "  loss: {extra: [my_loss]}\n"
                                "  reward: [team_reward]\n"
                                "profile: {pin: supervised, extra_hints: {reinforcement_learning: [bandit]}}\n"
                                "dedupe: {ttl_s: 60}\n"
                                "history: {extra_masks: [--tag]}\n");
  auto pb = sidecar::load_playbook(path);
  INFO(pb.status().message());
  REQUIRE(pb.ok());
  CHECK(pb->detectors.loss_spike.z == 6.5);
  CHECK(pb->detectors.loss_spike.persistence == 5);
  CHECK(pb->detectors.loss_spike.window == 100);  // untouched default
  CHECK_FALSE(pb->detectors.high_loss.enabled);
  const auto& loss = pb->roles.aliases[static_cast<std::size_t>(sidecar::Role::kLoss)];
  CHECK(loss.front() == "loss");
  CHECK(loss.back() == "my_loss");
  CHECK(pb->roles.aliases[static_cast<std::size_t>(sidecar::Role::kReward)].back() == "team_reward");
  CHECK(pb->profile.pin == sidecar::Profile::kSupervised);
  CHECK(pb->profile.rl_hints.back() == "bandit");
  CHECK(pb->dedupe.ttl_s == 60);
  CHECK(pb->history.masks.back() == "--tag");
  std::remove(path.c_str());
}

TEST_CASE("playbook errors are located, with did-you-mean", "[playbook]") {
  SECTION("unknown detector key") {
    std::string path = write_temp("typo.yaml", "detectors:\n  loss_spike:\n    windw: 50\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    const std::string& msg = pb.status().message();
    CHECK(msg.find(path + ":3:") != std::string::npos);
    CHECK(msg.find("unknown key 'windw'") != std::string::npos);
    CHECK(msg.find("did you mean 'window'") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("unknown top-level section") {
    std::string path = write_temp("section.yaml", "version: 1\ndetector:\n  nan_loss: {enabled: false}\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    INFO(pb.status().message());
    CHECK(pb.status().message().find("section.yaml:3:") != std::string::npos);
    CHECK(pb.status().message().find("unknown section 'detector'") != std::string::npos);
    CHECK(pb.status().message().find("did you mean 'detectors'") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("wrong type and range") {
    std::string path = write_temp("type.yaml", "detectors:\n  loss_spike: {z: high, persistence: 0}\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().message().find("detectors.loss_spike.z: expected a number, got 'high'") != std::string::npos);
    CHECK(pb.status().message().find("detectors.loss_spike.persistence: value 0 out of range") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("unknown role and bad pin") {
    std::string path = write_temp("role.yaml", "roles:\n  los: [x]\nprofile: {pin: rlhf}\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().message().find("unknown role 'los' (did you mean 'loss'?)") != std::string::npos);
    CHECK(pb.status().message().find("profile.pin: expected auto") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("bad severity") {
    std::string path = write_temp("sev.yaml", "detectors:\n  nan_loss: {severity: fatal}\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().message().find("expected info, warning or critical") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("missing file") {
    auto pb = sidecar::load_playbook("/nonexistent/playbook.yaml");
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().code() == sidecar::StatusCode::kNotFound);
  }
  SECTION("broken YAML") {
    std::string path = write_temp("broken.yaml", "detectors: [\n");
    auto pb = sidecar::load_playbook(path);
    REQUIRE_FALSE(pb.ok());
    CHECK(pb.status().code() == sidecar::StatusCode::kParseError);
    std::remove(path.c_str());
  }
}

TEST_CASE("playbook_to_yaml round-trips the effective tree", "[playbook]") {
  auto pb = sidecar::load_playbook("");
  REQUIRE(pb.ok());
  std::string yaml = sidecar::playbook_to_yaml(pb->tree);
  CHECK(yaml.find("detectors:") != std::string::npos);
  auto again = sidecar::parse_yaml(yaml, "shown.yaml");
  if (!again.ok()) std::ofstream("/tmp/sidecar_shown.yaml") << yaml;
  INFO(again.status().message());
  REQUIRE(again.ok());
  auto pb2 = sidecar::playbook_from_tree(std::move(again).value());
  INFO(pb2.status().message());
  REQUIRE(pb2.ok());
  CHECK(pb2->detectors.loss_spike.z == pb->detectors.loss_spike.z);
  CHECK(pb2->history.masks == pb->history.masks);
  CHECK(pb2->logs.syndromes.size() == pb->logs.syndromes.size());
  for (std::size_t i = 0; i < pb->logs.syndromes.size() && i < pb2->logs.syndromes.size(); ++i) {
    CHECK(pb2->logs.syndromes[i].patterns == pb->logs.syndromes[i].patterns);
    CHECK(pb2->logs.syndromes[i].message == pb->logs.syndromes[i].message);
  }
}
