// Operator answers: how a person (or an orchestrator) answers an alert, in the
// research-agent protocol. The answer is the text of one of the alert's
// choices, written to `<run_dir>/alerts/<alert_id>.response`; it is read only
// once complete (ends with a newline, or its size is unchanged over two polls
// and a settle time AND it is one of the choices), so writers need not be
// atomic and a slow writer's "St" is never taken for an answer. Answers map to actions through an
// explicit table, never by substring ("Don't stop" does not stop).
//
//   sidecar::ResponseWatcher w(run_dir, alert.id, alert.decision.choices, table);
//   if (auto a = w.poll())        // non-blocking: one stat + one small read
//     if (a->action == sidecar::Action::kStop) stop_job();
//
// Used by `run` (between monitoring ticks), `preflight` (the GPU gate), the
// sinks and the Python module.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"  // Action, kStopChoice, kContinueChoice, kIgnoreChoice
#include "sidecar/status.h"

namespace sidecar {

struct Value;  // sidecar/config.h

// Choice text -> action (playbook `operator:` section; Action and its names:
// core/types.h). Lookup is exact after trimming, then case-insensitive;
// `fallback` covers choices not in the map.
struct ActionTable {
  // playbook `actions:` (a mapping, read and shown by hand: entries given are added or replace)
  std::vector<std::pair<std::string, Action>> map = {{std::string(kStopChoice), Action::kStop},
                                                     {std::string(kContinueChoice), Action::kContinue},
                                                     {std::string(kIgnoreChoice), Action::kContinue}};
  Action fallback = Action::kContinue;

  // The action for a choice text (the fallback when it is not in the map).
  Action action_for(std::string_view choice) const;
};

template <>
struct OptionTable<ActionTable> {
  using O = ActionTable;
  static constexpr OptionField<O> fields[] = {
      {"fallback", &O::fallback, {}, "what a valid choice that `actions` does not list does: stop or continue"},
  };
};

// Reads the playbook's `operator:` section into `out` (errors appended, never thrown):
//   operator: { actions: {"Stop Job": stop, "Continue Anyway": continue}, fallback: continue }
void read_operator_options(const Value& playbook, ActionTable* out, std::vector<Status>* errors);

struct OperatorAnswer {
  std::string choice;  // the matched choice as the alert spelled it (the raw text when invalid)
  Action action = Action::kContinue;
  bool valid = false;   // the text was one of the alert's choices
  std::string problem;  // e.g. "'Maybe' is not one of the alert's choices; using the default (continue)"
};

// Matches an answer text against an alert's choices: trimmed, exact first,
// then case-insensitive; never by substring. Invalid -> table.fallback + problem.
OperatorAnswer match_answer(std::string_view text, const std::vector<std::string>& choices, const ActionTable& table);

// Ids made safe as a file name: [A-Za-z0-9._-] only (other bytes become
// '_'), no "..", no leading '.', at most 128 bytes, never empty. The same
// function (detail::safe_alert_id) spells the engine's alert ids, so an id in
// alerts.jsonl is always its response file's name.
std::string sanitize_alert_id(std::string_view raw);

// `<run_dir>/alerts/<sanitize_alert_id(id)>.response`.
std::string response_path(std::string_view run_dir, std::string_view alert_id);

// Non-blocking reader of one alert's response file. Not thread-safe (one per
// alert, polled from one loop). Reads at most 4 KiB of the file.
class ResponseWatcher {
 public:
  ResponseWatcher(std::string run_dir, std::string alert_id, std::vector<std::string> choices, ActionTable table);

  // The answer once the file is complete; nullopt while absent, empty or
  // partial (a text without a newline that is not one of the choices stays
  // partial however long it is stable). After an answer, returns the same
  // answer again.
  std::optional<OperatorAnswer> poll();

  // Set by the last poll() when the file holds a stable text without a
  // newline that is not one of the choices (worth telling the operator
  // once); empty otherwise.
  const std::string& partial_problem() const { return partial_problem_; }

  const std::string& path() const { return path_; }

  // A file without a trailing newline counts as complete once its size has
  // not changed for this long (and over two polls). Default 1 s: a writer
  // that pauses mid-word ("Sto" ... "p Job") is not read as "Sto".
  void set_settle_seconds(double s) { settle_s_ = s; }

 private:
  std::string path_;
  std::vector<std::string> choices_;
  ActionTable table_;
  double settle_s_ = 1.0;
  std::optional<std::int64_t> last_size_;  // size seen by the previous poll (partial file)
  double size_since_ = 0.0;                // steady-clock seconds when last_size_ was first seen
  std::optional<OperatorAnswer> answer_;
  std::string partial_problem_;
};

// Non-blocking line reader on a file descriptor (a TTY's stdin): returns one
// complete line per call when available. Lines are capped at 4 KiB.
class FdLineReader {
 public:
  explicit FdLineReader(int fd) : fd_(fd) {}
  std::optional<std::string> poll();  // nullopt: no complete line yet (or EOF)
  bool eof() const { return eof_; }

 private:
  int fd_;
  bool eof_ = false;
  std::string buf_;
};

// A clock and a sleep, injectable so tests of bounded waits run instantly.
struct Clock {
  std::function<double()> now;        // seconds, monotonic
  std::function<void(double)> sleep;  // sleep this many seconds
  static Clock system();              // steady_clock + nanosleep
};

// How an asked question ended.
struct AskResult {
  std::string choice;  // the choice applied ("Stop Job", "Continue Anyway", ...)
  Action action = Action::kContinue;
  std::string decided_by;  // "response_file" | "tty" | "default"
  std::string problem;     // set when an answer was invalid or nobody answered
};

struct AskOptions {
  double timeout_s = 120;      // bounded wait for an answer
  double poll_s = 0.5;         // how often the response file (and `other`) is polled
  std::string default_choice;  // applied when nobody answers (must be one of the choices)
};

// Blocks (bounded by timeout_s) until the response file or `other` (a
// non-blocking channel such as a TTY line; may be empty) gives an answer, then
// returns it; an invalid answer yields the default choice with a problem text;
// nobody answering yields the default with decided_by "default". For callers
// that may block (preflight, before launch); monitoring loops poll a
// ResponseWatcher instead.
AskResult ask_operator(const std::string& run_dir, const std::string& alert_id, const std::vector<std::string>& choices,
                       const ActionTable& table, const AskOptions& options,
                       const std::function<std::optional<std::string>()>& other, const Clock& clock);

}  // namespace sidecar
