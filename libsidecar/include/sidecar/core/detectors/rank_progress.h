// Per-rank progress of a distributed job (header-only, std-only): the hang
// that prints no line at all. Fed one call per log line of each rank's log
// (rank, time, the collective sequence number and the step the line names,
// if any), polled with the current time; raises ONE "hang" finding per
// incident that names the first rank to fail or stall:
//   * a rank whose log stopped advancing while the other ranks' logs go on
//     (warning: the job is stuck, nothing has crashed yet), and
//   * once watchdog timeouts arrive, the rank that is behind: the lowest
//     last completed collective sequence number (SeqNum=/seq=/"last
//     completed NCCL work: N"), else the rank that went silent first, else
//     the earliest timeout (the same incident escalates to critical and
//     keeps naming the rank it named first unless the sequence numbers
//     show another rank is further behind).
//
// Not crying wolf: a rank counts as stalled only after it showed a cadence
// (lines at `min_lines` distinct times) and stayed silent for
// max(stall_seconds, cadence_factor x its own median interval); the others
// "go on" only when they wrote during the second half of that silence AND
// are ahead of it (a later step or collective than its last, when its
// lines named one; without such numbers at least two others must go on).
// So an evaluation or checkpoint phase where every rank is quiet, or where
// rank 0 alone prints while the others wait at a barrier, is not a hang.
//
//   sidecar::RankProgress ranks;
//   for each log line: ranks.observe(rank, now, sidecar::RankProgress::completed_seq(line),
//                                    sidecar::RankProgress::is_timeout_line(line), step_named_by(line));
//   every tick:        if (auto d = ranks.poll(now)) surface(*d);
//
// Times are seconds on any monotonic clock. Not thread-safe (one per run).
// Memory: at most kMaxRanks ranks (later ranks are ignored), O(1) each.
// Known limits: ranks that write nothing at all never count (a rank is known
// from its first line); when every rank blocks within a step of the stalled
// one (a synchronous job), the others stop too and only the timeouts name it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/detectors/common.h"
#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"

namespace sidecar {

// Options: a rank silent stall_seconds while others advanced is stalled
// (NCCL's default collective timeout is 600 s, 10 min; a stall is reported
// well before), and silent at least cadence_factor times its own median
// interval between lines (a rank that normally logs once a minute is not
// stalled after two). A rank is judged once it wrote lines at min_lines
// distinct times (a rank that only printed a start-up banner has no cadence
// to stop). "Others go on": at least min_advancing_share of the other ranks
// wrote during the second half of the rank's silence and are ahead of it (a
// job where every rank is silent is a global stall, which the metric stall
// rule reports). Watchdog timeouts are judged timeout_settle_seconds after
// the first one arrived, so that the other ranks' lines of the cascade
// (their sequence numbers) count.
#define SIDECAR_RANK_PROGRESS_OPTIONS(X)                                                                 \
  X(bool, enabled, true, (), "off: per-rank logs are not compared")                                      \
  X(double, stall_seconds, 120.0, (0.0), "a rank silent at least this long ...")                         \
  X(double, cadence_factor, 5.0, (0.0), "... and this many times its own median interval between lines") \
  X(int, min_lines, 3, (2, 1e6), "a rank is judged once it wrote at this many distinct times")           \
  X(double, min_advancing_share, 0.5, (0.0, 1.0),                                                        \
    "share of the other ranks that wrote meanwhile and are past its step/collective")                    \
  X(int, min_ranks, 2, (2, 1e6), "below this many known ranks there is nobody to compare with")          \
  X(double, timeout_settle_seconds, 2.0, (0.0),                                                          \
    "watchdog timeouts judged this long after the first (the cascade arrives)")                          \
  X(Severity, severity, Severity::kWarning, (), "the stall, before anything timed out")                  \
  X(Severity, timeout_severity, Severity::kCritical, (), "once watchdog timeouts arrive (naming the rank behind)")
SIDECAR_OPTIONS(RankProgressOptions, SIDECAR_RANK_PROGRESS_OPTIONS);

class RankProgress {
 public:
  static constexpr std::size_t kMaxRanks = 4096;

  explicit RankProgress(RankProgressOptions options = {}) : opt_(options) {}

  // One log line of `rank` at time `t`. `completed_seq`: the last completed
  // collective the line names (completed_seq() reads it); `timed_out`: the
  // line reports a collective/watchdog timeout (such a line is not progress);
  // `step`: the training step the line names, if any.
  void observe(int rank, double t, std::optional<std::uint64_t> completed_seq = std::nullopt, bool timed_out = false,
               std::optional<std::int64_t> step = std::nullopt) {
    if (ranks_.size() >= kMaxRanks && !ranks_.count(rank)) return;
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
      if (!any_timeout_ || t < first_timeout_) first_timeout_ = t;
      any_timeout_ = true;
      return;
    }
    if (step) r.step = step;
    if (!r.last_progress) {
      r.times = 1;
    } else if (t > *r.last_progress) {
      ++r.times;
      r.gaps[r.next_gap] = t - *r.last_progress;
      r.next_gap = (r.next_gap + 1) % r.gaps.size();
      r.n_gaps = std::min(r.n_gaps + 1, r.gaps.size());
    }
    r.last_progress = std::max(r.last_progress.value_or(t), t);
    // The named rank coming back to life ends the incident.
    if (open_ && rank == culprit_ && !r.timeout_at && t > reported_at_) open_ = false;
  }

  // The decision to surface at `now`, if any: once per incident, and once
  // more when the incident escalates to critical.
  std::optional<Decision> poll(double now) {
    if (!opt_.enabled || ranks_.size() < static_cast<std::size_t>(std::max(opt_.min_ranks, 2))) return std::nullopt;
    // Timeouts count once the cascade had time to arrive (every rank's line).
    const bool timeouts = any_timeout_ && now - first_timeout_ >= opt_.timeout_settle_seconds;
    if (open_ && (escalated_ || !timeouts)) return std::nullopt;
    std::optional<int> who;
    std::string why;
    if (timeouts) {
      who = behind_rank(&why);
    } else {
      who = stalled_rank(now, &why);
    }
    if (!who) return std::nullopt;
    const bool critical = timeouts;
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
    std::optional<std::int64_t> step;  // the step its last line naming one named
    std::optional<double> timeout_at;
    int times = 0;                  // distinct times it wrote progress lines
    std::array<double, 15> gaps{};  // its recent intervals between them (a ring)
    std::size_t n_gaps = 0, next_gap = 0;

    double median_gap() const {
      if (n_gaps == 0) return 0;
      std::array<double, 15> g = gaps;
      auto mid = g.begin() + static_cast<std::ptrdiff_t>(n_gaps / 2);
      std::nth_element(g.begin(), mid, g.begin() + static_cast<std::ptrdiff_t>(n_gaps));
      return *mid;
    }
  };

  static bool is_word(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  // Whether `o` is past where `c` stopped: a later step or collective when
  // `c`'s lines named one (else any later line is "past").
  static bool ahead(const Rank& o, const Rank& c) {
    if (c.step) return o.step && *o.step > *c.step;
    if (c.seq) return o.seq && *o.seq > *c.seq;
    return true;
  }

  // The rank silent longest while most others went on.
  std::optional<int> stalled_rank(double now, std::string* why) const {
    std::optional<int> who;
    double oldest = 0;
    for (const auto& [rank, r] : ranks_) {
      if (r.times < opt_.min_lines || !r.last_progress) continue;
      const double last = *r.last_progress, silent = now - last;
      if (silent < std::max(opt_.stall_seconds, opt_.cadence_factor * r.median_gap())) continue;
      std::size_t others = 0, advancing = 0;
      const bool known = r.step || r.seq;  // numbers, not just later lines, say the others are past it
      for (const auto& [o, orank] : ranks_) {
        if (o == rank) continue;
        ++others;
        // Wrote during the second half of this rank's silence, and is past it.
        if (orank.last_progress && now - *orank.last_progress <= 0.5 * silent && ahead(orank, r)) ++advancing;
      }
      if (others == 0 || advancing == 0 || (!known && advancing < 2) ||
          static_cast<double>(advancing) < opt_.min_advancing_share * static_cast<double>(others))
        continue;
      if (!who || last < oldest) {
        who = rank;
        oldest = last;
        *why = "stalled: no log line for " + detail::fmt_num(silent) + " s while " + std::to_string(advancing) +
               " of " + std::to_string(others) + " other ranks went on";
      }
    }
    return who;
  }

  // With timeouts: the lowest last completed seq, else the first rank to
  // stop, else the earliest of several timeouts.
  std::optional<int> behind_rank(std::string* why) const {
    if (auto who = lowest_seq(why)) return who;
    if (auto who = first_to_stop(why)) return who;
    return first_timeout(why);
  }

  std::optional<int> lowest_seq(std::string* why) const {
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
    if (!who || with_seq < 2 || low >= high) return std::nullopt;
    *why = "behind: last completed collective seq " + std::to_string(low) + " while others reached " +
           std::to_string(high);
    return who;
  }

  // Among ranks with a cadence, the one whose progress stopped first, when
  // every other one wrote more than one of its intervals after it (not a
  // moment's difference in when a quiet phase began).
  std::optional<int> first_to_stop(std::string* why) const {
    std::optional<int> who;
    double first = 0;
    for (const auto& [rank, r] : ranks_) {
      if (r.times < opt_.min_lines || !r.last_progress) continue;
      if (!who || *r.last_progress < first) {
        who = rank;
        first = *r.last_progress;
      }
    }
    if (!who) return std::nullopt;
    const double margin = ranks_.at(*who).median_gap();
    std::size_t others = 0;
    for (const auto& [rank, r] : ranks_) {
      if (rank == *who || r.times < opt_.min_lines || !r.last_progress) continue;
      if (*r.last_progress <= first + margin) return std::nullopt;
      ++others;
    }
    if (others == 0) return std::nullopt;
    *why = "first to stop: its log stopped advancing before the others timed out";
    return who;
  }

  // The earliest timeout, when several ranks timed out and it was the only earliest.
  std::optional<int> first_timeout(std::string* why) const {
    std::optional<int> who;
    double first = 0;
    std::size_t timed_out = 0;
    bool tie = false;
    for (const auto& [rank, r] : ranks_) {
      if (!r.timeout_at) continue;
      ++timed_out;
      if (who && *r.timeout_at == first) tie = true;
      if (!who || *r.timeout_at < first) {
        who = rank;
        first = *r.timeout_at;
        tie = false;
      }
    }
    if (!who || tie || timed_out < 2) return std::nullopt;
    *why = "first to time out";
    return who;
  }

  Decision make(int rank, double now, bool critical, const std::string& why) const {
    const Rank& r = ranks_.at(rank);
    std::string msg = "rank " + std::to_string(rank) + " is the first to stall (" + why + ")";
    Decision d = detail::make_decision(Source::kLogwatch, "hang", critical ? opt_.timeout_severity : opt_.severity,
                                       std::move(msg), "ranks", nullptr,
                                       {{"rank", std::to_string(rank)},
                                        {"reason", why},
                                        {"silent_s", detail::fmt_num(now - r.last_progress.value_or(r.first_seen))}});
    if (r.seq) d.evidence.emplace_back("last_seq", std::to_string(*r.seq));
    if (r.step) d.evidence.emplace_back("last_step", std::to_string(*r.step));
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
  double first_timeout_ = 0;
  bool open_ = false;
  bool escalated_ = false;
  int culprit_ = -1;
  double reported_at_ = 0;
};

}  // namespace sidecar
