// Operator answers: the response-file protocol, answer matching, the action
// table and the bounded ask used before launch.
#include "sidecar/operator.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "sidecar/config.h"
#include "sidecar/core/detail/alert_id.h"
#include "sidecar/core/detail/strings.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxResponseBytes = 4096;
constexpr std::size_t kMaxAlertIdBytes = 128;
constexpr std::size_t kMaxLineBytes = 4096;

// The answer text of a response file: its first non-empty line, trimmed
// (tolerates CRLF, a BOM, trailing blank lines).
std::string_view answer_text(std::string_view content) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  for (std::string_view line : detail::split(content, '\n')) {
    line = detail::trim(line);
    if (!line.empty()) return line;
  }
  return {};
}

}  // namespace

Action ActionTable::action_for(std::string_view choice) const {
  choice = detail::trim(choice);
  for (const auto& [text, action] : map)
    if (text == choice) return action;
  for (const auto& [text, action] : map)
    if (detail::iequals(text, choice)) return action;
  return fallback;
}

// operator: `actions` by hand (a mapping of choice texts), `fallback` from the table.
void read_operator_options(const Value& playbook, ActionTable* out, std::vector<Status>* errors) {
  const Value* section = playbook.find("operator");
  if (!section || section->is_null()) return;
  ConfigReader r(*section, "operator", errors);
  r.each_member(
      "actions", "a mapping of choice text to stop or continue", [&](const std::string& choice, const Value& v) {
        auto text = v.as_string();
        auto action = text ? parse_action(*text) : std::nullopt;
        if (!action)
          return r.error(v, "actions." + choice, "expected stop or continue, got '" + text.value_or("?") + "'");
        std::string key(detail::trim(choice));
        auto it = std::find_if(out->map.begin(), out->map.end(), [&](const auto& m) { return m.first == key; });
        if (it != out->map.end())
          it->second = *action;
        else
          out->map.emplace_back(key, *action);
      });
  read_options(r, out);  // OptionTable<ActionTable>
  r.finish();
}

OperatorAnswer match_answer(std::string_view text, const std::vector<std::string>& choices, const ActionTable& table) {
  OperatorAnswer a;
  std::string_view t = detail::trim(text);
  const std::string* match = nullptr;
  for (const auto& c : choices)
    if (detail::trim(c) == t) {
      match = &c;
      break;
    }
  if (!match)
    for (const auto& c : choices)
      if (detail::iequals(detail::trim(c), t)) {
        match = &c;
        break;
      }
  if (match && !t.empty()) {
    a.choice = *match;
    a.action = table.action_for(*match);
    a.valid = true;
    return a;
  }
  a.choice = std::string(t.substr(0, 200));
  a.action = table.fallback;
  a.valid = false;
  std::string listed;
  for (const auto& c : choices) listed += (listed.empty() ? "'" : ", '") + c + "'";
  a.problem = "'" + a.choice + "' is not one of the alert's choices (" + listed + "); using the default (" +
              std::string(to_string(a.action)) + ")";
  return a;
}

std::string sanitize_alert_id(std::string_view raw) { return detail::safe_alert_id(raw, kMaxAlertIdBytes); }

std::string response_path(std::string_view run_dir, std::string_view alert_id) {
  std::string p(run_dir.empty() ? "." : run_dir);
  if (p.back() != '/') p += '/';
  return p + "alerts/" + sanitize_alert_id(alert_id) + ".response";
}

ResponseWatcher::ResponseWatcher(std::string run_dir, std::string alert_id, std::vector<std::string> choices,
                                 ActionTable table)
    : path_(response_path(run_dir, alert_id)), choices_(std::move(choices)), table_(std::move(table)) {}

std::optional<OperatorAnswer> ResponseWatcher::poll() {
  if (answer_) return answer_;
  partial_problem_.clear();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) {
    last_size_.reset();
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string content(kMaxResponseBytes, '\0');
  std::size_t got = 0;
  while (got < content.size()) {
    ssize_t n = ::read(fd, content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  content.resize(got);
  const auto size = static_cast<std::int64_t>(st.st_size);
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (!last_size_ || *last_size_ != size) size_since_ = now;
  if (answer_text(content).empty()) {  // empty or whitespace only: not an answer yet
    last_size_ = size;
    return std::nullopt;
  }
  // Complete: a newline ends the first answer line; or, for a writer without
  // a newline, the size has been unchanged over two polls and settle_s_ AND
  // the text is one of the choices. A stable text that is not a choice ("St"
  // from a writer that writes slowly) decides nothing: it is offered as
  // partial_problem() and a later, complete answer is still read.
  std::string_view body = content;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  std::size_t start = body.find_first_not_of(" \t\r\n\f\v");
  bool has_newline = start != std::string_view::npos && body.find('\n', start) != std::string_view::npos;
  bool stable = last_size_ && *last_size_ == size && now - size_since_ >= settle_s_;
  last_size_ = size;
  if (has_newline || got >= kMaxResponseBytes) {
    answer_ = match_answer(answer_text(content), choices_, table_);
    return answer_;
  }
  if (!stable) return std::nullopt;
  OperatorAnswer a = match_answer(answer_text(content), choices_, table_);
  if (a.valid) {
    answer_ = std::move(a);
    return answer_;
  }
  partial_problem_ = "'" + a.choice + "' in " + path_ +
                     " is not (yet) one of the alert's choices; waiting for a complete answer (end it with a newline)";
  return std::nullopt;
}

std::optional<std::string> FdLineReader::poll() {
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (eof_ || fd_ < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    if (r <= 0 || !(p.revents & (POLLIN | POLLHUP))) return std::nullopt;
    char chunk[512];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      eof_ = true;
      return std::nullopt;
    }
    if (n == 0) {
      eof_ = true;
      if (!buf_.empty()) {  // a last line without a newline
        std::string line = std::move(buf_);
        buf_.clear();
        return line;
      }
      return std::nullopt;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    if (buf_.size() > kMaxLineBytes && buf_.find('\n') == std::string::npos) buf_.erase(0, buf_.size() - kMaxLineBytes);
  }
}

Clock Clock::system() {
  Clock c;
  c.now = [] { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); };
  c.sleep = [](double s) {
    if (s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(s));
  };
  return c;
}

AskResult ask_operator(const std::string& run_dir, const std::string& alert_id, const std::vector<std::string>& choices,
                       const ActionTable& table, const AskOptions& options,
                       const std::function<std::optional<std::string>()>& other, const Clock& clock) {
  // Invalid answers take the configured default, not the table's fallback.
  ActionTable gate_table = table;
  gate_table.fallback = table.action_for(options.default_choice);
  std::optional<ResponseWatcher> watcher;
  if (!run_dir.empty()) watcher.emplace(run_dir, alert_id, choices, gate_table);

  auto finish = [&](const OperatorAnswer& a, std::string by) {
    AskResult r;
    r.decided_by = std::move(by);
    if (a.valid) {
      r.choice = a.choice;
      r.action = a.action;
    } else {
      r.choice = options.default_choice;
      r.action = gate_table.fallback;
      r.problem = a.problem;
    }
    return r;
  };

  const double start = clock.now();
  const double poll_s = options.poll_s > 0 ? options.poll_s : 0.5;
  for (;;) {
    if (watcher)
      if (auto a = watcher->poll()) return finish(*a, "response_file");
    if (other)
      if (auto text = other(); text && !detail::trim(*text).empty())
        return finish(match_answer(*text, choices, gate_table), "tty");
    const double left = options.timeout_s - (clock.now() - start);
    if (left <= 0) break;
    clock.sleep(std::min(poll_s, left));
  }
  // One last look: a complete answer without a newline needs a second poll.
  if (watcher)
    if (auto a = watcher->poll()) return finish(*a, "response_file");
  AskResult r;
  r.choice = options.default_choice;
  r.action = gate_table.fallback;
  r.decided_by = "default";
  char buf[64];
  std::snprintf(buf, sizeof buf, options.timeout_s >= 10 ? "%.0f" : "%.3g", options.timeout_s);
  r.problem = std::string("no answer within ") + buf + " s; applying the default (" + options.default_choice + ")";
  if (watcher && !watcher->partial_problem().empty()) r.problem += " (" + watcher->partial_problem() + ")";
  return r;
}

}  // namespace sidecar
