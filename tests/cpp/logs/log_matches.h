// Shared by the log tests: reading a corpus file, and checking that two scans
// of the same text (split differently, prechecked or not, with or without
// prefilters) found the same findings.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sidecar/log_scan.h"

namespace sidecar::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The same findings in the same order, each with the same syndrome, line,
// offset, text, message and evidence.
inline void check_same_matches(const std::vector<LogMatch>& got, const std::vector<LogMatch>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("finding " << i << ": " << want[i].text);
    CHECK(got[i].syndrome == want[i].syndrome);
    CHECK(got[i].line == want[i].line);
    CHECK(got[i].offset == want[i].offset);
    CHECK(got[i].text == want[i].text);
    CHECK(got[i].message == want[i].message);
    CHECK(got[i].evidence == want[i].evidence);
  }
}

}  // namespace sidecar::test
