// Replacing a file atomically: every temp-then-rename in the library goes
// through here. The temp file is created with mkstemp (O_CREAT|O_EXCL, a
// random name) in the target's own directory, so a symlink planted at a
// predictable temp name is never followed and the rename never crosses a
// filesystem; it is written whole, fsynced (unless `sync` is false: a file
// replaced every few seconds whose loss in a power cut is harmless), given `mode` and renamed over
// the target. On any failure the temp file is removed and the target is
// left as it was.
//
//   auto s = sidecar::detail::write_file_atomically(dir + "/status.json", text);
//   if (!s.ok()) report(s.message());   // "<path>: write failed: No space left on device"
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sidecar/status.h"

namespace sidecar::detail {

// Errors: kPermissionDenied (directory not writable), kIoError (create,
// write, fsync or rename failed; the message names the path and errno).
Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode = 0644, bool sync = true);

// Reads back a whole regular file of at most `max` bytes (a cache file written
// by the above): one buffer of the file's size, never zero-filled (read()
// writes each page once; growing a string by appends touched about three
// times the pages). False when it cannot: missing, not a regular file, larger
// than `max`, a read error, or a file that shrank while read.
bool read_small_file(const std::string& path, std::size_t max, std::unique_ptr<char[]>* data, std::size_t* size);

// Creates `base` as a new directory (mkdir: atomic, so two runs started in
// the same second never share one); when it exists, "<base>-2", "<base>-3",
// ... up to "<base>-999". Parents are created. Returns the directory made.
// Errors: kPermissionDenied, kIoError, kResourceExhausted (all taken).
Result<std::string> create_unique_dir(const std::string& base);

}  // namespace sidecar::detail
