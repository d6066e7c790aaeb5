// What run and watch share: the summary record, --log expansion, and the
// pipeline + inputs built from SessionOptions (see session_core.h).
#include "sidecar/session.h"

#include <glob.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "session_core.h"
#include "session_wiring.h"
#include "sidecar/config.h"
#include "sidecar/core/detail/alert_id.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/judge.h"
#include "sidecar/notify.h"
#include "sidecar/playbook.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace fs = std::filesystem;

std::string SessionSummary::to_json() const {
  detail::JsonWriter w;
  detail::begin_summary(w, SummaryTotals{max_severity, by_syndrome, std::round(duration_s * 1000) / 1000});
  w.key("status").value(status);
  w.key("exit_status").value(exit_status);
  if (exit) {
    if (exit->term_signal)
      w.key("signal").value(signal_name(exit->term_signal));
    else
      w.key("exit_code").value(exit->exit_code);
  }
  if (!stopped_by.empty()) w.key("stopped_by").value(stopped_by);
  if (!error.empty()) w.key("error").value(error);
  w.key("run_id").value(run_id).key("run_dir").value(run_dir);
  w.key("rows").value(rows).key("malformed_rows").value(malformed_rows);
  w.key("lines").value(lines).key("log_bytes").value(log_bytes);
  w.key("alerts").value(alerts);
  w.key("profile").value(profile).key("baseline").value(baseline);
  w.key("metrics").value(metrics_path);
  w.key("metrics_sources").begin_array();
  for (const std::string& m : metrics_sources) w.value(m);
  w.end_array();
  w.key("monitor_note").value(monitor_note);
  w.key("history_written").value(history_written);
  if (!history_path.empty()) w.key("history").value(history_path);
  if (!history_error.empty()) w.key("history_error").value(history_error);
  if (!sinks.empty()) {
    w.key("sinks").begin_object();
    for (const auto& [name, st] : sinks) {
      w.key(name).begin_object();
      w.key("sent").value(st.sent).key("failed").value(st.failed).key("dropped").value(st.dropped);
      w.key("rejected").value(st.rejected).key("auth_failures").value(st.auth_failures);
      w.key("last_error").value(st.last_error);
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
  return w.take();
}

bool SessionSummary::sinks_lost_records() const {
  for (const auto& [name, st] : sinks)
    if (st.dropped > 0 || st.rejected > 0 || st.queue_depth > 0) return true;
  return false;
}

std::vector<std::string> expand_log_pattern(const std::string& pattern, const std::string& base_dir) {
  auto has_glob = [](std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; };
  auto run_glob = [](const std::string& p) {
    std::vector<std::string> out;
    glob_t g{};
    if (::glob(p.c_str(), 0, nullptr, &g) == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    std::sort(out.begin(), out.end());
    return out;
  };
  std::string resolved = pattern;
  if (!pattern.empty() && pattern[0] != '/' && !base_dir.empty()) {
    // Relative: from the working directory when it names something there,
    // else from the run directory ("--log 'logs/rank*.log'").
    bool here = has_glob(pattern) ? !run_glob(pattern).empty() : fs::exists(pattern);
    if (!here) {
      std::string dir = pattern.substr(0, pattern.find_first_of("*?["));
      dir = dir.substr(0, dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/'));
      std::error_code ec;
      here = !dir.empty() && dir != "." && fs::is_directory(dir, ec);
    }
    if (!here) resolved = (fs::path(base_dir) / pattern).string();
  }
  if (!has_glob(resolved)) return {resolved};
  return run_glob(resolved);
}

Status check_session_sections(const Value& tree) {
  std::vector<Status> errors;
  ActionTable table;
  read_operator_options(tree, &table, &errors);
  ServerSinkOptions so;
  AlertmanagerSinkOptions ao;
  read_sink_options(tree, &so, &ao, &errors);
  JudgeOptions jo;
  read_judge_options(tree, &jo, &errors);
  SlackSinkOptions slack;
  WebhookSinkOptions hook;
  read_notify_sink_options(tree, &slack, &hook, &errors);
  return join_errors(errors);
}

namespace detail {

namespace {

std::string fmt_ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string default_run_id(const std::string& run_dir) {
  std::string id = fs::path(run_dir).lexically_normal().filename().string();
  if (id.empty() || id == "." || id == "..")
    id = fs::absolute(run_dir).lexically_normal().parent_path().filename().string();
  return id;
}

// The sinks of a session: files in the run directory always, the server and
// Alertmanager when configured.
// A server that refuses the token is an error before anything is launched
// (unless server_optional); one that does not answer is a notice (the sink
// retries, and its failures are counted and reported).
Result<std::unique_ptr<SinkSet>> open_sinks(const SessionOptions& o, const std::string& run_id, ServerSinkOptions so,
                                            AlertmanagerSinkOptions ao, bool file_records, std::string supervisor,
                                            bool write_status, SessionReporter& rep) {
  auto sinks = std::make_unique<SinkSet>();
  if (file_records) sinks->add(make_file_sink(o.run_dir, std::move(supervisor), write_status));
  if (!o.server_url.empty()) {
    auto token = read_auth_token(o.auth_token_file);
    if (!token) return token.status();
    so.url = o.server_url;
    so.run_id = o.server_run_id.empty() ? run_id : o.server_run_id;
    so.auth_token = *token;
    so.run_dir = fs::absolute(o.run_dir).lexically_normal().string();
    auto server = make_server_sink(std::move(so));
    if (Status st = server->check(5.0); !st.ok()) {
      if (st.code() == StatusCode::kPermissionDenied && !o.server_optional)
        return Status(st.code(), st.message() + " (--server-optional: go on without the server)");
      rep.notice(st.message() + (st.code() == StatusCode::kPermissionDenied
                                     ? "; going on (--server-optional): nothing reaches the server"
                                     : "; going on, retrying in the background"));
    }
    sinks->add(std::move(server));
  }
  if (!o.alertmanager_url.empty()) {
    ao.url = o.alertmanager_url;
    ao.run_id = run_id;
    sinks->add(make_alertmanager_sink(std::move(ao)));
  }
  return sinks;
}

std::string baseline_text(const Monitor& m) {
  const Baseline& b = m.baseline();
  if (b.empty()) return "none (no finished runs of this command in the history yet)";
  std::string t = std::to_string(b.runs) + " earlier run" + (b.runs == 1 ? "" : "s");
  if (b.throughput) {
    auto tp = m.latest(Role::kThroughput);
    t += tp && *b.throughput > 0 ? ", throughput " + fmt_ratio(*tp / *b.throughput) + "x of baseline"
                                 : ", baseline throughput " + fmt_ratio(*b.throughput);
  }
  if (b.val_accuracy_best) {
    auto acc = m.latest(Role::kValAccuracy);
    t += ", val_accuracy " + (acc ? fmt_ratio(*acc) : std::string("-")) + " vs best " + fmt_ratio(*b.val_accuracy_best);
  }
  return t;
}

}  // namespace

int poll_timeout_ms(double seconds) {
  if (seconds <= 0) return 0;
  return static_cast<int>(std::min(seconds, 60.0) * 1000.0) + 1;
}

bool run_has_ended(const std::string& run_dir) {
  std::ifstream in(fs::path(run_dir) / "sidecar" / "status.json", std::ios::binary);
  if (!in) return false;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto v = parse_json(text, "status.json");
  if (!v) return false;
  const Value* st = v->find("status");
  auto s = st ? st->as_string() : std::nullopt;
  return s && (*s == "finished" || *s == "failed" || *s == "stopped" || *s == "killed" || *s == "lost");
}

Result<SessionCore> open_session(const SessionOptions& o, SessionReporter& rep, std::vector<std::string> log_patterns,
                                 bool file_records, std::string supervisor_json, bool write_status) {
  if (o.run_dir.empty()) return Status(StatusCode::kInvalidArgument, "no run directory");
  SessionCore core;
  core.run_id = o.run_id.empty() ? default_run_id(o.run_dir) : o.run_id;
  auto pb = load_playbook(o.playbook_path);
  if (!pb) return pb.status();
  for (const std::string& n : pb->notices) rep.notice(n);  // deprecated keys read
  std::vector<Status> errors;
  PipelineOptions po;
  read_operator_options(pb->tree, &po.actions, &errors);
  ServerSinkOptions so;
  AlertmanagerSinkOptions ao;
  read_sink_options(pb->tree, &so, &ao, &errors);
  JudgeOptions jo;
  read_judge_options(pb->tree, &jo, &errors);
  if (!errors.empty()) return join_errors(errors);
  core.gpu = pb->gpu;
  MonitorOptions mo;
  mo.run_id = core.run_id;
  core.nonce = detail::run_nonce();
  mo.alert_id_nonce = core.nonce;  // this session's own alert ids (issue 19.2)
  mo.command = o.command;
  mo.profile = o.profile;
  mo.history_path = o.history_path;
  core.history_off = o.history_path == "-" || !pb->history.enabled;
  core.history_path = core.history_off ? "" : o.history_path.empty() ? pb->history.path : o.history_path;
  mo.playbook = std::move(pb).value();
  core.history_options = mo.playbook.history;
  auto sinks = open_sinks(o, core.run_id, std::move(so), std::move(ao), file_records, std::move(supervisor_json),
                          write_status, rep);
  if (!sinks) return sinks.status();
  if (Status st = add_notify_sinks(o, mo.playbook.tree, core.run_id, **sinks); !st.ok()) return st;
  auto prom = start_prometheus(o, core.run_id, **sinks, rep);
  if (!prom) return prom.status();
  core.prometheus = std::move(prom).value();
  po.run_dir = o.run_dir;
  po.on_alert = o.on_alert;
  po.stop_on = o.stop_on;
  po.prompt_fd = o.prompt_fd;
  std::unique_ptr<Judge> judge = jo.enabled ? std::make_unique<Judge>(std::move(jo)) : nullptr;
  core.pipeline =
      std::make_unique<Pipeline>(std::move(mo), std::move(po), std::move(sinks).value(), rep, std::move(judge));
  const Status& ls = core.pipeline->monitor().log_status();
  if (!ls.ok()) rep.notice("log scanning is off: " + ls.message());
  core.inputs = std::make_unique<InputSet>(o.run_dir, o.metrics_path, std::move(log_patterns), rep, o.work_dir,
                                           o.no_metrics_notice_s);
  return core;
}

void fill_summary(const SessionCore& core, const SessionOptions& o, double wall, SessionSummary* s) {
  const Monitor& m = core.pipeline->monitor();
  s->rows = m.stats().rows;
  s->malformed_rows = core.inputs->malformed_rows();
  s->lines = core.inputs->lines();
  s->log_bytes = core.inputs->bytes();
  s->alerts = core.pipeline->alerts();
  s->max_severity = core.pipeline->max_severity();
  s->by_syndrome = core.pipeline->by_syndrome();
  s->profile = std::string(to_string(m.profile()));
  s->baseline = baseline_text(m);
  s->metrics_path = core.inputs->metrics_path();
  s->metrics_sources = core.inputs->metrics_paths();
  s->monitor_note = m.snapshot(wall).monitor_note;
  s->run_dir = o.run_dir;
  s->run_id = core.run_id;
  s->history_path = core.history_path;
  s->sinks = core.pipeline->sinks().each_stats();
}

void report_sink_notices(SessionCore& core, SessionReporter& rep) {
  for (auto& n : core.pipeline->sinks().take_notices()) rep.notice(n);
}

std::string sink_failure_text(const SessionCore& core) {
  std::string out;
  for (const auto& [name, st] : core.pipeline->sinks().each_stats()) {
    if (name == "file" || (st.failed == 0 && st.dropped == 0 && st.rejected == 0)) continue;
    out += (out.empty() ? "" : "; ") + name + " sink: " + std::to_string(st.failed) + " failed, " +
           std::to_string(st.rejected) + " rejected, " + std::to_string(st.dropped) + " dropped";
    if (!st.last_error.empty()) out += " (last error: " + st.last_error + ")";
  }
  return out;
}

}  // namespace detail
}  // namespace sidecar
