// The process-wide cache directory (see cache_dir.h).
#include "sidecar/detail/cache_dir.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <utility>
#include <vector>

namespace sidecar::detail {

namespace {

std::mutex& dir_mutex() {
  static std::mutex mu;
  return mu;
}
std::string& dir_value() {
  static std::string dir;
  return dir;
}

}  // namespace

void set_cache_dir(std::string dir) {
  std::lock_guard<std::mutex> lock(dir_mutex());
  dir_value() = std::move(dir);
}

std::string cache_dir() {
  std::lock_guard<std::mutex> lock(dir_mutex());
  return dir_value();
}

std::string cache_dir_from_environment() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (!env("SIDECAR_NO_CACHE").empty() && env("SIDECAR_NO_CACHE") != "0") return "";
  if (!env("SIDECAR_CACHE_DIR").empty()) return env("SIDECAR_CACHE_DIR");
  if (!env("XDG_CACHE_HOME").empty()) return env("XDG_CACHE_HOME") + "/sidecar";
  if (!env("HOME").empty()) return env("HOME") + "/.cache/sidecar";
  return "";
}

std::uint64_t cache_hash(std::string_view bytes) {
  // Multiply-xorshift over 8-byte words, then MurmurHash3's finaliser.
  constexpr std::uint64_t kMul = 0x9fb21c651e98df25ull;
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ (bytes.size() * kMul);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  if (i < bytes.size()) std::memcpy(&tail, bytes.data() + i, bytes.size() - i);  // (an empty view may be null)
  h = (h ^ tail) * kMul;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

std::string cache_file_path(const std::string& dir, std::string_view prefix, std::string_view key,
                            std::string_view ext) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(cache_hash(key)));
  std::string path = dir;
  path.append("/").append(prefix).append(hex).append(ext);
  return path;
}

void touch_cache_file(const std::string& path) {
  std::error_code ec;
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ec);
}

void prune_cache_files(const std::string& dir, std::string_view prefix, std::string_view ext, std::size_t keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < prefix.size() + ext.size() || !name.starts_with(prefix) || !name.ends_with(ext)) continue;
    std::error_code tec;
    fs::file_time_type t = it->last_write_time(tec);
    if (!tec && it->is_regular_file(tec)) files.emplace_back(t, it->path());
  }
  if (files.size() <= keep) return;
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = keep; i < files.size(); ++i) fs::remove(files[i].second, ec);
}

}  // namespace sidecar::detail
