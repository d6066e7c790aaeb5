// Metric roles and forgiving key matching (header-only, std-only).
//
// A role is what a metric means to the detectors (loss, validation accuracy,
// reward, ...). Keys are matched after normalisation: case-insensitive;
// ' ', '_', '-', '/', '.' are one separator; common short forms are expanded
// (acc -> accuracy, val/eval/valid/validation -> val, rew -> reward,
// ep -> episode). So "Val Acc", "eval/accuracy" and "validation-accuracy" all
// bind to val_accuracy.
//
//   sidecar::KeyMatcher m(sidecar::RoleAliases{});
//   auto role = m.match("rollout/ep_rew_mean");   // Role::kReward
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sidecar {

enum class Role {
  kLoss = 0,
  kValAccuracy,
  kValLoss,
  kReward,
  kSuccessRate,
  kRewardAccuracy,  // an accuracy-type reward component (rewards/accuracy_reward)
  kThroughput,
  kKl,
  kGradNorm,
  kEntropy,
  kLossScale,
};
inline constexpr std::size_t kRoleCount = 11;

constexpr std::string_view to_string(Role r) {
  constexpr std::string_view kNames[kRoleCount] = {"loss",         "val_accuracy",    "val_loss",   "reward",
                                                   "success_rate", "reward_accuracy", "throughput", "kl",
                                                   "grad_norm",    "entropy",         "loss_scale"};
  return kNames[static_cast<std::size_t>(r)];
}

// Parses a role name as written in to_string(Role).
inline std::optional<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < kRoleCount; ++i)
    if (to_string(static_cast<Role>(i)) == name) return static_cast<Role>(i);
  return std::nullopt;
}

// Normalises a metric key for matching: lower case, separators folded to
// '_', short forms expanded ("Val/Acc" -> "val_accuracy").
inline std::string normalize_key(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 8);
  std::size_t i = 0;
  auto is_sep = [](char c) { return c == ' ' || c == '_' || c == '-' || c == '/' || c == '.' || c == '\t'; };
  while (i < key.size()) {
    while (i < key.size() && is_sep(key[i])) ++i;
    if (i >= key.size()) break;
    std::size_t j = i;
    while (j < key.size() && !is_sep(key[j])) ++j;
    std::string tok;
    tok.reserve(j - i);
    for (std::size_t k = i; k < j; ++k) {
      char c = key[k];
      tok += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (tok == "acc")
      tok = "accuracy";
    else if (tok == "eval" || tok == "valid" || tok == "validation")
      tok = "val";
    else if (tok == "rew")
      tok = "reward";
    else if (tok == "ep")
      tok = "episode";
    if (!out.empty()) out += '_';
    out += tok;
    i = j;
  }
  return out;
}

// Default aliases per role (SPEC §2), in priority order. The playbook's
// `roles.<role>.aliases` replaces a list, `roles.<role>.extra` extends it.
struct RoleAliases {
  std::array<std::vector<std::string>, kRoleCount> aliases = {{
      {"loss", "train/loss", "train_loss", "training_loss"},
      {"val/accuracy", "val_accuracy", "validation/accuracy", "validation_accuracy", "eval/accuracy", "eval_accuracy",
       "accuracy/val", "val/acc", "val_acc"},
      {"val/loss", "val_loss", "validation/loss", "validation_loss", "eval/loss", "eval_loss"},
      {"reward", "train/reward", "episode_reward", "episode/reward", "rollout/ep_rew_mean", "eval/reward",
       "mean_reward", "objective/rlhf_reward", "ep_rew", "ep_rew_mean", "mean reward", "rewards/mean"},
      {"success_rate", "train/success_rate", "eval/success_rate", "success", "win_rate", "rollout/success_rate"},
      {"rewards/accuracy_reward", "rewards/accuracy_reward/mean", "rewards/accuracy_reward_func/mean",
       "rewards/correctness_reward_func/mean", "rewards/correctness_reward", "accuracy_reward", "correctness_reward"},
      {"throughput", "samples_per_second", "tokens_per_second", "steps_per_second", "train/samples_per_second",
       "train/tokens_per_second", "samples/s", "tokens/s", "train_samples_per_second", "throughput/samples_per_sec"},
      {"kl", "train/kl", "policy/kl", "approx_kl", "kl_divergence", "objective/kl", "train/approx_kl"},
      {"grad_norm", "train/grad_norm", "grad-norm", "gradient_norm"},
      {"entropy", "train/entropy", "objective/entropy", "policy/entropy"},
      {"loss_scale", "train/loss_scale", "scaler/scale", "lm_loss_scale"},
  }};
};

// Matches raw keys to roles; caches the answer per raw key (bounded), so a
// row costs one hash lookup per key after the first time a key is seen.
class KeyMatcher {
 public:
  static constexpr std::size_t kMaxCachedKeys = 4096;

  KeyMatcher() : KeyMatcher(RoleAliases{}) {}
  explicit KeyMatcher(const RoleAliases& aliases) {
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      int prio = 0;
      for (const auto& a : aliases.aliases[r]) {
        std::string n = normalize_key(a);
        if (n.empty()) continue;
        auto it = normalized_.find(n);
        // An alias listed for two roles binds to the first role listed.
        if (it == normalized_.end()) normalized_.emplace(std::move(n), Entry{static_cast<Role>(r), prio});
        ++prio;
      }
    }
  }

  struct Entry {
    Role role;
    int priority;  // position in the role's alias list (0 = preferred)
  };

  // The role of a raw key and its priority, or nullopt.
  std::optional<Entry> match(std::string_view key) const {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    std::optional<Entry> e = lookup(normalize_key(key));
    if (cache_.size() < kMaxCachedKeys) cache_.emplace(std::string(key), e);
    return e;
  }

 private:
  std::optional<Entry> lookup(const std::string& n) const {
    auto it = normalized_.find(n);
    if (it != normalized_.end()) return it->second;
    // Logger decorations: Lightning's "_step"/"_epoch", a trailing "_mean".
    for (std::string_view suffix : {"_step", "_epoch", "_mean"}) {
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        auto it2 = normalized_.find(n.substr(0, n.size() - suffix.size()));
        if (it2 != normalized_.end()) return Entry{it2->second.role, it2->second.priority + 1000};
      }
    }
    return std::nullopt;
  }

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry> normalized_;
  mutable std::unordered_map<std::string, std::optional<Entry>, Hash, std::equal_to<>> cache_;
};

}  // namespace sidecar
