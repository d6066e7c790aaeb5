// sidecar-cli scan — post-mortem scan of log files for failure syndromes.
//
//   sidecar-cli scan [--playbook F] [--format text|jsonl] [--fail-on SEVERITY] FILE...
//
// Every match is printed (text: grouped by syndrome; jsonl: one "match"
// record per line as found, then one "summary" record). A file that cannot
// be read is reported and the others are still scanned. Exit status: 0
// nothing at or above --fail-on (default warning), 1 findings, 2 an error
// (errors win). "-" reads standard input.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "commands/commands.h"
#include "flags.h"
#include "output.h"
#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/log_scan.h"

namespace sidecar::cli {

namespace {

constexpr FlagSpec kScanFlags[] = {
    {"playbook", 'p', "FILE", "playbook merged over the default (syndromes:, logs:)"},
    kFormatFlag,
    {"fail-on", 0, "SEVERITY", "exit 1 when a match is at or above this: info, warning (default), critical"},
};

constexpr std::size_t kChunkBytes = std::size_t{256} << 10;  // read size: stays in L2 between the copy and the scan
constexpr std::uint64_t kProgressMinBytes = std::uint64_t{64} << 20;  // progress only for big files
constexpr std::size_t kShownPerSyndrome = 20;                         // text mode keeps this many per syndrome

// Reads a regular file on its own thread into a ring of buffers, so that
// reading (the copy out of the page cache, or the disk) overlaps scanning.
// The scanning thread takes filled buffers in order and gives each back
// when it has fed it to the LogStream. While the ring is full the reader
// runs the stream's quiet test (LogPrechecker) on the newest buffer nobody
// has taken yet, so that both threads share the multi-pattern pass whatever
// their speeds; the verdict is the same either way (a buffer the scanner
// takes unchecked is scanned as always). Never blocks forever: the reader
// stops at end of file, on an error, or when the consumer goes away, and a
// check in progress always ends.
class ReadAhead {
 public:
  // 2 MB: one huge page. With 4 slots the scanner found the ring empty for ~8 ms of a 65 ms scan: a
  // buffer it takes already checked is done at once, and the reader, busy checking, had not read the next.
  static constexpr std::size_t kSlots = 8;

  ReadAhead(int fd, std::size_t chunk, std::shared_ptr<const LogScanner> scanner)
      : fd_(fd), chunk_(chunk), checker_(std::move(scanner)) {
    // One block for the ring, not zero-filled: a page is touched first by the
    // read into it (an empty file touches none), and the block takes huge
    // pages where the system has them (one fault instead of 256).
    ring_.reset(static_cast<char*>(detail::large_alloc(kSlots * chunk)));
    if (!ring_) throw std::bad_alloc();
    for (std::size_t i = 0; i < kSlots; ++i) bufs_[i] = ring_.get() + i * chunk;
    thread_ = std::thread([this] { run(); });
  }
  ~ReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next chunk (empty at end of file or after an error; see error()).
  // Valid until the next call.
  std::string_view next() {
    std::unique_lock<std::mutex> lock(mu_);
    if (have_current_) {  // give the previous buffer back
      ++consumed_;
      have_current_ = false;
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return filled_ > consumed_ || eof_; });
    if (filled_ == consumed_) return {};
    const std::size_t slot = consumed_ % kSlots;
    cv_.wait(lock, [&] { return check_[slot] != Check::kRunning; });  // a check of 256 KB: short
    current_ = check_[slot] == Check::kDone ? prechecks_[slot] : LogPrecheck{};
    check_[slot] = Check::kTaken;
    have_current_ = true;
    return std::string_view(bufs_[slot], sizes_[slot]);
  }
  // The quiet test done ahead for the chunk next() returned (not quiet when none was done).
  const LogPrecheck& precheck() const { return current_; }
  // errno of a failed read, 0 when none.
  int error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  enum class Check : std::uint8_t { kNone, kRunning, kDone, kTaken };

  bool can_read() const { return !eof_ && filled_ - consumed_ < kSlots; }
  // The newest filled buffer that neither the scanner nor a check has taken; kSlots when none.
  std::size_t claimable() const {
    for (std::uint64_t i = filled_; i > consumed_ + (have_current_ ? 1 : 0); --i)
      if (check_[(i - 1) % kSlots] == Check::kNone) return (i - 1) % kSlots;
    return kSlots;
  }

  // Fills the next free buffer; false at end of file or on an error.
  bool read_one(std::unique_lock<std::mutex>& lock) {
    const std::size_t slot = filled_ % kSlots;
    lock.unlock();  // the free slot is the reader's until filled_ counts it
    char* buf = bufs_[slot];
    std::size_t got = 0;
    int err = 0;
    while (got < chunk_) {
      ssize_t n = ::read(fd_, buf + got, chunk_ - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        err = errno;
        break;
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    lock.lock();
    if (got > 0) {
      sizes_[slot] = got;
      check_[slot] = Check::kNone;
      ++filled_;
    }
    cv_.notify_all();
    if (err != 0 || got < chunk_) {  // end of file (a short read to the end) or an error
      error_ = err;
      eof_ = true;
      return false;
    }
    return true;
  }

  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || can_read() || claimable() < kSlots || eof_; });
      if (stop_) return;
      if (can_read()) {
        read_one(lock);
        continue;
      }
      const std::size_t slot = claimable();
      if (slot == kSlots) {
        if (eof_) return;  // nothing left to read or to check
        continue;
      }
      check_[slot] = Check::kRunning;
      lock.unlock();
      LogPrecheck pre = checker_.check(std::string_view(bufs_[slot], sizes_[slot]));
      lock.lock();
      prechecks_[slot] = pre;
      check_[slot] = Check::kDone;
      cv_.notify_all();
    }
  }

  int fd_;
  std::size_t chunk_;
  std::unique_ptr<char, detail::LargeFree> ring_;
  std::array<char*, kSlots> bufs_{};
  std::array<std::size_t, kSlots> sizes_{};
  std::array<LogPrecheck, kSlots> prechecks_{};
  std::array<Check, kSlots> check_{};
  LogPrecheck current_;  // the scanner's copy for the chunk it holds
  LogPrechecker checker_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t filled_ = 0, consumed_ = 0;  // buffers filled by the reader / given back by the scanner
  bool have_current_ = false, eof_ = false, stop_ = false;
  int error_ = 0;
  std::thread thread_;
};

struct SyndromeGroup {
  Severity severity = Severity::kInfo;
  std::uint64_t count = 0;
  std::size_t first_seen = 0;
  std::vector<std::pair<std::string, LogMatch>> shown;  // (file, match), the first kShownPerSyndrome
};

class Scan {
 public:
  Scan(std::shared_ptr<const LogScanner> scanner, bool jsonl, Severity fail_on)
      : scanner_(std::move(scanner)), jsonl_(jsonl), fail_on_(fail_on), progress_(isatty(STDERR_FILENO) != 0) {}

  void file(const std::string& path) {
    LogStream stream(scanner_, path);
    std::vector<LogMatch> matches;
    if (path == "-") {
      std::vector<char> buf(kChunkBytes);
      for (;;) {
        ssize_t n = read(STDIN_FILENO, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          error("-: cannot read standard input");
          break;
        }
        if (n == 0) break;
        stream.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), &matches);
        emit(path, &matches);
      }
    } else {
      std::error_code ec;
      auto st = std::filesystem::status(path, ec);
      if (!std::filesystem::exists(st)) return error(path + ": no such file");
      if (std::filesystem::is_directory(st)) return error(path + ": is a directory");
      // Checked before opening: opening a FIFO would release a writer blocked in its open.
      if (std::filesystem::is_fifo(st)) return error(path + ": is a FIFO (named pipe), not a regular file");
      if (std::filesystem::is_character_file(st)) return error(path + ": is a character device, not a regular file");
      if (std::filesystem::is_block_file(st)) return error(path + ": is a block device, not a regular file");
      if (!std::filesystem::is_regular_file(st)) return error(path + ": is not a regular file");
      std::uint64_t size = std::filesystem::file_size(path, ec);
      if (ec) size = 0;
      bool show_progress = progress_ && size >= kProgressMinBytes;
      // O_NONBLOCK: opening a FIFO never waits for a writer; it is refused below.
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      struct stat fst {};
      if (fd < 0) return error(path + ": cannot open: " + std::strerror(errno));
      if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        ::close(fd);
        return error(path + ": not a regular file");
      }
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      auto last_draw = std::chrono::steady_clock::now();
      {
        ReadAhead reader(fd, kChunkBytes, scanner_);
        for (std::string_view chunk; !(chunk = reader.next()).empty();) {
          stream.feed(chunk, &matches, reader.precheck());
          emit(path, &matches);
          if (show_progress && size > 0) {
            auto now = std::chrono::steady_clock::now();
            if (now - last_draw > std::chrono::milliseconds(200)) {
              last_draw = now;
              const std::uint64_t done = stream.bytes_seen();
              double pct = 100.0 * static_cast<double>(done) / static_cast<double>(size);
              std::fprintf(stderr, "\rscanning %s: %5.1f%% (%llu / %llu MB)", path.c_str(), std::min(pct, 100.0),
                           static_cast<unsigned long long>(done >> 20), static_cast<unsigned long long>(size >> 20));
            }
          }
        }
        if (int err = reader.error(); err != 0) error(path + ": read failed: " + std::strerror(err));
      }
      ::close(fd);
      if (show_progress) std::fprintf(stderr, "\r\033[K");
    }
    stream.flush(&matches);
    emit(path, &matches);
    bytes_ += stream.bytes_seen();
    lines_ += stream.lines_seen();
    ++files_;
  }

  int finish(double seconds) {
    if (jsonl_) {
      SummaryTotals totals{worst_, {}, seconds};
      for (const auto& [name, g] : ordered()) totals.by_syndrome.emplace_back(name, g->count);
      detail::JsonWriter w;
      detail::begin_summary(w, totals);
      w.key("files").value(files_).key("bytes").value(bytes_).key("lines").value(lines_).key("matches").value(matches_);
      w.key("errors").value(static_cast<std::uint64_t>(errors_)).end_object();
      write_line(stdout, w.take());
    } else {
      print_text(seconds);
    }
    if (errors_ > 0) return kExitError;
    return worst_ && *worst_ >= fail_on_ ? kExitFindings : kExitOk;
  }

 private:
  void error(const std::string& what) {
    print_error("scan: " + what);
    ++errors_;
  }

  void emit(const std::string& file, std::vector<LogMatch>* matches) {
    for (LogMatch& m : *matches) {
      ++matches_;
      if (!worst_ || m.severity > *worst_) worst_ = m.severity;
      SyndromeGroup& g = groups_[m.syndrome];
      if (g.count == 0) g.first_seen = groups_.size();
      ++g.count;
      g.severity = std::max(g.severity, m.severity);
      if (jsonl_) {
        write_line(stdout, to_json(m, file));
      } else if (g.shown.size() < kShownPerSyndrome) {
        g.shown.emplace_back(file, std::move(m));
      }
    }
    matches->clear();
  }

  // Groups by severity (worst first), then by first appearance.
  std::vector<std::pair<std::string, const SyndromeGroup*>> ordered() const {
    std::vector<std::pair<std::string, const SyndromeGroup*>> out;
    for (const auto& [name, g] : groups_) out.emplace_back(name, &g);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      if (a.second->severity != b.second->severity) return a.second->severity > b.second->severity;
      return a.second->first_seen < b.second->first_seen;
    });
    return out;
  }

  void print_text(double seconds) {
    Style style = Style::for_stream(stdout);
    std::string out;
    for (const auto& [name, g] : ordered()) {
      out += style.severity(g->severity) + " " + style.bold(name) + "  " + std::to_string(g->count) +
             (g->count == 1 ? " match\n" : " matches\n");
      for (const auto& [file, m] : g->shown) {
        out += "  " + file + ":" + std::to_string(m.line) + "  " + m.message + "\n";
        std::string text = m.text.size() > 160 ? m.text.substr(0, 157) + "..." : m.text;
        out += "    " + style.dim(text) + "\n";
      }
      if (g->count > g->shown.size()) out += "  ... and " + std::to_string(g->count - g->shown.size()) + " more\n";
    }
    char buf[256];
    double mb = static_cast<double>(bytes_) / 1e6;
    std::snprintf(buf, sizeof buf, "scanned %llu file%s, %.1f MB, %llu lines in %.2f s (%.0f MB/s): %llu match%s\n",
                  static_cast<unsigned long long>(files_), files_ == 1 ? "" : "s", mb,
                  static_cast<unsigned long long>(lines_), seconds, seconds > 0 ? mb / seconds : 0.0,
                  static_cast<unsigned long long>(matches_), matches_ == 1 ? "" : "es");
    out += buf;
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }

  std::shared_ptr<const LogScanner> scanner_;
  bool jsonl_;
  Severity fail_on_;
  bool progress_;
  std::map<std::string, SyndromeGroup> groups_;
  std::optional<Severity> worst_;
  std::uint64_t files_ = 0, bytes_ = 0, lines_ = 0, matches_ = 0;
  int errors_ = 0;
};

constexpr CommandHelp kHelp = {
    .usage = "sidecar-cli scan [--playbook F] [--format text|jsonl] [--fail-on SEVERITY] FILE...",
    .summary = "Scan log files for failure syndromes ('-' reads standard input; text is grouped by syndrome).",
    .flags = kScanFlags,
    .exit_status = kFindingsExit};

Result<int> scan_main(const ParsedFlags& flags) {
  auto out = output_flags(flags);
  if (!out) return out.status();
  if (flags.positional.empty()) return Status(StatusCode::kInvalidArgument, "no FILE given (see --help)");

  auto options = options_from_playbook(flags.get_or("playbook", ""), read_log_options);
  if (!options) return options.status();
  auto scanner = LogScanner::create(*options);
  if (!scanner) return scanner.status();

  auto start = std::chrono::steady_clock::now();
  Scan scan(*scanner, out->jsonl, out->fail_on);
  for (const std::string& path : flags.positional) scan.file(path);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return scan.finish(seconds);
}

}  // namespace

Result<int> cmd_scan(Args args) { return run_command(kHelp, args, scan_main); }

}  // namespace sidecar::cli
