// write_file_atomically (see detail/atomic_file.h).
#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/fd_write.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace sidecar::detail {
namespace {

Status io_error(const std::string& path, int err, std::string_view what) {
  StatusCode code =
      err == EACCES || err == EPERM || err == EROFS ? StatusCode::kPermissionDenied : StatusCode::kIoError;
  return Status(code, path + ": " + std::string(what) + ": " + std::strerror(err));
}

}  // namespace

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

bool MappedFile::open(const std::string& path, std::size_t max) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  const bool ok =
      ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && static_cast<std::size_t>(st.st_size) <= max;
  void* p = ok ? ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (p == MAP_FAILED) return false;
  data_ = static_cast<const char*>(p);
  size_ = static_cast<std::size_t>(st.st_size);
  return true;
}

void* large_alloc(std::size_t size) {
  constexpr std::size_t kHuge = std::size_t{2} << 20, kLarge = std::size_t{256} << 10;
  if (size < kLarge) return std::malloc(size == 0 ? 1 : size);
  const std::size_t rounded = (size + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, rounded);
  if (p != nullptr) (void)::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without THP, ordinary pages
  return p;
}

void large_free(void* p) { std::free(p); }

Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool sync) {
  std::string dir = ".", base = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  if (base.empty()) return Status(StatusCode::kInvalidArgument, path + ": not a file name");
  std::string tmpl = (dir == "/" ? std::string() : dir) + "/." + base + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return io_error(path, errno, "cannot create a temporary file");
  std::string tmp(name.data());
  auto fail = [&](int err, std::string_view what) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error(path, err, what);
  };
  if (int err = write_all(fd, bytes); err != 0) return fail(err, "write failed");
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail(errno, "chmod failed");
  if (sync && ::fsync(fd) != 0) return fail(errno, "fsync failed");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error(path, err, "close failed");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error(path, err, "rename failed");
  }
  return Status::Ok();
}

Result<std::string> create_unique_dir(const std::string& base) {
  std::string root = base;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) return Status(StatusCode::kInvalidArgument, "no directory name");
  std::filesystem::path parent = std::filesystem::path(root).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  for (int i = 1; i < 1000; ++i) {
    std::string candidate = i == 1 ? root : root + "-" + std::to_string(i);
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate;
    if (errno != EEXIST) return io_error(candidate, errno, "cannot create the directory");
  }
  return Status(StatusCode::kResourceExhausted, root + ": 999 directories of that name exist already");
}

}  // namespace sidecar::detail
