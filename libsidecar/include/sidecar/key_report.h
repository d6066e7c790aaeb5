// Key report: which metric keys bound to which roles, which matched a role
// that another key already holds, and which were ignored — as one JSON object
// (header-only, std-only; a pure function). The run loop puts it in
// `replay --format jsonl` as a `keys` record and in status.json, so a user can
// see at a glance why "lm_loss" is not watched as the loss.
//
//   std::vector<std::string> seen = {"loss", "train_loss", "learning_rate", "eval_loss"};
//   std::string json = sidecar::key_report_json(seen, {}, sidecar::KeyMatcher{});
//   // {"keys_seen":4,"bound":{"loss":"loss","val_loss":"eval_loss"},
//   //  "also_matched":[{"key":"train_loss","role":"loss"}],"ignored":["learning_rate"],
//   //  "ignored_more":0,"roles_unbound":["val_accuracy",...]}
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/detail/json_writer.h"
#include "sidecar/roles.h"

namespace sidecar {

// A role and the raw key the engine bound to it.
struct KeyBinding {
  Role role = Role::kLoss;
  std::string key;
};

struct KeyReportOptions {
  std::size_t max_listed = 64;  // per list ("also_matched", "ignored"); the rest are counted in "*_more"
};

// keys_seen: every distinct key, in first-seen order. bound: the engine's
// bindings; when empty they are derived as the Monitor binds (per role, the
// first key seen that matches it — within one row the Monitor prefers the
// alias listed first, which a flat key list cannot show).
inline std::string key_report_json(std::span<const std::string> keys_seen, std::span<const KeyBinding> bound,
                                   const KeyMatcher& matcher, const KeyReportOptions& options = {}) {
  std::array<std::optional<std::string>, kRoleCount> slot;
  for (const KeyBinding& b : bound) slot[static_cast<std::size_t>(b.role)] = b.key;
  if (bound.empty()) {
    for (const std::string& k : keys_seen) {
      if (auto e = matcher.match(k)) {
        auto& s = slot[static_cast<std::size_t>(e->role)];
        if (!s) s = k;
      }
    }
  }
  detail::JsonWriter w;
  w.begin_object();
  w.key("keys_seen").value(static_cast<std::uint64_t>(keys_seen.size()));
  w.key("bound").begin_object();
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (slot[r]) w.key(to_string(static_cast<Role>(r))).value(*slot[r]);
  }
  w.end_object();
  std::size_t also = 0, also_more = 0, ignored = 0, ignored_more = 0;
  w.key("also_matched").begin_array();
  std::vector<const std::string*> ignored_keys;
  for (const std::string& k : keys_seen) {
    auto e = matcher.match(k);
    if (!e) {
      ignored_keys.push_back(&k);
      continue;
    }
    const auto& s = slot[static_cast<std::size_t>(e->role)];
    if (s && *s == k) continue;
    if (also < options.max_listed) {
      w.begin_object().key("key").value(k).key("role").value(to_string(e->role)).end_object();
      ++also;
    } else {
      ++also_more;
    }
  }
  w.end_array();
  w.key("also_matched_more").value(static_cast<std::uint64_t>(also_more));
  w.key("ignored").begin_array();
  for (const std::string* k : ignored_keys) {
    if (ignored < options.max_listed) {
      w.value(*k);
      ++ignored;
    } else {
      ++ignored_more;
    }
  }
  w.end_array();
  w.key("ignored_more").value(static_cast<std::uint64_t>(ignored_more));
  w.key("roles_unbound").begin_array();
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (!slot[r]) w.value(to_string(static_cast<Role>(r)));
  }
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace sidecar
