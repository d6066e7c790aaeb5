// Decision selection and dedupe (header-only, std-only).
//
// Detectors raise() conditions and clear() them when they no longer hold; once
// per tick select() surfaces at most one decision:
//  - the most severe pending one; ties by Source order (types.h: rulebased <
//    logwatch < playbook < baseline < preflight < judge), then the one pending
//    longest, then the signature (so the choice is deterministic);
//  - losers stay pending for the next tick (nothing is lost);
//  - a condition surfaced less than `ttl_s` ago is not surfaced again (a
//    persistent condition re-notifies at most once per TTL), unless its
//    severity rose or it resolved and stayed resolved for `recur_ticks`
//    evaluations (a new episode, not a flap: a replay of rows without time
//    stamps never moves the clock past the TTL);
//  - a surfaced condition that stays clear for `clear_ticks` evaluations
//    yields a Resolved record (hysteresis: flapping does not resolve/re-open).
// Identity is the signature (source/syndrome/subject), never the message.
//
//   DedupeBook book({.ttl_s = 180});
//   book.raise(decision, now);
//   if (auto a = book.select(now)) emit(*a);
//   for (auto& r : book.take_resolved()) emit(r);
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sidecar/core/detail/alert_id.h"
#include "sidecar/core/option_table.h"
#include "sidecar/core/records.h"
#include "sidecar/core/types.h"

namespace sidecar {

#define SIDECAR_DEDUPE_OPTIONS(X)                                                                               \
  X(double, ttl_s, 180.0, (0), "a condition surfaced less than this ago is not surfaced again (seconds)")       \
  X(int, clear_ticks, 3, (1, 1e5), "clean evaluations before a condition resolves (hysteresis)")                \
  X(int, recur_ticks, 30, (1, 1e6),                                                                             \
    "evaluations a resolved condition stays clear before it notifies again within the TTL")                     \
  X(std::size_t, max_conditions, 512, (8, 1e6), "conditions remembered at once (the oldest inactive go first)") \
  X(std::size_t, max_list_items, 16, (1, 1e4), "ranks/sources listed in a folded alert's evidence")
SIDECAR_OPTIONS(DedupeOptions, SIDECAR_DEDUPE_OPTIONS);

namespace detail {

// Merges "a,b" lists without duplicates, capped at max items ("+N more").
inline std::string merge_list(std::string_view a, std::string_view b, std::size_t max_items) {
  std::vector<std::string> items;
  std::size_t more = 0;
  auto add_all = [&](std::string_view s) {
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t comma = s.find(',', start);
      std::string_view it = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (!it.empty()) {
        if (it.front() == '+' && it.find(" more") != std::string_view::npos) {
          more += static_cast<std::size_t>(std::strtoull(std::string(it.substr(1)).c_str(), nullptr, 10));
        } else if (std::find(items.begin(), items.end(), it) == items.end()) {
          if (items.size() < max_items)
            items.emplace_back(it);
          else
            ++more;
        }
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  };
  add_all(a);
  add_all(b);
  std::string out;
  for (const auto& it : items) {
    if (!out.empty()) out += ',';
    out += it;
  }
  if (more) out += ",+" + std::to_string(more) + " more";
  return out;
}

}  // namespace detail

// Folds a later occurrence of the same condition into an earlier one: the
// first occurrence's evidence is kept (root cause first), "ranks" and
// "sources" lists are unioned, "count" is summed, the severity is the higher.
inline void merge_occurrence(Decision& into, const Decision& from, std::size_t max_list_items = 16) {
  into.severity = std::max(into.severity, from.severity);
  for (std::string_view key : {"ranks", "sources"}) {
    const std::string* b = evidence_get(from.evidence, key);
    if (!b) continue;
    bool found = false;
    for (auto& [k, v] : into.evidence)
      if (k == key) {
        v = detail::merge_list(v, *b, max_list_items);
        found = true;
      }
    if (!found) into.evidence.emplace_back(std::string(key), *b);
  }
  const std::string* cb = evidence_get(from.evidence, "count");
  for (auto& [k, v] : into.evidence)
    if (k == "count") {
      unsigned long long a = std::strtoull(v.c_str(), nullptr, 10);
      v = std::to_string(a + (cb ? std::strtoull(cb->c_str(), nullptr, 10) : 1ULL));
    }
}

class DedupeBook {
 public:
  // Alert ids are "<id_prefix>-NNNN-<syndrome>", or "<id_prefix>-<nonce>-NNNN-<syndrome>" with a nonce (a
  // rerun in the same directory gets ids of its own, so an old answer file cannot match them).
  explicit DedupeBook(DedupeOptions opt = {}, std::string id_prefix = "alert", std::string_view nonce = {})
      : opt_(opt), id_prefix_(sanitize_id(id_prefix) + (nonce.empty() ? "" : "-" + safe_nonce(nonce))) {}

  // A condition holds at `now`. `event` marks one-off occurrences (log
  // lines) that never clear and so never resolve.
  void raise(Decision d, double now, bool event = false) {
    auto it = conditions_.find(d.signature);
    if (it == conditions_.end()) {
      evict_if_full();
      it = conditions_.emplace(d.signature, Condition{}).first;
      it->second.first_seen = now;
    }
    Condition& c = it->second;
    const bool recurred = c.resolved && evaluations_ - c.resolved_at >= static_cast<std::uint64_t>(opt_.recur_ticks);
    c.resolved = false;
    c.event = event;
    c.last_seen = now;
    c.clean = 0;
    if (!c.active) c.active_since = now;
    c.active = true;
    if (c.pending) {  // not surfaced yet: fold into the waiting decision
      merge_occurrence(c.decision, d, opt_.max_list_items);
      return;
    }
    bool escalated = c.notified && d.severity > c.notified_severity;
    bool due = !c.notified || now - c.last_notified >= opt_.ttl_s || recurred;
    if (due || escalated) {
      c.decision = std::move(d);
      c.pending = true;
      c.order = ++seq_;
      ++pending_;
    } else {
      ++c.suppressed;
      ++suppressed_total_;
    }
  }

  // The detector for `signature` evaluated and found nothing. Returns true
  // once the condition no longer holds (after clear_ticks clean evaluations).
  bool clear(std::string_view signature, double now) {
    auto it = conditions_.find(std::string(signature));
    if (it == conditions_.end()) return true;
    Condition& c = it->second;
    if (!c.active) return true;
    if (++c.clean < std::max(opt_.clear_ticks, 1)) return false;
    c.active = false;
    c.resolved = c.notified;  // a flap that never surfaced again counts from here too
    c.resolved_at = evaluations_;
    if (c.open) close(it->first, c, now);
    return true;
  }

  // Surfaces at most one pending decision as an Alert (id unique in this book). Called once per evaluation, with or
  // without a decision pending: it counts the evaluations recur_ticks measures.
  std::optional<Alert> select(double now) {
    ++evaluations_;
    for (auto& r : deferred_) resolved_.push_back(std::move(r));
    deferred_.clear();
    if (pending_ == 0) return std::nullopt;
    Condition* best = nullptr;
    const std::string* best_sig = nullptr;
    for (auto& [sig, c] : conditions_) {
      if (!c.pending) continue;
      if (!best || better(c, sig, *best, *best_sig)) {
        best = &c;
        best_sig = &sig;
      }
    }
    if (!best) {
      pending_ = 0;
      return std::nullopt;
    }
    Condition& c = *best;
    c.pending = false;
    --pending_;
    c.notified = true;
    c.notified_severity = c.decision.severity;
    c.last_notified = now;
    ++c.notifications;
    Alert a;
    a.id = id_prefix_ + "-" + pad(++alerts_) + "-" + sanitize_id(c.decision.syndrome);
    a.ts = now;
    a.decision = c.decision;
    c.alert_id = a.id;
    if (c.event) c.active = false;
    c.open = !c.event;
    ++syndrome_counts_[c.decision.syndrome];
    if (!c.active && c.open) {  // cleared while it waited: resolve on the next tick
      Resolved r = make_resolved(*best_sig, c, now);
      c.open = false;
      c.resolved = true;
      c.resolved_at = evaluations_;
      deferred_.push_back(std::move(r));
    }
    return a;
  }

  // Resolved records produced since the last call.
  std::vector<Resolved> take_resolved() {
    std::vector<Resolved> out;
    out.swap(resolved_);
    return out;
  }

  std::size_t pending() const { return pending_; }
  // Surfaced conditions not yet resolved.
  std::size_t open_alerts() const {
    std::size_t n = 0;
    for (const auto& [s, c] : conditions_) n += c.open ? 1 : 0;
    return n;
  }
  std::uint64_t alerts() const { return alerts_; }
  std::uint64_t suppressed() const { return suppressed_total_; }
  // Alerts surfaced per syndrome over the run.
  const std::unordered_map<std::string, std::uint64_t>& syndrome_counts() const { return syndrome_counts_; }
  // Signatures of open (surfaced, unresolved) conditions, for snapshots.
  std::vector<std::string> open_signatures() const {
    std::vector<std::string> out;
    for (const auto& [s, c] : conditions_)
      if (c.open) out.push_back(s);
    std::sort(out.begin(), out.end());
    return out;
  }
  const DedupeOptions& options() const { return opt_; }

  // Keeps [A-Za-z0-9._-] (file-name safe). The id pieces (run prefix, syndrome), each short enough that the whole id
  // fits a response-file name; the same spelling as response files (alert_id.h).
  static std::string sanitize_id(std::string_view s) { return detail::safe_alert_id(s, 48); }
  // A nonce piece: at most 16 bytes, so prefix + nonce + counter + syndrome stay within a file name.
  static std::string safe_nonce(std::string_view s) { return detail::safe_alert_id(s, 16); }

 private:
  struct Condition {
    Decision decision;
    bool pending = false, active = false, notified = false, open = false, event = false, resolved = false;
    Severity notified_severity = Severity::kInfo;
    double first_seen = 0, last_seen = 0, active_since = 0;
    double last_notified = -std::numeric_limits<double>::infinity();
    int clean = 0;
    std::uint64_t order = 0, suppressed = 0, notifications = 0;
    std::uint64_t resolved_at = 0;  // evaluations_ when it last resolved
    std::string alert_id;
  };

  static bool better(const Condition& a, const std::string& sa, const Condition& b, const std::string& sb) {
    if (a.decision.severity != b.decision.severity) return a.decision.severity > b.decision.severity;
    if (a.decision.source != b.decision.source) return a.decision.source < b.decision.source;
    if (a.order != b.order) return a.order < b.order;
    return sa < sb;
  }

  static std::string pad(std::uint64_t n) {
    std::string s = std::to_string(n);
    return s.size() < 4 ? std::string(4 - s.size(), '0') + s : s;
  }

  Resolved make_resolved(const std::string& sig, const Condition& c, double now) const {
    Resolved r;
    r.alert_id = c.alert_id;
    r.signature = sig;
    r.syndrome = c.decision.syndrome;
    r.source = c.decision.source;
    r.ts = now;
    r.duration_s = std::max(0.0, now - c.active_since);
    return r;
  }

  void close(const std::string& sig, Condition& c, double now) {
    resolved_.push_back(make_resolved(sig, c, now));
    c.open = false;
  }

  // Forgets the least recently seen condition that is neither pending nor open.
  void evict_if_full() {
    if (conditions_.size() < std::max<std::size_t>(opt_.max_conditions, 8)) return;
    auto victim = conditions_.end();
    for (auto it = conditions_.begin(); it != conditions_.end(); ++it) {
      if (it->second.pending || it->second.open) continue;
      if (victim == conditions_.end() || it->second.last_seen < victim->second.last_seen) victim = it;
    }
    if (victim == conditions_.end()) {  // all busy: drop the least severe, oldest pending
      for (auto it = conditions_.begin(); it != conditions_.end(); ++it) {
        if (victim == conditions_.end() || it->second.decision.severity < victim->second.decision.severity ||
            (it->second.decision.severity == victim->second.decision.severity &&
             it->second.last_seen < victim->second.last_seen))
          victim = it;
      }
      if (victim->second.pending) --pending_;
      ++dropped_;
    }
    conditions_.erase(victim);
  }

  DedupeOptions opt_;
  std::string id_prefix_;
  std::unordered_map<std::string, Condition> conditions_;
  std::vector<Resolved> resolved_, deferred_;
  std::unordered_map<std::string, std::uint64_t> syndrome_counts_;
  std::size_t pending_ = 0;
  std::uint64_t seq_ = 0, alerts_ = 0, suppressed_total_ = 0, dropped_ = 0, evaluations_ = 0;
};

}  // namespace sidecar
