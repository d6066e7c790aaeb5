// The process-wide cache directory (see cache_dir.h).
#include "sidecar/detail/cache_dir.h"

#include <mutex>
#include <utility>

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

}  // namespace sidecar::detail
