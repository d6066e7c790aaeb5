// The records sidecar emits — alerts, resolutions, snapshots — and their one
// JSON form (header-only, std-only). The CLI's JSONL output, alerts.jsonl,
// status.json, the sinks and the Python module all serialise through here, so
// the schema (docs/cli.md) is defined in exactly one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/types.h"

namespace sidecar {

// A decision surfaced to people and orchestrators.
struct Alert {
  std::string id;   // unique within the run, safe in a file name ([A-Za-z0-9._-])
  double ts = 0.0;  // seconds since the epoch
  std::string run_id;
  Decision decision;
};

// A condition that cleared after it was alerted.
struct Resolved {
  std::string alert_id;  // the alert that opened it
  std::string signature;
  std::string syndrome;
  Source source = Source::kRulebased;
  double ts = 0.0;
  double duration_s = 0.0;  // how long it was active
};

// The periodic monitoring snapshot (SPEC §7).
struct Snapshot {
  double ts = 0.0;
  std::string monitor_note;               // <= 220 chars
  std::vector<std::string> monitor_tags;  // <= 8 tags, each <= 40 chars
  std::string monitoring_json;            // compact JSON object (profile, summary, baseline, ...)
  bool material_change = false;           // emitted because something material changed (not the heartbeat)
  // The key report (key_report.h: keys seen, bound to roles, ignored) as a
  // JSON object; status.json carries it as "keys". "" = none. Not part of
  // the snapshot record (to_json).
  std::string keys_json;
};

// One recognised syndrome occurrence in a log stream (log_scan.h finds them).
struct LogMatch {
  std::string syndrome;
  Severity severity = Severity::kWarning;
  std::string message;       // the rendered template
  std::string text;          // the normalised line (segment), capped at max_text_bytes
  Evidence evidence;         // "line", "rank", "exception_type", extracted fields
  std::uint64_t line = 0;    // 1-based line number in the stream (\n-separated)
  std::uint64_t offset = 0;  // byte offset of that line's first byte in the stream
  std::string source;        // the LogStream's label
  std::optional<int> rank;   // from a [rankN]: / rank N: prefix, else the stream's default
};

// What the last record of every command, "summary", carries under the same
// names (run, watch, replay, scan); each command adds its own fields after.
struct SummaryTotals {
  std::optional<Severity> max_severity;                            // highest raised; null when none
  std::vector<std::pair<std::string, std::uint64_t>> by_syndrome;  // alerts (scan: matches) per syndrome
  double duration_s = 0.0;                                         // how long the command ran
};

namespace detail {

inline void write_evidence(JsonWriter& w, const Evidence& evidence) {
  w.begin_object();
  for (const auto& [k, v] : evidence) w.key(k).value(v);
  w.end_object();
}

inline void write_decision_fields(JsonWriter& w, const Decision& d) {
  if (d.step) w.key("step").value(*d.step);
  w.key("source").value(to_string(d.source));
  w.key("syndrome").value(d.syndrome);
  w.key("severity").value(to_string(d.severity));
  w.key("message").value(d.message);
  w.key("choices").begin_array();
  for (const auto& c : d.choices) w.value(c);
  w.end_array();
  w.key("signature").value(d.signature);
  w.key("evidence");
  write_evidence(w, d.evidence);
}

// Opens {"type":"summary","max_severity":…,"by_syndrome":{…},"duration_s":…
// and leaves the object open for the command's own fields.
inline void begin_summary(JsonWriter& w, const SummaryTotals& t) {
  w.begin_object().key("type").value("summary").key("max_severity");
  if (t.max_severity)
    w.value(to_string(*t.max_severity));
  else
    w.null();
  w.key("by_syndrome").begin_object();
  for (const auto& [k, v] : t.by_syndrome) w.key(k).value(v);
  w.end_object().key("duration_s").value(t.duration_s);
}

}  // namespace detail

// {"type":"alert","id":…,"ts":…,"run_id":…,"step":…,"source":…,"syndrome":…,
//  "severity":…,"message":…,"choices":[…],"signature":…,"evidence":{…}}
inline std::string to_json(const Alert& a) {
  detail::JsonWriter w;
  w.begin_object().key("type").value("alert").key("id").value(a.id).key("ts").value(a.ts);
  if (!a.run_id.empty()) w.key("run_id").value(a.run_id);
  detail::write_decision_fields(w, a.decision);
  w.end_object();
  return w.take();
}

// {"type":"resolved","alert_id":…,"ts":…,"source":…,"syndrome":…,"signature":…,"duration_s":…}
inline std::string to_json(const Resolved& r) {
  detail::JsonWriter w;
  w.begin_object().key("type").value("resolved").key("alert_id").value(r.alert_id).key("ts").value(r.ts);
  w.key("source").value(to_string(r.source)).key("syndrome").value(r.syndrome);
  w.key("signature").value(r.signature).key("duration_s").value(r.duration_s);
  w.end_object();
  return w.take();
}

// {"type":"snapshot","ts":…,"monitor_note":…,"monitor_tags":[…],"monitoring":{…}}
inline std::string to_json(const Snapshot& s) {
  detail::JsonWriter w;
  w.begin_object().key("type").value("snapshot").key("ts").value(s.ts);
  w.key("monitor_note").value(s.monitor_note).key("monitor_tags").begin_array();
  for (const auto& t : s.monitor_tags) w.value(t);
  w.end_array().key("monitoring");
  if (s.monitoring_json.empty())
    w.raw("{}");
  else
    w.raw(s.monitoring_json);
  w.end_object();
  return w.take();
}

// {"type":"match","file":…,"line":…,"offset":…,"syndrome":…,"severity":…,
//  "message":…,"text":…,"evidence":{…}} (evidence without "line": the record has it)
inline std::string to_json(const LogMatch& m, std::string_view file) {
  detail::JsonWriter w;
  w.begin_object().key("type").value("match").key("file").value(file);
  w.key("line").value(m.line).key("offset").value(m.offset).key("syndrome").value(m.syndrome);
  w.key("severity").value(to_string(m.severity)).key("message").value(m.message).key("text").value(m.text);
  w.key("evidence").begin_object();
  for (const auto& [k, v] : m.evidence)
    if (k != "line") w.key(k).value(v);
  w.end_object().end_object();
  return w.take();
}

}  // namespace sidecar
