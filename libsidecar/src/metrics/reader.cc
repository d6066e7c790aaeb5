// MetricsReader: FileTail + line splitting + MetricsLineParser.
//
// Complete lines are parsed straight out of FileTail's chunk; only a partial
// last line is kept (bounded by max_line_bytes) until its newline arrives.
// CSV writers (Lightning's CSVLogger, SB3) rewrite the whole file in place
// when a new column appears: the header is re-checked after every read, and a
// rewritten file is read again from the start with the rows already delivered
// skipped (recognised by the first row's fingerprint, so a new run that
// reuses the path is delivered in full).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/metric_sources.h"
#include "sidecar/file_tail.h"
#include "sidecar/metrics.h"

namespace sidecar {

namespace {

constexpr std::size_t simdjson_padding = 64;  // SIMDJSON_PADDING (simdjson stays out of this file)

bool is_csv(MetricsFormat f) { return f == MetricsFormat::kLightningCsv || f == MetricsFormat::kSb3ProgressCsv; }

// Order-independent fingerprint of a row (CSV column order may change on a rewrite).
std::uint64_t fingerprint(const MetricRow& row) {
  std::uint64_t h = row.step ? static_cast<std::uint64_t>(*row.step) * 0x9E3779B97F4A7C15ull : 0x51ull;
  for (const MetricValue& v : row.values) {
    std::uint64_t kh = std::hash<std::string_view>{}(v.key);
    std::uint64_t vh = std::bit_cast<std::uint64_t>(v.value);
    h += (kh ^ (vh * 0xFF51AFD7ED558CCDull)) * 0xC4CEB9FE1A85EC53ull;
  }
  return h;
}

// What a directory holds: tfevents files, or an MLflow run (meta.yaml + metrics/, or a metrics/ dir itself).
MetricsFormat directory_format(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return MetricsFormat::kAuto;
  MetricsFormat f = MetricsFormat::kAuto;
  bool meta = false, metrics = false;
  std::size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    if (++seen > 4096) break;
    std::string_view name = e->d_name;
    if (name.find("tfevents") != std::string_view::npos) {
      f = MetricsFormat::kTfEvents;
      break;
    }
    meta = meta || name == "meta.yaml";
    metrics = metrics || name == "metrics";
  }
  ::closedir(d);
  if (f == MetricsFormat::kAuto && metrics) f = MetricsFormat::kMlflow;
  if (f == MetricsFormat::kAuto && !meta && dir.ends_with("/metrics") && dir.find("mlruns") != std::string::npos)
    f = MetricsFormat::kMlflow;
  return f;
}

bool is_directory(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

MetricsFormat metrics_format_for_path(std::string_view path) {
  std::string_view name = path;
  if (auto slash = name.find_last_of('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string lower = detail::to_lower(name);
  if (lower.find("tfevents") != std::string::npos) return MetricsFormat::kTfEvents;
  if (lower == "trainer_state.json") return MetricsFormat::kHfTrainerState;
  if (lower == "metrics.json") return MetricsFormat::kDetectron2;
  if (lower.find("wandb-history") != std::string::npos) return MetricsFormat::kWandbHistory;
  if (lower == "progress.csv") return MetricsFormat::kSb3ProgressCsv;
  if (lower.ends_with(".csv")) return MetricsFormat::kLightningCsv;
  return MetricsFormat::kJsonl;
}

struct MetricsReader::Impl {
  Impl(std::string p, MetricsReaderOptions o) : path(std::move(p)), opt(o), tail(path), parser(o) {
    tail.set_round_budget(opt.max_poll_bytes, std::chrono::milliseconds(static_cast<long>(opt.max_poll_s * 1000)));
    if (opt.format == MetricsFormat::kAuto) {
      std::string_view name = path;
      if (auto slash = name.find_last_of('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
      std::string lower = detail::to_lower(name);
      // A known name decides; an unknown one is decided by the first byte of the file.
      if (lower.ends_with(".jsonl") || lower.ends_with(".json") || lower.ends_with(".csv") ||
          lower.find("wandb-history") != std::string::npos || lower.find("tfevents") != std::string::npos) {
        format = metrics_format_for_path(path);
      }
    } else {
      format = opt.format;
    }
    if (opt.max_line_bytes == 0) opt.max_line_bytes = 1;
    make_source();
    json_cb = [this](const MetricRow& row) { deliver(row); };
    csv_cb = [this](const MetricRow& row) { on_csv_row(row); };
  }

  std::string path;
  MetricsReaderOptions opt;
  MetricsFormat format = MetricsFormat::kAuto;
  std::unique_ptr<detail::RowSource> source;  // tfevents, trainer_state.json, MLflow, detectron2
  FileTail tail;
  MetricsLineParser parser;
  MetricsStats stats;

  std::string partial;        // the unfinished last line
  bool discarding = false;    // inside an over-long line: drop bytes until its newline
  std::uint64_t line_no = 0;  // of the current file, 1-based

  // CSV: the header line as read, rows seen in this file, rewrite handling.
  std::string head_raw;  // the file's bytes up to and including the header line
  bool header_seen = false;
  bool head_exact = true;  // head_raw is byte-exact (no over-long line skipped before the header)
  std::uint64_t data_rows = 0;
  std::uint64_t first_fp = 0;
  std::uint64_t first_fp_index = 0;
  bool have_first_fp = false;
  std::uint64_t skip_rows = 0;      // rows of a rewritten file already delivered
  std::uint64_t skip_fp = 0;        // the first row's fingerprint before the rewrite
  std::uint64_t skip_fp_index = 0;  // and its index
  bool skip_pending_check = false;  // the first row decides whether this is a rewrite

  const std::function<void(const MetricRow&)>* sink = nullptr;
  std::function<void(const MetricRow&)> json_cb;  // made once: no per-line std::function
  std::function<void(const MetricRow&)> csv_cb;
  std::size_t delivered = 0;

  // The formats that are not one appended file get their own source; a
  // directory given with kAuto is looked into (again at each poll until it says).
  void make_source() {
    if (format == MetricsFormat::kAuto && is_directory(path)) format = directory_format(path);
    using Make = std::unique_ptr<detail::RowSource> (*)(std::string, const MetricsReaderOptions&);
    static constexpr std::pair<MetricsFormat, Make> kSources[] = {
        {MetricsFormat::kTfEvents, detail::make_tfevents_source},
        {MetricsFormat::kHfTrainerState, detail::make_trainer_state_source},
        {MetricsFormat::kMlflow, detail::make_mlflow_source},
        {MetricsFormat::kDetectron2, detail::make_detectron2_source}};
    for (const auto& [f, make] : kSources)
      if (f == format) source = make(path, opt);
  }

  void malformed(std::uint64_t line, const std::string& what) {
    ++stats.malformed;
    stats.last_error = path + ":" + std::to_string(line) + ": " + what;
  }

  // A new file begins (restart, rotation, CSV rewrite): drop per-file state.
  void begin_file(bool maybe_rewrite) {
    partial.clear();
    discarding = false;
    line_no = 0;
    if (is_csv(format) || format == MetricsFormat::kAuto) {
      if (maybe_rewrite && have_first_fp && data_rows > 0) {
        skip_rows = data_rows;
        skip_fp = first_fp;
        skip_fp_index = first_fp_index;
        skip_pending_check = true;
      } else {
        skip_rows = 0;
        skip_pending_check = false;
      }
      head_raw.clear();
      header_seen = false;
      head_exact = true;
      data_rows = 0;
      have_first_fp = false;
    }
  }

  void deliver(const MetricRow& row) {
    ++delivered;
    ++stats.rows;
    (*sink)(row);
  }

  void on_csv_row(const MetricRow& row) {
    const std::uint64_t index = data_rows++;
    if (!have_first_fp) {  // the first row that parsed (usually index 0)
      first_fp = fingerprint(row);
      first_fp_index = index;
      have_first_fp = true;
    }
    if (skip_pending_check && index >= skip_fp_index) {
      skip_pending_check = false;
      // A different first row: a new file, not a rewrite. Deliver everything.
      if (index != skip_fp_index || fingerprint(row) != skip_fp) skip_rows = 0;
    }
    if (index < skip_rows) return;  // delivered before the rewrite
    deliver(row);
  }

  void handle_line(std::string_view line) {
    ++line_no;
    if (format == MetricsFormat::kAuto) {
      std::string_view t = detail::trim(line);
      if (t.empty()) return;
      format = t.front() == '{' ? MetricsFormat::kJsonl : MetricsFormat::kLightningCsv;
    }
    if (is_csv(format)) {
      if (!header_seen) {
        if (head_raw.size() + line.size() < opt.max_line_bytes) {
          head_raw.append(line);
          head_raw.push_back('\n');
        } else {
          head_exact = false;
        }
        if (detail::trim(line).empty()) return;
        Status s = parser.set_csv_header(line);
        if (!s.ok()) {
          malformed(line_no, s.message());
          return;
        }
        header_seen = true;
        return;
      }
      Status s = parser.parse_csv(line, csv_cb);
      if (!s.ok()) {
        ++data_rows;  // keeps row indexes aligned with a rewritten copy
        malformed(line_no, s.message());
      }
      return;
    }
    Status s = parser.parse_json(line, json_cb, format == MetricsFormat::kWandbHistory);
    if (!s.ok()) malformed(line_no, s.message());
  }

  void feed(std::string_view data) {
    if (format == MetricsFormat::kAuto) {
      // Decide from the first non-blank byte: '{' is JSON Lines, anything else CSV.
      for (std::string_view part : {std::string_view(partial), data}) {
        for (char c : part) {
          if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
          format = c == '{' ? MetricsFormat::kJsonl : MetricsFormat::kLightningCsv;
          break;
        }
        if (format != MetricsFormat::kAuto) break;
      }
    }
    if (format == MetricsFormat::kJsonl || format == MetricsFormat::kWandbHistory) {
      feed_json(data);
    } else {
      feed_lines(data);
    }
  }

  // JSON Lines: complete lines go to the parser in blocks (one simdjson
  // iterate_many pass each), parsed in place in FileTail's buffer.
  void feed_json(std::string_view data) {
    if (discarding) {
      const void* nl = std::memchr(data.data(), '\n', data.size());
      if (nl == nullptr) return;
      discarding = false;
      ++line_no;
      data.remove_prefix(static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1);
    }
    const void* last = data.empty() ? nullptr : ::memrchr(data.data(), '\n', data.size());
    if (last == nullptr) {
      feed_lines(data);  // no complete line: extends the partial one
      return;
    }
    if (!partial.empty()) {
      // Finish the partial line first (one line on its own).
      const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
      feed_lines(data.substr(0, static_cast<std::size_t>(nl - data.data()) + 1));
      data.remove_prefix(static_cast<std::size_t>(nl - data.data()) + 1);
    }
    const std::size_t complete = static_cast<std::size_t>(static_cast<const char*>(last) - data.data()) + 1;
    std::string_view block = data.substr(0, complete);
    std::string_view rest = data.substr(complete);
    // In place while at least simdjson's padding of readable bytes follows; the last few lines are copied.
    std::size_t in_place = 0;
    if (data.size() > simdjson_padding + 1 && block.size() > 0) {
      const std::size_t limit = std::min(block.size(), data.size() - simdjson_padding);
      if (const void* nl = ::memrchr(block.data(), '\n', limit)) {
        in_place = static_cast<std::size_t>(static_cast<const char*>(nl) - block.data()) + 1;
      }
    }
    if (in_place > 0) parse_block(block.substr(0, in_place), data.size() - in_place);
    if (in_place < block.size()) parse_block(block.substr(in_place), 0);
    if (!rest.empty()) feed_lines(rest);
  }

  void parse_block(std::string_view block, std::size_t padding) {
    const std::uint64_t base = line_no;
    line_no += parser.parse_json_lines(
        block, padding, json_cb,
        [&](std::size_t index, const Status& st) { malformed(base + index + 1, st.message()); },
        format == MetricsFormat::kWandbHistory);
  }

  // Line by line (CSV, and the edges of JSON blocks).
  void feed_lines(std::string_view data) {
    while (!data.empty()) {
      const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
      if (nl == nullptr) {
        // No newline yet: keep the partial line (bounded).
        if (discarding) return;
        if (partial.size() + data.size() > opt.max_line_bytes) {
          head_exact = head_exact && header_seen;
          malformed(line_no + 1, "line longer than " + std::to_string(opt.max_line_bytes) + " bytes");
          partial.clear();
          discarding = true;
          return;
        }
        partial.append(data);
        return;
      }
      std::string_view piece(data.data(), static_cast<std::size_t>(nl - data.data()));
      data.remove_prefix(piece.size() + 1);
      if (discarding) {
        // The end of an over-long line, already reported.
        discarding = false;
        ++line_no;
        continue;
      }
      if (!partial.empty()) {
        if (partial.size() + piece.size() > opt.max_line_bytes) {
          head_exact = head_exact && header_seen;
          ++line_no;
          malformed(line_no, "line longer than " + std::to_string(opt.max_line_bytes) + " bytes");
          partial.clear();
          continue;
        }
        partial.append(piece);
        handle_line(partial);
        partial.clear();
      } else {
        handle_line(piece);
      }
    }
  }

  // Has a CSV writer rewritten the file in place (a new header)?
  bool csv_header_changed() {
    if (!header_seen || !head_exact) return false;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;  // gone: FileTail notices rotation/deletion itself
    std::string buf(head_raw.size(), '\0');
    ssize_t n;
    do {
      n = ::pread(fd, buf.data(), buf.size(), 0);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n < 0) return false;
    buf.resize(static_cast<std::size_t>(n));
    return buf != head_raw;
  }

  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row) {
    if (!source && opt.format == MetricsFormat::kAuto && format == MetricsFormat::kAuto && is_directory(path)) {
      make_source();
      if (!source) return std::size_t{0};  // a directory with nothing recognisable yet
    }
    if (source) return source->poll(on_row, &stats);
    sink = &on_row;
    delivered = 0;
    bool rewound = false;
    while (true) {
      auto chunk = tail.poll();
      if (!chunk) {
        sink = nullptr;
        stats.dropped_keys = parser.dropped_keys();
        return chunk.status();
      }
      if (chunk->data.empty()) break;
      if (chunk->restarted) {
        ++stats.restarts;
        begin_file(/*maybe_rewrite=*/true);
      }
      if (is_csv(format) && csv_header_changed()) {
        // Rewritten in place with a new header: read it again from the start
        // (once per poll; a writer rewriting continuously is caught next poll).
        if (rewound) break;
        rewound = true;
        ++stats.restarts;
        tail = FileTail(path);
        tail.set_round_budget(opt.max_poll_bytes, std::chrono::milliseconds(static_cast<long>(opt.max_poll_s * 1000)));
        begin_file(/*maybe_rewrite=*/true);
        continue;
      }
      stats.bytes += chunk->data.size();
      feed(chunk->data);
    }
    sink = nullptr;
    stats.dropped_keys = parser.dropped_keys();
    return delivered;
  }
};

MetricsReader::MetricsReader(std::string path, MetricsReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(path), options)) {}
MetricsReader::~MetricsReader() = default;
MetricsReader::MetricsReader(MetricsReader&&) noexcept = default;
MetricsReader& MetricsReader::operator=(MetricsReader&&) noexcept = default;

Result<std::size_t> MetricsReader::poll(const std::function<void(const MetricRow&)>& on_row) {
  return impl_->poll(on_row);
}
std::size_t MetricsReader::flush(const std::function<void(const MetricRow&)>& on_row) {
  Impl& m = *impl_;
  if (m.source) return m.source->flush(on_row, &m.stats);
  if (m.partial.empty() || m.discarding) return 0;
  m.sink = &on_row;
  m.delivered = 0;
  std::string line = std::move(m.partial);
  m.partial.clear();
  m.handle_line(line);
  m.sink = nullptr;
  m.stats.dropped_keys = m.parser.dropped_keys();
  return m.delivered;
}

const MetricsStats& MetricsReader::stats() const { return impl_->stats; }
const std::string& MetricsReader::path() const { return impl_->path; }
MetricsFormat MetricsReader::format() const { return impl_->format; }

}  // namespace sidecar
