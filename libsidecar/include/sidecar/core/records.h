// The records sidecar emits — alerts, resolutions, snapshots — and their one
// JSON form (header-only, std-only). The CLI's JSONL output, alerts.jsonl,
// status.json, the sinks and the Python module all serialise through here, so
// the schema (docs/cli.md) is defined in exactly one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

}  // namespace sidecar
