// Fuzzes small-document JSON parsing and the JSON writer: whatever parses
// must re-serialise to JSON that parses again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"

namespace {

void write(const sidecar::Value& v, sidecar::detail::JsonWriter& w) {
  switch (v.kind) {
    case sidecar::Value::Kind::kNull:
      w.null();
      break;
    case sidecar::Value::Kind::kBool:
      w.value(v.boolean);
      break;
    case sidecar::Value::Kind::kNumber:
      w.value(v.number);
      break;
    case sidecar::Value::Kind::kString:
      w.value(v.str);
      break;
    case sidecar::Value::Kind::kArray:
      w.begin_array();
      for (const auto& item : v.items) write(item, w);
      w.end_array();
      break;
    case sidecar::Value::Kind::kObject:
      w.begin_object();
      for (const auto& [k, item] : v.members) {
        w.key(k);
        write(item, w);
      }
      w.end_object();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = sidecar::parse_json(text, "fuzz");
  if (!v) {
    // Any bytes as a string value must still serialise to valid JSON.
    sidecar::detail::JsonWriter w;
    w.begin_object().key(text).value(text).end_object();
    if (!sidecar::parse_json(w.str())) std::abort();
    return 0;
  }
  sidecar::detail::JsonWriter w;
  write(*v, w);
  if (!sidecar::parse_json(w.str())) std::abort();
  return 0;
}
