// Tests for discover_metrics_sources (several sources, run dir + working
// directory, newest first, with reasons), the "no metric row" line and the
// key report.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "sidecar/key_report.h"
#include "sidecar/metrics.h"

namespace fs = std::filesystem;
using sidecar::MetricsFormat;
using sidecar::test::TempDir;

namespace {

void touch(const fs::path& p, const std::string& text = "x\n", int age_s = 0) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::seconds(age_s));
}

const sidecar::DiscoveredSource* find(const std::vector<sidecar::DiscoveredSource>& v, const fs::path& p) {
  for (const auto& s : v)
    if (s.path == p.string()) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("discover_metrics_sources: the usual places, newest first, with reasons", "[metrics][discover]") {
  TempDir run("run");
  TempDir work("work");
  const fs::path r = run.path;
  const fs::path w = work.path;
  touch(r / "lightning_logs" / "version_0" / "metrics.csv", "a\n", 500);
  touch(r / "lightning_logs" / "version_2" / "metrics.csv", "a\n", 400);
  touch(r / "lightning_logs" / "version_2" / "events.out.tfevents.1.h.1.0", "", 300);
  touch(r / "runs" / "May01_12-00-00_host" / "events.out.tfevents.1.h.1.0", "", 250);
  touch(r / "runs" / "May02_12-00-00_host" / "events.out.tfevents.2.h.1.0", "", 200);
  touch(r / "out" / "checkpoint-500" / "trainer_state.json", "{}", 150);
  touch(r / "out" / "checkpoint-1000" / "trainer_state.json", "{}", 140);
  touch(r / "out" / "checkpoint-900" / "trainer_state.json", "{}", 10);  // newer file, lower checkpoint
  touch(r / "mlruns" / "0" / "abc" / "metrics" / "loss", "1 2 3\n", 100);
  fs::last_write_time(r / "mlruns" / "0" / "abc" / "metrics",
                      fs::file_time_type::clock::now() - std::chrono::seconds(100));
  touch(r / "wandb" / "run-20240101_120000-aaa" / "files" / "wandb-history.jsonl", "{}\n", 90);
  touch(w / "metrics.jsonl", "{\"loss\": 1}\n", 1);  // the job's working directory
  touch(w / "output" / "metrics.json", "{}\n", 50);
  touch(w / "outputs" / "2024-05-01" / "12-00-00" / "progress.csv", "a\n", 60);

  auto v = sidecar::discover_metrics_sources(r.string(), w.string(), {.max_sources = 20});
  REQUIRE(!v.empty());
  CHECK(v.front().path == (w / "metrics.jsonl").string());  // newest first
  CHECK(v.front().format == MetricsFormat::kJsonl);
  CHECK(v.front().reason.find("working directory") != std::string::npos);
  CHECK(v.front().kind == "metrics.jsonl in the working directory");
  CHECK(v.front().in_work_dir);
  for (std::size_t i = 1; i < v.size(); ++i) CHECK(v[i - 1].mtime >= v[i].mtime);

  const auto* csv = find(v, r / "lightning_logs" / "version_2" / "metrics.csv");
  REQUIRE(csv != nullptr);
  CHECK(csv->reason.find("version_2 (highest version)") != std::string::npos);
  CHECK(find(v, r / "lightning_logs" / "version_0" / "metrics.csv") == nullptr);
  const auto* ltb = find(v, r / "lightning_logs" / "version_2");
  REQUIRE(ltb != nullptr);
  CHECK(ltb->format == MetricsFormat::kTfEvents);
  const auto* tb = find(v, r / "runs" / "May02_12-00-00_host");
  REQUIRE(tb != nullptr);
  CHECK(tb->format == MetricsFormat::kTfEvents);
  CHECK(tb->kind == "tfevents in the run directory");  // one per kind: a newer run directory replaces it
  CHECK(!tb->in_work_dir);
  CHECK(find(v, r / "runs" / "May01_12-00-00_host") == nullptr);
  const auto* ts = find(v, r / "out" / "checkpoint-1000" / "trainer_state.json");
  REQUIRE(ts != nullptr);
  CHECK(ts->format == MetricsFormat::kHfTrainerState);
  CHECK(ts->reason.find("checkpoint-1000 (highest)") != std::string::npos);
  const auto* ml = find(v, r / "mlruns" / "0" / "abc");
  REQUIRE(ml != nullptr);
  CHECK(ml->format == MetricsFormat::kMlflow);
  CHECK(find(v, r / "wandb" / "run-20240101_120000-aaa" / "files" / "wandb-history.jsonl") != nullptr);
  const auto* d2 = find(v, w / "output" / "metrics.json");
  REQUIRE(d2 != nullptr);
  CHECK(d2->format == MetricsFormat::kDetectron2);
  const auto* sb3 = find(v, w / "outputs" / "2024-05-01" / "12-00-00" / "progress.csv");
  REQUIRE(sb3 != nullptr);
  CHECK(sb3->reason.find("outputs/") != std::string::npos);

  // Bounded; the old single-source function still works.
  CHECK(sidecar::discover_metrics_sources(r.string(), w.string(), {.max_sources = 2}).size() == 2);
  CHECK(sidecar::discover_metrics(r.string()).ok());
}

TEST_CASE("discover_metrics_sources: nothing yet, a file, the same directory twice", "[metrics][discover]") {
  TempDir run("empty");
  CHECK(sidecar::discover_metrics_sources(run.path.string(), run.path.string()).empty());
  CHECK(sidecar::discover_metrics_sources((run.path / "missing").string(), "").empty());
  touch(run.path / "metrics.jsonl");
  auto v = sidecar::discover_metrics_sources(run.path.string(), run.path.string());
  REQUIRE(v.size() == 1);  // the working directory is the run dir: listed once
  auto f = sidecar::discover_metrics_sources((run.path / "metrics.jsonl").string(), "");
  REQUIRE(f.size() == 1);
  CHECK(f[0].reason.find("given a file") != std::string::npos);
}

TEST_CASE("no_metrics_message says where sidecar looked and how to point it", "[metrics][discover]") {
  std::string m = sidecar::no_metrics_message("/runs/a", "/work", 60);
  CHECK(m.find("no metric row after 60 s") != std::string::npos);
  CHECK(m.find("/runs/a and /work") != std::string::npos);
  CHECK(m.find("--metrics") != std::string::npos);
  CHECK(m.find("SIDECAR_METRICS_FILE") != std::string::npos);
}

TEST_CASE("key report: bound, also matched, ignored, unbound roles", "[metrics][keys]") {
  std::vector<std::string> seen = {"loss", "train_loss", "learning_rate", "eval_loss", "grad_norm", "epoch"};
  sidecar::KeyMatcher m;
  std::string j = sidecar::key_report_json(seen, {}, m);
  CHECK(j.find("\"keys_seen\":6") != std::string::npos);
  CHECK(j.find("\"bound\":{\"loss\":\"loss\",\"val_loss\":\"eval_loss\",\"grad_norm\":\"grad_norm\"}") !=
        std::string::npos);
  CHECK(j.find("{\"key\":\"train_loss\",\"role\":\"loss\"}") != std::string::npos);
  CHECK(j.find("\"ignored\":[\"learning_rate\",\"epoch\"]") != std::string::npos);
  CHECK(j.find("\"roles_unbound\":[\"val_accuracy\"") != std::string::npos);
  // Given the engine's bindings, they win.
  std::vector<sidecar::KeyBinding> bound = {{sidecar::Role::kLoss, "train_loss"}};
  j = sidecar::key_report_json(seen, bound, m);
  CHECK(j.find("\"bound\":{\"loss\":\"train_loss\"}") != std::string::npos);
  CHECK(j.find("{\"key\":\"loss\",\"role\":\"loss\"}") != std::string::npos);
  // Lists are bounded.
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("k" + std::to_string(i));
  j = sidecar::key_report_json(many, {}, m, {.max_listed = 10});
  CHECK(j.find("\"ignored_more\":90") != std::string::npos);
}
