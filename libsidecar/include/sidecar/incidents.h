// Incidents (header-only, std-only): decisions that share a cause fold into
// one incident with a timeline.
//
// One failure raises several decisions: a loss spike, then a grad-norm
// explosion, then NaN in the train and the eval loss, then a crash
// traceback. Each stays an event (alerts.jsonl keeps every one, carrying its
// incident id), but people are told about the incident: when it opens, and
// once more if it escalates to critical -- at most max_notifications times --
// and it resolves once, when every condition in it has resolved.
//
// A decision joins the open incident whose last activity is within
// step_window steps (when both carry a step) or, without steps, within
// time_window_s seconds; otherwise it opens a new incident. A condition
// already in an incident (the same signature, re-raised after the dedupe
// TTL) stays in it and never notifies again. A decision for a resolved
// incident opens a new one.
//
// A condition that keeps coming back (a grad norm that spikes, recovers and
// spikes again every few thousand steps) opens a new incident each time, but
// notifies for its first max_recurrences only: a later episode is filed as an
// incident of its own (alerts.jsonl keeps it, with its recurrence count) and
// stays silent unless it is more severe than any episode of that condition
// that was notified.
//
//   sidecar::IncidentBook book;
//   auto p = book.add(decision, now);          // p.incident_id, p.notify
//   if (p.notify != sidecar::IncidentBook::Notify::kNone) page_someone();
//   if (auto id = book.resolve(signature, now)) say_resolved(*id);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sidecar/core/types.h"

namespace sidecar {

struct IncidentOptions {
  std::int64_t step_window = 200;     // a decision within this many steps of an incident's last one joins it
  double time_window_s = 300.0;       // the same in seconds, for decisions without a step
  int max_notifications = 2;          // opened, escalated to critical
  int max_recurrences = 3;            // incidents one condition may open with a notification (later ones: silent)
  std::size_t max_conditions = 4096;  // conditions whose recurrences are counted (the oldest forgotten)
  std::size_t max_timeline = 32;      // events kept per incident (the first ones and the latest)
  std::size_t max_incidents = 64;     // incidents remembered (the oldest resolved are forgotten)
};

// One entry of an incident's timeline.
struct IncidentEvent {
  double ts = 0.0;
  std::optional<std::int64_t> step;
  std::string syndrome;
  std::string signature;
  Severity severity = Severity::kInfo;
  bool resolved = false;  // a member condition resolved (else: raised)
};

struct Incident {
  std::string id;
  std::string title;  // the syndrome that opened it
  Severity severity = Severity::kInfo;
  double opened_ts = 0.0, last_ts = 0.0;
  std::optional<std::int64_t> first_step, last_step;
  std::vector<IncidentEvent> timeline;
  std::vector<std::string> open_signatures;  // member conditions not yet resolved
  std::vector<std::string> syndromes;        // every syndrome seen, in order of first appearance
  int notifications = 0;
  Severity notified_severity = Severity::kInfo;
  bool quiet = false;  // opened by a condition's episode past max_recurrences, without a notification
  bool resolved = false;
  std::uint64_t events = 0;
};

class IncidentBook {
 public:
  enum class Notify { kNone = 0, kOpened, kEscalated };

  struct Placement {
    std::string incident_id;
    Notify notify = Notify::kNone;
    int recurrence = 0;  // when this decision opened an incident: how many its condition has opened (1 = first)
    bool quiet_recurrence = false;  // it opened one past max_recurrences, silently
  };

  explicit IncidentBook(IncidentOptions opt = {}, std::string id_prefix = "incident")
      : opt_(opt), prefix_(std::move(id_prefix)) {}

  // Files a surfaced decision (or an event such as a log line: `event` =
  // true, it never stays open) into an incident.
  Placement add(const Decision& d, double ts, bool event = false) {
    Incident* inc = nullptr;
    if (auto it = by_signature_.find(d.signature); it != by_signature_.end()) {
      Incident* known = find_mut(it->second);
      if (known && !known->resolved) inc = known;
    }
    if (!inc) inc = joinable(d, ts);
    Placement p;
    if (!inc) {
      inc = &open_new(d, ts);
      Recurrence& r = recurrence(d.signature);
      p.recurrence = ++r.opened;
      if (p.recurrence > opt_.max_recurrences && d.severity <= r.notified) {
        // The condition's episodes were told often enough at this severity: file it, tell no one. A critical
        // decision in it still notifies unless its own condition already notified critical.
        p.quiet_recurrence = true;
        inc->quiet = true;
      } else {
        p.notify = Notify::kOpened;
      }
    } else if (d.severity == Severity::kCritical && inc->notified_severity < Severity::kCritical &&
               inc->notifications < opt_.max_notifications && !(inc->quiet && told_critical(d.signature))) {
      p.notify = Notify::kEscalated;
    }
    p.incident_id = inc->id;
    record(*inc, d, ts, event, /*resolved=*/false);
    if (p.notify != Notify::kNone) {
      ++inc->notifications;
      inc->notified_severity = std::max(inc->notified_severity, d.severity);
      if (inc->notifications > opt_.max_notifications) p.notify = Notify::kNone;
    }
    if (p.notify != Notify::kNone) {
      Recurrence& r = recurrence(d.signature);
      r.notified = std::max(r.notified, d.severity);
    }
    return p;
  }

  // A member condition resolved. Returns the incident's id when that was its
  // last open condition (the incident resolves now, once).
  std::optional<std::string> resolve(std::string_view signature, double ts) {
    auto it = by_signature_.find(std::string(signature));
    if (it == by_signature_.end()) return std::nullopt;
    Incident* inc = find_mut(it->second);
    if (!inc || inc->resolved) return std::nullopt;
    auto& open = inc->open_signatures;
    auto pos = std::find(open.begin(), open.end(), signature);
    if (pos == open.end()) return std::nullopt;
    open.erase(pos);
    IncidentEvent e;
    e.ts = ts;
    e.signature = std::string(signature);
    e.resolved = true;
    push_event(*inc, std::move(e));
    if (!open.empty()) return std::nullopt;
    inc->resolved = true;
    return inc->id;
  }

  const Incident* find(std::string_view id) const {
    for (const auto& inc : incidents_)
      if (inc.id == id) return &inc;
    return nullptr;
  }
  // The incident a condition belongs to (nullptr: none yet).
  const Incident* of_signature(std::string_view signature) const {
    auto it = by_signature_.find(std::string(signature));
    return it == by_signature_.end() ? nullptr : find(it->second);
  }
  const std::deque<Incident>& incidents() const { return incidents_; }
  std::size_t open_count() const {
    std::size_t n = 0;
    for (const auto& inc : incidents_) n += inc.resolved ? 0 : 1;
    return n;
  }
  std::uint64_t opened() const { return opened_; }
  const IncidentOptions& options() const { return opt_; }

 private:
  Incident* find_mut(const std::string& id) {
    for (auto& inc : incidents_)
      if (inc.id == id) return &inc;
    return nullptr;
  }

  // The newest open incident the decision is close enough to.
  Incident* joinable(const Decision& d, double ts) {
    for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
      Incident& inc = *it;
      if (inc.resolved) continue;
      bool near = false;
      if (d.step && inc.last_step) {
        std::int64_t gap = *d.step >= *inc.last_step ? *d.step - *inc.last_step : *inc.last_step - *d.step;
        near = gap <= opt_.step_window;
      } else {
        near = ts - inc.last_ts <= opt_.time_window_s && inc.last_ts - ts <= opt_.time_window_s;
      }
      if (near) return &inc;
    }
    return nullptr;
  }

  Incident& open_new(const Decision& d, double ts) {
    evict_if_full();
    Incident inc;
    inc.id = prefix_ + "-" + pad(++opened_);
    inc.title = d.syndrome;
    inc.opened_ts = ts;
    inc.last_ts = ts;
    inc.first_step = d.step;
    incidents_.push_back(std::move(inc));
    return incidents_.back();
  }

  void record(Incident& inc, const Decision& d, double ts, bool event, bool resolved) {
    inc.severity = std::max(inc.severity, d.severity);
    inc.last_ts = std::max(inc.last_ts, ts);
    if (d.step) {
      if (!inc.first_step || *d.step < *inc.first_step) inc.first_step = d.step;
      if (!inc.last_step || *d.step > *inc.last_step) inc.last_step = d.step;
    }
    if (std::find(inc.syndromes.begin(), inc.syndromes.end(), d.syndrome) == inc.syndromes.end() &&
        inc.syndromes.size() < opt_.max_timeline)
      inc.syndromes.push_back(d.syndrome);
    by_signature_[d.signature] = inc.id;
    if (!event &&
        std::find(inc.open_signatures.begin(), inc.open_signatures.end(), d.signature) == inc.open_signatures.end())
      inc.open_signatures.push_back(d.signature);
    IncidentEvent e;
    e.ts = ts;
    e.step = d.step;
    e.syndrome = d.syndrome;
    e.signature = d.signature;
    e.severity = d.severity;
    e.resolved = resolved;
    push_event(inc, std::move(e));
  }

  void push_event(Incident& inc, IncidentEvent e) {
    ++inc.events;
    std::size_t cap = std::max<std::size_t>(opt_.max_timeline, 4);
    if (inc.timeline.size() >= cap) inc.timeline.erase(inc.timeline.begin() + static_cast<std::ptrdiff_t>(cap / 2));
    inc.timeline.push_back(std::move(e));
  }

  void evict_if_full() {
    std::size_t cap = std::max<std::size_t>(opt_.max_incidents, 4);
    while (incidents_.size() >= cap) {
      auto victim = std::find_if(incidents_.begin(), incidents_.end(), [](const Incident& i) { return i.resolved; });
      if (victim == incidents_.end()) victim = incidents_.begin();
      std::string id = victim->id;
      incidents_.erase(victim);
      for (auto it = by_signature_.begin(); it != by_signature_.end();)
        it = it->second == id ? by_signature_.erase(it) : std::next(it);
    }
  }

  static std::string pad(std::uint64_t n) {
    std::string s = std::to_string(n);
    return s.size() < 4 ? std::string(4 - s.size(), '0') + s : s;
  }

  // How often a condition opened an incident, and the most severe of its notifications.
  struct Recurrence {
    int opened = 0;
    Severity notified = Severity::kInfo;
    std::uint64_t last_use = 0;
  };
  bool told_critical(const std::string& signature) const {
    auto it = recurrences_.find(signature);
    return it != recurrences_.end() && it->second.notified >= Severity::kCritical;
  }
  Recurrence& recurrence(const std::string& signature) {
    auto it = recurrences_.find(signature);
    if (it == recurrences_.end()) {
      if (recurrences_.size() >= std::max<std::size_t>(opt_.max_conditions, 4)) {
        auto oldest = std::min_element(recurrences_.begin(), recurrences_.end(), [](const auto& a, const auto& b) {
          return a.second.last_use < b.second.last_use;
        });
        recurrences_.erase(oldest);
      }
      it = recurrences_.emplace(signature, Recurrence{}).first;
    }
    it->second.last_use = ++uses_;
    return it->second;
  }

  IncidentOptions opt_;
  std::string prefix_;
  std::deque<Incident> incidents_;
  std::unordered_map<std::string, std::string> by_signature_;
  std::unordered_map<std::string, Recurrence> recurrences_;
  std::uint64_t opened_ = 0, uses_ = 0;
};

}  // namespace sidecar
