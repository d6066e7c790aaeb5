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
// Each kind keeps its kCacheFilesKept most recently used files: a hit
// refreshes a file's modification time (touch_cache_file) and a write
// removes the oldest of its kind beyond that (prune_cache_files), so a
// playbook edited every day, or a library upgraded, does not grow the
// directory without bound.
// "" (the default) means nowhere: no disk access. The CLI and the Python
// module set it from cache_dir_from_environment(); the C++ tests from
// $SIDECAR_TEST_CACHE_DIR, so their hundreds of processes compile the
// catalogue once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sidecar::detail {

// The tree takes the directory when it is first built in the process, so
// call this before anything reads a playbook.
void set_cache_dir(std::string dir);
std::string cache_dir();

// Compiled pattern databases are also kept in memory, a few per process (log_scan.cc): a second scanner of a
// catalogue shares the first one's database and reads no file. Forgets them (tests of the disk cache).
void forget_compiled_catalogues();

// The front ends' cache directory: $SIDECAR_CACHE_DIR, else $XDG_CACHE_HOME/sidecar, else ~/.cache/sidecar;
// "" (no cache) when SIDECAR_NO_CACHE is set to anything but 0, or when none of them is set.
std::string cache_dir_from_environment();

// A 64-bit hash of what a cache file was built from, for its name and checks (not a persisted format: a
// different hash only means a rebuild). Eight bytes a step: the keys are whole playbooks and catalogues
// (~100 KB), hashed on every start.
std::uint64_t cache_hash(std::string_view bytes);

// "<dir>/<prefix><16 hex digits of cache_hash(key)><ext>".
std::string cache_file_path(const std::string& dir, std::string_view prefix, std::string_view key,
                            std::string_view ext);

// Files of one kind kept in a cache directory (a kind: a name prefix and extension).
inline constexpr std::size_t kCacheFilesKept = 16;

// A cache hit: marks the file as recently used (its modification time set to now).
void touch_cache_file(const std::string& path);

// After writing a file of a kind (names "<prefix>*<ext>" in `dir`): removes the
// least recently used beyond `keep`. Errors (a file another process removed,
// a read-only directory) are ignored: a cache only costs a slower start.
void prune_cache_files(const std::string& dir, std::string_view prefix, std::string_view ext,
                       std::size_t keep = kCacheFilesKept);

}  // namespace sidecar::detail
