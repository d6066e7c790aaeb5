// The file sink: <run_dir>/sidecar/alerts.jsonl and status.json (sinks.h).
// Small local writes, done synchronously (an append of one line; a status
// file rewritten through a temporary + rename, at snapshot cadence).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>

#include "sidecar/detail/json_writer.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

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

class FileSink final : public Sink {
 public:
  explicit FileSink(std::string run_dir) : dir_(run_dir.empty() ? std::string(".") : std::move(run_dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    dir_ += "/sidecar";
  }

  void on_alert(const Alert& alert) override { append(to_json(alert)); }
  void on_resolved(const Resolved& resolved) override { append(to_json(resolved)); }
  void on_snapshot(const Snapshot& snapshot) override {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = snapshot;
    write_status_locked();
  }
  void on_status(std::string_view status) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    status_ = std::string(status);
    write_status_locked();
  }
  void on_finish(const RunEnd& end) override {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    status_ = end.status;
    exit_code_ = end.exit_code;
    error_ = end.error;
    write_status_locked();
  }
  SinkStats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  std::string_view name() const override { return "file"; }
  void close(double) override {}

 private:
  bool ensure_dir_locked() {
    if (dir_ready_) return true;
    std::string parent = dir_.substr(0, dir_.size() - std::strlen("/sidecar"));
    ::mkdir(parent.c_str(), 0755);  // the run directory may not exist yet (watch before launch)
    if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
      fail_locked("mkdir " + dir_);
      return false;
    }
    dir_ready_ = true;
    return true;
  }

  void fail_locked(const std::string& what) {
    ++stats_.failed;
    stats_.last_error = what + ": " + std::strerror(errno);
  }

  void append(std::string line) {
    line += '\n';
    std::lock_guard<std::mutex> lock(mu_);
    if (!ensure_dir_locked()) return;
    std::string path = dir_ + "/alerts.jsonl";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail_locked("open " + path);
    bool ok = write_all(fd, line);
    if (!ok) fail_locked("write " + path);
    ::close(fd);
    if (ok) ++stats_.sent;
  }

  void write_status_locked() {
    if (!ensure_dir_locked()) return;
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
      w.key("monitoring")
          .raw(snapshot_->monitoring_json.empty() ? std::string_view("{}")
                                                  : std::string_view(snapshot_->monitoring_json));
    }
    w.end_object();
    std::string text = w.take() + "\n";
    std::string path = dir_ + "/status.json";
    std::string tmp = dir_ + "/.status.json." + std::to_string(::getpid()) + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_locked("open " + tmp);
    bool ok = write_all(fd, text);
    if (!ok) fail_locked("write " + tmp);
    ::close(fd);
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
      fail_locked("rename " + tmp);
      ok = false;
    }
    if (!ok) {
      ::unlink(tmp.c_str());
      return;
    }
    ++stats_.sent;
  }

  std::string dir_;
  mutable std::mutex mu_;
  bool dir_ready_ = false;
  bool finished_ = false;
  std::string status_ = "running";
  std::optional<int> exit_code_;
  std::string error_;
  std::optional<Snapshot> snapshot_;
  SinkStats stats_;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(std::string run_dir) { return std::make_unique<FileSink>(std::move(run_dir)); }

}  // namespace sidecar
