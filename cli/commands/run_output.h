// Terminal output shared by `run` and `watch`: the child's output teed to the
// terminal, one aligned line per alert (severity colour on a TTY, NO_COLOR
// respected), a compact status line per snapshot, the final summary; with
// --format jsonl, alert/resolved/snapshot/preflight/summary records on stdout
// (and the child's output on stderr, so that stdout stays pure JSONL).
#pragma once

#include <string>

#include "flags.h"
#include "sidecar/history.h"
#include "sidecar/session.h"

namespace sidecar::cli {

class TerminalReporter : public SessionReporter {
 public:
  // jsonl: records on stdout; else human lines on stderr.
  TerminalReporter(bool jsonl, bool tee_output);

  void output(std::string_view bytes, bool from_stderr) override;
  void alert(const Alert& alert, const std::string& response_file, bool asking) override;
  void resolved(const Resolved& r) override;
  void snapshot(const Snapshot& s) override;
  void answered(const Alert& alert, const std::string& choice, Action action, std::string_view by) override;
  void notice(std::string_view text) override;
  void preflight(const PreflightResult& r, bool final) override;
  void summary(const SessionSummary& s) override;

  bool prompt_on_tty = false;  // alerts that ask print a prompt for stdin

 private:
  void human(const std::string& line);
  bool jsonl_;
  bool tee_;
  bool color_;
  bool out_broken_ = false;
  bool err_broken_ = false;
  std::string last_note_;
  std::string gate_state_;        // the GPU gate's last progress reported (busy GPUs / free / failing)
  bool gate_note_shown_ = false;  // the request's note is printed once
};

// Rows run and watch share. The history file's default comes from
// HistoryOptions (not restated here).
inline const std::string kHistoryHelp =
    "history file for the baseline (default: the playbook's history.path, " + HistoryOptions{}.path + "; '-' for none)";
inline const FlagSpec kHistoryFlag = {"history", 0, "FILE", kHistoryHelp};
inline constexpr FlagSpec kMetricsWaitFlag = {
    "metrics-wait", 0, "SECONDS",
    "no metric row by then: one notice says where sidecar looked (default 60; 0 = never)"};

// The research-agent server's flags run and watch share (read by read_session_flags).
inline constexpr FlagSpec kServerFlags[] = {
    {"server", 0, "URL", "research-agent server to post status and alerts to"},
    {"auth-token-file", 0, "FILE", "file holding the server's token (else SIDECAR_AUTH_TOKEN)"},
    {"server-optional", 0, "", "a server that refuses the token at start is a warning, not an error"},
};

// The notification flags run and watch share (read by read_session_flags).
inline constexpr FlagSpec kNotifyFlags[] = {
    {"alertmanager", 0, "URL", "Prometheus Alertmanager to post alerts to"},
    {"slack-url-env", 0, "VAR", "post each incident to the Slack incoming webhook whose URL is in $VAR"},
    {"slack-url-file", 0, "FILE", "post each incident to the Slack incoming webhook whose URL is in FILE"},
    {"webhook-url-env", 0, "VAR", "post each incident as JSON to the webhook whose URL is in $VAR"},
    {"webhook-url-file", 0, "FILE", "post each incident as JSON to the webhook whose URL is in FILE"},
    {"webhook-header-file", 0, "FILE", "'Name: value' header lines for the webhook (e.g. Authorization)"},
    {"prometheus", 0, "ADDR:PORT", "serve Prometheus /metrics there (loopback unless ADDR says; :0 = a free port)"},
};

// Fills the settings run and watch share (--run-id, --metrics, --log,
// --playbook, --history, --profile, --on-alert, --stop-on, --interval,
// --server, --auth-token-file, --alertmanager). Errors: kInvalidArgument.
Status read_session_flags(const ParsedFlags& flags, SessionOptions* out);

}  // namespace sidecar::cli
