// LogTail: a FileTail feeding a LogStream (see log_scan.h).
#include <algorithm>

#include "sidecar/log_scan.h"

namespace sidecar {

LogTail::LogTail(std::shared_ptr<const LogScanner> scanner, std::string path)
    : tail_(path), stream_(std::move(scanner), path) {}

Result<std::uint64_t> LogTail::poll(std::vector<LogMatch>* out, std::uint64_t budget_bytes) {
  constexpr std::uint64_t kReadBytes = std::uint64_t{1} << 20;
  std::uint64_t read = 0;
  while (read < budget_bytes) {
    auto chunk = tail_.poll(static_cast<std::size_t>(std::min(kReadBytes, budget_bytes - read)));
    if (!chunk) return chunk.status();
    if (chunk->data.empty()) break;
    if (chunk->restarted) {
      stream_.flush(out);  // what the old file left: its partial last line, pending tracebacks
      stream_.reset();
    }
    stream_.feed(chunk->data, out);
    read += chunk->data.size();
  }
  return read;
}

void LogTail::flush(std::vector<LogMatch>* out) { stream_.flush(out); }

}  // namespace sidecar
