// run_session / watch_session through the library, with a recording reporter.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "sidecar/config.h"
#include "sidecar/session.h"

namespace fs = std::filesystem;
using sidecar::test::TempDir;

namespace {

struct Recorder : sidecar::SessionReporter {
  std::string out, err;
  std::vector<sidecar::Alert> alerts;
  std::vector<std::string> notices;
  std::optional<sidecar::SessionSummary> summary_;
  void output(std::string_view b, bool from_stderr) override { (from_stderr ? err : out) += b; }
  void alert(const sidecar::Alert& a, const std::string&, bool) override { alerts.push_back(a); }
  void notice(std::string_view t) override { notices.emplace_back(t); }
  void summary(const sidecar::SessionSummary& s) override { summary_ = s; }
};

// A run of `argv` with its run directory at dir/run, no preflight, no history.
sidecar::RunOptions run_options(const fs::path& dir, std::vector<std::string> argv) {
  sidecar::RunOptions o;
  o.run_dir = (dir / "run").string();
  o.history_path = "-";
  o.argv = std::move(argv);
  o.preflight = false;
  return o;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("parse_on_alert", "[run][session]") {
  CHECK(sidecar::parse_on_alert("ask") == sidecar::OnAlert::kAsk);
  CHECK(sidecar::parse_on_alert(" Continue ") == sidecar::OnAlert::kContinue);
  CHECK(sidecar::parse_on_alert("stop") == sidecar::OnAlert::kStop);
  CHECK_FALSE(sidecar::parse_on_alert("maybe"));
}

TEST_CASE("run_session tees output, scans it, and passes the exit code through", "[run][session]") {
  TempDir dir("run-basic");
  auto o = run_options(
      dir.path,
      {"sh", "-c", "echo hello; echo 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB' >&2; exit 5"});
  o.history_path = (dir.path / "history.jsonl").string();
  o.on_alert = sidecar::OnAlert::kContinue;
  o.interval_s = 0.05;
  Recorder rec;
  auto s = sidecar::run_session(o, rec, nullptr);
  REQUIRE(s.ok());
  CHECK(s->exit_status == 5);
  CHECK(s->status == "failed");
  CHECK(rec.out == "hello\n");
  CHECK(rec.err.find("CUDA out of memory") != std::string::npos);
  REQUIRE_FALSE(rec.alerts.empty());
  CHECK(rec.alerts[0].decision.syndrome == "cuda_oom");
  CHECK(s->history_written);
  CHECK(s->lines == 2);
  REQUIRE(rec.summary_);
  // The summary record is valid JSON with the fields the docs promise.
  auto j = sidecar::parse_json(s->to_json());
  REQUIRE(j.ok());
  CHECK(j->find("type")->str == "summary");
  CHECK(j->find("exit_code")->number == 5);
  CHECK(j->find("by_syndrome")->find("cuda_oom")->number == 1);
  CHECK(j->find("max_severity")->str == "critical");
  CHECK(j->find("duration_s")->as_number().has_value());
  CHECK(read_file(dir.path / "run" / "run.log").find("hello\n") != std::string::npos);
}

TEST_CASE("run_session reports a missing program as 127 and still finalises", "[run][session]") {
  TempDir dir("run-missing");
  auto o = run_options(dir.path, {"/nonexistent/sidecar-nope"});
  Recorder rec;
  auto s = sidecar::run_session(o, rec, nullptr);
  REQUIRE(s.ok());
  CHECK(s->exit_status == 127);
  CHECK(s->status == "failed");
  CHECK_FALSE(s->history_written);  // history "-" is off
}

TEST_CASE("run_session --stop-on stops the run with the distinct exit status", "[run][session]") {
  TempDir dir("run-stop");
  auto o = run_options(dir.path, {"sh", "-c", "echo 'Segmentation fault (core dumped)'; sleep 30"});
  o.stop_on = sidecar::Severity::kCritical;
  o.grace_s = 0.2;
  o.interval_s = 0.05;
  Recorder rec;
  auto s = sidecar::run_session(o, rec, nullptr);
  REQUIRE(s.ok());
  CHECK(s->exit_status == sidecar::kExitStoppedBySidecar);
  CHECK(s->status == "stopped");
  CHECK(s->stopped_by.find("--stop-on critical") != std::string::npos);
  REQUIRE(s->exit);
  CHECK(s->exit->term_signal != 0);
}

TEST_CASE("watch_session --once and expand_log_pattern", "[run][session]") {
  TempDir dir("run-watch");
  fs::create_directories(dir.path / "logs");
  std::ofstream(dir.path / "logs" / "rank0.log") << "ok\n";
  std::ofstream(dir.path / "logs" / "rank1.log") << "Segmentation fault\n";
  auto files = sidecar::expand_log_pattern("logs/rank*.log", dir.str());
  REQUIRE(files.size() == 2);
  CHECK(files[0] == (dir.path / "logs" / "rank0.log").string());
  CHECK(sidecar::expand_log_pattern("late.log", dir.str()) ==
        std::vector<std::string>{(dir.path / "late.log").string()});

  sidecar::WatchOptions o;
  o.run_dir = dir.str();
  o.history_path = "-";
  o.logs = {"logs/rank*.log"};
  o.once = true;
  Recorder rec;
  auto s = sidecar::watch_session(o, rec, nullptr);
  REQUIRE(s.ok());
  REQUIRE(s->max_severity);
  CHECK(*s->max_severity == sidecar::Severity::kCritical);
  REQUIRE(rec.alerts.size() == 1);
  CHECK(rec.alerts[0].decision.syndrome == "segfault");

  o.run_dir = (dir.path / "nope").string();
  CHECK(sidecar::watch_session(o, rec, nullptr).status().code() == sidecar::StatusCode::kNotFound);
}
