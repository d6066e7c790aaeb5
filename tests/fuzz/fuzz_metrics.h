// What the metrics fuzzers share: the input as text, its complete lines, a
// row as text (with the bounds every parser keeps), and MetricsReader's rows
// over a temporary file that receives the input in two writes (a poll after
// each), the oracle that the reader agrees with the line parsers however a
// file is cut.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/metrics.h"

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The text up to and including its last newline: the lines a reader delivers.
inline std::string_view complete_lines(std::string_view text) {
  const std::size_t last_nl = text.rfind('\n');
  return last_nl == std::string_view::npos ? std::string_view() : text.substr(0, last_nl + 1);
}

// Parser options (TextMetricsOptions, MetricsReaderOptions) with bounds small
// enough that fuzz inputs reach them.
template <typename Options>
Options bounded(std::size_t max_line_bytes, std::size_t max_keys, int max_depth) {
  Options opt;
  opt.max_line_bytes = max_line_bytes;
  opt.max_keys = max_keys;
  opt.max_depth = max_depth;
  return opt;
}

// A row as one string, to compare the rows of two parses: the step ("-" when
// none), the timestamp (with_timestamp), then each key, with its value
// (with_values; NaN as "nan"). Aborts on a row no parser may produce: more
// than max_keys values, an empty key (unless empty_keys_ok), or no value at
// all (unless empty_rows_ok).
struct RowText {
  std::size_t max_keys = 0;
  bool with_values = true;
  bool with_timestamp = false;
  bool empty_keys_ok = false;
  bool empty_rows_ok = true;

  std::string operator()(const sidecar::MetricRow& row) const {
    if (row.values.size() > max_keys || (row.values.empty() && !empty_rows_ok)) std::abort();
    std::string s = row.step ? std::to_string(*row.step) : "-";
    if (with_timestamp) s += row.timestamp ? " t" + std::to_string(*row.timestamp) : " -";
    for (const auto& v : row.values) {
      if (v.key.empty() && !empty_keys_ok) std::abort();
      s += ' ';
      s.append(v.key);
      if (!with_values) continue;
      s += '=';
      s += v.value != v.value ? "nan" : std::to_string(v.value);
    }
    return s;
  }
};

// The rows (through `render`) MetricsReader(opt) reads from /tmp/<tag>_XXXXXX
// written in two pieces; nullopt when the file could not be made or written,
// or a poll failed (no oracle then).
template <typename Render>
std::optional<std::vector<std::string>> read_in_two_pieces(const std::string& tag, std::string_view text,
                                                           const sidecar::MetricsReaderOptions& opt, Render render) {
  std::string path = "/tmp/" + tag + "_XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return std::nullopt;
  sidecar::MetricsReader reader(path, opt);
  std::vector<std::string> read;
  auto sink = [&](const sidecar::MetricRow& r) { read.push_back(render(r)); };
  const std::size_t half = text.size() / 2;
  const std::string_view rest = text.substr(half);
  bool io_ok = ::write(fd, text.data(), half) == static_cast<ssize_t>(half);
  io_ok = io_ok && reader.poll(sink).ok();
  io_ok = io_ok && ::write(fd, rest.data(), rest.size()) == static_cast<ssize_t>(rest.size());
  io_ok = io_ok && reader.poll(sink).ok();
  ::close(fd);
  ::unlink(path.c_str());
  if (!io_ok) return std::nullopt;
  return read;
}

}  // namespace fuzz
