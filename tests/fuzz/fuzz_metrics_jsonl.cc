// Fuzzes JSON Lines metrics parsing. Oracles: the block fast path
// (iterate_many over many lines) yields exactly the rows and errors of
// parsing each line alone; MetricsReader over a file written in two pieces
// yields the same rows again; rows respect max_keys.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_metrics.h"
#include "sidecar/metrics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto opt = fuzz::bounded<sidecar::MetricsReaderOptions>(2048, 12, 6);
  const std::string_view text = fuzz::as_text(data, size);
  const bool wandb = size > 0 && (data[0] & 1);
  const std::string_view complete = fuzz::complete_lines(text);
  const fuzz::RowText render{.max_keys = opt.max_keys, .with_timestamp = true, .empty_keys_ok = true};

  // Each line alone.
  sidecar::MetricsLineParser one(opt);
  std::vector<std::string> want;
  std::vector<std::string> want_errors;
  std::size_t index = 0;
  for (std::size_t pos = 0; pos < complete.size(); ++index) {
    const std::size_t nl = complete.find('\n', pos);
    auto st = one.parse_json(
        complete.substr(pos, nl - pos), [&](const sidecar::MetricRow& r) { want.push_back(render(r)); }, wandb);
    if (!st.ok()) want_errors.push_back(std::to_string(index) + st.message());
    pos = nl + 1;
  }

  // The block fast path.
  sidecar::MetricsLineParser block(opt);
  std::vector<std::string> got;
  std::vector<std::string> got_errors;
  const std::size_t lines = block.parse_json_lines(
      complete, 0, [&](const sidecar::MetricRow& r) { got.push_back(render(r)); },
      [&](std::size_t i, const sidecar::Status& st) { got_errors.push_back(std::to_string(i) + st.message()); }, wandb);
  if (lines != index || got != want || got_errors != want_errors) std::abort();

  // The reader over a file written in two pieces (JSON Lines forced).
  opt.format = wandb ? sidecar::MetricsFormat::kWandbHistory : sidecar::MetricsFormat::kJsonl;
  const auto read = fuzz::read_in_two_pieces("fuzz_metrics_jsonl", text, opt, render);
  if (read && *read != want) std::abort();
  return 0;
}
