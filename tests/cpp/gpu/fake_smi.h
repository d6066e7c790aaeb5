// Test helpers: fixture files and scenario directories for the fake nvidia-smi
// (tests/data/nvidia-smi/fake-nvidia-smi).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/temp_dir.h"
#include "sidecar/operator.h"

namespace gpu_test {

inline std::string data_path(const std::string& rel) { return std::string(SIDECAR_TEST_DATA) + "/" + rel; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

using sidecar::test::TempDir;

// A copy of tests/data/nvidia-smi/scenarios/<name> with `nvidia-smi` linked to
// the fake; returns the path of that nvidia-smi.
inline std::string make_scenario(const TempDir& dir, const std::string& name) {
  namespace fs = std::filesystem;
  fs::copy(data_path("nvidia-smi/scenarios/" + name), dir.path, fs::copy_options::recursive);
  fs::create_symlink(data_path("nvidia-smi/fake-nvidia-smi"), dir.path / "nvidia-smi");
  return (dir.path / "nvidia-smi").string();
}

inline int polls_made(const TempDir& dir) {
  std::string c = read_file((dir.path / "counter").string());
  return c.empty() ? 0 : std::stoi(c);
}

// A clock that only moves when the code under test sleeps.
struct FakeClock {
  double t = 1000.0;
  double slept = 0;
  sidecar::Clock clock() {
    sidecar::Clock c;
    c.now = [this] { return t; };
    c.sleep = [this](double s) {
      t += s;
      slept += s;
    };
    return c;
  }
};

}  // namespace gpu_test
