// load_run_report / write_run_report / write_report (report.h): a run
// directory read back into ReportData, and the atomic write of the HTML.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "sidecar/config.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/history.h"
#include "sidecar/metrics.h"
#include "sidecar/report.h"

namespace sidecar {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxSmallFile = 16u << 20;  // status.json, run.json

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSmallFile) return std::nullopt;
  }
  return text;
}

std::string str_field(const Value& v, std::string_view key) {
  const Value* f = v.find(key);
  if (f == nullptr || f->is_null() || f->is_object() || f->is_array()) return "";
  return f->as_string().value_or("");
}

std::optional<double> num_field(const Value& v, std::string_view key) {
  const Value* f = v.find(key);
  if (f == nullptr || f->kind != Value::Kind::kNumber) return std::nullopt;
  return f->number;
}

Alert alert_from(const Value& v) {
  Alert a;
  a.id = str_field(v, "id");
  a.ts = num_field(v, "ts").value_or(0.0);
  a.run_id = str_field(v, "run_id");
  Decision& d = a.decision;
  if (auto s = num_field(v, "step"); s && std::isfinite(*s)) d.step = static_cast<std::int64_t>(*s);
  d.source = parse_source(str_field(v, "source")).value_or(Source::kRulebased);
  d.syndrome = str_field(v, "syndrome");
  d.severity = parse_severity(str_field(v, "severity")).value_or(Severity::kWarning);
  d.message = str_field(v, "message");
  d.signature = str_field(v, "signature");
  d.choices.clear();
  if (const Value* c = v.find("choices"); c != nullptr && c->is_array())
    for (const Value& item : c->items)
      if (auto s = item.as_string()) d.choices.push_back(*s);
  if (const Value* e = v.find("evidence"); e != nullptr && e->is_object())
    for (const auto& [k, item] : e->members)
      if (auto s = item.as_string()) d.evidence.emplace_back(k, *s);
  return a;
}

Resolved resolved_from(const Value& v) {
  Resolved r;
  r.alert_id = str_field(v, "alert_id");
  r.signature = str_field(v, "signature");
  r.syndrome = str_field(v, "syndrome");
  r.source = parse_source(str_field(v, "source")).value_or(Source::kRulebased);
  r.ts = num_field(v, "ts").value_or(0.0);
  r.duration_s = num_field(v, "duration_s").value_or(0.0);
  return r;
}

// sidecar/status.json and sidecar/run.json (the latter wins where both say).
void read_facts(const std::string& dir, RunFacts* f, std::vector<std::string>* notes) {
  if (auto text = read_small_file(dir + "/sidecar/status.json")) {
    auto v = parse_json(*text, "status.json");
    if (v && v->is_object()) {
      f->status = str_field(*v, "status");
      if (auto e = num_field(*v, "exit_code")) f->exit_code = static_cast<int>(*e);
      f->error = str_field(*v, "error");
      f->monitor_note = str_field(*v, "monitor_note");
      if (const Value* m = v->find("monitoring"); m != nullptr && m->is_object()) f->profile = str_field(*m, "profile");
      if (f->status != "running")
        if (auto u = num_field(*v, "updated_at")) f->ended_at = *u;
    } else {
      notes->push_back("sidecar/status.json is not valid JSON: " +
                       (v ? std::string("not an object") : v.status().message()));
    }
  } else {
    notes->push_back("no sidecar/status.json (run status unknown)");
  }
  if (auto text = read_small_file(dir + "/sidecar/run.json")) {
    auto v = parse_json(*text, "run.json");
    if (!v || !v->is_object()) {
      notes->push_back("sidecar/run.json is not a JSON object");
      return;
    }
    auto set = [&](std::string_view key, std::string* out) {
      if (std::string s = str_field(*v, key); !s.empty()) *out = s;
    };
    set("run_id", &f->run_id);
    set("command", &f->command);
    set("status", &f->status);
    set("error", &f->error);
    set("profile", &f->profile);
    if (auto e = num_field(*v, "exit_code")) f->exit_code = static_cast<int>(*e);
    if (auto s = num_field(*v, "started_at")) f->started_at = *s;
    if (auto e = num_field(*v, "ended_at")) f->ended_at = *e;
    if (const Value* g = v->find("gpus"); g != nullptr && g->is_array()) {
      f->gpus.clear();
      for (const Value& item : g->items) {
        if (item.is_object()) {
          std::string s = str_field(item, "index");
          std::string name = str_field(item, "name");
          if (!name.empty()) s += (s.empty() ? "" : " ") + std::string("(") + name + ")";
          if (!s.empty()) f->gpus.push_back(s);
        } else if (auto s = item.as_string()) {
          f->gpus.push_back(*s);
        }
      }
    }
  }
}

void read_alerts(const std::string& path, ReportBuilder* b, std::string* run_id, std::vector<std::string>* notes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    notes->push_back("no sidecar/alerts.jsonl (no alerts recorded)");
    return;
  }
  std::string line;
  std::size_t bad = 0, n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (detail::trim(line).empty()) continue;
    if (line.size() > (1u << 20)) {
      ++bad;
      continue;
    }
    auto v = parse_json(line, "alerts.jsonl");
    if (!v || !v->is_object()) {
      ++bad;
      continue;
    }
    std::string type = str_field(*v, "type");
    if (type == "alert") {
      Alert a = alert_from(*v);
      if (run_id->empty()) *run_id = a.run_id;
      b->add_alert(a, str_field(*v, "incident"));
    } else if (type == "resolved") {
      b->add_resolved(resolved_from(*v));
    }
  }
  if (bad > 0)
    notes->push_back("sidecar/alerts.jsonl: " + std::to_string(bad) + " of " + std::to_string(n) +
                     " lines were not alert records (skipped)");
}

void read_metrics(const std::string& path, MetricsFormat format, ReportBuilder* b, RunFacts* f,
                  std::vector<std::string>* notes) {
  MetricsReaderOptions o;
  o.format = format;
  MetricsReader reader(path, o);
  auto on_row = [&](const MetricRow& row) { b->observe(row); };
  for (int i = 0; i < 1000000; ++i) {
    auto n = reader.poll(on_row);
    if (!n) {
      notes->push_back("metrics: " + n.status().message());
      break;
    }
    if (*n == 0) break;
  }
  reader.flush(on_row);
  f->malformed_rows = reader.stats().malformed;
  if (reader.stats().malformed > 0)
    notes->push_back(path + ": " + std::to_string(reader.stats().malformed) +
                     " malformed lines skipped (last: " + reader.stats().last_error + ")");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void compare_with_history(const std::string& history_path, const ReportData& data, ReportBuilder* b) {
  auto file = read_history(history_path);
  if (!file) {
    b->set_baseline_note("history " + history_path + ": " + file.status().message());
    return;
  }
  const std::string& run_id = data.facts.run_id;
  const HistoryRow* self = nullptr;
  for (const HistoryRow& r : file->rows)
    if (!run_id.empty() && r.run_id == run_id) self = &r;
  if (self == nullptr) {
    b->set_baseline_note("this run (" + (run_id.empty() ? std::string("id unknown") : run_id) + ") is not in " +
                         history_path + ": no baseline to compare with");
    return;
  }
  std::vector<HistoryRow> others;
  for (const HistoryRow& r : file->rows)
    if (&r != self) others.push_back(r);
  HistoryOptions ho;
  Baseline base = compute_baseline(others, self->command_fingerprint, ho);
  if (base.empty()) {
    b->set_baseline_note("no finished runs of this command in " + history_path + " yet");
    return;
  }
  b->set_baseline_note("median of " + std::to_string(base.runs) + " finished run" + (base.runs == 1 ? "" : "s") +
                       " of the same command in " + history_path);
  auto series_median = [&](Role role) -> std::optional<double> {
    std::vector<double> v;
    for (const ReportSeries& s : data.series)
      if (s.role == role) {
        for (const auto& seg : s.segments)
          for (const ReportPoint& p : seg) v.push_back(p.y);
        break;
      }
    if (v.empty()) return std::nullopt;
    return median(std::move(v));
  };
  auto series_max = [&](Role role) -> std::optional<double> {
    for (const ReportSeries& s : data.series)
      if (s.role == role) return s.max;
    return std::nullopt;
  };
  BaselineComparison tp{"throughput (steady median)", self->get("throughput"), base.throughput, base.throughput_n,
                        true};
  if (!tp.this_run) tp.this_run = series_median(Role::kThroughput);
  if (tp.this_run || tp.baseline) b->add_baseline(tp);
  BaselineComparison acc{"best validation accuracy", self->get("val_accuracy_best"), base.val_accuracy_best,
                         base.val_accuracy_n, true};
  if (!acc.this_run) acc.this_run = series_max(Role::kValAccuracy);
  if (acc.this_run || acc.baseline) b->add_baseline(acc);
  std::vector<double> last_steps;
  for (const auto& c : base.val_accuracy_curves) last_steps.push_back(static_cast<double>(c.last_step));
  if (!last_steps.empty() || self->last_step > 0) {
    BaselineComparison steps{"steps reached", static_cast<double>(self->last_step), std::nullopt, 0, true};
    if (!last_steps.empty()) {
      steps.baseline = median(last_steps);
      steps.baseline_runs = last_steps.size();
    }
    b->add_baseline(steps);
  }
}

}  // namespace

Result<ReportData> load_run_report(const RunReportInputs& in) {
  std::error_code ec;
  if (in.run_dir.empty() || !fs::is_directory(in.run_dir, ec))
    return Status(StatusCode::kNotFound, in.run_dir + ": not a directory");
  ReportBuilder b(in.options);
  RunFacts& f = b.facts();
  f.run_dir = in.run_dir;
  std::vector<std::string> notes;
  read_facts(in.run_dir, &f, &notes);
  std::string alert_run_id;
  read_alerts(in.run_dir + "/sidecar/alerts.jsonl", &b, &alert_run_id, &notes);
  if (f.run_id.empty()) f.run_id = alert_run_id;
  if (f.run_id.empty()) f.run_id = fs::path(in.run_dir).lexically_normal().filename().string();
  if (f.run_id.empty() || f.run_id == ".")
    f.run_id = fs::absolute(in.run_dir, ec).lexically_normal().parent_path().filename().string();

  std::string metrics = in.metrics_path;
  MetricsFormat format = MetricsFormat::kAuto;
  if (metrics.empty()) {
    auto found = discover_metrics(in.run_dir);
    if (found) {
      metrics = found->path;
      format = found->format;
    } else {
      notes.push_back("no metrics file found in " + in.run_dir + " (" + found.status().message() + ")");
    }
  }
  if (!metrics.empty()) {
    f.metrics_path = metrics;
    if (!fs::exists(metrics, ec))
      notes.push_back("metrics file " + metrics + " does not exist");
    else
      read_metrics(metrics, format, &b, &f, &notes);
  }
  std::string log = in.log_path;
  if (log.empty() && fs::is_regular_file(in.run_dir + "/run.log", ec)) log = in.run_dir + "/run.log";
  if (log.empty())
    notes.push_back("no run.log (no log excerpts)");
  else if (!fs::is_regular_file(log, ec))
    notes.push_back("log " + log + " is not a readable file");
  for (auto& n : notes) b.add_note(std::move(n));
  if (!in.history_path.empty()) {
    ReportData partial = b.build();  // series summaries for the comparison (no log path yet: no log pass)
    compare_with_history(in.history_path, partial, &b);
  }
  if (!log.empty() && fs::is_regular_file(log, ec)) b.facts().log_path = log;
  return b.build();
}

Status write_report(const ReportData& data, const std::string& path, const ReportOptions& options) {
  std::string html = render_report_html(data, options);
  fs::path target(path);
  fs::path dir = target.parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec))
    return Status(StatusCode::kNotFound, dir.string() + ": no such directory");
  return detail::write_file_atomically(path, html);
}

Result<std::string> write_run_report(const RunReportInputs& inputs, const std::string& out_path) {
  auto data = load_run_report(inputs);
  if (!data) return data.status();
  if (Status st = write_report(*data, out_path, inputs.options); !st.ok()) return st;
  return out_path;
}

}  // namespace sidecar
