// FileTail: incremental reader over a file that another process is writing.
//
// Byte-offset based; only new bytes are read. Handles files that appear
// later, deletion and re-creation, and both logrotate modes:
//  - rotation by rename (inode change): the old file stays open and is
//    drained to its end (also what the writer adds to it after the rename)
//    before the new file is read from its start;
//  - copytruncate (the file is copied, then truncated in place): detected on
//    every poll by size AND by the bytes just before the read offset (a file
//    truncated and refilled past the offset between two polls is caught too);
//    what the writer added before the truncation is read from the rotated
//    copy ("<name>.1", "<name>-20240101", ...) when one matches, then the
//    truncated file is read from its start.
// Only regular files are read: a FIFO, a device (/dev/zero) or a directory is
// refused with an error and never opened, so it can neither block nor flood
// the caller. Never loses bytes to a per-poll cap: callers poll until no data
// comes back (or until a round budget, see set_round_budget(), says stop).
//
//   sidecar::FileTail tail("run/metrics.jsonl");
//   while (auto chunk = tail.poll()) {          // Result<FileTail::Chunk>
//     if (chunk->data.empty()) break;           // nothing new (or no file yet)
//     if (chunk->restarted) parser.reset();     // a new file: drop partial-line state
//     parser.feed(chunk->data);
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/status.h"

namespace sidecar {

// An owned file descriptor (-1: none): closed when reset or destroyed; moved, never copied.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  // Closes the descriptor held (if any), then holds `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

class FileTail {
 public:
  explicit FileTail(std::string path);
  FileTail(FileTail&& other) noexcept = default;
  FileTail& operator=(FileTail&& other) noexcept = default;
  FileTail(const FileTail&) = delete;
  FileTail& operator=(const FileTail&) = delete;

  struct Chunk {
    std::string_view data;     // valid until the next poll()
    bool restarted = false;    // data begins a new file (truncated, rotated, re-created)
    std::uint64_t offset = 0;  // byte offset of data[0] in its file
  };

  // Reads up to max_bytes of new data. An empty chunk means nothing new (or
  // the file does not exist yet, or the round budget is spent: see
  // budget_spent()). Errors: kPermissionDenied (unreadable), kIoError (the
  // path is a directory, a FIFO, a device or another non-regular file, or a
  // read failed). After an error the tail simply tries again on the next poll.
  Result<Chunk> poll(std::size_t max_bytes = std::size_t{1} << 20);

  // Bounds one round of polls (the polls up to the one that returns empty):
  // once max_bytes were returned or max_time passed since the round began,
  // poll() returns an empty chunk and budget_spent() is true; the next poll
  // starts a new round where this one stopped. Zero means unbounded (the
  // default), so a caller that reads a finished file to its end needs nothing.
  void set_round_budget(std::uint64_t max_bytes, std::chrono::milliseconds max_time);
  // The last empty chunk was the round budget, not the end of the data.
  bool budget_spent() const { return budget_spent_; }

  // Skips what the file holds now (attach to a running job's log without replaying it).
  void seek_to_end();

  const std::string& path() const { return path_; }
  std::uint64_t offset() const { return offset_; }
  bool is_open() const { return fd_.get() >= 0; }
  // How many times the file restarted (truncation, rotation, re-creation).
  std::uint64_t restarts() const { return restarts_; }
  // Bytes recovered from a rotated copy after a copytruncate.
  std::uint64_t recovered_bytes() const { return recovered_bytes_; }

 private:
  // Opens a polling round, or closes it when its bytes or time are spent
  // (true: poll() returns nothing this time). False when unbounded.
  bool round_budget_spent();
  Status open_file(bool* opened);
  void close_file();
  void restart_at_zero();
  bool tail_matches(int fd) const;
  bool switch_to_rotated_copy();
  void remember_tail(std::string_view data);

  std::string path_;
  UniqueFd fd_;
  std::uint64_t dev_ = 0;
  std::uint64_t ino_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t restarts_ = 0;
  std::uint64_t recovered_bytes_ = 0;
  bool seen_file_ = false;  // a file was open at some point (a later open is a restart)
  bool pending_restart_ = false;
  bool in_copy_ = false;  // fd_ holds a rotated copy being drained; the path is reopened after it
  std::string last_;      // the last bytes returned, ending at offset_ (truncation check)
  std::vector<char> buf_;

  std::uint64_t budget_bytes_ = 0;
  std::chrono::milliseconds budget_time_{0};
  bool round_open_ = false;
  bool budget_spent_ = false;
  std::uint64_t round_bytes_ = 0;
  std::chrono::steady_clock::time_point round_start_{};
};

}  // namespace sidecar
