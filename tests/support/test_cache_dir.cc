// Linked into every Catch2 executable: CTest runs each test case as its own
// process, and each would otherwise compile the whole pattern catalogue and
// parse the default playbook again (seconds each under ASan). They share one
// folder of the build tree instead (SIDECAR_TEST_CACHE_DIR, set by
// tests/CMakeLists.txt; $SIDECAR_TEST_CACHE_DIR overrides it, "" turns it
// off), so the first process builds and the others load (see cache_dir.h).
// Tests that exercise the caches themselves pass their own directory.
#include <cstdlib>

#include "sidecar/detail/cache_dir.h"

namespace {

[[maybe_unused]] const bool kCacheDirSet = [] {
  const char* env = std::getenv("SIDECAR_TEST_CACHE_DIR");
  sidecar::detail::set_cache_dir(env ? env : SIDECAR_TEST_CACHE_DIR);
  return true;
}();

}  // namespace
