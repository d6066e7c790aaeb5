// The LLM judge (judge.h): prompt rendering, strict answer parsing, and an
// asynchronous, rate-limited worker over a command or a chat endpoint.
#include "sidecar/judge.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/process.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxPrompt = 8 * 1024;

// One line, at most max_bytes (cut on a UTF-8 boundary), control chars -> ' '.
std::string one_line(std::string_view s, std::size_t max_bytes) {
  std::string out;
  s = detail::trim(s);
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : detail::utf8_length(s, i);
    if (out.size() + std::max<std::size_t>(n, 1) > max_bytes) {
      out += "...";
      break;
    }
    if (c < 0x80)
      out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
    else if (n > 0)
      out.append(s.substr(i, n));
    else
      out += '?';
    i += n > 0 ? n : 1;
  }
  return out;
}

std::string normalise_syndrome(std::string_view s) {
  std::string out;
  for (char c : s) {
    char l = detail::ascii_lower(c);
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok)
      out += l;
    else if (!out.empty() && out.back() != '_')
      out += '_';
    if (out.size() >= 48) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? std::string("judge_anomaly") : out;
}

// The end (one past '}') of the balanced object starting at text[start] == '{', or npos.
std::size_t balanced_end(std::string_view text, std::size_t start) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string string_field(const Value& obj, std::string_view key) {
  const Value* v = obj.find(key);
  if (v == nullptr || v->kind != Value::Kind::kString) return {};
  return v->str;
}

}  // namespace

std::string render_judge_prompt(const JudgeContext& c) {
  std::string p =
      "You watch a machine-learning training run for problems the rules missed "
      "(divergence, collapse, stalls, silent data issues). Answer with ONE JSON object and nothing else:\n"
      "{\"action\": \"alert\" | \"ignore\", \"severity\": \"info\" | \"warning\" | \"critical\", "
      "\"syndrome\": \"short_snake_case_name\", \"message\": \"one line for a human\", "
      "\"choices\": [\"Ignore\", \"Stop Job\"], \"reason\": \"why\"}\n"
      "Alert only when something is clearly wrong; otherwise ignore.\n\n";
  p += "run: " + one_line(c.run_id.empty() ? "unknown" : c.run_id, 128) + "\n";
  p += "profile: " + one_line(c.profile.empty() ? "generic" : c.profile, 64) + "\n";
  p += "summary: " + one_line(c.summary_json.empty() ? "{}" : c.summary_json, 1500) + "\n";
  if (!c.syndrome_counts.empty()) {
    p += "syndromes seen:";
    std::size_t n = 0;
    for (const auto& [name, count] : c.syndrome_counts) {
      if (++n > 16) break;
      p += " " + one_line(name, 48) + "=" + std::to_string(count);
    }
    p += "\n";
  }
  auto tail = [&](const std::vector<std::string>& lines, std::size_t max_lines, std::size_t max_each,
                  const char* title) {
    if (lines.empty()) return;
    p += title;
    std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (std::size_t i = first; i < lines.size(); ++i) p += "  " + one_line(lines[i], max_each) + "\n";
  };
  tail(c.last_rows, 12, 240, "last metric rows (oldest first):\n");
  tail(c.recent_log_lines, 20, 200, "recent log lines (oldest first):\n");
  if (p.size() > kMaxPrompt) {
    p.resize(kMaxPrompt);
    while (!p.empty() && (static_cast<unsigned char>(p.back()) & 0xC0) == 0x80) p.pop_back();
    if (!p.empty() && static_cast<unsigned char>(p.back()) >= 0xC0) p.pop_back();
    p += "\n[truncated]\n";
  }
  return p;
}

Result<JudgeVerdict> parse_judge_output(std::string_view output, const JudgeOptions& options) {
  if (output.size() > options.max_output) output = output.substr(0, options.max_output);
  std::optional<Value> doc;
  std::string last_error = "no JSON object in the judge's output";
  int tries = 0;
  for (std::size_t pos = output.find('{'); pos != std::string_view::npos && tries < 16;
       pos = output.find('{', pos + 1), ++tries) {
    std::size_t end = balanced_end(output, pos);
    if (end == std::string_view::npos) {
      last_error = "unbalanced JSON object in the judge's output";
      break;
    }
    auto parsed = parse_json(output.substr(pos, end - pos), "judge output");
    if (parsed && parsed->is_object()) {
      doc = std::move(*parsed);
      break;
    }
    if (!parsed) last_error = parsed.status().message();
  }
  if (!doc) return Status(StatusCode::kParseError, last_error);
  std::string action = detail::to_lower(detail::trim(string_field(*doc, "action")));
  if (action.empty()) return Status(StatusCode::kParseError, "judge output: no \"action\" (expected alert or ignore)");
  if (action != "alert" && action != "ignore")
    return Status(StatusCode::kParseError,
                  "judge output: unknown action '" + one_line(action, 40) + "' (expected alert or ignore)");
  JudgeVerdict v;
  v.alert = action == "alert";
  v.severity = parse_severity(detail::trim(string_field(*doc, "severity"))).value_or(Severity::kWarning);
  if (static_cast<int>(v.severity) > static_cast<int>(options.max_severity)) v.severity = options.max_severity;
  v.syndrome = normalise_syndrome(string_field(*doc, "syndrome"));
  v.reason = one_line(string_field(*doc, "reason"), 240);
  v.message = one_line(string_field(*doc, "message"), 240);
  if (v.message.empty()) v.message = v.reason.empty() ? "the LLM judge flagged this run" : v.reason;
  // Choices: every one must be a known choice (matched case-insensitively, spelt as known).
  bool valid = false;
  if (const Value* ch = doc->find("choices"); ch != nullptr && ch->is_array() && !ch->items.empty()) {
    valid = true;
    for (const auto& item : ch->items) {
      std::string text(detail::trim(item.kind == Value::Kind::kString ? item.str : std::string()));
      auto known = std::find_if(options.known_choices.begin(), options.known_choices.end(),
                                [&](const std::string& k) { return detail::iequals(k, text); });
      if (text.empty() || known == options.known_choices.end()) {
        valid = false;
        break;
      }
      if (std::find(v.choices.begin(), v.choices.end(), *known) == v.choices.end()) v.choices.push_back(*known);
    }
  }
  if (!valid) v.choices = options.default_choices;
  return v;
}

Result<std::string> parse_chat_completion(std::string_view response_json) {
  auto doc = parse_json(response_json, "chat completion");
  if (!doc) return doc.status();
  const Value* choices = doc->find("choices");
  if (choices == nullptr || !choices->is_array() || choices->items.empty())
    return Status(StatusCode::kParseError, "chat completion: no choices");
  const Value* msg = choices->items[0].find("message");
  const Value* content = msg != nullptr ? msg->find("content") : nullptr;
  if (content == nullptr || content->kind != Value::Kind::kString)
    return Status(StatusCode::kParseError, "chat completion: no choices[0].message.content");
  return content->str;
}

struct Judge::Impl {
  JudgeOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::optional<JudgeContext> pending;
  std::optional<Decision> result;
  std::deque<double> call_times;  // submit times within the last hour (caller's clock)
  std::optional<double> last_submit;
  double last_now = 0.0;
  JudgeStatus st;
  bool stopping = false;
  std::atomic<bool> abort{false};
  std::thread worker;

  bool configured() const { return options.enabled && (!options.command.empty() || !options.url.empty()); }

  int budget_left_locked(double now) const {
    int used = 0;
    for (double t : call_times)
      if (t > now - 3600.0) ++used;
    return std::max(0, options.max_calls_per_hour - used);
  }

  Result<std::string> call(const std::string& prompt) {
    if (!options.command.empty()) {
      ProcessOptions po;
      po.timeout_s = options.timeout_s;
      po.max_output = options.max_output;
      auto r = run_process(options.command, prompt, po);
      if (!r) return Status(r.status().code(), "judge command: " + r.status().message());
      if (r->timed_out)
        return Status(StatusCode::kDeadlineExceeded,
                      "judge command timed out after " + std::to_string(static_cast<int>(options.timeout_s)) + " s");
      if (r->term_signal != 0)
        return Status(StatusCode::kUnavailable, "judge command killed by signal " + std::to_string(r->term_signal));
      if (r->exit_code != 0)
        return Status(StatusCode::kUnavailable,
                      "judge command exited with " + std::to_string(r->exit_code) + ": " + one_line(r->err, 160));
      return std::move(r->out);
    }
    std::string url = options.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.find("/chat/completions") == std::string::npos)
      url +=
          url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0 ? "/chat/completions" : "/v1/chat/completions";
    detail::JsonWriter w;
    w.begin_object().key("model").value(options.model).key("temperature").value(0);
    w.key("messages").begin_array();
    w.begin_object()
        .key("role")
        .value("system")
        .key("content")
        .value("You are a careful ML training monitor. Reply with one JSON object.")
        .end_object();
    w.begin_object().key("role").value("user").key("content").value(prompt).end_object();
    w.end_array().end_object();
    std::vector<std::string> headers = {"Content-Type: application/json"};
    if (!options.api_key_env.empty())
      if (const char* key = std::getenv(options.api_key_env.c_str()); key != nullptr && *key != '\0')
        headers.push_back("Authorization: Bearer " + std::string(detail::trim(key)));
    auto r = detail::http_request("POST", url, w.take(), headers, options.timeout_s, &abort, options.max_output);
    if (!r) return Status(r.status().code(), "judge endpoint: " + r.status().message());
    if (r->code < 200 || r->code >= 300)
      return Status(StatusCode::kUnavailable, "judge endpoint: HTTP " + std::to_string(r->code));
    return parse_chat_completion(r->body);
  }

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || pending.has_value(); });
      if (stopping) return;
      JudgeContext ctx = std::move(*pending);
      pending.reset();
      lock.unlock();
      std::string prompt = render_judge_prompt(ctx);
      Result<JudgeVerdict> verdict = Status(StatusCode::kInternal, "unset");
      if (auto out = call(prompt); out)
        verdict = parse_judge_output(*out, options);
      else
        verdict = out.status();
      lock.lock();
      st.in_flight = false;
      if (!verdict) {
        ++st.failures;
        st.last_reason = verdict.status().message();
        continue;
      }
      if (!verdict->alert) {
        ++st.ignores;
        st.last_reason = verdict->reason.empty() ? "ignore" : "ignore: " + verdict->reason;
        continue;
      }
      ++st.alerts;
      st.last_reason.clear();
      Decision d;
      d.source = Source::kJudge;
      d.syndrome = verdict->syndrome;
      d.severity = verdict->severity;
      d.message = verdict->message;
      d.choices = verdict->choices;
      if (!verdict->reason.empty()) d.evidence.emplace_back("reason", verdict->reason);
      d.evidence.emplace_back("transport", options.command.empty() ? "chat" : "command");
      d.signature = "judge/" + verdict->syndrome;
      result = std::move(d);
    }
  }
};

Judge::Judge(JudgeOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  impl_->st.enabled = impl_->configured();
  impl_->st.budget_left = std::max(0, impl_->options.max_calls_per_hour);
  if (impl_->st.enabled) impl_->worker = std::thread([impl = impl_] { impl->run(); });
}

Judge::~Judge() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->abort.store(true);  // an HTTP call ends at once
  impl_->cv.notify_all();
  if (!impl_->worker.joinable()) return;
  bool busy = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    busy = impl_->st.in_flight && !impl_->options.command.empty();
  }
  // A judge command cannot be interrupted: let the worker (which holds its own
  // reference to the state) finish it within its timeout and exit.
  if (busy)
    impl_->worker.detach();
  else
    impl_->worker.join();
}

bool Judge::due(double now, bool new_data, bool rules_found_something) const {
  if (!impl_->configured() || rules_found_something || !new_data) return false;
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->st.in_flight) return false;
  if (impl_->last_submit && now - *impl_->last_submit < impl_->options.interval_s) return false;
  return impl_->budget_left_locked(now) > 0;
}

void Judge::submit(JudgeContext context, double now) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  m.last_now = now;
  while (!m.call_times.empty() && m.call_times.front() <= now - 3600.0) m.call_times.pop_front();
  if (!m.configured()) {
    ++m.st.skipped;
    m.st.last_reason = m.options.enabled ? "judge: no transport configured (command or url)" : "judge: disabled";
    return;
  }
  if (m.st.in_flight) {
    ++m.st.skipped;
    m.st.last_reason = "judge: busy (a call is in flight)";
    return;
  }
  if (m.budget_left_locked(now) <= 0) {
    ++m.st.skipped;
    m.st.last_reason = "judge: budget exhausted (" + std::to_string(m.options.max_calls_per_hour) + " calls per hour)";
    return;
  }
  m.call_times.push_back(now);
  m.last_submit = now;
  m.st.in_flight = true;
  ++m.st.calls;
  m.pending = std::move(context);
  m.cv.notify_one();
}

std::optional<Decision> Judge::poll() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::optional<Decision> d = std::move(impl_->result);
  impl_->result.reset();
  return d;
}

JudgeStatus Judge::status() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  JudgeStatus s = impl_->st;
  s.budget_left = impl_->budget_left_locked(impl_->last_now);
  return s;
}

}  // namespace sidecar
