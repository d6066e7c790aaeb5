// Issue 10 for ingestion: a writer killed mid-line, then a new writer; a file
// replaced by a directory and back; deep nesting. Nothing is lost but the torn line.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "sidecar/metrics.h"

namespace fs = std::filesystem;
using sidecar::test::TempDir;

namespace {

void append(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::app | std::ios::binary) << s; }

std::vector<double> losses(sidecar::MetricsReader& r) {
  std::vector<double> out;
  auto n = r.poll([&](const sidecar::MetricRow& row) {
    for (const auto& v : row.values)
      if (v.key == "loss") out.push_back(v.value);
  });
  REQUIRE(n);
  return out;
}

}  // namespace

TEST_CASE("a writer killed mid-line loses only its torn line", "[metrics][reliability]") {
  TempDir d;
  auto p = d.path / "metrics.jsonl";
  sidecar::MetricsReader r(p.string());
  append(p, "{\"step\": 1, \"loss\": 1.0}\n{\"step\": 2, \"lo");  // killed here
  CHECK(losses(r) == std::vector<double>{1.0});
  // The job restarts and appends from a fresh line start.
  append(p, "\n{\"step\": 3, \"loss\": 3.0}\n{\"step\": 4, \"loss\": 4.0}\n");
  CHECK(losses(r) == std::vector<double>{3.0, 4.0});
  CHECK(r.stats().malformed == 1);
  CHECK(r.stats().last_error.find(":2:") != std::string::npos);
}

TEST_CASE("metrics file replaced by a directory, then by a file again", "[metrics][reliability]") {
  TempDir d;
  auto p = d.path / "metrics.jsonl";
  append(p, "{\"loss\": 1.0}\n");
  sidecar::MetricsReader r(p.string());
  CHECK(losses(r) == std::vector<double>{1.0});
  fs::remove(p);
  fs::create_directory(p);
  auto bad = r.poll([](const sidecar::MetricRow&) {});
  if (bad) CHECK(*bad == 0);  // either reported or simply nothing new: never rows, never a crash
  fs::remove(p);
  append(p, "{\"loss\": 2.0}\n");
  CHECK(losses(r) == std::vector<double>{2.0});
}

TEST_CASE("10 000-deep nesting is bounded and reported, the next row still parses", "[metrics][reliability]") {
  TempDir d;
  auto p = d.path / "metrics.jsonl";
  std::string deep = "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}\n";
  std::string deep_obj;
  for (int i = 0; i < 10000; ++i) deep_obj += "{\"k\":";
  deep_obj += "1" + std::string(10000, '}') + "\n";
  append(p, deep + deep_obj + "{\"loss\": 5.0}\n");
  sidecar::MetricsReader r(p.string());
  CHECK(losses(r) == std::vector<double>{5.0});
  CHECK(r.stats().malformed >= 1);
}
