// Config trees: YAML/JSON parsing, merging, typed reading with located errors.
#include <catch2/catch.hpp>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/iso8601.h"

using sidecar::ConfigReader;
using sidecar::Status;
using sidecar::Value;

TEST_CASE("parse_yaml keeps positions and reports syntax errors with file:line:col", "[config]") {
  auto ok = sidecar::parse_yaml("a: 1\nb:\n  c: [x, y]\n", "p.yaml");
  REQUIRE(ok);
  const Value* b = ok->find("b");
  REQUIRE(b);
  REQUIRE(b->find("c")->items.size() == 2);
  CHECK(b->find("c")->mark.line == 3);

  auto bad = sidecar::parse_yaml("a: [1, 2\nb: 3\n", "bad.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.status().message().rfind("bad.yaml:", 0) == 0);

  auto dup = sidecar::parse_yaml("a: 1\na: 2\n", "dup.yaml");
  REQUIRE_FALSE(dup);
  CHECK(dup.status().message().find("duplicate key 'a'") != std::string::npos);
}

TEST_CASE("ConfigReader converts, range-checks and suggests unknown keys", "[config]") {
  auto tree = sidecar::parse_yaml("window: 50\nthreshold: abc\nratoi: 2\nenabled: yes\nlevel: warn\n", "x.yaml");
  REQUIRE(tree);
  std::vector<Status> errors;
  ConfigReader r(*tree, "detectors.spike", &errors);
  int window = 10;
  double threshold = 3.0, ratio = 1.0;
  bool enabled = false;
  sidecar::Severity level = sidecar::Severity::kInfo;
  r.read("window", &window, 1, 1000);
  r.read("threshold", &threshold);
  r.read("ratio", &ratio);
  r.read("enabled", &enabled);
  r.read("level", &level);
  r.finish();
  CHECK(window == 50);
  CHECK(threshold == 3.0);  // kept its default
  CHECK(enabled);
  CHECK(level == sidecar::Severity::kWarning);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message() == "x.yaml:2:12: detectors.spike.threshold: expected a number, got 'abc'");
  CHECK(errors[1].message() == "x.yaml:3:8: detectors.spike: unknown key 'ratoi' (did you mean 'ratio'?)");
}

TEST_CASE("merge_into deep-merges maps and merges named lists by name", "[config]") {
  auto base = sidecar::parse_yaml("d: {a: 1, b: 2}\ns: [{name: x, v: 1}, {name: y, v: 2}]\nl: [1, 2]\n", "base");
  auto over = sidecar::parse_yaml("d: {b: 3}\ns: [{name: y, v: 5}, {name: z, v: 6}]\nl: [9]\n", "over");
  REQUIRE(base);
  REQUIRE(over);
  sidecar::merge_into(*base, *over);
  CHECK(base->find("d")->find("a")->str == "1");
  CHECK(base->find("d")->find("b")->str == "3");
  const auto& s = base->find("s")->items;
  REQUIRE(s.size() == 3);
  CHECK(s[1].find("v")->str == "5");
  CHECK(s[2].find("name")->str == "z");
  CHECK(base->find("l")->items.size() == 1);
}

TEST_CASE("parse_json builds typed values", "[config]") {
  auto v = sidecar::parse_json(R"({"a": [1, 2.5, "x", true, null], "b": {"c": -3}})");
  REQUIRE(v);
  const auto& a = v->find("a")->items;
  CHECK(a[1].number == 2.5);
  CHECK(a[2].str == "x");
  CHECK(a[3].boolean);
  CHECK(a[4].is_null());
  CHECK(v->find("b")->find("c")->number == -3);
  CHECK_FALSE(sidecar::parse_json("{\"a\": NaN}"));
}

TEST_CASE("the embedded default playbook parses", "[config]") {
  auto tree = sidecar::default_playbook_tree();
  REQUIRE(tree);
  CHECK(tree->is_object());
}

TEST_CASE("parse_number accepts what Python writes", "[strings]") {
  using sidecar::detail::parse_number;
  CHECK(*parse_number("1e-3") == 1e-3);
  CHECK(std::isnan(*parse_number("NaN")));
  CHECK(std::isinf(*parse_number("-Infinity")));
  CHECK(*parse_number("-Infinity") < 0);
  CHECK(std::isinf(*parse_number("1e999")));
  CHECK(*parse_number("4.9e-324") > 0);
  CHECK_FALSE(parse_number("abc"));
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("1.5x"));
}

TEST_CASE("JsonWriter writes valid JSON for any input", "[json]") {
  sidecar::detail::JsonWriter w;
  w.begin_object().key("s").value("a\"b\n\x01\xff").key("n").value(std::nan("")).key("l").begin_array();
  w.value(1).value(2.5).end_array().end_object();
  CHECK(w.str() == "{\"s\":\"a\\\"b\\n\\u0001\xEF\xBF\xBD\",\"n\":null,\"l\":[1,2.5]}");
  auto back = sidecar::parse_json(w.str());
  REQUIRE(back);
}

TEST_CASE("JsonWriter replaces bytes that cannot start a UTF-8 sequence (fuzz regression)", "[json]") {
  // Found by fuzz_json: 0xFE was taken for the lead byte of a 3-byte sequence.
  const std::string text("{\"loss\263\263\376\263\263\323\3251.%\000): {e9\"}", 22);
  sidecar::detail::JsonWriter w;
  w.begin_object().key(text).value(text).end_object();
  CHECK(sidecar::parse_json(w.str()));
  for (unsigned c = 0x80; c < 0x100; ++c) {
    sidecar::detail::JsonWriter one;
    one.value(std::string(1, static_cast<char>(c)) + "\x80\x80\x80");
    CHECK(sidecar::parse_json(one.str()));
  }
}

TEST_CASE("JsonWriter writes large doubles with an exponent (fuzz regression)", "[json]") {
  // Found by fuzz_json: 1.2345678901234567e20's shortest form is the integer
  // literal 123456789012345670000, which does not fit 64 bits and fails to parse.
  for (double v : {1.2345678901234567e20, -1.2345678901234567e20, 9.87654321098765e19, 1.8446744073709552e19, 1e16,
                   1.7976931348623157e308}) {
    sidecar::detail::JsonWriter w;
    w.begin_array().value(v).end_array();
    auto back = sidecar::parse_json(w.str());
    REQUIRE(back);
    CHECK(back->items.at(0).number == v);
  }
  sidecar::detail::JsonWriter small;
  small.begin_array().value(9007199254740992.0).value(0.1).value(-0.0).end_array();
  CHECK(small.str() == "[9007199254740992,0.1,-0]");
}

TEST_CASE("playbook_tree reports a directory or a missing file by name", "[config]") {
  auto dir = sidecar::playbook_tree("/tmp");
  REQUIRE_FALSE(dir);
  CHECK(dir.status().code() == sidecar::StatusCode::kIoError);
  CHECK(dir.status().message() == "/tmp: is a directory, not a playbook file");
  auto missing = sidecar::playbook_tree("/nonexistent/p.yaml");
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == sidecar::StatusCode::kNotFound);
}

TEST_CASE("parse_iso8601_prefix reads a metric's time and a log line's leading one", "[strings]") {
  using sidecar::detail::parse_iso8601_prefix;
  auto at = [](std::string_view s) { return parse_iso8601_prefix(s); };
  REQUIRE(at("2024-05-01T12:00:00Z"));
  CHECK(at("2024-05-01T12:00:00Z")->seconds == 1714564800.0);
  CHECK(at("2024-05-01T12:00:00Z")->length == 20);
  CHECK(at("2024-05-01 12:00:00,25 - INFO - step 3")->seconds == 1714564800.25);  // Python logging's comma
  CHECK(at("2024-05-01 12:00:00,25 - INFO - step 3")->length == 22);
  CHECK(at("2024-05-01T12:00:00.5+02:00")->seconds == 1714564800.5 - 7200);
  CHECK(at("2024-05-01T12:00:00.5+02:00")->length == 27);
  CHECK(at("2024-05-01T12:00:00-0230")->seconds == 1714564800.0 + 9000);
  CHECK(at("2000-02-29T00:00:00")->seconds == 951782400.0);  // no zone: UTC; a leap day
  CHECK(at("1969-12-31T23:59:59Z")->seconds == -1.0);
  // An offset that is not two digits is not taken; minutes are optional.
  CHECK(at("2024-05-01T12:00:00-foo")->length == 19);
  CHECK(at("2024-05-01T12:00:00+02:3")->seconds == 1714564800.0 - 7200);
  CHECK(at("2024-05-01T12:00:00+02:3")->length == 23);
  CHECK_FALSE(at("I0501 12:00:00.000 train.py:10] step 3"));
  CHECK_FALSE(at("2024-13-01T12:00:00"));
  CHECK_FALSE(at("2024-05-01T24:00:00"));
  CHECK_FALSE(at("2024-05-01/12:00:00"));
  CHECK_FALSE(at("2024-05-01T12:00"));
  CHECK_FALSE(at(""));
}

TEST_CASE("format_iso8601 writes UTC with or without milliseconds", "[strings]") {
  using sidecar::detail::format_iso8601;
  CHECK(format_iso8601(1700000000.25) == "2023-11-14T22:13:20.250Z");
  CHECK(format_iso8601(1700000000.25, /*with_ms=*/false) == "2023-11-14T22:13:20Z");
  CHECK(format_iso8601(std::nan(""), false) == "1970-01-01T00:00:00Z");  // never undefined
  CHECK(format_iso8601(-5.0) == "1970-01-01T00:00:00.000Z");
  auto back = sidecar::detail::parse_iso8601_prefix(format_iso8601(1714564800.5));
  REQUIRE(back);
  CHECK(back->seconds == 1714564800.5);
}
