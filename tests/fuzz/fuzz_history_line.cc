// Fuzzes the history row parser and its round trip: a row that parses must
// serialise to a line that parses to the same row identity, and the command
// fingerprint must accept any bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/history.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sidecar::command_fingerprint(text, {});
  auto row = sidecar::history_row_from_json(text);
  if (!row) return 0;
  std::string line = sidecar::history_row_to_json(*row);
  auto again = sidecar::history_row_from_json(line);
  if (!again || again->run_id != row->run_id || again->status != row->status ||
      again->command_fingerprint != row->command_fingerprint)
    std::abort();
  return 0;
}
