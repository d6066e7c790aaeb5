// A fresh temporary directory for a test, removed with its contents at scope
// exit (one definition for every component's tests).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sidecar::test {

struct TempDir {
  std::filesystem::path path;

  // <tmp>/sidecar-<tag>-XXXXXX, made with mkdtemp (never an existing directory).
  explicit TempDir(const std::string& tag = "test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("sidecar-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string str() const { return path.string(); }
  // The path of `name` (may contain '/') inside the directory.
  std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace sidecar::test
