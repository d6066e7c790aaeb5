// FileTail (see file_tail.h): an offset, the open file, the last bytes read
// (to catch a copytruncate that refilled the file past the offset), and the
// old file kept open until drained when the path moves on.
#include "sidecar/file_tail.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sidecar {
namespace {

constexpr std::size_t kTailCheckBytes = 64;        // compared before each read
constexpr std::size_t kMaxSiblingsScanned = 4096;  // a rotated copy is looked for among this many entries

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory, not a file";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(mode)) return "is a character device, not a regular file";
  if (S_ISBLK(mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

ssize_t pread_full(int fd, char* buf, std::size_t n, std::uint64_t off) {
  ssize_t r;
  do {
    r = ::pread(fd, buf, n, static_cast<off_t>(off));
  } while (r < 0 && errno == EINTR);
  return r;
}

bool compressed_name(std::string_view name) {
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z", ".zip"})
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return true;
  return false;
}

}  // namespace

FileTail::FileTail(std::string path) : path_(std::move(path)) {}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void FileTail::close_file() {
  fd_.reset();
  in_copy_ = false;
}

Status FileTail::open_file(bool* opened) {
  *opened = false;
  // stat before open: opening a FIFO would release a writer blocked in its
  // open(), and a device could feed us forever.
  struct stat pre {};
  if (::stat(path_.c_str(), &pre) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // not there yet
    if (errno == EACCES || errno == EPERM) return Status(StatusCode::kPermissionDenied, path_ + ": permission denied");
    return Status(StatusCode::kIoError, path_ + ": " + std::strerror(errno));
  }
  if (!S_ISREG(pre.st_mode)) return Status(StatusCode::kIoError, path_ + ": " + kind_of(pre.st_mode));
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    if (errno == EACCES || errno == EPERM) return Status(StatusCode::kPermissionDenied, path_ + ": permission denied");
    return Status(StatusCode::kIoError, path_ + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {  // replaced between stat and open
    ::close(fd);
    return Status(StatusCode::kIoError, path_ + ": " + kind_of(st.st_mode));
  }
  fd_.reset(fd);
  in_copy_ = false;
  dev_ = static_cast<std::uint64_t>(st.st_dev);
  ino_ = static_cast<std::uint64_t>(st.st_ino);
  offset_ = 0;
  last_.clear();
  if (seen_file_) {
    pending_restart_ = true;
    ++restarts_;
  }
  seen_file_ = true;
  *opened = true;
  return Status::Ok();
}

void FileTail::restart_at_zero() {
  offset_ = 0;
  last_.clear();
  pending_restart_ = true;
  ++restarts_;
}

void FileTail::remember_tail(std::string_view data) {
  if (data.size() >= kTailCheckBytes) {
    last_.assign(data.substr(data.size() - kTailCheckBytes));
    return;
  }
  last_.append(data);
  if (last_.size() > kTailCheckBytes) last_.erase(0, last_.size() - kTailCheckBytes);
}

bool FileTail::tail_matches(int fd) const {
  if (last_.empty() || offset_ < last_.size()) return true;  // nothing to compare
  char buf[kTailCheckBytes];
  ssize_t n = pread_full(fd, buf, last_.size(), offset_ - last_.size());
  return n == static_cast<ssize_t>(last_.size()) && std::memcmp(buf, last_.data(), last_.size()) == 0;
}

// After a copytruncate: a sibling "<name>.<x>" / "<name>-<x>" that holds what
// we read so far (the same bytes before our offset) and more is the copy;
// switch to it at our offset so what the writer added before the truncation
// is not lost. Returns false when there is no such copy.
bool FileTail::switch_to_rotated_copy() {
  if (offset_ == 0 || last_.empty()) return false;
  std::string dir = ".", base = path_;
  if (auto slash = path_.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path_.substr(0, slash);
    base = path_.substr(slash + 1);
  }
  if (base.empty()) return false;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  int best_fd = -1;
  struct stat best {};
  std::size_t scanned = 0;
  while (dirent* e = ::readdir(d)) {
    if (++scanned > kMaxSiblingsScanned) break;
    std::string_view name(e->d_name);
    if (name.size() <= base.size() + 1 || name.compare(0, base.size(), base) != 0) continue;
    char sep = name[base.size()];
    if ((sep != '.' && sep != '-' && sep != '_') || compressed_name(name)) continue;
    std::string full = dir + "/" + std::string(name);
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) <= offset_)
      continue;
    if (static_cast<std::uint64_t>(st.st_ino) == ino_ && static_cast<std::uint64_t>(st.st_dev) == dev_) continue;
    int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) continue;
    if (!tail_matches(fd) ||
        (best_fd >= 0 && (st.st_mtim.tv_sec < best.st_mtim.tv_sec ||
                          (st.st_mtim.tv_sec == best.st_mtim.tv_sec && st.st_mtim.tv_nsec <= best.st_mtim.tv_nsec)))) {
      ::close(fd);
      continue;
    }
    if (best_fd >= 0) ::close(best_fd);
    best_fd = fd;
    best = st;
  }
  ::closedir(d);
  if (best_fd < 0) return false;
  fd_.reset(best_fd);
  in_copy_ = true;
  dev_ = static_cast<std::uint64_t>(best.st_dev);
  ino_ = static_cast<std::uint64_t>(best.st_ino);
  return true;
}

void FileTail::seek_to_end() {
  bool opened = false;
  if (fd_.get() < 0 && !open_file(&opened).ok()) return;
  struct stat st {};
  if (fd_.get() >= 0 && ::fstat(fd_.get(), &st) == 0) {
    offset_ = static_cast<std::uint64_t>(st.st_size);
    last_.clear();
    std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(offset_, kTailCheckBytes));
    char buf[kTailCheckBytes];
    if (k > 0 && pread_full(fd_.get(), buf, k, offset_ - k) == static_cast<ssize_t>(k)) last_.assign(buf, k);
  }
  pending_restart_ = false;
}

void FileTail::set_round_budget(std::uint64_t max_bytes, std::chrono::milliseconds max_time) {
  budget_bytes_ = max_bytes;
  budget_time_ = max_time;
  round_open_ = false;
}

bool FileTail::round_budget_spent() {
  budget_spent_ = false;
  if (budget_bytes_ == 0 && budget_time_.count() == 0) return false;
  auto now = std::chrono::steady_clock::now();
  if (!round_open_) {
    round_open_ = true;
    round_bytes_ = 0;
    round_start_ = now;
  } else if ((budget_bytes_ > 0 && round_bytes_ >= budget_bytes_) ||
             (budget_time_.count() > 0 && now - round_start_ >= budget_time_)) {
    round_open_ = false;
    budget_spent_ = true;
  }
  return budget_spent_;
}

Result<FileTail::Chunk> FileTail::poll(std::size_t max_bytes) {
  if (round_budget_spent()) return Chunk{};
  if (max_bytes == 0) max_bytes = 1;
  // At most a few file switches per call (rotated copy -> new file, old file -> new file).
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (fd_.get() < 0) {
      bool opened = false;
      if (Status s = open_file(&opened); !s.ok()) {
        round_open_ = false;
        return s;
      }
      if (!opened) break;
    }
    if (!in_copy_) {
      // Truncated in place (copytruncate, or a writer that reopened with
      // O_TRUNC): the size shrank, or it grew again past our offset with
      // other bytes before it.
      struct stat st {};
      if (::fstat(fd_.get(), &st) == 0 &&
          (static_cast<std::uint64_t>(st.st_size) < offset_ || !tail_matches(fd_.get()))) {
        if (!switch_to_rotated_copy()) restart_at_zero();
      }
    }
    if (buf_.size() < max_bytes) buf_.resize(max_bytes);
    ssize_t n = pread_full(fd_.get(), buf_.data(), max_bytes, offset_);
    if (n < 0) {
      round_open_ = false;
      return Status(StatusCode::kIoError, path_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) {
      if (in_copy_) {  // the rotated copy is drained: back to the (truncated) file, from its start
        close_file();
        continue;
      }
      // Drained. Has the path moved on to another file (rotation, re-creation)?
      // Only once the new file has data: logrotate creates it empty at once,
      // and the writer keeps writing to the renamed file until it reopens.
      struct stat now {};
      if (::stat(path_.c_str(), &now) == 0 && now.st_size > 0 &&
          (static_cast<std::uint64_t>(now.st_ino) != ino_ || static_cast<std::uint64_t>(now.st_dev) != dev_)) {
        // The writer may have added to the old file between our read and the
        // stat: read it once more before switching.
        n = pread_full(fd_.get(), buf_.data(), max_bytes, offset_);
        if (n == 0) {
          close_file();
          continue;
        }
        if (n < 0) {
          round_open_ = false;
          return Status(StatusCode::kIoError, path_ + ": read failed: " + std::strerror(errno));
        }
      } else {
        break;
      }
    }
    Chunk c;
    c.data = std::string_view(buf_.data(), static_cast<std::size_t>(n));
    c.offset = offset_;
    c.restarted = pending_restart_;
    pending_restart_ = false;
    offset_ += static_cast<std::uint64_t>(n);
    if (in_copy_) recovered_bytes_ += static_cast<std::uint64_t>(n);
    remember_tail(c.data);
    round_bytes_ += static_cast<std::uint64_t>(n);
    return c;
  }
  round_open_ = false;
  return Chunk{};
}

}  // namespace sidecar
