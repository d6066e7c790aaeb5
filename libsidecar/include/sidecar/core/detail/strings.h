// Small string helpers used across sidecar (header-only, std-only).
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::detail {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// One character's replacement in an escaping table ({c, text} rows), or ""
// when the table does not name it: the escapers of Prometheus label values,
// Slack mrkdwn and XML share their loop this way.
struct CharEscape {
  char c;
  std::string_view text;
};
template <std::size_t N>
constexpr std::string_view escape_of(char c, const CharEscape (&table)[N]) {
  for (const CharEscape& e : table)
    if (e.c == c) return e.text;
  return {};
}

inline std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Length of the valid UTF-8 sequence starting at s[i] (shortest form, no
// surrogates, at most U+10FFFF), or 0 if invalid.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  std::size_t n = (c >= 0xF0 && c <= 0xF4) ? 4 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xC2 && c <= 0xDF) ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
  if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
  if (c == 0xED && c1 >= 0xA0) return 0;  // surrogates
  if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xF4 && c1 >= 0x90) return 0;  // > U+10FFFF
  return n;
}

// A logged step as an integer: nullopt when it is not finite or does not fit
// an int64 (a cast would be undefined), or is negative unless allowed.
inline std::optional<std::int64_t> step_from(double v, bool allow_negative = false) {
  if (!std::isfinite(v) || v > 9.2e18 || v < (allow_negative ? -9.2e18 : 0.0)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

// Parses a number as real writers produce it: "1e-3", " 2.5 ", and the
// non-finite spellings nan / inf / infinity / -inf (any case, as Python and
// JSON-with-extensions write them). Returns nullopt for anything else.
inline std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0.0;
  const char* first = s.data();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec == std::errc() && ptr == s.data() + s.size()) return v;
  if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) {
    // Overflow saturates to +-inf, underflow keeps the subnormal or zero value.
    std::string copy(s);
    return std::strtod(copy.c_str(), nullptr);
  }
  std::string_view body = s;
  bool neg = false;
  if (body.front() == '-' || body.front() == '+') {
    neg = body.front() == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (iequals(body, "inf") || iequals(body, "infinity"))
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// A number as the shortest text that reads back (parse_number) as the same
// double: "0.1", "1e-12", "3", and "nan", "inf", "-inf".
inline std::string round_trip_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Levenshtein distance, for "did you mean" suggestions on short words.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The closest candidate within a third of the word's length, or "".
template <typename Range>
std::string did_you_mean(std::string_view word, const Range& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace sidecar::detail
