// The history store: fingerprints, JSONL rows, locked appends with
// compaction, and the median baseline.
#include "sidecar/history.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/fd_write.h"

namespace sidecar {
namespace {

constexpr std::size_t kMaxHistoryBytes = 32u << 20;  // read at most the last 32 MiB
constexpr std::size_t kMaxCurvePoints = 32;

// Splits a command line on whitespace outside quotes (quotes are kept).
std::vector<std::string> shell_words(std::string_view cmd) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    char c = cmd[i];
    if (quote) {
      cur += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (c == '\\' && i + 1 < cmd.size()) {
      cur += c;
      c = cmd[++i];
    }
    cur += c;
    in_word = true;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

Status io_error(const std::string& path, int err, std::string_view what) {
  StatusCode code = err == EACCES || err == EPERM ? StatusCode::kPermissionDenied : StatusCode::kIoError;
  return Status(code, path + ": " + std::string(what) + ": " + std::strerror(err));
}

// Reads a whole file (the last kMaxHistoryBytes of it). ENOENT -> empty.
Result<std::string> read_tail(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return io_error(path, errno, "cannot open");
  }
  struct stat st {};
  std::string data;
  off_t start = 0;
  if (::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {  // a device such as /dev/zero would never end
    ::close(fd);
    return Status(StatusCode::kIoError, path + ": not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxHistoryBytes)
    start = st.st_size - static_cast<off_t>(kMaxHistoryBytes);
  char buf[65536];
  off_t pos = start;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return io_error(path, err, "read failed");
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    pos += n;
    if (data.size() >= 2 * kMaxHistoryBytes) break;  // a file that keeps growing while we read
  }
  ::close(fd);
  if (start > 0) {  // drop the partial first line
    std::size_t nl = data.find('\n');
    data.erase(0, nl == std::string::npos ? data.size() : nl + 1);
  }
  return data;
}

std::vector<std::string_view> lines_of(std::string_view data) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < data.size()) {
    std::size_t nl = data.find('\n', start);
    std::string_view line = data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!detail::trim(line).empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

// Every row history_row_to_json() writes begins with this.
constexpr std::string_view kRowMagic = "{\"run_id\":";

// A missing or empty file is fine; otherwise its first non-blank line must
// begin like one of our rows. Errors: kInvalidArgument, kIoError.
Status check_history_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return io_error(path, errno, "cannot open");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(StatusCode::kIoError, path + ": not a regular file");
  }
  char buf[4096];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n <= 0) return Status::Ok();
  std::string_view head(buf, static_cast<std::size_t>(n));
  std::size_t i = head.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return Status::Ok();
  head.remove_prefix(i);
  if (head.size() >= kRowMagic.size() ? head.starts_with(kRowMagic) : kRowMagic.starts_with(head)) return Status::Ok();
  return Status(StatusCode::kInvalidArgument,
                path + ": not a sidecar history file (its first line is not a history row); refusing to write to it");
}

// Keeps the newest max_rows valid rows. Lines that do not parse are kept
// where they are (never dropped); a file larger than we read whole, or with
// more such lines than rows, is not ours to rewrite and is left alone.
// Called under the history lock. Errors: kIoError, kPermissionDenied.
Status compact_history(const std::string& path, int max_rows) {
  const std::size_t keep_rows = static_cast<std::size_t>(std::max(max_rows, 1));
  // A history path that is a symlink (to shared storage) stays one: the file it names is replaced.
  std::error_code ec;
  std::string real = std::filesystem::canonical(path, ec).string();
  if (ec) real = path;
  int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, errno, "cannot open");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxHistoryBytes) {
    ::close(fd);
    return Status::Ok();
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  std::vector<std::string_view> lines = lines_of(data);
  std::vector<bool> valid(lines.size());
  std::size_t rows = 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if ((valid[i] = history_row_from_json(lines[i]).ok())) ++rows;
  if (rows <= keep_rows || lines.size() - rows > rows) return Status::Ok();
  std::size_t drop = rows - keep_rows;  // the oldest valid rows
  std::string body;
  body.reserve(data.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (valid[i] && drop > 0) {
      --drop;
      continue;
    }
    body.append(lines[i]);
    body += '\n';
  }
  return detail::write_file_atomically(real, body, st.st_mode & 07777u);
}
}  // namespace

std::string canonical_command(std::string_view command, std::span<const std::string> masks) {
  std::vector<std::string> words = shell_words(command);
  // The program by its name: `/usr/bin/python3 train.py` is `python3 train.py`.
  for (std::string& w : words) {
    if (w.find('=') != std::string::npos && w.find('/') > w.find('=')) continue;  // NAME=value prefix
    if (w == "env") continue;
    if (std::size_t slash = w.rfind('/'); slash != std::string::npos && slash + 1 < w.size() && w[0] == '/')
      w = w.substr(slash + 1);
    break;
  }
  std::string out;
  bool mask_next = false;
  for (std::string& w : words) {
    if (mask_next) {
      mask_next = false;
      if (w.rfind("--", 0) != 0) continue;  // "--seed 3" reads as "--seed=*" (already written)
    } else {
      for (const std::string& m : masks) {
        if (m.empty()) continue;
        if (w == m && m[0] == '-') {
          mask_next = true;
          w += "=*";
          break;
        }
        if (w.size() > m.size() && w.compare(0, m.size(), m) == 0 && w[m.size()] == '=') {
          w.resize(m.size() + 1);  // "NAME=" stays, the value becomes "*"
          w += '*';
          break;
        }
      }
    }
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string command_fingerprint(std::string_view command, std::span<const std::string> masks) {
  std::string canon = canonical_command(command, masks);
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : canon) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 15];
    h >>= 4;
  }
  return out;
}

constexpr std::size_t kMaxCommandText = 500;

std::string history_row_to_json(const HistoryRow& row) {
  detail::JsonWriter w;
  w.begin_object();
  w.key("run_id").value(row.run_id).key("status").value(row.status).key("timestamp").value(row.timestamp);
  w.key("profile").value(to_string(row.profile)).key("command_fingerprint").value(row.command_fingerprint);
  if (!row.command.empty()) w.key("command").value(row.command.substr(0, kMaxCommandText));
  w.key("summary").begin_object();
  for (const auto& [k, v] : row.summary) w.key(k).value(v);
  w.key("last_step").value(row.last_step);
  if (!row.val_accuracy_curve.empty()) {
    w.key("val_accuracy_curve").begin_array();
    for (const auto& p : row.val_accuracy_curve) w.begin_array().value(p.step).value(p.value).end_array();
    w.end_array();
  }
  w.end_object();
  w.end_object();
  return w.take();
}

Result<HistoryRow> history_row_from_json(std::string_view line) {
  auto doc = parse_json(line, "history row");
  if (!doc) return doc.status();
  const Value& v = *doc;
  if (!v.is_object()) return Status(StatusCode::kParseError, "history row: not an object");
  HistoryRow row;
  auto str = [&](std::string_view key, std::string* out) {
    const Value* f = v.find(key);
    if (!f || f->kind != Value::Kind::kString) return false;
    *out = f->str;
    return true;
  };
  if (!str("run_id", &row.run_id) || !str("status", &row.status) ||
      !str("command_fingerprint", &row.command_fingerprint))
    return Status(StatusCode::kParseError, "history row: missing run_id, status or command_fingerprint");
  if (const Value* t = v.find("timestamp"); t && t->as_number()) row.timestamp = *t->as_number();
  str("command", &row.command);
  if (const Value* p = v.find("profile"); p && p->kind == Value::Kind::kString)
    row.profile = parse_profile(p->str).value_or(Profile::kGeneric);
  if (const Value* s = v.find("summary"); s && s->is_object()) {
    for (const auto& [k, f] : s->members) {
      if (k == "val_accuracy_curve" && f.is_array()) {
        for (const Value& pt : f.items) {
          if (!pt.is_array() || pt.items.size() != 2) continue;
          auto st = pt.items[0].as_number();
          auto val = pt.items[1].as_number();
          if (st && val && row.val_accuracy_curve.size() < kMaxCurvePoints * 2)
            row.val_accuracy_curve.push_back({static_cast<std::int64_t>(*st), *val});
        }
      } else if (k == "last_step") {
        if (auto n = f.as_number()) row.last_step = static_cast<std::int64_t>(*n);
      } else if (f.kind == Value::Kind::kNumber) {
        row.summary.emplace_back(k, f.number);
      }
    }
  }
  return row;
}

Result<HistoryFile> read_history(const std::string& path) {
  auto data = read_tail(path);
  if (!data) return data.status();
  HistoryFile out;
  for (std::string_view line : lines_of(*data)) {
    auto row = history_row_from_json(line);
    if (row)
      out.rows.push_back(std::move(row).value());
    else
      ++out.corrupt_lines;
  }
  return out;
}

Status append_history(const std::string& path, const HistoryRow& row, const HistoryOptions& opt) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (std::filesystem::exists(p, ec) && !std::filesystem::is_regular_file(p, ec))
    return Status(StatusCode::kIoError, path + ": not a regular file");
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::string lock_path = path + ".lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) return io_error(lock_path, errno, "cannot open lock");
  while (::flock(lock, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(lock);
      return io_error(lock_path, err, "cannot lock");
    }
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the flock
  } unlock{lock};

  // Never write into a file that is not a history file (a training log or a
  // metrics file given as --history by mistake): its first line must be one
  // of our rows, which always begin with kRowMagic.
  if (Status s = check_history_file(path); !s.ok()) return s;

  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(path, errno, "cannot open");
  std::string line = history_row_to_json(row);
  line += '\n';
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {  // a torn last line (a crash mid-write) must not swallow ours
    int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    char last = '\n';
    if (rfd >= 0) {
      if (::pread(rfd, &last, 1, st.st_size - 1) != 1) last = '\n';
      ::close(rfd);
    }
    if (last != '\n') line.insert(line.begin(), '\n');
  }
  int err = detail::write_all(fd, line);
  ::close(fd);
  if (err != 0) return io_error(path, err, "write failed");
  return compact_history(path, opt.max_rows);
}

Baseline compute_baseline(std::span<const HistoryRow> rows, std::string_view fingerprint, const HistoryOptions& opt) {
  Baseline b;
  std::vector<double> tp, acc;
  for (const HistoryRow& r : rows) {
    if (r.status != "finished" || r.command_fingerprint != fingerprint) continue;
    // A run that raised a critical alert is no baseline, even if it exited 0.
    if (auto c = r.get("critical_alerts"); c && *c > 0) continue;
    ++b.runs;
    if (auto v = r.get("throughput"); v && std::isfinite(*v) && *v > 0) tp.push_back(*v);
    if (auto v = r.get("val_accuracy_best"); v && std::isfinite(*v)) acc.push_back(*v);
    if (!r.val_accuracy_curve.empty()) {
      Baseline::Curve c;
      c.points = r.val_accuracy_curve;
      std::sort(c.points.begin(), c.points.end(),
                [](const SeriesPoint& x, const SeriesPoint& y) { return x.step < y.step; });
      c.last_step = std::max(r.last_step, c.points.back().step);
      b.val_accuracy_curves.push_back(std::move(c));
    }
  }
  if (b.runs < static_cast<std::size_t>(std::max(opt.min_samples, 1))) return Baseline{};
  if (!tp.empty()) {
    b.throughput_n = tp.size();
    b.throughput = detail::median_inplace(tp);
  }
  if (!acc.empty()) {
    b.val_accuracy_n = acc.size();
    b.val_accuracy_best = detail::median_inplace(acc);
  }
  return b;
}

}  // namespace sidecar
