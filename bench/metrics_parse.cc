// bench_metrics_parse: metrics ingestion throughput against its peers.
//
//   bench_metrics_parse generate FILE ROWS    # a metrics.jsonl: 7 keys a row, eval every 100 steps
//   bench_metrics_parse parse FILE [REPEATS]  # prints "name|rows|seconds|bytes" lines (best of REPEATS)
//   bench_metrics_parse reader FILE           # one MetricsReader pass (for /usr/bin/time -v RSS)
//
// Peers on the same file: simdjson's own iterate_many (the raw parser, every
// value read as a double), simdjson on-demand per line, and MetricsReader
// (FileTail + line split + flattening + step/NaN handling). bench/bench_metrics.sh
// runs this next to Python's json.loads and `sidecar-cli replay` and prints one table.
#include <simdjson.h>

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "sidecar/metrics.h"

namespace {

// CPU time of the process (all threads): robust on a shared, loaded machine,
// where wall time mostly measures waiting for a core.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return time_point(duration(std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
  }
};

int generate(const std::string& path, long rows) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return 1;
  }
  std::string buf;
  buf.reserve(1 << 20);
  double loss = 10.5;
  for (long step = 0; step < rows; ++step) {
    // A language-model-like curve: ln(vocab) at step 0, decaying to about 2, with noise.
    loss = 2.0 + 8.5 * std::exp(-static_cast<double>(step) / 2000.0) + 0.01 * static_cast<double>((step * 7919) % 13);
    char line[512];
    int n = std::snprintf(line, sizeof line,
                          "{\"step\": %ld, \"loss\": %.6f, \"lr\": %.6g, \"grad_norm\": %.5f, "
                          "\"throughput\": %.2f, \"tokens_per_second\": %.1f, \"epoch\": %.4f",
                          step, loss, 3e-4 * (1.0 - static_cast<double>(step) / static_cast<double>(rows + 1)),
                          1.0 + 0.1 * static_cast<double>(step % 17), 2400.0 + static_cast<double>(step % 50),
                          98000.0 + static_cast<double>(step % 333), static_cast<double>(step) / 5000.0);
    buf.append(line, static_cast<std::size_t>(n));
    if (step % 100 == 0) {
      n = std::snprintf(line, sizeof line, ", \"val/loss\": %.6f, \"val/accuracy\": %.4f", loss * 1.05,
                        0.5 + 0.4 * static_cast<double>(step) / static_cast<double>(rows + 1));
      buf.append(line, static_cast<std::size_t>(n));
    }
    buf.append("}\n");
    if (buf.size() > (1 << 20) - 512) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
  return 0;
}

struct Run {
  std::size_t rows = 0;
  double seconds = 0;
  double checksum = 0;
};

// MetricsReader over the file: what replay/watch use.
Run run_reader(const std::string& path) {
  Run r;
  auto t0 = Clock::now();
  sidecar::MetricsReader reader(path);
  auto n = reader.poll([&](const sidecar::MetricRow& row) {
    for (const auto& v : row.values) r.checksum += v.value;
  });
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!n) {
    std::cerr << n.status().to_string() << "\n";
    std::exit(1);
  }
  r.rows = *n;
  if (reader.stats().malformed != 0) std::cerr << "malformed: " << reader.stats().last_error << "\n";
  return r;
}

// Adds an on-demand object's numeric values to r's checksum and counts the row.
void add_row(simdjson::ondemand::object& obj, Run* r) {
  for (auto field : obj) {
    std::string_view key;
    double d;
    if (field.unescaped_key().get(key) == simdjson::SUCCESS && field.value().get_double().get(d) == simdjson::SUCCESS) {
      r->checksum += d;
    }
  }
  ++r->rows;
}

// simdjson iterate_many over the whole file in memory: the raw parser's best case.
Run run_iterate_many(const simdjson::padded_string& json, bool threaded = true) {
  Run r;
  simdjson::ondemand::parser parser;
  parser.threaded = threaded;
  auto t0 = Clock::now();
  simdjson::ondemand::document_stream docs;
  if (parser.iterate_many(json).get(docs)) std::exit(1);
  for (auto doc : docs) {
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) continue;
    add_row(obj, &r);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

// simdjson on-demand one line at a time (the per-line peer, lines already in memory).
Run run_per_line(const simdjson::padded_string& json) {
  Run r;
  simdjson::ondemand::parser parser;
  std::string_view all(json.data(), json.size());
  auto t0 = Clock::now();
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    simdjson::ondemand::document doc;
    // The following bytes (or the padded_string's padding) serve as padding.
    if (parser.iterate(json.data() + pos, nl - pos, all.size() - pos + simdjson::SIMDJSON_PADDING).get(doc) ==
        simdjson::SUCCESS) {
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj) == simdjson::SUCCESS) add_row(obj, &r);
    }
    pos = nl + 1;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

template <typename F>
Run best_of(int repeats, F&& f) {
  Run best;
  best.seconds = 1e30;
  for (int i = 0; i < repeats; ++i) {
    Run r = f();
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string_view(argv[1]) == "generate") return generate(argv[2], std::atol(argv[3]));
  if (argc >= 3 && std::string_view(argv[1]) == "raw") {  // the peer alone (for perf stat)
    simdjson::padded_string json;
    if (simdjson::padded_string::load(argv[2]).get(json)) return 1;
    Run r = run_iterate_many(json, false);
    std::printf("raw|%zu|%.6f|checksum=%g\n", r.rows, r.seconds, r.checksum);
    return 0;
  }
  if (argc >= 3 && std::string_view(argv[1]) == "reader") {
    Run r = run_reader(argv[2]);
    std::printf("reader|%zu|%.6f|checksum=%g\n", r.rows, r.seconds, r.checksum);
    return 0;
  }
  if (argc >= 3 && std::string_view(argv[1]) == "parse") {
    const std::string path = argv[2];
    const int repeats = argc >= 4 ? std::atoi(argv[3]) : 5;
    simdjson::padded_string json;
    if (simdjson::padded_string::load(path).get(json)) {
      std::cerr << path << ": cannot read\n";
      return 1;
    }
    const double bytes = static_cast<double>(json.size());
    auto print = [&](const char* name, const Run& r) {
      std::printf("%s|%zu|%.6f|%.0f|%.6g\n", name, r.rows, r.seconds, bytes, r.checksum);
    };
    print("simdjson iterate_many (in memory, stage-1 thread)",
          best_of(repeats, [&] { return run_iterate_many(json); }));
    print("simdjson iterate_many (in memory, 1 thread)",
          best_of(repeats, [&] { return run_iterate_many(json, false); }));
    print("simdjson load + iterate_many (from the file, 1 thread)", best_of(repeats, [&] {
            auto t0 = Clock::now();
            simdjson::padded_string loaded;
            if (simdjson::padded_string::load(path).get(loaded)) std::exit(1);
            Run r = run_iterate_many(loaded, false);
            r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            return r;
          }));
    print("simdjson on-demand per line (in memory)", best_of(repeats, [&] { return run_per_line(json); }));
    print("sidecar MetricsLineParser::parse_json_lines (in memory)", best_of(repeats, [&] {
            Run r;
            sidecar::MetricsLineParser parser;
            auto t0 = Clock::now();
            parser.parse_json_lines(
                std::string_view(json.data(), json.size()), simdjson::SIMDJSON_PADDING,
                [&](const sidecar::MetricRow& row) {
                  ++r.rows;
                  for (const auto& v : row.values) r.checksum += v.value;
                },
                [](std::size_t, const sidecar::Status&) {});
            r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            return r;
          }));
    print("sidecar MetricsReader (from the file)", best_of(repeats, [&] { return run_reader(path); }));
    return 0;
  }
  std::cerr << "usage: bench_metrics_parse generate FILE ROWS | parse FILE [REPEATS] | reader FILE\n";
  return 2;
}
