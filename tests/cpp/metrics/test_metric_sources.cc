// Tests for the metric sources that are not one appended file: TensorBoard
// event files, HF trainer_state.json, the MLflow file store, detectron2
// metrics.json — fixtures, partial writes, rewrites, rotation, corruption.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "metrics_test.h"
#include "sidecar/detail/metric_sources.h"

namespace {

std::vector<std::string> poll_all(MetricsReader& r) {
  std::vector<std::string> rows;
  auto n = r.poll([&](const MetricRow& row) { rows.push_back(render(row)); });
  REQUIRE(n.ok());
  CHECK(*n == rows.size());
  return rows;
}

void check_fixture(const std::string& rel, MetricsFormat want_format) {
  INFO("fixture " << rel);
  Expected want = load_expected(kData + rel + ".expected");
  MetricsReader r(kData + rel);
  std::vector<std::string> got = poll_all(r);
  CHECK(r.format() == want_format);
  CHECK(got == want.rows);
  CHECK(static_cast<long>(r.stats().malformed) == want.malformed);
  CHECK(r.stats().rows == got.size());
  // A second poll delivers nothing new.
  CHECK(poll_all(r).empty());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& path, std::string_view data, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// False (with a warning) in a build without protobuf: the TensorBoard tests skip.
bool tfevents_supported() {
  if (sidecar::detail::TfRecordEvents::supported()) return true;
  WARN("built without protobuf: TensorBoard tests skipped");
  return false;
}

}  // namespace

TEST_CASE("format names and path inference for the new sources", "[metrics][sources]") {
  for (MetricsFormat f :
       {MetricsFormat::kTfEvents, MetricsFormat::kHfTrainerState, MetricsFormat::kMlflow, MetricsFormat::kDetectron2}) {
    CHECK(sidecar::parse_metrics_format(sidecar::to_string(f)) == f);
  }
  CHECK(sidecar::parse_metrics_format("tensorboard") == MetricsFormat::kTfEvents);
  CHECK(sidecar::parse_metrics_format("trainer_state") == MetricsFormat::kHfTrainerState);
  CHECK(sidecar::metrics_format_for_path("runs/x/events.out.tfevents.1714560200.host.1.0") == MetricsFormat::kTfEvents);
  CHECK(sidecar::metrics_format_for_path("out/checkpoint-500/trainer_state.json") == MetricsFormat::kHfTrainerState);
  CHECK(sidecar::metrics_format_for_path("output/metrics.json") == MetricsFormat::kDetectron2);
}

TEST_CASE("CRC32C and its mask match the TFRecord definition", "[metrics][tfevents]") {
  CHECK(sidecar::detail::crc32c("123456789", 9) == 0xE3069283u);  // the standard check value
  CHECK(sidecar::detail::crc32c("", 0) == 0u);
  std::string zeros(32, '\0');
  CHECK(sidecar::detail::crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);  // RFC 3720 B.4
}

TEST_CASE("tfevents fixtures: scalars, tensor scalars, corruption, a directory of restarts", "[metrics][tfevents]") {
  if (!tfevents_supported()) return;
  check_fixture("tfevents/scalars.tfevents", MetricsFormat::kTfEvents);
  check_fixture("tfevents/corrupt.tfevents", MetricsFormat::kTfEvents);
  check_fixture("tfevents/runs", MetricsFormat::kTfEvents);
}

TEST_CASE("tfevents: partial records wait, any chunking gives the same rows", "[metrics][tfevents]") {
  if (!tfevents_supported()) return;
  const std::string whole = slurp(kData + "tfevents/scalars.tfevents");
  const Expected want = load_expected(kData + "tfevents/scalars.tfevents.expected");
  for (std::size_t step : {1u, 7u, 64u, 500u}) {
    INFO("chunk " << step);
    TempDir dir;
    const fs::path file = dir.path / "events.out.tfevents.1.host.1.0";
    spit(file, "");
    MetricsReader r(file.string());
    std::vector<std::string> got;
    for (std::size_t i = 0; i < whole.size(); i += step) {
      spit(file, std::string_view(whole).substr(i, step), /*append=*/true);
      auto more = poll_all(r);
      got.insert(got.end(), more.begin(), more.end());
    }
    CHECK(got == want.rows);
    CHECK(r.stats().malformed == 0);
  }
}

TEST_CASE("tfevents: a new file in the directory is picked up, truncation restarts", "[metrics][tfevents]") {
  if (!tfevents_supported()) return;
  TempDir dir;
  const fs::path runs = dir.path / "runs";
  fs::create_directories(runs);
  MetricsReaderOptions opt;
  opt.format = MetricsFormat::kTfEvents;
  MetricsReader r(runs.string(), opt);
  CHECK(poll_all(r).empty());  // nothing yet
  const std::string a = slurp(kData + "tfevents/runs/events.out.tfevents.1714560200.host.100.0");
  const std::string b = slurp(kData + "tfevents/runs/events.out.tfevents.1714560300.host.200.0");
  spit(runs / "events.out.tfevents.1714560200.host.100.0", a);
  CHECK(poll_all(r).size() == 5);
  spit(runs / "events.out.tfevents.1714560300.host.200.0", b);
  auto rows = poll_all(r);
  REQUIRE(rows.size() == 3);
  CHECK(rows.back() == "step=5 ts=1714560305 loss=nan");
  // The second file is truncated and rewritten: read again from its start.
  spit(runs / "events.out.tfevents.1714560300.host.200.0", b.substr(0, 50));
  spit(runs / "events.out.tfevents.1714560300.host.200.0", b);
  (void)poll_all(r);
  CHECK(r.stats().malformed == 0);
}

TEST_CASE("tfevents: a record over the size limit is skipped without buffering", "[metrics][tfevents]") {
  if (!tfevents_supported()) return;
  const std::string whole = slurp(kData + "tfevents/scalars.tfevents");
  sidecar::detail::TfRecordEvents ev(100);  // the event with many tensor values (> 100 bytes) is skipped
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < whole.size(); i += 3) {
    ev.feed(std::string_view(whole).substr(i, 3), [&](const MetricRow& row) { rows.push_back(render(row)); });
    CHECK(ev.pending() <= 100 + 16);
  }
  CHECK(ev.counters().skipped_large == 1);
  CHECK(ev.counters().bad_records == 0);
  CHECK(rows.size() == 21);  // 20 scalars + the node_name one
}

TEST_CASE("trainer_state.json: fixture, rewrites deliver only new entries, cut writes wait",
          "[metrics][trainer_state]") {
  check_fixture("hf_trainer_state/checkpoint-500/trainer_state.json", MetricsFormat::kHfTrainerState);

  const std::string doc = slurp(kData + "hf_trainer_state/checkpoint-500/trainer_state.json");
  TempDir dir;
  const fs::path file = dir.path / "trainer_state.json";
  MetricsReader r(file.string());
  CHECK(poll_all(r).empty());  // not there yet
  // A writer cut mid-way through the 4th entry: the first three complete entries.
  const std::size_t cut = doc.find("\"grad_norm\": NaN");
  REQUIRE(cut != std::string::npos);
  spit(file, doc.substr(0, cut));
  CHECK(poll_all(r).size() == 3);
  // The complete file: the rest, nothing twice.
  spit(file, doc);
  auto rows = poll_all(r);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == "step=300 ts=- epoch=0.9 grad_norm=nan learning_rate=1.7e-05 loss=nan");
  // Rewritten in place at the next save with one more entry: only that one.
  std::string next = doc;
  const std::size_t end = next.find("\n  ],");
  REQUIRE(end != std::string::npos);
  next.insert(end, ",\n    {\"epoch\": 1.8, \"loss\": 0.3, \"step\": 600}");
  spit(file, next);
  rows = poll_all(r);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == "step=600 ts=- epoch=1.8 loss=0.3");
  // Unchanged file: nothing.
  CHECK(poll_all(r).empty());
  // Resumed from an older checkpoint (history shorter, then new steps): only steps past 600.
  std::string resumed = doc;
  resumed.insert(resumed.find("\n  ],"), ",\n    {\"loss\": 0.2, \"step\": 550},\n    {\"loss\": 0.1, \"step\": 700}");
  spit(file, resumed);
  rows = poll_all(r);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == "step=700 ts=- loss=0.1");
  CHECK(r.stats().malformed == 0);
  // Garbage is not fatal.
  spit(file, "{\"log_history\": [ {\"loss\": ], \"x\": 1}\n");
  (void)poll_all(r);
}

TEST_CASE("MLflow file store: keys merged by step, appended lines followed", "[metrics][mlflow]") {
  check_fixture("mlflow/mlruns/0/6f1c2d", MetricsFormat::kMlflow);
  TempDir dir;
  const fs::path run = dir.path / "mlruns" / "1" / "abc";
  fs::create_directories(run / "metrics");
  spit(run / "meta.yaml", "run_id: abc\n");
  MetricsReader r(run.string());
  CHECK(r.format() == MetricsFormat::kMlflow);
  spit(run / "metrics" / "loss", "1000 1.5 0\n2000 1.4 1\n3000 1.");  // a partial last line waits
  auto rows = poll_all(r);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1] == "step=1 ts=2 loss=1.4");
  spit(run / "metrics" / "loss", "3 2\n", true);
  fs::create_directories(run / "metrics" / "eval");
  spit(run / "metrics" / "eval" / "acc", "3000 0.5 2\n");
  rows = poll_all(r);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == "step=2 ts=3 eval/acc=0.5 loss=1.3");
  // A step no int64 holds is a malformed line, not an undefined cast (fuzz_metric_files).
  spit(run / "metrics" / "loss", "4000 1.2 6.6e93\n5000 1.1 3\n", true);
  rows = poll_all(r);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == "step=3 ts=5 loss=1.1");
}

TEST_CASE("detectron2 metrics.json: iteration is the step, time is a value", "[metrics][detectron2]") {
  check_fixture("detectron2/metrics.json", MetricsFormat::kDetectron2);
}

TEST_CASE("tfevents: max_poll_bytes bounds one poll, the next poll goes on", "[metrics][tfevents]") {
  if (!tfevents_supported()) return;
  const std::string one = slurp(kData + "tfevents/scalars.tfevents");
  const Expected want = load_expected(kData + "tfevents/scalars.tfevents.expected");
  TempDir dir;
  const fs::path file = dir.path / "events.out.tfevents.9.host.1.0";
  std::string big;
  const std::size_t copies = (std::size_t{3} << 20) / one.size() + 1;  // > 3 MiB: several FileTail chunks
  for (std::size_t i = 0; i < copies; ++i) big += one;
  spit(file, big);
  MetricsReaderOptions opt;
  opt.max_poll_bytes = 1;  // one chunk per poll
  MetricsReader r(file.string(), opt);
  const std::size_t first = poll_all(r).size();
  std::size_t total = first;
  for (int i = 0; i < 100; ++i) total += poll_all(r).size();
  CHECK(first > 0);
  CHECK(first < total);  // the first poll stopped early
  CHECK(total == copies * want.rows.size());
  CHECK(r.stats().malformed == 0);
  // Unbounded (replay): one poll drains it.
  MetricsReader all(file.string());
  CHECK(poll_all(all).size() == total);
}
