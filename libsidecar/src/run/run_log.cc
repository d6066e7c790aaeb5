#include "run_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sidecar/detail/fd_write.h"

namespace sidecar::detail {

Status RunLog::open(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status(StatusCode::kIoError, path + ": " + std::strerror(errno));
  return Status::Ok();
}

RunLog::~RunLog() {
  flush_all();
  if (fd_ >= 0) ::close(fd_);
}

void RunLog::write(int stream, std::string_view bytes, double now) {
  std::string& pend = pending_[stream];
  auto nl = bytes.rfind('\n');
  if (nl == std::string_view::npos) {
    if (pend.empty()) since_[stream] = now;
    pend.append(bytes);
    if (pend.size() >= kMaxHold) flush(stream);
    return;
  }
  if (!pend.empty()) {
    pend.append(bytes.substr(0, nl + 1));
    write_all(pend);
    pend.clear();
  } else {
    write_all(bytes.substr(0, nl + 1));
  }
  if (nl + 1 < bytes.size()) {
    pend.assign(bytes.substr(nl + 1));
    since_[stream] = now;
  }
}

void RunLog::flush_stale(double now, double max_age_s) {
  for (int s = 0; s < 2; ++s)
    if (!pending_[s].empty() && now - since_[s] >= max_age_s) flush(s);
}

void RunLog::flush_all() {
  for (int s = 0; s < 2; ++s) flush(s);
}

// A held partial line ends here as its own line: what the stream writes next
// (or the other stream) starts a new one instead of being glued to it.
void RunLog::flush(int s) {
  if (pending_[s].empty()) return;
  pending_[s] += '\n';
  write_all(pending_[s]);
  pending_[s].clear();
}

void RunLog::write_all(std::string_view data) {
  if (fd_ < 0) return;
  if (int err = detail::write_all(fd_, data); err != 0 && error_.empty())
    error_ = std::string("run.log: ") + std::strerror(err);
}

}  // namespace sidecar::detail
