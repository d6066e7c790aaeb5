// What the notification sinks share (notify.h): the incident gate, secrets
// from the environment or files, templates.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "notify_sink.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/sinks.h"
#include "sidecar/notify.h"

namespace sidecar {
namespace detail {
namespace {

constexpr std::size_t kMaxOpenIncidents = 1024;

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  return false;
}

}  // namespace

std::string IncidentGate::key_of(const Alert& alert) {
  if (const std::string* inc = evidence_get(alert.decision.evidence, "incident"); inc != nullptr && !inc->empty())
    return *inc;
  if (!alert.decision.signature.empty()) return alert.decision.signature;
  return alert.id;
}

void NotifySink::on_alert(const Alert& alert) {
  std::string body;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key;
    auto event = gate_.on_alert(alert, &key);
    if (event == IncidentGate::Event::kNone) return;
    body = alert_message(alert, event, key);
  }
  push(std::move(body), alert.id);
}

void NotifySink::on_resolved(const Resolved& r) {
  std::optional<std::string> body;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key;
    if (gate_.on_resolved(r, &key) != IncidentGate::Event::kResolved) return;
    body = resolved_message(r, key);
  }
  if (body) push(std::move(*body), r.alert_id);
}

void NotifySink::push(std::string body, const std::string& tag) {
  if (url_.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++no_url_drops_;
    return;
  }
  HttpQueue::Item item;
  item.kind = HttpQueue::Kind::kAlert;
  item.url = url_;
  item.body = std::move(body);
  item.tag = tag;
  queue_->push(std::move(item));
}

std::vector<std::string> NotifySink::take_notices() {
  std::vector<std::string> out = queue_->take_notices();
  for (auto& n : out) n = std::string(name()) + ": " + redact_url(std::move(n), url_);
  return out;
}

SinkStats NotifySink::notify_stats(std::string_view no_url) const {
  SinkStats s = queue_->stats();
  s.last_error = redact_url(std::move(s.last_error), url_);
  std::lock_guard<std::mutex> lock(mu_);
  s.dropped += no_url_drops_;
  if (no_url_drops_ > 0 && s.last_error.empty()) s.last_error = std::string(no_url);
  return s;
}

IncidentGate::Event IncidentGate::on_alert(const Alert& alert, std::string* key) {
  *key = key_of(alert);
  Severity sev = alert.decision.severity;
  for (auto& [k, open] : open_) {
    if (k != *key) continue;
    open.alert_ids.push_back(alert.id);
    if (open.alert_ids.size() > 64) open.alert_ids.erase(open.alert_ids.begin());
    if (sev > open.severity) {
      open.severity = sev;
      return Event::kEscalated;
    }
    ++suppressed_;
    return Event::kNone;
  }
  // Below the sink's threshold, or an incident the engine opened without a notification (a condition's episode past
  // its recurrences, evidence notify "no"): nobody is told, so nothing to resolve either.
  const std::string* engine_notify = evidence_get(alert.decision.evidence, "notify");
  if (sev < min_ || (engine_notify != nullptr && *engine_notify == "no")) {
    ++suppressed_;
    return Event::kNone;
  }
  if (open_.size() >= kMaxOpenIncidents) open_.erase(open_.begin());
  open_.push_back({*key, Open{sev, {alert.id}}});
  return Event::kOpen;
}

IncidentGate::Event IncidentGate::on_resolved(const Resolved& r, std::string* key) {
  for (auto it = open_.begin(); it != open_.end(); ++it) {
    bool mine = false;
    for (const auto& id : it->second.alert_ids) mine = mine || id == r.alert_id;
    if (!mine && !r.signature.empty() && it->first == r.signature) mine = true;
    if (!mine) continue;
    *key = it->first;
    open_.erase(it);
    return Event::kResolved;
  }
  return Event::kNone;
}

std::string redact_url(std::string text, std::string_view url) {
  if (url.empty()) return text;
  std::size_t scheme = url.find("://");
  std::size_t host_end = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  auto replace_all = [&](std::string_view what, const std::string& with) {
    if (what.size() < 2) return;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + with.size()))
      text.replace(p, what.size(), with);
  };
  replace_all(url, std::string(url.substr(0, host_end)) + "/…");
  if (host_end != std::string_view::npos) {
    std::string_view path = url.substr(host_end);
    if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
    replace_all(path, "/…");  // the sender's messages name the path only
  }
  return text;
}

std::string webhook_payload(std::string_view record_json, std::string_view event, std::string_view incident) {
  std::string_view rec = valid_json_object_or_empty(record_json);
  JsonWriter tail;
  tail.begin_object().key("event").value(std::string(event)).key("incident").value(std::string(incident)).end_object();
  std::string extra = tail.take();  // {"event":…,"incident":…}
  std::string out(rec.substr(0, rec.size() - 1));
  if (out.size() > 1) out += ',';
  out += extra.substr(1);
  return out;
}

std::string expand_template(std::string_view templ, const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  out.reserve(templ.size() + 64);
  std::size_t i = 0;
  while (i < templ.size()) {
    std::size_t open = templ.find("{{", i);
    if (open == std::string_view::npos) {
      out.append(templ.substr(i));
      break;
    }
    std::size_t close = templ.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(templ.substr(i));
      break;
    }
    out.append(templ.substr(i, open - i));
    std::string_view name = trim(templ.substr(open + 2, close - open - 2));
    for (const auto& [k, v] : vars)
      if (k == name) {
        out += v;
        break;
      }
    i = close + 2;
  }
  return out;
}

}  // namespace detail

Result<std::string> read_secret(std::string_view env_var, const std::string& file) {
  std::string value;
  std::string where;
  if (!file.empty()) {
    where = file;
    std::ifstream in(file, std::ios::binary);
    if (!in) return errno_status(errno, file);
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status(StatusCode::kIoError, file + ": read error");
    value = std::string(detail::trim(ss.str()));
    if (value.empty()) return Status(StatusCode::kInvalidArgument, file + ": empty");
  } else {
    where = "$" + std::string(env_var);
    const char* v = env_var.empty() ? nullptr : std::getenv(std::string(env_var).c_str());
    if (v == nullptr || detail::trim(v).empty())
      return Status(StatusCode::kNotFound,
                    env_var.empty() ? std::string("no variable or file named") : where + " is not set");
    value = std::string(detail::trim(v));
  }
  if (detail::has_control(value))
    return Status(StatusCode::kInvalidArgument, where + ": holds a newline or control character");
  return value;
}

Result<std::vector<std::string>> read_header_lines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return errno_status(errno, file);
  std::vector<std::string> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line) && n < 1000) {
    ++n;
    std::string_view l = detail::trim(line);
    if (l.empty() || l[0] == '#') continue;
    std::size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0 || detail::has_control(l))
      return Status(StatusCode::kInvalidArgument, file + ":" + std::to_string(n) + ": expected 'Name: value'");
    out.emplace_back(l);
  }
  if (in.bad()) return Status(StatusCode::kIoError, file + ": read error");
  if (out.empty()) return Status(StatusCode::kInvalidArgument, file + ": no header line");
  return out;
}

}  // namespace sidecar
