// The file sink: <run_dir>/sidecar/alerts.jsonl and status.json (sinks.h).
//
// Like the network sinks, the caller only enqueues: one writer thread appends
// alert lines (in order, bounded queue) and rewrites status.json through a
// temporary file + rename (status updates coalesce into the newest). A
// rename costs milliseconds on some file systems (overlayfs, NFS) — too much
// for the monitor loop. close() flushes, waiting at least 2 s (local writes
// are quick; a destructor's close(0) must not lose them) and at most
// max(2 s, timeout_s).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

#include "sidecar/detail/json_writer.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxQueuedLines = 4096;
constexpr double kMinFlushS = 2.0;

double wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
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
  bool busy = false;  // the writer holds work outside the lock
  bool stop = false;
  SinkStats stats;
  bool dir_ready = false;  // writer thread only

  void fail_locked(const std::string& what, int err) {
    ++stats.failed;
    stats.last_error = what + ": " + std::strerror(err);
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
      busy = true;
      lock.unlock();
      std::string error;
      int err = 0;
      std::uint64_t ok_lines = 0;
      bool status_ok = false;
      if (ensure_dir(&error, &err)) {
        if (!batch.empty()) ok_lines = append(batch, &error, &err);
        if (status) status_ok = replace_status(*status, &error, &err);
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

  std::uint64_t append(const std::deque<std::string>& batch, std::string* error, int* err) {
    std::string path = dir + "/alerts.jsonl";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "open " + path;
      *err = errno;
      return 0;
    }
    std::string text;
    for (const auto& l : batch) text += l;
    bool ok = write_all(fd, text);
    if (!ok) {
      *error = "write " + path;
      *err = errno;
    }
    ::close(fd);
    return ok ? batch.size() : 0;
  }

  bool replace_status(const std::string& text, std::string* error, int* err) {
    std::string path = dir + "/status.json";
    std::string tmp = dir + "/.status.json." + std::to_string(::getpid()) + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = "open " + tmp;
      *err = errno;
      return false;
    }
    bool ok = write_all(fd, text);
    if (!ok) {
      *error = "write " + tmp;
      *err = errno;
    }
    ::close(fd);
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
      *error = "rename " + tmp;
      *err = errno;
      ok = false;
    }
    if (!ok) ::unlink(tmp.c_str());
    return ok;
  }
};

class FileSink final : public Sink {
 public:
  explicit FileSink(std::string run_dir) : state_(std::make_shared<FileState>()) {
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
    if (state_->stop) {
      ++state_->stats.dropped;
      return;
    }
    detail::JsonWriter w;
    w.begin_object().key("type").value("status").key("status").value(status_);
    if (exit_code_) w.key("exit_code").value(*exit_code_);
    if (!error_.empty()) w.key("error").value(error_);
    w.key("updated_at").value(wall_now());
    if (snapshot_) {
      w.key("ts").value(snapshot_->ts).key("monitor_note").value(snapshot_->monitor_note);
      w.key("monitor_tags").begin_array();
      for (const auto& t : snapshot_->monitor_tags) w.value(t);
      w.end_array();
      w.key("monitoring").raw(detail::valid_json_object_or_empty(snapshot_->monitoring_json));
    }
    w.end_object();
    if (state_->status_json) ++state_->stats.coalesced;
    state_->status_json = w.take() + "\n";
    state_->cv.notify_one();
  }

  std::shared_ptr<FileState> state_;
  std::thread thread_;
  // Guarded by state_->mu.
  bool finished_ = false;
  std::string status_ = "running";
  std::optional<int> exit_code_;
  std::string error_;
  std::optional<Snapshot> snapshot_;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(std::string run_dir) { return std::make_unique<FileSink>(std::move(run_dir)); }

}  // namespace sidecar
