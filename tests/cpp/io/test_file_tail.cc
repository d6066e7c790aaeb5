// FileTail: growth, late files, truncation, rotation, directories; run_process.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "common/temp_dir.h"
#include "sidecar/detail/spawn.h"
#include "sidecar/file_tail.h"
#include "sidecar/process.h"

namespace fs = std::filesystem;
using sidecar::test::TempDir;

namespace {

void append(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::app | std::ios::binary) << s; }

// Everything new, concatenated; sets *restarted if any chunk restarted.
std::string drain(sidecar::FileTail& t, bool* restarted = nullptr, std::size_t max = 1 << 20) {
  std::string all;
  while (true) {
    auto c = t.poll(max);
    REQUIRE(c);
    if (c->data.empty()) break;
    if (c->restarted && restarted) *restarted = true;
    all.append(c->data);
  }
  return all;
}

}  // namespace

TEST_CASE("FileTail reads only new bytes, in small chunks without loss", "[file_tail]") {
  TempDir dir("tail");
  auto p = dir.path / "m.jsonl";
  sidecar::FileTail t(p.string());
  CHECK(drain(t).empty());  // not there yet: no error
  append(p, "abc\nde");
  CHECK(drain(t, nullptr, 2) == "abc\nde");
  append(p, "f\n");
  bool restarted = false;
  CHECK(drain(t, &restarted) == "f\n");
  CHECK_FALSE(restarted);
  CHECK(t.offset() == 8);
}

TEST_CASE("FileTail restarts on truncation and on rotation, draining the old file first", "[file_tail]") {
  TempDir dir("tail");
  auto p = dir.path / "run.log";
  sidecar::FileTail t(p.string());
  append(p, "one\ntwo\n");
  CHECK(drain(t) == "one\ntwo\n");

  std::ofstream(p, std::ios::trunc) << "x\n";  // copytruncate
  bool restarted = false;
  CHECK(drain(t, &restarted) == "x\n");
  CHECK(restarted);

  append(p, "tail-of-old\n");
  fs::rename(p, dir.path / "run.log.1");  // rotation by rename, then a new file
  append(p, "new\n");
  restarted = false;
  CHECK(drain(t, &restarted) == "tail-of-old\nnew\n");
  CHECK(restarted);
  CHECK(t.restarts() == 2);

  fs::remove(p);  // deleted, then re-created later
  CHECK(drain(t).empty());
  append(p, "again\n");
  CHECK(drain(t) == "again\n");
}

TEST_CASE("FileTail reports a directory or an unreadable file and keeps going", "[file_tail]") {
  TempDir dir("tail");
  auto p = dir.path / "metrics.jsonl";
  fs::create_directory(p);
  sidecar::FileTail t(p.string());
  auto r = t.poll();
  REQUIRE_FALSE(r);
  CHECK(r.status().code() == sidecar::StatusCode::kIoError);
  CHECK(r.status().message().find("is a directory") != std::string::npos);
  fs::remove(p);
  append(p, "ok\n");
  CHECK(drain(t) == "ok\n");
  if (::geteuid() != 0) {  // root reads anything
    auto q = dir.path / "secret";
    append(q, "x");
    ::chmod(q.c_str(), 0);
    sidecar::FileTail u(q.string());
    auto e = u.poll();
    REQUIRE_FALSE(e);
    CHECK(e.status().code() == sidecar::StatusCode::kPermissionDenied);
  }
}

TEST_CASE("FileTail::seek_to_end skips existing content", "[file_tail]") {
  TempDir dir("tail");
  auto p = dir.path / "x.log";
  append(p, "old\n");
  sidecar::FileTail t(p.string());
  t.seek_to_end();
  append(p, "new\n");
  CHECK(drain(t) == "new\n");
}

TEST_CASE("FileTail refuses FIFOs and devices without opening them", "[file_tail]") {
  TempDir dir("tail");
  auto fifo = dir.path / "metrics.jsonl";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  sidecar::FileTail t(fifo.string());
  auto r = t.poll();
  REQUIRE_FALSE(r);
  CHECK(r.status().code() == sidecar::StatusCode::kIoError);
  CHECK(r.status().message().find("FIFO") != std::string::npos);
  // A writer opening the FIFO must not have been released by us: it still
  // blocks (non-blocking open for writing fails with ENXIO: no reader).
  int w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  CHECK(w < 0);
  if (w >= 0) ::close(w);

  sidecar::FileTail z("/dev/zero");
  auto e = z.poll();
  REQUIRE_FALSE(e);
  CHECK(e.status().message().find("character device") != std::string::npos);
}

TEST_CASE("FileTail round budget bounds one round of polls and resumes where it stopped", "[file_tail]") {
  TempDir dir("tail");
  auto p = dir.path / "big.log";
  append(p, std::string(10 << 20, 'x'));
  sidecar::FileTail t(p.string());
  t.set_round_budget(std::uint64_t{3} << 20, std::chrono::milliseconds(0));
  std::uint64_t total = 0;
  int rounds = 0;
  for (; rounds < 20; ++rounds) {
    std::uint64_t round = 0;
    for (;;) {
      auto c = t.poll(1 << 20);
      REQUIRE(c);
      if (c->data.empty()) break;
      round += c->data.size();
    }
    CHECK(round <= (std::uint64_t{3} << 20));
    total += round;
    if (!t.budget_spent()) break;
  }
  CHECK(total == (std::uint64_t{10} << 20));
  CHECK(rounds == 3);  // 3 + 3 + 3 + 1 MiB, the last round ends on the data
}

namespace {

// A writer at ~20 000 lines/s for `seconds`, rotating every `every`:
// by rename (keeps writing to the old file for `reopen_after`, then reopens)
// or by copytruncate (copy to .1, truncate in place, keep writing). The
// reader polls every 10 ms; every line must arrive exactly once, in order.
void rotation_soak(bool copytruncate) {
  using namespace std::chrono;
  TempDir dir("tail");
  auto p = dir.path / "train.log";
  const int kLinesPerBatch = 100;  // every 5 ms: 20 000 lines/s
  const auto kRun = milliseconds(2500), kEvery = milliseconds(250), kReopenAfter = milliseconds(100);
  std::atomic<bool> done{false};
  std::atomic<long> written{0};
  std::atomic<bool> writer_failed{false};  // Catch2 assertions are not thread-safe: checked after join
  std::thread writer([&] {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int old_fd = -1;
    auto start = steady_clock::now(), next_rotate = start + kEvery, reopen_at = start;
    long n = 0;
    while (steady_clock::now() - start < kRun) {
      std::string batch;
      for (int i = 0; i < kLinesPerBatch; ++i, ++n)
        batch += "line " + std::to_string(n) + " loss=0.5 step=" + std::to_string(n + 1) + "\n";
      int target = old_fd >= 0 ? old_fd : fd;
      if (::write(target, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size())) writer_failed = true;
      written = n;
      auto now = steady_clock::now();
      if (old_fd >= 0 && now >= reopen_at) {  // the writer notices the rotation late
        ::close(old_fd);
        old_fd = -1;
      }
      if (now >= next_rotate) {
        next_rotate += kEvery;
        if (copytruncate) {
          std::error_code ec;
          fs::copy_file(p, dir.path / "train.log.1", fs::copy_options::overwrite_existing, ec);
          if (ec || ::ftruncate(fd, 0) != 0) writer_failed = true;
        } else if (old_fd < 0) {
          fs::rename(p, dir.path / "train.log.1");
          old_fd = fd;  // still writing to the renamed file for a while
          fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
          reopen_at = now + kReopenAfter;
        }
      }
      std::this_thread::sleep_until(start + milliseconds(5) * (n / kLinesPerBatch));
    }
    if (old_fd >= 0) ::close(old_fd);
    ::close(fd);
    done = true;
  });

  sidecar::FileTail t(p.string());
  std::string partial;
  long next = 0, bad = 0;
  auto consume = [&] {
    for (;;) {
      auto c = t.poll();
      REQUIRE(c);
      if (c->data.empty()) break;
      if (c->restarted) {
        if (!partial.empty()) ++bad;  // a line cut by the rotation
        partial.clear();
      }
      partial.append(c->data);
      std::size_t start = 0, nl;
      while ((nl = partial.find('\n', start)) != std::string::npos) {
        std::string_view line(partial.data() + start, nl - start);
        long got = std::stol(std::string(line.substr(5)));
        if (got != next) ++bad;
        next = got + 1;
        start = nl + 1;
      }
      partial.erase(0, start);
    }
  };
  while (!done) {
    consume();
    std::this_thread::sleep_for(milliseconds(10));
  }
  writer.join();
  consume();
  INFO((copytruncate ? "copytruncate" : "rename") << ": written " << written << ", read up to " << next
                                                  << ", out of order " << bad << ", restarts " << t.restarts());
  CHECK_FALSE(writer_failed);
  CHECK(written > 30000);
  CHECK(next == written);
  CHECK(bad == 0);
  CHECK(t.restarts() >= 5);
  if (copytruncate) CHECK(t.recovered_bytes() > 0);
}

}  // namespace

TEST_CASE("FileTail loses no line under rotation by rename at 20 000 lines/s", "[file_tail][rotation]") {
  rotation_soak(false);
}

TEST_CASE("FileTail loses no line under copytruncate at 20 000 lines/s", "[file_tail][rotation]") {
  rotation_soak(true);
}

TEST_CASE("run_process captures output, feeds stdin, enforces the deadline", "[process]") {
  auto r = sidecar::run_process({"/bin/sh", "-c", "cat; echo err >&2; exit 3"}, "hello", {});
  REQUIRE(r);
  CHECK(r->out == "hello");
  CHECK(r->err == "err\n");
  CHECK(r->exit_code == 3);
  CHECK_FALSE(r->timed_out);

  sidecar::ProcessOptions quick;
  quick.timeout_s = 0.3;
  auto slow = sidecar::run_process({"/bin/sh", "-c", "sleep 5 & sleep 5"}, "", quick);
  REQUIRE(slow);
  CHECK(slow->timed_out);

  sidecar::ProcessOptions small;
  small.max_output = 10;
  auto big = sidecar::run_process({"/bin/sh", "-c", "yes | head -c 100000"}, "", small);
  REQUIRE(big);
  CHECK(big->out.size() == 10);
  CHECK(big->truncated);

  auto missing = sidecar::run_process({"/nonexistent/tool"}, "", {});
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == sidecar::StatusCode::kNotFound);

  // A reader that exits early must not kill us with SIGPIPE.
  auto early = sidecar::run_process({"/bin/true"}, std::string(1 << 20, 'x'), {});
  REQUIRE(early);
  CHECK(early->exit_code == 0);
}

TEST_CASE("run_process: an env entry without '=' removes the variable (sidecar's secrets)", "[process]") {
  ::setenv("SIDECAR_TEST_SECRET", "hunter2", 1);
  sidecar::ProcessOptions o;
  o.env = {"SIDECAR_TEST_SECRET", "SIDECAR_TEST_OTHER=kept"};
  auto r = sidecar::run_process({"/bin/sh", "-c", "echo ${SIDECAR_TEST_SECRET-unset} $SIDECAR_TEST_OTHER"}, "", o);
  ::unsetenv("SIDECAR_TEST_SECRET");
  REQUIRE(r);
  CHECK(r->out == "unset kept\n");
}

TEST_CASE("GroupLifeline: the job's group gets SIGTERM when its supervisor is SIGKILLed", "[process][lifeline]") {
  // Issue 19.8: sidecar SIGKILLed left a quiet job running unsupervised.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);  // orphans come to us, so we can see how they ended
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t sup = ::fork();
  REQUIRE(sup >= 0);
  if (sup == 0) {  // the "supervisor": starts the job and a lifeline, then waits to be killed
    auto job = sidecar::detail::spawn_in_new_group({"sleep", "30"}, {}, nullptr);
    if (!job) ::_exit(1);
    auto life = sidecar::GroupLifeline::start(*job);
    if (!life) ::_exit(2);
    pid_t pids[2] = {*job, life->watchdog_pid()};
    if (::write(ready[1], pids, sizeof pids) != sizeof pids) ::_exit(3);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  pid_t pids[2] = {-1, -1};
  REQUIRE(::read(ready[0], pids, sizeof pids) == sizeof pids);
  ::close(ready[0]);
  ::kill(sup, SIGKILL);
  ::waitpid(sup, nullptr, 0);
  int status = 0;
  pid_t got = -1;
  for (int i = 0; i < 500 && got != pids[0]; ++i) {  // at most 5 s
    got = ::waitpid(pids[0], &status, WNOHANG);
    if (got == 0) ::usleep(10000);
  }
  if (got != pids[0]) {  // not ended: clean up, then fail below
    ::kill(pids[0], SIGKILL);
    ::waitpid(pids[0], nullptr, 0);
  }
  ::waitpid(pids[1], nullptr, 0);  // the watchdog ended after signalling
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  REQUIRE(got == pids[0]);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
}

TEST_CASE("GroupLifeline: release() leaves the group alone", "[process][lifeline]") {
  auto job = sidecar::detail::spawn_in_new_group({"sleep", "30"}, {}, nullptr);
  REQUIRE(job);
  {
    auto life = sidecar::GroupLifeline::start(*job);
    REQUIRE(life);
    life->release();
  }
  ::usleep(200000);
  CHECK(::waitpid(*job, nullptr, WNOHANG) == 0);  // still running
  ::kill(-*job, SIGKILL);
  ::waitpid(*job, nullptr, 0);
}
