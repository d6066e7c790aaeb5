// sidecar-cli run — launch a training command and monitor it end to end.
//
//   sidecar-cli run [--run-dir DIR] [--on-alert ask|continue|stop] [--format text|jsonl] ... -- CMD [ARGS...]
//
// The command runs directly (no shell unless --shell) in its own process
// group; its output is teed to the terminal and <run-dir>/run.log; metrics
// and output feed one Monitor; alerts go to stderr, the run directory and the
// configured sinks. Exit status: the child's (128+N for a signal; 127/126
// when it cannot be started), 3 when sidecar stopped it, 2 on a sidecar error.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

#include "commands/commands.h"
#include "commands/run_output.h"
#include "flags.h"
#include "output.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/records.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/fd_write.h"
#include "sidecar/history.h"
#include "sidecar/metrics.h"
#include "sidecar/playbook.h"
#include "sidecar/report.h"
#include "status_line.h"

namespace sidecar::cli {

// ---- TerminalReporter ------------------------------------------------------

namespace {

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string seconds_text(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
  return buf;
}

}  // namespace

TerminalReporter::TerminalReporter(bool jsonl, bool tee_output)
    : jsonl_(jsonl), tee_(tee_output), color_(Style::for_stream(stderr).color) {}

// Every human line: control characters from answers, file names, log text
// escaped (our own colours kept), so nothing can move the cursor or retitle.
void TerminalReporter::human(const std::string& line) {
  if (err_broken_) return;
  std::fflush(stderr);
  if (detail::write_all(2, terminal_safe(line, /*keep_sgr=*/true) + "\n") != 0) err_broken_ = true;
}

void TerminalReporter::output(std::string_view bytes, bool from_stderr) {
  if (!tee_) return;
  // In jsonl mode stdout carries records only: the child's stdout goes to stderr.
  int fd = (jsonl_ || from_stderr) ? 2 : 1;
  bool& broken = fd == 1 ? out_broken_ : err_broken_;
  if (!broken && detail::write_all(fd, bytes) != 0) broken = true;  // a closed terminal must not stop the run
}

void TerminalReporter::alert(const Alert& a, const std::string& response_file, bool asking) {
  if (jsonl_) write_line(stdout, to_json(a));
  Style st{color_};
  const Decision& d = a.decision;
  if (is_incident_follow_up(d)) {  // the incident's later events: one line each, no prompt
    human(st.dim("[sidecar]") + "      + " + pad(d.syndrome, 22) + " " +
          (d.step ? "step " + std::to_string(*d.step) + "  " : std::string()) + d.message);
    return;
  }
  std::string line = st.dim("[sidecar]") + " " + st.severity(d.severity) + " " + pad(d.syndrome, 22) + " " +
                     pad(std::string(to_string(d.source)), 9) + " ";
  if (d.step) line += "step " + std::to_string(*d.step) + "  ";
  line += d.message;
  if (const std::string* ranks = evidence_get(d.evidence, "ranks"); ranks && ranks->find(',') != std::string::npos)
    line += " (ranks " + *ranks + ")";
  human(line);
  if (const std::string* ev = evidence_get(d.evidence, "line"); ev && d.source == Source::kLogwatch)
    human("          " + st.dim("> " + ev->substr(0, 200)));
  if (asking && !d.choices.empty()) {
    std::string choices;
    for (std::size_t i = 0; i < d.choices.size(); ++i)
      choices += (i ? "  " : "") + std::to_string(i + 1) + ") " + d.choices[i];
    human("          answer: " + choices);
    if (prompt_on_tty)
      human("          type a number and Enter, or write a choice to " + response_file);
    else
      human("          write one to " + response_file + " (the run goes on meanwhile)");
  }
}

void TerminalReporter::resolved(const Resolved& r) {
  if (jsonl_) write_line(stdout, to_json(r));
  Style st{color_};
  human(st.dim("[sidecar]") + " " + st.bold("OK  ") + " " + pad(r.syndrome, 22) + " " +
        pad(std::string(to_string(r.source)), 9) + " cleared after " + seconds_text(r.duration_s));
}

void TerminalReporter::snapshot(const Snapshot& s) {
  if (jsonl_) write_line(stdout, to_json(s));
  // The heartbeat's compact status line; material changes come with their own alert lines.
  // (Nothing but the profile yet: nothing to say.)
  if (s.material_change || s.monitor_note == last_note_ || s.monitor_note.find('|') == std::string::npos) return;
  last_note_ = s.monitor_note;
  Style st{color_};
  human(st.dim("[sidecar] status " + s.monitor_note));
}

void TerminalReporter::answered(const Alert& a, const std::string& choice, Action action, std::string_view by) {
  Style st{color_};
  std::string how = by == "policy" ? "by policy" : "answer from " + std::string(by);
  human(st.dim("[sidecar]") + " " + a.decision.syndrome + ": '" + choice + "' (" + how + ") -> " +
        std::string(to_string(action)));
}

void TerminalReporter::notice(std::string_view text) {
  Style st{color_};
  human(st.dim("[sidecar] " + std::string(text)));
}

// The GPU gate runs before the job starts: while it waits, one line per
// change of state (which GPUs are busy, free but not yet for enough polls,
// nvidia-smi failing), saying the job has not started; then the verdict.
// One "GPU preflight" prefix per line; the request's note once.
void TerminalReporter::preflight(const PreflightResult& r, bool final) {
  if (final && jsonl_) write_line(stdout, to_json(r));
  PreflightResult shown = r;
  if (gate_note_shown_) shown.note.clear();
  gate_note_shown_ = gate_note_shown_ || !r.note.empty();
  if (final) {
    std::string text = to_text(shown);
    notice(text.rfind("GPU preflight", 0) == 0 ? text : "GPU preflight: " + text);
    return;
  }
  if (r.available) return;  // the verdict follows at once
  const bool failing = r.reason.rfind("nvidia-smi failed", 0) == 0;
  std::string state = failing ? "failing" : r.busy.empty() ? "free" : "busy:";
  for (const auto& b : r.busy) state += b + ",";
  if (state == gate_state_) return;
  gate_state_ = state;
  std::string text = "GPU preflight: " + r.reason + "; the job has not started yet, waiting up to " +
                     seconds_text(r.time_left_s) + " more";
  if (!shown.note.empty()) text += "\nnote: " + shown.note;
  notice(text);
}

void TerminalReporter::summary(const SessionSummary& s) {
  if (jsonl_) write_line(stdout, s.to_json());
  Style st{color_};
  std::string head = "[sidecar] " + s.status;
  if (s.exit) head += " (" + s.exit->describe() + ")";
  head += " after " + seconds_text(s.duration_s);
  if (s.status != "watched") head += ", exit status " + std::to_string(s.exit_status);
  human(st.bold(head));
  const std::string ind = "          ";
  if (!s.stopped_by.empty())
    human(ind + "stopped by sidecar: " + s.stopped_by);
  else if (!s.error.empty() && s.status != "failed" && s.status != "killed")
    human(ind + s.error);
  std::string from = s.metrics_path;  // every source followed, not only the first one found
  for (const std::string& m : s.metrics_sources)
    if (m != s.metrics_path) from += (from.empty() ? "" : ", ") + m;
  human(ind + "metrics  " + std::to_string(s.rows) + " rows" +
        (s.malformed_rows ? " (" + std::to_string(s.malformed_rows) + " malformed)" : "") +
        (from.empty() ? " (no metrics file found)" : " from " + from));
  human(ind + "logs     " + std::to_string(s.lines) + " lines");
  std::string alerts = std::to_string(s.alerts);
  if (!s.by_syndrome.empty()) {
    alerts += ":";
    for (const auto& [k, v] : s.by_syndrome) alerts += " " + k + "=" + std::to_string(v);
  }
  human(ind + "alerts   " + alerts);
  human(ind + "profile  " + s.profile);
  if (s.monitor_note.find('|') != std::string::npos) human(ind + "last     " + s.monitor_note);
  human(ind + "baseline " + s.baseline);
  if (s.history_written) human(ind + "history  row written to " + s.history_path + " (status " + s.status + ")");
  if (!s.history_error.empty()) human(ind + "history  not written: " + s.history_error);
  human(ind + "files    " + s.run_dir + "/sidecar/alerts.jsonl, " + s.run_dir + "/sidecar/status.json" +
        (s.status == "watched" ? "" : ", " + s.run_dir + "/run.log"));
}

// ---- cmd_run ---------------------------------------------------------------

namespace {

// The GPU defaults in help come from GpuOptions' initializers (not restated here).
const std::string kGpuWaitHelp =
    "how long to wait for busy GPUs (default from the playbook, " + detail::fmt_num(GpuOptions{}.wait_s) + ")";
const std::string kGpuPollHelp =
    "how often to poll busy GPUs (default from the playbook, " + detail::fmt_num(GpuOptions{}.poll_s) + ")";

const FlagSpec kRunOwnFlags[] = {
    {"run-dir", 'd', "DIR", "run directory (default: a new runs/<time>-<program>/)"},
    {"run-id", 0, "ID", "run id for alerts and history (default: the run directory's name); required with --server"},
    {"metrics", 'm', "PATH",
     "metrics file to follow (default: every source discovered in the run directory and the working directory; "
     "the child gets SIDECAR_METRICS_FILE)"},
    kMetricsWaitFlag,
    {"log", 'l', "PATH", "another log file or glob the job writes", true},
    kPlaybookFlag,
    kHistoryFlag,
    kProfileFlag,
    {"on-alert", 0, "MODE", "ask (default: wait for an answer, the run goes on), continue, or stop"},
    {"stop-on", 0, "SEVERITY", "stop the run on any alert at or above this (info, warning, critical)"},
    {"grace", 0, "SECONDS", "SIGTERM -> SIGKILL delay when stopping (default 10)"},
    {"interval", 0, "SECONDS", "monitoring tick (default 1, at most 1)"},
    {"format", 'f', "FORMAT", "text (default) or jsonl (records on stdout; the child's output on stderr)"},
    {"shell", 0, "", "run the command through /bin/sh -c"},
    {"quiet", 'q', "", "do not echo the child's output to the terminal (run.log still gets it)"},
    {"pass-secrets", 0, "", "pass SIDECAR_AUTH_TOKEN on to the command (removed from its environment by default)"},
    {"detach", 0, "", "the command survives sidecar's death (default: it gets SIGTERM if sidecar is killed)"},
};
const FlagSpec kRunGpuFlags[] = {
    {"no-report", 0, "", "do not write <run-dir>/sidecar/report.html at the end"},
    {"no-preflight", 0, "", "skip the GPU preflight"},
    {"nvidia-smi", 0, "PATH", "nvidia-smi program for the GPU preflight"},
    {"gpu-wait", 0, "SECONDS", kGpuWaitHelp},
    {"gpu-poll", 0, "SECONDS", kGpuPollHelp},
};
const std::vector<FlagSpec> kRunFlags = join_flags({kRunOwnFlags, kServerFlags, kNotifyFlags, kRunGpuFlags});

constexpr std::string_view kRunUsage = "sidecar-cli run [options] -- CMD [ARGS...]";
constexpr std::string_view kRunSummary =
    "Launch a training command and monitor it end to end: output teed to the terminal and <run-dir>/run.log,\n"
    "metrics and logs through one monitor, alerts to stderr and <run-dir>/sidecar/alerts.jsonl, answers from\n"
    "<run-dir>/alerts/<id>.response, the terminal or the server.";
constexpr std::string_view kRunExit =
    "the command's (128+N for a signal, 127/126 when it cannot be started); 3 when sidecar\nstopped it; 2 on a "
    "sidecar error";

// A new directory, made atomically (runs started in the same second never share one).
Result<std::string> default_run_dir(const std::string& program) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string name = std::filesystem::path(program).filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return detail::create_unique_dir("runs/" + std::string(stamp) + (name.empty() ? "" : "-" + name));
}

// The terminal reporter of `run`: remembers the GPUs the preflight saw (for
// the report) and keeps the live status line (a TTY on stderr only; erased
// before every other line, so it never reaches run.log or a pipe).
class RunReporter : public TerminalReporter {
 public:
  RunReporter(bool jsonl, bool tee_output) : TerminalReporter(jsonl, tee_output), status_(2) {
    show_status_ = !jsonl && status_.active();
  }
  // One tick's state (SessionOptions::progress).
  void progress(const ExporterState& st) {
    if (!show_status_) return;
    const double now = monotonic_seconds();
    if (rate_t0_ < 0 || now - rate_t0_ >= 2.0) {
      if (rate_t0_ >= 0 && now > rate_t0_) rate_ = static_cast<double>(st.rows_read - rate_rows_) / (now - rate_t0_);
      rate_t0_ = now;
      rate_rows_ = st.rows_read;
    }
    StatusLine::Fields f;
    f.step = st.step;
    for (const auto& r : st.roles)
      if (r.role == "loss") f.loss = r.value;
    f.rate = rate_;
    int worst = -1;
    for (const auto& inc : st.open_incidents) {
      f.open_incidents += inc.count;
      auto sev = parse_severity(inc.severity);
      if (sev && static_cast<int>(*sev) > worst) {
        worst = static_cast<int>(*sev);
        f.worst_severity = inc.severity;
      }
    }
    status_.update(f, now);
  }
  void output(std::string_view bytes, bool from_stderr) override {
    status_.clear();
    TerminalReporter::output(bytes, from_stderr);
  }
  void alert(const Alert& a, const std::string& response_file, bool asking) override {
    status_.clear();
    TerminalReporter::alert(a, response_file, asking);
  }
  void resolved(const Resolved& r) override {
    status_.clear();
    TerminalReporter::resolved(r);
  }
  void snapshot(const Snapshot& snap) override {
    status_.clear();
    TerminalReporter::snapshot(snap);
  }
  void answered(const Alert& a, const std::string& choice, Action action, std::string_view by) override {
    status_.clear();
    TerminalReporter::answered(a, choice, action, by);
  }
  void notice(std::string_view text) override {
    status_.clear();
    TerminalReporter::notice(text);
  }
  void summary(const SessionSummary& sum) override {
    status_.clear();
    show_status_ = false;
    TerminalReporter::summary(sum);
  }
  void preflight(const PreflightResult& r, bool final) override {
    status_.clear();
    TerminalReporter::preflight(r, final);
    if (!final) return;
    gpus.clear();
    for (const GpuInfo& g : r.gpus) {
      std::string idx = std::to_string(g.index);
      bool requested = r.requested.empty();
      for (const auto& q : r.requested) requested = requested || q == idx || q == g.uuid;
      if (requested) gpus.push_back(idx + (g.uuid.empty() ? "" : " (" + g.uuid + ")"));
    }
  }
  std::vector<std::string> gpus;

 private:
  StatusLine status_;
  bool show_status_ = false;
  double rate_t0_ = -1;
  std::uint64_t rate_rows_ = 0;
  std::optional<double> rate_;
};

std::string command_text(const RunOptions& o) {
  std::string out;
  for (const auto& a : o.argv) {
    bool plain = o.shell || (!a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos);
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += (out.empty() ? "" : " ") + (plain ? a : quoted + "'");
  }
  return out;
}

// The end of `run`: <run-dir>/sidecar/run.json (the facts only the run loop
// knows: command, start, end, GPUs) and the report beside it. A report that
// cannot be written is a notice, never a changed exit status.
void write_end_report(const RunOptions& o, const SessionSummary& s, double started_at, RunReporter& rep) {
  detail::JsonWriter w;
  w.begin_object().key("run_id").value(s.run_id).key("command").value(command_text(o));
  w.key("started_at").value(started_at).key("ended_at").value(wall_seconds());
  w.key("status").value(s.status);
  if (s.exit && s.exit->term_signal == 0) w.key("exit_code").value(s.exit->exit_code);
  if (!s.error.empty()) w.key("error").value(s.error);
  w.key("profile").value(s.profile).key("gpus").begin_array();
  for (const auto& g : rep.gpus) w.value(g);
  w.end_array().end_object();
  const std::string dir = o.run_dir + "/sidecar";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (Status st = detail::write_file_atomically(dir + "/run.json", w.take() + "\n"); !st.ok())
    rep.notice("run.json not written: " + st.message());
  RunReportInputs in;
  in.run_dir = o.run_dir;
  in.metrics_path = s.metrics_path;
  in.history_path = s.history_path;
  auto written = write_run_report(in, dir + "/report.html");
  if (written)
    rep.notice("report: " + *written);
  else
    rep.notice("report not written: " + written.status().message());
}

}  // namespace

// --slack-url-env ... --prometheus: the notification flags of run and watch.
static void read_notify_flags(const ParsedFlags& f, SessionOptions* o) {
  o->slack_url_env = f.get_or("slack-url-env", "");
  o->slack_url_file = f.get_or("slack-url-file", "");
  o->webhook_url_env = f.get_or("webhook-url-env", "");
  o->webhook_url_file = f.get_or("webhook-url-file", "");
  o->webhook_header_file = f.get_or("webhook-header-file", "");
  o->prometheus = f.get_or("prometheus", "");
}

// Fills what run and watch share from flags. Errors: kInvalidArgument.
Status read_session_flags(const ParsedFlags& f, SessionOptions* o) {
  if (auto v = f.get("run-id")) o->run_id = *v;
  if (auto v = f.get("metrics")) o->metrics_path = *v;
  o->logs = f.get_all("log");
  if (auto v = f.get("playbook")) o->playbook_path = *v;
  if (auto v = f.get("history")) o->history_path = *v;
  if (auto v = f.get("profile")) {
    o->profile = parse_profile(*v);
    if (!o->profile)
      return Status(StatusCode::kInvalidArgument,
                    "--profile: expected generic, supervised or reinforcement_learning, got '" + *v + "'");
  }
  if (auto v = f.get("on-alert")) {
    auto m = parse_on_alert(*v);
    if (!m) return Status(StatusCode::kInvalidArgument, "--on-alert: expected ask, continue or stop, got '" + *v + "'");
    o->on_alert = *m;
  }
  if (auto v = f.get("stop-on")) {
    o->stop_on = parse_severity(*v);
    if (!o->stop_on)
      return Status(StatusCode::kInvalidArgument, "--stop-on: expected info, warning or critical, got '" + *v + "'");
  }
  auto wait = f.number("metrics-wait");
  if (!wait) return wait.status();
  if (*wait) {
    if (!(**wait >= 0)) return Status(StatusCode::kInvalidArgument, "--metrics-wait: must be >= 0");
    o->no_metrics_notice_s = **wait;
  }
  auto interval = f.number("interval");
  if (!interval) return interval.status();
  if (*interval) {
    if (!(**interval > 0)) return Status(StatusCode::kInvalidArgument, "--interval: must be > 0");
    o->interval_s = **interval;
  }
  if (auto v = f.get("server")) o->server_url = *v;
  if (auto v = f.get("run-id")) o->server_run_id = *v;
  if (auto v = f.get("auth-token-file")) o->auth_token_file = *v;
  if (auto v = f.get("alertmanager")) o->alertmanager_url = *v;
  o->server_optional = f.has("server-optional");
  read_notify_flags(f, o);
  if (!o->server_url.empty() && !f.has("run-id"))
    return Status(StatusCode::kInvalidArgument, "--server needs --run-id (the server's id for this run)");
  return Status::Ok();
}

namespace {

const CommandHelp kRunHelp = {.usage = kRunUsage, .summary = kRunSummary, .flags = kRunFlags, .exit_status = kRunExit};

Result<int> run_main(const ParsedFlags& flags) {
  RunOptions o;
  o.argv = flags.rest;
  if (o.argv.empty())
    o.argv = flags.positional;  // `run python3 train.py` (no options after the program)
  else if (!flags.positional.empty())
    return Status(StatusCode::kInvalidArgument, "unexpected argument '" + flags.positional[0] +
                                                    "' before '--' (options go before --, the command after)");
  if (o.argv.empty())
    return Status(StatusCode::kInvalidArgument, "no command given: sidecar-cli run [options] -- CMD [ARGS...]");
  if (auto st = read_session_flags(flags, &o); !st.ok()) return st;
  auto jsonl = jsonl_format(flags);
  if (!jsonl) return jsonl.status();
  o.run_dir = flags.get_or("run-dir", "");
  if (o.run_dir.empty()) {
    auto dir = default_run_dir(o.argv[0]);
    if (!dir) return dir.status();
    o.run_dir = *dir;
  }
  o.pass_secrets = flags.has("pass-secrets");
  o.detach = flags.has("detach");
  o.shell = flags.has("shell");
  auto grace = flags.number("grace");
  if (!grace) return grace.status();
  if (*grace) {
    if (!(**grace >= 0)) return Status(StatusCode::kInvalidArgument, "--grace: must be >= 0");
    o.grace_s = **grace;
  }
  o.preflight = !flags.has("no-preflight");
  // GPU settings: the playbook's, then the flags.
  if (!o.playbook_path.empty()) {
    auto pb = load_playbook(o.playbook_path);
    if (!pb) return pb.status();
    o.gpu = pb->gpu;
  } else {
    o.gpu = default_playbook().gpu;
  }
  if (auto v = flags.get("nvidia-smi")) o.gpu.nvidia_smi = *v;
  for (auto [name, field] : {std::pair{"gpu-wait", &o.gpu.wait_s}, std::pair{"gpu-poll", &o.gpu.poll_s}}) {
    auto n = flags.number(name);
    if (!n) return n.status();
    if (*n) {
      if (!(**n >= 0)) return Status(StatusCode::kInvalidArgument, std::string("--") + name + ": must be >= 0");
      *field = **n;
    }
  }
  const bool tty_in = ::isatty(0) == 1;
  if (o.on_alert == OnAlert::kAsk && tty_in) o.prompt_fd = 0;

  RunReporter reporter(*jsonl, !flags.has("quiet"));
  reporter.prompt_on_tty = o.prompt_fd >= 0;
  SignalPipe signals;
  const double started_at = wall_seconds();
  o.progress = [&reporter](const ExporterState& st) { reporter.progress(st); };
  auto summary = run_session(o, reporter, &signals);
  if (!summary) return summary.status();
  if (!flags.has("no-report")) write_end_report(o, *summary, started_at, reporter);
  return summary->exit_status;
}

}  // namespace

Result<int> cmd_run(Args args) { return run_command(kRunHelp, args, run_main); }

}  // namespace sidecar::cli
