// The Alertmanager sink against the real prometheus-alertmanager (Debian),
// started on 127.0.0.1 with a free port, and its re-send timing against the
// fake server.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"
#include "test_helpers.h"

using namespace sidecar;
using sidecar::test::TempDir;
using sidecar::test::wait_until;

namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

Alert gpu_alert() {
  Alert a;
  a.id = "a-0007";
  a.ts = 0;  // "now"
  a.run_id = "r-am";
  a.decision.source = Source::kRulebased;
  a.decision.syndrome = "grad_explosion";
  a.decision.severity = Severity::kCritical;
  a.decision.message = "grad_norm 1e6 x above its median";
  a.decision.evidence = {{"grad_norm", "1.2e6"}, {"rank", "3"}};
  a.decision.signature = "rulebased/grad_explosion";
  return a;
}

// The alerts Alertmanager lists (active, silenced, inhibited, unprocessed; resolved ones are not listed).
std::vector<Value> list_alerts(const std::string& url) {
  auto r = detail::http_request("GET", url + "/api/v2/alerts", "", {}, 5.0);
  if (!r || r->code != 200) return {};
  auto v = parse_json(r->body);
  if (!v || !v->is_array()) return {};
  return v->items;
}

std::string label(const Value& alert, std::string_view key) {
  const Value* labels = alert.find("labels");
  const Value* v = labels != nullptr ? labels->find(key) : nullptr;
  return v != nullptr ? v->str : std::string("<absent>");
}

}  // namespace

TEST_CASE("alertmanager sink: an alert fires in a real Alertmanager, then resolves", "[sinks][alertmanager]") {
  if (!std::filesystem::exists(kAlertmanager)) {
    WARN("skipped: " << kAlertmanager << " is absent (apt-get install prometheus-alertmanager; see scripts/deps.sh)");
    return;
  }
  TempDir dir;
  std::string config = dir.file("alertmanager.yml");
  std::ofstream(config) << "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n";
  std::filesystem::create_directories(dir.file("data"));
  int port = test::free_port();
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  test::Child am({kAlertmanager, "--config.file=" + config, "--storage.path=" + dir.file("data"),
                  "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
                 dir.file("alertmanager.log"));
  REQUIRE(am.running());
  bool ready = wait_until(
      [&] {
        auto r = detail::http_request("GET", url + "/-/ready", "", {}, 1.0);
        return r && r->code == 200;
      },
      20.0);
  INFO(test::read_file(dir.file("alertmanager.log")));
  REQUIRE(ready);

  AlertmanagerSinkOptions o;
  o.url = url;
  o.run_id = "r-am";
  o.host = "node-17";
  o.resend_s = 60;
  o.initial_backoff_s = 0.05;
  auto sink = make_alertmanager_sink(o);
  sink->on_alert(gpu_alert());
  std::vector<Value> alerts;
  REQUIRE(wait_until([&] { return (alerts = list_alerts(url)).size() == 1; }, 10.0));
  const Value& a = alerts[0];
  CHECK(label(a, "alertname") == "grad_explosion");
  CHECK(label(a, "severity") == "critical");
  CHECK(label(a, "run_id") == "r-am");
  CHECK(label(a, "source") == "rulebased");
  CHECK(label(a, "host") == "node-17");
  CHECK(label(a, "rank") == "3");
  CHECK(a.find("status")->find("state")->str == "active");
  CHECK(a.find("annotations")->find("summary")->str == "grad_norm 1e6 x above its median");
  CHECK(a.find("annotations")->find("evidence")->str == "grad_norm=1.2e6, rank=3");
  CHECK(a.find("fingerprint") != nullptr);

  Resolved r;
  r.alert_id = "a-0007";
  r.signature = "rulebased/grad_explosion";
  r.syndrome = "grad_explosion";
  r.ts = 0;  // now
  sink->on_resolved(r);
  CHECK(wait_until([&] { return list_alerts(url).empty(); }, 10.0));  // endsAt reached: no longer active
  sink->close(2.0);
  SinkStats st = sink->stats();
  CHECK(st.sent == 2);
  CHECK(st.failed == 0);
}

TEST_CASE_METHOD(test::FakeServerFixture<AlertmanagerSinkOptions>,
                 "alertmanager sink: active alerts are re-sent, resolved ones stop, the run's end resolves the rest",
                 "[sinks][alertmanager]") {
  o.run_id = "r-re";
  o.host = "h";
  o.resend_s = 0.1;
  auto sink = make_alertmanager_sink(o);
  Alert a = gpu_alert();
  sink->on_alert(a);
  Alert b = gpu_alert();
  b.id = "a-0008";
  b.decision.syndrome = "nan_loss";
  b.decision.evidence = {};
  sink->on_alert(b);
  REQUIRE(wait_until([&] { return server.requests_to("/api/v2/alerts").size() >= 5; }, 5.0));
  auto reqs = server.requests_to("/api/v2/alerts");
  // A re-send carries both active alerts in one array, with endsAt in the future.
  const Value& resend = *reqs.back().find("body");
  REQUIRE(resend.items.size() == 2);
  CHECK(resend.items[1].find("labels")->find("rank") == nullptr);
  CHECK(resend.items[0].find("endsAt")->str > resend.items[0].find("startsAt")->str);

  Resolved r;
  r.alert_id = b.id;
  r.ts = 1700000000.0;
  sink->on_resolved(r);
  REQUIRE(wait_until(
      [&] {
        auto all = server.requests_to("/api/v2/alerts");
        const Value& last = *all.back().find("body");
        return last.items.size() == 1 && last.items[0].find("labels")->find("alertname")->str == "grad_explosion";
      },
      5.0));
  bool saw_resolution = false;
  for (const auto& q : server.requests_to("/api/v2/alerts")) {
    const Value& body = *q.find("body");
    if (body.items.size() == 1 && body.items[0].find("labels")->find("alertname")->str == "nan_loss" &&
        body.items[0].find("endsAt")->str == "2023-11-14T22:13:20.000Z")
      saw_resolution = true;
  }
  CHECK(saw_resolution);

  sink->on_finish({"finished", 0, ""});
  sink->close(2.0);
  auto all = server.requests_to("/api/v2/alerts");
  const Value& final_body = *all.back().find("body");
  REQUIRE(final_body.items.size() == 1);
  CHECK(final_body.items[0].find("labels")->find("alertname")->str == "grad_explosion");
  CHECK(final_body.items[0].find("endsAt")->str < resend.items[0].find("endsAt")->str);
  std::size_t n = all.size();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(server.requests_to("/api/v2/alerts").size() == n);  // closed: no more re-sends
}

TEST_CASE("rfc3339 formats UTC with milliseconds", "[sinks][alertmanager]") {
  CHECK(detail::rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(detail::rfc3339(1700000000.25) == "2023-11-14T22:13:20.250Z");
  CHECK(detail::rfc3339(std::numeric_limits<double>::quiet_NaN()) == "1970-01-01T00:00:00.000Z");
}
