// Per-rank log lines for RankProgress (see rank_lines.h).
#include "rank_lines.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "sidecar/log_scan.h"

namespace sidecar::detail {

std::optional<std::int64_t> step_in_line(std::string_view line) {
  static constexpr std::string_view kWords[] = {"global_step", "iteration", "step", "iter"};
  std::string lower;
  lower.reserve(std::min<std::size_t>(line.size(), 4096));
  for (char c : line.substr(0, 4096)) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  for (std::string_view w : kWords) {
    for (std::size_t pos = lower.find(w); pos != std::string::npos; pos = lower.find(w, pos + 1)) {
      bool word_start =
          pos == 0 || !(std::isalnum(static_cast<unsigned char>(lower[pos - 1])) || lower[pos - 1] == '_');
      std::size_t i = pos + w.size();
      if (!word_start || (i < lower.size() && (std::isalnum(static_cast<unsigned char>(lower[i])) || lower[i] == '_')))
        continue;
      while (i < lower.size() && (lower[i] == ' ' || lower[i] == '=' || lower[i] == ':' || lower[i] == '\'' ||
                                  lower[i] == '"' || lower[i] == '['))
        ++i;
      std::size_t j = i;
      while (j < lower.size() && j - i < 12 && lower[j] >= '0' && lower[j] <= '9') ++j;
      if (j > i) return std::stoll(lower.substr(i, j - i));
    }
  }
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
  const bool timed_out = RankProgress::is_timeout_line(text);
  progress_.observe(*rank, now, RankProgress::completed_seq(text), timed_out,
                    timed_out ? std::nullopt : step_in_line(text));
}

}  // namespace sidecar::detail
