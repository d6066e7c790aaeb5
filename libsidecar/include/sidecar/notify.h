// Notification sinks for people: a Slack incoming webhook (Block Kit) and a
// generic JSON webhook. Both are Sinks (sinks.h): they only enqueue on the
// caller's thread and send through the bounded HTTP queue with retries,
// backoff and drop counts.
//
// One notification per incident, not per decision: an incident notifies when
// it opens, again only when it escalates to a higher severity, and once when
// it resolves. The incident is the alert record's `incident` id when it has
// one, else its signature (the identity of the condition).
//
// Secrets (the Slack URL holds its token; webhook headers may hold one) come
// from an environment variable or a file, never from argv:
//
//   auto url = sidecar::read_secret("SLACK_WEBHOOK_URL", flags.slack_url_file);   // file wins over the env var
//   if (!url) fail(url.status());
//   sidecar::SlackSinkOptions slack;
//   slack.webhook_url = *url;
//   slack.run_id = id;
//   sinks.add(sidecar::make_slack_sink(std::move(slack)));
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/records.h"
#include "sidecar/core/types.h"
#include "sidecar/sinks.h"
#include "sidecar/status.h"

namespace sidecar {

struct SlackSinkOptions : DeliveryOptions {
  std::string webhook_url;                     // https://hooks.slack.com/services/…: a secret, never logged
  std::string webhook_url_env;                 // playbook: where read_secret looks for the URL
  std::string webhook_url_file;                // playbook: a file holding the URL (wins over the variable)
  std::string run_id;                          // shown in every message
  std::string run_url;                         // optional link to the run (dashboard, report)
  Severity min_severity = Severity::kWarning;  // quieter incidents are not posted
  bool notify_resolved = true;                 // a follow-up message when an incident resolves
  int max_attempts = 8;                        // per message; 0 = until close()
};

// Playbook `sinks.slack`: where the URL is (never the URL: a secret), what is posted.
template <>
struct OptionTable<SlackSinkOptions> {
  using O = SlackSinkOptions;
  static constexpr auto fields =
      join_rows(std::to_array<OptionField<O>>({
                    {"webhook_url_env",
                     &O::webhook_url_env,
                     {},
                     "the variable holding the webhook URL; \"\" (and no file) = off"},
                    {"webhook_url_file", &O::webhook_url_file, {}, "a file holding the URL (wins over the variable)"},
                    {"run_url", &O::run_url, {}, "optional link on the run's name"},
                    {"min_severity", &O::min_severity, {}, "quieter incidents are not posted"},
                    {"notify_resolved", &O::notify_resolved, {}, "a follow-up message when an incident resolves"},
                }),
                delivery_rows<O>("messages waiting at most"),
                std::to_array<OptionField<O>>(
                    {{"max_attempts", &O::max_attempts, {0, 1000000}, "per message; 0 = until the run ends"}}));
};

// Slack incoming webhook: POST {webhook_url} with a Block Kit message — a
// header (severity, syndrome), fields (run, step, severity, source), the
// message, one evidence line and the choices; escalations say so; a
// resolution is a follow-up message naming the incident and its duration
// (incoming webhooks cannot reply in a thread).
std::unique_ptr<Sink> make_slack_sink(SlackSinkOptions options);

struct WebhookSinkOptions : DeliveryOptions {
  std::string url;                   // a secret when it carries a token; never logged
  std::string url_env;               // playbook: where read_secret looks for the URL
  std::string url_file;              // playbook: a file holding the URL (wins over the variable)
  std::vector<std::string> headers;  // extra "Name: value" lines (e.g. Authorization); never logged
  std::string header_env;            // playbook: a variable holding one "Name: value" header
  std::string header_file;           // playbook: a file holding "Name: value" header lines
  // A body template instead of the record: {{event}}, {{incident}}, {{run_id}},
  // {{id}}, {{step}}, {{severity}}, {{syndrome}}, {{source}}, {{message}},
  // {{evidence}} ("k=v, …"), {{choices}} ("a | b"), {{duration_s}}, each
  // JSON-string-escaped (write "{{message}}" inside quotes), and {{record}}
  // (the payload JSON itself). "" = send the payload.
  std::string body_template;
  std::string content_type = "application/json";
  std::string run_id;
  Severity min_severity = Severity::kInfo;
  bool notify_resolved = true;
  int max_attempts = 8;  // per post; 0 = until close()
};

// Playbook `sinks.webhook` (`template` is body_template).
template <>
struct OptionTable<WebhookSinkOptions> {
  using O = WebhookSinkOptions;
  static constexpr auto fields =
      join_rows(std::to_array<OptionField<O>>({
                    {"url_env", &O::url_env, {}, "the variable holding the URL; \"\" (and no file) = off"},
                    {"url_file", &O::url_file, {}, "a file holding the URL (wins over the variable)"},
                    {"header_env", &O::header_env, {}, "a variable holding one \"Name: value\" header"},
                    {"header_file", &O::header_file, {}, "a file of \"Name: value\" lines"},
                    {"template", &O::body_template, {}, "a body template; \"\" = the alert record"},
                    {"content_type", &O::content_type, {}, "the body's Content-Type"},
                    {"min_severity", &O::min_severity, {}, "quieter incidents are not posted"},
                    {"notify_resolved", &O::notify_resolved, {}, "a follow-up post when an incident resolves"},
                }),
                delivery_rows<O>("posts waiting at most"),
                std::to_array<OptionField<O>>(
                    {{"max_attempts", &O::max_attempts, {0, 1000000}, "per post; 0 = until the run ends"}}));
};

// Generic JSON webhook: POST {url}. The payload is the alert record
// (records.h, "type":"alert") or the resolution record ("type":"resolved")
// with two more fields: "event" ("open" | "escalated" | "resolved") and
// "incident" (the incident key). docs/notifications.md has examples.
std::unique_ptr<Sink> make_webhook_sink(WebhookSinkOptions options);

// A secret from a file (when `file` is not empty; it wins) or else from the
// environment variable `env_var`; surrounding whitespace trimmed.
// Errors: kNotFound (no file given and the variable is unset or empty; or the
// file is missing), kPermissionDenied / kIoError (file unreadable),
// kInvalidArgument (empty file, or a control character or newline inside,
// which would break a header or URL). The message names the variable or
// file, never the secret.
Result<std::string> read_secret(std::string_view env_var, const std::string& file);

// Header lines from a file (one "Name: value" per line; blank lines and
// lines starting with '#' skipped). Errors as read_secret, and
// kInvalidArgument for a line without "Name:".
Result<std::vector<std::string>> read_header_lines(const std::string& file);

// Reads the playbook's `sinks.slack` and `sinks.webhook` sections (errors
// appended, never thrown; absent keys keep the C++ defaults). Secrets are
// not playbook values: only where to find them (`*_env`, `*_file`).
void read_notify_sink_options(const Value& playbook, SlackSinkOptions* slack, WebhookSinkOptions* webhook,
                              std::vector<Status>* errors);

namespace detail {

// The incident gate of the notification sinks: decides which alerts and
// resolutions become notifications. Not thread-safe (the sinks lock).
class IncidentGate {
 public:
  enum class Event { kNone, kOpen, kEscalated, kResolved };
  explicit IncidentGate(Severity min_severity) : min_(min_severity) {}
  // The incident key of an alert: the incident its evidence names, else its
  // signature, else its id. Every sink groups alerts by this key.
  static std::string key_of(const Alert& alert);
  // kOpen (new incident at/above min severity), kEscalated (more severe
  // than notified so far), else kNone.
  Event on_alert(const Alert& alert, std::string* key);
  // kResolved when the resolution closes an incident that was notified
  // (once per incident), else kNone.
  Event on_resolved(const Resolved& resolved, std::string* key);
  std::uint64_t suppressed() const { return suppressed_; }

 private:
  struct Open {
    Severity severity;
    std::vector<std::string> alert_ids;
  };
  Severity min_;
  std::vector<std::pair<std::string, Open>> open_;  // by key, oldest first (bounded)
  std::uint64_t suppressed_ = 0;
};

// `text` with every occurrence of `url` replaced by its scheme and host
// ("https://hooks.slack.com/…"): a webhook URL's path is its secret.
std::string redact_url(std::string text, std::string_view url);

// The bodies (pure; exposed for tests and docs).
std::string slack_alert_body(const Alert& alert, bool escalated, const SlackSinkOptions& options);
std::string slack_resolved_body(const Resolved& resolved, const Alert* opened_by, const SlackSinkOptions& options);
std::string webhook_payload(std::string_view record_json, std::string_view event, std::string_view incident);
// Expands {{name}} in a template; unknown names expand to "".
std::string expand_template(std::string_view templ, const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace detail

}  // namespace sidecar
