// The Slack incoming-webhook sink (notify.h): Block Kit messages, one per
// incident opening, escalation and resolution.
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http_queue.h"
#include "notify_sink.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/notify.h"

namespace sidecar {
namespace detail {
namespace {

// Slack's mrkdwn needs &, < and > escaped (they start links and mentions).
std::string slack_escape(std::string_view s, std::size_t max = 2900) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) {
      out += "…";
      break;
    }
    static constexpr detail::CharEscape kMrkdwn[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}};
    if (std::string_view e = detail::escape_of(c, kMrkdwn); !e.empty())
      out += e;
    else
      out += c;
  }
  return out;
}

// Inline code must not contain a backtick.
std::string code_text(std::string_view s, std::size_t max = 300) {
  std::string t = slack_escape(s, max);
  for (char& c : t)
    if (c == '`') c = '\'';
  return t;
}

constexpr detail::Named<Severity> kSeverityEmoji[] = {{Severity::kCritical, ":red_circle:"},
                                                      {Severity::kWarning, ":large_orange_circle:"},
                                                      {Severity::kInfo, ":large_blue_circle:"}};

std::string_view severity_emoji(Severity s) { return detail::name_of(kSeverityEmoji, s, ""); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// The one evidence line: the log line when there is one, else "k=v, …".
std::string evidence_line(const Evidence& e) {
  if (const std::string* line = evidence_get(e, "line"); line != nullptr && !line->empty()) return *line;
  std::string out;
  for (const auto& [k, v] : e) {
    if (out.size() > 240) break;
    if (k == "line_no" || k == "incident") continue;
    if (!out.empty()) out += ", ";
    out += k + "=" + v;
  }
  return out;
}

void mrkdwn(JsonWriter& w, const std::string& text) {
  w.begin_object().key("type").value("mrkdwn").key("text").value(text).end_object();
}

}  // namespace

std::string slack_alert_body(const Alert& alert, bool escalated, const SlackSinkOptions& o) {
  const Decision& d = alert.decision;
  std::string sev(to_string(d.severity));
  std::string run = o.run_id.empty() ? alert.run_id : o.run_id;
  std::string syndrome = d.syndrome.empty() ? std::string("alert") : d.syndrome;
  std::string headline = std::string(escalated ? "escalated to " : "") + upper(sev) + " · " + syndrome;
  std::string fallback = "[" + upper(sev) + "] " + (escalated ? "escalated: " : "") + syndrome +
                         (run.empty() ? "" : " on run " + run) + (d.step ? " at step " + std::to_string(*d.step) : "") +
                         ": " + d.message;
  JsonWriter w;
  w.begin_object().key("text").value(fallback).key("blocks").begin_array();
  // Header (plain text, at most 150 characters).
  w.begin_object().key("type").value("header").key("text").begin_object().key("type").value("plain_text");
  w.key("text").value(headline.substr(0, 150)).key("emoji").value(true).end_object().end_object();
  // Fields.
  w.begin_object().key("type").value("section").key("fields").begin_array();
  mrkdwn(w, "*Run*\n" + (run.empty() ? std::string("—")
                                     : (o.run_url.empty() ? slack_escape(run, 200)
                                                          : "<" + o.run_url + "|" + slack_escape(run, 200) + ">")));
  mrkdwn(w, "*Step*\n" + (d.step ? std::to_string(*d.step) : std::string("—")));
  mrkdwn(w, "*Severity*\n" + std::string(severity_emoji(d.severity)) + " " + sev);
  mrkdwn(w, "*Syndrome*\n`" + code_text(syndrome, 100) + "` (" + std::string(to_string(d.source)) + ")");
  w.end_array().end_object();
  // The message.
  w.begin_object().key("type").value("section");
  w.key("text");
  mrkdwn(w, slack_escape(d.message.empty() ? syndrome : d.message));
  w.end_object();
  // One evidence line.
  std::string ev = evidence_line(d.evidence);
  if (!ev.empty()) {
    w.begin_object().key("type").value("context").key("elements").begin_array();
    mrkdwn(w, "Evidence: `" + code_text(ev) + "`");
    w.end_array().end_object();
  }
  // The choices.
  if (!d.choices.empty()) {
    std::string choices;
    for (const auto& c : d.choices) choices += (choices.empty() ? "" : "  ·  ") + ("*" + slack_escape(c, 80) + "*");
    w.begin_object().key("type").value("context").key("elements").begin_array();
    mrkdwn(w, "Choices: " + choices + "  —  answer in sidecar (alert `" + code_text(alert.id, 80) + "`)");
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string slack_resolved_body(const Resolved& r, const Alert* opened_by, const SlackSinkOptions& o) {
  std::string run = o.run_id.empty() && opened_by != nullptr ? opened_by->run_id : o.run_id;
  std::string syndrome = r.syndrome.empty() && opened_by != nullptr ? opened_by->decision.syndrome : r.syndrome;
  char dur[48];
  std::snprintf(dur, sizeof dur, "%.0f s", r.duration_s);
  std::string text = ":white_check_mark: Resolved: `" + code_text(syndrome, 100) + "`" +
                     (run.empty() ? "" : " on run " + slack_escape(run, 200)) + " after " + dur;
  if (opened_by != nullptr && opened_by->decision.step)
    text += " (opened at step " + std::to_string(*opened_by->decision.step) + ")";
  JsonWriter w;
  w.begin_object().key("text").value("Resolved: " + syndrome + (run.empty() ? "" : " on run " + run));
  w.key("blocks").begin_array().begin_object().key("type").value("section").key("text");
  mrkdwn(w, text);
  w.end_object().end_array().end_object();
  return w.take();
}

}  // namespace detail

namespace {

// The Slack webhook URL: the option, else the secret its env/file names.
std::string slack_url(const SlackSinkOptions& o) {
  if (!o.webhook_url.empty()) return o.webhook_url;
  auto url = read_secret(o.webhook_url_env, o.webhook_url_file);
  return url ? *url : std::string();
}

class SlackSink final : public detail::NotifySink {
 public:
  explicit SlackSink(SlackSinkOptions o)
      : NotifySink(o.min_severity, slack_url(o), detail::queue_options(o, "application/json; charset=utf-8")),
        options_(std::move(o)) {
    options_.webhook_url = url();
  }

  std::string_view name() const override { return "slack"; }
  SinkStats stats() const override {
    const std::string& env = options_.webhook_url_env;
    return notify_stats(env.empty() ? "no Slack webhook URL (name its variable or file)"
                                    : "no Slack webhook URL (set $" + env + ")");
  }

 private:
  std::string alert_message(const Alert& alert, detail::IncidentGate::Event event, const std::string& key) override {
    if (event == detail::IncidentGate::Event::kOpen) {
      if (first_alert_.size() >= 1024) first_alert_.erase(first_alert_.begin());
      first_alert_[key] = alert;
    }
    return detail::slack_alert_body(alert, event == detail::IncidentGate::Event::kEscalated, options_);
  }

  std::optional<std::string> resolved_message(const Resolved& r, const std::string& key) override {
    auto it = first_alert_.find(key);
    std::optional<Alert> opened;
    if (it != first_alert_.end()) {
      opened = it->second;
      first_alert_.erase(it);
    }
    if (!options_.notify_resolved) return std::nullopt;
    return detail::slack_resolved_body(r, opened ? &*opened : nullptr, options_);
  }

  SlackSinkOptions options_;
  std::map<std::string, Alert> first_alert_;  // incident key -> the alert that opened it (under mu_)
};

}  // namespace

std::unique_ptr<Sink> make_slack_sink(SlackSinkOptions options) {
  return std::make_unique<SlackSink>(std::move(options));
}

}  // namespace sidecar
