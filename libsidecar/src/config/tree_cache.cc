// The on-disk cache of the parsed default playbook (see playbook_cache.h).
//
// File: kMagic, the key's cache_hash (8 bytes), the encoded tree, and the
// cache_hash of everything before it (8 bytes). Integers are LEB128
// varints, strings a varint length and the bytes, a number its 8 raw bytes.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/detail/playbook_cache.h"

namespace sidecar::detail {
namespace {

constexpr std::string_view kMagic = "sidecar-playbook-tree 2\n";
constexpr int kMaxDepth = 128;
constexpr unsigned kFlagBool = 1, kFlagPlain = 2, kFlagSameFile = 4;

void put_u64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_varint(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void put_string(std::string* out, std::string_view s) {
  put_varint(out, s.size());
  out->append(s);
}

void encode(const Value& v, const std::string** last_file, std::string* out) {
  const bool same_file = *last_file != nullptr && **last_file == v.mark.file;
  out->push_back(static_cast<char>(v.kind));
  out->push_back(
      static_cast<char>((v.boolean ? kFlagBool : 0) | (v.plain ? kFlagPlain : 0) | (same_file ? kFlagSameFile : 0)));
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v.number, sizeof bits);
  put_u64(out, bits);
  put_string(out, v.str);
  if (!same_file) put_string(out, v.mark.file);
  *last_file = &v.mark.file;
  put_varint(out, static_cast<std::uint32_t>(v.mark.line));
  put_varint(out, static_cast<std::uint32_t>(v.mark.col));
  put_varint(out, v.items.size());
  for (const Value& item : v.items) encode(item, last_file, out);
  put_varint(out, v.members.size());
  for (const auto& [k, m] : v.members) {
    put_string(out, k);
    encode(m, last_file, out);
  }
}

// Reads an encoded tree; every read is bounds-checked, failures are sticky.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : s_(bytes) {}

  bool node(Value* v, int depth) {
    if (depth > kMaxDepth || s_.size() < 10) return false;
    const auto kind = static_cast<unsigned char>(s_[0]);
    const auto flags = static_cast<unsigned char>(s_[1]);
    if (kind > static_cast<unsigned char>(Value::Kind::kObject) || (flags & ~7u) != 0) return false;
    v->kind = static_cast<Value::Kind>(kind);
    v->boolean = (flags & kFlagBool) != 0;
    v->plain = (flags & kFlagPlain) != 0;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= std::uint64_t{static_cast<unsigned char>(s_[2 + i])} << (8 * i);
    std::memcpy(&v->number, &bits, sizeof bits);
    s_.remove_prefix(10);
    if (!string(&v->str)) return false;
    if ((flags & kFlagSameFile) != 0) {
      if (last_file_ == nullptr) return false;
      v->mark.file = *last_file_;
    } else if (!string(&v->mark.file)) {
      return false;
    }
    last_file_ = &v->mark.file;
    std::uint64_t line = 0, col = 0, n = 0;
    if (!varint(&line) || !varint(&col) || line > INT32_MAX || col > INT32_MAX) return false;
    v->mark.line = static_cast<int>(line);
    v->mark.col = static_cast<int>(col);
    if (!varint(&n) || n > s_.size()) return false;  // a node takes at least one byte
    v->items.resize(n);
    for (Value& item : v->items)
      if (!node(&item, depth + 1)) return false;
    if (!varint(&n) || n > s_.size()) return false;
    v->members.resize(n);
    for (auto& [k, m] : v->members)
      if (!string(&k) || !node(&m, depth + 1)) return false;
    return true;
  }
  bool at_end() const { return s_.empty(); }

 private:
  bool varint(std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (s_.empty()) return false;
      const auto b = static_cast<unsigned char>(s_[0]);
      s_.remove_prefix(1);
      *v |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool string(std::string* out) {
    std::uint64_t n = 0;
    if (!varint(&n) || n > s_.size()) return false;
    out->assign(s_.data(), n);
    s_.remove_prefix(n);
    return true;
  }

  std::string_view s_;
  const std::string* last_file_ = nullptr;
};

std::uint64_t get_u64(std::string_view s) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
  return v;
}

}  // namespace

std::string encode_tree(const Value& v) {
  std::string out;
  const std::string* last_file = nullptr;
  encode(v, &last_file, &out);
  return out;
}

std::optional<Value> decode_tree(std::string_view bytes) {
  Decoder d(bytes);
  Value v;
  if (!d.node(&v, 0) || !d.at_end()) return std::nullopt;
  return v;
}

std::optional<Value> load_cached_tree(const std::string& dir, std::string_view key) {
  if (dir.empty()) return std::nullopt;
  const std::string path = cache_file_path(dir, "playbook-", key, ".tree");
  MappedFile file;
  if (!file.open(path, std::size_t{64} << 20)) return std::nullopt;
  const std::string_view v = file.bytes();
  if (v.size() < kMagic.size() + 16 || v.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  if (get_u64(v.substr(kMagic.size())) != cache_hash(key)) return std::nullopt;
  if (get_u64(v.substr(v.size() - 8)) != cache_hash(v.substr(0, v.size() - 8))) return std::nullopt;
  auto tree = decode_tree(v.substr(kMagic.size() + 8, v.size() - kMagic.size() - 16));
  if (tree) touch_cache_file(path);
  return tree;
}

void store_cached_tree(const std::string& dir, std::string_view key, const Value& v) {
  if (dir.empty()) return;
  std::string data(kMagic);
  put_u64(&data, cache_hash(key));
  data += encode_tree(v);
  put_u64(&data, cache_hash(data));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // A cache: a failed write is only a slower next start.
  (void)write_file_atomically(cache_file_path(dir, "playbook-", key, ".tree"), data, 0644, /*sync=*/false);
  prune_cache_files(dir, "playbook-", ".tree");
}

}  // namespace sidecar::detail
