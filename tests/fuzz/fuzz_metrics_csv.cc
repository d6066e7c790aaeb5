// Fuzzes CSV metrics parsing (Lightning metrics.csv, SB3 progress.csv): the
// first line is the header, the rest are rows. Never crashes; rows carry at
// most max_keys values and never an empty key; the reader
// over a file written in two pieces yields the same rows as the line parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_metrics.h"
#include "sidecar/metrics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sidecar::MetricsReaderOptions opt;
  opt.max_line_bytes = 2048;
  opt.max_keys = 8;
  opt.format = sidecar::MetricsFormat::kLightningCsv;
  const std::string_view text = fuzz::as_text(data, size);

  sidecar::MetricsLineParser parser(opt);
  std::vector<std::string> want;
  bool have_header = false;
  const fuzz::RowText render{.max_keys = opt.max_keys, .with_values = false};
  const std::string_view complete = fuzz::complete_lines(text);
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

  const auto read = fuzz::read_in_two_pieces("fuzz_metrics_csv", text, opt, render);
  if (read && *read != want) std::abort();
  return 0;
}
