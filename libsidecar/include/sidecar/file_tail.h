// FileTail: incremental reader over a file that another process is writing.
//
// Byte-offset based; only new bytes are read. Handles files that appear
// later, truncation (size shrinks: copytruncate rotation), rotation by rename
// (inode change: the old file is drained first, then the new one is read from
// its start), deletion and re-creation. Never loses bytes to a per-poll cap:
// callers poll until no data comes back.
//
//   sidecar::FileTail tail("run/metrics.jsonl");
//   while (auto chunk = tail.poll()) {          // Result<FileTail::Chunk>
//     if (chunk->data.empty()) break;           // nothing new (or no file yet)
//     if (chunk->restarted) parser.reset();     // a new file: drop partial-line state
//     parser.feed(chunk->data);
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/status.h"

namespace sidecar {

class FileTail {
 public:
  explicit FileTail(std::string path);
  ~FileTail();
  FileTail(FileTail&& other) noexcept;
  FileTail& operator=(FileTail&& other) noexcept;
  FileTail(const FileTail&) = delete;
  FileTail& operator=(const FileTail&) = delete;

  struct Chunk {
    std::string_view data;     // valid until the next poll()
    bool restarted = false;    // data begins a new file (truncated, rotated, re-created)
    std::uint64_t offset = 0;  // byte offset of data[0] in its file
  };

  // Reads up to max_bytes of new data. An empty chunk means nothing new (or
  // the file does not exist yet). Errors: kPermissionDenied (unreadable),
  // kIoError (the path is a directory, or a read failed). After an error the
  // tail simply tries again on the next poll.
  Result<Chunk> poll(std::size_t max_bytes = std::size_t{1} << 20);

  // Skips what the file holds now (attach to a running job's log without replaying it).
  void seek_to_end();

  const std::string& path() const { return path_; }
  std::uint64_t offset() const { return offset_; }
  bool is_open() const { return fd_ >= 0; }
  // How many times the file restarted (truncation, rotation, re-creation).
  std::uint64_t restarts() const { return restarts_; }

 private:
  Status open_file(bool* opened);
  void close_file();

  std::string path_;
  int fd_ = -1;
  std::uint64_t dev_ = 0;
  std::uint64_t ino_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t restarts_ = 0;
  bool seen_file_ = false;  // a file was open at some point (a later open is a restart)
  bool pending_restart_ = false;
  std::vector<char> buf_;
};

}  // namespace sidecar
