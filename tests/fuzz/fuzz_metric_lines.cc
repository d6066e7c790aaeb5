// Fuzzes TextMetricsParser (metric rows in printed output): every line of the
// input goes through one parser (state spans lines: Keras headers, HF tables).
// Never crashes; a row has at least one value, at most max_keys, no empty key;
// parsing the same lines again with a fresh parser gives the same rows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_metrics.h"
#include "sidecar/metric_lines.h"

namespace {

std::vector<std::string> run(std::string_view text, const sidecar::TextMetricsOptions& opt) {
  sidecar::TextMetricsParser parser(opt);
  const fuzz::RowText render{.max_keys = opt.max_keys, .empty_rows_ok = false};
  std::vector<std::string> rows;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    sidecar::MetricRow row;
    if (parser.parse_line(text.substr(pos, nl - pos), &row)) rows.push_back(render(row));
    pos = nl + 1;
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto opt = fuzz::bounded<sidecar::TextMetricsOptions>(4096, 16, 4);
  const std::string_view text = fuzz::as_text(data, size);
  if (run(text, opt) != run(text, opt)) std::abort();
  return 0;
}
