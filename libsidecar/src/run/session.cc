// run_session / watch_session: one Monitor, one loop. The loop waits in
// poll() on the child's pipes, the signal self-pipe and the operator's TTY,
// with a timeout that is the next tick (<= interval_s), so an idle run costs
// one wake-up per interval; output is handled the moment it arrives.
#include "sidecar/session.h"

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "sidecar/detail/json_writer.h"
#include "sidecar/detail/strings.h"
#include "sidecar/file_tail.h"
#include "sidecar/judge.h"
#include "sidecar/metrics.h"
#include "sidecar/monitor.h"
#include "sidecar/playbook.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace fs = std::filesystem;

std::optional<OnAlert> parse_on_alert(std::string_view text) {
  std::string t = detail::to_lower(detail::trim(text));
  if (t == "ask") return OnAlert::kAsk;
  if (t == "continue") return OnAlert::kContinue;
  if (t == "stop") return OnAlert::kStop;
  return std::nullopt;
}

std::string SessionSummary::to_json() const {
  detail::JsonWriter w;
  w.begin_object().key("type").value("summary").key("status").value(status);
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
  w.key("duration_s").value(std::round(duration_s * 1000) / 1000);
  w.key("rows").value(rows).key("malformed_rows").value(malformed_rows);
  w.key("lines").value(lines).key("log_bytes").value(log_bytes);
  w.key("alerts").value(alerts);
  w.key("max_severity");
  if (max_severity)
    w.value(to_string(*max_severity));
  else
    w.null();
  w.key("alerts_by_syndrome").begin_object();
  for (const auto& [k, v] : by_syndrome) w.key(k).value(v);
  w.end_object();
  w.key("profile").value(profile).key("baseline").value(baseline);
  w.key("metrics").value(metrics_path).key("monitor_note").value(monitor_note);
  w.key("history_written").value(history_written);
  if (!history_path.empty()) w.key("history").value(history_path);
  if (!history_error.empty()) w.key("history_error").value(history_error);
  w.end_object();
  return w.take();
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

namespace {

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::string fmt_ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Appends child output to run.log. Each stream's bytes are written up to
// their last newline at once; a partial line is held (at most 64 KiB, at
// most ~1 s) so that stdout and stderr lines never splice into each other.
class RunLog {
 public:
  Status open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status(StatusCode::kIoError, path + ": " + std::strerror(errno));
    return Status::Ok();
  }
  ~RunLog() {
    flush_all();
    if (fd_ >= 0) ::close(fd_);
  }
  void write(int stream, std::string_view bytes, double now) {
    std::string& pend = pending_[stream];
    auto nl = bytes.rfind('\n');
    if (nl == std::string_view::npos) {
      if (pend.empty()) since_[stream] = now;
      pend.append(bytes);
      if (pend.size() >= kMaxHold) flush(stream);
      return;
    }
    if (!pend.empty()) {
      pend.append(bytes.substr(0, nl + 1));
      write_all(pend);
      pend.clear();
    } else {
      write_all(bytes.substr(0, nl + 1));
    }
    if (nl + 1 < bytes.size()) {
      pend.assign(bytes.substr(nl + 1));
      since_[stream] = now;
    }
  }
  // Writes partial lines held longer than max_age_s.
  void flush_stale(double now, double max_age_s = 1.0) {
    for (int s = 0; s < 2; ++s)
      if (!pending_[s].empty() && now - since_[s] >= max_age_s) flush(s);
  }
  void flush_all() {
    for (int s = 0; s < 2; ++s) flush(s);
  }
  const std::string& error() const { return error_; }

 private:
  static constexpr std::size_t kMaxHold = 64 * 1024;
  void flush(int s) {
    if (pending_[s].empty()) return;
    write_all(pending_[s]);
    pending_[s].clear();
  }
  void write_all(std::string_view data) {
    if (fd_ < 0) return;
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (error_.empty()) error_ = std::string("run.log: ") + std::strerror(errno);
        return;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  int fd_ = -1;
  std::string pending_[2];
  double since_[2] = {0, 0};
  std::string error_;
};

// One followed log file.
struct TailedLog {
  std::string path;
  std::string label;
  FileTail tail;
  std::string last_error;
};

// An alert waiting for an operator's answer.
struct OpenQuestion {
  Alert alert;
  ResponseWatcher local;
  std::optional<ResponseWatcher> server;  // the server's alert id, once its POST returned
  bool asking = false;
};

// What run and watch share: the Monitor, inputs, sinks and operator answers.
class Core {
 public:
  Core(const SessionOptions& o, SessionReporter& rep) : opt_(o), rep_(rep) {}

  Status init(bool run_mode) {
    if (opt_.run_dir.empty()) return Status(StatusCode::kInvalidArgument, "no run directory");
    run_id_ = opt_.run_id.empty() ? fs::path(opt_.run_dir).lexically_normal().filename().string() : opt_.run_id;
    if (run_id_.empty() || run_id_ == "." || run_id_ == "..")
      run_id_ = fs::absolute(opt_.run_dir).lexically_normal().parent_path().filename().string();
    auto pb = load_playbook(opt_.playbook_path);
    if (!pb) return pb.status();
    std::vector<Status> errors;
    read_operator_options(pb->tree, &table_, &errors);
    ServerSinkOptions so;
    AlertmanagerSinkOptions ao;
    read_sink_options(pb->tree, &so, &ao, &errors);
    JudgeOptions jo;
    read_judge_options(pb->tree, &jo, &errors);
    if (!errors.empty()) return join_errors(errors);
    if (jo.enabled) judge_ = std::make_unique<Judge>(std::move(jo));
    gpu_ = pb->gpu;
    MonitorOptions mo;
    mo.run_id = run_id_;
    mo.command = opt_.command;
    mo.profile = opt_.profile;
    mo.history_path = opt_.history_path;
    history_off_ = opt_.history_path == "-" || !pb->history.enabled;
    history_path_ = history_off_ ? "" : opt_.history_path.empty() ? pb->history.path : opt_.history_path;
    mo.playbook = std::move(pb).value();
    monitor_ = std::make_unique<Monitor>(std::move(mo));
    if (!monitor_->log_status().ok()) rep_.notice("log scanning is off: " + monitor_->log_status().message());

    sinks_.add(make_file_sink(opt_.run_dir));
    if (!opt_.server_url.empty()) {
      auto token = read_auth_token(opt_.auth_token_file);
      if (!token) return token.status();
      so.url = opt_.server_url;
      so.run_id = opt_.server_run_id.empty() ? run_id_ : opt_.server_run_id;
      so.auth_token = *token;
      sinks_.add(make_server_sink(std::move(so)));
    }
    if (!opt_.alertmanager_url.empty()) {
      ao.url = opt_.alertmanager_url;
      ao.run_id = run_id_;
      sinks_.add(make_alertmanager_sink(std::move(ao)));
    }
    if (!opt_.metrics_path.empty()) {
      metrics_ = std::make_unique<MetricsReader>(opt_.metrics_path);
      metrics_path_ = opt_.metrics_path;
    }
    std::vector<std::string> patterns = opt_.logs;
    if (!run_mode && patterns.empty()) patterns.push_back("run.log");
    for (const auto& p : patterns) log_patterns_.push_back(p);
    return Status::Ok();
  }

  Monitor& monitor() { return *monitor_; }
  SinkSet& sinks() { return sinks_; }
  const ActionTable& table() const { return table_; }
  const GpuOptions& playbook_gpu() const { return gpu_; }
  const std::string& run_id() const { return run_id_; }
  bool history_off() const { return history_off_; }
  std::optional<std::string>& stop_request() { return stop_request_; }

  // Reads new metric rows and new log bytes. Returns true when a cap was hit
  // and more is waiting (the caller loops again without sleeping).
  bool poll_inputs(bool discover = true) {
    if (!metrics_ && discover) {
      auto found = discover_metrics(opt_.run_dir);
      if (found) {
        metrics_path_ = found->path;
        MetricsReaderOptions mo;
        mo.format = found->format;
        metrics_ = std::make_unique<MetricsReader>(found->path, mo);
        rep_.notice("metrics: " + found->path + (found->reason.empty() ? "" : " (" + found->reason + ")"));
      }
    }
    if (metrics_) {
      auto n = metrics_->poll([&](const MetricRow& row) { monitor_->observe(row); });
      if (n && *n > 0) new_rows_ += *n;
      if (!n) {
        if (n.status().message() != metrics_error_) rep_.notice("metrics: " + n.status().message());
        metrics_error_ = n.status().message();
      } else {
        metrics_error_.clear();
      }
      const auto& st = metrics_->stats();
      if (st.malformed != reported_malformed_) {
        rep_.notice("metrics: " + std::to_string(st.malformed) +
                    " malformed line(s) skipped; latest: " + st.last_error);
        reported_malformed_ = st.malformed;
      }
    }
    refresh_logs();
    bool more = false;
    for (auto& lg : logs_) {
      std::size_t budget = std::size_t{16} << 20;  // per file per pass: keep the loop responsive
      for (;;) {
        auto chunk = lg.tail.poll();
        if (!chunk) {
          if (chunk.status().message() != lg.last_error) rep_.notice("log: " + chunk.status().message());
          lg.last_error = chunk.status().message();
          break;
        }
        lg.last_error.clear();
        if (chunk->data.empty()) break;
        if (chunk->restarted && chunk->offset == 0 && lg.tail.restarts() > 0) monitor_->flush_log(lg.label);
        monitor_->feed_log(chunk->data, lg.label);
        count_lines(chunk->data);
        if (chunk->data.size() >= budget) {
          more = true;
          break;
        }
        budget -= chunk->data.size();
      }
    }
    return more;
  }

  void feed_output(std::string_view bytes, std::string_view source) {
    monitor_->feed_log(bytes, source);
    count_lines(bytes);
  }

  void flush_logs(std::initializer_list<std::string_view> extra) {
    for (auto& lg : logs_) monitor_->flush_log(lg.label);
    for (auto s : extra) monitor_->flush_log(s);
  }

  // Ticks the monitor and routes what it found; polls operator answers.
  void tick(double wall) {
    TickResult r = monitor_->tick(wall);
    track_active(r);
    route(std::move(r), wall);
    consult_judge(wall);
    poll_answers();
  }

  // Ticks until nothing new surfaces (one decision per tick), at the end.
  void drain_decisions(double wall) {
    for (int i = 0; i < 64; ++i) {
      TickResult r = monitor_->tick(wall);
      bool any = r.alert.has_value();
      track_active(r);
      route(std::move(r), wall);
      if (!any) break;
    }
    poll_answers();
  }

  // The TTY: one line typed by the operator.
  void tty_line(const std::string& line) {
    OpenQuestion* q = current_prompt();
    if (!q) return;
    std::string text(detail::trim(line));
    if (text.empty()) return;
    const auto& choices = q->alert.decision.choices;
    if (text.size() <= 2 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::size_t k = static_cast<std::size_t>(std::stoi(text));
      if (k >= 1 && k <= choices.size()) text = choices[k - 1];
    }
    OperatorAnswer a = match_answer(text, choices, table_);
    if (!a.valid) {
      rep_.notice("'" + text + "' is not one of: " + join_choices(choices));
      return;
    }
    apply_answer(*q, a.choice, a.action, "tty");
    erase_question(q);
    if (OpenQuestion* next = current_prompt()) rep_.alert(next->alert, next->local.path(), true);
  }

  bool prompting() const {
    return opt_.prompt_fd >= 0 && std::any_of(open_.begin(), open_.end(), [](const auto& q) { return q.asking; });
  }

  // A decision from outside the Monitor's own inputs (the GPU gate's alert).
  void count_external_alert(const Alert& a) {
    ++external_alerts_;
    external_by_syndrome_[a.decision.syndrome]++;
    note_severity(a.decision.severity);
  }

  void fill_summary(SessionSummary* s, double wall) {
    const MonitorStats& st = monitor_->stats();
    s->rows = st.rows;
    s->malformed_rows = metrics_ ? metrics_->stats().malformed : 0;
    s->lines = lines_;
    s->log_bytes = bytes_;
    s->alerts = st.alerts + external_alerts_;
    s->max_severity = max_severity_;
    auto counts = monitor_->syndrome_counts();
    for (const auto& [k, v] : external_by_syndrome_) counts.emplace_back(k, v);
    std::sort(counts.begin(), counts.end());
    s->by_syndrome = std::move(counts);
    s->profile = std::string(to_string(monitor_->profile()));
    const Baseline& b = monitor_->baseline();
    if (b.empty()) {
      s->baseline = "none (no finished runs of this command in the history yet)";
    } else {
      std::string t = std::to_string(b.runs) + " earlier run" + (b.runs == 1 ? "" : "s");
      if (b.throughput) {
        auto tp = monitor_->latest(Role::kThroughput);
        t += tp && *b.throughput > 0 ? ", throughput " + fmt_ratio(*tp / *b.throughput) + "x of baseline"
                                     : ", baseline throughput " + fmt_ratio(*b.throughput);
      }
      if (b.val_accuracy_best) {
        auto acc = monitor_->latest(Role::kValAccuracy);
        t += ", val_accuracy " + (acc ? fmt_ratio(*acc) : std::string("-")) + " vs best " +
             fmt_ratio(*b.val_accuracy_best);
      }
      s->baseline = t;
    }
    s->metrics_path = metrics_path_;
    s->monitor_note = monitor_->snapshot(wall).monitor_note;
    s->run_dir = opt_.run_dir;
    s->run_id = run_id_;
    s->history_path = history_path_;
  }

 private:
  static std::string join_choices(const std::vector<std::string>& choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + std::to_string(i + 1) + ") " + choices[i];
    return out;
  }

  // Signatures alerted and not yet resolved: the judge only runs when the
  // rules have nothing open.
  void track_active(const TickResult& r) {
    if (r.alert) active_.insert(r.alert->decision.signature);
    for (const auto& res : r.resolved) active_.erase(res.signature);
  }

  // The LLM judge (playbook `judge:`, off by default): a verdict it returned
  // becomes a decision like any other; a new question is asked only when new
  // rows arrived, the rules found nothing and the judge's interval passed.
  void consult_judge(double wall) {
    if (!judge_) return;
    if (auto d = judge_->poll()) monitor_->add_decision(std::move(*d));
    if (!judge_->due(wall, new_rows_ > 0, !active_.empty())) return;
    JudgeContext ctx;
    ctx.run_id = run_id_;
    ctx.profile = std::string(to_string(monitor_->profile()));
    ctx.summary_json = monitor_->snapshot(wall).monitoring_json;
    for (const auto& [k, v] : monitor_->syndrome_counts()) ctx.syndrome_counts.emplace_back(k, static_cast<int>(v));
    for (auto line : detail::split(recent_output_, '\n'))
      if (!detail::trim(line).empty()) ctx.recent_log_lines.emplace_back(line);
    judge_->submit(std::move(ctx), wall);
    new_rows_ = 0;
  }

  void count_lines(std::string_view bytes) {
    // The tail of the output, for the judge's context (bounded, cut at a line start).
    if (judge_) {
      recent_output_.append(bytes.substr(bytes.size() > kRecentOutput ? bytes.size() - kRecentOutput : 0));
      if (recent_output_.size() > 2 * kRecentOutput) {
        std::size_t cut = recent_output_.find('\n', recent_output_.size() - kRecentOutput);
        recent_output_.erase(0, cut == std::string::npos ? recent_output_.size() - kRecentOutput : cut + 1);
      }
    }
    bytes_ += bytes.size();
    lines_ += static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  }

  void note_severity(Severity s) {
    if (!max_severity_ || s > *max_severity_) max_severity_ = s;
  }

  void refresh_logs() {
    for (const auto& pattern : log_patterns_) {
      for (auto& path : expand_log_pattern(pattern, opt_.run_dir)) {
        if (std::any_of(logs_.begin(), logs_.end(), [&](const TailedLog& l) { return l.path == path; })) continue;
        if (logs_.size() >= 256) break;  // bounded: one tail per file, at most 256 files
        std::string label = path;
        std::error_code ec;
        fs::path rel = fs::path(path).lexically_relative(opt_.run_dir);
        if (!rel.empty() && rel.native().rfind("..", 0) != 0) label = rel.string();
        logs_.push_back(TailedLog{path, label, FileTail(path), {}});
        if (fs::exists(path, ec)) rep_.notice("log: following " + path);
      }
    }
  }

  bool has_stop_choice(const Decision& d) const {
    return std::any_of(d.choices.begin(), d.choices.end(),
                       [&](const std::string& c) { return table_.action_for(c) == Action::kStop; });
  }

  void route(TickResult r, double wall) {
    (void)wall;
    if (r.alert) on_alert(std::move(*r.alert));
    for (const auto& res : r.resolved) {
      sinks_.on_resolved(res);
      rep_.resolved(res);
      // A cleared condition needs no answer any more.
      open_.erase(std::remove_if(open_.begin(), open_.end(),
                                 [&](const OpenQuestion& q) { return q.alert.id == res.alert_id && !q.asking; }),
                  open_.end());
    }
    if (r.snapshot) {
      sinks_.on_snapshot(*r.snapshot);
      rep_.snapshot(*r.snapshot);
    }
  }

  void on_alert(Alert a) {
    note_severity(a.decision.severity);
    sinks_.on_alert(a);
    const Decision& d = a.decision;
    std::string path = response_path(opt_.run_dir, a.id);
    if (opt_.stop_on && d.severity >= *opt_.stop_on) {
      rep_.alert(a, path, false);
      request_stop(a, "--stop-on " + std::string(to_string(*opt_.stop_on)));
      return;
    }
    if (opt_.on_alert == OnAlert::kStop && has_stop_choice(d)) {
      rep_.alert(a, path, false);
      request_stop(a, "--on-alert stop");
      return;
    }
    if (d.choices.empty()) {
      rep_.alert(a, path, false);
      return;
    }
    bool asking = opt_.on_alert == OnAlert::kAsk;
    bool prompt_now = asking && opt_.prompt_fd >= 0 && !prompting();
    OpenQuestion q{a, ResponseWatcher(opt_.run_dir, a.id, d.choices, table_), std::nullopt, asking};
    open_.push_back(std::move(q));
    if (open_.size() > kMaxOpen) open_.pop_front();
    // Only one question is prompted on the TTY at a time; the others wait for
    // files (and are prompted in turn).
    rep_.alert(a, path, asking && (opt_.prompt_fd < 0 || prompt_now));
  }

  void request_stop(const Alert& a, const std::string& why) {
    std::string choice = "Stop Job";
    for (const auto& c : a.decision.choices)
      if (table_.action_for(c) == Action::kStop) choice = c;
    rep_.answered(a, choice, Action::kStop, "policy");
    if (!stop_request_) stop_request_ = why + " (" + a.decision.syndrome + ")";
  }

  void apply_answer(const OpenQuestion& q, const std::string& choice, Action action, std::string_view by) {
    rep_.answered(q.alert, choice, action, by);
    if (action == Action::kStop && !stop_request_)
      stop_request_ = "operator answered '" + choice + "' (" + std::string(by) + ") to " + q.alert.decision.syndrome;
  }

  OpenQuestion* current_prompt() {
    if (opt_.prompt_fd < 0) return nullptr;
    for (auto& q : open_)
      if (q.asking) return &q;
    return nullptr;
  }

  void erase_question(const OpenQuestion* q) {
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (&*it == q) {
        open_.erase(it);
        return;
      }
  }

  void poll_answers() {
    bool prompted_gone = false;
    for (auto it = open_.begin(); it != open_.end();) {
      if (!it->server) {
        if (auto sid = sinks_.server_alert_id(it->alert.id); sid && *sid != it->alert.id)
          it->server.emplace(opt_.run_dir, *sid, it->alert.decision.choices, table_);
      }
      std::optional<OperatorAnswer> a = it->local.poll();
      std::string_view by = "response_file";
      if (!a && it->server) {
        a = it->server->poll();
        by = "server";
      }
      if (!a) {
        ++it;
        continue;
      }
      if (!a->problem.empty()) rep_.notice(a->problem);
      if (&*it == current_prompt()) prompted_gone = true;
      apply_answer(*it, a->choice, a->action, by);
      it = open_.erase(it);
    }
    if (prompted_gone)
      if (OpenQuestion* next = current_prompt()) rep_.alert(next->alert, next->local.path(), true);
  }

  static constexpr std::size_t kMaxOpen = 64;
  static constexpr std::size_t kRecentOutput = 4096;

  const SessionOptions& opt_;
  SessionReporter& rep_;
  std::string run_id_;
  ActionTable table_;
  GpuOptions gpu_;
  bool history_off_ = false;
  std::string history_path_;
  std::unique_ptr<Monitor> monitor_;
  SinkSet sinks_;
  std::unique_ptr<MetricsReader> metrics_;
  std::string metrics_path_;
  std::string metrics_error_;
  std::uint64_t reported_malformed_ = 0;
  std::vector<std::string> log_patterns_;
  std::deque<TailedLog> logs_;
  std::deque<OpenQuestion> open_;
  std::optional<std::string> stop_request_;
  std::uint64_t lines_ = 0;
  std::uint64_t bytes_ = 0;
  std::optional<Severity> max_severity_;
  std::uint64_t external_alerts_ = 0;
  std::map<std::string, std::uint64_t> external_by_syndrome_;
  std::unique_ptr<Judge> judge_;
  std::set<std::string> active_;
  std::uint64_t new_rows_ = 0;
  std::string recent_output_;
};

int poll_timeout_ms(double seconds) {
  if (seconds <= 0) return 0;
  return static_cast<int>(std::min(seconds, 60.0) * 1000.0) + 1;
}

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kIoError, dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Status check_session_sections(const Value& tree) {
  std::vector<Status> errors;
  ActionTable table;
  read_operator_options(tree, &table, &errors);
  ServerSinkOptions so;
  AlertmanagerSinkOptions ao;
  read_sink_options(tree, &so, &ao, &errors);
  JudgeOptions jo;
  read_judge_options(tree, &jo, &errors);
  return join_errors(errors);
}

Result<SessionSummary> run_session(const RunOptions& options, SessionReporter& reporter, SignalPipe* signals) {
  if (options.argv.empty()) return Status(StatusCode::kInvalidArgument, "no command to run (put it after --)");
  if (auto st = make_dirs(options.run_dir); !st.ok()) return st;
  RunOptions opt = options;
  // The command as a shell would read it (profile hints, GPU request, fingerprint):
  // with --shell the words are shell text already.
  auto raw_join = [](const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
  };
  if (opt.command.empty()) opt.command = opt.shell ? raw_join(opt.argv) : join_command(opt.argv);
  const std::string abs_run_dir = fs::absolute(opt.run_dir).lexically_normal().string();
  const std::string metrics_file = opt.metrics_path.empty() ? (fs::path(abs_run_dir) / "metrics.jsonl").string()
                                                            : fs::absolute(opt.metrics_path).string();
  // Without --metrics the Core discovers the file (metrics.jsonl first, then
  // W&B, Lightning, SB3), so a job that writes another format is still followed.

  Core core(opt, reporter);
  if (auto st = core.init(true); !st.ok()) return st;
  const double t0 = monotonic_seconds();
  SessionSummary summary;
  Monitor& mon = core.monitor();
  SinkSet& sinks = core.sinks();

  auto finish = [&](const std::string& status, std::optional<int> exit_status, std::string error) {
    double wall = wall_seconds();
    core.drain_decisions(wall);
    summary.status = status;
    summary.error = std::move(error);
    summary.duration_s = monotonic_seconds() - t0;
    if (!core.history_off()) {
      Status hs = mon.finish(status, wall, exit_status);
      summary.history_written = hs.ok();
      if (!hs.ok()) summary.history_error = hs.message();
    }
    sinks.on_finish(RunEnd{status, exit_status, summary.error});
    sinks.close(opt.sink_close_timeout_s);
    core.fill_summary(&summary, wall);
    reporter.summary(summary);
    return summary;
  };

  // Prompts read from the operator's TTY, shared with the GPU gate.
  FdLineReader tty(opt.prompt_fd);

  // GPU preflight, before anything is launched.
  if (opt.preflight) {
    GpuOptions gpu = opt.gpu;
    DeviceRequest req = parse_requested_devices(opt.command, current_environment());
    if (!req.specified || req.devices.empty()) {
      PreflightResult skipped;
      skipped.skipped = true;
      skipped.available = true;
      skipped.reason = req.specified ? "no GPU requested (CUDA_VISIBLE_DEVICES=" + req.value + ")"
                                     : "no GPU requested (CUDA_VISIBLE_DEVICES is not set)";
      reporter.preflight(skipped, true);
    } else {
      OnTimeout on_timeout = opt.gpu_on_timeout.value_or(opt.on_alert == OnAlert::kStop       ? OnTimeout::kStop
                                                         : opt.on_alert == OnAlert::kContinue ? OnTimeout::kContinue
                                                                                              : OnTimeout::kAsk);
      GateChannels ch;
      ch.run_dir = opt.run_dir;
      ch.run_id = core.run_id();
      ch.emit_alert = [&](const Alert& a) {
        sinks.on_alert(a);
        core.count_external_alert(a);
        reporter.alert(a, response_path(opt.run_dir, a.id), true);
        return std::string();
      };
      if (opt.prompt_fd >= 0)
        ch.other_answer = [&]() -> std::optional<std::string> {
          auto line = tty.poll();
          if (!line) return std::nullopt;
          std::string t(detail::trim(*line));
          if (t == "1") return std::string("Continue Anyway");
          if (t == "2") return std::string("Stop Job");
          return t;
        };
      auto r = run_gpu_gate(req, gpu, on_timeout, core.table(), ch,
                            [&](const PreflightResult& p) { reporter.preflight(p, false); });
      if (!r) {
        sinks.close(opt.sink_close_timeout_s);
        return Status(r.status().code(), "GPU preflight: " + r.status().message());
      }
      reporter.preflight(*r, true);
      if (!r->proceed && !r->skipped && !r->available) {
        summary.stopped_by = "GPU preflight: " + (r->decision.empty() ? std::string("GPUs busy") : r->decision) +
                             (r->decided_by.empty() ? "" : " (" + r->decided_by + ")");
        summary.exit_status = kExitStoppedBySidecar;
        return finish("stopped", std::nullopt, "requested GPUs busy: " + to_text(*r));
      }
    }
  }

  // Launch.
  LaunchOptions lo;
  if (opt.shell)
    lo.argv = {"/bin/sh", "-c", raw_join(opt.argv)};
  else
    lo.argv = opt.argv;
  lo.cwd = opt.cwd;
  lo.env = {"SIDECAR_RUN_DIR=" + abs_run_dir, "SIDECAR_METRICS_FILE=" + metrics_file,
            "SIDECAR_RUN_ID=" + core.run_id()};
  // Python buffers a pipe's output in 8 KiB blocks: ask it not to, so alerts
  // and run.log follow the run as it happens (a user's own setting wins).
  if (!std::getenv("PYTHONUNBUFFERED")) lo.env.push_back("PYTHONUNBUFFERED=1");
  if (opt.adopt_orphans) become_subreaper();

  RunLog runlog;
  if (auto st = runlog.open((fs::path(opt.run_dir) / "run.log").string()); !st.ok()) return st;
  auto child_r = ChildProcess::launch(lo);
  if (!child_r) {
    const Status& st = child_r.status();
    summary.exit_status = st.code() == StatusCode::kNotFound ? 127 : 126;
    std::string msg = "cannot run " + lo.argv[0] + ": " + st.message();
    reporter.notice(msg);
    return finish("failed", summary.exit_status, msg);
  }
  ChildProcess child = std::move(child_r).value();
  sinks.on_status("running");
  reporter.notice("started " + opt.command + " (pid " + std::to_string(child.pid()) + ") in " + opt.run_dir);

  std::string buf;
  double next_tick = monotonic_seconds();
  std::optional<double> drain_until;       // set once the child has exited
  double force_kill_at = -1;               // < 0: none (an interrupt's SIGKILL deadline)
  std::optional<std::string> interrupted;  // a signal the user sent us
  bool stop_sent = false;
  int interrupts = 0;
  bool more_input = false;
  bool sigchld = false;

  auto handle_output = [&](int fd, bool is_err, double now) {
    // Bounded work per wake-up: a flood on one pipe cannot starve the other,
    // the timer or signals.
    for (int i = 0; i < 16; ++i) {
      if (!child.read_available(fd, &buf)) {
        mon.flush_log(is_err ? "stderr" : "stdout");
        return;
      }
      if (buf.empty()) return;
      reporter.output(buf, is_err);
      runlog.write(is_err ? 1 : 0, buf, now);
      core.feed_output(buf, is_err ? "stderr" : "stdout");
    }
  };

  for (;;) {
    double now = monotonic_seconds();
    // Timers.
    if (more_input && now < next_tick) more_input = core.poll_inputs();
    if (now >= next_tick) {
      more_input = core.poll_inputs();
      core.tick(wall_seconds());
      runlog.flush_stale(now);
      next_tick = now + std::clamp(opt.interval_s, 0.05, 1.0);
      if (core.stop_request() && !stop_sent) {
        stop_sent = true;
        summary.stopped_by = *core.stop_request();
        reporter.notice("stopping the run: " + summary.stopped_by + "; SIGTERM to process group " +
                        std::to_string(child.pid()) + ", SIGKILL after " + fmt_ratio(opt.grace_s) + " s");
        child.terminate_group(opt.grace_s, now);
      }
      if (child.poll_exit() && !drain_until) drain_until = now + opt.drain_s;
      // Adopted orphans that exited: reaped on SIGCHLD (each tick without a signal pipe).
      if (opt.adopt_orphans && (sigchld || !signals)) reap_adopted(child.pid(), false);
      sigchld = false;
    }
    child.poll_kill(now);
    if (force_kill_at >= 0 && now >= force_kill_at) {
      child.signal_group(SIGKILL);
      force_kill_at = -1;
    }
    if (child.poll_exit() && !drain_until) drain_until = now + opt.drain_s;
    if (drain_until && now >= *drain_until && (child.out_fd() >= 0 || child.err_fd() >= 0)) {
      // The command exited but something still holds its pipes.
      if (child.group_alive() && !child.terminating()) {
        reporter.notice("the command exited but processes of its group are still running; stopping them");
        child.terminate_group(opt.grace_s, now);
      } else if (!child.group_alive()) {
        child.close_pipes();  // an escaped process holds them; reap_adopted ends it below
      }
    }
    if (child.exit_info() && child.out_fd() < 0 && child.err_fd() < 0) {
      if (!child.group_alive()) break;
      if (!child.terminating()) {
        reporter.notice("the command exited but processes of its group are still running; stopping them");
        child.terminate_group(opt.grace_s, now);
      }
    }

    // Wait for output, signals, the TTY or the next timer.
    pollfd fds[4];
    int n = 0;
    int i_out = -1, i_err = -1, i_sig = -1, i_tty = -1;
    if (child.out_fd() >= 0) i_out = n, fds[n++] = {child.out_fd(), POLLIN, 0};
    if (child.err_fd() >= 0) i_err = n, fds[n++] = {child.err_fd(), POLLIN, 0};
    if (signals && signals->ok()) i_sig = n, fds[n++] = {signals->fd(), POLLIN, 0};
    if (core.prompting() && !tty.eof()) i_tty = n, fds[n++] = {opt.prompt_fd, POLLIN, 0};
    double wait = next_tick - now;
    if (auto k = child.poll_kill(now)) wait = std::min(wait, *k);
    if (force_kill_at >= 0) wait = std::min(wait, force_kill_at - now);
    if (drain_until) wait = std::min(wait, std::max(0.0, *drain_until - now) + 0.01);
    if (more_input) wait = 0;
    if (child.exit_info() && i_out < 0 && i_err < 0) wait = std::min(wait, 0.05);  // waiting for the group to go
    int r = ::poll(fds, static_cast<nfds_t>(n), poll_timeout_ms(wait));
    if (r < 0 && errno != EINTR) break;
    now = monotonic_seconds();
    if (r <= 0) continue;
    if (i_out >= 0 && (fds[i_out].revents & (POLLIN | POLLHUP | POLLERR))) handle_output(child.out_fd(), false, now);
    if (i_err >= 0 && (fds[i_err].revents & (POLLIN | POLLHUP | POLLERR))) handle_output(child.err_fd(), true, now);
    if (i_tty >= 0 && (fds[i_tty].revents & (POLLIN | POLLHUP))) {
      while (auto line = tty.poll()) core.tty_line(*line);
      if (core.stop_request() && !stop_sent) next_tick = now;  // act on it now
    }
    if (i_sig >= 0 && (fds[i_sig].revents & POLLIN)) {
      for (int sig : signals->drain()) {
        if (sig == SIGCHLD) {
          sigchld = true;
          if (child.poll_exit() && !drain_until) drain_until = now + opt.drain_s;
          continue;
        }
        ++interrupts;
        if (!interrupted) interrupted = signal_name(sig);
        if (interrupts == 1) {
          int fwd = sig == SIGHUP ? SIGTERM : sig;
          reporter.notice("received " + signal_name(sig) + ": forwarding it to the run; " + "SIGKILL after " +
                          fmt_ratio(opt.grace_s) + " s (again to kill now)");
          child.signal_group(fwd);
          child.signal_group(SIGCONT);
          force_kill_at = now + opt.grace_s;
        } else {
          reporter.notice("received " + signal_name(sig) + " again: killing the run");
          child.signal_group(SIGKILL);
          force_kill_at = -1;
        }
      }
    }
  }

  // Finalise: what is left in the pipes, then the last metrics and log lines.
  runlog.flush_all();
  ExitInfo exit = child.exit_info().value_or(ExitInfo{});
  summary.exit = exit;
  if (opt.adopt_orphans) reap_adopted(child.pid(), true);
  core.poll_inputs();
  core.flush_logs({"stdout", "stderr"});
  core.tick(wall_seconds());
  std::string status;
  std::string error;
  if (!summary.stopped_by.empty()) {
    status = "stopped";
    summary.exit_status = kExitStoppedBySidecar;
    error = "stopped by sidecar: " + summary.stopped_by;
  } else if (interrupted) {
    status = "killed";
    summary.exit_status = exit.shell_status();
    error = "interrupted (" + *interrupted + "), " + exit.describe();
  } else if (exit.term_signal != 0) {
    status = "killed";
    summary.exit_status = exit.shell_status();
    error = exit.describe();
  } else {
    status = exit.exit_code == 0 ? "finished" : "failed";
    summary.exit_status = exit.exit_code;
    if (exit.exit_code != 0) error = exit.describe();
  }
  if (!runlog.error().empty()) reporter.notice(runlog.error());
  return finish(status, exit.shell_status(), error);
}

Result<SessionSummary> watch_session(const WatchOptions& options, SessionReporter& reporter, SignalPipe* signals) {
  std::error_code ec;
  if (options.run_dir.empty() || !fs::is_directory(options.run_dir, ec))
    return Status(StatusCode::kNotFound, options.run_dir + ": no such run directory");
  WatchOptions opt = options;
  Core core(opt, reporter);
  if (auto st = core.init(false); !st.ok()) return st;
  const double t0 = monotonic_seconds();
  SessionSummary summary;

  if (opt.once) {
    while (core.poll_inputs()) {
    }
    core.flush_logs({});
    core.drain_decisions(wall_seconds());
  } else {
    core.sinks().on_status("running");
    double next_tick = monotonic_seconds();
    bool more = false;
    bool stop = false;
    while (!stop) {
      double now = monotonic_seconds();
      if (now >= next_tick || more) {
        more = core.poll_inputs();
        core.tick(wall_seconds());
        next_tick = now + std::clamp(opt.interval_s, 0.05, 60.0);
      }
      pollfd fds[1];
      int n = 0;
      if (signals && signals->ok()) fds[n++] = {signals->fd(), POLLIN, 0};
      int r = ::poll(fds, static_cast<nfds_t>(n), more ? 0 : poll_timeout_ms(next_tick - monotonic_seconds()));
      if (r > 0 && n > 0 && (fds[0].revents & POLLIN))
        for (int sig : signals->drain())
          if (sig != SIGCHLD) stop = true;
    }
    core.poll_inputs();
    core.flush_logs({});
    core.drain_decisions(wall_seconds());
  }
  summary.status = "watched";
  summary.duration_s = monotonic_seconds() - t0;
  core.sinks().close(opt.sink_close_timeout_s);
  core.fill_summary(&summary, wall_seconds());
  reporter.summary(summary);
  return summary;
}

}  // namespace sidecar
