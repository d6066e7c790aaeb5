#include "sidecar/process.h"

#include "sidecar/detail/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

extern char** environ;

namespace sidecar {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

// write() to a pipe whose reader is gone, without letting SIGPIPE kill the
// host process (a library must not change the process's signal dispositions).
ssize_t write_no_sigpipe(int fd, const char* data, std::size_t n) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  ssize_t w = ::write(fd, data, n);
  if (w < 0 && errno == EPIPE && !was_pending) {
    int saved = errno;
    timespec zero{0, 0};
    sigtimedwait(&block, nullptr, &zero);  // consume the SIGPIPE we caused
    errno = saved;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return w;
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string_view env_name(std::string_view entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

namespace detail {

Result<pid_t> spawn_in_new_group(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides,
                                 const posix_spawn_file_actions_t* actions) {
  if (argv.empty() || argv[0].empty()) return Status(StatusCode::kInvalidArgument, "no program to run");
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& o : env_overrides) replaced = replaced || env_name(o) == env_name(entry);
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& o : env_overrides)  // "NAME" without '=' removes NAME
    if (o.find('=') != std::string::npos) env.push_back(o);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argp[0], actions, &attr, argp.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc == 0) return pid;
  if (rc == ENOENT) return Status(StatusCode::kNotFound, argv[0] + ": no such program");
  if (rc == EACCES || rc == EPERM || rc == ENOEXEC)
    return Status(StatusCode::kPermissionDenied, argv[0] + ": not executable (" + std::strerror(rc) + ")");
  return Status(StatusCode::kIoError, argv[0] + ": " + std::strerror(rc));
}

}  // namespace detail

namespace {

// Waits for run_process's child once its output is closed, killing its
// group at the deadline (or at once when it already timed out), and records
// how it ended.
void reap(pid_t pid, double deadline, ProcessResult* result) {
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, result->timed_out ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (w == 0) {
      // Output closed but the process lingers: give it until the deadline.
      if (now_s() >= deadline) {
        result->timed_out = true;
        ::kill(-pid, SIGKILL);
      } else {
        ::usleep(2000);
      }
    }
  }
  if (WIFEXITED(status)) result->exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result->term_signal = WTERMSIG(status);
}

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::string_view input,
                                  const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) return Status(StatusCode::kInvalidArgument, "no program to run");
  Pipe in, out, err;
  if (::pipe2(in.fd, O_CLOEXEC) != 0 || ::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(err.fd, O_CLOEXEC) != 0)
    return Status(StatusCode::kIoError, std::string("pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  auto spawned = detail::spawn_in_new_group(argv, options.env, &actions);
  posix_spawn_file_actions_destroy(&actions);
  if (!spawned) return spawned.status();
  const pid_t pid = *spawned;
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  for (int fd : {in.fd[1], out.fd[0], err.fd[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  ProcessResult result;
  std::size_t written = 0;
  if (input.empty()) in.close_end(1);
  const double deadline = now_s() + options.timeout_s;
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    double left = deadline - now_s();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in.fd[1] >= 0) fds[idx_in = n++] = {in.fd[1], POLLOUT, 0};
    if (out.fd[0] >= 0) fds[idx_out = n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[idx_err = n++] = {err.fd[0], POLLIN, 0};
    int ready = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left * 1000) + 1);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write_no_sigpipe(in.fd[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // reader gone
      if (written >= input.size()) in.close_end(1);
    }
    auto drain = [&](int idx, Pipe& p, std::string& sink) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = ::read(p.fd[0], buf, sizeof buf);
      if (r > 0) {
        std::size_t room = options.max_output > sink.size() ? options.max_output - sink.size() : 0;
        std::size_t take = std::min(room, static_cast<std::size_t>(r));
        sink.append(buf, take);
        if (take < static_cast<std::size_t>(r)) result.truncated = true;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        p.close_end(0);
      }
    };
    drain(idx_out, out, result.out);
    drain(idx_err, err, result.err);
  }
  in.close_end(1);
  reap(pid, deadline, &result);
  return result;
}

}  // namespace sidecar

namespace sidecar {

namespace detail {

Result<Watcher> spawn_watcher(const std::vector<std::string>& script_and_args,
                              const std::function<void(posix_spawn_file_actions_t*, int read_fd)>& add_actions) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status(StatusCode::kIoError, std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (add_actions) add_actions(&actions, fds[0]);
  std::vector<std::string> argv = {"/bin/sh", "-c"};
  argv.insert(argv.end(), script_and_args.begin(), script_and_args.end());
  auto spawned = spawn_in_new_group(argv, {}, &actions);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (!spawned) {
    ::close(fds[1]);
    return Status(StatusCode::kIoError, "lifeline: " + spawned.status().message());
  }
  return Watcher{*spawned, fds[1]};
}

void stop_watcher(pid_t* pid, int* write_fd) {
  if (*pid > 0) {
    ::kill(-*pid, SIGKILL);  // its own group: the shell and what it started
    int status = 0;
    while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (*write_fd >= 0) ::close(*write_fd);
  *pid = -1;
  *write_fd = -1;
}

}  // namespace detail

Result<GroupLifeline> GroupLifeline::start(int pgid, int sig) {
  if (pgid <= 1) return Status(StatusCode::kInvalidArgument, "lifeline: no process group");
  // `cat` returns at EOF: when every copy of the write end is closed, i.e. when we are gone.
  auto watcher = detail::spawn_watcher({"cat >/dev/null; kill -s \"$1\" -- \"-$2\" 2>/dev/null", "sidecar-lifeline",
                                        std::to_string(sig), std::to_string(pgid)});
  if (!watcher) return watcher.status();
  GroupLifeline l;
  l.pid_ = watcher->pid;
  l.write_fd_ = watcher->write_fd;
  return l;
}

GroupLifeline::GroupLifeline(GroupLifeline&& other) noexcept { *this = std::move(other); }

GroupLifeline& GroupLifeline::operator=(GroupLifeline&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    write_fd_ = std::exchange(other.write_fd_, -1);
  }
  return *this;
}

void GroupLifeline::release() { detail::stop_watcher(&pid_, &write_fd_); }

}  // namespace sidecar
