// What the metrics reader's test files share: the reader's names, the row
// text form (row_text.h), the format fixtures under tests/data/metrics_formats
// with their .expected files, and a temporary directory.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "row_text.h"
#include "sidecar/metrics.h"

namespace fs = std::filesystem;
using sidecar::MetricRow;
using sidecar::MetricsFormat;
using sidecar::MetricsReader;
using sidecar::MetricsReaderOptions;

namespace sidecar::test {

inline const std::string kData = std::string(SIDECAR_TEST_DATA) + "/metrics_formats/";

// <fixture>.expected: rendered rows in order, then "malformed N"; '#' lines are comments.
struct Expected {
  std::vector<std::string> rows;
  long malformed = -1;
};

inline Expected load_expected(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  Expected e;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("malformed ", 0) == 0) {
      e.malformed = std::stol(line.substr(10));
      continue;
    }
    e.rows.push_back(line);
  }
  return e;
}

}  // namespace sidecar::test

// render (row_text.h), TempDir, kData, Expected, load_expected.
using namespace sidecar::test;
