// Child process supervision: launch in a new process group, non-blocking
// output pipes, the SIGTERM -> SIGKILL stop protocol, and a signal self-pipe.
#include "sidecar/supervisor.h"

#include "sidecar/detail/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace sidecar {
namespace {

void close_fd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

}  // namespace

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(sig);
}

std::string ExitInfo::describe() const {
  if (term_signal != 0) return "signal " + std::to_string(term_signal) + " (" + signal_name(term_signal) + ")";
  return "exit code " + std::to_string(exit_code);
}

Result<ChildProcess> ChildProcess::launch(const LaunchOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) return Status(StatusCode::kInvalidArgument, "no command to run");
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    for (int* p : {&out[0], &out[1], &err[0], &err[1]}) close_fd(p);
    return Status(StatusCode::kIoError, std::string("pipe: ") + std::strerror(e));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_null) posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  auto spawned = detail::spawn_in_new_group(options.argv, options.env, &actions);
  posix_spawn_file_actions_destroy(&actions);
  close_fd(&out[1]);
  close_fd(&err[1]);
  if (!spawned) {
    close_fd(&out[0]);
    close_fd(&err[0]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
  for (int fd : {out[0], err[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ChildProcess child;
  child.pid_ = pid;
  child.out_fd_ = out[0];
  child.err_fd_ = err[0];
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    err_fd_ = std::exchange(other.err_fd_, -1);
    exit_ = std::exchange(other.exit_, std::nullopt);
    kill_at_ = std::exchange(other.kill_at_, std::nullopt);
    killed_ = std::exchange(other.killed_, false);
  }
  return *this;
}

ChildProcess::~ChildProcess() { release(); }

void ChildProcess::release() {
  close_pipes();
  if (pid_ <= 0) return;
  if (group_alive()) ::kill(-pid_, SIGKILL);
  if (!exit_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

bool ChildProcess::read_available(int fd, std::string* buf, std::size_t max_bytes) {
  buf->clear();
  if (fd < 0 || (fd != out_fd_ && fd != err_fd_)) return false;
  buf->resize(max_bytes);
  for (;;) {
    ssize_t n = ::read(fd, buf->data(), max_bytes);
    if (n > 0) {
      buf->resize(static_cast<std::size_t>(n));
      return true;
    }
    buf->clear();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    // EOF (or a read error, which ends this stream the same way).
    if (fd == out_fd_) close_fd(&out_fd_);
    if (fd == err_fd_) close_fd(&err_fd_);
    return false;
  }
}

void ChildProcess::close_pipes() {
  close_fd(&out_fd_);
  close_fd(&err_fd_);
}

std::optional<ExitInfo> ChildProcess::poll_exit() {
  if (exit_ || pid_ <= 0) return exit_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    ExitInfo info;
    if (WIFEXITED(status)) info.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) info.term_signal = WTERMSIG(status);
    exit_ = info;
  } else if (r < 0 && errno == ECHILD) {
    exit_ = ExitInfo{};  // reaped elsewhere: nothing more to learn
  }
  return exit_;
}

Status ChildProcess::signal_group(int sig) const {
  if (pid_ <= 0) return Status(StatusCode::kNotFound, "no child process");
  if (::kill(-pid_, sig) != 0) {
    if (errno == ESRCH) return Status(StatusCode::kNotFound, "process group " + std::to_string(pid_) + " is gone");
    return Status(StatusCode::kIoError, "kill: " + std::string(std::strerror(errno)));
  }
  return Status::Ok();
}

bool ChildProcess::group_alive() const {
  if (pid_ <= 0) return false;
  return ::kill(-pid_, 0) == 0 || errno == EPERM;
}

void ChildProcess::terminate_group(double grace_s, double now) {
  if (kill_at_ || killed_) return;
  signal_group(SIGTERM);
  kill_at_ = now + (grace_s > 0 ? grace_s : 0.0);
  // A child stopped (SIGSTOP/SIGTSTP) would hold SIGTERM pending forever.
  signal_group(SIGCONT);
}

std::optional<double> ChildProcess::poll_kill(double now) {
  if (!kill_at_) return std::nullopt;
  if (!group_alive()) {
    kill_at_.reset();
    return std::nullopt;
  }
  if (now >= *kill_at_) {
    signal_group(SIGKILL);
    killed_ = true;
    kill_at_.reset();
    return std::nullopt;
  }
  return *kill_at_ - now;
}

// ---- Orphans -------------------------------------------------------------

bool become_subreaper() { return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

namespace {

// The pids whose parent is this process (from /proc), except `keep`.
std::vector<pid_t> child_pids(pid_t keep) {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == keep) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const char* rp = std::strrchr(buf, ')');
    if (!rp) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == self) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

}  // namespace

int reap_adopted(pid_t keep, bool kill_all, double timeout_s) {
  int reaped = 0;
  const double until = monotonic_seconds() + timeout_s;
  for (;;) {
    std::vector<pid_t> kids = child_pids(keep);
    for (pid_t p : kids) {
      if (kill_all) ::kill(p, SIGKILL);
      int status = 0;
      // Never a blocking wait: a process stuck in the kernel (D state) must
      // not hang the supervisor past timeout_s.
      if (::waitpid(p, &status, WNOHANG) == p) ++reaped;
    }
    // Killing an adopted process orphans its own children, which come here next.
    if (!kill_all || kids.empty() || monotonic_seconds() >= until) break;
    ::usleep(5000);
  }
  return reaped;
}

// ---- SignalPipe ----------------------------------------------------------

namespace {

std::atomic<int> g_signal_write_fd{-1};

extern "C" void sidecar_signal_handler(int sig) {
  int saved = errno;
  int fd = g_signal_write_fd.load();
  if (fd >= 0) {
    unsigned char b = static_cast<unsigned char>(sig);
    [[maybe_unused]] ssize_t w = ::write(fd, &b, 1);
  }
  errno = saved;
}

constexpr int kCaught[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
struct sigaction g_old_actions[4];
struct sigaction g_old_pipe;

}  // namespace

SignalPipe::SignalPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_signal_write_fd.store(write_fd_);
  struct sigaction sa {};
  sa.sa_handler = sidecar_signal_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < std::size(kCaught); ++i) ::sigaction(kCaught[i], &sa, &g_old_actions[i]);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  ::sigaction(SIGPIPE, &ign, &g_old_pipe);
}

SignalPipe::~SignalPipe() {
  if (read_fd_ < 0) return;
  for (std::size_t i = 0; i < std::size(kCaught); ++i) ::sigaction(kCaught[i], &g_old_actions[i], nullptr);
  ::sigaction(SIGPIPE, &g_old_pipe, nullptr);
  g_signal_write_fd.store(-1);
  close_fd(&read_fd_);
  close_fd(&write_fd_);
}

std::vector<int> SignalPipe::drain() {
  std::vector<int> out;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = ::read(read_fd_, buf, sizeof buf);
    if (n > 0) {
      for (ssize_t i = 0; i < n; ++i) out.push_back(buf[i]);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return out;
}

}  // namespace sidecar
