// scan_flat_json (detail/flat_json.h): a flat object of numbers in one pass.
//
// Numbers follow the JSON grammar exactly. Their value comes from Clinger's
// exact fast path (at most 19 digits, a mantissa below 2^53 and a power of
// ten below 1e23: one correctly rounded IEEE operation) or else
// std::from_chars (correctly rounded as well), so every accepted number has
// the value simdjson would give it. A value out of range is kOther.
#include "sidecar/detail/flat_json.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>

namespace sidecar::detail {

namespace {

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline bool is_json_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline const char* skip_ws(const char* p, const char* end) {
  while (p < end && is_json_ws(*p)) ++p;
  return p;
}

// Eight bytes at p as a little-endian word (the caller checked p + 8 <= end).
inline std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;
constexpr bool kLittle = std::endian::native == std::endian::little;

// Whether the eight bytes are all ASCII digits, and their value (SWAR).
inline bool eight_digits(std::uint64_t w) {
  return (w & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull &&
         ((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull;
}
inline std::uint32_t eight_digits_value(std::uint64_t w) {
  w -= 0x3030303030303030ull;
  w = (w * 10) + (w >> 8);
  w = (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
      32;
  return static_cast<std::uint32_t>(w);
}

inline std::uint32_t load4(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Whether the four bytes are all ASCII digits, and their value (SWAR).
inline bool four_digits(std::uint32_t w) {
  return (w & 0xF0F0F0F0u) == 0x30303030u && ((w + 0x06060606u) & 0xF0F0F0F0u) == 0x30303030u;
}
inline std::uint32_t four_digits_value(std::uint32_t w) {
  w -= 0x30303030u;
  w = (w * 10) + (w >> 8);  // byte 0: d0 d1, byte 2: d2 d3 (each below 100: no carry)
  return (w & 0xFFu) * 100 + ((w >> 16) & 0xFFu);
}

// Digits from p; adds them to *mant and *count. Returns the first non-digit.
// Eight at a time while eight are there (long mantissas such as Python's
// 17-digit reprs), then four (a logged loss's "54205"), then one by one.
inline const char* digits(const char* p, const char* end, std::uint64_t* mant, int* count) {
  std::uint64_t m = *mant;  // wraps past 19 digits (the caller then uses from_chars)
  int n = *count;
  if constexpr (kLittle) {
    for (; end - p >= 8 && eight_digits(load8(p)); p += 8, n += 8) m = m * 100000000 + eight_digits_value(load8(p));
    if (end - p >= 4 && four_digits(load4(p))) {
      m = m * 10000 + four_digits_value(load4(p));
      p += 4;
      n += 4;
    }
  }
  for (; p < end && is_digit(*p); ++p, ++n) m = m * 10 + static_cast<unsigned>(*p - '0');
  *mant = m;
  *count = n;
  return p;
}

// One JSON number at p. Returns the byte after it, or nullptr when the text
// is not a JSON number or its value is out of range.
const char* number(const char* p, const char* end, double* out) {
  const char* const start = p;
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (p == end || !is_digit(*p)) return nullptr;
  std::uint64_t mant = 0;
  int count = 0;
  if (*p == '0')
    ++p;  // no leading zeros: "01" is not JSON (the '1' fails as the next token)
  else
    p = digits(p, end, &mant, &count);
  int exp10 = 0;
  if (p < end && *p == '.') {
    const char* frac = ++p;
    p = digits(p, end, &mant, &count);
    if (p == frac) return nullptr;
    exp10 = -static_cast<int>(p - frac);
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool eneg = false;
    if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
    if (p == end || !is_digit(*p)) return nullptr;
    int e = 0;
    for (; p < end && is_digit(*p); ++p)
      if (e < 100000) e = e * 10 + (*p - '0');
    exp10 += eneg ? -e : e;
  }
  if (count <= 19) {
    if (mant == 0) {
      *out = negative ? -0.0 : 0.0;
      return p;
    }
    if (mant <= (std::uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
      double d = static_cast<double>(mant);
      d = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
      *out = negative ? -d : d;
      return p;
    }
  }
  double d = 0.0;
  auto [ptr, ec] = std::from_chars(start, p, d);
  if (ec != std::errc() || ptr != p) return nullptr;
  *out = d;
  return p;
}

// Python's bare NaN / Infinity / -Infinity (the reader's slow path accepts
// exactly these spellings as values).
const char* nonfinite(const char* p, const char* end, double* out) {
  auto is = [&](std::string_view word) {
    return static_cast<std::size_t>(end - p) >= word.size() && std::string_view(p, word.size()) == word;
  };
  if (is("NaN")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return p + 3;
  }
  if (is("Infinity")) {
    *out = std::numeric_limits<double>::infinity();
    return p + 8;
  }
  if (is("-Infinity")) {
    *out = -std::numeric_limits<double>::infinity();
    return p + 9;
  }
  return nullptr;
}

// A key's bytes up to its closing quote: printable ASCII without escapes.
// Returns the closing quote, or nullptr.
inline const char* key_end(const char* p, const char* end) {
  if constexpr (kLittle) {
    // Eight bytes at a time: the lowest flagged byte is exact (borrows only
    // flag bytes above a true hit).
    for (; end - p >= 8; p += 8) {
      const std::uint64_t w = load8(p);
      const std::uint64_t quote = w ^ (kOnes * '"');
      const std::uint64_t slash = w ^ (kOnes * '\\');
      const std::uint64_t hit =
          (((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((w - kOnes * 0x20) & ~w) | w) & kHighs;
      if (hit != 0) {
        p += std::countr_zero(hit) / 8;
        return *p == '"' ? p : nullptr;
      }
    }
  }
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return p;
    if (c < 0x20 || c >= 0x80 || c == '\\') return nullptr;
  }
  return nullptr;
}

// Whether len bytes at a and b are equal (inline: the runs between a line's
// values are short; overlapping word loads, never past a + len or b + len).
inline bool same_bytes(const char* a, const char* b, std::size_t len) {
  if (len >= 8) {
    for (std::size_t i = 0; i + 8 < len; i += 8)
      if (load8(a + i) != load8(b + i)) return false;
    return load8(a + len - 8) == load8(b + len - 8);
  }
  if (len >= 4) return load4(a) == load4(b) && load4(a + len - 4) == load4(b + len - 4);
  for (std::size_t i = 0; i < len; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// A value at p (a JSON number or Python's bare NaN / Infinity / -Infinity):
// the byte after it, or nullptr.
inline const char* value(const char* p, const char* end, double* v) {
  return (*p == 'N' || *p == 'I' || (*p == '-' && p + 1 < end && p[1] == 'I')) ? nonfinite(p, end, v)
                                                                               : number(p, end, v);
}

// scan_flat_json; with Record, also each value's [begin, end) offsets in spans.
template <bool Record>
FlatScan scan(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count, std::uint32_t* spans) {
  std::size_t n = 0;
  *count = 0;
  const char* p = line.data();
  const char* const begin = p;
  const char* const end = p + line.size();
  p = skip_ws(p, end);
  if (p == end) return FlatScan::kBlank;
  if (*p != '{') return FlatScan::kOther;
  p = skip_ws(p + 1, end);
  if (p < end && *p == '}') return skip_ws(p + 1, end) == end ? FlatScan::kObject : FlatScan::kOther;  // {}
  while (true) {
    if (p == end || *p != '"') return FlatScan::kOther;
    const char* k = p + 1;
    const char* q = key_end(k, end);
    if (q == nullptr) return FlatScan::kOther;
    p = skip_ws(q + 1, end);
    if (p == end || *p != ':') return FlatScan::kOther;
    p = skip_ws(p + 1, end);
    if (p == end) return FlatScan::kOther;
    double v = 0.0;
    const char* after = value(p, end, &v);
    if (after == nullptr || n == capacity) return FlatScan::kOther;
    if constexpr (Record) {
      spans[2 * n] = static_cast<std::uint32_t>(p - begin);
      spans[2 * n + 1] = static_cast<std::uint32_t>(after - begin);
    }
    out[n++] = {std::string_view(k, static_cast<std::size_t>(q - k)), v};
    p = skip_ws(after, end);
    if (p == end) return FlatScan::kOther;
    if (*p == '}') break;
    if (*p != ',') return FlatScan::kOther;
    p = skip_ws(p + 1, end);
  }
  if (skip_ws(p + 1, end) != end) return FlatScan::kOther;
  *count = n;
  return FlatScan::kObject;
}

}  // namespace

FlatScan scan_flat_json(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count) {
  return scan<false>(line, out, capacity, count, nullptr);
}

FlatScan FlatLineScanner::scan(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count) {
  if (credit_ > 0) {
    if (match(line, out, capacity, count)) {
      credit_ = std::min(credit_ + 1, kMaxCredit);
      return FlatScan::kObject;
    }
    credit_ = credit_ > kMissCost ? credit_ - kMissCost : 0;
  }
  // A shape that stopped paying (lines of several shapes in turn) is
  // learnt again only now and then, so a miss never costs more than a
  // fraction of the lines; while it pays, a stray line does not replace it.
  if (credit_ == 0 && (gaps_.empty() || ++since_probe_ >= kProbeEvery)) {
    since_probe_ = 0;
    return scan_and_learn(line, out, capacity, count);
  }
  return detail::scan<false>(line, out, capacity, count, nullptr);
}

bool FlatLineScanner::match(std::string_view line, FlatField* out, std::size_t capacity, std::size_t* count) const {
  const std::size_t n = gaps_.size();
  if (n < 2 || n - 1 > capacity) return false;
  const char* p = line.data();
  const char* const end = p + line.size();
  const char* const shape = bytes_.data();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const Gap& g = gaps_[i];
    if (static_cast<std::size_t>(end - p) <= g.len || !same_bytes(p, shape + g.off, g.len)) return false;
    out[i].key = std::string_view(p + g.key_off, g.key_len);
    p += g.len;
    const char* after = value(p, end, &out[i].value);
    if (after == nullptr) return false;
    p = after;
  }
  const Gap& g = gaps_[n - 1];
  if (static_cast<std::size_t>(end - p) != g.len || !same_bytes(p, shape + g.off, g.len)) return false;
  *count = n - 1;
  return true;
}

FlatScan FlatLineScanner::scan_and_learn(std::string_view line, FlatField* out, std::size_t capacity,
                                         std::size_t* count) {
  spans_.resize(2 * capacity);
  FlatScan s = detail::scan<true>(line, out, capacity, count, spans_.data());
  if (s != FlatScan::kObject || *count == 0 || line.size() > kMaxShapeBytes) return s;
  // The runs of bytes between the values, each with its key's place in it.
  bytes_.assign(line);
  gaps_.clear();
  std::uint32_t from = 0;
  for (std::size_t i = 0; i < *count; ++i) {
    const auto key_off = static_cast<std::uint32_t>(out[i].key.data() - line.data()) - from;
    gaps_.push_back({from, spans_[2 * i] - from, key_off, static_cast<std::uint32_t>(out[i].key.size())});
    from = spans_[2 * i + 1];
  }
  gaps_.push_back({from, static_cast<std::uint32_t>(line.size()) - from, 0, 0});
  credit_ = 1;
  return s;
}

}  // namespace sidecar::detail
