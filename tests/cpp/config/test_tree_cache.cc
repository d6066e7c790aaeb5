// The on-disk cache of the parsed default playbook: exact round trip, and a
// stale, truncated or corrupt file is refused (never trusted, never a crash).
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "common/temp_dir.h"
#include "sidecar/config.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/detail/playbook_cache.h"

using sidecar::Value;
namespace detail = sidecar::detail;

namespace {

bool same(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.boolean != b.boolean || a.str != b.str || a.plain != b.plain ||
      a.mark.file != b.mark.file || a.mark.line != b.mark.line || a.mark.col != b.mark.col ||
      a.items.size() != b.items.size() || a.members.size() != b.members.size())
    return false;
  if (!(a.number == b.number || (a.number != a.number && b.number != b.number))) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (!same(a.items[i], b.items[i])) return false;
  for (std::size_t i = 0; i < a.members.size(); ++i)
    if (a.members[i].first != b.members[i].first || !same(a.members[i].second, b.members[i].second)) return false;
  return true;
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// The one cache file in `dir`.
std::string only_file(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    REQUIRE(found.empty());
    found = e.path().string();
  }
  REQUIRE(!found.empty());
  return found;
}

}  // namespace

TEST_CASE("encode_tree/decode_tree give back the default playbook exactly", "[config][cache]") {
  auto tree = sidecar::default_playbook_tree();
  REQUIRE(tree);
  auto back = detail::decode_tree(detail::encode_tree(*tree));
  REQUIRE(back);
  CHECK(same(*tree, *back));

  auto json = sidecar::parse_json(R"({"a": [1.5, true, null, "x"], "b": {"c": -2e300}})", "j.json");
  REQUIRE(json);
  auto json_back = detail::decode_tree(detail::encode_tree(*json));
  REQUIRE(json_back);
  CHECK(same(*json, *json_back));
}

TEST_CASE("decode_tree refuses truncated, extended and corrupt encodings", "[config][cache]") {
  auto tree = sidecar::parse_yaml("a: 1\nb:\n  - {name: x, patterns: ['p(q)', r]}\n  - plain\nc: 'quoted'\n", "t.yaml");
  REQUIRE(tree);
  const std::string bytes = detail::encode_tree(*tree);
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(detail::decode_tree(bytes.substr(0, n)));
  CHECK_FALSE(detail::decode_tree(bytes + '\0'));
  // Every single-byte change either is refused or decodes to some tree: never a crash.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    (void)detail::decode_tree(bad);
  }
  // A count far beyond the bytes that follow (root: null, no text, no file, line 0, col 0, items 2^35-1).
  CHECK_FALSE(detail::decode_tree(std::string(10, '\0') + std::string("\0\0\0\0\xff\xff\xff\xff\x7f", 9)));
  // Nesting: 100 levels decode, 200 are refused.
  auto nested = [](int depth) {
    Value v;
    for (int i = 0; i < depth; ++i) {
      Value outer;
      outer.kind = Value::Kind::kArray;
      outer.items.push_back(std::move(v));
      v = std::move(outer);
    }
    return v;
  };
  CHECK(detail::decode_tree(detail::encode_tree(nested(100))));
  CHECK_FALSE(detail::decode_tree(detail::encode_tree(nested(200))));
}

TEST_CASE("the tree cache file is used when it matches and ignored when stale or corrupt", "[config][cache]") {
  sidecar::test::TempDir dir("tree-cache");
  auto tree = sidecar::parse_yaml("syndromes:\n  - name: x\n    patterns: [a+b]\n", "<default>/t.yaml");
  REQUIRE(tree);
  CHECK_FALSE(detail::load_cached_tree(dir.str(), "k1"));  // nothing stored yet
  detail::store_cached_tree(dir.str(), "k1", *tree);
  auto loaded = detail::load_cached_tree(dir.str(), "k1");
  REQUIRE(loaded);
  CHECK(same(*tree, *loaded));
  CHECK_FALSE(detail::load_cached_tree(dir.str(), "k2"));  // another catalogue or version: a miss

  const std::string file = only_file(dir.str());
  const std::string good = read_all(file);
  for (std::size_t i = 0; i < good.size(); i += 7) {  // any flipped byte is caught by the checksum
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    write_all(file, bad);
    CHECK_FALSE(detail::load_cached_tree(dir.str(), "k1"));
  }
  for (std::size_t n : {std::size_t{0}, std::size_t{5}, good.size() / 2, good.size() - 1}) {
    write_all(file, good.substr(0, n));
    CHECK_FALSE(detail::load_cached_tree(dir.str(), "k1"));
  }
  detail::store_cached_tree(dir.str(), "k1", *tree);  // rewritten over the corrupt file
  CHECK(detail::load_cached_tree(dir.str(), "k1"));

  // A directory that cannot be made (a file is in the way): storing does nothing, loading misses.
  write_all(dir.file("blocker"), "x");
  detail::store_cached_tree(dir.file("blocker/sub"), "k1", *tree);
  CHECK_FALSE(detail::load_cached_tree(dir.file("blocker/sub"), "k1"));
  CHECK_FALSE(detail::load_cached_tree("", "k1"));  // no cache directory: never a file
}

TEST_CASE("a cache directory keeps the most recently used files of each kind", "[config][cache]") {
  namespace fs = std::filesystem;
  sidecar::test::TempDir dir("cache-prune");
  const auto now = fs::file_time_type::clock::now();
  auto make = [&](const std::string& name, int minutes_ago) {
    write_all(dir.file(name), "x");
    fs::last_write_time(dir.file(name), now - std::chrono::minutes(minutes_ago));
  };
  for (int i = 0; i < 20; ++i) make("hs-" + std::to_string(i) + ".db", i);  // hs-0.db the newest
  make("playbook-a.tree", 500);
  make("notes.txt", 500);
  detail::prune_cache_files(dir.str(), "hs-", ".db", 16);
  for (int i = 0; i < 20; ++i) CHECK(fs::exists(dir.file("hs-" + std::to_string(i) + ".db")) == (i < 16));
  CHECK(fs::exists(dir.file("playbook-a.tree")));  // another kind
  CHECK(fs::exists(dir.file("notes.txt")));

  // A hit makes a file the most recently used: it outlives newer ones.
  detail::touch_cache_file(dir.file("hs-15.db"));
  detail::prune_cache_files(dir.str(), "hs-", ".db", 1);
  CHECK(fs::exists(dir.file("hs-15.db")));
  CHECK_FALSE(fs::exists(dir.file("hs-0.db")));

  // The tree cache prunes its own kind when it writes and refreshes a file it loads.
  auto tree = sidecar::parse_yaml("a: 1\n", "<default>/t.yaml");
  REQUIRE(tree);
  for (int i = 0; i < 18; ++i) detail::store_cached_tree(dir.str(), "key" + std::to_string(i), *tree);
  std::size_t trees = 0;
  for (const auto& f : fs::directory_iterator(dir.str())) trees += f.path().extension() == ".tree";
  CHECK(trees == detail::kCacheFilesKept);
  CHECK(detail::load_cached_tree(dir.str(), "key17"));
  CHECK_FALSE(detail::load_cached_tree(dir.str(), "key0"));      // the oldest went
  CHECK_FALSE(fs::exists(dir.file("playbook-a.tree")));          // older than every new one
  detail::prune_cache_files(dir.file("missing"), "hs-", ".db");  // no directory: nothing happens
  detail::touch_cache_file(dir.file("missing/x.db"));
}

TEST_CASE("cache_hash tells apart keys that differ in any byte or in length", "[config][cache]") {
  // Keys of every tail length around the 8-byte step, each changed at every position.
  std::set<std::uint64_t> seen;
  std::size_t keys = 0;
  for (std::size_t n = 0; n <= 24; ++n) {
    std::string key(n, 'k');
    CHECK(detail::cache_hash(key) == detail::cache_hash(std::string(n, 'k')));
    seen.insert(detail::cache_hash(key));
    ++keys;
    for (std::size_t i = 0; i < n; ++i) {
      std::string changed = key;
      changed[i] = static_cast<char>(changed[i] ^ 1);
      seen.insert(detail::cache_hash(changed));
      ++keys;
    }
  }
  CHECK(seen.size() == keys);
  CHECK(detail::cache_hash(std::string("a\0", 2)) != detail::cache_hash("a"));         // zero bytes still count
  CHECK(detail::cache_hash(std::string_view()) == detail::cache_hash(std::string()));  // a null empty view is fine
  CHECK(detail::cache_file_path("/c", "hs-", "key", ".db").size() == std::string("/c/hs-").size() + 16 + 3);
}
