// MappedFile and large_alloc (detail/atomic_file.h): how cache files are read
// back and pattern databases held.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>

#include "common/temp_dir.h"
#include "sidecar/detail/atomic_file.h"

namespace detail = sidecar::detail;

TEST_CASE("MappedFile maps a whole regular file and refuses what it cannot map", "[io][cache]") {
  sidecar::test::TempDir dir;
  const std::string path = dir.file("db");
  std::string bytes(300000, 'x');
  bytes[12345] = '\0';
  REQUIRE(detail::write_file_atomically(path, bytes, 0644, false).ok());
  {
    detail::MappedFile f;
    REQUIRE(f.open(path, 1 << 20));
    CHECK(f.bytes() == bytes);
  }
  detail::MappedFile too_big;
  CHECK_FALSE(too_big.open(path, bytes.size() - 1));
  detail::MappedFile missing;
  CHECK_FALSE(missing.open(dir.file("none"), 1 << 20));
  CHECK(missing.bytes().empty());
  detail::MappedFile directory;
  CHECK_FALSE(directory.open(dir.str(), 1 << 20));
  REQUIRE(detail::write_file_atomically(path, "", 0644, false).ok());
  detail::MappedFile empty;
  CHECK_FALSE(empty.open(path, 1 << 20));
}

TEST_CASE("large_alloc gives writable memory, huge-page aligned from 256 KiB", "[io][cache]") {
  for (std::size_t size : {std::size_t{0}, std::size_t{100}, std::size_t{256} << 10, std::size_t{3} << 20}) {
    INFO(size);
    void* p = detail::large_alloc(size);
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
    if (size >= (std::size_t{256} << 10)) CHECK(reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20) == 0);
    std::memset(p, 0xab, size);
    detail::large_free(p);
  }
}
