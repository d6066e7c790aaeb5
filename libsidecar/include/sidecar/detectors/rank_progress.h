// Per-rank progress of a distributed job (header-only, std-only): the hang
// that prints no line at all. Fed one call per log line of each rank's log
// (rank, time, and the collective sequence number the line names, if any),
// polled with the current time; raises ONE "hang" finding per incident that
// names the first rank to fail or stall:
//   * a rank whose log stopped advancing while the other ranks' logs go on
//     (warning: the job is stuck, nothing has crashed yet), and
//   * once watchdog timeouts arrive, the rank that is behind: the lowest
//     last completed collective sequence number (SeqNum=/seq=/"last
//     completed NCCL work: N"), else the rank that went silent first, else
//     the earliest timeout (the same incident escalates to critical and
//     keeps naming the rank it named first unless the sequence numbers
//     show another rank is further behind).
//
//   sidecar::RankProgress ranks;
//   for each log line: ranks.observe(rank, now, sidecar::RankProgress::completed_seq(line),
//                                    sidecar::RankProgress::is_timeout_line(line));
//   every tick:        if (auto d = ranks.poll(now)) surface(*d);
//
// Times are seconds on any monotonic clock. Not thread-safe (one per run).
// Known limits: ranks that write nothing at all never count (a rank is known
// from its first line); a job whose ranks log at very different rates needs
// stall_seconds above the slowest rank's normal silence.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/detectors/common.h"
#include "sidecar/types.h"

namespace sidecar {

struct RankProgressOptions {
  bool enabled = true;
  // A rank silent this long while others advanced is stalled. NCCL's default
  // collective timeout is 600 s (10 min); a stall is reported well before.
  double stall_seconds = 120.0;
  // "Others go on": at least this share of the other ranks wrote within the
  // last stall_seconds (a job where every rank is silent is a global stall,
  // which the metric/heartbeat stall rule reports, not this one).
  double min_advancing_share = 0.5;
  std::size_t min_ranks = 2;  // below this many known ranks there is nobody to compare with
  Severity stall_severity = Severity::kWarning;
  Severity timeout_severity = Severity::kCritical;
};

class RankProgress {
 public:
  explicit RankProgress(RankProgressOptions options = {}) : opt_(options) {}

  // One log line of `rank` at time `t`. `completed_seq`: the last completed
  // collective the line names (completed_seq() reads it); `timed_out`: the
  // line reports a collective/watchdog timeout (such a line is not progress).
  void observe(int rank, double t, std::optional<std::uint64_t> completed_seq = std::nullopt, bool timed_out = false) {
    Rank& r = ranks_[rank];
    if (!r.seen || t < r.first_seen) r.first_seen = t;
    r.seen = true;
    if (completed_seq) {
      // Progress lines only move forward; a timeout pins the rank where it stopped.
      if (timed_out)
        r.seq = r.seq ? std::min(*r.seq, *completed_seq) : *completed_seq;
      else
        r.seq = std::max(r.seq.value_or(0), *completed_seq);
    }
    if (timed_out) {
      if (!r.timeout_at) r.timeout_at = t;
      any_timeout_ = true;
      return;
    }
    r.last_progress = std::max(r.last_progress.value_or(t), t);
    // The named rank coming back to life ends the incident.
    if (open_ && rank == culprit_ && !r.timeout_at && t > reported_at_) open_ = false;
  }

  // The decision to surface at `now`, if any: once per incident, and once
  // more when the incident escalates to critical.
  std::optional<Decision> poll(double now) {
    if (!opt_.enabled || ranks_.size() < opt_.min_ranks) return std::nullopt;
    if (open_ && (escalated_ || !any_timeout_)) return std::nullopt;
    std::optional<int> who;
    std::string why;
    if (any_timeout_) {
      who = behind_rank(&why);
    } else {
      who = stalled_rank(now, &why);
    }
    if (!who) return std::nullopt;
    const bool critical = any_timeout_;
    if (open_) {  // escalation of the open incident: keep the rank named first unless seq says otherwise
      if (why.rfind("behind", 0) != 0) who = culprit_;
    }
    Decision d = make(*who, now, critical, why);
    if (!open_) reported_at_ = now;
    open_ = true;
    culprit_ = *who;
    escalated_ = critical;
    return d;
  }

  // The last completed collective a line names: "last completed NCCL work:
  // 45" -> 45; in a timeout line the timed-out one is not completed
  // ("WorkNCCL(SeqNum=46, ...) ran for ... before timing out", "Timeout at
  // NCCL work: 46") -> 45; in other lines "SeqNum=46" / "seq=46" -> 46.
  static std::optional<std::uint64_t> completed_seq(std::string_view line) {
    if (auto v = number_after(line, "last completed NCCL work: ")) return v;
    const bool timeout = is_timeout_line(line);
    for (std::string_view key :
         {std::string_view("SeqNum="), std::string_view("Timeout at NCCL work: "), std::string_view("seq=")}) {
      if (auto v = number_after(line, key)) return timeout ? (*v > 0 ? *v - 1 : 0) : *v;
    }
    return std::nullopt;
  }

  // Whether a line reports a collective / watchdog timeout.
  static bool is_timeout_line(std::string_view line) {
    static constexpr std::string_view kMarks[] = {"Watchdog caught collective operation timeout",
                                                  "milliseconds before timing out",
                                                  "Timeout at NCCL work",
                                                  "Heartbeat monitor timed out",
                                                  "watchdog got stuck",
                                                  "collective operation timeout"};
    for (std::string_view m : kMarks)
      if (line.find(m) != std::string_view::npos) return true;
    return false;
  }

  std::size_t ranks() const { return ranks_.size(); }
  bool incident_open() const { return open_; }

 private:
  static std::optional<std::uint64_t> number_after(std::string_view line, std::string_view key) {
    {
      for (std::size_t pos = line.find(key); pos != std::string_view::npos; pos = line.find(key, pos + 1)) {
        if (key == "seq=" && pos > 0 && is_word(line[pos - 1])) continue;  // not "SeqNum=" / "subseq="
        std::size_t i = pos + key.size();
        std::uint64_t v = 0;
        std::size_t n = 0;
        while (i < line.size() && line[i] >= '0' && line[i] <= '9' && n < 19)
          v = v * 10 + static_cast<std::uint64_t>(line[i++] - '0'), ++n;
        if (n > 0) return v;
      }
    }
    return std::nullopt;
  }

  struct Rank {
    bool seen = false;
    double first_seen = 0;
    std::optional<double> last_progress;
    std::optional<std::uint64_t> seq;  // last completed collective
    std::optional<double> timeout_at;
  };

  static bool is_word(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  // The rank silent longest while most others advanced recently.
  std::optional<int> stalled_rank(double now, std::string* why) const {
    std::optional<int> who;
    double oldest = 0;
    for (const auto& [rank, r] : ranks_) {
      double last = r.last_progress.value_or(r.first_seen);
      if (now - last < opt_.stall_seconds) continue;
      std::size_t others = 0, advancing = 0;
      for (const auto& [o, orank] : ranks_) {
        if (o == rank) continue;
        ++others;
        double olast = orank.last_progress.value_or(orank.first_seen);
        if (olast > last && now - olast < opt_.stall_seconds) ++advancing;
      }
      if (others == 0 || advancing == 0 ||
          static_cast<double>(advancing) < opt_.min_advancing_share * static_cast<double>(others))
        continue;
      if (!who || last < oldest) {
        who = rank;
        oldest = last;
        *why = "stalled: no log line for " + detail::fmt_num(now - last) + " s while " + std::to_string(advancing) +
               " of " + std::to_string(others) + " other ranks went on";
      }
    }
    return who;
  }

  // With timeouts: the lowest last completed seq, else the first silent rank, else the earliest timeout.
  std::optional<int> behind_rank(std::string* why) const {
    std::optional<int> who;
    std::uint64_t low = 0, high = 0;
    std::size_t with_seq = 0;
    for (const auto& [rank, r] : ranks_) {
      if (!r.seq) continue;
      ++with_seq;
      high = std::max(high, *r.seq);
      if (!who || *r.seq < low) {
        who = rank;
        low = *r.seq;
      }
    }
    if (who && with_seq >= 2 && low < high) {
      *why = "behind: last completed collective seq " + std::to_string(low) + " while others reached " +
             std::to_string(high);
      return who;
    }
    who.reset();
    double first = 0;
    for (const auto& [rank, r] : ranks_) {  // the rank whose progress stopped first
      double last = r.last_progress.value_or(r.first_seen);
      if (!who || last < first) {
        who = rank;
        first = last;
      }
    }
    bool others_later = false;
    for (const auto& [rank, r] : ranks_)
      if (rank != *who && r.last_progress.value_or(r.first_seen) > first) others_later = true;
    if (who && others_later) {
      *why = "first to stop: its log stopped advancing before the others timed out";
      return who;
    }
    who.reset();
    for (const auto& [rank, r] : ranks_) {
      if (!r.timeout_at) continue;
      if (!who || *r.timeout_at < first) {
        who = rank;
        first = *r.timeout_at;
      }
    }
    if (who) *why = "first to time out";
    return who;
  }

  Decision make(int rank, double now, bool critical, const std::string& why) const {
    const Rank& r = ranks_.at(rank);
    std::string msg = "rank " + std::to_string(rank) + " is the first to stall (" + why + ")";
    Decision d =
        detail::make_decision(Source::kLogwatch, "hang", critical ? opt_.timeout_severity : opt_.stall_severity,
                              std::move(msg), "ranks", nullptr);
    d.evidence.emplace_back("rank", std::to_string(rank));
    d.evidence.emplace_back("reason", why);
    d.evidence.emplace_back("silent_s", detail::fmt_num(now - r.last_progress.value_or(r.first_seen)));
    if (r.seq) d.evidence.emplace_back("last_seq", std::to_string(*r.seq));
    d.evidence.emplace_back("ranks", std::to_string(ranks_.size()));
    d.evidence.emplace_back("cause", "interconnect");
    d.evidence.emplace_back("retry_helps", "maybe");
    d.evidence.emplace_back("retry_reason",
                            "one rank stopped while the others waited: check that rank's node (GPU, NIC, data "
                            "loading); a restart helps when that node was at fault");
    return d;
  }

  RankProgressOptions opt_;
  std::map<int, Rank> ranks_;
  bool any_timeout_ = false;
  bool open_ = false;
  bool escalated_ = false;
  int culprit_ = -1;
  double reported_at_ = 0;
};

}  // namespace sidecar
