// Metric sources beyond one appended file: HF trainer_state.json (rewritten
// in place at every save), the MLflow file store (one file per key), and
// detectron2's metrics.json (JSON Lines with its own step and time keys).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/metric_sources.h"
#include "sidecar/file_tail.h"

namespace sidecar::detail {

namespace {

// --- trainer_state.json ------------------------------------------------------

constexpr std::uint64_t kMaxStateBytes = std::uint64_t{256} << 20;

// Skips a JSON string starting at s[i] == '"'; returns the index past it, or npos.
std::size_t skip_json_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The complete top-level objects of the "log_history" array of a
// trainer_state.json document (a cut document yields its complete prefix).
std::vector<std::string_view> log_history_objects(std::string_view doc, bool* found) {
  std::vector<std::string_view> out;
  *found = false;
  // Find "log_history" as a key at depth 1.
  int depth = 0;
  std::size_t i = 0;
  std::size_t array_at = std::string_view::npos;
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == '"') {
      const std::size_t e = skip_json_string(doc, i);
      if (e == std::string_view::npos) return out;
      if (depth == 1 && doc.substr(i, e - i) == "\"log_history\"") {
        std::size_t j = e;
        while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n' || doc[j] == '\r' || doc[j] == '\t')) ++j;
        if (j < doc.size() && doc[j] == ':') {
          ++j;
          while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n' || doc[j] == '\r' || doc[j] == '\t')) ++j;
          if (j < doc.size() && doc[j] == '[') {
            array_at = j;
            break;
          }
        }
      }
      i = e;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ++i;
  }
  if (array_at == std::string_view::npos) return out;
  *found = true;
  i = array_at + 1;
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == ']') break;
    if (c != '{') {
      ++i;
      continue;
    }
    // One element object: find its matching brace.
    int d = 0;
    std::size_t j = i;
    bool complete = false;
    while (j < doc.size()) {
      const char x = doc[j];
      if (x == '"') {
        j = skip_json_string(doc, j);
        if (j == std::string_view::npos) return out;
        continue;
      }
      if (x == '{' || x == '[') ++d;
      if (x == '}' || x == ']') {
        if (--d == 0) {
          complete = true;
          ++j;
          break;
        }
      }
      ++j;
    }
    if (!complete) break;  // the writer is mid-way: the rest comes next poll
    out.push_back(doc.substr(i, j - i));
    i = j;
  }
  return out;
}

class TrainerStateSource final : public RowSource {
 public:
  TrainerStateSource(std::string path, const MetricsReaderOptions& opt) : path_(std::move(path)), parser_(opt) {}

  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) override {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return std::size_t{0};  // not there (yet)
    if (!S_ISREG(st.st_mode)) return Status(StatusCode::kIoError, path_ + ": not a regular file");
    const Stamp now{st.st_ino, static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    if (have_stamp_ && now == stamp_) return std::size_t{0};
    if (now.size > kMaxStateBytes) {
      stamp_ = now;
      have_stamp_ = true;
      ++stats->malformed;
      stats->last_error = path_ + ": larger than " + std::to_string(kMaxStateBytes) + " bytes; not read";
      return std::size_t{0};
    }
    std::string doc;
    if (Status s = read_file(&doc); !s.ok()) return s;
    stats->bytes += doc.size();
    bool found = false;
    std::vector<std::string_view> objs = log_history_objects(doc, &found);
    if (!found) {
      // Cut mid-write before the array: try again when the file changes.
      if (doc.find("\"log_history\"") == std::string::npos && doc.size() > 0 && doc.back() == '}') {
        ++stats->malformed;
        stats->last_error = path_ + ": no log_history array";
      }
      return std::size_t{0};
    }
    // Complete document? (Only then is the stamp recorded: a cut one is re-read.)
    const bool complete = !doc.empty() && detail::trim(doc).back() == '}';
    std::size_t delivered = 0;
    std::uint64_t first_fp = objs.empty() ? 0 : std::hash<std::string_view>{}(objs.front());
    // The history we delivered from continues (same first entry, not shorter): new entries by index.
    // Otherwise (a new run, a resume from an older checkpoint): entries after the last step delivered.
    const bool continues = delivered_count_ == 0 || (first_fp == first_fp_ && objs.size() >= delivered_count_);
    if (!continues) ++stats->restarts;
    for (std::size_t idx = continues ? delivered_count_ : 0; idx < objs.size(); ++idx) {
      Status s = parser_.parse_json(objs[idx], [&](const MetricRow& row) {
        if (!continues && last_step_ && row.step && *row.step <= *last_step_) return;  // delivered before
        if (row.step) last_step_ = std::max(last_step_.value_or(*row.step), *row.step);
        if (row.values.empty()) return;
        ++delivered;
        on_row(row);
      });
      if (!s.ok()) {
        ++stats->malformed;
        stats->last_error = path_ + ": log_history[" + std::to_string(idx) + "]: " + s.message();
      }
    }
    delivered_count_ = objs.size();
    first_fp_ = first_fp;
    if (complete) {
      stamp_ = now;
      have_stamp_ = true;
    }
    stats->rows += delivered;
    stats->dropped_keys = parser_.dropped_keys();
    return delivered;
  }

  std::size_t flush(const std::function<void(const MetricRow&)>&, MetricsStats*) override { return 0; }

 private:
  struct Stamp {
    std::uint64_t ino = 0, size = 0;
    std::int64_t sec = 0, nsec = 0;
    bool operator==(const Stamp&) const = default;
  };

  Status read_file(std::string* out) {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) return Status::Ok();
      return Status(errno == EACCES ? StatusCode::kPermissionDenied : StatusCode::kIoError,
                    path_ + ": " + std::strerror(errno));
    }
    char buf[1 << 16];
    while (out->size() < kMaxStateBytes) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out->append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return Status::Ok();
  }

  std::string path_;
  MetricsLineParser parser_;
  Stamp stamp_;
  bool have_stamp_ = false;
  std::size_t delivered_count_ = 0;
  std::uint64_t first_fp_ = 0;
  std::optional<std::int64_t> last_step_;
};

// --- MLflow file store -------------------------------------------------------

// metrics/<key> files ("timestamp value step" lines; keys with '/' are subdirectories).
class MlflowSource final : public RowSource {
 public:
  MlflowSource(std::string path, const MetricsReaderOptions& opt) : opt_(opt) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    struct stat st {};
    const std::string sub = path + "/metrics";
    metrics_dir_ = (::stat(sub.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ? sub : path;
  }

  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) override {
    refresh(metrics_dir_, "", 0);
    std::map<std::int64_t, Group> by_step;
    std::size_t values = 0;
    Status last = Status::Ok();
    for (auto& [key, f] : files_) {
      auto on_chunk = [&, &key = key, &f = f](std::string_view data) {
        while (!data.empty()) {
          const std::size_t nl = data.find('\n');
          if (nl == std::string_view::npos) {
            if (f.partial.size() + data.size() <= 4096) f.partial.append(data);
            break;
          }
          std::string_view line = data.substr(0, nl);
          data.remove_prefix(nl + 1);
          std::string joined;
          if (!f.partial.empty()) {
            joined = std::move(f.partial);
            f.partial.clear();
            joined.append(line);
            line = joined;
          }
          ++f.line_no;
          if (add_line(key, line, &by_step)) {
            ++values;
          } else if (!detail::trim(line).empty()) {
            ++stats->malformed;
            stats->last_error = f.tail.path() + ":" + std::to_string(f.line_no) + ": not 'timestamp value step'";
          }
        }
        return values <= kMaxValuesPerPoll;
      };
      if (Status s = drain_tail(
              f.tail, stats, [&f = f] { f.partial.clear(); }, on_chunk);
          !s.ok())
        last = s;
    }
    std::size_t delivered = 0;
    for (auto& [step, g] : by_step) {
      MetricRow row;
      row.step = step;
      if (g.ts_ms > 0) row.timestamp = g.ts_ms / 1000.0;
      row.values = std::span<const MetricValue>(g.values.data(), g.values.size());
      ++delivered;
      on_row(row);
    }
    stats->rows += delivered;
    if (!last.ok() && delivered == 0) return last;
    return delivered;
  }

  std::size_t flush(const std::function<void(const MetricRow&)>&, MetricsStats*) override { return 0; }

 private:
  struct Group {
    double ts_ms = 0;
    std::vector<MetricValue> values;
  };
  struct File {
    explicit File(std::string p) : tail(std::move(p)) {}
    FileTail tail;
    std::string partial;
    std::uint64_t line_no = 0;
  };

  bool add_line(const std::string& key, std::string_view line, std::map<std::int64_t, Group>* by_step) {
    std::string_view t = detail::trim(line);
    const std::size_t a = t.find(' ');
    if (a == std::string_view::npos) return false;
    std::string_view rest = detail::trim(t.substr(a + 1));
    const std::size_t b = rest.find(' ');
    auto ts = detail::parse_number(t.substr(0, a));
    auto value = detail::parse_number(b == std::string_view::npos ? rest : rest.substr(0, b));
    std::optional<double> step =
        b == std::string_view::npos ? std::optional<double>(0.0) : detail::parse_number(rest.substr(b + 1));
    std::optional<std::int64_t> at = step ? detail::step_from(*step, /*allow_negative=*/true) : std::nullopt;
    if (!ts || !value || !at) return false;  // a step no int64 holds is a malformed line (fuzz_metric_files)
    Group& g = (*by_step)[*at];
    g.ts_ms = std::max(g.ts_ms, std::isfinite(*ts) ? *ts : 0.0);
    for (MetricValue& mv : g.values) {
      if (mv.key == key) {  // the same key twice for a step in one poll: the latest wins
        mv.value = *value;
        return true;
      }
    }
    if (g.values.size() < opt_.max_keys) g.values.push_back({key, *value});
    return true;
  }

  void refresh(const std::string& dir, const std::string& prefix, int depth) {
    if (depth > 8) return;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    std::size_t seen = 0;
    std::vector<std::pair<std::string, std::string>> subdirs;
    while (dirent* e = ::readdir(d)) {
      if (++seen > 4096) break;
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string full = dir + "/" + name;
      std::string key = prefix.empty() ? name : prefix + "/" + name;
      struct stat st {};
      if (::stat(full.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        subdirs.emplace_back(full, key);
      } else if (S_ISREG(st.st_mode) && files_.find(key) == files_.end() && files_.size() < opt_.max_keys) {
        files_.emplace(key, File(full));
      }
    }
    ::closedir(d);
    for (auto& [full, key] : subdirs) refresh(full, key, depth + 1);
  }

  static constexpr std::size_t kMaxValuesPerPoll = 1'000'000;
  MetricsReaderOptions opt_;
  std::string metrics_dir_;
  std::map<std::string, File> files_;  // by key (std::map: stable key storage for the views)
};

// --- detectron2 metrics.json -------------------------------------------------

class Detectron2Source final : public RowSource {
 public:
  Detectron2Source(std::string path, const MetricsReaderOptions& opt) : reader_(std::move(path), with_jsonl(opt)) {}

  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) override {
    std::size_t n = 0;
    auto r = reader_.poll([&](const MetricRow& row) { n += convert(row, on_row); });
    copy_stats(stats);
    if (!r) return r.status();
    return n;
  }

  std::size_t flush(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) override {
    std::size_t n = 0;
    reader_.flush([&](const MetricRow& row) { n += convert(row, on_row); });
    copy_stats(stats);
    return n;
  }

 private:
  static MetricsReaderOptions with_jsonl(MetricsReaderOptions o) {
    o.format = MetricsFormat::kJsonl;
    return o;
  }

  void copy_stats(MetricsStats* stats) {
    const MetricsStats& s = reader_.stats();
    stats->malformed = s.malformed;
    stats->bytes = s.bytes;
    stats->restarts = s.restarts;
    stats->dropped_keys = s.dropped_keys;
    stats->last_error = s.last_error;
    stats->rows = rows_;
  }

  // "iteration" is the step; "time" (seconds per iteration), which the JSON
  // parser took for a timestamp, is a value again.
  std::size_t convert(const MetricRow& in, const std::function<void(const MetricRow&)>& on_row) {
    values_.clear();
    MetricRow row;
    row.step = in.step;
    bool has_time = false;  // the parser delivers "time" itself beside a "data_time"
    for (const MetricValue& v : in.values) {
      if (v.key == "iteration" && !row.step) {
        if ((row.step = detail::step_from(v.value))) continue;
      }
      has_time = has_time || v.key == "time";
      values_.push_back(v);
    }
    if (in.timestamp && !has_time) values_.push_back({"time", *in.timestamp});
    if (values_.empty()) return 0;
    row.values = std::span<const MetricValue>(values_.data(), values_.size());
    ++rows_;
    on_row(row);
    return 1;
  }

  MetricsReader reader_;
  std::vector<MetricValue> values_;
  std::uint64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<RowSource> make_trainer_state_source(std::string path, const MetricsReaderOptions& options) {
  return std::make_unique<TrainerStateSource>(std::move(path), options);
}
std::unique_ptr<RowSource> make_mlflow_source(std::string path, const MetricsReaderOptions& options) {
  return std::make_unique<MlflowSource>(std::move(path), options);
}
std::unique_ptr<RowSource> make_detectron2_source(std::string path, const MetricsReaderOptions& options) {
  return std::make_unique<Detectron2Source>(std::move(path), options);
}

}  // namespace sidecar::detail
