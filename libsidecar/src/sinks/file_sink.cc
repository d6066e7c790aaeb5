// The file sink: <run_dir>/sidecar/alerts.jsonl and status.json (sinks.h).
//
// Like the network sinks, the caller only enqueues: one writer thread appends
// alert lines (in order, bounded queue) and rewrites status.json through a
// temporary file + rename (status updates coalesce into the newest). A
// rename costs milliseconds on some file systems (overlayfs, NFS) — too much
// for the monitor loop. close() flushes, waiting at least 2 s (local writes
// are quick; a destructor's close(0) must not lose them) and at most
// max(2 s, timeout_s).
//
// A full disk: each alert line is one write() with O_APPEND, and a short
// write is truncated back, so alerts.jsonl never holds a torn record; the
// failure is counted and named in stats().last_error. A status.json that
// cannot be replaced (no space for the temporary file) is overwritten in
// place when it fits the old file's blocks (padded with spaces: still one
// JSON object), and the final status is retried a few times before the
// failure is reported.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxQueuedLines = 4096;
constexpr double kMinFlushS = 2.0;
constexpr int kFinalStatusAttempts = 5;  // the final status, 200 ms apart

double wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Shared by the sink and its writer thread (which may outlive a sink whose
// close() timed out on a stuck file system).
struct FileState {
  std::string dir;  // <run_dir>/sidecar
  std::mutex mu;
  std::condition_variable cv;       // work arrived / stop
  std::condition_variable idle_cv;  // the writer drained everything
  std::deque<std::string> lines;    // alert / resolved lines to append
  std::optional<std::string> status_json;
  bool status_final = false;  // status_json is the run's final status (retried when it fails)
  bool busy = false;          // the writer holds work outside the lock
  bool stop = false;
  SinkStats stats;
  bool dir_ready = false;  // writer thread only

  void fail_locked(const std::string& what, int err) {
    ++stats.failed;
    stats.last_error = err != 0 ? what + ": " + std::strerror(err) : what;
  }

  // Writer thread: the I/O, outside the lock.
  bool ensure_dir(std::string* error, int* err) {
    if (dir_ready) return true;
    std::string parent = dir.substr(0, dir.size() - std::strlen("/sidecar"));
    ::mkdir(parent.c_str(), 0755);  // the run directory may not exist yet (watch before launch)
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      *error = "mkdir " + dir;
      *err = errno;
      return false;
    }
    dir_ready = true;
    return true;
  }

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stop || !lines.empty() || status_json.has_value(); });
      if (lines.empty() && !status_json) {
        busy = false;
        idle_cv.notify_all();
        if (stop) return;
        continue;
      }
      std::deque<std::string> batch;
      batch.swap(lines);
      std::optional<std::string> status;
      status.swap(status_json);
      bool final = status_final;
      busy = true;
      lock.unlock();
      std::string error;
      int err = 0;
      std::uint64_t ok_lines = 0;
      bool status_ok = false;
      if (ensure_dir(&error, &err)) {
        if (!batch.empty()) ok_lines = append(batch, &error, &err);
        if (status) {
          std::string status_error;
          int status_err = 0;
          for (int attempt = 0; attempt < (final ? kFinalStatusAttempts : 1); ++attempt) {
            if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
            status_ok = replace_status(*status, &status_error, &status_err);
            if (status_ok) break;
          }
          if (!status_ok) {
            error = status_error + (final ? " (the final status could not be written)" : "");
            err = status_err;
          }
        }
      }
      lock.lock();
      busy = false;
      stats.sent += ok_lines + (status_ok ? 1 : 0);
      std::uint64_t failed = (batch.size() - ok_lines) + (status && !status_ok ? 1 : 0);
      if (failed > 0) {
        stats.failed += failed - 1;
        fail_locked(error, err);
      }
      if (lines.empty() && !status_json) idle_cv.notify_all();
    }
  }

  // Appends each line with one write(); a line written in part (a full disk)
  // is cut back off, so every record in the file is whole. Returns the number
  // of lines written; the rest failed.
  std::uint64_t append(const std::deque<std::string>& batch, std::string* error, int* err) {
    std::string path = dir + "/alerts.jsonl";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "open " + path;
      *err = errno;
      return 0;
    }
    struct stat st {};
    off_t size = ::fstat(fd, &st) == 0 ? st.st_size : -1;
    bool newline_first = false;
    if (size > 0) {  // a torn last line (a crash mid-write) must not swallow ours
      int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      char last = '\n';
      if (rfd >= 0) {
        if (::pread(rfd, &last, 1, size - 1) != 1) last = '\n';
        ::close(rfd);
      }
      newline_first = last != '\n';
    }
    std::uint64_t written = 0;
    std::string record;
    for (const std::string& line : batch) {
      record.clear();
      if (newline_first) record += '\n';
      record += line;
      ssize_t n;
      do {
        n = ::write(fd, record.data(), record.size());
      } while (n < 0 && errno == EINTR);
      if (n == static_cast<ssize_t>(record.size())) {
        if (size >= 0) size += n;
        newline_first = false;
        ++written;
        continue;
      }
      *err = n < 0 ? errno : ENOSPC;
      *error = "write " + path;
      if (n > 0 && size >= 0 && ::ftruncate(fd, size) != 0) *error += " (a torn record could not be cut back)";
      break;
    }
    ::close(fd);
    return written;
  }

  bool replace_status(const std::string& text, std::string* error, int* err) {
    std::string path = dir + "/status.json";
    Status st = detail::write_file_atomically(path, text, 0644, /*sync=*/false);
    if (st.ok()) return true;
    if (overwrite_in_place(path, text)) return true;
    *error = st.message();
    *err = 0;
    return false;
  }

  // No room for a temporary file: reuse the old file's blocks when the new
  // text fits in them, padded with spaces to the old size (JSON allows
  // trailing whitespace).
  static bool overwrite_in_place(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    struct stat st {};
    // The blocks the file already holds (a 70-byte status.json holds a page).
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !text.empty() &&
              std::max<std::size_t>(static_cast<std::size_t>(st.st_size),
                                    static_cast<std::size_t>(st.st_blocks) * 512) >= text.size();
    if (ok) {
      std::string padded = text;
      if (padded.back() == '\n') padded.pop_back();
      padded.resize(std::max<std::size_t>(static_cast<std::size_t>(st.st_size), text.size()) - 1, ' ');
      padded += '\n';
      ok = ::pwrite(fd, padded.data(), padded.size(), 0) == static_cast<ssize_t>(padded.size());
    }
    ::close(fd);
    return ok;
  }
};

class FileSink final : public Sink {
 public:
  FileSink(std::string run_dir, std::string supervisor, bool write_status)
      : state_(std::make_shared<FileState>()), supervisor_(std::move(supervisor)), write_status_(write_status) {
    std::string dir = run_dir.empty() ? std::string(".") : std::move(run_dir);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    state_->dir = dir + "/sidecar";
    thread_ = std::thread([s = state_] { s->run(); });
  }
  ~FileSink() override { close(1.0); }

  void on_alert(const Alert& alert) override { enqueue_line(to_json(alert)); }
  void on_resolved(const Resolved& resolved) override { enqueue_line(to_json(resolved)); }
  void on_snapshot(const Snapshot& snapshot) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    snapshot_ = snapshot;
    enqueue_status_locked();
  }
  void on_status(std::string_view status) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (finished_) return;
    status_ = std::string(status);
    enqueue_status_locked();
  }
  void on_finish(const RunEnd& end) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    finished_ = true;
    status_ = end.status;
    exit_code_ = end.exit_code;
    error_ = end.error;
    state_->status_final = true;
    enqueue_status_locked();
  }
  SinkStats stats() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    SinkStats s = state_->stats;
    s.queue_depth = state_->lines.size() + (state_->status_json ? 1 : 0) + (state_->busy ? 1 : 0);
    return s;
  }
  std::string_view name() const override { return "file"; }
  void close(double timeout_s) override {
    if (!thread_.joinable()) return;
    bool drained = false;
    {
      std::unique_lock<std::mutex> lock(state_->mu);
      state_->stop = true;
      state_->cv.notify_all();
      // Local writes take milliseconds: flush them even when the caller gives
      // no time (close(0) from a destructor), bounded by kMinFlushS.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(kMinFlushS, timeout_s));
      drained = state_->idle_cv.wait_until(
          lock, deadline, [&] { return !state_->busy && state_->lines.empty() && !state_->status_json; });
    }
    // A writer stuck on a hung file system keeps its own reference to the state.
    if (drained)
      thread_.join();
    else
      thread_.detach();
  }

 private:
  void enqueue_line(std::string line) {
    line += '\n';
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stop || state_->lines.size() >= kMaxQueuedLines) {
      ++state_->stats.dropped;
      return;
    }
    state_->lines.push_back(std::move(line));
    state_->cv.notify_one();
  }

  void enqueue_status_locked() {
    if (!write_status_) return;
    if (state_->stop) {
      ++state_->stats.dropped;
      return;
    }
    detail::JsonWriter w;
    w.begin_object().key("type").value("status").key("status").value(status_);
    if (exit_code_) w.key("exit_code").value(*exit_code_);
    if (!error_.empty()) w.key("error").value(error_);
    w.key("updated_at").value(wall_now());
    if (!supervisor_.empty()) w.key("supervisor").raw(supervisor_);
    if (snapshot_) {
      w.key("ts").value(snapshot_->ts).key("monitor_note").value(snapshot_->monitor_note);
      w.key("monitor_tags").begin_array();
      for (const auto& t : snapshot_->monitor_tags) w.value(t);
      w.end_array();
      w.key("monitoring").raw(detail::valid_json_object_or_empty(snapshot_->monitoring_json));
      if (!snapshot_->keys_json.empty()) w.key("keys").raw(detail::valid_json_object_or_empty(snapshot_->keys_json));
    }
    w.end_object();
    if (state_->status_json) ++state_->stats.coalesced;
    state_->status_json = w.take() + "\n";
    state_->cv.notify_one();
  }

  std::shared_ptr<FileState> state_;
  const std::string supervisor_;  // status.json's "supervisor" object ("" = none)
  const bool write_status_;       // false: status.json is left alone
  std::thread thread_;
  // Guarded by state_->mu.
  bool finished_ = false;
  std::string status_ = "running";
  std::optional<int> exit_code_;
  std::string error_;
  std::optional<Snapshot> snapshot_;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(std::string run_dir, std::string supervisor_json, bool write_status) {
  return std::make_unique<FileSink>(std::move(run_dir), std::move(supervisor_json), write_status);
}

}  // namespace sidecar
