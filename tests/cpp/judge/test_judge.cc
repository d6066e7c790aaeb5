// The LLM judge: strict parsing, the command transport (a fake script) and
// the chat transport (the fake server): alert, ignore, garbage, timeout,
// budget exhausted.
#include <catch2/catch.hpp>

#include "sidecar/judge.h"
#include "sinks/test_helpers.h"

using namespace sidecar;
using sidecar::test::TempDir;
using sidecar::test::wait_until;

namespace {

std::string script() { return std::string(SIDECAR_TEST_DATA) + "/judge/fake_judge.sh"; }

JudgeOptions command_judge(const std::string& mode, const std::string& prompt_copy = "") {
  JudgeOptions o;
  o.enabled = true;
  o.command = {"/bin/sh", script(), mode};
  if (!prompt_copy.empty()) o.command.push_back(prompt_copy);
  o.interval_s = 30;
  o.timeout_s = 5;
  return o;
}

JudgeContext context() {
  JudgeContext c;
  c.run_id = "r9";
  c.profile = "reinforcement_learning";
  c.summary_json = R"({"reward":0.0,"kl":0.01})";
  for (int i = 0; i < 40; ++i) c.last_rows.push_back(R"({"step":)" + std::to_string(i) + R"(,"reward":0.0})");
  c.syndrome_counts = {{"reward_flat", 3}};
  c.recent_log_lines = {"step 39 reward 0.0", "warning: \x1b[31mlow entropy\x1b[0m"};
  return c;
}

bool settled(const Judge& j) { return !j.status().in_flight; }

// Submits context() at `now` and waits (10 s at most) until the call settles.
void submit_and_settle(Judge& j, double now = 0) {
  j.submit(context(), now);
  REQUIRE(wait_until([&] { return settled(j); }, 10.0));
}

}  // namespace

TEST_CASE("parse_judge_output: strict and tolerant in the right places", "[judge]") {
  JudgeOptions o;
  SECTION("alert, normalised") {
    auto v = parse_judge_output(
        R"({"action":" ALERT ","severity":"Error","syndrome":"Reward Collapse!","message":"m\nx","choices":["stop job","Ignore"]})",
        o);
    REQUIRE(v);
    CHECK(v->alert);
    CHECK(v->severity == Severity::kWarning);  // "error" = critical, capped at max_severity (warning)
    CHECK(v->syndrome == "reward_collapse");
    CHECK(v->message == "m x");
    CHECK(v->choices == std::vector<std::string>{"Stop Job", "Ignore"});  // spelt as known
    o.max_severity = Severity::kCritical;
    CHECK(parse_judge_output(R"({"action":"alert","severity":"error"})", o)->severity == Severity::kCritical);
    CHECK(parse_judge_output(R"({"action":"alert","severity":"purple"})", o)->severity == Severity::kWarning);
  }
  SECTION("the first balanced object, braces in strings respected, prose and fences ignored") {
    auto v = parse_judge_output(
        "Sure:\n```json\n{\"action\": \"ignore\", \"reason\": \"a } b {\"}\n``` {\"action\":\"alert\"}");
    REQUIRE(v);
    CHECK_FALSE(v->alert);
    CHECK(v->reason == "a } b {");
    auto w = parse_judge_output("see {this} then {\"action\":\"alert\"}");  // {this} is not JSON: the next object
    REQUIRE(w);
    CHECK(w->alert);
    CHECK(w->syndrome == "judge_anomaly");
  }
  SECTION("unknown choices fall back to the defaults") {
    auto v = parse_judge_output(R"({"action":"alert","choices":["Reboot the cluster","Ignore"]})", o);
    CHECK(v->choices == o.default_choices);
    CHECK(parse_judge_output(R"({"action":"alert","choices":"Ignore"})", o)->choices == o.default_choices);
    CHECK(parse_judge_output(R"({"action":"alert","choices":[1,2]})", o)->choices == o.default_choices);
  }
  SECTION("errors") {
    CHECK(parse_judge_output("").status().code() == StatusCode::kParseError);
    CHECK(parse_judge_output("no json here").status().message() == "no JSON object in the judge's output");
    CHECK(parse_judge_output("{\"action\": \"alert\"").status().message().find("unbalanced") != std::string::npos);
    CHECK(parse_judge_output(R"({"action":"maybe"})").status().message().find("unknown action 'maybe'") !=
          std::string::npos);
    CHECK(parse_judge_output(R"({"verdict":"alert"})").status().message().find("no \"action\"") != std::string::npos);
    CHECK(parse_judge_output(R"([{"action":"alert"}])")->alert);  // an object inside an array still counts
    CHECK_FALSE(parse_judge_output(R"({"action":["alert"]})"));
  }
}

TEST_CASE("parse_chat_completion", "[judge]") {
  CHECK(*parse_chat_completion(R"({"choices":[{"message":{"role":"assistant","content":"hi"}}]})") == "hi");
  CHECK_FALSE(parse_chat_completion(R"({"choices":[]})"));
  CHECK_FALSE(parse_chat_completion(R"({"choices":[{"message":{"content":null}}]})"));
  CHECK_FALSE(parse_chat_completion("<html>"));
}

TEST_CASE("render_judge_prompt is compact and bounded", "[judge]") {
  JudgeContext c = context();
  std::string p = render_judge_prompt(c);
  CHECK(p.find("profile: reinforcement_learning") != std::string::npos);
  CHECK(p.find("reward_flat=3") != std::string::npos);
  CHECK(p.find(R"({"step":39,"reward":0.0})") != std::string::npos);
  CHECK(p.find(R"({"step":20,"reward":0.0})") == std::string::npos);  // only the last 12 rows
  CHECK(p.find('\x1b') == std::string::npos);                         // control characters removed
  c.summary_json = std::string(100000, 'x');
  c.recent_log_lines.assign(1000, std::string(1000, 'y'));
  CHECK(render_judge_prompt(c).size() <= 8 * 1024 + 32);
}

TEST_CASE("judge: command transport, alert verdict becomes a Decision", "[judge]") {
  TempDir dir;
  Judge j(command_judge("alert", dir.file("prompt.txt")));
  CHECK(j.status().enabled);
  CHECK_FALSE(j.due(100, /*new_data=*/false, false));
  CHECK_FALSE(j.due(100, true, /*rules_found_something=*/true));
  REQUIRE(j.due(100, true, false));
  j.submit(context(), 100);
  CHECK_FALSE(j.due(101, true, false));  // in flight (or interval not passed)
  REQUIRE(wait_until([&] { return settled(j); }, 10.0));
  auto d = j.poll();
  REQUIRE(d);
  CHECK(d->source == Source::kJudge);
  CHECK(d->syndrome == "reward_collapse");
  CHECK(d->severity == Severity::kWarning);  // capped: the judge is a soft signal
  CHECK(d->message == "reward fell to 0 and stayed there");
  CHECK(d->choices == std::vector<std::string>{"Ignore", "Stop Job"});
  CHECK(d->signature == "judge/reward_collapse");
  CHECK(*evidence_get(d->evidence, "reason") == "flat zero reward for 300 steps");
  CHECK_FALSE(j.poll());  // once
  CHECK(test::read_file(dir.file("prompt.txt")) == render_judge_prompt(context()));
  CHECK_FALSE(j.due(120, true, false));  // interval (30 s) not passed
  CHECK(j.due(130, true, false));
  JudgeStatus st = j.status();
  CHECK(st.calls == 1);
  CHECK(st.alerts == 1);
  CHECK(st.failures == 0);
  CHECK(st.budget_left == 29);
}

TEST_CASE("judge: ignore, garbage, failing command, timeout", "[judge]") {
  SECTION("ignore") {
    Judge j(command_judge("ignore"));
    submit_and_settle(j);
    CHECK_FALSE(j.poll());
    CHECK(j.status().ignores == 1);
    CHECK(j.status().last_reason == "ignore: loss decreasing normally");
  }
  SECTION("garbage") {
    Judge j(command_judge("garbage"));
    submit_and_settle(j);
    CHECK_FALSE(j.poll());
    CHECK(j.status().failures == 1);
    CHECK(j.status().last_reason.find("unbalanced") != std::string::npos);
  }
  SECTION("prose around JSON, unknown choices") {
    Judge j(command_judge("prose"));
    submit_and_settle(j);
    auto d = j.poll();
    REQUIRE(d);
    CHECK(d->message == "loss {stuck} at 2.3");
    CHECK(d->choices == std::vector<std::string>{"Ignore", "Stop Job"});
  }
  SECTION("failing command") {
    Judge j(command_judge("fail"));
    submit_and_settle(j);
    CHECK(j.status().last_reason == "judge command exited with 3: model unavailable");
  }
  SECTION("missing command") {
    JudgeOptions o = command_judge("alert");
    o.command = {"/nonexistent/judge"};
    Judge j(o);
    submit_and_settle(j);
    CHECK(j.status().failures == 1);
    CHECK(j.status().last_reason.find("judge command") == 0);
  }
  SECTION("timeout") {
    JudgeOptions o = command_judge("sleep");
    o.timeout_s = 0.3;
    Judge j(o);
    auto t0 = std::chrono::steady_clock::now();
    j.submit(context(), 0);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(100));  // submit never waits
    REQUIRE(wait_until([&] { return settled(j); }, 10.0));
    CHECK_FALSE(j.poll());
    CHECK(j.status().failures == 1);
    CHECK(j.status().last_reason.find("timed out") != std::string::npos);
  }
}

TEST_CASE("judge: budget exhausted, busy, disabled", "[judge]") {
  JudgeOptions o = command_judge("ignore");
  o.interval_s = 0;
  o.max_calls_per_hour = 2;
  Judge j(o);
  for (double now : {0.0, 10.0}) {
    REQUIRE(j.due(now, true, false));
    submit_and_settle(j, now);
  }
  CHECK_FALSE(j.due(20, true, false));
  j.submit(context(), 20);
  JudgeStatus st = j.status();
  CHECK(st.calls == 2);
  CHECK(st.skipped == 1);
  CHECK(st.budget_left == 0);
  CHECK(st.last_reason == "judge: budget exhausted (2 calls per hour)");
  CHECK_FALSE(j.due(3599, true, false));
  CHECK(j.due(3601, true, false));  // the first call left the sliding hour

  Judge busy(command_judge("sleep"));
  busy.submit(context(), 0);
  busy.submit(context(), 1000);
  CHECK(busy.status().skipped == 1);
  CHECK(busy.status().last_reason == "judge: busy (a call is in flight)");

  Judge off(JudgeOptions{});
  CHECK_FALSE(off.status().enabled);
  CHECK_FALSE(off.due(0, true, false));
  off.submit(context(), 0);
  CHECK(off.status().last_reason == "judge: disabled");
}

TEST_CASE("judge: OpenAI-compatible chat endpoint (fake server)", "[judge]") {
  TempDir dir;
  test::FakeServer server(dir.path);
  REQUIRE(server.port() > 0);
  ::setenv("SIDECAR_TEST_JUDGE_KEY", "sk-test-123", 1);
  JudgeOptions o;
  o.enabled = true;
  o.url = server.url();
  o.model = "tiny-judge";
  o.api_key_env = "SIDECAR_TEST_JUDGE_KEY";
  o.interval_s = 0;
  o.timeout_s = 2;
  SECTION("alert") {
    REQUIRE(server.control(
        R"({"chat_reply": "Verdict: {\"action\": \"alert\", \"severity\": \"warning\", \"syndrome\": \"kl_blowup\", \"message\": \"KL rising fast\"}"})"));
    Judge j(o);
    submit_and_settle(j);
    auto d = j.poll();
    REQUIRE(d);
    CHECK(d->syndrome == "kl_blowup");
    auto reqs = server.requests_to("/v1/chat/completions");
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].find("headers")->find("authorization")->str == "Bearer sk-test-123");
    const Value& body = *reqs[0].find("body");
    CHECK(body.find("model")->str == "tiny-judge");
    CHECK(body.find("messages")->items.size() == 2);
    CHECK(body.find("messages")->items[1].find("content")->str == render_judge_prompt(context()));
  }
  SECTION("ignore") {
    Judge j(o);  // the server's default reply is an ignore
    submit_and_settle(j);
    CHECK_FALSE(j.poll());
    CHECK(j.status().ignores == 1);
  }
  SECTION("garbage") {
    REQUIRE(server.control(R"({"chat_reply": "I cannot help with that."})"));
    Judge j(o);
    submit_and_settle(j);
    CHECK(j.status().failures == 1);
    CHECK(j.status().last_reason == "no JSON object in the judge's output");
  }
  SECTION("server error and timeout") {
    REQUIRE(server.control(R"({"mode": "fail", "fail_status": 503})"));
    Judge j(o);
    submit_and_settle(j);
    CHECK(j.status().last_reason == "judge endpoint: HTTP 503");
    REQUIRE(server.control(R"({"mode": "slow", "delay_s": 3})"));
    o.timeout_s = 0.3;
    Judge slow(o);
    submit_and_settle(slow);
    CHECK(slow.status().last_reason.find("judge endpoint: ") == 0);
    CHECK(slow.status().failures == 1);
  }
  ::unsetenv("SIDECAR_TEST_JUDGE_KEY");
}

TEST_CASE("judge: destroying a judge mid-call does not wait for the call", "[judge]") {
  auto j = std::make_unique<Judge>(command_judge("sleep"));  // the command sleeps 5 s
  j->submit(context(), 0);
  REQUIRE(j->status().in_flight);
  auto t0 = std::chrono::steady_clock::now();
  j.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
}
