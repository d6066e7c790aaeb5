// The LLM judge: a soft, optional fallback that asks a language model whether
// a run looks wrong when the rules found nothing. Asynchronous (one worker
// thread; submit() never blocks), rate-limited (an interval and a per-hour
// budget), strict about what it accepts, and ignorable: every failure becomes
// a reason in status(), never an exception or a stall.
//
// Transports:
//   - a command: the prompt on stdin, one JSON object on stdout (run_process,
//     bounded time and output; no shell);
//   - an OpenAI-compatible endpoint: POST {url}/v1/chat/completions with
//     {"model":…, "messages":[…]}; the key is read from the environment
//     variable named by api_key_env (never stored in options or logged).
//
//   sidecar::Judge judge(opts);
//   if (judge.due(now, new_data, rules_found_something)) judge.submit(ctx, now);
//   if (auto d = judge.poll()) engine.take(*d);      // a Decision with source kJudge
//
// The model must answer with a JSON object such as
//   {"action":"alert","severity":"warning","syndrome":"reward_collapse",
//    "message":"reward fell to 0 and stayed there","choices":["Ignore","Stop Job"]}
// or {"action":"ignore","reason":"loss decreasing normally"}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar {

// The judge's options. Transport: exactly one of command (argv, e.g.
// {"my-judge", "--json"}) or url (an OpenAI-compatible base URL;
// ".../v1/chat/completions" is appended unless present). known_choices: the
// choices a verdict may offer; anything else falls back to default_choices.
// max_output (bytes of model output considered) is no playbook option. The
// playbook's `judge:` is off unless enabled with exactly one transport.
#define SIDECAR_JUDGE_OPTIONS(X)                                                                                    \
  X(bool, enabled, false, (), "ask the judge when the rules found nothing, new data came and interval_s passed")    \
  X(std::vector<std::string>, command, {}, (), "argv: the prompt on stdin, one JSON object on stdout")              \
  X(std::string, url, {}, (), "or an OpenAI-compatible server (/v1/chat/completions)")                              \
  X(std::string, model, "gpt-4o-mini", (), "the model the url serves")                                              \
  X(std::string, api_key_env, "OPENAI_API_KEY", (), "the variable holding the API key (\"\" = no key)")             \
  X(double, interval_s, 30.0, (0, 86400), "at least this long between calls")                                       \
  X(double, timeout_s, 20.0, (0.001, 3600), "per call")                                                             \
  X(int, max_calls_per_hour, 30, (0, 100000), "budget (sliding hour); 0 = no calls")                                \
  X(std::vector<std::string>, known_choices,                                                                        \
    (std::vector<std::string>{std::string(kIgnoreChoice), std::string(kStopChoice), std::string(kContinueChoice)}), \
    (), "choices a verdict may offer")                                                                              \
  X(std::vector<std::string>, default_choices, sidecar::default_choices(), (),                                      \
    "offered when a verdict's choices are not known ones")                                                          \
  X(Severity, max_severity, Severity::kWarning, (), "verdicts are capped here (a soft signal)")
SIDECAR_OPTIONS(JudgeOptions, SIDECAR_JUDGE_OPTIONS, std::size_t max_output = 64 * 1024;);

// What the judge is shown (kept compact; each part is bounded when rendered).
struct JudgeContext {
  std::string run_id;
  std::string profile;                 // "supervised", …
  std::string summary_json;            // latest summary (compact JSON object)
  std::vector<std::string> last_rows;  // recent metric rows as compact JSON (newest last)
  std::vector<std::pair<std::string, int>> syndrome_counts;
  std::vector<std::string> recent_log_lines;  // newest last
};

// A parsed model answer.
struct JudgeVerdict {
  bool alert = false;  // action == "alert"
  Severity severity = Severity::kWarning;
  std::string syndrome;  // [a-z0-9_] (normalised); "judge_anomaly" when absent
  std::string message;   // one line, bounded
  std::vector<std::string> choices;
  std::string reason;  // the model's reason (for ignore), bounded
};

struct JudgeStatus {
  bool enabled = false;
  bool in_flight = false;
  std::uint64_t calls = 0;     // calls started
  std::uint64_t alerts = 0;    // verdicts that were alerts
  std::uint64_t ignores = 0;   // verdicts that were ignore
  std::uint64_t failures = 0;  // transport errors, timeouts, unparsable output
  std::uint64_t skipped = 0;   // submits refused (busy or over budget)
  int budget_left = 0;         // calls left in the current hour
  std::string last_reason;     // why the last call failed or was skipped / the last ignore's reason ("" = none)
};

struct Value;  // sidecar/config.h

// Reads the playbook's `judge:` section into `out` (errors appended, never
// thrown; absent keys keep the C++ defaults).
void read_judge_options(const Value& playbook, JudgeOptions* out, std::vector<Status>* errors);

// The prompt sent to the model (pure; bounded: at most ~8 KB).
std::string render_judge_prompt(const JudgeContext& context);

// Parses a model answer strictly: the first balanced JSON object in `output`
// (code fences and prose around it are ignored; braces inside strings are
// respected), "action" must be "alert" or "ignore"; severity is normalised
// (parse_severity; unknown -> warning) and capped at options.max_severity;
// choices not all in options.known_choices -> options.default_choices.
// Errors: kParseError (no object, bad JSON, no/unknown action).
Result<JudgeVerdict> parse_judge_output(std::string_view output, const JudgeOptions& options = {});

// Pulls the assistant's text out of an OpenAI chat-completions response
// (choices[0].message.content). Errors: kParseError.
Result<std::string> parse_chat_completion(std::string_view response_json);

class Judge {
 public:
  explicit Judge(JudgeOptions options);
  ~Judge();  // never waits for a call in flight: the worker finishes it (bounded by timeout_s) on its own
  Judge(const Judge&) = delete;
  Judge& operator=(const Judge&) = delete;

  // Whether the engine should submit now: enabled, the rules found nothing,
  // new data arrived, interval_s passed since the last submit, nothing in
  // flight, and budget left.
  bool due(double now, bool new_data, bool rules_found_something) const;
  // Hands a context to the worker; never blocks. Refused (counted as
  // skipped, with a reason) when busy or over budget.
  void submit(JudgeContext context, double now);
  // An alert verdict, once, as a Decision (source kJudge); nullopt otherwise.
  std::optional<Decision> poll();
  JudgeStatus status() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the worker, which may outlive a Judge destroyed mid-call
};

}  // namespace sidecar
