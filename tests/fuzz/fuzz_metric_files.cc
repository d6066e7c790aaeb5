// Fuzzes the file readers that are not line formats of their own: HF
// trainer_state.json (one JSON document, rewritten in place, only new
// log_history entries delivered), the MLflow file store (metrics/<key> files
// of "timestamp value step" lines) and detectron2's metrics.json. The first
// byte picks the reader; the rest is the file, written in two pieces (for
// trainer_state.json: a first version, then the whole file rewritten).
// Never crashes; rows carry at least one value or a step, at most max_keys
// values, never an empty key; a final flush is safe.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "sidecar/metrics.h"

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void append_file(const fs::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::app);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  char tmpl[] = "/tmp/fuzz_metric_files_XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return 0;
  const fs::path dir(tmpl);

  sidecar::MetricsReaderOptions opt;
  opt.max_line_bytes = 4096;
  opt.max_keys = 8;
  fs::path target, file;
  if (kind == 0) {
    opt.format = sidecar::MetricsFormat::kHfTrainerState;
    target = file = dir / "trainer_state.json";
  } else if (kind == 1) {
    opt.format = sidecar::MetricsFormat::kMlflow;
    fs::create_directories(dir / "metrics");
    target = dir;
    file = dir / "metrics" / "train_loss";
  } else {
    opt.format = sidecar::MetricsFormat::kDetectron2;
    target = file = dir / "metrics.json";
  }
  auto check = [&](const sidecar::MetricRow& r) {
    if (r.values.size() > opt.max_keys) std::abort();
    if (r.values.empty() && !r.step && !r.timestamp) std::abort();
    for (const auto& v : r.values)
      if (v.key.empty()) std::abort();
  };
  const std::size_t half = text.size() / 2;
  write_file(file, text.substr(0, half));
  {
    sidecar::MetricsReader reader(target.string(), opt);
    (void)reader.poll(check);
    if (kind == 0)
      write_file(file, text);  // trainer_state.json is rewritten whole
    else
      append_file(file, text.substr(half));
    (void)reader.poll(check);
    (void)reader.flush(check);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
