// Workload profile inference (header-only, std-only): reinforcement_learning,
// supervised or generic, from the command, metric key names and log text, by
// WHOLE tokens ("supported" is not "ppo", "factor" is not "actor"). Tokens are
// runs of letters or digits, lower-cased, with camelCase split
// ("PPOTrainer" -> ppo trainer); a hint such as "env.step" or "train/loss"
// is a sequence of consecutive tokens.
//
//   sidecar::ProfileOptions opts;
//   auto p = sidecar::infer_profile("python train_ppo.py --env CartPole", {}, "", opts);
//   // Profile::kReinforcementLearning
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"

namespace sidecar {

struct ProfileOptions {
  std::optional<Profile> pin;  // a pinned profile is never inferred over
  // Then PPO's own diagnostics, logged by every PPO implementation under
  // these names (baselines' pol_surr / vf_loss, SB3's approx_kl /
  // clip_fraction / explained_variance, CleanRL's clipfrac); the value-based
  // and off-policy algorithms and their libraries by name (a command
  // `python dqn_breakout.py`, `rllib train --run SAC`); SB3's episode reward
  // and DQN exploration keys (ep_rew_mean, exploration_rate).
  std::vector<std::string> rl_hints = {
      "ppo", "rlhf", "grpo", "dpo", "episode", "actor", "critic", "policy", "reward", "rewards", "env.step", "rollout",
      "trl", "advantage", "surr", "vf_loss", "value_loss", "approx_kl", "clipfrac", "clip_fraction",
      "explained_variance", "dqn", "ddqn", "ddpg", "td3", "sac", "a2c", "a3c", "trpo", "impala", "rainbow", "rllib",
      "cleanrl", "stable_baselines3", "sb3", "gymnasium", "atari", "mujoco", "ep_rew_mean", "exploration_rate",
      // OpenAI Spinning Up's logger (and its forks): AverageEpRet, LossPi, LossV, LossQ
      "EpRet", "LossPi", "LossV", "LossQ"};
  std::vector<std::string> supervised_hints = {"validation", "val/",           "eval/",    "cross_entropy",
                                               "accuracy",   "train/loss",     "val_loss", "finetune",
                                               "fine-tune",  "classification", "top1",     "perplexity"};
  int switch_margin = 2;  // a settled profile changes only when another leads by this many hints
};

// `pin` (auto or a profile) and the hint lists (`hints:` / `extra_hints:`,
// each with `reinforcement_learning` and `supervised`) are read by the
// playbook's profile reader; the scalar options here.
template <>
struct OptionTable<ProfileOptions> {
  using O = ProfileOptions;
  static constexpr OptionField<O> fields[] = {
      {"switch_margin",
       &O::switch_margin,
       {0, 1000},
       "a settled profile changes only when another leads by this many hints"},
  };
};

namespace detail {

// Splits text into lower-case word tokens (letters or digits; camelCase and
// letter/digit boundaries split), calling fn(token) for each.
template <typename Fn>
void for_each_token(std::string_view text, Fn&& fn) {
  std::string tok;
  auto kind = [](char c) {
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 'A' && c <= 'Z') return 2;
    if (c >= '0' && c <= '9') return 3;
    return 0;
  };
  auto emit = [&] {
    if (!tok.empty()) fn(std::string_view(tok));
    tok.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int k = kind(c);
    if (k == 0) {
      emit();
      continue;
    }
    if (!tok.empty()) {
      char p = text[i - 1];
      int pk = kind(p);
      bool split = (pk == 3) != (k == 3);    // letters <-> digits
      split = split || (pk == 1 && k == 2);  // fooBar
      if (pk == 2 && k == 2 && i + 1 < text.size() && kind(text[i + 1]) == 1 && tok.size() > 1)
        split = true;  // PPOTrainer: split before the 'T'
      if (split) emit();
    }
    tok += (k == 2) ? static_cast<char>(c - 'A' + 'a') : c;
  }
  emit();
}

inline std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for_each_token(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

// Whether the token sequence `hint` occurs in `tokens` as consecutive tokens.
inline bool contains_sequence(const std::vector<std::string>& tokens, const std::vector<std::string>& hint) {
  if (hint.empty() || hint.size() > tokens.size()) return false;
  for (std::size_t i = 0; i + hint.size() <= tokens.size(); ++i) {
    bool ok = true;
    for (std::size_t j = 0; j < hint.size() && ok; ++j) ok = tokens[i + j] == hint[j];
    if (ok) return true;
  }
  return false;
}

}  // namespace detail

// How many distinct hints of each profile a text contains.
struct ProfileScore {
  int rl = 0;
  int supervised = 0;
  ProfileScore& operator+=(const ProfileScore& o) {
    rl += o.rl;
    supervised += o.supervised;
    return *this;
  }
};

// Scores one text (a command, a metric key, a chunk of log) by whole-token hints.
inline ProfileScore score_profile_text(std::string_view text, const ProfileOptions& opt) {
  ProfileScore s;
  std::vector<std::string> tokens = detail::tokenize(text);
  for (const auto& h : opt.rl_hints) s.rl += detail::contains_sequence(tokens, detail::tokenize(h)) ? 1 : 0;
  for (const auto& h : opt.supervised_hints)
    s.supervised += detail::contains_sequence(tokens, detail::tokenize(h)) ? 1 : 0;
  return s;
}

// The profile a score points to: RL when it has hints and at least as many as
// supervised (RL hints are the more specific), supervised when it leads, else generic.
inline Profile profile_from_score(const ProfileScore& s) {
  if (s.rl > 0 && s.rl >= s.supervised) return Profile::kReinforcementLearning;
  if (s.supervised > 0) return Profile::kSupervised;
  return Profile::kGeneric;
}

// One-shot inference from a command, metric keys and log text (the pin wins).
inline Profile infer_profile(std::string_view command, std::span<const std::string> metric_keys,
                             std::string_view log_text, const ProfileOptions& opt) {
  if (opt.pin) return *opt.pin;
  ProfileScore s = score_profile_text(command, opt);
  for (const auto& k : metric_keys) s += score_profile_text(k, opt);
  s += score_profile_text(log_text, opt);
  return profile_from_score(s);
}

// Sticky inference: accumulates evidence and changes a settled (non-generic)
// profile only when another leads by switch_margin hints, so it does not
// flap from tick to tick.
class ProfileTracker {
 public:
  explicit ProfileTracker(ProfileOptions opt = {}) : opt_(std::move(opt)) {
    if (opt_.pin) current_ = *opt_.pin;
  }
  // Adds evidence; returns true when the profile changed.
  bool add(std::string_view text) {
    if (opt_.pin) return false;
    score_ += score_profile_text(text, opt_);
    Profile next = profile_from_score(score_);
    if (next == current_) return false;
    if (current_ != Profile::kGeneric) {
      int lead = next == Profile::kSupervised ? score_.supervised - score_.rl : score_.rl - score_.supervised;
      if (next == Profile::kGeneric || lead < opt_.switch_margin) return false;
    }
    current_ = next;
    return true;
  }
  void pin(Profile p) {
    opt_.pin = p;
    current_ = p;
  }
  Profile current() const { return current_; }
  const ProfileScore& score() const { return score_; }
  bool pinned() const { return opt_.pin.has_value(); }

 private:
  ProfileOptions opt_;
  ProfileScore score_;
  Profile current_ = Profile::kGeneric;
};

}  // namespace sidecar
