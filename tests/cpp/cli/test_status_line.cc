// The live status line of `run` (cli/status_line.h), on a real pseudo-terminal
// and on a pipe. The CLI is not a library component: its one source is
// compiled into this test directly.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "../../../cli/status_line.cc"  // NOLINT: the unit under test

using sidecar::cli::StatusLine;

namespace {

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

struct Pty {
  int master = -1, slave = -1;
  Pty(unsigned short cols) {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = 24;
    ::ioctl(slave, TIOCSWINSZ, &ws);
  }
  ~Pty() {
    ::close(slave);
    ::close(master);
  }
};

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST_CASE("the status text names step, loss, rate and open incidents", "[cli][status]") {
  StatusLine::Fields f;
  f.step = 1200;
  f.loss = 0.52341;
  f.rate = 41.25;
  f.open_incidents = 1;
  f.worst_severity = "critical";
  CHECK(StatusLine::render(f, 0, false) ==
        "sidecar: step 1200 · loss 0.5234 · 41.25 rows/s · 1 open incident (critical)");
  CHECK(StatusLine::render(f, 0, true).find("\x1b[31m1 open incident (critical)\x1b[0m") != std::string::npos);
  std::string cut = StatusLine::render(f, 30, false);
  CHECK(columns(cut) == 30);
  CHECK(cut.substr(cut.size() - 3) == "…");
  CHECK(StatusLine::render({}, 0, true) == "sidecar: no open incidents");
}

TEST_CASE("on a terminal the line is repainted in place and cut to its width", "[cli][status]") {
  ::unsetenv("NO_COLOR");
  ::setenv("TERM", "xterm", 1);
  Pty pty(40);
  {
    StatusLine s(pty.slave, false, 0.0);
    REQUIRE(s.active());
    StatusLine::Fields f;
    f.step = 7;
    f.loss = 2.5;
    f.rate = 100;
    CHECK(s.update(f, 1.0));
    f.step = 8;
    CHECK(s.update(f, 2.0));
    s.clear();
  }
  std::string out = drain(pty.master);
  // Two paints, each "\r" + text + erase-to-end-of-line, then the clear.
  CHECK(out.find("\rsidecar: step 7 · loss 2.5 · 100 rows") == 0);  // cut to the 39 columns
  std::size_t second = out.find("\rsidecar: step 8");
  REQUIRE(second != std::string::npos);
  std::string line = out.substr(second + 1, out.find("\x1b[K", second) - second - 1);
  CHECK(columns(line) <= 39);
  CHECK(out.substr(out.size() - 4) == "\r\x1b[K");
  CHECK(out.find('\n') == std::string::npos);  // never a new line: nothing scrolls
}

TEST_CASE("repaints are rate-limited and a clear makes the next one immediate", "[cli][status]") {
  Pty pty(80);
  StatusLine s(pty.slave, false, 0.5);
  StatusLine::Fields f;
  CHECK(s.update(f, 10.0));
  CHECK_FALSE(s.update(f, 10.2));
  CHECK(s.update(f, 10.6));
  s.clear();
  CHECK(s.update(f, 10.7));
}

TEST_CASE("not a terminal, or a dumb one: nothing is written", "[cli][status]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  {
    StatusLine s(fds[1]);
    CHECK_FALSE(s.active());
    CHECK_FALSE(s.update({}, 1.0));
    s.clear();
  }
  ::close(fds[1]);
  CHECK(drain(fds[0]).empty());
  ::close(fds[0]);
  Pty pty(80);
  ::setenv("TERM", "dumb", 1);
  StatusLine dumb(pty.slave);
  CHECK_FALSE(dumb.active());
  ::setenv("TERM", "xterm", 1);
}
