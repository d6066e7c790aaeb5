// The file sink (alerts.jsonl, status.json) and the SinkSet fan-out.
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "sidecar/sinks.h"
#include "test_helpers.h"

using namespace sidecar;
using sidecar::test::read_file;
using sidecar::test::TempDir;

namespace {

Alert alert(const std::string& id) {
  Alert a;
  a.id = id;
  a.ts = 1700000000.0;
  a.run_id = "r1";
  a.decision.syndrome = "nan_loss";
  a.decision.severity = Severity::kCritical;
  a.decision.message = "loss is NaN";
  a.decision.signature = "rulebased/nan_loss";
  return a;
}

std::vector<Value> jsonl(const std::string& path) {
  std::vector<Value> out;
  std::stringstream ss(read_file(path));
  std::string line;
  while (std::getline(ss, line)) {
    auto v = parse_json(line);
    REQUIRE(v);
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace

TEST_CASE("file sink: alerts.jsonl appended, status.json replaced", "[sinks][file]") {
  TempDir dir;
  std::string run_dir = dir.file("run");  // created on first write
  auto sink = make_file_sink(run_dir + "/");
  sink->on_status("running");
  REQUIRE(test::wait_until([&] { return sink->stats().sent == 1; }, 5.0));  // written by the sink's thread
  auto status = parse_json(read_file(run_dir + "/sidecar/status.json"));
  REQUIRE(status);
  CHECK(status->find("status")->str == "running");
  CHECK(status->find("monitor_note") == nullptr);
  CHECK(status->find("keys") == nullptr);

  sink->on_alert(alert("a-1"));
  Resolved r;
  r.alert_id = "a-1";
  r.syndrome = "nan_loss";
  r.ts = 1700000100.0;
  r.duration_s = 100;
  sink->on_resolved(r);
  Snapshot s;
  s.ts = 1700000050.0;
  s.monitor_note = "profile=supervised | loss=nan";
  s.monitor_tags = {"supervised", "alerts-active"};
  s.monitoring_json = R"({"profile":"supervised"})";
  s.keys_json = R"({"keys_seen":2,"bound":{"loss":"loss"},"ignored":["epoch"]})";
  sink->on_snapshot(s);
  sink->on_finish({"failed", 1, "Traceback: boom"});
  sink->on_status("running");  // after the end: ignored
  sink->close(1.0);

  auto lines = jsonl(run_dir + "/sidecar/alerts.jsonl");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("type")->str == "alert");
  CHECK(lines[0].find("id")->str == "a-1");
  CHECK(lines[1].find("type")->str == "resolved");
  CHECK(lines[1].find("duration_s")->number == 100);

  status = parse_json(read_file(run_dir + "/sidecar/status.json"));
  REQUIRE(status);
  CHECK(status->find("status")->str == "failed");
  CHECK(status->find("exit_code")->number == 1);
  CHECK(status->find("error")->str == "Traceback: boom");
  CHECK(status->find("monitor_note")->str == "profile=supervised | loss=nan");
  CHECK(status->find("monitoring")->find("profile")->str == "supervised");
  REQUIRE(status->find("keys"));  // the key report (key_report.h) rides on the snapshot
  CHECK(status->find("keys")->find("bound")->find("loss")->str == "loss");
  // No temporary files left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(run_dir + "/sidecar")) {
    (void)e;
    ++files;
  }
  CHECK(files == 2);
  CHECK(sink->stats().sent + sink->stats().coalesced == 5);  // the status after the end is not written
  CHECK(sink->stats().queue_depth == 0);
  CHECK(sink->stats().failed == 0);
}

TEST_CASE("file sink: an unwritable directory is counted, never thrown", "[sinks][file]") {
  TempDir dir;
  std::string blocker = dir.file("file");
  { std::ofstream(blocker) << "x"; }
  auto sink = make_file_sink(blocker);  // <file>/sidecar cannot be created
  sink->on_alert(alert("a-1"));
  REQUIRE(test::wait_until([&] { return sink->stats().failed == 1; }, 5.0));
  sink->on_snapshot(Snapshot{});
  sink->close(5.0);
  CHECK(sink->stats().failed == 2);
  CHECK(sink->stats().last_error.find("mkdir") == 0);
}

TEST_CASE("SinkSet fans out and sums the counters", "[sinks][set]") {
  TempDir dir;
  SinkSet set;
  CHECK(set.empty());
  set.add(make_file_sink(dir.file("a")));
  set.add(make_file_sink(dir.file("b")));
  set.add(nullptr);  // ignored
  CHECK(set.size() == 2);
  set.on_alert(alert("a-1"));
  set.on_finish({"finished", 0, ""});
  set.close(1.0);
  CHECK(set.stats().sent == 4);
  CHECK(set.stats().dropped == 0);
  auto each = set.each_stats();
  REQUIRE(each.size() == 2);
  CHECK(each[0].first == "file");
  CHECK(each[1].second.sent == 2);
  CHECK_FALSE(set.server_alert_id("a-1").has_value());
  CHECK(jsonl(dir.file("b/sidecar/alerts.jsonl")).size() == 1);
}

TEST_CASE("file sink: the caller only enqueues, a burst of status updates coalesces", "[sinks][file]") {
  TempDir dir;
  auto sink = make_file_sink(dir.path);
  for (int i = 0; i < 1000; ++i) {
    Snapshot s;
    s.monitor_note = "tick " + std::to_string(i);
    sink->on_snapshot(s);
  }
  sink->on_alert(alert("a-1"));
  sink->close(0.0);  // still flushes local writes
  SinkStats st = sink->stats();
  CHECK(st.sent + st.coalesced == 1001);
  CHECK(st.coalesced > 0);
  auto status = parse_json(read_file(dir.file("sidecar/status.json")));
  REQUIRE(status);
  CHECK(status->find("monitor_note")->str == "tick 999");
  sink->on_alert(alert("a-2"));  // after close: counted, not written
  CHECK(sink->stats().dropped == 1);
  CHECK(jsonl(dir.file("sidecar/alerts.jsonl")).size() == 1);
}

TEST_CASE("file sink: a write that does not fit leaves no torn record and is reported", "[sinks][file][disk_full]") {
  // Issue 19.13: on a full disk the last alerts.jsonl line was torn. RLIMIT_FSIZE
  // makes write() stop part-way (EFBIG) exactly like ENOSPC does.
  TempDir dir;
  auto sink = make_file_sink(dir.path);
  sink->on_alert(alert("a-1"));
  REQUIRE(test::wait_until([&] { return sink->stats().sent == 1; }, 5.0));
  std::string path = dir.file("sidecar/alerts.jsonl");
  auto size = std::filesystem::file_size(path);
  struct sigaction ign {
  }, old_action{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGXFSZ, &ign, &old_action);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = size + 40;  // room for part of the next line only
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  sink->on_alert(alert("a-2"));
  sink->on_alert(alert("a-3"));
  bool failed = test::wait_until([&] { return sink->stats().failed >= 2; }, 5.0);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::sigaction(SIGXFSZ, &old_action, nullptr);
  REQUIRE(failed);
  CHECK(sink->stats().last_error.find("alerts.jsonl") != std::string::npos);
  CHECK(std::filesystem::file_size(path) == size);  // cut back: only whole records
  std::string text = read_file(path);
  CHECK(text.back() == '\n');
  CHECK(jsonl(path).size() == 1);
  // Room again: later records are whole too.
  sink->on_alert(alert("a-4"));
  sink->close(5.0);
  auto lines = jsonl(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].find("id")->str == "a-4");
}

TEST_CASE("file sink: on a full disk the final status still gets out, or the failure says where",
          "[sinks][file][disk_full]") {
  // Issue 19.13: status.json stayed "running" while the run failed. Needs a
  // small tmpfs (root); skipped where mounting is not allowed.
  TempDir dir;
  std::string mnt = dir.file("small");
  std::filesystem::create_directory(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
    WARN("cannot mount a tmpfs here (" << std::strerror(errno) << "): skipped");
    return;
  }
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  auto sink = make_file_sink(mnt);
  sink->on_status("running");
  REQUIRE(test::wait_until([&] { return sink->stats().sent == 1; }, 5.0));
  {  // fill the file system
    std::ofstream fill(mnt + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    for (int i = 0; i < 64 && fill; ++i) fill.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  sink->on_alert(alert("a-1"));
  sink->on_finish({"failed", 7, "No space left on device"});
  sink->close(5.0);
  auto status = parse_json(read_file(mnt + "/sidecar/status.json"));
  REQUIRE(status);  // never torn: the old object or the new one, whole
  CHECK(status->find("status")->str == "failed");
  CHECK(status->find("exit_code")->number == 7);
  std::string alerts = read_file(mnt + "/sidecar/alerts.jsonl");
  CHECK((alerts.empty() || alerts.back() == '\n'));
  CHECK(sink->stats().failed >= 1);  // the alert that did not fit
  CHECK(sink->stats().last_error.find("alerts.jsonl") != std::string::npos);
}
