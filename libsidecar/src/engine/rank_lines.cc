// Per-rank log lines for RankProgress (see rank_lines.h).
#include "rank_lines.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "sidecar/log_scan.h"

namespace sidecar::detail {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `w` (lower case) is at `pos` of `line`, case-insensitively.
bool word_at(std::string_view line, std::size_t pos, std::string_view w) {
  if (pos + w.size() > line.size()) return false;
  for (std::size_t k = 0; k < w.size(); ++k)
    if (lower(line[pos + k]) != w[k]) return false;
  return true;
}

// The number after word `w` found at `pos`, if `w` is a whole word there.
std::optional<std::int64_t> number_after_word(std::string_view line, std::size_t pos, std::string_view w) {
  if (!word_at(line, pos, w)) return std::nullopt;
  std::size_t i = pos + w.size();
  if ((pos > 0 && word_char(line[pos - 1])) || (i < line.size() && word_char(line[i]))) return std::nullopt;
  while (i < line.size() &&
         (line[i] == ' ' || line[i] == '=' || line[i] == ':' || line[i] == '\'' || line[i] == '"' || line[i] == '['))
    ++i;
  std::int64_t v = 0;
  std::size_t j = i;
  for (; j < line.size() && j - i < 12 && line[j] >= '0' && line[j] <= '9'; ++j) v = v * 10 + (line[j] - '0');
  if (j == i) return std::nullopt;
  return v;
}

}  // namespace

// One pass, no allocation (it runs on every line of every rank's log): the
// first hit of each word, then the words in order of preference.
std::optional<std::int64_t> step_in_line(std::string_view line) {
  static constexpr std::string_view kWords[] = {"global_step", "iteration", "step", "iter"};
  std::optional<std::int64_t> found[4];
  line = line.substr(0, 4096);
  for (std::size_t pos = 0; pos < line.size(); ++pos) {
    const char c = lower(line[pos]);
    if (c != 'g' && c != 'i' && c != 's') continue;
    for (std::size_t k = 0; k < 4; ++k)
      if (!found[k] && kWords[k][0] == c) found[k] = number_after_word(line, pos, kWords[k]);
    if (found[0]) return found[0];
  }
  for (const auto& f : found)
    if (f) return f;
  return std::nullopt;
}

void RankLines::feed(const std::string& source, std::optional<int> default_rank, std::string_view bytes, double now) {
  if (!enabled_ || bytes.empty()) return;
  Source& src = sources_[source];
  src.rank = default_rank;
  std::size_t start = 0;
  for (std::size_t nl = bytes.find('\n'); nl != std::string_view::npos; nl = bytes.find('\n', start)) {
    std::string_view piece = bytes.substr(start, std::min(nl - start, kMaxLine));
    if (src.partial.empty() && !src.overlong) {
      line(src, piece, now);
    } else {
      if (!src.overlong) src.partial.append(piece.substr(0, kMaxLine - src.partial.size()));
      line(src, src.partial, now);
      src.partial.clear();
      src.overlong = false;
    }
    start = nl + 1;
  }
  if (start < bytes.size() && !src.overlong) {
    src.partial.append(bytes.substr(start, kMaxLine - src.partial.size()));
    src.overlong = src.partial.size() >= kMaxLine;
  }
}

void RankLines::flush(const std::string& source, double now) {
  auto it = sources_.find(source);
  if (it == sources_.end() || (it->second.partial.empty() && !it->second.overlong)) return;
  line(it->second, it->second.partial, now);
  it->second.partial.clear();
  it->second.overlong = false;
}

void RankLines::line(const Source& src, std::string_view text, double now) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (auto cr = text.rfind('\r'); cr != std::string_view::npos) text.remove_prefix(cr + 1);  // after a progress bar
  std::optional<int> rank = log_line_rank(text);
  if (!rank) rank = src.rank;
  if (!rank || text.find_first_not_of(" \t") == std::string_view::npos) return;
  // Every timeout mark contains "out" or "stuck", every sequence number key
  // "eq" (seq=, SeqNum=) or "work: ": most lines are ruled out by these few searches.
  const bool maybe_timeout = text.find("out") != std::string_view::npos || text.find("stuck") != std::string_view::npos;
  const bool timed_out = maybe_timeout && RankProgress::is_timeout_line(text);
  const bool maybe_seq = text.find("eq") != std::string_view::npos || text.find("work: ") != std::string_view::npos;
  progress_.observe(*rank, now, maybe_seq ? RankProgress::completed_seq(text) : std::nullopt, timed_out,
                    timed_out ? std::nullopt : step_in_line(text));
}

}  // namespace sidecar::detail
