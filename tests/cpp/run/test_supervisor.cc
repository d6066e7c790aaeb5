// ChildProcess and the stop protocol, with real child processes.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/supervisor.h"

using sidecar::ChildProcess;
using sidecar::LaunchOptions;

namespace {

// Reads both pipes until EOF on both; returns (stdout, stderr).
std::pair<std::string, std::string> drain(ChildProcess& c) {
  std::string out, err, buf;
  while (c.out_fd() >= 0 || c.err_fd() >= 0) {
    pollfd fds[2] = {{c.out_fd(), POLLIN, 0}, {c.err_fd(), POLLIN, 0}};
    ::poll(fds, 2, 1000);
    if (c.out_fd() >= 0 && c.read_available(c.out_fd(), &buf)) out += buf;
    if (c.err_fd() >= 0 && c.read_available(c.err_fd(), &buf)) err += buf;
  }
  return {out, err};
}

sidecar::ExitInfo wait_exit(ChildProcess& c, double timeout_s = 10) {
  double until = sidecar::monotonic_seconds() + timeout_s;
  while (sidecar::monotonic_seconds() < until) {
    if (auto e = c.poll_exit()) return *e;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("child did not exit in time");
  return {};
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

// ChildProcess::launch of argv with default options, required to succeed.
sidecar::Result<ChildProcess> launch(std::vector<std::string> argv) {
  LaunchOptions o;
  o.argv = std::move(argv);
  auto c = ChildProcess::launch(o);
  REQUIRE(c.ok());
  return c;
}

}  // namespace

TEST_CASE("launch runs the command without a shell, separates stdout and stderr", "[run][supervisor]") {
  LaunchOptions o;
  o.argv = {"sh", "-c", "echo out; echo err >&2; echo \"$SIDECAR_X\"; exit 7"};
  o.env = {"SIDECAR_X=hello world"};
  auto c = ChildProcess::launch(o);
  REQUIRE(c.ok());
  auto [out, err] = drain(*c);
  CHECK(out == "out\nhello world\n");
  CHECK(err == "err\n");
  auto e = wait_exit(*c);
  CHECK(e.exit_code == 7);
  CHECK(e.shell_status() == 7);
  CHECK(e.describe() == "exit code 7");
}

TEST_CASE("launch reports a missing program as kNotFound", "[run][supervisor]") {
  LaunchOptions o;
  o.argv = {"/nonexistent/sidecar-no-such-program"};
  auto c = ChildProcess::launch(o);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == sidecar::StatusCode::kNotFound);
  CHECK(c.status().message().find("sidecar-no-such-program") != std::string::npos);
  o.argv = {};
  CHECK(ChildProcess::launch(o).status().code() == sidecar::StatusCode::kInvalidArgument);
}

TEST_CASE("a signal death maps to 128+N", "[run][supervisor]") {
  auto c = launch({"sh", "-c", "kill -TERM $$"});
  auto e = wait_exit(*c);
  CHECK(e.term_signal == SIGTERM);
  CHECK(e.shell_status() == 128 + SIGTERM);
  CHECK(e.describe() == "signal 15 (SIGTERM)");
}

TEST_CASE("terminate_group reaches grandchildren and escalates to SIGKILL", "[run][supervisor]") {
  REQUIRE(sidecar::become_subreaper());
  // The child ignores SIGTERM and forks a grandchild that ignores it too.
  auto c = launch({"sh", "-c", "trap '' TERM; sleep 60 & echo $!; wait"});
  std::string buf, line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{c->out_fd(), POLLIN, 0};
    ::poll(&p, 1, 1000);
    if (c->read_available(c->out_fd(), &buf)) line += buf;
  }
  pid_t grandchild = static_cast<pid_t>(std::stol(line));
  REQUIRE(alive(grandchild));
  double t0 = sidecar::monotonic_seconds();
  c->terminate_group(0.3, t0);
  CHECK(c->terminating());
  // `sleep` inherits the ignored SIGTERM: only the SIGKILL ends it.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(c->group_alive());
  while (c->poll_kill(sidecar::monotonic_seconds())) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(c->sent_kill());
  auto e = wait_exit(*c);
  CHECK(e.term_signal == SIGKILL);
  // The orphaned grandchild comes to us (subreaper) rather than to init, which
  // reaps slowly in some containers.
  for (int i = 0; i < 500 && c->group_alive(); ++i) {
    sidecar::reap_adopted(c->pid(), false);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK_FALSE(c->group_alive());
}

TEST_CASE("the destructor leaves no orphans", "[run][supervisor]") {
  pid_t pid = -1;
  {
    auto c = launch({"sleep", "60"});
    pid = c->pid();
    REQUIRE(alive(pid));
  }
  CHECK_FALSE(alive(pid));  // killed and reaped (a zombie would still answer kill 0)
}

TEST_CASE("SignalPipe turns signals into readable bytes", "[run][supervisor]") {
  sidecar::SignalPipe sp;
  REQUIRE(sp.ok());
  ::raise(SIGHUP);
  auto sigs = sp.drain();
  REQUIRE(sigs.size() == 1);
  CHECK(sigs[0] == SIGHUP);
  CHECK(sp.drain().empty());
}

TEST_CASE("as a subreaper, workers that left the process group are ended too", "[run][supervisor]") {
  REQUIRE(sidecar::become_subreaper());
  // A worker that escapes the group with setsid, and a parent that exits.
  auto c = launch({"sh", "-c", "setsid sleep 60 >/dev/null 2>&1 & echo $!"});
  auto [out, err] = drain(*c);
  pid_t worker = static_cast<pid_t>(std::stol(out));
  wait_exit(*c);
  REQUIRE(alive(worker));
  // Once setsid() has run, the worker is not in the group any more.
  for (int i = 0; i < 200 && c->group_alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_FALSE(c->group_alive());
  CHECK(sidecar::reap_adopted(c->pid(), true) >= 1);
  CHECK_FALSE(alive(worker));  // reaped here, so not even a zombie
}
