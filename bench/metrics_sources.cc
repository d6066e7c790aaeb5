// bench_metrics_sources: throughput of the text-line and TensorBoard parsers.
//
//   bench_metrics_sources gen-text FILE LINES   # typical training output: HF dicts, tqdm/Lightning
//                                               # postfixes, Megatron |-lines, Keras lines, and prose
//   bench_metrics_sources text FILE [REPEATS]   # "name|lines|cpu seconds|rows" (best of REPEATS)
//   bench_metrics_sources gen-tfevents FILE EVENTS  # SummaryWriter.add_scalar-style events, one scalar each
//   bench_metrics_sources tfevents FILE [REPEATS]  # "name|records|cpu seconds|scalars"
//
// bench/bench_metric_sources.sh runs these next to the Python peers
// (ast.literal_eval on the dict lines; struct + protobuf on the event file).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/detail/metric_sources.h"
#include "sidecar/metric_lines.h"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int gen_text(const char* path, long lines) {
  std::ofstream out(path);
  char buf[512];
  for (long i = 0; i < lines; ++i) {
    const double loss = 2.0 / (1.0 + static_cast<double>(i) * 1e-4);
    switch (i % 6) {
      case 0:
        std::snprintf(buf, sizeof buf, "{'loss': %.4f, 'grad_norm': %.4f, 'learning_rate': %.6g, 'epoch': %.2f}", loss,
                      1.0 + (i % 7) * 0.1, 2e-5 * (1.0 - i * 1e-7), i * 1e-4);
        break;
      case 1:
        std::snprintf(buf, sizeof buf, "%ld/500000 [00:10<00:40, 9.8it/s, loss=%.4f, lr=1e-4, step=%ld]", i % 500000,
                      loss, i);
        break;
      case 2:
        std::snprintf(buf, sizeof buf,
                      " iteration %8ld/  500000 | consumed samples: %10ld | lm loss: %.6E | grad norm: %.3f | "
                      "number of nan iterations:   0 |",
                      i, i * 128, loss, 1.5);
        break;
      case 3:
        std::snprintf(buf, sizeof buf,
                      "[INFO|trainer.py:2128] 2024-05-01 12:00:01,123 >> Saving model checkpoint to %ld", i);
        break;
      case 4:
        std::snprintf(buf, sizeof buf,
                      "32/32 [==============================] - 1s 20ms/step - loss: %.4f - accuracy: 0.9 - "
                      "val_loss: 0.4",
                      loss);
        break;
      default:
        std::snprintf(buf, sizeof buf,
                      "Epoch 3:  45%%|####5     | 450/1000 [00:10<00:40, 9.8it/s, v_num=0, train_loss=%.3f]", loss);
        break;
    }
    out << buf << '\n';
  }
  return 0;
}

// Protobuf wire encoding of one Event{wall_time, step, summary{value{tag, simple_value}}}
// (the generator only; the reader decodes with the generated classes).
void put_varint(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::string event_bytes(double wall_time, std::int64_t step, std::string_view tag, float value) {
  std::string v;
  v.push_back(0x0A);  // Value.tag
  put_varint(&v, tag.size());
  v.append(tag);
  v.push_back(0x15);  // Value.simple_value (fixed32)
  v.append(reinterpret_cast<const char*>(&value), 4);
  std::string summary;
  summary.push_back(0x0A);  // Summary.value
  put_varint(&summary, v.size());
  summary += v;
  std::string e;
  e.push_back(0x09);  // Event.wall_time (fixed64)
  e.append(reinterpret_cast<const char*>(&wall_time), 8);
  e.push_back(0x10);  // Event.step
  put_varint(&e, static_cast<std::uint64_t>(step));
  e.push_back(0x2A);  // Event.summary
  put_varint(&e, summary.size());
  e += summary;
  return e;
}

void put_le(std::string* out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

int gen_tfevents(const char* path, long events) {
  std::ofstream out(path, std::ios::binary);
  static constexpr std::string_view kTags[] = {"train/loss", "train/learning_rate", "train/grad_norm", "train/epoch",
                                               "eval/loss"};
  std::string rec;
  for (long i = 0; i < events; ++i) {
    const std::string data =
        event_bytes(1714560000.0 + i * 0.01, i / 5, kTags[i % 5], static_cast<float>(2.0 / (1.0 + i * 1e-5)));
    rec.clear();
    std::string len;
    put_le(&len, data.size(), 8);
    rec += len;
    put_le(&rec, sidecar::detail::masked_crc32c(len.data(), 8), 4);
    rec += data;
    put_le(&rec, sidecar::detail::masked_crc32c(data.data(), data.size()), 4);
    out << rec;
  }
  return 0;
}

// Best CPU seconds of `repeats` passes of a fresh TextMetricsParser over
// `lines`, printed as "name|lines|seconds|rows".
void time_text_parser(const char* name, const std::vector<std::string_view>& lines, int repeats) {
  double best = 1e30;
  std::size_t rows = 0;
  for (int r = 0; r < repeats; ++r) {
    sidecar::TextMetricsParser parser;
    sidecar::MetricRow row;
    rows = 0;
    const double t0 = cpu_seconds();
    for (std::string_view l : lines) rows += parser.parse_line(l, &row) ? 1 : 0;
    best = std::min(best, cpu_seconds() - t0);
  }
  std::printf("%s|%zu|%.6f|%zu\n", name, lines.size(), best, rows);
}

int bench_text(const char* path, int repeats) {
  const std::string text = slurp(path);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.emplace_back(text.data() + pos, nl - pos);
    pos = nl + 1;
  }
  time_text_parser("sidecar TextMetricsParser (all lines)", lines, repeats);
  // Dict lines alone (the peer's workload).
  std::vector<std::string_view> dicts;
  for (std::string_view l : lines)
    if (l.starts_with("{'")) dicts.push_back(l);
  time_text_parser("sidecar TextMetricsParser (dict lines)", dicts, repeats);
  return 0;
}

int bench_tfevents(const char* path, int repeats) {
  const std::string bytes = slurp(path);
  double best = 1e30;
  std::size_t scalars = 0;
  std::uint64_t records = 0;
  for (int r = 0; r < repeats; ++r) {
    sidecar::detail::TfRecordEvents ev;
    scalars = 0;
    const double t0 = cpu_seconds();
    // In 1 MiB pieces, as FileTail hands them over.
    for (std::size_t pos = 0; pos < bytes.size(); pos += std::size_t{1} << 20) {
      ev.feed(std::string_view(bytes).substr(pos, std::size_t{1} << 20),
              [&](const sidecar::MetricRow& row) { scalars += row.values.size(); });
    }
    best = std::min(best, cpu_seconds() - t0);
    records = ev.counters().records;
    if (ev.counters().bad_records != 0) {
      std::fprintf(stderr, "bench: %llu bad records\n", static_cast<unsigned long long>(ev.counters().bad_records));
      return 1;
    }
  }
  std::printf("sidecar TfRecordEvents|%llu|%.6f|%zu\n", static_cast<unsigned long long>(records), best, scalars);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string_view(argv[1]) == "gen-text") return gen_text(argv[2], std::atol(argv[3]));
  if (argc >= 4 && std::string_view(argv[1]) == "gen-tfevents") return gen_tfevents(argv[2], std::atol(argv[3]));
  const int repeats = argc >= 4 ? std::atoi(argv[3]) : 5;
  if (argc >= 3 && std::string_view(argv[1]) == "text") return bench_text(argv[2], repeats);
  if (argc >= 3 && std::string_view(argv[1]) == "tfevents") {
    if (!sidecar::detail::TfRecordEvents::supported()) {
      std::fprintf(stderr, "bench: built without TensorBoard support\n");
      return 2;
    }
    return bench_tfevents(argv[2], repeats);
  }
  std::fprintf(stderr,
               "usage: bench_metrics_sources gen-text FILE LINES | gen-tfevents FILE EVENTS | text FILE [REPEATS] | "
               "tfevents FILE [REPEATS]\n");
  return 2;
}
