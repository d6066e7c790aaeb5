// The parsed default playbook, kept on disk between runs: parsing its YAML
// was a fifth of the CPU of an empty `sidecar-cli scan`. Internal API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/config.h"

namespace sidecar::detail {

// default_playbook_tree() keeps its parsed form in detail::cache_dir()
// (cache_dir.h), keyed by the library version and the embedded text.

// A tree in the cache's binary form, and back. decode_tree gives nullopt for
// anything that is not exactly one encoded tree (truncated, trailing bytes,
// deeper than 128 levels, counts past the end).
std::string encode_tree(const Value& v);
std::optional<Value> decode_tree(std::string_view bytes);

// Loads the tree cached under `key` in `dir`; nullopt when absent or unusable.
std::optional<Value> load_cached_tree(const std::string& dir, std::string_view key);
// Stores it (write_file_atomically, not synced; a failure only costs the next start a parse).
void store_cached_tree(const std::string& dir, std::string_view key, const Value& v);

}  // namespace sidecar::detail
