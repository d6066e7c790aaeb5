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

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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
  std::vector<std::pair<const std::string*, Role>> also;
  std::vector<const std::string*> ignored;
  for (const std::string& k : keys_seen) {
    auto e = matcher.match(k);
    if (!e) {
      // (a key the monitor bound by its neighbours, fastai's bare "accuracy" beside "valid_loss", is not ignored)
      if (std::none_of(slot.begin(), slot.end(), [&](const auto& s) { return s && *s == k; })) ignored.push_back(&k);
      continue;
    }
    const auto& s = slot[static_cast<std::size_t>(e->role)];
    if (!s || *s != k) also.emplace_back(&k, e->role);
  }
  // A list's first max_listed items, then "<name>_more": how many were left out.
  auto bounded_list = [&](std::string_view name, std::size_t n, auto write_item) {
    const std::size_t listed = std::min(n, options.max_listed);
    w.key(name).begin_array();
    for (std::size_t i = 0; i < listed; ++i) write_item(i);
    w.end_array();
    w.key(std::string(name) + "_more").value(static_cast<std::uint64_t>(n - listed));
  };
  bounded_list("also_matched", also.size(), [&](std::size_t i) {
    w.begin_object().key("key").value(*also[i].first).key("role").value(to_string(also[i].second)).end_object();
  });
  bounded_list("ignored", ignored.size(), [&](std::size_t i) { w.value(*ignored[i]); });
  w.key("roles_unbound").begin_array();
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (!slot[r]) w.value(to_string(static_cast<Role>(r)));
  }
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace sidecar
