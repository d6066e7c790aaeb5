// Writing a whole buffer to a file descriptor (header-only; internal to the
// library and the CLI): the history file, run.log, atomic replacement and
// the CLI's terminal output share write_all().
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string_view>

namespace sidecar::detail {

// Writes all of `data` to `fd`, going on after short writes and EINTR.
// Returns 0, or the errno of the write that failed (ENOSPC for one that
// wrote nothing). Blocks as the descriptor does.
inline int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace sidecar::detail
