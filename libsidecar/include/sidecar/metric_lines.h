// Metric rows in text output: the lines a training job prints (stdout, a
// followed log) parsed into MetricRows, and a merger that keeps rows of the
// same run arriving from several sources (stdout and files) from being
// counted twice. Std-only header; no I/O.
//
//   sidecar::TextMetricsParser parser;
//   sidecar::MetricRow row;
//   if (parser.parse_line("{'loss': 0.41, 'grad_norm': nan, 'epoch': 0.5}", &row)) monitor.observe(row);
//
// Shapes recognised (one line each, no newline):
//   - Python dict reprs and JSON objects (HF Trainer, TRL, print(dict)):
//     `{'loss': 0.41, 'learning_rate': 2e-05}`; values nan/inf/-inf, NaN/Infinity,
//     numpy and torch reprs (`np.float32(0.5)`, `tensor(0.5, device='cuda:0')`,
//     `array(0.5, dtype=float32)`), numbers as strings; nested dicts are
//     flattened with '/'; bools, None, lists and text are not metrics.
//   - `key=value` / `key: value` fields (tqdm and Lightning progress-bar
//     postfixes, logging lines: `step: 100, loss: 0.5`), `|`-separated fields
//     (fairseq `| loss 9.21 |`, Megatron `| lm loss: 7.5E+00 |`; multi-word
//     keys get '_' for spaces: `lm_loss`, `grad_norm`), Keras epoch lines
//     (`- loss: 0.3 - accuracy: 0.9`), HF end-of-eval tables (`eval_loss = nan`;
//     one row per line, the caller merges by step).
//   - `key value` pairs separated by spaces only, at the end of a line that
//     holds no other field: torchvision's and timm's evaluation summaries
//     (`Epoch: [3]  Acc@1 45.2 Acc@5 70.1 loss 2.3`, ` * Acc@1 81.234 Acc@5
//     95.123`); at least 2 pairs running to the end of the line, keys may
//     hold '@' (`Acc@1`, `R@5`, `pass@1`), and a key must be a metric word
//     (rule (a)): prose ("took 3 steps") is no row.
//   - Darknet's training lines (YOLO and classifier): `1234: 0.81, 0.90 avg
//     loss, 0.001 rate, 2.53 seconds, 78976 images` (`N, E:` with the
//     classifier's epoch): keys avg_loss, batch_loss, lr, batch_time, epoch; step N;
//     `-nan` and `-nan(ind)` are NaN.
//
// The rule (when a line is a metric row): its fields are numeric values under
// identifier-like keys, found in one of the shapes above, and either
//   (a) at least one key is a metric word: a token of the key is loss, acc,
//       accuracy, reward(s), kl, entropy, perplexity/ppl, nll, bleu, rouge, f1,
//       auc, precision, recall, mae, mse, rmse, wer, cer, gnorm, throughput, map,
//       iou, miou, top1, top5; or the whole key is score, return, success(_rate)
//       ("oom_score_adj" is not a metric), or
//   (b) it has at least 2 numeric fields in a strong shape: a `|`-table with
//       fields in 2 or more cells, a Keras ` - ` line, a progress-bar postfix
//       (fields inside the `[00:10<00:40, 9.8it/s, k=v]` bracket), or with a step
//       field (step, global_step, iteration, iter, num_updates), or
//   (c) it is a `key = value` line inside an HF metrics table (after a
//       `***** ... metrics *****` banner; any numeric key).
// Dicts take (a) or a step key only: `{'rank': 0, 'timeout': 900}` is config.
// Never rows: fields inside a call `Name(...)` (config dumps such as
// `Namespace(lr=0.1, ...)`, `TrainingArguments(learning_rate=2e-05, ...)`),
// values that are not numbers (`loss: unknown`, `12.3GB`, `0:00:12`), keys that
// do not start with a letter (times `12:00:01`), source locations
// (`trainer.py:2128`), `||`-joined text. Lines longer than max_line_bytes are
// not parsed. Values: also Lightning's `nan.0`, Keras' glued `loss: nanEpoch`,
// a running mean `1.94(2.01)` (the first number).
//
// The step: `step`, `global_step`, `iteration N[/M]`, `iter`, `num_updates`
// fields; a tqdm counter `N/M [` when nothing else gives one (not inside a
// Lightning `Epoch K:` bar, whose counter restarts each epoch); `Epoch N/M`
// for Keras epoch lines (from the header line before them). HF dicts have
// none: the caller assigns. Step fields are not values; `epoch` is a value.
//
// ANSI escapes are removed and only the text after the last '\r' counts
// (the log layer normally does this already).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sidecar/core/types.h"

namespace sidecar {

struct TextMetricsOptions {
  std::size_t max_line_bytes = 64 * 1024;  // longer lines are not parsed (counted in stats)
  std::size_t max_keys = 512;              // per row; fields beyond are dropped
  int max_depth = 8;                       // nested dicts deeper than this: the line is not a row
};

// Which shape a row came from (for the key report and tests).
enum class TextShape : std::uint8_t { kNone, kDict, kFields, kPipe, kKeras, kEvalTable, kPairs, kDarknet };
std::string_view to_string(TextShape s);

struct TextMetricsStats {
  std::uint64_t lines = 0;      // lines offered
  std::uint64_t rows = 0;       // lines that were rows
  std::uint64_t too_long = 0;   // lines over max_line_bytes (not parsed)
  std::uint64_t near_rows = 0;  // lines with numeric fields that the rule rejected
};

// Parses single lines of one text stream. Stateful only for what spans lines
// (a Keras `Epoch N/M` header, an HF metrics-table banner): use one parser per
// stream. Not thread-safe; cheap to construct.
class TextMetricsParser {
 public:
  explicit TextMetricsParser(TextMetricsOptions options = {});

  // One complete line, without its newline. Returns true and fills *row_out
  // when the line is a metric row (see the rule above). The row's keys and
  // values live in parser-owned storage, valid until the next call.
  bool parse_line(std::string_view line, MetricRow* row_out);

  // The shape of the last row returned.
  TextShape last_shape() const { return shape_; }
  const TextMetricsStats& stats() const { return stats_; }
  const TextMetricsOptions& options() const { return opt_; }

 private:
  struct Field {
    std::uint32_t off;  // key in keys_
    std::uint32_t len;
    double value;
  };
  bool parse_dict(std::string_view s, std::size_t open);
  bool parse_dict_body(std::string_view s, std::size_t* i, int depth);
  void scan_fields(std::string_view s, std::size_t begin, std::size_t end);
  void scan_pipe_segment(std::string_view seg);
  void scan_pipe_segment_fields(std::string_view seg);
  void find_tqdm_bracket(std::string_view s);
  void scan_pairs(std::string_view s);
  void add_field(std::string_view key, double v, bool normalise_spaces = false);
  bool finish(MetricRow* row_out, bool strong);
  void reset_row();
  std::optional<bool> parse_eval_table_line(std::string_view t, MetricRow* row_out);
  std::optional<bool> parse_dict_line(std::string_view line, MetricRow* row_out);
  std::optional<bool> parse_darknet_line(std::string_view t, MetricRow* row_out);
  bool parse_fields_line(std::string_view line, std::string_view t, std::size_t pipes, MetricRow* row_out);

  TextMetricsOptions opt_;
  TextMetricsStats stats_;
  TextShape shape_ = TextShape::kNone;
  std::string clean_;   // the line without ANSI escapes
  std::string keys_;    // key bytes of the current row
  std::string prefix_;  // nested dict key prefix
  std::vector<Field> fields_;
  std::vector<MetricValue> values_;
  std::optional<std::int64_t> step_;
  int step_rank_ = 0;
  bool call_field_ = false;      // a field was inside Name(...)
  int pipe_field_segments_ = 0;  // '|'-cells that held a field
  int postfix_fields_ = 0;       // fields inside the progress bar's [...]
  std::size_t tqdm_begin_ = 0, tqdm_end_ = 0;
  std::optional<std::int64_t> keras_epoch_;  // from a preceding "Epoch N/M" line
  bool in_eval_table_ = false;
};

// Where a row came from, for RowMerger.
enum class RowOrigin : std::uint8_t { kFile, kText };

struct RowMergerOptions {
  std::size_t max_keys = 4096;  // keys tracked; beyond, values pass through unfiltered (counted)
};

// Merges rows of one run arriving from several sources (a metrics file, a
// tfevents file, stdout, a followed log) so that nothing is counted twice.
//
// The rule: each metric key is owned by the first source that delivers it.
// A row from another source keeps only the keys it owns (or that nobody owns
// yet, which it then takes); the others are dropped as duplicates. A row whose
// values are all dropped is dropped. So an HF run printing dicts to stdout and
// writing trainer_state.json yields each loss once (from whichever arrived
// first), whatever the steps say (stdout dicts have none). A source that ends
// (file rotated away, stream closed) is released: its keys go to the next
// source that delivers them. Keys never dropped within one source.
//
//   sidecar::RowMerger merger;
//   int out = merger.add_source("stdout", sidecar::RowOrigin::kText);
//   int file = merger.add_source("trainer_state.json", sidecar::RowOrigin::kFile);
//   sidecar::MetricRow kept;
//   if (merger.admit(out, row, &kept)) monitor.observe(kept);
//
// Not thread-safe; one per run.
class RowMerger {
 public:
  explicit RowMerger(RowMergerOptions options = {});
  RowMerger(const RowMerger&) = delete;  // by_position_ points into owner_
  RowMerger& operator=(const RowMerger&) = delete;
  RowMerger(RowMerger&&) noexcept = default;
  RowMerger& operator=(RowMerger&&) noexcept = default;

  // Registers a source; returns its id (0, 1, ...).
  int add_source(std::string name, RowOrigin origin);

  // Filters `row` from `source`. Returns true with *out holding the values
  // kept (step and timestamp as given; keys point into `row`'s storage, the
  // span into the merger's, valid until the next call). Returns false when no
  // value is left (or the source id is unknown). A row with no values passes
  // when it carries a step (a step marker).
  bool admit(int source, const MetricRow& row, MetricRow* out);

  // The source ended: the keys it owned are free again.
  void release(int source);

  // The source that owns `key`, or -1.
  int owner(std::string_view key) const;
  const std::string& source_name(int source) const;
  std::uint64_t dropped_values() const { return dropped_values_; }
  std::uint64_t dropped_rows() const { return dropped_rows_; }
  std::uint64_t untracked_values() const { return untracked_values_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Source {
    std::string name;
    RowOrigin origin;
  };
  RowMergerOptions opt_;
  std::vector<Source> sources_;
  std::unordered_map<std::string, int, Hash, std::equal_to<>> owner_;
  // owner_'s entry for the key at each position of the previous rows: rows
  // repeat their keys in order, so most values skip the hash lookup (entries
  // are never erased, so the pointers stay valid).
  std::vector<std::pair<const std::string, int>*> by_position_;
  std::vector<MetricValue> kept_;
  std::uint64_t dropped_values_ = 0;
  std::uint64_t dropped_rows_ = 0;
  std::uint64_t untracked_values_ = 0;
};

}  // namespace sidecar
