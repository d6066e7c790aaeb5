// Experiment context rendering and run-record parsing.
#include <catch2/catch.hpp>

#include "sidecar/context.h"
#include "sinks/test_helpers.h"

using namespace sidecar;

namespace {
std::string data(const std::string& name) {
  return test::read_file(std::string(SIDECAR_TEST_DATA) + "/context/" + name);
}
}  // namespace

TEST_CASE("context: the research-agent fixture renders exactly", "[context]") {
  auto runs = parse_run_records(data("runs.json"), "runs.json");
  REQUIRE(runs);
  CHECK(runs->size() == 8);
  CHECK(render_experiment_context(*runs) == data("runs.expected.txt"));
}

TEST_CASE("context: line formats, limits and truncation", "[context]") {
  std::vector<RunRecord> runs;
  for (int i = 0; i < 7; ++i) {
    RunRecord r;
    r.id = "r" + std::to_string(i);
    r.name = "n" + std::to_string(i);
    r.status = "running";
    r.command = std::string(100, 'c');
    r.monitor_note = std::string(130, 'm');
    runs.push_back(r);
  }
  for (int i = 0; i < 5; ++i) {
    RunRecord r;
    r.id = "f" + std::to_string(i);
    r.name = "failed" + std::to_string(i);
    r.status = "failed";
    r.error = i == 4 ? std::string(150, 'e') : "";
    runs.push_back(r);
  }
  std::string out = render_experiment_context(runs);
  CHECK(out.find("Active runs: 7\n  - r0: n0 [running] cmd=" + std::string(80, 'c') +
                 "... monitor=" + std::string(120, 'm') + "...\n") == 0);
  CHECK(out.find("  - r4: n4") != std::string::npos);
  CHECK(out.find("  - r5: n5") == std::string::npos);  // up to 5
  CHECK(out.find("  (+2 more)\n") != std::string::npos);
  CHECK(out.find("Finished runs: 0 | Failed runs: 5\n") != std::string::npos);
  // The 3 most recent failures, newest first; a missing error reads "unknown".
  CHECK(out.find("  - FAILED f4: failed4 error=" + std::string(100, 'e') + "... monitor=none\n") != std::string::npos);
  CHECK(out.find("  - FAILED f3: failed3 error=unknown monitor=none\n") != std::string::npos);
  CHECK(out.find("FAILED f1") == std::string::npos);
  CHECK(render_experiment_context({}) == "Active runs: 0\nFinished runs: 0 | Failed runs: 0\n");
}

TEST_CASE("context: truncation never splits a UTF-8 character", "[context]") {
  RunRecord r;
  r.id = "u";
  r.status = "failed";
  r.error = std::string(99, 'x') + "\xC3\xA9\xC3\xA9";  // 101 code points
  std::string out = render_experiment_context({r});
  CHECK(out.find("error=" + std::string(99, 'x') + "\xC3\xA9...") != std::string::npos);
}

TEST_CASE("context: parse_run_records is tolerant, errors are located", "[context]") {
  auto arr = parse_run_records(data("runs_array.json"));
  REQUIRE(arr);
  REQUIRE(arr->size() == 2);  // junk entries skipped
  CHECK((*arr)[1].error.empty());
  auto bad = parse_run_records(data("bad.json"), "bad.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.status().code() == StatusCode::kParseError);
  CHECK(bad.status().message().rfind("bad.json:1:", 0) == 0);
  auto shape = parse_run_records(data("wrong_shape.json"), "w.json");
  REQUIRE_FALSE(shape);
  CHECK(shape.status().code() == StatusCode::kInvalidArgument);
  CHECK(parse_run_records("", "empty").status().code() == StatusCode::kParseError);
  auto nulls = parse_run_records(R"([{"id":null,"name":null,"status":null,"command":{},"error":null,"alerts":7}])");
  REQUIRE(nulls);
  CHECK(render_experiment_context(*nulls) == "Active runs: 0\nFinished runs: 0 | Failed runs: 0\n");
}
