// The research-agent server sink against tests/support/fake_server.py: exact
// payloads across a run, the operator's answer, a server that is down for
// part of the run, failures, a full queue, bounded close, the token.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "sidecar/operator.h"
#include "sidecar/sinks.h"
#include "test_helpers.h"

using namespace sidecar;
using sidecar::test::FakeServer;
using sidecar::test::TempDir;
using sidecar::test::wait_until;

namespace {

Alert make_alert(const std::string& id, const std::string& syndrome, Severity sev = Severity::kCritical) {
  Alert a;
  a.id = id;
  a.ts = 1700000000.5;
  a.run_id = "r1";
  a.decision.source = Source::kLogwatch;
  a.decision.syndrome = syndrome;
  a.decision.severity = sev;
  a.decision.message = "CUDA out of memory at step 120";
  a.decision.evidence = {{"line", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"}, {"rank", "0"}};
  a.decision.signature = "logwatch/" + syndrome;
  a.decision.step = 120;
  return a;
}

Snapshot make_snapshot(const std::string& note, const std::string& monitoring = R"({"profile":"supervised"})") {
  Snapshot s;
  s.ts = 1700000001.0;
  s.monitor_note = note;
  s.monitor_tags = {"supervised", "baseline-aware"};
  s.monitoring_json = monitoring;
  return s;
}

std::string str(const Value& v, std::string_view key) {
  const Value* f = v.find(key);
  return f != nullptr ? f->as_string().value_or("") : std::string("<absent>");
}

const Value& body(const Value& request) { return *request.find("body"); }

template <typename F>
double mean_call_us(int n, F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f(i);
  auto dt = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return dt / n;
}

}  // namespace

TEST_CASE("server sink: exact payloads across a run (start, heartbeats, alert, answer, end)", "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  REQUIRE(server.port() > 0);
  REQUIRE(server.control(R"({"require_token": "s3cret"})"));
  ServerSinkOptions o;
  o.url = server.url() + "/";  // a trailing slash is fine
  o.run_id = "r1";
  o.auth_token = "s3cret";
  o.initial_backoff_s = 0.05;
  auto sink = make_server_sink(o);
  auto sent = [&](std::uint64_t n) { return wait_until([&] { return sink->stats().sent >= n; }, 10.0); };

  sink->on_status("running");
  REQUIRE(sent(1));
  sink->on_snapshot(make_snapshot("profile=supervised | loss=0.5000"));
  REQUIRE(sent(2));
  sink->on_alert(make_alert("a-0001", "cuda_oom"));
  REQUIRE(sent(3));
  REQUIRE(wait_until([&] { return sink->server_alert_id("a-0001").has_value(); }, 5.0));
  CHECK(*sink->server_alert_id("a-0001") == "srv-1");
  CHECK_FALSE(sink->server_alert_id("a-9999").has_value());

  // The operator answers through the research-agent: <run_dir>/alerts/<server id>.response.
  ResponseWatcher watcher(dir.path, *sink->server_alert_id("a-0001"), {"Ignore", "Stop Job"}, ActionTable{});
  CHECK_FALSE(watcher.poll().has_value());
  REQUIRE(server.control(R"({"alert_id": "srv-1", "choice": "Stop Job"})", "/_control/respond"));
  std::optional<OperatorAnswer> answer;
  REQUIRE(wait_until([&] { return (answer = watcher.poll()).has_value(); }, 5.0));
  CHECK(answer->valid);
  CHECK(answer->action == Action::kStop);

  sink->on_snapshot(make_snapshot("profile=supervised | loss=nan", R"({"profile":"supervised","loss":null})"));
  REQUIRE(sent(4));
  sink->on_finish({"stopped", 137, "stopped by operator: Stop Job"});
  sink->close(5.0);
  SinkStats st = sink->stats();
  CHECK(st.sent == 5);
  CHECK(st.failed == 0);
  CHECK(st.dropped == 0);
  CHECK(st.queue_depth == 0);

  auto reqs = server.requests();
  REQUIRE(reqs.size() == 5);
  for (const auto& r : reqs) {
    CHECK(str(*r.find("headers"), "x-auth-token") == "s3cret");
    CHECK(str(*r.find("headers"), "content-type") == "application/json");
    CHECK(r.find("answered")->number == 200);
  }
  CHECK(str(reqs[0], "path") == "/runs/r1/status");
  CHECK(body(reqs[0]).members.size() == 1);
  CHECK(str(body(reqs[0]), "status") == "running");

  CHECK(str(reqs[1], "path") == "/runs/r1/status");
  CHECK(str(body(reqs[1]), "status") == "running");
  CHECK(str(body(reqs[1]), "monitor_note") == "profile=supervised | loss=0.5000");
  REQUIRE(body(reqs[1]).find("monitor_tags")->items.size() == 2);
  CHECK(body(reqs[1]).find("monitor_tags")->items[1].str == "baseline-aware");
  CHECK(str(*body(reqs[1]).find("monitoring"), "profile") == "supervised");
  CHECK(body(reqs[1]).find("exit_code") == nullptr);

  CHECK(str(reqs[2], "path") == "/runs/r1/alerts");
  const Value& alert = body(reqs[2]);
  std::vector<std::string> keys;
  for (const auto& [k, v] : alert.members) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"message", "choices", "severity", "source", "syndrome", "evidence"});
  CHECK(str(alert, "message") == "CUDA out of memory at step 120");
  CHECK(str(alert, "severity") == "critical");
  CHECK(str(alert, "source") == "logwatch");
  CHECK(str(alert, "syndrome") == "cuda_oom");
  REQUIRE(alert.find("choices")->items.size() == 2);
  CHECK(alert.find("choices")->items[1].str == "Stop Job");
  CHECK(str(*alert.find("evidence"), "rank") == "0");

  CHECK(str(body(reqs[3]), "monitor_note") == "profile=supervised | loss=nan");
  CHECK(body(reqs[3]).find("monitoring")->find("loss")->is_null());

  CHECK(str(reqs[4], "path") == "/runs/r1/status");
  const Value& last = body(reqs[4]);
  CHECK(str(last, "status") == "stopped");
  REQUIRE(last.find("exit_code") != nullptr);
  CHECK(last.find("exit_code")->kind == Value::Kind::kNumber);
  CHECK(last.find("exit_code")->number == 137);
  CHECK(str(last, "error") == "stopped by operator: Stop Job");
  CHECK(str(last, "monitor_note") == "profile=supervised | loss=nan");
  // Integer exit codes on the wire ("137", not "137.0").
  CHECK(test::read_file(server.log_path()).find("\"exit_code\": 137,") != std::string::npos);
}

TEST_CASE("server sink: the server is down for part of the run; nothing stalls, later posts arrive",
          "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  int port = server.port();
  REQUIRE(port > 0);
  server.stop();  // down from the start

  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "r2";
  o.timeout_s = 0.5;
  o.initial_backoff_s = 0.02;
  o.max_backoff_s = 0.2;
  auto sink = make_server_sink(o);
  sink->on_status("running");
  // Heartbeats and alerts while down: every call only enqueues.
  double us = mean_call_us(2000, [&](int i) {
    if (i % 500 == 0) sink->on_alert(make_alert("a-" + std::to_string(i), "nan_loss"));
    sink->on_snapshot(make_snapshot("tick " + std::to_string(i)));
  });
  INFO("mean on_* call: " << us << " us");
  CHECK(us < 1000.0);  // an enqueue: microseconds, even with the server down
  REQUIRE(wait_until([&] { return sink->stats().failed >= 2; }, 5.0));
  CHECK(sink->stats().queue_depth <= 6);  // 4 alerts + 1 coalesced status (+1 in flight)
  CHECK(sink->stats().coalesced >= 1990);
  CHECK(sink->stats().last_error.find("/runs/r2/") != std::string::npos);

  server.start(port);  // back up on the same port
  REQUIRE(server.port() == port);
  REQUIRE(wait_until([&] { return server.requests_to("/runs/r2/alerts").size() == 4; }, 10.0));
  REQUIRE(wait_until([&] { return sink->stats().queue_depth == 0; }, 10.0));
  sink->on_finish({"finished", 0, ""});
  sink->close(5.0);

  auto statuses = server.requests_to("/runs/r2/status");
  REQUIRE(!statuses.empty());
  CHECK(statuses.size() <= 3);  // coalesced: not one per heartbeat
  const Value& last = body(statuses.back());
  CHECK(str(last, "status") == "finished");
  CHECK(last.find("exit_code")->number == 0);
  CHECK(last.find("error") == nullptr);
  CHECK(str(last, "monitor_note") == "tick 1999");
  SinkStats st = sink->stats();
  CHECK(st.dropped == 0);
  CHECK(st.retried >= 1);
  CHECK(st.queue_depth == 0);
}

TEST_CASE("server sink: 500s are retried with backoff, 400s are not", "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  REQUIRE(server.control(R"({"mode": "fail", "fail_status": 500})"));
  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "r3";
  o.initial_backoff_s = 0.02;
  o.max_backoff_s = 0.05;
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-1", "nan_loss"));
  REQUIRE(wait_until([&] { return sink->stats().failed >= 3; }, 5.0));
  CHECK(sink->stats().last_error == "POST /runs/r3/alerts: HTTP 500");
  REQUIRE(server.control(R"({"mode": "ok"})"));
  REQUIRE(wait_until([&] { return sink->stats().sent == 1; }, 5.0));
  CHECK(sink->stats().retried >= 3);
  CHECK(sink->server_alert_id("a-1").has_value());

  REQUIRE(server.control(R"({"mode": "fail", "fail_status": 400})"));
  sink->on_status("running");
  REQUIRE(wait_until([&] { return sink->stats().failed >= 4 && sink->stats().queue_depth == 0; }, 5.0));
  CHECK(sink->stats().last_error == "POST /runs/r3/status: HTTP 400 (not retried)");
  sink->close(1.0);
  CHECK(server.requests_to("/runs/r3/status").size() == 1);
}

TEST_CASE("server sink: a full queue drops status updates first, counts drops, keeps the final status",
          "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  server.control(R"({"mode": "down"})");  // connections closed without an answer
  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "r4";
  o.queue_capacity = 4;
  o.initial_backoff_s = 5.0;  // nothing leaves the queue during the test
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-0", "x"));
  REQUIRE(wait_until([&] { return sink->stats().failed == 1; }, 5.0));  // a-0 is back in the queue, backing off
  sink->on_snapshot(make_snapshot("s"));
  for (int i = 1; i <= 5; ++i) sink->on_alert(make_alert("a-" + std::to_string(i), "x"));
  SinkStats st = sink->stats();
  CHECK(st.queue_depth == 4);
  CHECK(st.dropped == 3);  // the status update, then the two oldest alerts
  sink->on_finish({"failed", 1, "boom"});
  CHECK(sink->stats().queue_depth == 5);  // the final status is always accepted
  auto t0 = std::chrono::steady_clock::now();
  sink->close(0.1);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 2.0);
  CHECK(sink->stats().dropped == 8);  // what was left is reported
}

TEST_CASE("server sink: close() is bounded even while a request hangs", "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  REQUIRE(server.control(R"({"mode": "slow", "delay_s": 5})"));
  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "r5";
  o.timeout_s = 30;
  auto sink = make_server_sink(o);
  sink->on_finish({"killed", std::nullopt, "killed by signal 9"});
  REQUIRE(wait_until([&] { return server.requests().size() == 1; }, 5.0));  // logged on arrival
  auto t0 = std::chrono::steady_clock::now();
  sink->close(0.2);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 2.5);  // the deadline, plus at most one curl progress tick
  CHECK(sink->stats().sent == 0);
  auto r = server.requests();
  CHECK(str(body(r[0]), "status") == "killed");
  CHECK(body(r[0]).find("exit_code") == nullptr);
}

TEST_CASE("server sink: server-given alert ids are sanitised before any file name use", "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  REQUIRE(server.control(R"({"alert_ids": ["../../etc/passwd", 42]})"));
  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "run with spaces/and slash";
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-1", "x"));
  sink->on_alert(make_alert("a-2", "y"));
  REQUIRE(wait_until([&] { return sink->server_alert_id("a-2").has_value(); }, 5.0));
  auto id = *sink->server_alert_id("a-1");
  CHECK(id == sanitize_alert_id("../../etc/passwd"));
  CHECK(id.find('/') == std::string::npos);
  CHECK(id.rfind("..", 0) != 0);
  CHECK(*sink->server_alert_id("a-2") == "42");
  sink->close(1.0);
  CHECK(str(server.requests()[0], "path") == "/runs/run%20with%20spaces%2Fand%20slash/alerts");
}

TEST_CASE("server sink: always-valid JSON (odd bytes, NaN evidence)", "[sinks][server]") {
  Alert a = make_alert("a-1", "nan_loss");
  a.decision.message = "loss=nan \"quoted\" \xff\xfe tab\t";
  a.decision.evidence = {{"value", "nan"}, {"bad\xc3", "x"}};
  auto b = detail::server_alert_body(a);
  auto v = parse_json(b);
  REQUIRE(v);
  CHECK(str(*v, "message") == "loss=nan \"quoted\" \xEF\xBF\xBD\xEF\xBF\xBD tab\t");
  Snapshot s = make_snapshot("n");
  auto st = detail::server_status_body("failed", -11, "signal", &s);
  auto sv = parse_json(st);
  REQUIRE(sv);
  CHECK(sv->find("exit_code")->number == -11);
  CHECK(st.find("\"exit_code\":-11") != std::string::npos);
  // Raw monitoring JSON from elsewhere never makes the payload invalid.
  for (std::string bad : {"{\"a\":", "[1,2]", "nan", "{\"x\":NaN}", ""}) {
    s.monitoring_json = bad;
    auto doc = parse_json(detail::server_status_body("running", std::nullopt, "", &s));
    REQUIRE(doc);
    CHECK(doc->find("monitoring")->is_object());
    CHECK(doc->find("monitoring")->members.empty());
  }
}

TEST_CASE("json_syntax_error locates the first error", "[sinks][json]") {
  CHECK(detail::json_syntax_error(R"({"a":[1,2.5e3,true,null,"x\u00e9"]})").empty());
  CHECK(detail::json_syntax_error("{\n  \"a\": 1,\n}") == "3:1: expected a string key");
  CHECK(detail::json_syntax_error("[1 2]") == "1:4: expected ',' or ']'");
  CHECK(detail::json_syntax_error("{\"a\": NaN}") == "1:7: unexpected character");
  CHECK(detail::json_syntax_error("\"abc") == "1:5: unterminated string");
  CHECK(detail::json_syntax_error("01") == "1:2: unexpected text after the document");
  CHECK(detail::json_syntax_error("") == "1:1: unexpected end of document");
  CHECK(detail::json_syntax_error("[\"\xC3\xA9\", \"\xff\"]") == "1:8: invalid UTF-8 in a string");
  CHECK(detail::json_syntax_error(std::string(10000, '[')) == "1:514: nesting too deep");
}

TEST_CASE("read_auth_token: a token file wins over the environment; whitespace trimmed", "[sinks][token]") {
  TempDir dir;
  std::string f = dir.path + "/token";
  ::setenv("SIDECAR_AUTH_TOKEN", "  from-env \n", 1);
  CHECK(*read_auth_token("") == "from-env");
  { std::ofstream(f) << "  from-file\n\n"; }
  CHECK(*read_auth_token(f) == "from-file");
  ::unsetenv("SIDECAR_AUTH_TOKEN");
  CHECK(read_auth_token("")->empty());
  { std::ofstream(f) << "   \n"; }
  auto empty = read_auth_token(f);
  REQUIRE_FALSE(empty);
  CHECK(empty.status().code() == StatusCode::kInvalidArgument);
  CHECK(empty.status().message().find("empty") != std::string::npos);
  { std::ofstream(f) << "two\nlines\n"; }
  CHECK(read_auth_token(f).status().code() == StatusCode::kInvalidArgument);
  auto missing = read_auth_token(dir.path + "/nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEST_CASE("server sink: the token never appears in errors or stats", "[sinks][token]") {
  ServerSinkOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(test::free_port());
  o.run_id = "r";
  o.auth_token = "TOPSECRET-123";
  o.initial_backoff_s = 0.01;
  o.timeout_s = 0.5;
  auto sink = make_server_sink(o);
  sink->on_status("running");
  REQUIRE(wait_until([&] { return sink->stats().failed >= 1; }, 5.0));
  sink->close(0.1);
  CHECK(!sink->stats().last_error.empty());
  CHECK(sink->stats().last_error.find("TOPSECRET") == std::string::npos);
}

TEST_CASE("server sink: at close, a long backoff does not keep the final status from a server that came back",
          "[sinks][server]") {
  TempDir dir;
  FakeServer server(dir.path);
  int port = server.port();
  server.stop();
  ServerSinkOptions o;
  o.url = server.url();
  o.run_id = "r7";
  o.timeout_s = 0.5;
  o.initial_backoff_s = 60;  // after the first failure, the next try would be a minute away
  auto sink = make_server_sink(o);
  sink->on_status("running");
  REQUIRE(wait_until([&] { return sink->stats().failed == 1; }, 5.0));
  server.start(port);
  REQUIRE(server.port() == port);
  sink->on_finish({"finished", 0, ""});
  auto t0 = std::chrono::steady_clock::now();
  sink->close(5.0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  auto statuses = server.requests_to("/runs/r7/status");
  REQUIRE(statuses.size() == 1);  // the queued "running" was superseded by the final status
  CHECK(str(body(statuses[0]), "status") == "finished");
  CHECK(sink->stats().dropped == 0);
}
