// Fuzzes CSV metrics parsing (Lightning metrics.csv, SB3 progress.csv): the
// first line is the header, the rest are rows. Never crashes; rows carry at
// most max_keys values and never an empty key; the reader
// over a file written in two pieces yields the same rows as the line parser.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/metrics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sidecar::MetricsReaderOptions opt;
  opt.max_line_bytes = 2048;
  opt.max_keys = 8;
  opt.format = sidecar::MetricsFormat::kLightningCsv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  sidecar::MetricsLineParser parser(opt);
  std::vector<std::string> want;
  bool have_header = false;
  auto render = [&](const sidecar::MetricRow& r) {
    if (r.values.size() > opt.max_keys) std::abort();
    std::string s = r.step ? std::to_string(*r.step) : "-";
    for (const auto& v : r.values) {
      if (v.key.empty()) std::abort();
      s += ' ';
      s.append(v.key);
    }
    return s;
  };
  const std::size_t last_nl = text.rfind('\n');
  const std::string_view complete =
      last_nl == std::string_view::npos ? std::string_view() : text.substr(0, last_nl + 1);
  for (std::size_t pos = 0; pos < complete.size();) {
    const std::size_t nl = complete.find('\n', pos);
    std::string_view line = complete.substr(pos, nl - pos);
    pos = nl + 1;
    if (!have_header) {
      bool blank = true;
      for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v');
      if (!blank) have_header = parser.set_csv_header(line).ok();  // a bad header: the next line is tried
      continue;
    }
    if (parser.has_csv_header())
      (void)parser.parse_csv(line, [&](const sidecar::MetricRow& r) { want.push_back(render(r)); });
  }

  char path[] = "/tmp/fuzz_metrics_csv_XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return 0;
  sidecar::MetricsReader reader(path, opt);
  std::vector<std::string> read;
  auto sink = [&](const sidecar::MetricRow& r) { read.push_back(render(r)); };
  const std::size_t half = size / 2;
  bool io_ok = ::write(fd, data, half) == static_cast<ssize_t>(half);
  io_ok = io_ok && reader.poll(sink).ok();
  io_ok = io_ok && ::write(fd, data + half, size - half) == static_cast<ssize_t>(size - half);
  io_ok = io_ok && reader.poll(sink).ok();
  ::close(fd);
  ::unlink(path);
  if (io_ok && read != want) std::abort();
  return 0;
}
