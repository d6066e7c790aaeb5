// The process-wide cache directory: where the library keeps what it can
// rebuild but would rather not, between processes. Internal API.
//
//   sidecar::detail::set_cache_dir(home + "/.cache/sidecar");  // before any playbook is read
//
// Two things live there, each keyed by exactly what it was built from (and
// the library version), so a stale, truncated or corrupt file is never
// trusted, only rebuilt and rewritten:
//   - the parsed default playbook (default_playbook_tree(); its YAML parse
//     was a fifth of an empty `sidecar-cli scan`);
//   - compiled pattern databases (LogScanner::create() when
//     LogOptions::cache_dir is empty; compiling the catalogue costs more
//     than scanning 100 MB).
// "" (the default) means nowhere: no disk access. The CLI sets it from
// $SIDECAR_CACHE_DIR / $XDG_CACHE_HOME / ~/.cache; the C++ tests from
// $SIDECAR_TEST_CACHE_DIR, so their hundreds of processes compile the
// catalogue once.
#pragma once

#include <string>

namespace sidecar::detail {

// The tree takes the directory when it is first built in the process, so
// call this before anything reads a playbook.
void set_cache_dir(std::string dir);
std::string cache_dir();

}  // namespace sidecar::detail
