// Test helpers for the sinks tests: a temporary directory, a child process
// started with a stdout pipe (the fake server, a real Alertmanager), free
// ports, and reading the fake server's request log.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/free_port.h"
#include "common/temp_dir.h"
#include "sidecar/config.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

extern char** environ;

namespace sidecar::test {

inline std::string source_root() { return std::filesystem::path(SIDECAR_TEST_DATA).parent_path().parent_path(); }
inline std::string fake_server_script() { return source_root() + "/tests/support/fake_server.py"; }
inline std::string python() { return "/usr/bin/python3"; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool wait_until(const std::function<bool()>& cond, double timeout_s) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

// A child process with its stdout on a pipe (stderr to a file); killed (its
// process group) on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& stderr_path = "/dev/null") {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &fa, &attr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    out_fd_ = fds[0];
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() const { return pid_ > 0; }
  // One line of stdout, waiting at most timeout_s ("" on timeout/EOF).
  std::string read_line(double timeout_s) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    std::string line;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char c;
      ssize_t n = ::read(out_fd_, &c, 1);
      if (n <= 0) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }
  void stop() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      pid_ = -1;
    }
    if (out_fd_ >= 0) {
      ::close(out_fd_);
      out_fd_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

// The fake research-agent server (tests/support/fake_server.py).
class FakeServer {
 public:
  explicit FakeServer(std::string dir, int port = 0, const std::string& mode = "ok") : dir_(std::move(dir)) {
    log_ = dir_ + "/requests.jsonl";
    start(port, mode);
  }
  void start(int port = 0, const std::string& mode = "ok") {
    child_ = std::make_unique<Child>(std::vector<std::string>{python(), fake_server_script(), "--log", log_, "--port",
                                                              std::to_string(port), "--run-dir", dir_, "--mode", mode},
                                     dir_ + "/server.err");
    std::string line = child_->read_line(10.0);
    if (line.rfind("PORT ", 0) == 0) port_ = std::atoi(line.c_str() + 5);
  }
  void stop() { child_.reset(); }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_; }
  // POST /_control with a JSON body.
  bool control(const std::string& json, const std::string& path = "/_control") {
    auto r = sidecar::detail::http_request("POST", url() + path, json, {"Content-Type: application/json"}, 5.0);
    return r && r->code == 200;
  }
  // Every logged request so far.
  std::vector<sidecar::Value> requests() const {
    std::vector<sidecar::Value> out;
    std::stringstream ss(read_file(log_));
    std::string line;
    while (std::getline(ss, line)) {
      auto v = sidecar::parse_json(line, "request log");
      if (v) out.push_back(std::move(*v));
    }
    return out;
  }
  // The requests to a path (e.g. "/runs/r1/status").
  std::vector<sidecar::Value> requests_to(const std::string& path) const {
    std::vector<sidecar::Value> out;
    for (auto& r : requests())
      if (r.find("path") && r.find("path")->str == path) out.push_back(r);
    return out;
  }

 private:
  std::string dir_;
  std::string log_;
  int port_ = 0;
  std::unique_ptr<Child> child_;
};

// A fake server in a temporary directory and a sink's options `o` pointed at
// it (o.url): the fixture of the sinks' tests against the fake server, e.g.
// TEST_CASE_METHOD(FakeServerFixture<ServerSinkOptions>, ...) { o.run_id = "r1"; ... }.
template <typename Options>
struct FakeServerFixture {
  TempDir dir;
  FakeServer server{dir.str()};
  Options o;
  FakeServerFixture() { o.url = server.url(); }
};

}  // namespace sidecar::test
