// The operator desk: the questions alerts ask and the answers that come back
// (response files, the TTY, the research-agent server), and the stop policies
// (--stop-on, --on-alert stop). Whichever answer comes first wins, once.
// Waiting for an answer never pauses monitoring: poll() only stats files.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "sidecar/core/records.h"
#include "sidecar/operator.h"
#include "sidecar/pipeline.h"

namespace sidecar::detail {

class OperatorDesk {
 public:
  OperatorDesk(const PipelineOptions& options, SessionReporter& reporter) : opt_(options), rep_(reporter) {}

  // A new alert: applies the stop policies, or opens a question.
  void on_alert(const Alert& a);
  // A cleared condition needs no answer any more (unless it is being asked).
  void on_resolved(const Resolved& r);
  // Checks the response files (and the server's ids) of open questions.
  void poll(const std::function<std::optional<std::string>(const std::string&)>& server_id);
  // An answer that arrived through a server for a local alert id.
  void answer(const std::string& alert_id, const std::string& text, std::string_view by);
  // One line typed on the operator's TTY.
  void tty_line(const std::string& line);
  bool prompting() const;
  void request_stop(std::string reason);
  const std::optional<std::string>& stop_request() const { return stop_request_; }
  bool empty() const { return open_.empty(); }

 private:
  struct Question {
    Alert alert;
    ResponseWatcher local;
    std::optional<ResponseWatcher> server;  // under the id the server gave it, once known
    bool asking = false;
    std::string told;  // the partial_problem() already reported for the response file
  };
  static constexpr std::size_t kMaxOpen = 64;

  bool has_stop_choice(const Decision& d) const;
  void stop_by_policy(const Alert& a, const std::string& why);
  void apply(const Question& q, const std::string& choice, Action action, std::string_view by);
  // The question shown on the TTY: the most severe one asked (ties: the oldest).
  Question* current_prompt();
  void erase(const Question* q);
  void prompt_next();
  std::string path_for(const Alert& a) const;

  const PipelineOptions& opt_;
  SessionReporter& rep_;
  std::deque<Question> open_;
  std::optional<std::string> stop_request_;
};

}  // namespace sidecar::detail
