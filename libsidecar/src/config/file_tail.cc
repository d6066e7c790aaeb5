#include "sidecar/file_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sidecar {

FileTail::FileTail(std::string path) : path_(std::move(path)) {}

FileTail::~FileTail() { close_file(); }

FileTail::FileTail(FileTail&& other) noexcept { *this = std::move(other); }

FileTail& FileTail::operator=(FileTail&& other) noexcept {
  if (this != &other) {
    close_file();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    dev_ = other.dev_;
    ino_ = other.ino_;
    offset_ = other.offset_;
    restarts_ = other.restarts_;
    seen_file_ = other.seen_file_;
    pending_restart_ = other.pending_restart_;
    buf_ = std::move(other.buf_);
    other.fd_ = -1;
  }
  return *this;
}

void FileTail::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status FileTail::open_file(bool* opened) {
  *opened = false;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // not there yet
    if (errno == EACCES || errno == EPERM) return Status(StatusCode::kPermissionDenied, path_ + ": permission denied");
    return Status(StatusCode::kIoError, path_ + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status(StatusCode::kIoError, path_ + ": is a directory, not a file");
  }
  fd_ = fd;
  dev_ = static_cast<std::uint64_t>(st.st_dev);
  ino_ = static_cast<std::uint64_t>(st.st_ino);
  offset_ = 0;
  if (seen_file_) {
    pending_restart_ = true;
    ++restarts_;
  }
  seen_file_ = true;
  *opened = true;
  return Status::Ok();
}

void FileTail::seek_to_end() {
  bool opened = false;
  if (fd_ < 0 && !open_file(&opened).ok()) return;
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) offset_ = static_cast<std::uint64_t>(st.st_size);
  pending_restart_ = false;
}

Result<FileTail::Chunk> FileTail::poll(std::size_t max_bytes) {
  if (max_bytes == 0) max_bytes = 1;
  if (fd_ < 0) {
    bool opened = false;
    if (Status s = open_file(&opened); !s.ok()) return s;
    if (!opened) return Chunk{};
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < offset_) {
    // Truncated in place (copytruncate, or a writer that reopened with O_TRUNC).
    offset_ = 0;
    pending_restart_ = true;
    ++restarts_;
  }
  if (buf_.size() < max_bytes) buf_.resize(max_bytes);
  ssize_t n;
  do {
    n = ::pread(fd_, buf_.data(), max_bytes, static_cast<off_t>(offset_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status(StatusCode::kIoError, path_ + ": read failed: " + std::strerror(errno));
  if (n == 0) {
    // Drained. Has the path moved on to another file (rotation, re-creation)?
    struct stat now {};
    if (::stat(path_.c_str(), &now) == 0 &&
        (static_cast<std::uint64_t>(now.st_ino) != ino_ || static_cast<std::uint64_t>(now.st_dev) != dev_)) {
      close_file();
      return poll(max_bytes);
    }
    return Chunk{};
  }
  Chunk c;
  c.data = std::string_view(buf_.data(), static_cast<std::size_t>(n));
  c.offset = offset_;
  c.restarted = pending_restart_;
  pending_restart_ = false;
  offset_ += static_cast<std::uint64_t>(n);
  return c;
}

}  // namespace sidecar
