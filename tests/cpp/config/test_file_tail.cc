// FileTail: growth, late files, truncation, rotation, directories; run_process.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sidecar/file_tail.h"
#include "sidecar/process.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  char tmpl[] = "/tmp/sidecar-tail-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

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
  auto dir = temp_dir();
  auto p = dir / "m.jsonl";
  sidecar::FileTail t(p.string());
  CHECK(drain(t).empty());  // not there yet: no error
  append(p, "abc\nde");
  CHECK(drain(t, nullptr, 2) == "abc\nde");
  append(p, "f\n");
  bool restarted = false;
  CHECK(drain(t, &restarted) == "f\n");
  CHECK_FALSE(restarted);
  CHECK(t.offset() == 8);
  fs::remove_all(dir);
}

TEST_CASE("FileTail restarts on truncation and on rotation, draining the old file first", "[file_tail]") {
  auto dir = temp_dir();
  auto p = dir / "run.log";
  sidecar::FileTail t(p.string());
  append(p, "one\ntwo\n");
  CHECK(drain(t) == "one\ntwo\n");

  std::ofstream(p, std::ios::trunc) << "x\n";  // copytruncate
  bool restarted = false;
  CHECK(drain(t, &restarted) == "x\n");
  CHECK(restarted);

  append(p, "tail-of-old\n");
  fs::rename(p, dir / "run.log.1");  // rotation by rename, then a new file
  append(p, "new\n");
  restarted = false;
  CHECK(drain(t, &restarted) == "tail-of-old\nnew\n");
  CHECK(restarted);
  CHECK(t.restarts() == 2);

  fs::remove(p);  // deleted, then re-created later
  CHECK(drain(t).empty());
  append(p, "again\n");
  CHECK(drain(t) == "again\n");
  fs::remove_all(dir);
}

TEST_CASE("FileTail reports a directory or an unreadable file and keeps going", "[file_tail]") {
  auto dir = temp_dir();
  auto p = dir / "metrics.jsonl";
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
    auto q = dir / "secret";
    append(q, "x");
    ::chmod(q.c_str(), 0);
    sidecar::FileTail u(q.string());
    auto e = u.poll();
    REQUIRE_FALSE(e);
    CHECK(e.status().code() == sidecar::StatusCode::kPermissionDenied);
  }
  fs::remove_all(dir);
}

TEST_CASE("FileTail::seek_to_end skips existing content", "[file_tail]") {
  auto dir = temp_dir();
  auto p = dir / "x.log";
  append(p, "old\n");
  sidecar::FileTail t(p.string());
  t.seek_to_end();
  append(p, "new\n");
  CHECK(drain(t) == "new\n");
  fs::remove_all(dir);
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
