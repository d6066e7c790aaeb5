// ISO 8601 date-times: read as metric values and log-line prefixes carry
// them, written as records and alerts show them (header-only; internal to
// the library and the CLI).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace sidecar::detail {

// An ISO 8601 date-time at the start of `s`: "YYYY-MM-DD[T ]hh:mm:ss", then
// optionally a fraction ('.' or ','), "Z" or an offset (+hh, +hhmm, +hh:mm;
// no zone means UTC). `seconds` since the epoch; `length` is how much of `s`
// it took (an offset that does not start with two digits is not taken).
struct IsoTime {
  double seconds = 0;
  std::size_t length = 0;
};
inline std::optional<IsoTime> parse_iso8601_prefix(std::string_view s) {
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       sec = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !sec || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  std::size_t i = 19;
  double frac = 0.0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    double scale = 0.1;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) frac += (s[i] - '0') * scale;
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (auto oh = digits(i + 1, 2)) {
      std::size_t j = i + 3;
      if (j < s.size() && s[j] == ':') ++j;
      auto om = digits(j, 2);
      offset = (s[i] == '-' ? -1 : 1) * (*oh * 3600 + om.value_or(0) * 60);
      i = om ? j + 2 : j;
    }
  }
  // days_from_civil (H. Hinnant), proleptic Gregorian.
  const std::int64_t yy = *y - (*mo <= 2 ? 1 : 0);
  const std::int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const std::int64_t yoe = yy - era * 400;
  const std::int64_t doy = (153 * (*mo + (*mo > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = static_cast<double>(era * 146097 + doe - 719468);
  return IsoTime{days * 86400.0 + *h * 3600.0 + *mi * 60.0 + *sec + frac - offset, i};
}

// `epoch_s` in UTC as "YYYY-MM-DDThh:mm:ss.mmmZ" (RFC 3339), or without the
// milliseconds. NaN and times outside 1970..9999 read as the epoch.
inline std::string format_iso8601(double epoch_s, bool with_ms = true) {
  if (!(epoch_s >= 0.0) || epoch_s > 253402300799.0) epoch_s = 0.0;
  auto secs = static_cast<std::time_t>(epoch_s);
  int ms = static_cast<int>((epoch_s - static_cast<double>(secs)) * 1000.0);
  ms = ms < 0 ? 0 : ms > 999 ? 999 : ms;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (with_ms) {
    std::snprintf(buf, sizeof buf, ".%03d", ms);
    out += buf;
  }
  return out + "Z";
}

}  // namespace sidecar::detail
