// The research-agent server sink against tests/support/fake_server.py: exact
// payloads across a run, the operator's answer, a server that is down for
// part of the run, failures, a full queue, bounded close, the token.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <limits>
#include <thread>

#include "sidecar/detail/sinks.h"
#include "sidecar/operator.h"
#include "sidecar/sinks.h"
#include "test_helpers.h"

using namespace sidecar;
using sidecar::test::FakeServer;
using sidecar::test::FakeServerFixture;
using sidecar::test::TempDir;
using sidecar::test::wait_until;

namespace {

struct ServerFixture : FakeServerFixture<ServerSinkOptions> {
  // Retries wait initial_s, doubling up to max_s.
  void backoff(double initial_s, double max_s) {
    o.initial_backoff_s = initial_s;
    o.max_backoff_s = max_s;
  }
  // A server sink for run `run_id` with the options set so far, its run reported as running.
  std::unique_ptr<Sink> running_sink(const std::string& run_id) {
    o.run_id = run_id;
    auto sink = make_server_sink(o);
    sink->on_status("running");
    return sink;
  }
};

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

// The POSTs the fake server logged (the answer poller's GET /alerts left out).
std::vector<Value> posts(const FakeServer& server) {
  std::vector<Value> out;
  for (auto& r : server.requests())
    if (str(r, "method") == "POST") out.push_back(std::move(r));
  return out;
}

template <typename F>
double mean_call_us(int n, F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f(i);
  auto dt = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return dt / n;
}

}  // namespace

TEST_CASE_METHOD(ServerFixture, "server sink: exact payloads across a run (start, heartbeats, alert, answer, end)",
                 "[sinks][server]") {
  REQUIRE(server.port() > 0);
  REQUIRE(server.control(R"({"require_token": "s3cret"})"));
  o.url += "/";  // a trailing slash is fine
  o.run_id = "r1";
  o.auth_token = "s3cret";
  o.initial_backoff_s = 0.05;
  auto sink = make_server_sink(o);
  auto sent = [&](std::uint64_t n) { return wait_until([&] { return sink->stats().sent >= n; }, 10.0); };

  sink->on_snapshot(make_snapshot("profile=supervised | loss=0.5000"));  // carried by the next status post
  sink->on_status("running");
  REQUIRE(sent(1));
  sink->on_status("running");  // unchanged: not posted again (each post is a journey event on the server)
  sink->on_alert(make_alert("a-0001", "cuda_oom"));
  REQUIRE(sent(2));
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
  sink->on_finish({"stopped", 137, "stopped by operator: Stop Job"});
  sink->close(5.0);
  SinkStats st = sink->stats();
  CHECK(st.sent == 3);
  CHECK(st.failed == 0);
  CHECK(st.dropped == 0);
  CHECK(st.queue_depth == 0);

  auto reqs = posts(server);
  REQUIRE(reqs.size() == 3);
  for (const auto& r : reqs) {
    CHECK(str(*r.find("headers"), "x-auth-token") == "s3cret");
    CHECK(str(*r.find("headers"), "content-type") == "application/json");
    CHECK(r.find("answered")->number == 200);
  }
  CHECK(str(reqs[0], "path") == "/runs/r1/status");
  CHECK(str(body(reqs[0]), "status") == "running");
  CHECK(str(body(reqs[0]), "monitor_note") == "profile=supervised | loss=0.5000");
  REQUIRE(body(reqs[0]).find("monitor_tags")->items.size() == 2);
  CHECK(body(reqs[0]).find("monitor_tags")->items[1].str == "baseline-aware");
  CHECK(str(*body(reqs[0]).find("monitoring"), "profile") == "supervised");
  CHECK(body(reqs[0]).find("exit_code") == nullptr);
  // What the shipped RunStatusUpdate keeps.
  CHECK(reqs[0].find("kept")->members.size() == 1);

  CHECK(str(reqs[1], "path") == "/runs/r1/alerts");
  const Value& alert = body(reqs[1]);
  std::vector<std::string> keys;
  for (const auto& [k, v] : alert.members) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"message", "choices", "severity", "source", "syndrome", "step", "evidence",
                                         "signature", "sidecar_alert_id", "detail"});
  // The shipped CreateAlertRequest keeps message, choices and severity: the
  // message carries the syndrome, the step and the key evidence.
  CHECK(str(alert, "message") ==
        "CUDA out of memory at step 120 [cuda_oom, step 120; line=RuntimeError: CUDA out of memory. Tried to allocate "
        "2.00 GiB, rank=0]");
  CHECK(str(alert, "severity") == "critical");
  CHECK(str(alert, "source") == "logwatch");
  CHECK(str(alert, "syndrome") == "cuda_oom");
  CHECK(alert.find("step")->number == 120);
  CHECK(str(alert, "sidecar_alert_id") == "a-0001");
  REQUIRE(alert.find("choices")->items.size() == 2);
  CHECK(alert.find("choices")->items[1].str == "Stop Job");
  CHECK(str(*alert.find("evidence"), "rank") == "0");
  CHECK(reqs[1].find("kept")->members.size() == 3);

  CHECK(str(reqs[2], "path") == "/runs/r1/status");
  const Value& last = body(reqs[2]);
  CHECK(str(last, "status") == "stopped");
  REQUIRE(last.find("exit_code") != nullptr);
  CHECK(last.find("exit_code")->kind == Value::Kind::kNumber);
  CHECK(last.find("exit_code")->number == 137);
  CHECK(str(last, "error") == "stopped by operator: Stop Job");
  CHECK(str(last, "monitor_note") == "profile=supervised | loss=nan");
  CHECK(last.find("monitoring")->find("loss")->is_null());
  // Integer exit codes on the wire ("137", not "137.0").
  CHECK(test::read_file(server.log_path()).find("\"exit_code\": 137,") != std::string::npos);
}

TEST_CASE_METHOD(ServerFixture,
                 "server sink: the server is down for part of the run, nothing stalls, later posts arrive",
                 "[sinks][server]") {
  int port = server.port();
  REQUIRE(port > 0);
  server.stop();  // down from the start

  o.timeout_s = 0.5;
  backoff(0.02, 0.2);
  auto sink = running_sink("r2");
  // Heartbeats and alerts while down: every call only enqueues.
  double us = mean_call_us(2000, [&](int i) {
    if (i % 500 == 0) sink->on_alert(make_alert("a-" + std::to_string(i), "nan_loss"));
    sink->on_snapshot(make_snapshot("tick " + std::to_string(i)));
  });
  INFO("mean on_* call: " << us << " us");
  CHECK(us < 1000.0);  // an enqueue: microseconds, even with the server down
  REQUIRE(wait_until([&] { return sink->stats().failed >= 2; }, 5.0));
  CHECK(sink->stats().queue_depth <= 6);  // 4 alerts + 1 status (+1 in flight)
  CHECK(sink->stats().last_error.find("/runs/r2/") != std::string::npos);

  server.start(port);  // back up on the same port
  REQUIRE(server.port() == port);
  REQUIRE(wait_until([&] { return server.requests_to("/runs/r2/alerts").size() == 4; }, 10.0));
  REQUIRE(wait_until([&] { return sink->stats().queue_depth == 0; }, 10.0));
  sink->on_finish({"finished", 0, ""});
  sink->close(5.0);

  auto statuses = server.requests_to("/runs/r2/status");
  REQUIRE(!statuses.empty());
  CHECK(statuses.size() <= 3);  // not one per snapshot
  const Value& last = body(statuses.back());
  CHECK(str(last, "status") == "finished");
  CHECK(last.find("exit_code")->number == 0);
  CHECK(last.find("error") == nullptr);
  CHECK(str(last, "monitor_note") == "tick 1999");
  CHECK(str(body(statuses.front()), "status") == "running");  // the status went before the alerts
  CHECK(server.requests().front().find("path")->str == "/runs/r2/status");
  SinkStats st = sink->stats();
  CHECK(st.dropped == 0);
  CHECK(st.retried >= 1);
  CHECK(st.queue_depth == 0);
}

TEST_CASE_METHOD(ServerFixture, "server sink: 500s are retried with backoff, 400s are not", "[sinks][server]") {
  REQUIRE(server.control(R"({"mode": "fail", "fail_status": 500})"));
  o.run_id = "r3";
  backoff(0.02, 0.05);
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-1", "nan_loss"));
  REQUIRE(wait_until([&] { return sink->stats().failed >= 3; }, 5.0));
  CHECK(sink->stats().last_error == "POST /runs/r3/alerts: HTTP 500");
  REQUIRE(server.control(R"({"mode": "ok"})"));
  REQUIRE(wait_until([&] { return sink->stats().sent >= 2; }, 5.0));  // the status (after a 404), the alert
  CHECK(sink->stats().retried >= 3);
  CHECK(sink->server_alert_id("a-1").has_value());

  // The fake, like the shipped server, did not know r3: a 404, the status, then the alert.
  CHECK(server.requests_to("/runs/r3/status").size() == 1);

  REQUIRE(server.control(R"({"mode": "fail", "fail_status": 400})"));
  std::uint64_t failed = sink->stats().failed;
  sink->on_status("running");
  REQUIRE(wait_until([&] { return sink->stats().failed > failed && sink->stats().queue_depth == 0; }, 5.0));
  CHECK(sink->stats().last_error == "POST /runs/r3/status: HTTP 400 (not retried)");
  CHECK(sink->stats().rejected == 1);
  sink->close(1.0);
  CHECK(server.requests_to("/runs/r3/status").size() == 2);
}

TEST_CASE_METHOD(ServerFixture,
                 "server sink: a full queue drops status updates first, counts drops, keeps the final status",
                 "[sinks][server]") {
  server.control(R"({"mode": "down"})");  // connections closed without an answer
  o.run_id = "r4";
  o.queue_capacity = 4;
  o.initial_backoff_s = 5.0;  // nothing leaves the queue during the test
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-0", "x"));
  REQUIRE(wait_until([&] { return sink->stats().failed == 1; }, 5.0));  // a-0 is back in the queue, backing off
  sink->on_status("launching");
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

TEST_CASE_METHOD(ServerFixture, "server sink: close() is bounded even while a request hangs", "[sinks][server]") {
  REQUIRE(server.control(R"({"mode": "slow", "delay_s": 5})"));
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
  CHECK(str(body(r[0]), "status") == "failed");  // the shipped server has no "killed"
  CHECK(str(body(r[0]), "error") == "killed by signal 9");
  CHECK(body(r[0]).find("exit_code") == nullptr);
}

TEST_CASE_METHOD(ServerFixture, "server sink: server-given alert ids are sanitised before any file name use",
                 "[sinks][server]") {
  REQUIRE(server.control(R"({"alert_ids": ["../../etc/passwd", 42]})"));
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
  CHECK(str(*v, "detail") == "loss=nan \"quoted\" \xEF\xBF\xBD\xEF\xBF\xBD tab\t");
  CHECK(str(*v, "message")
            .rfind("loss=nan \"quoted\" \xEF\xBF\xBD\xEF\xBF\xBD tab\t [nan_loss, step 120; value=nan", 0) == 0);
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
  // {document, the error ("" for a valid document)}
  auto [doc, error] = GENERATE(table<std::string, std::string>({
      {R"({"a":[1,2.5e3,true,null,"x\u00e9"]})", ""},
      {"{\n  \"a\": 1,\n}", "3:1: expected a string key"},
      {"[1 2]", "1:4: expected ',' or ']'"},
      {"{\"a\": NaN}", "1:7: unexpected character"},
      {"\"abc", "1:5: unterminated string"},
      {"01", "1:2: unexpected text after the document"},
      {"", "1:1: unexpected end of document"},
      {"[\"\xC3\xA9\", \"\xff\"]", "1:8: invalid UTF-8 in a string"},
      {std::string(10000, '['), "1:514: nesting too deep"},
  }));
  INFO(doc.substr(0, 40));
  CHECK(detail::json_syntax_error(doc) == error);
}

TEST_CASE("read_auth_token: a token file wins over the environment, whitespace trimmed", "[sinks][token]") {
  TempDir dir;
  std::string f = dir.file("token");
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
  auto missing = read_auth_token(dir.file("nope"));
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

TEST_CASE_METHOD(ServerFixture,
                 "server sink: at close, a long backoff does not keep the final status from a server that came back",
                 "[sinks][server]") {
  int port = server.port();
  server.stop();
  o.timeout_s = 0.5;
  o.initial_backoff_s = 60;  // after the first failure, the next try would be a minute away
  auto sink = running_sink("r7");
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

TEST_CASE_METHOD(ServerFixture,
                 "server sink: after a restart (404 Run not found) the status goes first, then every alert arrives",
                 "[sinks][server]") {
  backoff(0.02, 0.1);
  auto sink = running_sink("r8");
  sink->on_alert(make_alert("a-1", "nan_loss"));
  REQUIRE(wait_until([&] { return sink->stats().sent == 2; }, 5.0));
  REQUIRE(server.control(R"({"forget": true})"));  // what the shipped server does on a restart
  for (int i = 2; i <= 4; ++i) sink->on_alert(make_alert("a-" + std::to_string(i), "nan_loss"));
  REQUIRE(wait_until([&] { return server.requests_to("/runs/r8/alerts").size() >= 5; }, 5.0));
  REQUIRE(wait_until([&] { return sink->stats().queue_depth == 0; }, 5.0));
  sink->close(2.0);
  std::vector<std::string> seq;
  for (const auto& r : posts(server))
    seq.push_back(str(r, "path").substr(9) + ":" + std::to_string(static_cast<int>(r.find("answered")->number)));
  CHECK(seq == std::vector<std::string>{"status:200", "alerts:200", "alerts:404", "status:200", "alerts:200",
                                        "alerts:200", "alerts:200"});
  for (int i = 1; i <= 4; ++i) CHECK(sink->server_alert_id("a-" + std::to_string(i)).has_value());
  SinkStats st = sink->stats();
  CHECK(st.dropped == 0);
  CHECK(st.rejected == 0);
  CHECK(st.failed == 1);
}

TEST_CASE_METHOD(ServerFixture, "server sink: a server that keeps answering 404 is retried with backoff, not hammered",
                 "[sinks][server]") {
  o.url += "/nothing-here";  // every route 404s, the status post too
  o.run_id = "r9";
  backoff(0.05, 0.2);
  auto sink = make_server_sink(o);
  sink->on_alert(make_alert("a-1", "nan_loss"));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto n = server.requests().size();
  CHECK(n >= 3);
  CHECK(n <= 20);                         // backoff: not a hot loop
  CHECK(sink->stats().queue_depth >= 1);  // still queued: nothing given up while the bound is not reached
  sink->close(0.1);
}

TEST_CASE_METHOD(ServerFixture, "server sink: a wrong token is a clear error from check(), counted and noticed later",
                 "[sinks][server][token]") {
  REQUIRE(server.control(R"({"require_token": "right"})"));
  o.run_id = "r10";
  o.auth_token = "WRONG-TOKEN-xyz";
  o.initial_backoff_s = 0.02;
  auto sink = make_server_sink(o);
  Status st = sink->check(5.0);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kPermissionDenied);
  CHECK(st.message().find("refused the token (HTTP 401)") != std::string::npos);
  CHECK(st.message().find("WRONG-TOKEN") == std::string::npos);

  sink->on_status("running");
  for (int i = 0; i < 5; ++i) sink->on_alert(make_alert("a-" + std::to_string(i), "nan_loss"));
  REQUIRE(wait_until([&] { return sink->stats().rejected == 6; }, 5.0));
  SinkStats s = sink->stats();
  CHECK(s.auth_failures == 6);
  CHECK(s.last_error.find("HTTP 401") != std::string::npos);
  CHECK(s.last_error.find("WRONG") == std::string::npos);
  auto notices = sink->take_notices();
  REQUIRE(!notices.empty());
  CHECK(notices.size() <= 2);  // rate-limited, not one per post
  CHECK(notices[0].rfind("server: POST /runs/r10/status: HTTP 401", 0) == 0);
  CHECK(sink->take_notices().empty());  // each notice once

  SinkSet set;
  set.add(make_server_sink(o));
  Status ss = set.check(5.0);
  CHECK(ss.code() == StatusCode::kPermissionDenied);
  o.auth_token = "right";
  CHECK(make_server_sink(o)->check(5.0).ok());  // 404 for an unknown run is fine: the first status creates it
  o.url = "http://127.0.0.1:" + std::to_string(test::free_port());
  CHECK(make_server_sink(o)->check(1.0).code() == StatusCode::kUnavailable);
  sink->close(0.5);
}

TEST_CASE_METHOD(ServerFixture, "server sink: statuses map to the server's set, posts only on change plus a heartbeat",
                 "[sinks][server]") {
  CHECK(detail::server_status_name("killed", true) == "failed");
  CHECK(detail::server_status_name("finished", true) == "finished");
  CHECK(detail::server_status_name("weird", true) == "failed");
  CHECK(detail::server_status_name("weird", false) == "running");
  CHECK(detail::server_status_name("launching", false) == "launching");
  auto b = parse_json(detail::server_final_body({"killed", 137, "", SIGKILL}, nullptr, "/runs/x", "/w"));
  REQUIRE(b);
  CHECK(str(*b, "status") == "failed");
  CHECK(b->find("exit_code") == nullptr);
  CHECK(str(*b, "error") == "killed by SIGKILL");
  CHECK(str(*b, "run_dir") == "/runs/x");
  CHECK(str(*b, "wandb_dir") == "/w");
  b = parse_json(detail::server_final_body({"failed", 2, "exit code 2", 0}, nullptr, "", ""));
  CHECK(b->find("exit_code")->number == 2);
  CHECK(b->find("run_dir") == nullptr);

  o.run_id = "r11";
  o.heartbeat_s = 0.3;
  o.wandb_dir = "/data/wandb/run-1";
  auto sink = make_server_sink(o);
  sink->on_status("launching");
  REQUIRE(wait_until([&] { return sink->stats().sent == 1; }, 5.0));  // (a queued status would coalesce)
  sink->on_status("running");
  for (int i = 0; i < 50; ++i) sink->on_snapshot(make_snapshot("tick " + std::to_string(i)));
  REQUIRE(wait_until([&] { return server.requests_to("/runs/r11/status").size() >= 4; }, 5.0));
  sink->on_finish({"killed", 143, "interrupted (SIGTERM)", SIGTERM});
  sink->close(2.0);
  auto statuses = server.requests_to("/runs/r11/status");
  CHECK(statuses.size() <= 8);  // heartbeats every 0.3 s, not one per snapshot
  CHECK(str(body(statuses[0]), "status") == "launching");
  CHECK(str(body(statuses[1]), "status") == "running");
  CHECK(str(body(statuses[2]), "monitor_note") == "tick 49");  // a heartbeat carries the latest snapshot
  CHECK(str(body(statuses[2]), "wandb_dir") == "/data/wandb/run-1");
  CHECK(str(*statuses[2].find("kept"), "wandb_dir") == "/data/wandb/run-1");
  const Value& last = body(statuses.back());
  CHECK(str(last, "status") == "failed");
  CHECK(str(last, "error") == "interrupted (SIGTERM)");
  CHECK(last.find("exit_code") == nullptr);
}

TEST_CASE_METHOD(ServerFixture, "server sink: metric rows go in batches to /metrics, downsampled for long runs",
                 "[sinks][server]") {
  o.metrics_interval_s = 0.1;
  o.metrics_batch_max = 400;
  o.metrics_max_rows = 1000;
  auto sink = running_sink("r12");
  const int n = 200000;
  double us = mean_call_us(n, [&](int i) {
    MetricValue v[2] = {{"loss", i == 7 ? std::numeric_limits<double>::quiet_NaN() : 1.0 / (i + 1)}, {"lr", 0.001}};
    MetricRow row;
    row.step = i;
    row.timestamp = 1700000000.0 + i;
    row.values = v;
    sink->on_row(row);
  });
  INFO("mean on_row: " << us << " us");
  CHECK(us < 50.0);
  sink->on_finish({"finished", 0, ""});
  sink->close(5.0);
  auto posts = server.requests_to("/runs/r12/metrics");
  REQUIRE(!posts.empty());
  std::vector<double> steps;
  for (const auto& p : posts) {
    CHECK(p.find("answered")->number == 200);
    for (const auto& r : body(p).find("rows")->items) steps.push_back(r.find("step")->number);
  }
  // budget 1000 + 500 per doubling of the stride: about log2(n / 1000) doublings.
  CHECK(steps.size() <= 1000 + 500 * 9 + 1);
  CHECK(steps.size() >= 2000);
  CHECK(std::is_sorted(steps.begin(), steps.end()));
  CHECK(steps.front() == 0);
  CHECK(steps.back() == n - 1);  // the run's last row is always posted
  const Value& first = *body(posts[0]).find("rows");
  CHECK(first.items[7].find("loss")->is_null());  // NaN -> null (the server skips it)
  CHECK(first.items[1].find("_timestamp")->number == 1700000001.0);
  for (const auto& p : posts) CHECK(body(p).find("rows")->items.size() <= 400 + 1);
  // The server sees the series (GET /runs/{id}/metrics).
  auto r = detail::http_request("GET", server.url() + "/runs/r12/metrics", "", {}, 5.0);
  REQUIRE(r);
  CHECK(r->body.find("\"lr\"") != std::string::npos);
  CHECK(sink->stats().dropped == 0);
}

TEST_CASE_METHOD(ServerFixture, "server sink: an operator's answer on the server comes out of take_answers() once",
                 "[sinks][server]") {
  o.run_id = "r13";
  o.answer_poll_s = 0.05;
  auto sink = make_server_sink(o);
  SinkSet set;
  set.add(std::move(sink));
  set.on_status("running");
  set.on_alert(make_alert("a-1", "nan_loss"));
  set.on_alert(make_alert("a-2", "loss_spike"));
  REQUIRE(wait_until([&] { return set.server_alert_id("a-2").has_value(); }, 5.0));
  CHECK(set.take_answers().empty());
  auto respond = [&](const std::string& id, const std::string& choice) {
    auto r = detail::http_request("POST", server.url() + "/alerts/" + id + "/respond",
                                  R"({"choice": ")" + choice + R"("})", {"Content-Type: application/json"}, 5.0);
    return r ? r->code : 0L;
  };
  CHECK(respond("srv-2", "Maybe") == 400);  // the server checks the choice
  REQUIRE(respond("srv-2", "Stop Job") == 200);
  std::vector<ServerAnswer> got;
  REQUIRE(wait_until(
      [&] {
        for (auto& a : set.take_answers()) got.push_back(a);
        return !got.empty();
      },
      5.0));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (auto& a : set.take_answers()) got.push_back(a);
  REQUIRE(got.size() == 1);  // once
  CHECK(got[0].local_alert_id == "a-2");
  CHECK(got[0].server_alert_id == "srv-2");
  CHECK(got[0].choice == "Stop Job");
  REQUIRE(respond("srv-1", "Ignore") == 200);
  REQUIRE(wait_until(
      [&] {
        for (auto& a : set.take_answers()) got.push_back(a);
        return got.size() == 2;
      },
      5.0));
  CHECK(got[1].local_alert_id == "a-1");
  CHECK(got[1].choice == "Ignore");
  // Nothing pending: the poller is idle.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto gets = [&] {
    std::size_t k = 0;
    for (const auto& r : server.requests())
      if (str(r, "method") == "GET" && str(r, "path") == "/alerts") ++k;
    return k;
  };
  auto before = gets();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(gets() == before);
  set.close(1.0);
}

TEST_CASE_METHOD(ServerFixture, "server sink: answer polling backs off while the server fails, never blocks the caller",
                 "[sinks][server]") {
  o.answer_poll_s = 0.05;
  backoff(0.05, 0.4);
  auto sink = running_sink("r14");
  sink->on_alert(make_alert("a-1", "nan_loss"));
  REQUIRE(wait_until([&] { return sink->server_alert_id("a-1").has_value(); }, 5.0));
  REQUIRE(server.control(R"({"mode": "fail", "fail_status": 503})"));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    sink->take_answers();
    sink->on_snapshot(make_snapshot("x"));
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::size_t gets = 0;
  for (const auto& r : server.requests())
    if (str(r, "path") == "/alerts") ++gets;
  CHECK(gets <= 12);  // 0.05, 0.1, 0.2, 0.4, 0.4 ... not every 50 ms
  bool noticed = false;
  for (const auto& n : sink->take_notices()) noticed = noticed || n.find("GET /alerts") != std::string::npos;
  CHECK(noticed);
  REQUIRE(server.control(R"({"mode": "ok"})"));
  auto r = detail::http_request("POST", server.url() + "/alerts/srv-1/respond", R"({"choice": "Ignore"})",
                                {"Content-Type: application/json"}, 5.0);
  REQUIRE(r);
  std::vector<ServerAnswer> got;
  REQUIRE(wait_until(
      [&] {
        got = sink->take_answers();
        return !got.empty();
      },
      5.0));
  CHECK(got[0].choice == "Ignore");
  sink->close(1.0);
}
