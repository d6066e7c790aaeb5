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
#include <string>
#include <string_view>

#include "sidecar/status.h"

namespace sidecar::detail {

// Errors: kPermissionDenied (directory not writable), kIoError (create,
// write, fsync or rename failed; the message names the path and errno).
Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode = 0644, bool sync = true);

// A whole regular file of at most `max` bytes mapped read-only (a cache file
// written by write_file_atomically, so replaced by rename and never truncated
// in place while mapped): its pages come from the page cache, where reading
// it would first-touch a buffer of its size. Unmapped when destroyed.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  // False when it cannot: missing, not a regular file, empty, larger than `max`, or not mappable.
  bool open(const std::string& path, std::size_t max);
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Memory for a large, long-lived block (a pattern database): from 256 KiB up
// it is 2 MiB-aligned and marked for transparent huge pages, so that its first
// touch costs one page fault instead of one per 4 KiB page; smaller, malloc's.
// Null when out of memory. Freed with large_free (std::free).
void* large_alloc(std::size_t size);
void large_free(void* p);
// A smart pointer's deleter for large_alloc's blocks.
struct LargeFree {
  void operator()(void* p) const { large_free(p); }
};

// Creates `base` as a new directory (mkdir: atomic, so two runs started in
// the same second never share one); when it exists, "<base>-2", "<base>-3",
// ... up to "<base>-999". Parents are created. Returns the directory made.
// Errors: kPermissionDenied, kIoError, kResourceExhausted (all taken).
Result<std::string> create_unique_dir(const std::string& base);

}  // namespace sidecar::detail
