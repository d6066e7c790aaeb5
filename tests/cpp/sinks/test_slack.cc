// The Slack and generic webhook sinks (notify.h) against a local receiver:
// payloads, one notification per incident, retries, drop counts, secrets
// and the playbook section.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "sidecar/config.h"
#include "sidecar/notify.h"
#include "test_helpers.h"
#include "test_webhook_receiver.h"

using sidecar::Alert;
using sidecar::Resolved;
using sidecar::Severity;
using sidecar::Value;
using sidecar::test::HttpReceiver;
using sidecar::test::wait_until;

namespace {

Alert alert(std::string id, std::string signature, Severity sev, std::int64_t step = 57,
            std::string syndrome = "nan_loss") {
  Alert a;
  a.id = std::move(id);
  a.ts = 1700000000.0;
  a.run_id = "run-1";
  a.decision.severity = sev;
  a.decision.syndrome = std::move(syndrome);
  a.decision.signature = std::move(signature);
  a.decision.step = step;
  a.decision.message = "loss is NaN at step 57 <after> a spike & more";
  a.decision.evidence = {{"key", "train/loss"}, {"value", "nan"}};
  return a;
}

Resolved resolved(std::string alert_id, std::string signature) {
  Resolved r;
  r.alert_id = std::move(alert_id);
  r.signature = std::move(signature);
  r.syndrome = "nan_loss";
  r.ts = 1700000100.0;
  r.duration_s = 100.0;
  return r;
}

Value json(const std::string& text) {
  auto v = sidecar::parse_json(text, "body");
  REQUIRE(v);
  return *v;
}

std::string str(const Value& v, std::string_view key) {
  const Value* f = v.find(key);
  return f ? f->as_string().value_or("") : "";
}

sidecar::SlackSinkOptions slack_options(const HttpReceiver& rx) {
  sidecar::SlackSinkOptions o;
  o.webhook_url = rx.url("/services/T000/B000/secret-token");
  o.run_id = "run-1";
  o.initial_backoff_s = 0.01;
  o.max_backoff_s = 0.05;
  o.timeout_s = 2.0;
  return o;
}

}  // namespace

TEST_CASE("slack: the Block Kit message carries severity, run, syndrome, step, evidence and choices",
          "[sinks][slack]") {
  sidecar::SlackSinkOptions o;
  o.run_id = "run-1";
  Alert a = alert("a1", "rulebased:nan_loss:loss", Severity::kCritical);
  a.decision.evidence = {{"line", "RuntimeError: `CUDA` error"}, {"line_no", "12"}};
  Value v = json(sidecar::detail::slack_alert_body(a, false, o));
  CHECK(str(v, "text").find("[CRITICAL] nan_loss on run run-1 at step 57") == 0);
  const Value* blocks = v.find("blocks");
  REQUIRE(blocks);
  REQUIRE(blocks->items.size() == 5);
  CHECK(str(blocks->items[0], "type") == "header");
  CHECK(str(*blocks->items[0].find("text"), "text") == "CRITICAL · nan_loss");
  const Value* fields = blocks->items[1].find("fields");
  REQUIRE(fields);
  REQUIRE(fields->items.size() == 4);
  CHECK(str(fields->items[0], "text") == "*Run*\nrun-1");
  CHECK(str(fields->items[1], "text") == "*Step*\n57");
  CHECK(str(fields->items[2], "text").find("critical") != std::string::npos);
  CHECK(str(fields->items[3], "text").find("`nan_loss` (rulebased)") == 0 + std::string("*Syndrome*\n").size());
  // mrkdwn control characters are escaped.
  CHECK(str(*blocks->items[2].find("text"), "text") == "loss is NaN at step 57 &lt;after&gt; a spike &amp; more");
  std::string evidence = str(blocks->items[3].find("elements")->items[0], "text");
  CHECK(evidence == "Evidence: `RuntimeError: 'CUDA' error`");
  std::string choices = str(blocks->items[4].find("elements")->items[0], "text");
  CHECK(choices.find("*Ignore*") != std::string::npos);
  CHECK(choices.find("*Stop Job*") != std::string::npos);

  Value esc = json(sidecar::detail::slack_alert_body(a, true, o));
  CHECK(str(*esc.find("blocks")->items[0].find("text"), "text") == "escalated to CRITICAL · nan_loss");
  Value res = json(sidecar::detail::slack_resolved_body(resolved("a1", "s"), &a, o));
  std::string res_text = str(*res.find("blocks")->items[0].find("text"), "text");
  CHECK(res_text.find("Resolved: `nan_loss` on run run-1 after 100 s (opened at step 57)") != std::string::npos);
}

TEST_CASE("slack: one message per incident opening, escalation and resolution", "[sinks][slack]") {
  HttpReceiver rx;
  auto sink = sidecar::make_slack_sink(slack_options(rx));
  for (int i = 0; i < 5; ++i) sink->on_alert(alert("a" + std::to_string(i), "sig-loss", Severity::kWarning));
  sink->on_alert(alert("b1", "sig-oom", Severity::kInfo));  // below min_severity (warning): not posted
  REQUIRE(wait_until([&] { return rx.count() >= 1; }, 5.0));
  sink->on_alert(alert("a5", "sig-loss", Severity::kCritical));  // escalation
  sink->on_alert(alert("a6", "sig-loss", Severity::kCritical));  // same severity: nothing
  sink->on_resolved(resolved("a2", "sig-loss"));
  sink->on_resolved(resolved("a3", "sig-loss"));                // already resolved: nothing
  sink->on_alert(alert("a7", "sig-loss", Severity::kWarning));  // a new incident
  sink->close(5.0);
  auto reqs = rx.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].path == "/services/T000/B000/secret-token");
  CHECK(reqs[0].headers["content-type"].find("application/json") == 0);
  CHECK(str(json(reqs[0].body), "text").find("[WARNING] nan_loss") == 0);
  CHECK(str(json(reqs[1].body), "text").find("[CRITICAL] escalated: nan_loss") == 0);
  CHECK(str(json(reqs[2].body), "text").find("Resolved: nan_loss") == 0);
  CHECK(str(json(reqs[3].body), "text").find("[WARNING] nan_loss") == 0);
  auto st = sink->stats();
  CHECK(st.sent == 4);
  CHECK(st.dropped == 0);
}

TEST_CASE("slack: failed posts are retried and counted", "[sinks][slack]") {
  HttpReceiver rx;
  rx.fail_next(2, 503);
  auto sink = sidecar::make_slack_sink(slack_options(rx));
  sink->on_alert(alert("a1", "sig", Severity::kCritical));
  REQUIRE(wait_until([&] { return rx.delivered() == 1; }, 10.0));
  sink->close(2.0);
  CHECK(rx.count() == 3);
  auto st = sink->stats();
  CHECK(st.sent == 1);
  CHECK(st.failed == 2);
  CHECK(st.retried == 2);
  CHECK(st.last_error.find("secret-token") == std::string::npos);  // the URL's token never shows
  CHECK(st.last_error.find("503") != std::string::npos);
  // ... and the front end is told, once, by the sink's name and without the token (a failure that
  // happens while closing, after the last status was written, reaches the terminal this way only)
  auto notices = sink->take_notices();
  REQUIRE_FALSE(notices.empty());
  CHECK(notices[0].find("503") != std::string::npos);
  for (const auto& n : notices) {
    CHECK(n.rfind("slack: ", 0) == 0);
    CHECK(n.find("secret-token") == std::string::npos);
  }
  CHECK(sink->take_notices().empty());
}

TEST_CASE("slack: a full queue and an unreachable hook drop and count, never block", "[sinks][slack]") {
  int port = sidecar::test::free_port();  // nothing listens there
  sidecar::SlackSinkOptions o;
  o.webhook_url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  o.queue_capacity = 2;
  o.initial_backoff_s = 0.05;
  o.max_backoff_s = 0.1;
  o.timeout_s = 0.5;
  auto sink = sidecar::make_slack_sink(o);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i)
    sink->on_alert(alert("a" + std::to_string(i), "sig" + std::to_string(i), Severity::kCritical));
  double enqueue_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(enqueue_s < 0.5);
  sink->close(0.3);
  auto st = sink->stats();
  CHECK(st.sent == 0);
  CHECK(st.dropped >= 8);
  CHECK(st.failed >= 1);

  // No URL at all: every message is dropped and counted, with a reason.
  ::unsetenv("SIDECAR_TEST_NO_SUCH_SLACK_URL");
  sidecar::SlackSinkOptions none;
  none.webhook_url_env = "SIDECAR_TEST_NO_SUCH_SLACK_URL";
  auto empty = sidecar::make_slack_sink(none);
  empty->on_alert(alert("a1", "s", Severity::kCritical));
  CHECK(empty->stats().dropped == 1);
  CHECK(empty->stats().last_error.find("SIDECAR_TEST_NO_SUCH_SLACK_URL") != std::string::npos);
}

TEST_CASE("webhook: the payload is the alert record plus event and incident", "[sinks][webhook]") {
  HttpReceiver rx;
  sidecar::WebhookSinkOptions o;
  o.url = rx.url("/hook");
  o.initial_backoff_s = 0.01;
  auto sink = sidecar::make_webhook_sink(o);
  Alert a = alert("a1", "rulebased:nan_loss:loss", Severity::kWarning);
  sink->on_alert(a);
  sink->on_alert(alert("a2", "rulebased:nan_loss:loss", Severity::kWarning));  // same incident
  sink->on_alert(alert("a3", "rulebased:nan_loss:loss", Severity::kCritical));
  sink->on_resolved(resolved("a2", "rulebased:nan_loss:loss"));
  sink->close(5.0);
  auto reqs = rx.requests();
  REQUIRE(reqs.size() == 3);
  Value first = json(reqs[0].body);
  CHECK(str(first, "type") == "alert");
  CHECK(str(first, "id") == "a1");
  CHECK(str(first, "run_id") == "run-1");
  CHECK(first.find("step")->number == 57);
  CHECK(str(first, "syndrome") == "nan_loss");
  CHECK(str(first, "severity") == "warning");
  CHECK(str(first, "message") == a.decision.message);
  CHECK(first.find("choices")->items.size() == 2);
  CHECK(str(*first.find("evidence"), "key") == "train/loss");
  CHECK(str(first, "event") == "open");
  CHECK(str(first, "incident") == "rulebased:nan_loss:loss");
  CHECK(str(json(reqs[1].body), "event") == "escalated");
  Value res = json(reqs[2].body);
  CHECK(str(res, "type") == "resolved");
  CHECK(str(res, "event") == "resolved");
  CHECK(str(res, "alert_id") == "a2");
  CHECK(str(res, "incident") == "rulebased:nan_loss:loss");
  CHECK(reqs[0].headers["content-type"] == "application/json");
}

TEST_CASE("webhook: an incident id groups different conditions into one notification", "[sinks][webhook]") {
  HttpReceiver rx;
  sidecar::WebhookSinkOptions o;
  o.url = rx.url();
  auto sink = sidecar::make_webhook_sink(o);
  Alert spike = alert("a1", "rulebased:loss_spike:loss", Severity::kWarning, 50, "loss_spike");
  spike.decision.evidence.emplace_back("incident", "inc-7");
  Alert grad = alert("a2", "rulebased:grad_explosion:grad_norm", Severity::kWarning, 52, "grad_explosion");
  grad.decision.evidence.emplace_back("incident", "inc-7");
  sink->on_alert(spike);
  sink->on_alert(grad);
  sink->on_resolved(resolved("a2", "rulebased:grad_explosion:grad_norm"));
  sink->close(5.0);
  auto reqs = rx.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(str(json(reqs[0].body), "incident") == "inc-7");
  CHECK(str(json(reqs[1].body), "event") == "resolved");
}

TEST_CASE("webhook: a template and a secret header from the environment", "[sinks][webhook]") {
  HttpReceiver rx;
  ::setenv("SIDECAR_TEST_HOOK_HEADER", "Authorization: Bearer s3cret", 1);
  sidecar::WebhookSinkOptions o;
  o.url = rx.url("/t");
  o.header_env = "SIDECAR_TEST_HOOK_HEADER";
  o.body_template = R"({"text": "{{severity}}: {{message}}", "step": {{step}}, "raw": {{record}}, "x": "{{nope}}"})";
  auto sink = sidecar::make_webhook_sink(o);
  sink->on_alert(alert("a1", "s1", Severity::kCritical));
  sink->close(5.0);
  ::unsetenv("SIDECAR_TEST_HOOK_HEADER");
  auto reqs = rx.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].headers["authorization"] == "Bearer s3cret");
  Value v = json(reqs[0].body);
  CHECK(str(v, "text") == "critical: loss is NaN at step 57 <after> a spike & more");
  CHECK(v.find("step")->number == 57);
  CHECK(str(*v.find("raw"), "event") == "open");
  CHECK(str(v, "x").empty());
}

TEST_CASE("secrets come from a file or the environment, never echoed", "[sinks][webhook]") {
  sidecar::test::TempDir t;
  std::string file = t.file("url");
  std::ofstream(file) << "  https://hooks.example/T/B/tok  \n";
  ::setenv("SIDECAR_TEST_SECRET", "https://env.example/x", 1);
  CHECK(*sidecar::read_secret("SIDECAR_TEST_SECRET", file) == "https://hooks.example/T/B/tok");  // the file wins
  CHECK(*sidecar::read_secret("SIDECAR_TEST_SECRET", "") == "https://env.example/x");
  ::unsetenv("SIDECAR_TEST_SECRET");
  auto missing = sidecar::read_secret("SIDECAR_TEST_SECRET", "");
  CHECK(missing.status().code() == sidecar::StatusCode::kNotFound);
  CHECK(missing.status().message().find("$SIDECAR_TEST_SECRET") != std::string::npos);
  CHECK(sidecar::read_secret("X", t.file("nope")).status().code() == sidecar::StatusCode::kNotFound);
  std::ofstream(file) << "tok\nen";
  auto bad = sidecar::read_secret("", file);
  CHECK(bad.status().code() == sidecar::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("tok") == std::string::npos);
  std::ofstream(t.file("headers")) << "# comment\nAuthorization: Bearer x\n\nX-Team: ml\n";
  auto hs = sidecar::read_header_lines(t.file("headers"));
  REQUIRE(hs);
  CHECK(hs->size() == 2);
  std::ofstream(t.file("bad_headers")) << "no colon here\n";
  CHECK(sidecar::read_header_lines(t.file("bad_headers")).status().code() == sidecar::StatusCode::kInvalidArgument);
}

TEST_CASE("playbook: sinks.slack and sinks.webhook", "[sinks][webhook][options]") {
  auto pb = sidecar::parse_yaml(R"(
sinks:
  slack:
    webhook_url_env: TEAM_SLACK_URL
    min_severity: critical
    notify_resolved: false
    max_attempts: 3
  webhook:
    url_file: /etc/hook
    header_env: HOOK_AUTH
    template: '{"text": "{{message}}"}'
    timeout_s: 2
)",
                                "pb.yaml");
  REQUIRE(pb);
  sidecar::SlackSinkOptions slack;
  sidecar::WebhookSinkOptions hook;
  std::vector<sidecar::Status> errors;
  sidecar::read_notify_sink_options(*pb, &slack, &hook, &errors);
  sidecar::read_sink_options(*pb, nullptr, nullptr, &errors);  // the server/alertmanager reader accepts the sections
  CHECK(errors.empty());
  CHECK(slack.webhook_url_env == "TEAM_SLACK_URL");
  CHECK(slack.min_severity == Severity::kCritical);
  CHECK_FALSE(slack.notify_resolved);
  CHECK(slack.max_attempts == 3);
  CHECK(hook.url_file == "/etc/hook");
  CHECK(hook.header_env == "HOOK_AUTH");
  CHECK(hook.body_template == R"({"text": "{{message}}"})");
  CHECK(hook.timeout_s == 2.0);

  auto bad = sidecar::parse_yaml(
      "sinks:\n  slack:\n    webhook_url: https://hooks.slack.com/x\n    min_severty: info\n", "bad.yaml");
  REQUIRE(bad);
  errors.clear();
  sidecar::read_notify_sink_options(*bad, &slack, &hook, &errors);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message().find("bad.yaml:3:") == 0);
  CHECK(errors[0].message().find("secret") != std::string::npos);
  CHECK(errors[1].message().find("did you mean 'min_severity'") != std::string::npos);
}

TEST_CASE("notification gate: an incident the engine opened without a notification is not posted", "[sinks]") {
  sidecar::detail::IncidentGate gate(Severity::kWarning);
  std::string key;
  // a condition's episode past its recurrences: the engine files it, notify "no"
  Alert quiet = alert("a1", "rulebased/grad_norm_explosion/grad_norm", Severity::kWarning);
  quiet.decision.evidence.emplace_back("incident", "run-incident-0004");
  quiet.decision.evidence.emplace_back("notify", "no");
  quiet.decision.evidence.emplace_back("recurrence", "4");
  CHECK(gate.on_alert(quiet, &key) == sidecar::detail::IncidentGate::Event::kNone);
  CHECK(gate.on_resolved(resolved("a1", "rulebased/grad_norm_explosion/grad_norm"), &key) ==
        sidecar::detail::IncidentGate::Event::kNone);
  // a later decision the engine notifies (escalated) in that incident is told as the incident's opening
  Alert nan = alert("a2", "rulebased/nan_loss/loss", Severity::kCritical);
  nan.decision.evidence.emplace_back("incident", "run-incident-0004");
  nan.decision.evidence.emplace_back("notify", "escalated");
  CHECK(gate.on_alert(nan, &key) == sidecar::detail::IncidentGate::Event::kOpen);
  CHECK(key == "run-incident-0004");
  CHECK(gate.suppressed() == 1);
}
