// Tests for metrics ingestion: every format against its fixture, every
// malformed case, NaN handling, partial writes, rotation, CSV rewrites,
// bounds, discovery.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "metrics_test.h"

namespace {

struct Collected {
  std::vector<std::string> rows;
  sidecar::MetricsStats stats;
};

Collected read_all(const std::string& path, MetricsReaderOptions opt = {}) {
  MetricsReader r(path, opt);
  Collected c;
  auto n = r.poll([&](const MetricRow& row) { c.rows.push_back(render(row)); });
  REQUIRE(n.ok());
  CHECK(*n == c.rows.size());
  c.stats = r.stats();
  return c;
}

void check_fixture(const std::string& rel) {
  INFO("fixture " << rel);
  const Expected want = load_expected(kData + rel + ".expected");
  Collected got = read_all(kData + rel);
  CHECK(got.rows == want.rows);
  CHECK(static_cast<long>(got.stats.malformed) == want.malformed);
  CHECK(got.stats.rows == want.rows.size());
}

void write_file(const std::string& path, const std::string& text, bool append = false) {
  std::ofstream out(path, append ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary);
  out << text;
}

std::vector<std::string> poll_rows(MetricsReader& r) {
  std::vector<std::string> rows;
  auto n = r.poll([&](const MetricRow& row) { rows.push_back(render(row)); });
  REQUIRE(n.ok());
  return rows;
}

// A file written with `text` in a fresh directory, and a reader following it
// from there on (the rotation, truncation and rewrite tests).
struct Followed {
  TempDir dir{"metrics"};
  std::string path;
  MetricsReader r;
  Followed(const std::string& name, const std::string& text, MetricsReaderOptions opt = {})
      : path(dir.file(name)), r((write_file(path, text), path), opt) {}
};

}  // namespace

TEST_CASE("every format matches its fixture", "[metrics][fixtures]") {
  check_fixture("basic.jsonl");
  check_fixture("python_nonfinite.jsonl");
  check_fixture("nested.jsonl");
  check_fixture("agent/agent_metrics.jsonl");
  check_fixture("wandb_run/wandb/run-20240101_120000-abc123/files/wandb-history.jsonl");
  check_fixture("lightning/lightning_logs/version_0/metrics.csv");
  check_fixture("sb3/progress.csv");
  check_fixture("malformed.jsonl");
  check_fixture("malformed.csv");
}

TEST_CASE("the format follows the file name", "[metrics]") {
  CHECK(MetricsReader(kData + "sb3/progress.csv").format() == MetricsFormat::kSb3ProgressCsv);
  CHECK(MetricsReader(kData + "lightning/lightning_logs/version_0/metrics.csv").format() ==
        MetricsFormat::kLightningCsv);
  CHECK(MetricsReader(kData + "wandb_run/wandb/run-20240101_120000-abc123/files/wandb-history.jsonl").format() ==
        MetricsFormat::kWandbHistory);
  CHECK(MetricsReader(kData + "basic.jsonl").format() == MetricsFormat::kJsonl);
  CHECK(sidecar::parse_metrics_format("wandb") == MetricsFormat::kWandbHistory);
  CHECK(sidecar::parse_metrics_format("SB3") == MetricsFormat::kSb3ProgressCsv);
  CHECK_FALSE(sidecar::parse_metrics_format("xml"));
  CHECK(sidecar::to_string(MetricsFormat::kLightningCsv) == "lightning_csv");
}

TEST_CASE("an unknown name is sniffed from the first byte", "[metrics]") {
  TempDir dir;
  write_file(dir.file("a.log"), "{\"step\": 1, \"loss\": 2}\n");
  write_file(dir.file("b.log"), "step,loss\n1,2\n");
  MetricsReader a(dir.file("a.log"));
  CHECK(a.format() == MetricsFormat::kAuto);
  CHECK(poll_rows(a) == std::vector<std::string>{"step=1 ts=- loss=2"});
  CHECK(a.format() == MetricsFormat::kJsonl);
  MetricsReader b(dir.file("b.log"));
  CHECK(poll_rows(b) == std::vector<std::string>{"step=1 ts=- loss=2"});
  CHECK(b.format() == MetricsFormat::kLightningCsv);
}

TEST_CASE("an empty key names nothing: left out, by the fast path and by simdjson alike", "[metrics]") {
  TempDir dir;
  // The first line takes the flat fast path, the second (nested) simdjson;
  // detectron2's reader goes through the same parser (fuzz_metric_files).
  write_file(dir.file("m.jsonl"),
             "{\"step\": 1, \"\": 5, \"loss\": 2}\n{\"step\": 2, \"\": 5, \"x\": {\"loss\": 3}}\n");
  MetricsReader r(dir.file("m.jsonl"));
  CHECK(poll_rows(r) == std::vector<std::string>{"step=1 ts=- loss=2", "step=2 ts=- x/loss=3"});
}

TEST_CASE("each malformed line is reported with its file and line number", "[metrics][malformed]") {
  struct Case {
    std::string line;
    std::string what;
  };
  const std::vector<Case> cases = {
      {"{\"step\": 2, \"loss\": ", "invalid JSON"},
      {"not json", "not a JSON object"},
      {"{not json", "invalid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"42", "not a JSON object"},
      {"{\"a\": 1} {\"b\": 2}", "trailing content"},
      {"{\"loss\": tru}", "invalid JSON"},
      {"{\"a\": \"open}", "invalid JSON"},
      {"{\"a\": 1.2.3}", "invalid JSON"},
      {"{\"a\": nan}", "invalid JSON"},
      {"{\"a\": NaNa}", "invalid JSON"},
      {"{\"a\": 1,}", "invalid JSON"},
      {"{\"a\" 1}", "invalid JSON"},
      {"{\"k\xff\": 1}", "invalid JSON"},
      {"{\"a\": nul}", "invalid JSON"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    TempDir dir;
    const std::string path = dir.file("m.jsonl");
    write_file(path, "{\"step\": 1, \"loss\": 1}\n\n" + c.line + "\n{\"step\": 3, \"loss\": 3}\n");
    Collected got = read_all(path);
    CHECK(got.rows == std::vector<std::string>{"step=1 ts=- loss=1", "step=3 ts=- loss=3"});
    CHECK(got.stats.malformed == 1);
    CHECK(got.stats.last_error.rfind(path + ":3: ", 0) == 0);
    CHECK(got.stats.last_error.find(c.what) != std::string::npos);
  }
}

TEST_CASE("huge and deeply nested lines are bounded and reported", "[metrics][malformed][bounds]") {
  TempDir dir;
  const std::string path = dir.file("m.jsonl");
  std::string deep = "{\"step\": 2";
  for (int i = 0; i < 40; ++i) deep += ", \"k\": {";
  deep += "\"x\": 1";
  for (int i = 0; i < 40; ++i) deep += "}";
  deep += "}";
  std::string huge = "{\"step\": 3, \"blob\": \"" + std::string(5000, 'x') + "\"}";
  write_file(path, "{\"step\": 1, \"loss\": 1}\n" + deep + "\n" + huge + "\n{\"step\": 4, \"loss\": 4}\n");
  MetricsReaderOptions opt;
  opt.max_line_bytes = 4096;
  opt.max_depth = 32;
  Collected got = read_all(path, opt);
  CHECK(got.rows == std::vector<std::string>{"step=1 ts=- loss=1", "step=4 ts=- loss=4"});
  CHECK(got.stats.malformed == 2);
  CHECK(got.stats.last_error == path + ":3: line longer than 4096 bytes");

  // Depth alone: 32 levels pass, 33 do not.
  auto nested = [](int levels) {
    std::string s;
    for (int i = 0; i < levels - 1; ++i) s += "{\"a\": ";
    s += "{\"x\": 1}";
    for (int i = 0; i < levels - 1; ++i) s += "}";
    return s;
  };
  sidecar::MetricsLineParser p(opt);
  int rows = 0;
  CHECK(p.parse_json(nested(32), [&](const MetricRow&) { ++rows; }).ok());
  CHECK(rows == 1);
  auto s = p.parse_json(nested(33), [&](const MetricRow&) { ++rows; });
  CHECK(s.code() == sidecar::StatusCode::kResourceExhausted);
  CHECK(s.message() == "nested deeper than 32 levels");
  CHECK(rows == 1);
}

TEST_CASE("a huge line arriving in pieces is skipped without buffering it", "[metrics][bounds]") {
  TempDir dir;
  const std::string path = dir.file("m.jsonl");
  MetricsReaderOptions opt;
  opt.max_line_bytes = 1000;
  MetricsReader r(path, opt);
  write_file(path, "{\"step\": 1, \"a\": 1}\n{\"blob\": \"");
  CHECK(poll_rows(r).size() == 1);
  for (int i = 0; i < 10; ++i) {
    write_file(path, std::string(500, 'y'), true);
    CHECK(poll_rows(r).empty());
  }
  write_file(path, "\"}\n{\"step\": 3, \"a\": 3}\n", true);
  CHECK(poll_rows(r) == std::vector<std::string>{"step=3 ts=- a=3"});
  CHECK(r.stats().malformed == 1);
  CHECK(r.stats().last_error == path + ":2: line longer than 1000 bytes");
}

TEST_CASE("NaN, Infinity and numbers as strings", "[metrics][nan]") {
  sidecar::MetricsLineParser p;
  std::vector<std::string> rows;
  auto sink = [&](const MetricRow& row) { rows.push_back(render(row)); };
  REQUIRE(p.parse_json("{\"loss\": NaN, \"b\": -Infinity, \"c\": Infinity, \"d\": \"NaN\"}", sink).ok());
  REQUIRE(
      p.parse_json("{\"s\": \"Infinity is a word\", \"t\": \"1e-3\", \"u\": \" 2.5 \", \"v\": \"-inf\"}", sink).ok());
  REQUIRE(p.parse_json("{\"NaN\": 1, \"x\": \"a NaN b\", \"y\": [NaN], \"z\": {\"w\": NaN}}", sink).ok());
  CHECK(rows == std::vector<std::string>{"step=- ts=- loss=nan b=-inf c=inf d=nan", "step=- ts=- t=0.001 u=2.5 v=-inf",
                                         "step=- ts=- NaN=1 z/w=nan"});
  // A NaN step is no step; booleans are never metrics.
  rows.clear();
  REQUIRE(p.parse_json("{\"step\": NaN, \"ok\": true, \"bad\": false, \"loss\": 1}", sink).ok());
  CHECK(rows == std::vector<std::string>{"step=- ts=- loss=1"});
}

TEST_CASE("the convenience line parser", "[metrics]") {
  std::vector<std::string> rows;
  auto sink = [&](const MetricRow& row) { rows.push_back(render(row)); };
  REQUIRE(sidecar::parse_metrics_json_line("{\"_step\": 4, \"_runtime\": 3, \"loss\": 1}", sink).ok());
  MetricsReaderOptions wandb;
  wandb.format = MetricsFormat::kWandbHistory;
  REQUIRE(sidecar::parse_metrics_json_line("{\"_step\": 4, \"_runtime\": 3, \"loss\": 1}", sink, wandb).ok());
  CHECK(rows == std::vector<std::string>{"step=4 ts=- _runtime=3 loss=1", "step=4 ts=- loss=1"});
  CHECK(sidecar::parse_metrics_json_line("{", sink).code() == sidecar::StatusCode::kParseError);
}

TEST_CASE("a partial last line waits for its newline", "[metrics][incremental]") {
  TempDir dir;
  const std::string path = dir.file("m.jsonl");
  MetricsReader r(path);
  CHECK(poll_rows(r).empty());  // no file yet
  write_file(path, "{\"step\": 1, \"lo");
  CHECK(poll_rows(r).empty());
  write_file(path, "ss\": 0.5}", true);
  CHECK(poll_rows(r).empty());
  write_file(path, "\n{\"step\": 2, \"loss\": 0.25}\n{\"step\"", true);
  CHECK(poll_rows(r) == std::vector<std::string>{"step=1 ts=- loss=0.5", "step=2 ts=- loss=0.25"});
  write_file(path, ": 3}\n", true);
  CHECK(poll_rows(r) == std::vector<std::string>{"step=3 ts=-"});
  CHECK(r.stats().malformed == 0);
  CHECK(r.stats().rows == 3);
}

namespace {

// A generated run: varied rows including NaN tokens, nesting and blank lines.
std::string generated_jsonl(int rows, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  for (int i = 0; i < rows; ++i) {
    s += "{\"step\": " + std::to_string(i) + ", \"loss\": " + std::to_string(1.0 / (i + 1));
    if (i % 7 == 0) s += ", \"grad_norm\": NaN";
    if (i % 11 == 0) s += ", \"eval\": {\"accuracy\": " + std::to_string(rng() % 1000 / 1000.0) + "}";
    if (i % 13 == 0) s += ", \"lr\": \"1e-4\", \"note\": \"x\\\"y\\n\"";
    s += "}\n";
    if (i % 17 == 0) s += "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("a writer appending random-sized pieces yields the rows of a one-shot parse", "[metrics][incremental]") {
  TempDir dir;
  const std::string whole = dir.file("whole.jsonl");
  const std::string path = dir.file("m.jsonl");
  const std::string content = generated_jsonl(3000, 7);
  write_file(whole, content);
  const Collected expected = read_all(whole);
  REQUIRE(expected.rows.size() == 3000);
  REQUIRE(expected.stats.malformed == 0);

  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::mt19937 rng(42);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::size_t pos = 0;
    while (pos < content.size()) {
      std::size_t n = std::min<std::size_t>(content.size() - pos, 1 + rng() % 300);
      std::fwrite(content.data() + pos, 1, n, f);
      std::fflush(f);
      pos += n;
      if (rng() % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
    }
    std::fclose(f);
    done = true;
  });
  MetricsReader r(path);
  std::vector<std::string> rows;
  std::size_t polls = 0;
  while (true) {
    const bool finished = done.load();
    auto n = r.poll([&](const MetricRow& row) { rows.push_back(render(row)); });
    REQUIRE(n.ok());
    ++polls;
    if (finished) break;
    std::this_thread::yield();
  }
  writer.join();
  CHECK(rows == expected.rows);
  CHECK(r.stats().malformed == 0);
  CHECK(r.stats().bytes == content.size());
  CHECK(polls > 1);
}

TEST_CASE("a writer process appending while the reader polls", "[metrics][incremental]") {
  TempDir dir;
  const std::string path = dir.file("m.jsonl");
  const std::string content = generated_jsonl(2000, 3);
  const std::string whole = dir.file("whole.jsonl");
  write_file(whole, content);
  const Collected expected = read_all(whole);
  // The writer is another process (a shell loop): chunks of 97 bytes via dd.
  const std::string cmd = "(i=0; while dd if='" + whole + "' bs=97 skip=$i count=1 status=none >> '" + path +
                          "' && [ $(( (i+1) * 97 )) -lt " + std::to_string(content.size()) +
                          " ]; do i=$((i+1)); done; touch '" + dir.file("done") + "') &";
  REQUIRE(std::system(cmd.c_str()) == 0);
  MetricsReader r(path);
  std::vector<std::string> rows;
  for (int i = 0; i < 200000; ++i) {
    const bool finished = fs::exists(dir.file("done"));
    auto n = r.poll([&](const MetricRow& row) { rows.push_back(render(row)); });
    REQUIRE(n.ok());
    if (finished) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  CHECK(rows == expected.rows);
  CHECK(r.stats().malformed == 0);
}

TEST_CASE("rotation by rename drains the old file, then reads the new one", "[metrics][rotation]") {
  Followed f("m.jsonl", "{\"step\": 1, \"loss\": 1}\n");
  CHECK(poll_rows(f.r).size() == 1);
  write_file(f.path, "{\"step\": 2, \"loss\": 2}\n{\"step\": 3, \"lo", true);
  fs::rename(f.path, f.dir.file("m.jsonl.1"));
  write_file(f.path, "ss\": 99}\n{\"step\": 10, \"loss\": 10}\n");
  // The old file's partial last line is dropped, not glued to the new file's first bytes.
  auto rows = poll_rows(f.r);
  CHECK(rows == std::vector<std::string>{"step=2 ts=- loss=2", "step=10 ts=- loss=10"});
  CHECK(f.r.stats().restarts == 1);
  CHECK(f.r.stats().malformed == 1);  // "ss": 99} on line 1 of the new file
  CHECK(f.r.stats().last_error.rfind(f.path + ":1: invalid JSON", 0) == 0);
}

TEST_CASE("truncation restarts from the top of the file", "[metrics][rotation]") {
  Followed f("m.jsonl", "{\"step\": 1, \"loss\": 1}\n{\"step\": 2, \"loss\": 2}\n");
  CHECK(poll_rows(f.r).size() == 2);
  write_file(f.path, "{\"step\": 1, \"loss\": 5}\n");  // a new run, same path (O_TRUNC)
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=1 ts=- loss=5"});
  CHECK(f.r.stats().restarts == 1);
  write_file(f.path, "{\"step\": 2, \"loss\": 6}\n", true);
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=2 ts=- loss=6"});
}

TEST_CASE("Lightning rewrites metrics.csv with a new header: only new rows come out", "[metrics][csv]") {
  Followed f("metrics.csv", "epoch,step,train_loss\n0,9,2.5\n0,19,2.0\n");
  CHECK(poll_rows(f.r) ==
        std::vector<std::string>{"step=9 ts=- epoch=0 train_loss=2.5", "step=19 ts=- epoch=0 train_loss=2"});
  // A validation metric appears: the logger rewrites the whole file (more bytes than before).
  write_file(f.path, "epoch,step,train_loss,val_loss\n0,9,2.5,\n0,19,2.0,\n0,19,,1.75\n0,29,1.5,\n");
  CHECK(poll_rows(f.r) ==
        std::vector<std::string>{"step=19 ts=- epoch=0 val_loss=1.75", "step=29 ts=- epoch=0 train_loss=1.5"});
  CHECK(f.r.stats().restarts == 1);
  write_file(f.path, "0,39,1.25,\n", true);
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=39 ts=- epoch=0 train_loss=1.25"});
  CHECK(f.r.stats().malformed == 0);
}

TEST_CASE("a CSV rewrite seen half-written is not delivered twice", "[metrics][csv]") {
  Followed f("progress.csv", "time/total_timesteps,rollout/ep_rew_mean\n100,1.0\n200,2.0\n300,3.0\n");
  CHECK(poll_rows(f.r).size() == 3);
  // Caught mid-rewrite: truncated and only the header and one row written so far.
  write_file(f.path, "time/total_timesteps,rollout/ep_rew_mean,train/loss\n100,1.0,\n");
  CHECK(poll_rows(f.r).empty());
  write_file(f.path, "200,2.0,\n300,3.0,\n400,4.0,0.5\n", true);
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=400 ts=- rollout/ep_rew_mean=4 train/loss=0.5"});
}

TEST_CASE("a new CSV run at the same path is delivered in full", "[metrics][csv]") {
  Followed f("progress.csv", "time/total_timesteps,rollout/ep_rew_mean\n100,1.0\n200,2.0\n");
  CHECK(poll_rows(f.r).size() == 2);
  write_file(f.path, "time/total_timesteps,rollout/ep_rew_mean\n100,-7\n");
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=100 ts=- rollout/ep_rew_mean=-7"});
}

TEST_CASE("bounded memory: 100 000 distinct keys", "[metrics][bounds]") {
  TempDir dir;
  const std::string path = dir.file("keys.jsonl");
  {
    std::ofstream out(path);
    for (int i = 0; i < 100000; ++i) out << "{\"step\": " << i << ", \"metric_" << i << "\": " << i << "}\n";
    out << "{\"step\": 100000";
    for (int i = 0; i < 100000; ++i) out << ", \"k" << i << "\": 1";
    out << "}\n";
  }
  MetricsReaderOptions opt;
  opt.max_line_bytes = 4 << 20;
  MetricsReader r(path, opt);
  // glibc raises its mmap threshold when a large mmapped block is freed, so what an
  // earlier test freed decided whether the buffers below counted: pin it (the default).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  const auto before = mallinfo2().uordblks;
  std::size_t rows = 0;
  std::size_t widest = 0;
  auto n = r.poll([&](const MetricRow& row) {
    ++rows;
    widest = std::max(widest, row.values.size());
  });
  REQUIRE(n.ok());
  const auto after = mallinfo2().uordblks;
  CHECK(rows == 100001);
  CHECK(widest == opt.max_keys);
  CHECK(r.stats().dropped_keys == 100000 - opt.max_keys);
  // The reader keeps per-line buffers only (the 1.3 MB line, 1 MB read buffer), never per-key state.
  CHECK(after - before < (12u << 20));
}

TEST_CASE("CSV columns beyond max_keys are counted, not stored", "[metrics][bounds][csv]") {
  MetricsReaderOptions opt;
  opt.max_keys = 3;
  sidecar::MetricsLineParser p(opt);
  REQUIRE(p.set_csv_header("step,a,b,c,d,e").ok());
  std::vector<std::string> rows;
  REQUIRE(p.parse_csv("1,1,2,3,4,5", [&](const MetricRow& row) { rows.push_back(render(row)); }).ok());
  CHECK(rows == std::vector<std::string>{"step=1 ts=- a=1 b=2 c=3"});
  CHECK(p.dropped_keys() == 2);
}

TEST_CASE("discovery picks the run's metrics file and says why", "[metrics][discover]") {
  auto wandb = sidecar::discover_metrics(kData + "wandb_run");
  REQUIRE(wandb.ok());
  CHECK(wandb->format == MetricsFormat::kWandbHistory);
  CHECK(wandb->path == kData + "wandb_run/wandb/run-20240101_120000-abc123/files/wandb-history.jsonl");
  CHECK(wandb->reason.find("W&B") != std::string::npos);

  auto lightning = sidecar::discover_metrics(kData + "lightning");
  REQUIRE(lightning.ok());
  CHECK(lightning->format == MetricsFormat::kLightningCsv);
  CHECK(lightning->path == kData + "lightning/lightning_logs/version_0/metrics.csv");

  auto sb3 = sidecar::discover_metrics(kData + "sb3");
  REQUIRE(sb3.ok());
  CHECK(sb3->format == MetricsFormat::kSb3ProgressCsv);

  auto agent = sidecar::discover_metrics(kData + "agent");
  REQUIRE(agent.ok());
  CHECK(agent->format == MetricsFormat::kJsonl);
  CHECK(agent->reason.rfind("agent_metrics.jsonl: ", 0) == 0);

  auto file = sidecar::discover_metrics(kData + "sb3/progress.csv");
  REQUIRE(file.ok());
  CHECK(file->format == MetricsFormat::kSb3ProgressCsv);
}

TEST_CASE("discovery: precedence, newest W&B run, highest version, nothing yet", "[metrics][discover]") {
  TempDir dir;
  auto none = sidecar::discover_metrics(dir.path.string());
  CHECK(none.status().code() == sidecar::StatusCode::kNotFound);
  CHECK(none.status().message().find("no metrics file yet") != std::string::npos);
  CHECK(sidecar::discover_metrics(dir.file("missing")).status().code() == sidecar::StatusCode::kNotFound);

  fs::create_directories(dir.path / "wandb/run-20240101_120000-aaa/files");
  fs::create_directories(dir.path / "wandb/offline-run-20240301_080000-bbb/files");
  fs::create_directories(dir.path / "wandb/run-20240201_120000-ccc/files");
  write_file(dir.file("wandb/run-20240101_120000-aaa/files/wandb-history.jsonl"), "{}\n");
  write_file(dir.file("wandb/offline-run-20240301_080000-bbb/files/wandb-history.jsonl"), "{}\n");
  write_file(dir.file("wandb/run-20240201_120000-ccc/files/wandb-history.jsonl"), "{}\n");
  fs::create_directories(dir.path / "lightning_logs/version_2");
  fs::create_directories(dir.path / "lightning_logs/version_10");
  write_file(dir.file("lightning_logs/version_2/metrics.csv"), "step,a\n");
  write_file(dir.file("lightning_logs/version_10/metrics.csv"), "step,a\n");

  auto w = sidecar::discover_metrics(dir.path.string());
  REQUIRE(w.ok());
  CHECK(w->path == dir.file("wandb/offline-run-20240301_080000-bbb/files/wandb-history.jsonl"));
  CHECK(w->reason.find("of 3") != std::string::npos);
  CHECK(w->reason.find("lightning_logs/version_10/metrics.csv") != std::string::npos);

  fs::remove_all(dir.path / "wandb");
  auto l = sidecar::discover_metrics(dir.path.string());
  REQUIRE(l.ok());
  CHECK(l->path == dir.file("lightning_logs/version_10/metrics.csv"));

  write_file(dir.file("metrics.jsonl"), "");
  auto m = sidecar::discover_metrics(dir.path.string());
  REQUIRE(m.ok());
  CHECK(m->path == dir.file("metrics.jsonl"));
  CHECK(m->format == MetricsFormat::kJsonl);
  CHECK(m->reason.rfind("metrics.jsonl: ", 0) == 0);
}

TEST_CASE("the block fast path agrees with parsing each line alone", "[metrics][oracle]") {
  const std::vector<std::string> pieces = {
      "{\"step\": 1, \"loss\": 0.5}",
      "{\"step\": 2, \"loss\": NaN, \"g\": -Infinity}",
      "",
      "   ",
      "\r",
      "{\"step\": 3, \"nested\": {\"a\": {\"b\": 1}}, \"s\": \"1e-3\"}\r",
      "{\"a\": 1} {\"b\": 2}",
      "{\"a\": 1,",
      "\"b\": 2}",
      "}",
      ", {\"a\": 1}",
      "not json",
      "[1, 2]",
      "42",
      "{\"a\": nan}",
      "{\"a\": NaNa}",
      "{\"k\xff\": 1}",
      "{\"unterminated: 1}",
      "{\"esc\\\"aped\\u00e9\": 2, \"t\": true, \"n\": null, \"arr\": [1, {\"x\": 2}]}",
      "  {\"indent\": 1}  ",
      "{\"x\": 1e999}",
      "{\"x\": -}",
      "{\"step\": 9007199254740993, \"big\": 123456789012345678901234567890}",
      "{}",
      "{\"_step\": 4, \"_runtime\": 1, \"_wandb\": {\"r\": 1}}",
      "{\"step\": 5, \"loss\": 0.8}2.3}",
      "{\"a\": 1}]",
  };
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    std::vector<std::string> lines;
    for (int i = 0; i < 3000; ++i) {
      // Mostly good rows, like a real file; anomalies scattered.
      lines.push_back(rng() % 4 == 0 ? pieces[rng() % pieces.size()] : pieces[rng() % 2]);
    }
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    for (bool wandb : {false, true}) {
      sidecar::MetricsLineParser one;
      std::vector<std::string> want;
      std::vector<std::string> want_errors;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        auto st = one.parse_json(
            lines[i], [&](const MetricRow& row) { want.push_back(render(row)); }, wandb);
        if (!st.ok()) want_errors.push_back(std::to_string(i) + ": " + st.message());
      }
      sidecar::MetricsLineParser block;
      std::vector<std::string> got;
      std::vector<std::string> got_errors;
      const std::size_t n = block.parse_json_lines(
          text, 0, [&](const MetricRow& row) { got.push_back(render(row)); },
          [&](std::size_t i, const sidecar::Status& st) {
            got_errors.push_back(std::to_string(i) + ": " + st.message());
          },
          wandb);
      CHECK(n == lines.size());
      CHECK(got == want);
      CHECK(got_errors == want_errors);
    }
    // And the reader over a file with the same text.
    TempDir dir;
    write_file(dir.file("m.jsonl"), text);
    Collected c = read_all(dir.file("m.jsonl"));
    sidecar::MetricsLineParser one;
    std::vector<std::string> want;
    std::size_t bad = 0;
    for (const auto& l : lines) {
      if (!one.parse_json(l, [&](const MetricRow& row) { want.push_back(render(row)); }).ok()) ++bad;
    }
    CHECK(c.rows == want);
    CHECK(c.stats.malformed == bad);
  }
}

TEST_CASE("trailing bytes after the last object of a block are caught", "[metrics][malformed]") {
  for (const char* tail : {"2.3}", "]", "}", " x", "{"}) {
    INFO(tail);
    sidecar::MetricsLineParser p;
    std::vector<std::string> rows;
    std::vector<std::size_t> bad;
    const std::string text = "{\"step\": 1}\n{\"step\": 5, \"loss\": 0.8}" + std::string(tail) + "\n";
    p.parse_json_lines(
        text, 0, [&](const MetricRow& row) { rows.push_back(render(row)); },
        [&](std::size_t i, const sidecar::Status&) { bad.push_back(i); });
    CHECK(rows == std::vector<std::string>{"step=1 ts=-"});
    CHECK(bad == std::vector<std::size_t>{1});
  }
}

TEST_CASE("an object running on into the next line is two malformed lines", "[metrics][malformed]") {
  const std::string text = "{\"step\": 1}\n{\"a\": {\"b\": 1}\n}\n{\"step\": 2}\n{\"c\": {\"d\": 1}\n}\n";
  sidecar::MetricsLineParser p;
  std::vector<std::string> rows;
  std::vector<std::size_t> bad;
  CHECK(p.parse_json_lines(
            text, 0, [&](const MetricRow& row) { rows.push_back(render(row)); },
            [&](std::size_t i, const sidecar::Status&) { bad.push_back(i); }) == 6);
  CHECK(rows == std::vector<std::string>{"step=1 ts=-", "step=2 ts=-"});
  CHECK(bad == std::vector<std::size_t>{1, 2, 4, 5});
}

TEST_CASE("flush parses a finished file's last line without its newline", "[metrics][incremental]") {
  Followed f("m.jsonl", "{\"step\": 1, \"loss\": 1}\n{\"step\": 2, \"loss\": NaN}");
  CHECK(poll_rows(f.r) == std::vector<std::string>{"step=1 ts=- loss=1"});
  std::vector<std::string> rows;
  CHECK(f.r.flush([&](const MetricRow& row) { rows.push_back(render(row)); }) == 1);
  CHECK(rows == std::vector<std::string>{"step=2 ts=- loss=nan"});
  CHECK(f.r.flush([&](const MetricRow& row) { rows.push_back(render(row)); }) == 0);
  CHECK(f.r.stats().rows == 2);

  const std::string csv = f.dir.file("progress.csv");
  write_file(csv, "time/total_timesteps,rollout/ep_rew_mean\n100,1.5");
  MetricsReader c(csv);
  CHECK(poll_rows(c).empty());
  rows.clear();
  CHECK(c.flush([&](const MetricRow& row) { rows.push_back(render(row)); }) == 1);
  CHECK(rows == std::vector<std::string>{"step=100 ts=- rollout/ep_rew_mean=1.5"});
}

TEST_CASE("discovery: SB3 one level down, a W&B run directory itself, agent over W&B", "[metrics][discover]") {
  TempDir dir;
  fs::create_directories(dir.path / "PPO_1");
  fs::create_directories(dir.path / "PPO_2");
  write_file(dir.file("PPO_1/progress.csv"), "a\n");
  write_file(dir.file("PPO_2/progress.csv"), "a\n");
  fs::last_write_time(dir.path / "PPO_1/progress.csv", fs::file_time_type::clock::now() + std::chrono::hours(1));
  auto sb3 = sidecar::discover_metrics(dir.path.string());
  REQUIRE(sb3.ok());
  CHECK(sb3->path == dir.file("PPO_1/progress.csv"));  // the newest
  CHECK(sb3->format == MetricsFormat::kSb3ProgressCsv);

  fs::create_directories(dir.path / "files");
  write_file(dir.file("files/wandb-history.jsonl"), "{}\n");
  auto run = sidecar::discover_metrics(dir.path.string());
  REQUIRE(run.ok());
  CHECK(run->path == dir.file("files/wandb-history.jsonl"));
  CHECK(run->reason.find("PPO_1/progress.csv") != std::string::npos);  // also present

  write_file(dir.file("agent_metrics.jsonl"), "");
  auto agent = sidecar::discover_metrics(dir.path.string());
  REQUIRE(agent.ok());
  CHECK(agent->path == dir.file("agent_metrics.jsonl"));
}
