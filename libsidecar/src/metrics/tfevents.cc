// TensorBoard event files: TFRecord framing (u64 length, masked CRC32C of the
// length, data, masked CRC32C of the data; both checked) around Event
// protobufs (message classes generated from libsidecar/proto/tfevents.proto).
// Each Event with scalar summary values (simple_value, or a one-element
// float/double/half/bfloat16/int tensor) becomes one row: step = Event.step,
// timestamp = Event.wall_time, one value per tag.
//
// A record whose header CRC fails is counted and the reader resyncs on the
// next offset whose header checks; a record whose data CRC fails is counted
// and skipped. Records larger than the limit (graphs, images) are skipped
// without being buffered. A partial record waits for its remaining bytes.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>

#include "sidecar/detail/metric_sources.h"
#include "sidecar/file_tail.h"

#ifdef SIDECAR_WITH_TENSORBOARD
#include "tfevents.pb.h"
#endif

namespace sidecar::detail {

namespace {

// CRC32C (Castagnoli, reflected 0x82F63B78), slicing-by-8.
struct Crc32cTables {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  constexpr Crc32cTables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
    }
  }
};
constexpr Crc32cTables kCrc{};

std::uint64_t load_le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint32_t load_le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
  while (n >= 8) {
    const std::uint32_t lo = c ^ load_le32(p);
    const std::uint32_t hi = load_le32(p + 4);
    c = kCrc.t[7][lo & 0xFF] ^ kCrc.t[6][(lo >> 8) & 0xFF] ^ kCrc.t[5][(lo >> 16) & 0xFF] ^ kCrc.t[4][lo >> 24] ^
        kCrc.t[3][hi & 0xFF] ^ kCrc.t[2][(hi >> 8) & 0xFF] ^ kCrc.t[1][(hi >> 16) & 0xFF] ^ kCrc.t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kCrc.t[0][(c ^ *p++) & 0xFF];
  return ~c;
}

#ifdef SIDECAR_WITH_TENSORBOARD
namespace {

namespace pb = sidecar::tfevents;

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  std::uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf / nan
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mant & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(bits);
}

template <typename T>
std::optional<T> from_content(const std::string& c) {
  if (c.size() != sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, c.data(), sizeof(T));  // TensorFlow writes host (little-endian) order
  return v;
}

// The value of a one-element numeric tensor.
std::optional<double> tensor_scalar(const pb::TensorProto& t) {
  std::int64_t elements = 1;
  for (const auto& d : t.tensor_shape().dim()) {
    if (d.size() != 1) elements = d.size() < 0 ? 2 : elements * d.size();
    if (elements != 1) return std::nullopt;
  }
  const std::string& c = t.tensor_content();
  switch (t.dtype()) {
    case 1:  // DT_FLOAT
      if (t.float_val_size() > 0) return t.float_val(0);
      if (auto v = from_content<float>(c)) return *v;
      return std::nullopt;
    case 2:  // DT_DOUBLE
      if (t.double_val_size() > 0) return t.double_val(0);
      return from_content<double>(c);
    case 19:  // DT_HALF
    case 14:  // DT_BFLOAT16
    {
      std::uint16_t bits;
      if (t.half_val_size() > 0) {
        bits = static_cast<std::uint16_t>(t.half_val(0));
      } else if (auto v = from_content<std::uint16_t>(c)) {
        bits = *v;
      } else {
        return std::nullopt;
      }
      if (t.dtype() == 19) return half_to_float(bits);
      return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
    }
    case 3:  // DT_INT32
      if (t.int_val_size() > 0) return t.int_val(0);
      if (auto v = from_content<std::int32_t>(c)) return *v;
      return std::nullopt;
    case 9:  // DT_INT64
      if (t.int64_val_size() > 0) return static_cast<double>(t.int64_val(0));
      if (auto v = from_content<std::int64_t>(c)) return static_cast<double>(*v);
      return std::nullopt;
    default:
      return std::nullopt;  // strings (text summaries), bools, complex
  }
}

}  // namespace

struct TfRecordEvents::Impl {
  explicit Impl(std::size_t max) : max_record(std::max<std::size_t>(max, 64)) {}
  std::size_t max_record;
  std::string buf;           // unconsumed bytes (an incomplete record)
  std::uint64_t skip = 0;    // bytes of an over-large record still to skip
  std::uint64_t offset = 0;  // file offset of buf[0]
  bool resyncing = false;
  pb::Event event;
  std::vector<MetricValue> values;
  Counters counters;

  void error(std::uint64_t at, const char* what) {
    ++counters.bad_records;
    counters.last_error = "offset " + std::to_string(at) + ": " + what;
  }

  // Parses complete records from buf[pos...]; returns the bytes consumed.
  std::size_t run(const std::function<void(const MetricRow&)>& on_row, std::size_t* rows) {
    const auto* base = reinterpret_cast<const unsigned char*>(buf.data());
    const std::size_t n = buf.size();
    std::size_t pos = 0;
    while (true) {
      if (skip > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(skip, n - pos));
        pos += k;
        skip -= k;
        if (skip > 0) return pos;
      }
      if (n - pos < 12) return pos;
      const unsigned char* h = base + pos;
      const std::uint64_t len = load_le64(h);
      if (masked_crc32c(h, 8) != load_le32(h + 8)) {
        if (!resyncing) {
          error(offset + pos, "bad record header CRC; resyncing");
          ++counters.resyncs;
          resyncing = true;
        }
        ++pos;  // look for the next offset whose header checks
        continue;
      }
      resyncing = false;
      const std::uint64_t total = 12 + len + 4;
      if (len > max_record) {
        ++counters.skipped_large;
        ++counters.records;
        skip = total;
        continue;
      }
      if (n - pos < total) return pos;  // partial record: wait
      const unsigned char* d = h + 12;
      const std::size_t dlen = static_cast<std::size_t>(len);
      ++counters.records;
      if (masked_crc32c(d, dlen) != load_le32(d + dlen)) {
        error(offset + pos, "bad record data CRC; record skipped");
      } else {
        event.Clear();
        if (!event.ParseFromArray(d, static_cast<int>(dlen))) {
          error(offset + pos, "record is not an Event protobuf");
        } else if (deliver(on_row)) {
          ++*rows;
        }
      }
      pos += static_cast<std::size_t>(total);
    }
  }

  bool deliver(const std::function<void(const MetricRow&)>& on_row) {
    if (!event.has_summary()) return false;  // file_version, graphs, session logs
    values.clear();
    for (const pb::Summary::Value& v : event.summary().value()) {
      std::string_view tag = v.tag().empty() ? std::string_view(v.node_name()) : std::string_view(v.tag());
      if (tag.empty()) continue;
      if (v.value_case() == pb::Summary::Value::kSimpleValue) {
        values.push_back({tag, static_cast<double>(v.simple_value())});
      } else if (v.value_case() == pb::Summary::Value::kTensor) {
        if (auto x = tensor_scalar(v.tensor())) values.push_back({tag, *x});
      }
    }
    if (values.empty()) return false;
    MetricRow row;
    row.step = event.step();
    if (std::isfinite(event.wall_time()) && event.wall_time() > 0) row.timestamp = event.wall_time();
    row.values = std::span<const MetricValue>(values.data(), values.size());
    on_row(row);
    return true;
  }

  std::size_t feed(std::string_view data, const std::function<void(const MetricRow&)>& on_row) {
    std::size_t rows = 0;
    // Skipping a large record needs no buffering.
    if (skip > 0 && buf.empty()) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(skip, data.size()));
      data.remove_prefix(k);
      skip -= k;
      offset += k;
      if (data.empty()) return 0;
    }
    buf.append(data);
    const std::size_t used = run(on_row, &rows);
    buf.erase(0, used);
    offset += used;
    if (buf.capacity() > 4 * max_record && buf.size() < max_record) buf.shrink_to_fit();
    return rows;
  }
};

bool TfRecordEvents::supported() { return true; }

#else  // !SIDECAR_WITH_TENSORBOARD

struct TfRecordEvents::Impl {
  explicit Impl(std::size_t) {}
  Counters counters;
  std::string buf;
  std::size_t feed(std::string_view, const std::function<void(const MetricRow&)>&) { return 0; }
};

bool TfRecordEvents::supported() { return false; }

#endif

TfRecordEvents::TfRecordEvents(std::size_t max_record_bytes) : impl_(std::make_unique<Impl>(max_record_bytes)) {}
TfRecordEvents::~TfRecordEvents() = default;
TfRecordEvents::TfRecordEvents(TfRecordEvents&&) noexcept = default;
TfRecordEvents& TfRecordEvents::operator=(TfRecordEvents&&) noexcept = default;
std::size_t TfRecordEvents::feed(std::string_view data, const std::function<void(const MetricRow&)>& on_row) {
  return impl_->feed(data, on_row);
}
std::size_t TfRecordEvents::pending() const { return impl_->buf.size(); }
void TfRecordEvents::reset() {
  Counters keep = std::move(impl_->counters);
  const std::size_t max = [&] {
#ifdef SIDECAR_WITH_TENSORBOARD
    return impl_->max_record;
#else
    return std::size_t{0};
#endif
  }();
  impl_ = std::make_unique<Impl>(max);
  impl_->counters = std::move(keep);
}
const TfRecordEvents::Counters& TfRecordEvents::counters() const { return impl_->counters; }

namespace {

bool is_tfevents_name(std::string_view name) { return name.find("tfevents") != std::string_view::npos; }

// Follows one tfevents file or every tfevents file of a directory.
class TfEventsSource final : public RowSource {
 public:
  TfEventsSource(std::string path, const MetricsReaderOptions& opt) : path_(std::move(path)), opt_(opt) {}

  Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) override {
    if (!TfRecordEvents::supported()) {
      return Status(StatusCode::kUnavailable, path_ + ": built without TensorBoard support (protobuf)");
    }
    refresh_files();
    std::size_t delivered = 0;
    Status last = Status::Ok();
    for (auto& [name, f] : files_) {
      std::uint64_t bytes_this_poll = 0;
      auto on_chunk = [&, &f = f](std::string_view data) {
        bytes_this_poll += data.size();
        delivered += f.events.feed(data, on_row);
        return opt_.max_poll_bytes == 0 || bytes_this_poll < opt_.max_poll_bytes;  // else the rest next poll
      };
      if (Status s = drain_tail(
              f.tail, stats, [&f = f] { f.events.reset(); }, on_chunk);
          !s.ok())
        last = s;
      sync_counters(f, stats);
    }
    stats->rows += delivered;
    if (!last.ok() && delivered == 0) return last;
    return delivered;
  }

  std::size_t flush(const std::function<void(const MetricRow&)>&, MetricsStats* stats) override {
    for (auto& [name, f] : files_) {
      if (f.events.pending() > 0) {
        ++stats->malformed;
        stats->last_error =
            f.tail.path() + ": file ends inside a record (" + std::to_string(f.events.pending()) + " bytes); not read";
        f.events.reset();
      }
    }
    return 0;
  }

 private:
  struct File {
    explicit File(std::string p, std::size_t max) : tail(std::move(p)), events(max) {}
    FileTail tail;
    TfRecordEvents events;
    std::uint64_t bad_seen = 0;
  };

  void sync_counters(File& f, MetricsStats* stats) {
    const auto& c = f.events.counters();
    if (c.bad_records > f.bad_seen) {
      stats->malformed += c.bad_records - f.bad_seen;
      f.bad_seen = c.bad_records;
      stats->last_error = f.tail.path() + ": " + c.last_error;
    }
  }

  void refresh_files() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      if (files_.empty()) files_.emplace(path_, File(path_, opt_.max_line_bytes));
      return;
    }
    DIR* d = ::opendir(path_.c_str());
    if (d == nullptr) return;
    std::size_t seen = 0;
    while (dirent* e = ::readdir(d)) {
      if (++seen > 4096) break;
      std::string_view name = e->d_name;
      if (!is_tfevents_name(name)) continue;
      std::string full = path_ + "/" + std::string(name);
      if (files_.find(full) != files_.end()) continue;
      if (files_.size() >= kMaxFiles) {
        // Keep the newest names (they carry the creation time): drop the oldest.
        if (full < files_.begin()->first) continue;
        files_.erase(files_.begin());
      }
      files_.emplace(full, File(full, opt_.max_line_bytes));
    }
    ::closedir(d);
  }

  static constexpr std::size_t kMaxFiles = 64;
  std::string path_;
  MetricsReaderOptions opt_;
  std::map<std::string, File> files_;  // by name: creation order
};

}  // namespace

std::unique_ptr<RowSource> make_tfevents_source(std::string path, const MetricsReaderOptions& options) {
  return std::make_unique<TfEventsSource>(std::move(path), options);
}

}  // namespace sidecar::detail
