// MetricsLineParser: one JSON line (simdjson on-demand) or one CSV line -> MetricRow.
//
// JSON: a flat object of numbers (the usual row) is scanned directly
// (detail/flat_json.h, the same values simdjson gives); any other line is
// copied into a reusable padded buffer and iterated once with simdjson;
// nested objects are flattened with '/', numbers given as strings are parsed,
// booleans, nulls and arrays are not metrics. Python's bare NaN / Infinity /
// -Infinity tokens make simdjson fail; only then is the line scanned, those
// tokens quoted, and the line parsed again (normal rows never pay for it).
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/flat_json.h"
#include "sidecar/detail/iso8601.h"
#include "sidecar/metrics.h"

namespace sidecar {

namespace od = simdjson::ondemand;

namespace {
// Each format's name first, then the aliases parse_metrics_format() accepts.
constexpr detail::Named<MetricsFormat> kFormatNames[] = {{MetricsFormat::kAuto, "auto"},
                                                         {MetricsFormat::kJsonl, "jsonl"},
                                                         {MetricsFormat::kWandbHistory, "wandb_history"},
                                                         {MetricsFormat::kLightningCsv, "lightning_csv"},
                                                         {MetricsFormat::kSb3ProgressCsv, "sb3_progress_csv"},
                                                         {MetricsFormat::kTfEvents, "tfevents"},
                                                         {MetricsFormat::kHfTrainerState, "hf_trainer_state"},
                                                         {MetricsFormat::kMlflow, "mlflow"},
                                                         {MetricsFormat::kDetectron2, "detectron2"},
                                                         {MetricsFormat::kJsonl, "json"},
                                                         {MetricsFormat::kWandbHistory, "wandb"},
                                                         {MetricsFormat::kLightningCsv, "lightning"},
                                                         {MetricsFormat::kLightningCsv, "csv"},
                                                         {MetricsFormat::kSb3ProgressCsv, "sb3"},
                                                         {MetricsFormat::kTfEvents, "tensorboard"},
                                                         {MetricsFormat::kHfTrainerState, "trainer_state"}};
}  // namespace

std::string_view to_string(MetricsFormat f) { return detail::name_of(kFormatNames, f, "auto"); }

std::optional<MetricsFormat> parse_metrics_format(std::string_view text) {
  return detail::parse_named(kFormatNames, text);
}

namespace {

// Which step key wins when a row has several (lower rank wins).
int step_rank(std::string_view k) {
  switch (k.size()) {
    case 4:
      return k == "step" ? 1 : 0;
    case 5:
      return k == "_step" ? 5 : 0;
    case 11:
      return k == "global_step" ? 2 : 0;
    case 19:
      return k == "trainer/global_step" ? 3 : 0;
    case 20:
      return k == "time/total_timesteps" ? 4 : 0;
    default:
      return 0;
  }
}

bool is_timestamp_key(std::string_view k) {
  switch (k.size()) {
    case 4:
      return k == "time";
    case 9:
      return k == "timestamp";
    case 10:
      return k == "_timestamp";
    default:
      return false;
  }
}

std::optional<std::int64_t> to_step(double v) { return detail::step_from(v, /*allow_negative=*/true); }

// Seconds since the epoch of a value that is an ISO 8601 time and nothing
// else ("2024-05-01T12:00:00.5Z", "... +02:00"; no zone means UTC), or nullopt.
std::optional<double> parse_iso8601(std::string_view s) {
  auto t = detail::parse_iso8601_prefix(s);
  if (!t || t->length != s.size()) return std::nullopt;
  return t->seconds;
}

// Quotes bare NaN / Infinity / -Infinity tokens outside strings. Returns
// false when there were none (the line's failure has another cause).
bool quote_nonfinite_tokens(std::string_view in, std::string* out) {
  out->clear();
  bool in_string = false;
  bool changed = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      out->push_back(c);
      if (c == '\\' && i + 1 < in.size()) {
        out->push_back(in[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out->push_back(c);
      continue;
    }
    std::string_view rest = in.substr(i);
    std::size_t len = 0;
    if (rest.starts_with("NaN")) {
      len = 3;
    } else if (rest.starts_with("Infinity")) {
      len = 8;
    } else if (rest.starts_with("-Infinity")) {
      len = 9;
    }
    if (len != 0) {
      out->push_back('"');
      out->append(rest.substr(0, len));
      out->push_back('"');
      i += len - 1;
      changed = true;
      continue;
    }
    out->push_back(c);
  }
  return changed;
}

// Splits one CSV record (RFC 4180 quoting, no embedded newlines) into cells.
// Quoted cells are unquoted into `scratch` (views stay valid: reserved).
bool split_csv(std::string_view line, std::vector<std::string_view>* cells, std::string* scratch) {
  cells->clear();
  scratch->clear();
  scratch->reserve(line.size());
  std::size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      std::size_t start = scratch->size();
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch->push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch->push_back(line[i++]);
      }
      cells->emplace_back(scratch->data() + start, scratch->size() - start);
      if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
    } else {
      std::size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      cells->push_back(line.substr(i, end - i));
      i = end;
    }
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return true;
}

std::string_view strip_eol(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

}  // namespace

struct MetricsLineParser::Impl {
  explicit Impl(MetricsReaderOptions o) : opt(o) {
    stream_parser.threaded = false;  // no stage-1 worker thread behind the caller's back
    if (opt.max_depth < 1) opt.max_depth = 1;
    if (opt.max_line_bytes == 0) opt.max_line_bytes = 1;
  }

  MetricsReaderOptions opt;
  od::parser parser;         // single lines
  od::parser stream_parser;  // blocks (iterate_many); separate so a single line never disturbs a stream
  std::vector<char> block_copy;
  std::vector<char> padded;                      // the line + SIMDJSON_PADDING
  std::string fallback;                          // the line with NaN/Infinity quoted
  std::string prefix;                            // flattened key prefix of the object being walked
  std::string key_buf;                           // prefix + key of the current leaf
  static constexpr std::size_t kMaxFlat = 256;   // members of a line the fast path takes
  std::array<detail::FlatField, kMaxFlat> flat;  // its fields
  std::size_t flat_count = 0;
  detail::FlatLineScanner flat_scanner;  // remembers the last line's shape (the next one usually has it)

  // The row being built. Top-level keys are views into simdjson's string
  // buffer (valid for the document) or, on the fast path, into the line;
  // flattened keys live in `arena`, whose
  // offsets are patched into `values` when the row is complete.
  struct ArenaKey {
    std::uint32_t index;
    std::uint32_t off;
    std::uint32_t len;
  };
  std::string arena;
  std::vector<ArenaKey> arena_keys;
  std::vector<MetricValue> values;
  std::optional<std::int64_t> step;
  int step_rank_seen = 0;
  std::optional<double> timestamp;
  std::optional<double> time_value;  // a top-level "time" (see deliver)
  bool wandb = false;
  std::uint64_t dropped = 0;

  // CSV state.
  enum class Role : std::uint8_t { kMetric, kStep, kTimestamp, kIgnored };
  std::vector<std::string> columns;
  std::vector<Role> roles;
  bool has_header = false;
  std::vector<std::string_view> cells;
  std::string cell_scratch;

  void begin_row() {
    arena.clear();
    arena_keys.clear();
    values.clear();
    step.reset();
    step_rank_seen = 0;
    timestamp.reset();
    time_value.reset();
  }

  // Takes the step and the timestamp out of a leaf; false for them, for
  // W&B's internal keys and for an empty key ({"": 1} names nothing), true
  // for a metric.
  bool is_metric(std::string_view key, double v) {
    if (key.empty()) return false;
    // Step and time keys all begin with one of these (most metrics do not);
    // W&B's internal keys are looked for below.
    const char c = key.front();
    if (!wandb && c != 's' && c != 't' && c != '_' && c != 'g') return true;
    if (int r = step_rank(key); r != 0) {
      if (step_rank_seen == 0 || r < step_rank_seen) {
        if (auto s = to_step(v)) {
          step = s;
          step_rank_seen = r;
        }
      }
      return false;
    }
    if (is_timestamp_key(key)) {
      if (!timestamp && std::isfinite(v)) timestamp = v;
      if (key == "time") time_value = v;
      return false;
    }
    return !(wandb && ((!key.empty() && key.front() == '_') || key.find("/_") != std::string_view::npos));
  }

  // A leaf value under its full (flattened) key.
  void add_value(std::string_view key, double v) {
    if (!is_metric(key, v)) return;
    if (values.size() >= opt.max_keys) {
      ++dropped;
      return;
    }
    if (key.data() == key_buf.data()) {  // a flattened key: copy it out of key_buf
      arena_keys.push_back({static_cast<std::uint32_t>(values.size()), static_cast<std::uint32_t>(arena.size()),
                            static_cast<std::uint32_t>(key.size())});
      arena.append(key);
    }
    values.push_back({key, v});
  }

  void deliver(const std::function<void(const MetricRow&)>& on_row) {
    if (values.empty() && !step && !timestamp) return;
    for (const ArenaKey& a : arena_keys) values[a.index].key = std::string_view(arena.data() + a.off, a.len);
    if (time_value) add_iter_time();
    MetricRow row;
    row.step = step;
    row.timestamp = timestamp;
    row.values = std::span<const MetricValue>(values.data(), values.size());
    on_row(row);
  }

  // A "time" under 1e6 is also delivered as the metric "time" (and stays the
  // row's timestamp, as before): mmcv's / mmengine's seconds per iteration
  // ("time: 0.828, data_time: 0.050"), lit-llama's milliseconds per
  // iteration, or a time since the start (the engine judges it only after it
  // fell once: a clock never falls). A value of 1e6 s or more is a clock
  // (1970-01-12 onwards).
  void add_iter_time() {
    constexpr double kClockFloor = 1e6;
    if (!(std::fabs(*time_value) < kClockFloor) || values.size() >= opt.max_keys) return;
    values.push_back({std::string_view("time"), *time_value});
  }

  // Walks one object; `prefix` holds the key prefix (with its trailing '/').
  Status walk(od::object obj, int depth) {
    for (auto field : obj) {
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return json_error(err);
      od::value v;
      if (auto err = field.value().get(v)) return json_error(err);
      double d;
      if (v.get_double().get(d) == simdjson::SUCCESS) {  // the common case first (does not consume on failure)
        add_leaf(key, d);
        continue;
      }
      od::json_type t;
      if (auto err = v.type().get(t)) {
        // Python's bare NaN / Infinity (a peek: nothing consumed, the object skips the token).
        if (auto nf = python_nonfinite(v)) {
          add_leaf(key, *nf);
          continue;
        }
        return json_error(err);
      }
      switch (t) {
        case od::json_type::number: {
          if (auto err = v.get_double().get(d)) {
            if (auto nf = python_nonfinite(v)) {  // -Infinity
              add_leaf(key, *nf);
              break;
            }
            return json_error(err);
          }
          add_leaf(key, d);
          break;
        }
        case od::json_type::string: {
          std::string_view s;
          if (auto err = v.get_string().get(s)) return json_error(err);
          if (auto num = detail::parse_number(s)) {
            add_leaf(key, *num);  // "nan", "1e-3"; other text is not a metric
          } else if (prefix.empty() && is_timestamp_key(key)) {
            if (auto ts = parse_iso8601(s)) add_leaf(key, *ts);
          }
          break;
        }
        case od::json_type::boolean: {
          bool b;
          if (auto err = v.get_bool().get(b)) return json_error(err);  // validated, not a metric
          break;
        }
        case od::json_type::null: {
          bool is_null = false;
          if (auto err = v.is_null().get(is_null)) return json_error(err);
          if (!is_null) return json_error(simdjson::N_ATOM_ERROR);
          break;
        }
        case od::json_type::object: {
          if (depth + 1 > opt.max_depth) {
            return Status(StatusCode::kResourceExhausted,
                          "nested deeper than " + std::to_string(opt.max_depth) + " levels");
          }
          od::object child;
          if (auto err = v.get_object().get(child)) return json_error(err);
          const std::size_t old = prefix.size();
          prefix.append(key);
          prefix.push_back('/');
          Status s = walk(child, depth + 1);
          prefix.resize(old);
          if (!s.ok()) return s;
          break;
        }
        case od::json_type::array:
          break;  // histograms, media, lists: not scalar metrics (skipped unread)
      }
    }
    return Status::Ok();
  }

  // The value of a bare NaN / Infinity / -Infinity token (exactly as Python writes them).
  static std::optional<double> python_nonfinite(od::value& v) {
    std::string_view tok = detail::trim(v.raw_json_token());
    if (tok == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (tok == "Infinity") return std::numeric_limits<double>::infinity();
    if (tok == "-Infinity") return -std::numeric_limits<double>::infinity();
    return std::nullopt;
  }

  void add_leaf(std::string_view key, double v) {
    if (prefix.empty()) {
      add_value(key, v);
      return;
    }
    key_buf.assign(prefix);
    key_buf.append(key);
    add_value(key_buf, v);
  }

  // The fast path: a flat object of numbers becomes the row without
  // simdjson. False: the line is something else (nothing was added).
  bool parse_flat(std::string_view line) {
    if (scan_flat(line) != detail::FlatScan::kObject) return false;
    add_flat();
    return true;
  }

  detail::FlatScan scan_flat(std::string_view line) {
    return flat_scanner.scan(line, flat.data(), flat.size(), &flat_count);
  }

  // The row of a scanned flat line (add_value's rules; its keys are views into the line).
  void add_flat() {
    begin_row();
    prefix.clear();
    values.resize(flat_count);
    std::size_t n = 0;
    for (std::size_t i = 0; i < flat_count; ++i) {
      const detail::FlatField& f = flat[i];
      if (!is_metric(f.key, f.value)) continue;
      if (n >= opt.max_keys) {
        ++dropped;
        continue;
      }
      values[n++] = {f.key, f.value};
    }
    values.resize(n);
  }

  // Lines of a block by the fast path, each other line parsed alone
  // (slow_line) until more than kMaxSlowPerPiece of them: returns where it
  // stopped (the first line left to a simdjson stream) or past piece_end.
  static constexpr int kMaxSlowPerPiece = 16;
  template <class SlowLine>
  const char* fast_lines(const char* p, const char* piece_end, std::size_t* index,
                         const std::function<void(const MetricRow&)>& on_row, SlowLine& slow_line) {
    int slow = 0;
    while (p < piece_end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(piece_end - p));
      const char* e = nl != nullptr ? static_cast<const char*>(nl) : piece_end;
      const std::string_view line(p, static_cast<std::size_t>(e - p));
      detail::FlatScan s = line.size() > opt.max_line_bytes ? detail::FlatScan::kOther : scan_flat(line);
      if (s == detail::FlatScan::kObject) {
        add_flat();
        deliver(on_row);
      } else if (s == detail::FlatScan::kOther) {
        if (++slow > kMaxSlowPerPiece) return p;
        slow_line(p, e);
      }
      p = e + 1;
      ++*index;
    }
    return p;
  }

  // One simdjson stream over the lines from p to piece_end (defined below). Returns true when a
  // malformed line ended it (parsed alone by slow_line; p and index are past it).
  template <class SlowLine>
  bool stream_lines(const char*& p, const char* piece_end, std::size_t& index,
                    const std::function<void(const MetricRow&)>& on_row, SlowLine& slow_line);
  // Delivers the row of one stream document that starts on the line ending at e; false when it
  // is not a valid object alone on its line.
  template <class DocRef>
  bool deliver_doc(DocRef& doc_ref, const char* e, const std::function<void(const MetricRow&)>& on_row);

  // One complete line of JSON (no padding yet).
  Status parse_json_line(std::string_view line) {
    padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded.data(), line.data(), line.size());
    std::memset(padded.data() + line.size(), ' ', simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (auto err = parser.iterate(padded.data(), line.size(), padded.size()).get(doc)) return json_error(err);
    od::object obj;
    if (auto err = doc.get_object().get(obj)) {
      if (err == simdjson::INCORRECT_TYPE) return Status(StatusCode::kParseError, "not a JSON object");
      return json_error(err);
    }
    prefix.clear();
    if (Status s = walk(obj, 1); !s.ok()) return s;
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == simdjson::SUCCESS) {
      return Status(StatusCode::kParseError, "trailing content after the JSON object");
    }
    return Status::Ok();
  }

  Status too_long() const {
    return Status(StatusCode::kResourceExhausted, "line longer than " + std::to_string(opt.max_line_bytes) + " bytes");
  }

  static Status json_error(simdjson::error_code err) {
    return Status(StatusCode::kParseError, std::string("invalid JSON: ") + simdjson::error_message(err));
  }
};

MetricsLineParser::MetricsLineParser(MetricsReaderOptions options) : impl_(std::make_unique<Impl>(options)) {}
MetricsLineParser::~MetricsLineParser() = default;
MetricsLineParser::MetricsLineParser(MetricsLineParser&&) noexcept = default;
MetricsLineParser& MetricsLineParser::operator=(MetricsLineParser&&) noexcept = default;

std::uint64_t MetricsLineParser::dropped_keys() const { return impl_->dropped; }
const MetricsReaderOptions& MetricsLineParser::options() const { return impl_->opt; }
bool MetricsLineParser::has_csv_header() const { return impl_->has_header; }

Status MetricsLineParser::parse_json(std::string_view line, const std::function<void(const MetricRow&)>& on_row,
                                     bool wandb) {
  Impl& m = *impl_;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.size() > m.opt.max_line_bytes) return m.too_long();  // bytes before the newline, blanks included
  line = detail::trim(line);
  if (line.empty()) return Status::Ok();
  m.wandb = wandb;
  if (m.parse_flat(line)) {
    m.deliver(on_row);
    return Status::Ok();
  }
  m.begin_row();
  Status s = m.parse_json_line(line);
  if (!s.ok() && s.code() == StatusCode::kParseError && quote_nonfinite_tokens(line, &m.fallback)) {
    // Python's json.dumps writes NaN / Infinity / -Infinity bare: quote them and parse again.
    m.begin_row();
    s = m.parse_json_line(m.fallback);
  }
  if (!s.ok()) return s;
  m.deliver(on_row);
  return Status::Ok();
}

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Where the piece that starts at p ends: about `piece` bytes, cut after a line end.
const char* piece_end_from(const char* p, const char* end, std::size_t piece) {
  if (static_cast<std::size_t>(end - p) > piece) {
    if (const void* nl = ::memrchr(p, '\n', piece)) return static_cast<const char*>(nl) + 1;
    if (const void* nl2 = std::memchr(p + piece, '\n', static_cast<std::size_t>(end - p) - piece))
      return static_cast<const char*>(nl2) + 1;
  }
  return end;
}

const char* line_end_in(const char* from, const char* piece_end) {
  const void* nl = std::memchr(from, '\n', static_cast<std::size_t>(piece_end - from));
  return nl != nullptr ? static_cast<const char*>(nl) : piece_end;
}

}  // namespace

template <class DocRef>
bool MetricsLineParser::Impl::deliver_doc(DocRef& doc_ref, const char* e,
                                          const std::function<void(const MetricRow&)>& on_row) {
  od::object obj;
  begin_row();
  prefix.clear();
  bool ok = doc_ref.get_object().get(obj) == simdjson::SUCCESS && walk(obj, 1).ok();
  if (ok) {
    // The object closed on this line and nothing follows it there: the
    // next token lies past the line, with only blanks in between.
    // At the end of the stream simdjson may have dropped an unbalanced
    // tail (`{"a": 1}2}`): then the line is checked on its own.
    const char* next = nullptr;
    ok = doc_ref.current_location().get(next) == simdjson::SUCCESS && next > e;
    for (const char* q = e; ok && q < next; ++q) ok = is_ws(*q);
  }
  if (ok) deliver(on_row);
  return ok;
}

template <class SlowLine>
bool MetricsLineParser::Impl::stream_lines(const char*& p, const char* piece_end, std::size_t& index,
                                           const std::function<void(const MetricRow&)>& on_row, SlowLine& slow_line) {
  const char* const stream_base = p;
  const std::size_t len = static_cast<std::size_t>(piece_end - p);
  od::document_stream docs;
  if (stream_parser.iterate_many(p, len, std::max<std::size_t>(len, 64)).get(docs) != simdjson::SUCCESS) return false;
  for (auto it = docs.begin(); it != docs.end(); ++it) {
    const char* s = stream_base + it.current_index();
    if (s < p) continue;  // a second value on a line already handled (reported there)
    // Skip blank lines up to the line where this document starts.
    const char* e = piece_end;
    const char* first = piece_end;
    while (p < piece_end) {
      e = line_end_in(p, piece_end);
      first = p;
      while (first < e && is_ws(*first)) ++first;
      if (first != e) break;
      if (static_cast<std::size_t>(e - p) > opt.max_line_bytes) slow_line(p, e);  // a huge blank line
      p = e + 1;
      ++index;
    }
    if (p >= piece_end) break;
    bool ok = s == first && static_cast<std::size_t>(e - p) <= opt.max_line_bytes;
    auto doc_ref = *it;
    if (ok) ok = !doc_ref.error();
    if (ok) ok = deliver_doc(doc_ref, e, on_row);
    if (!ok) {
      slow_line(p, e);  // reports what is wrong with this line
      p = e + 1;
      ++index;
      return true;
    }
    p = e + 1;
    ++index;
  }
  return false;
}

std::size_t MetricsLineParser::parse_json_lines(
    std::string_view text, std::size_t padding, const std::function<void(const MetricRow&)>& on_row,
    const std::function<void(std::size_t line_index, const Status& error)>& on_error, bool wandb) {
  Impl& m = *impl_;
  if (text.empty()) return 0;
  if (padding < simdjson::SIMDJSON_PADDING) {
    m.block_copy.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(m.block_copy.data(), text.data(), text.size());
    std::memset(m.block_copy.data() + text.size(), ' ', simdjson::SIMDJSON_PADDING);
    text = std::string_view(m.block_copy.data(), text.size());
  }
  const char* const end = text.data() + text.size();
  const char* p = text.data();  // start of the first line not handled yet
  std::size_t index = 0;        // its 0-based line index
  m.wandb = wandb;

  // One line on its own (the exact semantics of parse_json).
  auto slow_line = [&](const char* line_begin, const char* line_end) {
    Status st =
        parse_json(std::string_view(line_begin, static_cast<std::size_t>(line_end - line_begin)), on_row, wandb);
    if (!st.ok()) on_error(index, st);
  };

  // Pieces of about 1 MB, cut at line ends: one simdjson batch each, so
  // stage 1's index stays in cache and the end of a stream is the end of a piece.
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  while (p < end) {
    const char* piece_end = piece_end_from(p, end, kPiece);
    // Flat lines first, without simdjson; a piece of other lines goes to a stream.
    p = m.fast_lines(p, piece_end, &index, on_row, slow_line);
    // A malformed line ends the stream (simdjson cannot resume a failed
    // document): it is parsed alone and a new stream starts after it. Past a
    // few restarts per piece the rest goes line by line (bounded work).
    constexpr int kMaxRestarts = 8;
    for (int restarts = 0; p < piece_end && restarts <= kMaxRestarts; ++restarts)
      if (!m.stream_lines(p, piece_end, index, on_row, slow_line)) break;
    // Whatever the stream did not cover (a stage-1 error, a misaligned document, blank lines).
    while (p < piece_end) {
      const char* e = line_end_in(p, piece_end);
      slow_line(p, e);
      p = e + 1;
      ++index;
    }
  }
  return index;
}

Status MetricsLineParser::set_csv_header(std::string_view line) {
  Impl& m = *impl_;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.size() > m.opt.max_line_bytes) return m.too_long();
  line = strip_eol(line);
  if (!split_csv(line, &m.cells, &m.cell_scratch))
    return Status(StatusCode::kParseError, "unterminated quote in the CSV header");
  m.columns.clear();
  m.roles.clear();
  m.has_header = false;
  int best_step = 0;
  std::size_t step_col = 0;
  std::size_t metrics = 0;
  for (std::string_view cell : m.cells) {
    std::string name(detail::trim(cell));
    Impl::Role role = Impl::Role::kMetric;
    if (name.empty()) {
      role = Impl::Role::kIgnored;  // pandas' unnamed index column
    } else if (int r = step_rank(name); r != 0) {
      role = Impl::Role::kIgnored;
      if (best_step == 0 || r < best_step) {
        best_step = r;
        step_col = m.columns.size();
      }
    } else if (is_timestamp_key(name)) {
      role = Impl::Role::kTimestamp;
    } else if (metrics >= m.opt.max_keys) {
      role = Impl::Role::kIgnored;
      ++m.dropped;
      name.clear();  // not stored
    } else {
      ++metrics;
    }
    m.columns.push_back(std::move(name));
    m.roles.push_back(role);
  }
  if (best_step != 0) m.roles[step_col] = Impl::Role::kStep;
  m.has_header = true;
  return Status::Ok();
}

Status MetricsLineParser::parse_csv(std::string_view line, const std::function<void(const MetricRow&)>& on_row) {
  Impl& m = *impl_;
  if (!m.has_header) return Status(StatusCode::kInvalidArgument, "CSV row before its header");
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.size() > m.opt.max_line_bytes) return m.too_long();
  line = strip_eol(line);
  if (detail::trim(line).empty()) return Status::Ok();
  if (!split_csv(line, &m.cells, &m.cell_scratch)) return Status(StatusCode::kParseError, "unterminated quote");
  if (m.cells.size() > m.columns.size()) {
    return Status(StatusCode::kParseError,
                  std::to_string(m.cells.size()) + " fields but the header has " + std::to_string(m.columns.size()));
  }
  m.values.clear();
  MetricRow row;
  for (std::size_t i = 0; i < m.cells.size(); ++i) {
    std::string_view cell = m.cells[i];
    if (cell.empty()) continue;  // sparse: absent, not zero
    Impl::Role role = m.roles[i];
    if (role == Impl::Role::kIgnored) continue;
    auto v = detail::parse_number(cell);
    if (!v) continue;  // text ("True", a date): not a metric
    switch (role) {
      case Impl::Role::kStep:
        row.step = to_step(*v);
        break;
      case Impl::Role::kTimestamp:
        if (std::isfinite(*v)) row.timestamp = *v;
        break;
      case Impl::Role::kMetric:
        m.values.push_back({m.columns[i], *v});
        break;
      case Impl::Role::kIgnored:
        break;
    }
  }
  if (m.values.empty() && !row.step && !row.timestamp) return Status::Ok();
  row.values = std::span<const MetricValue>(m.values.data(), m.values.size());
  on_row(row);
  return Status::Ok();
}

Status parse_metrics_json_line(std::string_view line, const std::function<void(const MetricRow&)>& on_row,
                               const MetricsReaderOptions& options) {
  thread_local MetricsLineParser parser(options);
  const MetricsReaderOptions& cur = parser.options();
  if (cur.max_line_bytes != options.max_line_bytes || cur.max_depth != options.max_depth ||
      cur.max_keys != options.max_keys) {
    parser = MetricsLineParser(options);
  }
  return parser.parse_json(line, on_row, options.format == MetricsFormat::kWandbHistory);
}

}  // namespace sidecar
