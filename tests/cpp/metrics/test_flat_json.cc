// The reader's fast path for flat lines (detail/flat_json.h): what it takes,
// what it leaves to simdjson, and — on random and mutated lines — that every
// line it takes gives exactly the keys and values simdjson gives.
#include <simdjson.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sidecar/detail/flat_json.h"
#include "sidecar/metrics.h"

using sidecar::detail::FlatField;
using sidecar::detail::FlatLineScanner;
using sidecar::detail::FlatScan;
using sidecar::detail::scan_flat_json;

namespace {

struct Scanned {
  FlatScan kind = FlatScan::kOther;
  std::vector<FlatField> fields;
};

Scanned scan(std::string_view line, std::size_t capacity = 64) {
  std::vector<FlatField> buf(capacity);
  std::size_t n = 0;
  Scanned s;
  s.kind = scan_flat_json(line, buf.data(), capacity, &n);
  if (s.kind == FlatScan::kObject) s.fields.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  return s;
}

bool same_double(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// simdjson on-demand, as the reader's slow path reads a flat object: every
// value a double, or Python's bare NaN / Infinity / -Infinity; nullopt when
// the line is not such an object.
std::optional<std::vector<std::pair<std::string, double>>> reference(const std::string& line) {
  simdjson::padded_string padded(line);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return std::nullopt;
  std::vector<std::pair<std::string, double>> out;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    simdjson::ondemand::value v;
    if (field.value().get(v)) return std::nullopt;
    double d;
    if (v.get_double().get(d) == simdjson::SUCCESS) {
      out.emplace_back(std::string(key), d);
      continue;
    }
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r')) tok.remove_suffix(1);
    if (tok == "NaN") {
      out.emplace_back(std::string(key), std::numeric_limits<double>::quiet_NaN());
    } else if (tok == "Infinity") {
      out.emplace_back(std::string(key), std::numeric_limits<double>::infinity());
    } else if (tok == "-Infinity") {
      out.emplace_back(std::string(key), -std::numeric_limits<double>::infinity());
    } else {
      return std::nullopt;
    }
  }
  const char* loc = nullptr;
  if (doc.current_location().get(loc) == simdjson::SUCCESS) return std::nullopt;  // trailing content
  return out;
}

std::string random_number(std::mt19937_64& rng) {
  static const char* const kOdd[] = {"NaN", "Infinity", "-Infinity", "nan",      "-",    "1.",      ".5",
                                     "+1",  "01",       "-01",       "1e",       "1e+",  "0e0",     "-0",
                                     "1E5", "1e400",    "1e-400",    "4.9e-324", "true", "null",    "\"1\"",
                                     "{}",  "[]",       "NaNa",      "00",       "0.0",  "-0.0e-0", "1.5E-7"};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  if (pick(6) == 0) return kOdd[pick(static_cast<int>(std::size(kOdd)))];
  std::string s;
  if (pick(3) == 0) s += '-';
  int int_digits = 1 + pick(pick(4) == 0 ? 24 : 8);
  for (int i = 0; i < int_digits; ++i) s += static_cast<char>('0' + (i == 0 ? 1 + pick(9) : pick(10)));
  if (pick(2) == 0) {
    s += '.';
    int frac = 1 + pick(pick(4) == 0 ? 20 : 6);
    for (int i = 0; i < frac; ++i) s += static_cast<char>('0' + pick(10));
  }
  if (pick(4) == 0) {
    s += pick(2) == 0 ? 'e' : 'E';
    if (pick(2) == 0) s += pick(2) == 0 ? '-' : '+';
    s += std::to_string(pick(pick(3) == 0 ? 400 : 30));
  }
  return s;
}

std::string random_line(std::mt19937_64& rng) {
  static const std::string kKeyChars = "abcxyz_/09ABZ.-";
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  auto ws = [&] { return pick(3) == 0 ? std::string(static_cast<std::size_t>(pick(3)), " \t"[pick(2)]) : ""; };
  std::string line = ws() + "{" + ws();
  int fields = pick(9);
  for (int f = 0; f < fields; ++f) {
    if (f > 0) line += "," + ws();
    std::string key;
    int len = pick(20);
    for (int i = 0; i < len; ++i) key += kKeyChars[static_cast<std::size_t>(pick(static_cast<int>(kKeyChars.size())))];
    if (pick(20) == 0) key.insert(key.size() / 2, pick(2) == 0 ? "\\n" : "\xc3\xa9");
    line += "\"" + key + "\"" + ws() + ":" + ws() + random_number(rng) + ws();
  }
  line += "}" + ws();
  // Random damage: a byte dropped, doubled or replaced by a JSON-ish one.
  int edits = pick(3) == 0 ? 1 + pick(3) : 0;
  static const std::string kNoise = "{}[]\",:0123456789.eE+-NaI \t\\x\x7f\x01";
  for (int e = 0; e < edits && !line.empty(); ++e) {
    std::size_t at = static_cast<std::size_t>(pick(static_cast<int>(line.size())));
    switch (pick(3)) {
      case 0:
        line.erase(at, 1);
        break;
      case 1:
        line.insert(at, 1, line[at]);
        break;
      default:
        line[at] = kNoise[static_cast<std::size_t>(pick(static_cast<int>(kNoise.size())))];
    }
  }
  return line;
}

}  // namespace

TEST_CASE("flat json: flat objects of numbers are taken, in order", "[metrics][flat]") {
  auto s = scan(R"({"step": 12, "loss": 2.5e-1, "lr":3E-4 , "neg":-0.0, "loss": 7, "nan": NaN, "i": -Infinity})");
  REQUIRE(s.kind == FlatScan::kObject);
  REQUIRE(s.fields.size() == 7);
  CHECK(s.fields[0].key == "step");
  CHECK(s.fields[0].value == 12.0);
  CHECK(s.fields[1].value == 0.25);
  CHECK(s.fields[2].key == "lr");
  CHECK(s.fields[2].value == 3e-4);
  CHECK(std::signbit(s.fields[3].value));
  CHECK(s.fields[4].key == "loss");  // duplicates kept, as simdjson iterates them
  CHECK(std::isnan(s.fields[5].value));
  CHECK(s.fields[6].value == -std::numeric_limits<double>::infinity());
  CHECK(scan("{}").kind == FlatScan::kObject);
  CHECK(scan(" \t{ }\r").kind == FlatScan::kObject);
  CHECK(scan("").kind == FlatScan::kBlank);
  CHECK(scan(" \t\r").kind == FlatScan::kBlank);
  // Long mantissas and big exponents go through from_chars: still exact.
  auto p = scan(R"({"a":0.30000000000000004,"b":12345678901234567890123,"c":1.7976931348623157e308})");
  REQUIRE(p.kind == FlatScan::kObject);
  CHECK(p.fields[0].value == 0.30000000000000004);
  CHECK(p.fields[1].value == 12345678901234567890123.0);
  CHECK(p.fields[2].value == 1.7976931348623157e308);
}

TEST_CASE("flat json: everything else is left to simdjson", "[metrics][flat]") {
  for (const char* line : {R"({"a":"1"})",     R"({"a":{"b":1}})",  R"({"a":[1]})",
                           R"({"a":true})",    R"({"a":null})",     R"({"a\nb":1})",
                           "{\"\xc3\xa9\":1}", R"({"a":01})",       R"({"a":1.})",
                           R"({"a":.5})",      R"({"a":+1})",       R"({"a":1e})",
                           R"({"a":-})",       R"({"a":1,})",       R"({"a":1 "b":2})",
                           R"({"a":1}x)",      R"({"a":1}{"b":2})", R"({"a":NaNx})",
                           R"({"a":nan})",     R"({"a":1e400})",    R"({"a" 1})",
                           R"({a:1})",         R"([1,2])",          "x",
                           R"({"a":1)",        "{\"a\x01\":1}",     "\f{}"}) {
    INFO(line);
    CHECK(scan(line).kind == FlatScan::kOther);
  }
  CHECK(scan(R"({"a":1,"b":2,"c":3})", 3).kind == FlatScan::kObject);
  CHECK(scan(R"({"a":1,"b":2,"c":3})", 2).kind == FlatScan::kOther);  // more members than the buffer
}

TEST_CASE("flat json: random and damaged lines agree with simdjson", "[metrics][flat]") {
  std::mt19937_64 rng(20);
  int taken = 0, valid = 0;
  for (int i = 0; i < 60000; ++i) {
    const std::string line = random_line(rng);
    const Scanned s = scan(line);
    const auto ref = reference(line);
    if (ref) ++valid;
    if (s.kind != FlatScan::kObject) continue;
    ++taken;
    INFO(line);
    REQUIRE(ref.has_value());  // never takes a line simdjson refuses
    REQUIRE(s.fields.size() == ref->size());
    for (std::size_t f = 0; f < s.fields.size(); ++f) {
      CHECK(s.fields[f].key == (*ref)[f].first);
      CHECK(same_double(s.fields[f].value, (*ref)[f].second));
    }
  }
  CHECK(taken > 10000);  // the generator reaches the fast path often
  CHECK(valid > taken);  // and also makes valid lines the fast path leaves to simdjson
}

namespace {

// A line of one writer's shape: the same runs of bytes between the values
// (`literals`, one more than values), random numbers in between.
std::string shaped_line(std::mt19937_64& rng, const std::vector<std::string>& literals) {
  std::string line = literals[0];
  for (std::size_t i = 1; i < literals.size(); ++i) line += random_number(rng) + literals[i];
  return line;
}

std::vector<std::string> random_shape(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  auto ws = [&] { return pick(3) == 0 ? std::string(static_cast<std::size_t>(pick(3)), " \t"[pick(2)]) : ""; };
  static const char* const kKeys[] = {
      "step", "loss", "grad_norm", "learning_rate", "samples_per_second", "val/accuracy", "timestamp", "a",
      "",     "k\\n", "x y"};
  std::vector<std::string> lit{ws() + "{" + ws()};
  int fields = 1 + pick(8);
  for (int f = 0; f < fields; ++f) {
    if (f > 0) lit.back() += "," + ws();
    lit.back() += "\"" + std::string(kKeys[pick(static_cast<int>(std::size(kKeys)))]) + "\"" + ws() + ":" + ws();
    lit.push_back(ws());
  }
  lit.back() += "}" + ws();
  return lit;
}

}  // namespace

TEST_CASE("flat json: the shape-remembering scanner gives scan_flat_json's result on every line", "[metrics][flat]") {
  // Lines of a few shapes, each repeated with other numbers (the case it is
  // fast for), damaged lines, blank lines and other shapes in between.
  std::mt19937_64 rng(2020);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  FlatLineScanner scanner;
  std::vector<std::string> shape = random_shape(rng);
  int taken = 0;
  for (int i = 0; i < 60000; ++i) {
    if (pick(200) == 0) shape = random_shape(rng);
    std::string line;
    switch (pick(20)) {
      case 0:
        line = random_line(rng);
        break;
      case 1:
        line = pick(2) == 0 ? "" : " \t";
        break;
      case 2: {
        line = shaped_line(rng, shape);
        if (!line.empty()) line[static_cast<std::size_t>(pick(static_cast<int>(line.size())))] = "}{,:\" 9e"[pick(8)];
        break;
      }
      case 3:
        line = shaped_line(rng, shape) + (pick(2) == 0 ? "x" : ",");
        break;
      default:
        line = shaped_line(rng, shape);
    }
    std::size_t capacity = pick(10) == 0 ? static_cast<std::size_t>(pick(4)) : 64;
    std::vector<FlatField> got(64), want(64);
    std::size_t got_n = 99, want_n = 98;
    INFO(line);
    const FlatScan g = scanner.scan(line, got.data(), capacity, &got_n);
    const FlatScan w = scan_flat_json(line, want.data(), capacity, &want_n);
    REQUIRE(g == w);
    if (w != FlatScan::kObject) continue;
    ++taken;
    REQUIRE(got_n == want_n);
    for (std::size_t f = 0; f < want_n; ++f) {
      CHECK(got[f].key == want[f].key);
      CHECK(got[f].key.data() == want[f].key.data());  // a view into this line, as scan_flat_json gives
      CHECK(same_double(got[f].value, want[f].value));
    }
  }
  CHECK(taken > 15000);  // most lines are taken (the rest: damaged, blank, odd numbers)
}

TEST_CASE("flat json: the reader's rows are the same on the fast and the simdjson path", "[metrics][flat]") {
  // The same values written flat (fast path) and with a string member that
  // sends the line to simdjson: identical rows.
  sidecar::MetricsLineParser parser;
  auto row_of = [&](const std::string& line) {
    std::vector<std::pair<std::string, double>> got;
    std::optional<std::int64_t> step;
    std::optional<double> ts;
    auto st = parser.parse_json(line, [&](const sidecar::MetricRow& r) {
      step = r.step;
      ts = r.timestamp;
      for (const auto& v : r.values) got.emplace_back(std::string(v.key), v.value);
    });
    REQUIRE(st.ok());
    return std::make_tuple(got, step, ts);
  };
  const std::string body = R"("step": 7, "loss": 0.30000000000000004, "x": 1e-7, "timestamp": 1700000000.25, "n": NaN)";
  auto fast = row_of("{" + body + "}");
  auto slow = row_of("{" + body + R"(, "note": "text"})");
  CHECK(std::get<1>(fast) == std::get<1>(slow));
  CHECK(std::get<2>(fast) == std::get<2>(slow));
  const auto& a = std::get<0>(fast);
  const auto& b = std::get<0>(slow);
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].first == b[i].first);
    CHECK(same_double(a[i].second, b[i].second));
  }
}

TEST_CASE("flat json: a \"time\" under 1e6 is also a metric (mmaction#199, lit-llama#257)", "[metrics][flat]") {
  sidecar::MetricsLineParser parser;
  auto row_of = [&](const std::string& line) {
    std::vector<std::pair<std::string, double>> got;
    std::optional<double> ts;
    auto st = parser.parse_json(line, [&](const sidecar::MetricRow& r) {
      ts = r.timestamp;
      for (const auto& v : r.values) got.emplace_back(std::string(v.key), v.value);
    });
    REQUIRE(st.ok());
    return std::make_pair(got, ts);
  };
  for (const char* tail : {"}", R"(, "mode": "train"})"}) {  // the fast path and simdjson's
    INFO(tail);
    auto [got, ts] = row_of(std::string(R"({"lr": 0.01, "time": 1.709, "data_time": 0.036, "loss": 3.65)") + tail);
    REQUIRE(got.size() == 4);
    CHECK(got.back().first == "time");
    CHECK(got.back().second == 1.709);
    CHECK(ts == 1.709);  // still the row's time stamp, as before
    // Without data_time, under 1e6: a metric too (lit-llama's ms per iteration).
    auto [alone, ts2] = row_of(std::string(R"({"time": 1.709, "loss": 3.65)") + tail);
    CHECK(alone.size() == 2);
    CHECK(ts2 == 1.709);
    // A wall clock: the time stamp only.
    auto [clock, ts3] = row_of(std::string(R"({"time": 1700000000.5, "data_time": 0.036)") + tail);
    CHECK(clock.size() == 1);
    CHECK(ts3 == 1700000000.5);
  }
}
