// watch_session: follow a run directory written by a job started elsewhere,
// through the same pipeline as run (and replay).
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "session_core.h"
#include "session_wiring.h"
#include "sidecar/lost_runs.h"
#include "sidecar/session.h"
#include "sidecar/sinks.h"

namespace sidecar {
namespace fs = std::filesystem;

namespace {

// Reads what exists (bounded passes until nothing more is waiting).
void read_all(detail::SessionCore& core) {
  core.pipeline->advance(wall_seconds());
  while (core.inputs->poll(*core.pipeline)) core.pipeline->advance(wall_seconds());
}

// Follows until SIGINT/SIGTERM: one bounded read and one tick per interval.
// A run that has ended (finished, lost, ...) is not announced as running.
void follow(detail::SessionCore& core, const WatchOptions& opt, SignalPipe* signals, SessionReporter& rep, bool ended) {
  if (!ended) core.pipeline->sinks().on_status("running");
  double next_tick = monotonic_seconds();
  bool more = false;
  bool stop = false;
  while (!stop) {
    double now = monotonic_seconds();
    if (now >= next_tick || more) {
      core.pipeline->advance(wall_seconds());
      more = core.inputs->poll(*core.pipeline);
      if (now >= next_tick) {
        core.pipeline->tick(wall_seconds());
        detail::update_prometheus(core);
        detail::report_sink_notices(core, rep);
        next_tick = now + std::clamp(opt.interval_s, 0.05, 60.0);
      }
    }
    pollfd fds[1];
    int n = 0;
    if (signals && signals->ok()) fds[n++] = {signals->fd(), POLLIN, 0};
    int r = ::poll(fds, static_cast<nfds_t>(n), more ? 0 : detail::poll_timeout_ms(next_tick - monotonic_seconds()));
    if (r > 0 && n > 0 && (fds[0].revents & POLLIN))
      for (int sig : signals->drain())
        if (sig != SIGCHLD) stop = true;
  }
}

}  // namespace

Result<SessionSummary> watch_session(const WatchOptions& options, SessionReporter& reporter, SignalPipe* signals) {
  std::error_code ec;
  if (options.run_dir.empty() || !fs::is_directory(options.run_dir, ec))
    return Status(StatusCode::kNotFound, options.run_dir + ": no such run directory");
  std::vector<std::string> patterns = options.logs;
  if (patterns.empty()) patterns.push_back("run.log");
  // A run whose supervisor vanished says "running" forever: marked lost first.
  if (auto lost = mark_lost_run(options.run_dir); !lost)
    reporter.notice(lost.status().message());
  else if (!lost->empty())
    reporter.notice(*lost);
  // `watch --once` on a run that has ended reads it without touching its
  // records (no duplicate alerts, status.json keeps the final state).
  // Following it (a lost run's job may go on) records its alerts, but its
  // status.json keeps the final state: watch is not its supervisor.
  const bool ended = detail::run_has_ended(options.run_dir);
  bool records = !(options.once && ended);
  if (!records) reporter.notice("the run has ended: reading it without writing its records");
  if (records && ended) reporter.notice("the run has ended: following it, its status.json is left as it is");
  // The status.json watch writes keeps naming a live run's own supervisor.
  auto sup = run_supervisor(options.run_dir);
  auto opened = detail::open_session(options, reporter, std::move(patterns), records, sup ? supervisor_json(*sup) : "",
                                     /*write_status=*/!ended);
  if (!opened) return opened.status();
  detail::SessionCore core = std::move(opened).value();
  if (!core.history_off) {  // runs of this history whose supervisor vanished: their rows, as lost
    auto reaped = reap_lost_runs(core.history_path, core.history_options);
    if (!reaped) reporter.notice(reaped.status().message());
    for (const auto& line : reaped ? *reaped : std::vector<std::string>{}) reporter.notice(line);
  }
  const double t0 = monotonic_seconds();
  if (options.once)
    read_all(core);
  else
    follow(core, options, signals, reporter, ended);
  read_all(core);
  core.inputs->flush(*core.pipeline);
  core.pipeline->drain(wall_seconds());
  SessionSummary summary;
  summary.status = "watched";
  summary.duration_s = monotonic_seconds() - t0;
  // A watched run's status belongs to its own launcher: close the sinks
  // without posting a terminal status or writing a history row.
  core.pipeline->sinks().close(options.sink_close_timeout_s);
  detail::report_sink_notices(core, reporter);
  detail::fill_summary(core, options, wall_seconds(), &summary);
  reporter.summary(summary);
  return summary;
}

}  // namespace sidecar
