// The Monitor's per-rank view of its log sources, for RankProgress (the hang
// that prints no line): each source's bytes split into lines (a partial line
// is held, capped), each line's rank read from its prefix ("[rank3]:",
// torchrun's "[default3]:") or else the source's own rank (from its name,
// "logs/rank3.log"), with the collective it completed, whether it reports a
// watchdog timeout, and the step it names. Lines of no rank are ignored.
// Not thread-safe (owned by the Monitor); memory bounded by max_sources x
// kMaxLine plus RankProgress's bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sidecar/core/detectors/rank_progress.h"

namespace sidecar::detail {

// A step the line itself names: "step 250", "step=250", "'step': 250",
// "global_step=250", "iteration 250/1000", "iter: 250", "Step 250/1000".
std::optional<std::int64_t> step_in_line(std::string_view line);

class RankLines {
 public:
  static constexpr std::size_t kMaxLine = 4096;  // bytes of a line kept for reading (the rest is skipped)

  explicit RankLines(const RankProgressOptions& options) : enabled_(options.enabled), progress_(options) {}

  // Bytes of `source` read at `now`; `default_rank`: the source's own rank.
  void feed(const std::string& source, std::optional<int> default_rank, std::string_view bytes, double now);
  // End of `source`: its partial last line is a line.
  void flush(const std::string& source, double now);
  // RankProgress::poll: a "hang" decision to raise, if any.
  std::optional<Decision> poll(double now) { return enabled_ ? progress_.poll(now) : std::nullopt; }
  bool incident_open() const { return progress_.incident_open(); }

 private:
  struct Source {
    std::string partial;
    bool overlong = false;  // the held line reached kMaxLine
    std::optional<int> rank;
  };
  void line(const Source& src, std::string_view text, double now);

  bool enabled_;
  std::unordered_map<std::string, Source> sources_;
  RankProgress progress_;
};

}  // namespace sidecar::detail
