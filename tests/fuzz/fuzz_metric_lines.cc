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
  std::vector<std::string> rows;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    sidecar::MetricRow row;
    if (parser.parse_line(text.substr(pos, nl - pos), &row)) {
      if (row.values.empty() || row.values.size() > opt.max_keys) std::abort();
      std::string s = row.step ? std::to_string(*row.step) : "-";
      for (const auto& v : row.values) {
        if (v.key.empty()) std::abort();
        s += ' ';
        s.append(v.key);
        s += '=';
        s += std::to_string(v.value);
      }
      rows.push_back(std::move(s));
    }
    pos = nl + 1;
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sidecar::TextMetricsOptions opt;
  opt.max_line_bytes = 4096;
  opt.max_keys = 16;
  opt.max_depth = 4;
  const std::string_view text = fuzz::as_text(data, size);
  if (run(text, opt) != run(text, opt)) std::abort();
  return 0;
}
