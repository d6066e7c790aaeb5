// Experiment context rendering (context.h): run records -> the orchestrator's
// context block, and a tolerant parser for research-agent run JSON.
#include "sidecar/context.h"

#include <cctype>
#include <cmath>
#include <string>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/json_check.h"

namespace sidecar {
namespace {

// One line, at most `max_chars` code points; control characters -> spaces;
// invalid UTF-8 bytes -> U+FFFD; an ellipsis marks a cut.
std::string clip(std::string_view s, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  std::size_t i = 0;
  s = detail::trim(s);
  while (i < s.size()) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
      ++i;
    } else if (std::size_t n = detail::utf8_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
    ++chars;
  }
  return out;
}

std::string text_or(std::string_view s, std::string_view fallback) {
  return detail::trim(s).empty() ? std::string(fallback) : std::string(s);
}

std::string field(const Value& obj, std::string_view key) {
  const Value* v = obj.find(key);
  if (v == nullptr || v->is_null() || v->is_array() || v->is_object()) return {};
  if (v->kind == Value::Kind::kNumber) {
    // Integral ids as integers ("7", not "7.000000").
    double d = v->number;
    if (std::fabs(d) < 9.0e15 && d == std::trunc(d)) return std::to_string(static_cast<long long>(d));
  }
  return v->as_string().value_or("");
}

// A command may be a string or an argv list.
std::string command_field(const Value& obj) {
  const Value* v = obj.find("command");
  if (v == nullptr) v = obj.find("cmd");
  if (v == nullptr) return {};
  if (!v->is_array()) return v->is_object() ? std::string() : v->as_string().value_or("");
  std::string out;
  for (const auto& item : v->items) {
    if (!out.empty()) out += ' ';
    out += item.as_string().value_or("");
  }
  return out;
}

bool is_pending(const Value& alert) {
  if (!alert.is_object()) return false;
  const Value* resp = alert.find("response");
  if (resp != nullptr && !resp->is_null()) return false;
  std::string status = detail::to_lower(field(alert, "status"));
  return status.empty() || status == "pending";
}

PendingAlert parse_alert(const Value& a, std::string_view run_id) {
  PendingAlert p;
  p.id = field(a, "id");
  if (p.id.empty()) p.id = field(a, "alert_id");
  p.run_id = field(a, "run_id");
  if (p.run_id.empty()) p.run_id = std::string(run_id);
  p.message = field(a, "message");
  p.severity = field(a, "severity");
  p.source = field(a, "source");
  p.syndrome = field(a, "syndrome");
  return p;
}

RunRecord parse_run(const Value& r) {
  RunRecord run;
  run.id = field(r, "id");
  if (run.id.empty()) run.id = field(r, "run_id");
  run.name = field(r, "name");
  run.status = field(r, "status");
  run.command = command_field(r);
  run.error = field(r, "error");
  run.monitor_note = field(r, "monitor_note");
  if (const Value* tags = r.find("monitor_tags"); tags != nullptr && tags->is_array())
    for (const auto& t : tags->items)
      if (auto s = t.as_string()) run.monitor_tags.push_back(*s);
  for (std::string_view key : {"alerts", "pending_alerts"}) {
    const Value* list = r.find(key);
    if (list == nullptr || !list->is_array()) continue;
    for (const auto& a : list->items)
      if (is_pending(a)) run.pending_alerts.push_back(parse_alert(a, run.id));
  }
  return run;
}

}  // namespace

bool is_active_status(std::string_view status) {
  status = detail::trim(status);
  return detail::iequals(status, "running") || detail::iequals(status, "queued") ||
         detail::iequals(status, "launching");
}

std::string render_experiment_context(const std::vector<RunRecord>& runs, const ContextOptions& o) {
  std::vector<const RunRecord*> active;
  std::vector<const RunRecord*> failed;
  std::size_t finished = 0;
  for (const auto& r : runs) {
    std::string_view st = detail::trim(r.status);
    if (is_active_status(st))
      active.push_back(&r);
    else if (detail::iequals(st, "failed"))
      failed.push_back(&r);
    else if (detail::iequals(st, "finished") || detail::iequals(st, "completed") || detail::iequals(st, "succeeded"))
      ++finished;
  }
  std::string out;
  out += "Active runs: " + std::to_string(active.size()) + "\n";
  for (std::size_t i = 0; i < active.size() && i < o.max_active; ++i) {
    const RunRecord& r = *active[i];
    out += "  - " + clip(text_or(r.id, "?"), 64) + ": " + clip(text_or(r.name, "unnamed"), 80) + " [" +
           clip(r.status, 20) + "] cmd=" + clip(r.command, o.command_chars) +
           " monitor=" + clip(text_or(r.monitor_note, "none"), o.note_chars) + "\n";
  }
  if (active.size() > o.max_active) out += "  (+" + std::to_string(active.size() - o.max_active) + " more)\n";
  out += "Finished runs: " + std::to_string(finished) + " | Failed runs: " + std::to_string(failed.size()) + "\n";
  if (!failed.empty() && o.max_failed > 0) {
    out += "Failed runs:\n";
    // The most recent failures: records arrive oldest first.
    std::size_t shown = 0;
    for (auto it = failed.rbegin(); it != failed.rend() && shown < o.max_failed; ++it, ++shown) {
      const RunRecord& r = **it;
      out += "  - FAILED " + clip(text_or(r.id, "?"), 64) + ": " + clip(text_or(r.name, "unnamed"), 80) +
             " error=" + clip(text_or(r.error, "unknown"), o.error_chars) +
             " monitor=" + clip(text_or(r.monitor_note, "none"), o.note_chars) + "\n";
    }
  }
  std::vector<const PendingAlert*> alerts;
  for (const auto& r : runs)
    for (const auto& a : r.pending_alerts) alerts.push_back(&a);
  if (!alerts.empty()) {
    out += "Pending alerts: " + std::to_string(alerts.size()) + "\n";
    for (std::size_t i = 0; i < alerts.size() && i < o.max_alerts; ++i) {
      const PendingAlert& a = *alerts[i];
      std::string where = clip(text_or(a.run_id, "?"), 64) + "/" + clip(text_or(a.id, "?"), 64);
      out += "  - " + where + ": [" + clip(text_or(a.severity, "unknown"), 16) + "] " +
             clip(text_or(a.source, "unknown"), 24) + "/" + clip(text_or(a.syndrome, "unknown"), 48) + ": " +
             clip(text_or(a.message, "(no message)"), o.message_chars) + "\n";
    }
    if (alerts.size() > o.max_alerts) out += "  (+" + std::to_string(alerts.size() - o.max_alerts) + " more)\n";
  }
  return out;
}

Result<std::vector<RunRecord>> parse_run_records(std::string_view json, std::string_view name) {
  auto doc = parse_json(json, name);
  if (!doc) {
    std::string where = detail::json_syntax_error(json);
    if (where.empty()) return doc.status();
    return Status(StatusCode::kParseError, std::string(name) + ":" + where);
  }
  const Value* list = nullptr;
  const Value* extra_alerts = nullptr;
  if (doc->is_array()) {
    list = &*doc;
  } else if (doc->is_object()) {
    list = doc->find("runs");
    extra_alerts = doc->find("alerts");
    if (list == nullptr || !list->is_array())
      return Status(StatusCode::kInvalidArgument,
                    std::string(name) + ": expected an array of runs or an object with a \"runs\" array");
  } else {
    return Status(StatusCode::kInvalidArgument,
                  std::string(name) + ": expected an array of runs or an object with a \"runs\" array");
  }
  std::vector<RunRecord> runs;
  runs.reserve(list->items.size());
  for (const auto& item : list->items) {
    if (!item.is_object()) continue;  // tolerate junk entries
    runs.push_back(parse_run(item));
  }
  if (extra_alerts != nullptr && extra_alerts->is_array()) {
    for (const auto& a : extra_alerts->items) {
      if (!is_pending(a)) continue;
      PendingAlert p = parse_alert(a, "");
      RunRecord* owner = nullptr;
      for (auto& r : runs)
        if (!p.run_id.empty() && r.id == p.run_id) owner = &r;
      if (owner == nullptr) {
        // An alert for a run not listed: keep it on a placeholder record (counted nowhere).
        RunRecord orphan;
        orphan.id = p.run_id;
        orphan.status = "unknown";
        runs.push_back(std::move(orphan));
        owner = &runs.back();
      }
      owner->pending_alerts.push_back(std::move(p));
    }
  }
  return runs;
}

}  // namespace sidecar
