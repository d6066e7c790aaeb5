// Internal (sidecar::detail): metric sources that are not one line-oriented file (TensorBoard
// event files, HF trainer_state.json, the MLflow file store, detectron2's
// metrics.json). MetricsReader delegates to one of these for those formats.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sidecar/file_tail.h"
#include "sidecar/metrics.h"

namespace sidecar::detail {

// Reads what `tail` has now, chunk by chunk, until nothing is new, a read
// fails (its status is returned) or on_chunk(data) returns false (the rest
// waits for the next poll). A restarted file counts in stats->restarts and
// calls on_restart() first; every chunk's bytes count in stats->bytes.
template <typename OnRestart, typename OnChunk>
Status drain_tail(FileTail& tail, MetricsStats* stats, OnRestart on_restart, OnChunk on_chunk) {
  while (true) {
    auto chunk = tail.poll();
    if (!chunk) return chunk.status();
    if (chunk->data.empty()) return Status::Ok();
    if (chunk->restarted) {
      ++stats->restarts;
      on_restart();
    }
    stats->bytes += chunk->data.size();
    if (!on_chunk(chunk->data)) return Status::Ok();
  }
}

class RowSource {
 public:
  virtual ~RowSource() = default;
  // Delivers every complete new row; I/O errors are returned (retried next poll).
  virtual Result<std::size_t> poll(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) = 0;
  // The writer is done: deliver what a live reader would still wait for.
  virtual std::size_t flush(const std::function<void(const MetricRow&)>& on_row, MetricsStats* stats) = 0;
};

// path: an events.out.tfevents.* file, or a directory whose tfevents files
// are all followed (new ones, e.g. one per restart, are picked up).
std::unique_ptr<RowSource> make_tfevents_source(std::string path, const MetricsReaderOptions& options);
// HF trainer_state.json: log_history entries, only new ones after a rewrite.
std::unique_ptr<RowSource> make_trainer_state_source(std::string path, const MetricsReaderOptions& options);
// MLflow file store run directory (mlruns/<exp>/<run>, or its metrics/ dir).
std::unique_ptr<RowSource> make_mlflow_source(std::string path, const MetricsReaderOptions& options);
// detectron2 metrics.json (JSON Lines; step from "iteration", "time" is a duration).
std::unique_ptr<RowSource> make_detectron2_source(std::string path, const MetricsReaderOptions& options);

// TFRecord framing (exposed for tests and the fuzzer).
std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc = 0);
inline std::uint32_t masked_crc32c(const void* data, std::size_t n) {
  const std::uint32_t c = crc32c(data, n);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

// Parses TFRecord-framed Event records from a buffer: the engine of the
// tfevents source, also used by the fuzzer and the bench. Feed bytes in any
// chunking; complete records are parsed, partial ones wait.
class TfRecordEvents {
 public:
  explicit TfRecordEvents(std::size_t max_record_bytes = std::size_t{1} << 20);
  ~TfRecordEvents();
  TfRecordEvents(TfRecordEvents&&) noexcept;
  TfRecordEvents& operator=(TfRecordEvents&&) noexcept;

  struct Counters {
    std::uint64_t records = 0;        // records framed correctly
    std::uint64_t bad_records = 0;    // header or data CRC mismatch, unparseable Event
    std::uint64_t skipped_large = 0;  // records over max_record_bytes (skipped unread)
    std::uint64_t resyncs = 0;        // times the reader searched for the next valid header
    std::string last_error;           // "offset N: what"
  };

  // Feeds bytes; calls on_row for each Event with scalar values. Returns rows delivered.
  std::size_t feed(std::string_view data, const std::function<void(const MetricRow&)>& on_row);
  // Bytes of an incomplete record held back.
  std::size_t pending() const;
  // Forget partial state (the file restarted).
  void reset();
  const Counters& counters() const;
  // False when built without protobuf (SIDECAR_WITH_TENSORBOARD=OFF).
  static bool supported();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar::detail
