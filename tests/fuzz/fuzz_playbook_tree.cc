// Fuzzes the decoder of the on-disk playbook tree cache (playbook_cache.h):
// any bytes decode to a tree or to nothing, never crash; a tree that decodes
// encodes to bytes that decode to a tree encoding to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/detail/playbook_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tree = sidecar::detail::decode_tree(bytes);
  if (!tree) return 0;
  std::string once = sidecar::detail::encode_tree(*tree);
  auto again = sidecar::detail::decode_tree(once);
  if (!again || sidecar::detail::encode_tree(*again) != once) std::abort();
  return 0;
}
