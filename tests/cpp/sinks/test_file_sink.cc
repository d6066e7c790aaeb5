// The file sink (alerts.jsonl, status.json) and the SinkSet fan-out.
#include <catch2/catch.hpp>
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
  std::string run_dir = dir.path + "/run";  // created on first write
  auto sink = make_file_sink(run_dir + "/");
  sink->on_status("running");
  REQUIRE(test::wait_until([&] { return sink->stats().sent == 1; }, 5.0));  // written by the sink's thread
  auto status = parse_json(read_file(run_dir + "/sidecar/status.json"));
  REQUIRE(status);
  CHECK(status->find("status")->str == "running");
  CHECK(status->find("monitor_note") == nullptr);

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
  std::string blocker = dir.path + "/file";
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
  set.add(make_file_sink(dir.path + "/a"));
  set.add(make_file_sink(dir.path + "/b"));
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
  CHECK(jsonl(dir.path + "/b/sidecar/alerts.jsonl").size() == 1);
}

TEST_CASE("file sink: the caller only enqueues; a burst of status updates coalesces", "[sinks][file]") {
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
  auto status = parse_json(read_file(dir.path + "/sidecar/status.json"));
  REQUIRE(status);
  CHECK(status->find("monitor_note")->str == "tick 999");
  sink->on_alert(alert("a-2"));  // after close: counted, not written
  CHECK(sink->stats().dropped == 1);
  CHECK(jsonl(dir.path + "/sidecar/alerts.jsonl").size() == 1);
}
