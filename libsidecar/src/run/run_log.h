// RunLog: the child's output appended to <run_dir>/run.log. Each stream's
// bytes are written up to their last newline at once; a partial line is held
// (at most 64 KiB, at most ~1 s) so that stdout and stderr lines never splice
// into each other; when it is written before its newline came (held too long,
// too long, or the end of the run) it gets a '\n' of its own, so it never
// splices with what follows either.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sidecar/status.h"

namespace sidecar::detail {

class RunLog {
 public:
  RunLog() = default;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  ~RunLog();

  // Errors: kIoError (cannot open or create the file).
  Status open(const std::string& path);
  // Bytes of one stream (0 = stdout, 1 = stderr).
  void write(int stream, std::string_view bytes, double now);
  // Writes partial lines held longer than max_age_s.
  void flush_stale(double now, double max_age_s = 1.0);
  void flush_all();
  // The first write error ("" = none).
  const std::string& error() const { return error_; }

 private:
  static constexpr std::size_t kMaxHold = 64 * 1024;
  void flush(int s);
  void write_all(std::string_view data);

  int fd_ = -1;
  std::string pending_[2];
  double since_[2] = {0, 0};
  std::string error_;
};

}  // namespace sidecar::detail
