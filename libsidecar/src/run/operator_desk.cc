#include "operator_desk.h"

#include <algorithm>

#include "sidecar/core/detail/strings.h"

namespace sidecar::detail {

namespace {

std::string join_choices(const std::vector<std::string>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + std::to_string(i + 1) + ") " + choices[i];
  return out;
}

}  // namespace

std::string OperatorDesk::path_for(const Alert& a) const {
  return opt_.run_dir.empty() ? std::string() : response_path(opt_.run_dir, a.id);
}

bool OperatorDesk::has_stop_choice(const Decision& d) const {
  return std::any_of(d.choices.begin(), d.choices.end(),
                     [&](const std::string& c) { return opt_.actions.action_for(c) == Action::kStop; });
}

void OperatorDesk::on_alert(const Alert& a) {
  const Decision& d = a.decision;
  std::string path = path_for(a);
  if (opt_.stop_on && d.severity >= *opt_.stop_on) {
    rep_.alert(a, path, false);
    stop_by_policy(a, "--stop-on " + std::string(to_string(*opt_.stop_on)));
    return;
  }
  if (opt_.on_alert == OnAlert::kStop && has_stop_choice(d)) {
    rep_.alert(a, path, false);
    stop_by_policy(a, "--on-alert stop");
    return;
  }
  if (d.choices.empty() || opt_.run_dir.empty()) {
    rep_.alert(a, path, false);
    if (!d.choices.empty())
      open_.push_back(Question{a, ResponseWatcher("", a.id, d.choices, opt_.actions), {}, false, {}});
    if (open_.size() > kMaxOpen) open_.pop_front();
    return;
  }
  bool asking = opt_.on_alert == OnAlert::kAsk;
  const Question* shown = current_prompt();
  open_.push_back(Question{a, ResponseWatcher(opt_.run_dir, a.id, d.choices, opt_.actions), std::nullopt, asking, {}});
  if (open_.size() > kMaxOpen) open_.pop_front();
  // One question is prompted on the TTY at a time: the most severe; a more
  // severe newcomer takes the prompt, the others wait for files.
  bool prompt_now = asking && opt_.prompt_fd >= 0 && (!shown || current_prompt() == &open_.back());
  rep_.alert(a, path, asking && (opt_.prompt_fd < 0 || prompt_now));
}

void OperatorDesk::on_resolved(const Resolved& r) {
  open_.erase(std::remove_if(open_.begin(), open_.end(),
                             [&](const Question& q) { return q.alert.id == r.alert_id && !q.asking; }),
              open_.end());
}

void OperatorDesk::stop_by_policy(const Alert& a, const std::string& why) {
  std::string choice = std::string(kStopChoice);
  for (const auto& c : a.decision.choices)
    if (opt_.actions.action_for(c) == Action::kStop) choice = c;
  rep_.answered(a, choice, Action::kStop, "policy");
  if (!stop_request_) stop_request_ = why + " (" + a.decision.syndrome + ")";
}

void OperatorDesk::apply(const Question& q, const std::string& choice, Action action, std::string_view by) {
  rep_.answered(q.alert, choice, action, by);
  if (action == Action::kStop && !stop_request_)
    stop_request_ = "operator answered '" + choice + "' (" + std::string(by) + ") to " + q.alert.decision.syndrome +
                    " (alert " + q.alert.id + ")";
}

void OperatorDesk::request_stop(std::string reason) {
  if (!stop_request_) stop_request_ = std::move(reason);
}

OperatorDesk::Question* OperatorDesk::current_prompt() {
  if (opt_.prompt_fd < 0) return nullptr;
  Question* best = nullptr;
  for (auto& q : open_)
    if (q.asking && (!best || q.alert.decision.severity > best->alert.decision.severity)) best = &q;
  return best;
}

bool OperatorDesk::prompting() const {
  return opt_.prompt_fd >= 0 && std::any_of(open_.begin(), open_.end(), [](const Question& q) { return q.asking; });
}

void OperatorDesk::erase(const Question* q) {
  for (auto it = open_.begin(); it != open_.end(); ++it)
    if (&*it == q) {
      open_.erase(it);
      return;
    }
}

void OperatorDesk::prompt_next() {
  if (Question* next = current_prompt()) rep_.alert(next->alert, next->local.path(), true);
}

void OperatorDesk::tty_line(const std::string& line) {
  Question* q = current_prompt();
  if (!q) return;
  std::string text(trim(line));
  if (text.empty()) return;
  const auto& choices = q->alert.decision.choices;
  if (text.size() <= 2 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::size_t k = static_cast<std::size_t>(std::stoi(text));
    if (k >= 1 && k <= choices.size()) text = choices[k - 1];
  }
  OperatorAnswer a = match_answer(text, choices, opt_.actions);
  if (!a.valid) {
    rep_.notice("'" + text + "' is not one of: " + join_choices(choices));
    return;
  }
  apply(*q, a.choice, a.action, "tty");
  erase(q);
  prompt_next();
}

void OperatorDesk::answer(const std::string& alert_id, const std::string& text, std::string_view by) {
  for (auto it = open_.begin(); it != open_.end(); ++it) {
    if (it->alert.id != alert_id) continue;
    OperatorAnswer a = match_answer(text, it->alert.decision.choices, opt_.actions);
    if (!a.problem.empty()) rep_.notice(a.problem);
    bool was_prompt = &*it == current_prompt();
    apply(*it, a.choice, a.action, by);
    open_.erase(it);
    if (was_prompt) prompt_next();
    return;
  }
}

void OperatorDesk::poll(const std::function<std::optional<std::string>(const std::string&)>& server_id) {
  bool prompted_gone = false;
  for (auto it = open_.begin(); it != open_.end();) {
    if (!it->server && server_id && !opt_.run_dir.empty()) {
      if (auto sid = server_id(it->alert.id); sid && *sid != it->alert.id)
        it->server.emplace(opt_.run_dir, *sid, it->alert.decision.choices, opt_.actions);
    }
    std::optional<OperatorAnswer> a;
    std::string_view by = "response_file";
    if (!opt_.run_dir.empty()) a = it->local.poll();
    if (!a && it->server) {
      a = it->server->poll();
      by = "server";
    }
    if (!a) {
      // A stable text that is not a choice: said once; a later valid answer still counts.
      const std::string& problem = it->local.partial_problem();
      if (problem != it->told) {
        if (!problem.empty()) rep_.notice(problem);
        it->told = problem;
      }
      ++it;
      continue;
    }
    if (!a->problem.empty()) rep_.notice(a->problem);
    if (&*it == current_prompt()) prompted_gone = true;
    apply(*it, a->choice, a->action, by);
    it = open_.erase(it);
  }
  if (prompted_gone) prompt_next();
}

}  // namespace sidecar::detail
