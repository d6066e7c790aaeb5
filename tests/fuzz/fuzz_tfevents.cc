// Fuzzes the TensorBoard event-file reader (TFRecord framing + Event
// protobufs): arbitrary bytes, fed whole and in two pieces, never crash,
// never hold back more than one record's worth of bytes, and give the same
// rows however they are split. Half of the inputs are framed with valid CRCs
// first, so the fuzzer reaches the protobuf and tensor decoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/detail/metric_sources.h"

namespace {

constexpr std::size_t kMaxRecord = 4096;

std::vector<std::string> feed(const std::vector<std::string_view>& pieces) {
  sidecar::detail::TfRecordEvents ev(kMaxRecord);
  std::vector<std::string> rows;
  for (std::string_view p : pieces) {
    ev.feed(p, [&](const sidecar::MetricRow& r) {
      if (r.values.empty()) std::abort();
      std::string s = r.step ? std::to_string(*r.step) : "-";
      for (const auto& v : r.values) {
        if (v.key.empty()) std::abort();
        s += ' ';
        s.append(v.key);
      }
      rows.push_back(std::move(s));
    });
    if (ev.pending() > kMaxRecord + 16) std::abort();
  }
  return rows;
}

std::string frame(std::string_view payload) {
  std::string out;
  const std::uint64_t len = payload.size();
  char h[8];
  for (int i = 0; i < 8; ++i) h[i] = static_cast<char>((len >> (8 * i)) & 0xFF);
  out.append(h, 8);
  auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  put32(sidecar::detail::masked_crc32c(h, 8));
  out.append(payload);
  put32(sidecar::detail::masked_crc32c(payload.data(), payload.size()));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!sidecar::detail::TfRecordEvents::supported() || size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string bytes;
  if (data[0] & 1) {
    // Treat the input as payloads separated by 0xFF 0x00 and frame each one validly.
    std::size_t pos = 0;
    while (pos <= in.size()) {
      std::size_t sep = in.find(std::string_view("\xff\x00", 2), pos);
      if (sep == std::string_view::npos) sep = in.size();
      bytes += frame(in.substr(pos, sep - pos));
      pos = sep + 2;
    }
  } else {
    bytes.assign(in);
  }
  const std::string_view all(bytes);
  const auto whole = feed({all});
  const std::size_t cut = (static_cast<std::size_t>(data[0]) * 7919u) % (all.size() + 1);
  const auto split = feed({all.substr(0, cut), all.substr(cut)});
  if (whole != split) std::abort();
  return 0;
}
