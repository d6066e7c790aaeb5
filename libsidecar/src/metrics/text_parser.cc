// TextMetricsParser: metric rows in the lines a job prints (see metric_lines.h
// for the shapes and the rule). One forward pass per line; lines with none of
// '{', '=', ':', '|', '@' are rejected after one scan.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "sidecar/core/detail/names.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/metric_lines.h"
#include "sidecar/roles.h"

namespace sidecar {

namespace {
constexpr detail::Named<TextShape> kShapeNames[] = {
    {TextShape::kNone, "none"},   {TextShape::kDict, "dict"},      {TextShape::kFields, "fields"},
    {TextShape::kPipe, "pipe"},   {TextShape::kKeras, "keras"},    {TextShape::kEvalTable, "eval_table"},
    {TextShape::kPairs, "pairs"}, {TextShape::kDarknet, "darknet"}};
}  // namespace

std::string_view to_string(TextShape s) { return detail::name_of(kShapeNames, s, "none"); }

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_key_char(char c) { return is_alnum(c) || c == '_' || c == '/' || c == '.' || c == '-'; }
// Where a value token ends.
bool is_value_end(char c) {
  return is_space(c) || c == ',' || c == ';' || c == '|' || c == ')' || c == ']' || c == '}';
}
// What may precede a key.
bool is_key_boundary(char c) {
  return is_space(c) || c == ',' || c == '[' || c == '(' || c == '{' || c == '|' || c == ';' || c == ':';
}

// A time-per-step unit printed after a value ("0.72 s/itr", "0.35s/it", "12 ms/batch"): the value is a duration,
// whatever its key says (mks0601's Hand4Whole and I2L-MeshNet log "speed: 0.72(0.65s r0.07)s/itr"). Returns the
// unit's length at s[i] when one (is_step_time_unit) starts there and ends at a value end, else 0.
std::size_t step_time_unit_at(std::string_view s, std::size_t i) {
  if (i >= s.size() || (s[i] != 's' && s[i] != 'm')) return 0;  // most values are followed by neither
  std::size_t j = i;
  while (j < s.size() && (is_alpha(s[j]) || s[j] == '/')) ++j;
  if (j < s.size() && !is_value_end(s[j])) return 0;
  return is_step_time_unit(s.substr(i, j - i)) ? j - i : 0;
}

// "ProcessGroupNCCL.cpp:458", "trainer.py:2128": a source location, not a metric.
bool is_source_file_key(std::string_view k) {
  for (std::string_view ext : {".py", ".cpp", ".cc", ".h", ".cu", ".c", ".hpp"}) {
    if (k.size() > ext.size() && k.ends_with(ext)) return true;
  }
  return false;
}

// Tokens that make a key a metric (rule (a)).
bool is_metric_word(std::string_view t) {
  static constexpr std::string_view kWords[] = {
      "loss", "acc",   "accuracy",   "reward", "rewards",   "kl",     "entropy", "perplexity", "ppl",  "nll",
      "bleu", "rouge", "f1",         "auc",    "precision", "recall", "mae",     "mse",        "rmse", "wer",
      "cer",  "gnorm", "throughput", "map",    "miou",      "iou",    "top1",    "top5"};
  for (std::string_view w : kWords) {
    if (t.size() == w.size() && detail::iequals(t, w)) return true;
  }
  return false;
}

bool key_has_metric_word(std::string_view key) {
  // Words too common elsewhere ("oom_score_adj", "return code") count only as the whole key.
  for (std::string_view w : {"score", "return", "success", "success_rate"}) {
    if (detail::iequals(key, w)) return true;
  }
  std::size_t i = 0;
  while (i < key.size()) {
    while (i < key.size() && !is_alnum(key[i])) ++i;
    std::size_t j = i;
    while (j < key.size() && is_alnum(key[j])) ++j;
    if (j > i && is_metric_word(key.substr(i, j - i))) return true;
    i = j;
  }
  return false;
}

// Step keys and their rank (lower wins).
int step_rank(std::string_view k) {
  if (detail::iequals(k, "step")) return 1;
  if (detail::iequals(k, "global_step") || detail::iequals(k, "trainer/global_step")) return 2;
  if (detail::iequals(k, "num_updates")) return 3;
  if (detail::iequals(k, "iteration")) return 4;
  if (detail::iequals(k, "iter")) return 5;
  return 0;
}

std::optional<std::int64_t> to_step(double v) { return detail::step_from(v); }

bool starts_with_ci(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && detail::iequals(s.substr(0, p.size()), p);
}

// Parses a non-negative integer at s[*i]; advances *i.
std::optional<std::int64_t> read_int(std::string_view s, std::size_t* i) {
  std::size_t j = *i;
  std::int64_t v = 0;
  while (j < s.size() && is_digit(s[j]) && j - *i < 18) v = v * 10 + (s[j++] - '0');
  if (j == *i || (j < s.size() && is_digit(s[j]))) return std::nullopt;
  *i = j;
  return v;
}

void skip_spaces(std::string_view s, std::size_t* i) {
  while (*i < s.size() && is_space(s[*i])) ++(*i);
}

// Skips a quoted string starting at s[*i] (the quote); false when unterminated.
bool skip_string(std::string_view s, std::size_t* i) {
  const char q = s[*i];
  std::size_t j = *i + 1;
  while (j < s.size()) {
    if (s[j] == '\\') {
      j += 2;
      continue;
    }
    if (s[j] == q) {
      *i = j + 1;
      return true;
    }
    ++j;
  }
  return false;
}

// Skips a balanced (...) / [...] / {...} group starting at s[*i]; false when unbalanced.
bool skip_group(std::string_view s, std::size_t* i, int max_depth = 64) {
  int depth = 0;
  std::size_t j = *i;
  while (j < s.size()) {
    char c = s[j];
    if (c == '\'' || c == '"') {
      if (!skip_string(s, &j)) return false;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) {
        *i = j + 1;
        return true;
      }
    }
    ++j;
  }
  return false;
}

// Wrappers whose first argument is the number: np.float32(0.5), tensor(0.5, device='cuda:0').
bool is_numeric_wrapper(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "tensor",        "torch.tensor",  "np.float16",    "np.float32",  "np.float64", "np.int32", "np.int64",
      "numpy.float32", "numpy.float64", "np.float_",     "np.double",   "np.array",   "array",    "float",
      "np.bfloat16",   "Decimal",       "np.longdouble", "numpy.int64", "np.uint64",  "np.intc"};
  for (std::string_view n : kNames)
    if (name == n) return true;
  return false;
}

// Parses one value at s[*i] (a number, a non-finite spelling, a quoted number
// or a numeric wrapper call) ending at a value delimiter. On success *i is
// past the value. Returns nullopt for anything else (*i unchanged).
std::optional<double> read_value(std::string_view s, std::size_t* i) {
  std::size_t j = *i;
  if (j >= s.size()) return std::nullopt;
  const char c = s[j];
  if (c == '\'' || c == '"') {
    std::size_t k = j;
    if (!skip_string(s, &k)) return std::nullopt;
    auto v = detail::parse_number(s.substr(j + 1, k - j - 2));
    if (!v || (k < s.size() && !is_value_end(s[k]) && s[k] != ':')) return std::nullopt;
    *i = k;
    return v;
  }
  // A token up to a value delimiter or '('.
  std::size_t k = j;
  while (k < s.size() && !is_value_end(s[k]) && s[k] != '(') ++k;
  std::string_view tok = s.substr(j, k - j);
  if (k < s.size() && s[k] == '(' && detail::parse_number(tok)) {
    // "140.37(1.94)": a value and its running mean; anything else in the parentheses is not.
    std::size_t close = s.find(')', k);
    std::string_view inner = close == std::string_view::npos ? std::string_view() : s.substr(k + 1, close - k - 1);
    if (!inner.empty() && inner.back() == '%') inner.remove_suffix(1);
    if (!detail::parse_number(inner)) return std::nullopt;
    *i = k;
    return detail::parse_number(tok);
  }
  if (k < s.size() && s[k] == '(') {
    if (!is_numeric_wrapper(tok)) return std::nullopt;
    std::size_t a = k + 1;
    skip_spaces(s, &a);
    std::size_t b = a;
    if (b < s.size() && (s[b] == '\'' || s[b] == '"')) {  // Decimal('0.5')
      if (!skip_string(s, &b)) return std::nullopt;
    } else {
      while (b < s.size() && s[b] != ',' && s[b] != ')' && !is_space(s[b])) ++b;
    }
    std::string_view inner = s.substr(a, b - a);
    if (!inner.empty() && (inner.front() == '\'' || inner.front() == '"')) inner = inner.substr(1, inner.size() - 2);
    auto v = detail::parse_number(inner);
    if (!v) return std::nullopt;
    std::size_t end = k;
    if (!skip_group(s, &end)) return std::nullopt;
    if (end < s.size() && !is_value_end(s[end])) return std::nullopt;
    *i = end;
    return v;
  }
  if (tok.empty()) return std::nullopt;
  if (auto v = detail::parse_number(tok)) {
    *i = k;  // a number; "1.5(1.7)" (a running mean in parentheses) keeps the first
    return v;
  }
  // Lightning prints "nan.0" / "inf.0"; Keras glues the next word on: "loss: nanEpoch 1/10", "44.41Batch 3".
  std::size_t cut = 0;
  if (tok.size() > 2 && tok.ends_with(".0")) {
    if (auto nf = detail::parse_number(tok.substr(0, tok.size() - 2)); nf && !std::isfinite(*nf)) cut = tok.size() - 2;
  }
  for (std::size_t e = 1; cut == 0 && e < tok.size(); ++e) {
    // A capitalised word ("Batch", "Epoch"), not a unit ("676946GF", "12.3GB", "11.5K").
    if (tok[e] >= 'A' && tok[e] <= 'Z' && e + 1 < tok.size() && tok[e + 1] >= 'a' && tok[e + 1] <= 'z' &&
        !tok.substr(e).starts_with("Inf") && detail::parse_number(tok.substr(0, e))) {
      cut = e;
    }
  }
  if (cut == 0) return std::nullopt;
  *i = k;
  return detail::parse_number(tok.substr(0, cut));
}

// "Epoch 3/10" alone on a line (Keras' epoch header).
std::optional<std::int64_t> keras_header(std::string_view t) {
  if (!starts_with_ci(t, "epoch ")) return std::nullopt;
  std::size_t i = 6;
  skip_spaces(t, &i);
  auto n = read_int(t, &i);
  if (!n || i >= t.size() || t[i] != '/') return std::nullopt;
  ++i;
  if (!read_int(t, &i) || i != t.size()) return std::nullopt;
  return n;
}

// "Epoch 3: ..." (a Lightning progress bar): the epoch, and where its text ends.
std::optional<std::int64_t> lightning_epoch(std::string_view t) {
  if (!t.starts_with("Epoch ")) return std::nullopt;
  std::size_t i = 6;
  auto n = read_int(t, &i);
  if (!n || i >= t.size() || t[i] != ':') return std::nullopt;
  return n;
}

// The tqdm counter "N/M [" (or "N/M [" after a bar); nullopt when absent.
std::optional<std::int64_t> tqdm_counter(std::string_view s) {
  for (std::size_t p = s.find('['); p != std::string_view::npos; p = s.find('[', p + 1)) {
    std::size_t e = p;
    while (e > 0 && is_space(s[e - 1])) --e;
    std::size_t b = e;
    while (b > 0 && is_digit(s[b - 1])) --b;
    if (b == e || b == 0 || s[b - 1] != '/') continue;
    std::size_t ne = b - 1;
    std::size_t nb = ne;
    while (nb > 0 && is_digit(s[nb - 1])) --nb;
    if (nb == ne) continue;
    std::size_t i = nb;
    return read_int(s, &i);
  }
  return std::nullopt;
}

// "iteration 100/ 500000", "step 12", "Iter 5" at the start of a segment.
std::optional<std::int64_t> leading_step(std::string_view t) {
  for (std::string_view w : {"iteration", "iter", "step", "global step"}) {
    if (!starts_with_ci(t, w) || t.size() <= w.size() || !is_space(t[w.size()])) continue;
    std::size_t i = w.size();
    skip_spaces(t, &i);
    auto n = read_int(t, &i);
    if (!n) continue;
    skip_spaces(t, &i);
    if (i < t.size() && t[i] == '/') {
      ++i;
      skip_spaces(t, &i);
      if (!read_int(t, &i)) continue;
      skip_spaces(t, &i);
    }
    if (i < t.size() && t[i] != ':' && t[i] != ',' && t[i] != '|') continue;
    return n;
  }
  return std::nullopt;
}

// Strips ANSI escapes (CSI and two-byte sequences) into out.
void strip_ansi(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\x1b') {
      out->push_back(c);
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '[') {
      i += 2;
      while (i < in.size() && !(static_cast<unsigned char>(in[i]) >= 0x40 && static_cast<unsigned char>(in[i]) <= 0x7e))
        ++i;
    } else if (i + 1 < in.size()) {
      ++i;
    }
  }
}

}  // namespace

TextMetricsParser::TextMetricsParser(TextMetricsOptions options) : opt_(options) {
  if (opt_.max_keys == 0) opt_.max_keys = 1;
  if (opt_.max_depth < 1) opt_.max_depth = 1;
}

void TextMetricsParser::add_field(std::string_view key, double v, bool normalise_spaces) {
  if (key.empty()) return;  // {'': nan} names nothing (fuzz_metric_lines)
  if (int r = step_rank(key); r != 0) {
    if (step_rank_ == 0 || r < step_rank_) {
      if (auto s = to_step(v)) {
        step_ = s;
        step_rank_ = r;
      }
    }
    return;
  }
  if (key == "v_num") return;  // Lightning's logger version, not a metric
  if (fields_.size() >= opt_.max_keys) return;
  const std::size_t off = keys_.size();
  if (!prefix_.empty()) keys_.append(prefix_);
  if (normalise_spaces) {
    bool space = false;
    for (char c : key) {
      if (is_space(c)) {
        space = true;
        continue;
      }
      if (space && keys_.size() > off) keys_.push_back('_');
      space = false;
      keys_.push_back(c);
    }
  } else {
    keys_.append(key);
  }
  std::string_view k(keys_.data() + off, keys_.size() - off);
  for (const Field& f : fields_) {
    if (std::string_view(keys_.data() + f.off, f.len) == k) {  // the first of a repeated key wins
      keys_.resize(off);
      return;
    }
  }
  fields_.push_back({static_cast<std::uint32_t>(off), static_cast<std::uint32_t>(keys_.size() - off), v});
}

// A Python dict / JSON object body after '{' at s[*i]; *i ends past '}'.
bool TextMetricsParser::parse_dict_body(std::string_view s, std::size_t* i, int depth) {
  if (depth > opt_.max_depth) return false;
  std::size_t j = *i;
  while (true) {
    skip_spaces(s, &j);
    if (j >= s.size()) return false;
    if (s[j] == '}') {
      *i = j + 1;
      return true;
    }
    // Key: a quoted string (other keys are skipped with their value).
    std::string_view key;
    bool have_key = false;
    if (s[j] == '\'' || s[j] == '"') {
      std::size_t k = j;
      if (!skip_string(s, &k)) return false;
      key = s.substr(j + 1, k - j - 2);
      have_key = true;
      j = k;
    } else {
      while (j < s.size() && s[j] != ':' && s[j] != ',' && s[j] != '}') ++j;
    }
    skip_spaces(s, &j);
    if (j >= s.size() || s[j] != ':') return false;
    ++j;
    skip_spaces(s, &j);
    if (j >= s.size()) return false;
    // Value.
    if (s[j] == '{') {
      ++j;
      const std::size_t old = prefix_.size();
      if (have_key) {
        prefix_.append(key);
        prefix_.push_back('/');
      }
      bool ok = parse_dict_body(s, &j, depth + 1);
      prefix_.resize(old);
      if (!ok) return false;
    } else if (s[j] == '[' || s[j] == '(') {
      if (!skip_group(s, &j, opt_.max_depth + 8)) return false;  // lists, tuples: not scalar metrics
    } else {
      std::size_t k = j;
      if (auto v = read_value(s, &k); v && have_key) {
        add_field(key, *v);
        j = k;
      } else {
        // Text, True/False/None, an unknown call: skip to the next ',' or '}' at this level.
        while (j < s.size() && s[j] != ',' && s[j] != '}') {
          if (s[j] == '\'' || s[j] == '"') {
            if (!skip_string(s, &j)) return false;
          } else if (s[j] == '(' || s[j] == '[' || s[j] == '{') {
            if (!skip_group(s, &j, opt_.max_depth + 8)) return false;
          } else {
            ++j;
          }
        }
      }
    }
    skip_spaces(s, &j);
    if (j >= s.size()) return false;
    if (s[j] == ',') {
      ++j;
      continue;
    }
    if (s[j] == '}') {
      *i = j + 1;
      return true;
    }
    return false;
  }
}

bool TextMetricsParser::parse_dict(std::string_view s, std::size_t open) {
  std::size_t i = open + 1;
  prefix_.clear();
  return parse_dict_body(s, &i, 1);
}

// key=value / key: value fields in s[begin, end); fields inside Name(...) are not taken.
void TextMetricsParser::scan_fields(std::string_view s, std::size_t begin, std::size_t end) {
  std::uint64_t call_bits = 0;  // per paren depth (up to 64): is it a call?
  int depth = 0;
  for (std::size_t p = begin; p < end; ++p) {
    const char c = s[p];
    if (c == '(') {
      const bool call = p > begin && (is_alnum(s[p - 1]) || s[p - 1] == '_' || s[p - 1] == '.');
      if (depth < 64) {
        if (call) {
          call_bits |= std::uint64_t{1} << depth;
        } else {
          call_bits &= ~(std::uint64_t{1} << depth);
        }
      }
      ++depth;
      continue;
    }
    if (c == ')') {
      if (depth > 0) --depth;
      continue;
    }
    if (c != '=' && c != ':') continue;
    if (c == ':' && p + 1 < end && (s[p + 1] == ':' || s[p + 1] == '/')) {
      ++p;  // "::" (C++ names), "://" (URLs)
      continue;
    }
    if (c == '=' && p + 1 < end && s[p + 1] == '=') {
      ++p;
      continue;
    }
    std::size_t q = p;
    if (c == '=') {
      while (q > begin && is_space(s[q - 1])) --q;
    }
    const std::size_t ke = q;
    while (q > begin && is_key_char(s[q - 1])) --q;
    const std::size_t ks = q;
    if (ks == ke || !(is_alpha(s[ks]) || s[ks] == '_')) continue;
    if (ks > begin && !is_key_boundary(s[ks - 1])) continue;
    std::size_t v = p + 1;
    while (v < end && is_space(s[v])) ++v;
    std::string_view bounded = s.substr(0, end);
    std::size_t ve = v;
    auto value = read_value(bounded, &ve);
    // A number with its parts in parentheses, or glued to a unit, counts only before a time-per-step unit:
    // "0.72(0.65s r0.07)s/itr", "0.35s/it".
    bool needs_unit = false;
    if (!value) {
      std::size_t k = v;
      while (k < end && (is_digit(s[k]) || s[k] == '.' || s[k] == '-' || s[k] == '+' || s[k] == 'e' || s[k] == 'E'))
        ++k;
      if (k > v && k < end && (s[k] == '(' || step_time_unit_at(bounded, k) != 0) &&
          (value = detail::parse_number(s.substr(v, k - v)))) {
        ve = k;
        needs_unit = true;
      }
    }
    // The unit after the value, past its "(...)" and spaces: "0.72 s/itr", "0.72(0.70)s/itr".
    std::size_t unit_at = ve, unit_len = 0;
    if (value) {
      if (unit_at < end && s[unit_at] == '(' && !skip_group(bounded, &unit_at)) unit_at = ve;
      while (unit_at < end && is_space(s[unit_at])) ++unit_at;
      unit_len = step_time_unit_at(bounded, unit_at);
      if (needs_unit && unit_len == 0) value.reset();
    }
    if (!value) continue;
    bool in_call = false;
    for (int d = 0; d < std::min(depth, 64); ++d) in_call = in_call || ((call_bits >> d) & 1u);
    if (in_call || depth > 64) {
      call_field_ = true;
    } else {
      std::string_view key = s.substr(ks, ke - ks);
      while (!key.empty() && (key.back() == '.' || key.back() == '-' || key.back() == '/')) key.remove_suffix(1);
      if (!key.empty() && !is_source_file_key(key)) {
        const std::size_t before = fields_.size();
        if (unit_len != 0) {
          add_field(std::string(key) + " (" + std::string(s.substr(unit_at, unit_len)) + ")", *value);
          ve = unit_at + unit_len;
        } else {
          add_field(key, *value);
        }
        if (fields_.size() > before && ks >= tqdm_begin_ && ks < tqdm_end_) ++postfix_fields_;
      }
    }
    p = ve - 1;
  }
}

// One '|'-separated segment: "lm loss: 7.5E+00", "loss 9.21", "iteration 100/ 500000", or fields.
void TextMetricsParser::scan_pipe_segment(std::string_view seg) {
  const std::size_t before = fields_.size();
  const int rank_before = step_rank_;
  scan_pipe_segment_fields(seg);
  if (fields_.size() > before || step_rank_ != rank_before) ++pipe_field_segments_;
}

void TextMetricsParser::scan_pipe_segment_fields(std::string_view seg) {
  std::string_view t = detail::trim(seg);
  if (t.empty()) return;
  if (auto st = leading_step(t); st && t.find_first_of("=,") == std::string_view::npos) {
    if (step_rank_ == 0 || step_rank_ > 4) {
      step_ = st;
      step_rank_ = 4;
    }
    return;
  }
  // Whole segment as "<words>[:|=] <number>".
  if (is_alpha(t.front())) {
    std::size_t sp = t.size();
    while (sp > 0 && !is_space(t[sp - 1])) --sp;
    if (sp > 0) {
      std::string_view num = t.substr(sp);
      std::string_view key = detail::trim(t.substr(0, sp));
      if (!key.empty() && (key.back() == ':' || key.back() == '=')) key = detail::trim(key.substr(0, key.size() - 1));
      bool ok = !key.empty() && key.size() <= 64;
      for (char c : key) {
        if (!(is_key_char(c) || is_space(c) || c == '(' || c == ')')) {
          ok = false;
          break;
        }
      }
      if (ok) {
        std::size_t i = 0;
        if (auto v = read_value(num, &i); v && i == num.size()) {
          add_field(key, *v, /*normalise_spaces=*/true);
          return;
        }
      }
    }
  }
  scan_fields(seg, 0, seg.size());
}

// The progress bar's bracket "[00:10<00:40, 9.8it/s, loss=0.31]": fields inside it are a postfix.
void TextMetricsParser::find_tqdm_bracket(std::string_view s) {
  for (std::size_t b = s.find('['); b != std::string_view::npos; b = s.find('[', b + 1)) {
    std::size_t e = s.find(']', b);
    if (e == std::string_view::npos) e = s.size();
    std::string_view in = s.substr(b, e - b);
    if (in.find("it/s") != std::string_view::npos || in.find("s/it") != std::string_view::npos ||
        (in.find('<') != std::string_view::npos && in.find(':') != std::string_view::npos)) {
      tqdm_begin_ = b;
      tqdm_end_ = e;
      return;
    }
  }
}

// Space-separated "key value" pairs that run to the end of s (torchvision's
// "Epoch: [3]  Acc@1 45.2 Acc@5 70.1 loss 2.3"): from the last token back,
// a number, then a key (a letter first, key characters or '@'), and so on;
// at least two pairs, else nothing is taken.
void TextMetricsParser::scan_pairs(std::string_view s) {
  std::string_view tokens[2 * 64];
  std::size_t n = 0, e = s.size();
  while (n < sizeof tokens / sizeof tokens[0]) {  // tokens from the end, newest first
    while (e > 0 && is_space(s[e - 1])) --e;
    if (e == 0) break;
    std::size_t b = e;
    while (b > 0 && !is_space(s[b - 1])) --b;
    tokens[n++] = s.substr(b, e - b);
    e = b;
  }
  auto is_key = [](std::string_view k) {
    if (k.empty() || k.size() > 64 || !is_alpha(k.front())) return false;
    return std::all_of(k.begin(), k.end(), [](char c) { return is_key_char(c) || c == '@'; });
  };
  double values[sizeof tokens / sizeof tokens[0] / 2];
  std::size_t pairs = 0;
  for (; 2 * pairs + 1 < n; ++pairs) {
    std::string_view num = tokens[2 * pairs];
    if (num.ends_with(',') || num.ends_with(';')) num.remove_suffix(1);
    std::size_t i = 0;
    auto v = read_value(num, &i);
    if (!v || i != num.size() || !is_key(tokens[2 * pairs + 1])) break;
    values[pairs] = *v;
  }
  if (pairs < 2) return;
  for (std::size_t k = pairs; k-- > 0;) add_field(tokens[2 * k + 1], values[k]);
}

bool TextMetricsParser::finish(MetricRow* row_out, bool strong) {
  bool metric = false;
  for (const Field& f : fields_) {
    if (key_has_metric_word(std::string_view(keys_.data() + f.off, f.len))) {
      metric = true;
      break;
    }
  }
  const bool table = shape_ == TextShape::kEvalTable;
  const bool ok = !fields_.empty() && (metric || table || (fields_.size() >= 2 && (strong || step_rank_ != 0)));
  if (!ok) {
    if (!fields_.empty()) ++stats_.near_rows;
    shape_ = TextShape::kNone;
    return false;
  }
  values_.clear();
  values_.reserve(fields_.size());
  for (const Field& f : fields_) values_.push_back({std::string_view(keys_.data() + f.off, f.len), f.value});
  row_out->step = step_;
  row_out->timestamp.reset();
  row_out->values = std::span<const MetricValue>(values_.data(), values_.size());
  ++stats_.rows;
  return true;
}

// The fields of the row about to be read are cleared.
void TextMetricsParser::reset_row() {
  fields_.clear();
  keys_.clear();
  prefix_.clear();
  step_.reset();
  step_rank_ = 0;
  call_field_ = false;
  pipe_field_segments_ = 0;
  postfix_fields_ = 0;
  tqdm_begin_ = tqdm_end_ = 0;
}

// A line under an HF metrics-table banner ("  key = value"); nullopt when the table has ended.
std::optional<bool> TextMetricsParser::parse_eval_table_line(std::string_view t, MetricRow* row_out) {
  const std::size_t eq = t.find('=');
  std::string_view k = eq == std::string_view::npos ? std::string_view() : detail::trim(t.substr(0, eq));
  bool shape =
      !k.empty() && is_alpha(k.front()) && std::all_of(k.begin(), k.end(), [](char c) { return is_key_char(c); });
  if (shape) {
    std::string_view vtext = detail::trim(t.substr(eq + 1));
    std::size_t i = 0;
    if (auto v = read_value(vtext, &i); v && i == vtext.size()) {
      shape_ = TextShape::kEvalTable;
      add_field(k, *v);
      if (fields_.empty() && step_) {  // "global_step = 500" alone: a step marker, not a row
        step_.reset();
        step_rank_ = 0;
      }
      return finish(row_out, true);
    }
    return false;  // "eval_runtime = 0:00:12.34": still the table, not a number
  }
  in_eval_table_ = false;
  return std::nullopt;
}

// Dicts: the first "{'" or "{\"" (HF dicts may follow a glued progress bar); nullopt when there is none.
std::optional<bool> TextMetricsParser::parse_dict_line(std::string_view line, MetricRow* row_out) {
  for (std::size_t b = line.find('{'); b != std::string_view::npos; b = line.find('{', b + 1)) {
    std::size_t k = b + 1;
    skip_spaces(line, &k);
    if (k < line.size() && (line[k] == '\'' || line[k] == '"' || line[k] == '}')) {
      if (parse_dict(line, b)) {
        shape_ = TextShape::kDict;
        return finish(row_out, /*strong=*/false);  // a dict needs a metric word or a step key
      }
      fields_.clear();
      keys_.clear();
      prefix_.clear();
      step_.reset();
      step_rank_ = 0;
      return false;  // a malformed or cut dict is not re-read as fields
    }
  }
  return std::nullopt;
}

// key=value / key: value fields, a '|' table or a Keras progress line.
bool TextMetricsParser::parse_fields_line(std::string_view line, std::string_view t, std::size_t pipes,
                                          MetricRow* row_out) {
  const auto lightning = lightning_epoch(t);
  const bool keras = line.find(" - ") != std::string_view::npos &&
                     (line.find("/step") != std::string_view::npos || line.find("/epoch") != std::string_view::npos ||
                      line.find("[=") != std::string_view::npos || line.find("[.") != std::string_view::npos ||
                      line.find("\xe2\x94\x81") != std::string_view::npos);
  bool strong = false;
  if (pipes >= 2 && !keras) {
    shape_ = TextShape::kPipe;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '|') {
        scan_pipe_segment(line.substr(start, i - start));
        start = i + 1;
      }
    }
    strong = pipe_field_segments_ >= 2;  // a table: fields in two or more cells
  } else {
    shape_ = keras ? TextShape::kKeras : TextShape::kFields;
    if (auto st = leading_step(t)) {
      step_ = st;
      step_rank_ = 6;
    }
    find_tqdm_bracket(line);
    scan_fields(line, 0, line.size());
    strong = keras || postfix_fields_ > 0;  // Keras, or fields inside a progress bar's [..., k=v]
    if (fields_.empty() && !keras && !call_field_) {
      scan_pairs(line);  // "Acc@1 45.2 Acc@5 70.1 loss 2.3": needs a metric word (not strong)
      if (!fields_.empty()) shape_ = TextShape::kPairs;
    }
  }
  if (fields_.empty()) {
    shape_ = TextShape::kNone;
    return false;
  }
  if (lightning) {
    add_field("epoch", static_cast<double>(*lightning));
  } else if (keras) {
    if (!step_ && keras_epoch_) step_ = keras_epoch_;
  } else if (!step_) {
    if (auto n = tqdm_counter(line)) step_ = n;
  }
  return finish(row_out, strong);
}

// Darknet's training lines (pjreddie's and AlexeyAB's detector and classifier):
//   "40245, 4.021: 6.898909, 6.910023 avg, 0.081346 rate, 0.385639 seconds, 5151360 images"
//   " 1234: 0.812345, 0.903456 avg loss, 0.001000 rate, 2.530000 seconds, 78976 images, 12.3 hours left"
// the batch (the step), the classifier's epoch, the batch's loss, its running
// average, the learning rate and the batch's seconds; a diverging run prints
// "-nan avg" (a Windows build "-nan(ind)"). Keys: avg_loss, batch_loss, lr,
// batch_time, epoch. nullopt when the line is not one.
std::optional<bool> TextMetricsParser::parse_darknet_line(std::string_view t, MetricRow* row_out) {
  std::size_t i = 0;
  const auto batch = read_int(t, &i);
  if (!batch) return std::nullopt;
  const auto number = [&](std::string_view tok) -> std::optional<double> {
    if (tok.ends_with("(ind)")) tok.remove_suffix(5);
    return detail::parse_number(tok);
  };
  std::optional<double> epoch;
  if (i < t.size() && t[i] == ',') {
    const std::size_t colon = t.find(':', i);
    if (colon == std::string_view::npos || !(epoch = number(detail::trim(t.substr(i + 1, colon - i - 1)))))
      return std::nullopt;
    i = colon;
  }
  if (i >= t.size() || t[i] != ':') return std::nullopt;
  // ", "-separated parts after the colon: "<loss>", "<v> avg[ loss]", "<v> rate", "<v> seconds", then any.
  constexpr std::string_view kUnits[] = {"", "avg", "rate", "seconds"};
  double v[4];
  std::string_view rest = t.substr(i + 1);
  for (std::size_t k = 0; k < 4; ++k) {
    const std::size_t comma = rest.find(',');
    std::string_view part = detail::trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (k == 1 && part.ends_with(" loss")) part.remove_suffix(5);
    const std::size_t sp = part.find(' ');
    const std::string_view num = part.substr(0, sp), unit = sp == std::string_view::npos ? "" : part.substr(sp + 1);
    auto x = number(num);
    if (!x || unit != kUnits[k] || (k < 3 && comma == std::string_view::npos)) return std::nullopt;
    v[k] = *x;
  }
  shape_ = TextShape::kDarknet;
  step_ = batch;
  step_rank_ = 6;
  add_field("avg_loss", v[1]);  // first: the loss darknet users watch, the role's key
  add_field("batch_loss", v[0]);
  add_field("lr", v[2]);
  add_field("batch_time", v[3]);
  if (epoch) add_field("epoch", *epoch);
  return finish(row_out, /*strong=*/true);
}

bool TextMetricsParser::parse_line(std::string_view line, MetricRow* row_out) {
  ++stats_.lines;
  shape_ = TextShape::kNone;
  if (line.size() > opt_.max_line_bytes) {
    ++stats_.too_long;
    return false;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (auto cr = line.find_last_of('\r'); cr != std::string_view::npos) line = line.substr(cr + 1);
  if (std::memchr(line.data(), '\x1b', line.size()) != nullptr) {
    strip_ansi(line, &clean_);
    line = clean_;
  }
  // Fast reject: every shape needs one of these.
  std::size_t pipes = 0;  // single '|' only: "||" is not a table separator
  bool any = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '|' && (i == 0 || line[i - 1] != '|') && (i + 1 == line.size() || line[i + 1] != '|')) ++pipes;
    any = any || c == '{' || c == '=' || c == ':' || c == '|' || c == '@';
  }
  std::string_view t = detail::trim(line);
  if (!any) {
    // HF metrics tables: "***** eval metrics *****" then "  key = value" lines.
    in_eval_table_ = t.starts_with("*****") && t.ends_with("*****") && t.find("metrics") != std::string_view::npos;
    if (auto e = keras_header(t)) keras_epoch_ = e;
    return false;
  }
  reset_row();
  if (in_eval_table_)
    if (auto r = parse_eval_table_line(t, row_out)) return *r;
  if (auto r = parse_dict_line(line, row_out)) return *r;
  if (!t.empty() && is_digit(t.front()))
    if (auto r = parse_darknet_line(t, row_out)) return *r;
  return parse_fields_line(line, t, pipes, row_out);
}

}  // namespace sidecar
