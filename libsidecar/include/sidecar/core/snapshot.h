// Monitoring snapshot builder (header-only, std-only): the `monitor_note`,
// `monitor_tags` and compact `monitoring` dict of SPEC §7, e.g.
//   profile=supervised | loss=0.5000 | val_acc=0.8000 | throughput=12.35 | tp_vs_base=0.62x
// Sent on the heartbeat or on a material change (profile, open alerts,
// syndrome counts, baseline), never on every metric tick; material_key()
// tells the Monitor when something material changed.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detectors/baseline.h"
#include "sidecar/core/option_table.h"
#include "sidecar/core/records.h"
#include "sidecar/core/types.h"

namespace sidecar {

#define SIDECAR_SNAPSHOT_OPTIONS(X)                                                                       \
  X(double, heartbeat_s, 30.0, (0), "snapshots on this heartbeat or on a material change only (seconds)") \
  X(std::size_t, max_note_chars, 220, (20, 1e5), "length of monitor_note")                                \
  X(std::size_t, max_tags, 8, (0, 1000), "entries of monitor_tags")                                       \
  X(std::size_t, max_tag_chars, 40, (4, 1000), "length of one tag")                                       \
  X(std::size_t, max_syndromes, 16, (0, 1e4), "syndrome_counts entries kept in `monitoring`")
SIDECAR_OPTIONS(SnapshotOptions, SIDECAR_SNAPSHOT_OPTIONS);

struct SnapshotInput {
  Profile profile = Profile::kGeneric;
  // Latest values by short name, in display order ("loss", "val_acc", ...).
  std::vector<std::pair<std::string, double>> summary;
  std::optional<std::int64_t> step;
  std::uint64_t rows = 0;
  const Baseline* baseline = nullptr;
  std::optional<double> tp_vs_base;                                    // latest throughput / baseline throughput
  std::vector<std::pair<std::string, std::uint64_t>> syndrome_counts;  // sorted by name
  std::size_t open_alerts = 0;
  bool critical_open = false;
  double updated_at = 0.0;
};

namespace detail {
inline std::string note_num(std::string_view name, double v) {
  char buf[48];
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  bool rate = name == "throughput";
  if (std::fabs(v) >= 1e6 || (std::fabs(v) > 0 && std::fabs(v) < 1e-4))
    std::snprintf(buf, sizeof buf, "%.4g", v);
  else
    std::snprintf(buf, sizeof buf, rate ? "%.2f" : "%.4f", v);
  return buf;
}
}  // namespace detail

// Builds the snapshot (note <= max_note_chars, <= max_tags tags of <= max_tag_chars).
inline Snapshot build_snapshot(const SnapshotInput& in, const SnapshotOptions& opt) {
  Snapshot s;
  s.ts = in.updated_at;
  std::string note = "profile=" + std::string(to_string(in.profile));
  auto add = [&](const std::string& part) {
    if (note.size() + 3 + part.size() <= opt.max_note_chars) note += " | " + part;
  };
  for (const auto& [k, v] : in.summary) add(k + "=" + detail::note_num(k, v));
  if (in.tp_vs_base) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "tp_vs_base=%.2fx", *in.tp_vs_base);
    add(buf);
  }
  if (in.open_alerts) add("alerts=" + std::to_string(in.open_alerts));
  if (note.size() > opt.max_note_chars) note.resize(opt.max_note_chars);
  s.monitor_note = std::move(note);

  auto tag = [&](std::string t) {
    if (s.monitor_tags.size() >= opt.max_tags) return;
    if (t.size() > opt.max_tag_chars) t.resize(opt.max_tag_chars);
    for (const auto& e : s.monitor_tags)
      if (e == t) return;
    s.monitor_tags.push_back(std::move(t));
  };
  tag(std::string(to_string(in.profile)));
  if (in.baseline && !in.baseline->empty()) tag("baseline-aware");
  if (in.open_alerts) tag("alerts-active");
  if (in.critical_open) tag("critical");
  for (const auto& [name, n] : in.syndrome_counts)
    if (n) tag(name);

  detail::JsonWriter w;
  w.begin_object().key("profile").value(to_string(in.profile));
  w.key("summary").begin_object();
  for (const auto& [k, v] : in.summary) w.key(k).value(v);
  if (in.step) w.key("step").value(*in.step);
  w.key("rows").value(in.rows);
  w.end_object();
  w.key("baseline");
  if (in.baseline && !in.baseline->empty()) {
    w.begin_object().key("runs").value(static_cast<std::uint64_t>(in.baseline->runs));
    if (in.baseline->throughput) w.key("throughput").value(*in.baseline->throughput);
    if (in.baseline->val_accuracy_best) w.key("val_accuracy_best").value(*in.baseline->val_accuracy_best);
    if (in.tp_vs_base) w.key("tp_vs_base").value(*in.tp_vs_base);
    w.end_object();
  } else {
    w.null();
  }
  w.key("syndrome_counts").begin_object();
  std::size_t n = 0;
  for (const auto& [name, c] : in.syndrome_counts) {
    if (n++ >= opt.max_syndromes) break;
    w.key(name).value(c);
  }
  w.end_object();
  w.key("open_alerts").value(static_cast<std::uint64_t>(in.open_alerts));
  w.key("updated_at").value(in.updated_at);
  w.end_object();
  s.monitoring_json = w.take();
  return s;
}

// What counts as a material change: profile, open alerts, syndrome counts, baseline presence.
inline std::string material_key(const SnapshotInput& in) {
  std::string k(to_string(in.profile));
  k += '|' + std::to_string(in.open_alerts) + '|' + (in.critical_open ? "c" : "-") + '|';
  k += (in.baseline && !in.baseline->empty()) ? std::to_string(in.baseline->runs) : "0";
  for (const auto& [name, c] : in.syndrome_counts) k += '|' + name + '=' + std::to_string(c);
  return k;
}

}  // namespace sidecar
