// Log syndromes: the compiled catalogue (Vectorscan for the multi-pattern
// pass, RE2 for verification, exclusions and evidence on matched lines) and
// the per-source incremental LogStream. The only file that uses hs and re2.
//
// Speed: complete, "clean" lines (no ESC or NUL, not over-long) are scanned
// straight out of the caller's buffer, up to kPieceBytes at a time, with ONE
// hs_scan call (multi-line mode: ^ and $ anchor at line ends); the
// automaton's literal prefilter makes ordinary lines cost a few cycles. A
// line with ESC/NUL, an over-long one, or one that straddles two feeds is
// normalised into a scratch buffer first (ANSI stripped, NUL dropped) and
// scanned the same way. Only a line with a hit (or while a traceback waits
// for its exception) is split into its \r-separated segments, each verified
// and reported on its own. Results do not depend on how the stream was chunked.
#include <hs/hs.h>
#include <re2/re2.h>

#include <unistd.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SIDECAR_SCAN_AVX2 1
#else
#define SIDECAR_SCAN_AVX2 0
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/log_scan.h"

namespace sidecar {

namespace {

constexpr std::size_t kPieceBytes = 64 * 1024;  // one hs_scan call covers at most this much
constexpr std::size_t kMaxPendingTracebacks = 64;
// SyndromeSpec::repeats: "no repeat count" for confirm_hit, and the (syndrome, pattern, rank) keys counted
// at most (a log naming ever new ranks starts counting afresh rather than grow).
constexpr std::size_t kNoRepeat = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxRepeatKeys = 4096;

RE2::Options re2_options(bool case_sensitive) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);  // bytes, like Vectorscan: invalid UTF-8 is fine
  o.set_case_sensitive(case_sensitive);
  o.set_log_errors(false);
  o.set_max_mem(16 << 20);
  return o;
}

unsigned hs_flags(bool case_sensitive) {
  return HS_FLAG_MULTILINE | (case_sensitive ? 0u : static_cast<unsigned>(HS_FLAG_CASELESS));
}

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
// Shared: the scanners of one catalogue in a process share its database (read-only once built; each stream
// scans with its own scratch).
using HsDatabase = std::shared_ptr<hs_database_t>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

// One expression through Vectorscan's parser (cheap: no database is built): its minimum match width, or (no
// width) why it does not compile.
struct HsExprInfo {
  std::optional<unsigned> min_width;
  std::string error;
};
HsExprInfo hs_expr_info(const std::string& pattern, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(pattern.c_str(), flags, &info, &err) != HS_SUCCESS) {
    HsExprInfo out{std::nullopt, err && err->message ? err->message : "does not compile"};
    hs_free_compile_error(err);
    return out;
  }
  HsExprInfo out{info->min_width, {}};
  std::free(info);  // allocated by Vectorscan's default allocator (malloc)
  return out;
}

// Checks one pattern with Vectorscan's parser; "" when fine.
std::string hs_check(const std::string& pattern, bool case_sensitive) {
  HsExprInfo info = hs_expr_info(pattern, hs_flags(case_sensitive));
  if (!info.min_width) return info.error;
  return *info.min_width == 0 ? "matches the empty string (it would match every line)" : "";
}

// The multi-pattern database, compiled or loaded from the cache. The cache
// file holds a header, the exact key (engine version + every expression with
// its flags) and the serialized database; anything that does not match is
// ignored, and a new file is written atomically (temp + rename).
constexpr std::string_view kCacheMagic = "sidecar-hs-cache 1\n";

std::string cache_path(const std::string& dir, const std::string& key) {
  return detail::cache_file_path(dir, "hs-", key, ".db");
}

// The file is mapped, not read, and the database deserialized into memory of its own (large_alloc): on a start
// these were the two fresh 1 MB buffers whose first touch cost most of loading it (5.5 of 6.5 ms on a
// paravirtualised machine, where a page fault costs ~10 us). Cache files are only ever replaced by rename, never
// truncated in place, so the mapping stays whole.
HsDatabase load_cached(const std::string& dir, const std::string& key) {
  if (dir.empty()) return nullptr;
  const std::string path = cache_path(dir, key);
  detail::MappedFile file;
  if (!file.open(path, std::size_t{1} << 30)) return nullptr;
  std::string_view v = file.bytes();
  if (v.substr(0, kCacheMagic.size()) != kCacheMagic) return nullptr;
  v.remove_prefix(kCacheMagic.size());
  if (v.substr(0, key.size()) != key) return nullptr;
  v.remove_prefix(key.size());
  std::size_t size = 0;
  if (hs_serialized_database_size(v.data(), v.size(), &size) != HS_SUCCESS) return nullptr;
  void* mem = detail::large_alloc(size);
  if (mem == nullptr) return nullptr;
  hs_database_t* db = static_cast<hs_database_t*>(mem);
  if (hs_deserialize_database_at(v.data(), v.size(), db) != HS_SUCCESS) {
    detail::large_free(mem);
    return nullptr;
  }
  detail::touch_cache_file(path);
  return HsDatabase(db, detail::LargeFree{});  // ours: not hs_free_database
}

// The databases this process built or loaded, by catalogue key, the most recent first: a second scanner of the same
// catalogue (each Python Monitor, each watched file's monitor) takes the first one's instead of compiling it again
// (half a second) or reading it from the cache directory. A few are kept, about 1 MB each.
constexpr std::size_t kDatabasesKept = 4;
std::mutex& databases_mutex() {
  static std::mutex mu;
  return mu;
}
std::vector<std::pair<std::string, HsDatabase>>& databases() {
  static std::vector<std::pair<std::string, HsDatabase>> kept;
  return kept;
}
HsDatabase process_database(const std::string& key) {
  std::lock_guard<std::mutex> lock(databases_mutex());
  auto& kept = databases();
  auto it = std::find_if(kept.begin(), kept.end(), [&](const auto& e) { return e.first == key; });
  if (it == kept.end()) return nullptr;
  std::rotate(kept.begin(), it, it + 1);
  return kept.front().second;
}
void keep_database(const std::string& key, HsDatabase db) {
  std::lock_guard<std::mutex> lock(databases_mutex());
  auto& kept = databases();
  kept.insert(kept.begin(), {key, std::move(db)});
  if (kept.size() > kDatabasesKept) kept.resize(kDatabasesKept);
}

void store_cached(const std::string& dir, const std::string& key, const hs_database_t* db) {
  if (dir.empty()) return;
  char* bytes = nullptr;
  std::size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = cache_path(dir, key);
  std::string data;
  data.reserve(kCacheMagic.size() + key.size() + len);
  data.append(kCacheMagic).append(key).append(bytes, len);
  std::free(bytes);  // Vectorscan's default allocator
  // A cache: a failed write is only a slower next start.
  (void)detail::write_file_atomically(path, data, 0644, /*sync=*/false);
  detail::prune_cache_files(dir, "hs-", ".db");
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\v' || s.back() == '\f'))
    s.remove_suffix(1);
  return s;
}

// Caps text at `cap` bytes without cutting a UTF-8 sequence in two.
std::string capped(std::string_view s, std::size_t cap) {
  s = rtrim(s);
  if (s.size() <= cap) return std::string(s);
  std::size_t n = cap;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

bool is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && detail::iequals(s.substr(0, prefix.size()), prefix);
}

// A rank prefix at the start of a line: "[rank3]:", "[Rank 3]", "rank3:",
// "rank 3:", torchrun's "[default3]:", Open MPI's "[1,3]<stderr>:". Returns
// the rank and strips the prefix (and one following space) from `content`.
std::optional<int> strip_rank_prefix(std::string_view* content) {
  std::string_view s = *content;
  std::size_t i = 0;
  while (i < s.size() && i < 8 && s[i] == ' ') ++i;
  auto read_int = [&](std::size_t* pos) -> std::optional<int> {
    std::size_t start = *pos;
    int v = 0;
    while (*pos < s.size() && is_digit(s[*pos]) && *pos - start < 7) v = v * 10 + (s[(*pos)++] - '0');
    if (*pos == start) return std::nullopt;
    return v;
  };
  auto finish = [&](std::size_t pos, int rank) {
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size() && s[pos] == ' ') ++pos;
    *content = s.substr(pos);
    return std::optional<int>(rank);
  };
  bool bracket = i < s.size() && s[i] == '[';
  std::size_t j = i + (bracket ? 1 : 0);
  std::string_view rest = s.substr(std::min(j, s.size()));
  for (std::string_view word : {std::string_view("rank"), std::string_view("default")}) {
    if (!istarts_with(rest, word)) continue;
    if (word == "default" && !bracket) return std::nullopt;
    std::size_t pos = j + word.size();
    if (pos < s.size() && s[pos] == ' ') ++pos;
    auto r = read_int(&pos);
    if (!r) return std::nullopt;
    if (bracket) {
      if (pos >= s.size() || s[pos] != ']') return std::nullopt;
      return finish(pos + 1, *r);
    }
    if (pos >= s.size() || s[pos] != ':') return std::nullopt;
    return finish(pos, *r);
  }
  if (bracket) {  // Open MPI --tag-output: [jobid,rank]<stderr>:
    std::size_t pos = j;
    if (!read_int(&pos) || pos >= s.size() || s[pos] != ',') return std::nullopt;
    ++pos;
    auto r = read_int(&pos);
    if (!r || pos >= s.size() || s[pos] != ']') return std::nullopt;
    ++pos;
    std::string_view tail = s.substr(pos);
    for (std::string_view tag : {std::string_view("<stdout>:"), std::string_view("<stderr>:")}) {
      if (tail.substr(0, tag.size()) == tag) return finish(pos + tag.size() - 1, *r);
    }
  }
  return std::nullopt;
}

// "torch.OutOfMemoryError: CUDA out of memory" -> "torch.OutOfMemoryError";
// "KeyboardInterrupt" -> itself; "WARNING: x", "INFO:root:x", "Epoch 3: ..." -> "".
std::string_view exception_name(std::string_view content) {
  if (content.empty() || !is_ident_start(content[0])) return {};
  std::size_t i = 0;
  while (i < content.size() && (is_ident(content[i]) || content[i] == '.')) ++i;
  std::string_view name = content.substr(0, i);
  if (i < content.size()) {
    if (content[i] != ':') return {};
    if (i + 1 < content.size() && content[i + 1] != ' ') return {};
  }
  if (name.back() == '.') return {};
  std::string_view last = name.substr(name.rfind('.') == std::string_view::npos ? 0 : name.rfind('.') + 1);
  if (last.empty() || !(last[0] >= 'A' && last[0] <= 'Z')) return {};
  bool has_lower = std::any_of(last.begin(), last.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!has_lower) return {};
  for (std::string_view suffix :
       {"Error", "Exception", "Interrupt", "Exit", "Warning", "Failure", "Fault", "Iteration", "Abort", "Timeout"}) {
    if (last.size() >= suffix.size() && last.substr(last.size() - suffix.size()) == suffix) return name;
  }
  return {};
}

// "20.00 MiB" -> 20971520; nullopt when the text is not a size.
std::optional<double> parse_size(std::string_view s) {
  s = detail::trim(s);
  std::size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  auto n = detail::parse_number(s.substr(0, i));
  if (!n) return std::nullopt;
  std::string unit = detail::to_lower(detail::trim(s.substr(i)));
  static const std::pair<std::string_view, double> kUnits[] = {
      {"b", 1.0},    {"bytes", 1.0},   {"kb", 1e3},        {"mb", 1e6},           {"gb", 1e9},
      {"tb", 1e12},  {"kib", 1024.0},  {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0},
      {"k", 1024.0}, {"m", 1048576.0}, {"g", 1073741824.0}};
  for (const auto& [name, mult] : kUnits)
    if (unit == name) return *n * mult;
  return std::nullopt;
}

// Renders a message template: "{field}" takes an evidence field; a
// parenthesised part whose field is missing is left out with the space
// before it ("CUDA out of memory ({requested} requested)" -> "CUDA out of
// memory" when the line does not say how much); elsewhere a missing field
// reads "unknown".
std::string render(std::string_view tmpl, const Evidence& ev) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  std::size_t group_start = std::string::npos;  // where an open "(" group began in `out`
  bool group_missing = false;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '{') {
      std::size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view key = tmpl.substr(i + 1, close - i - 1);
        if (!key.empty() && std::all_of(key.begin(), key.end(), is_ident)) {
          const std::string* v = evidence_get(ev, key);
          if (!v && group_start != std::string::npos) group_missing = true;
          out += v ? *v : "unknown";
          i = close;
          continue;
        }
      }
    }
    if (c == '(' && group_start == std::string::npos) {
      group_start = out.size();
      group_missing = false;
    }
    out += c;
    if (c == ')' && group_start != std::string::npos) {
      if (group_missing) {
        out.resize(group_start);
        while (!out.empty() && out.back() == ' ') out.pop_back();
      }
      group_start = std::string::npos;
    }
  }
  return out;
}

// The RE2 side of a syndrome: it verifies the multi-pattern pass's hits,
// applies exclusions and extracts evidence, so only lines with a hit need it.
struct SyndromeRegexes {
  std::vector<std::unique_ptr<RE2>> exclude;
  std::vector<std::unique_ptr<RE2>> extract;
};

std::string regex_error(const SyndromeSpec& spec, std::string_view kind, const std::string& p, const std::string& why) {
  return "syndrome '" + spec.name + "': " + std::string(kind) + " '" + p + "': " + why;
}

// Compiles a syndrome's exclude and extract patterns; "" when all compile, else the located error.
std::string compile_regexes(const SyndromeSpec& spec, SyndromeRegexes* out) {
  auto opts = re2_options(spec.case_sensitive);
  auto where = [&](std::string_view kind, const std::string& p, const std::string& why) {
    return regex_error(spec, kind, p, why);
  };
  for (const auto& p : spec.exclude) {
    out->exclude.push_back(std::make_unique<RE2>(p, opts));
    if (!out->exclude.back()->ok()) return where("exclude pattern", p, out->exclude.back()->error());
  }
  for (const auto& p : spec.extract) {
    out->extract.push_back(std::make_unique<RE2>(p, opts));
    if (!out->extract.back()->ok()) return where("extract pattern", p, out->extract.back()->error());
    if (out->extract.back()->NamedCapturingGroups().empty())
      return where("extract pattern", p, "has no named group such as (?P<field>...)");
  }
  return "";
}

// One RE2 pattern compiled on its first use (thread-safe).
struct LazyRegex {
  std::once_flag once;
  std::unique_ptr<RE2> re;
};

struct CompiledSyndrome {
  SyndromeSpec spec;
  std::size_t n_patterns = 0;    // include pattern i >= n_patterns escalates ...
  std::size_t n_escalate = 0;    // ... up to n_patterns + n_escalate; the rest are follow-ups
  std::uint32_t first_expr = 0;  // the multi-pattern database's id of include pattern 0 (the rest follow)
  // Compiled by create() when it compiles the database (which reports a bad
  // pattern), else (the database came from the cache, so this exact
  // catalogue compiled before) when first needed: the include patterns one
  // by one, only those the multi-pattern pass reported on a line (a
  // syndrome's ~70 took 14 ms of a 134 MB scan whose log hit five
  // syndromes), and the exclude and extract patterns together, at the first
  // confirmed hit. Most of a start's CPU was compiling ~400 RE2 patterns that
  // a quiet log never needs.
  std::unique_ptr<LazyRegex[]> include;
  std::unique_ptr<std::once_flag> once = std::make_unique<std::once_flag>();
  std::unique_ptr<SyndromeRegexes> re = std::make_unique<SyndromeRegexes>();
  std::unique_ptr<std::string> error = std::make_unique<std::string>();

  std::size_t n_include() const { return spec.patterns.size() + spec.escalate.size() + spec.follow_ups.size(); }
  const std::string& include_pattern(std::size_t i) const {
    if (i < n_patterns) return spec.patterns[i];
    if (i < n_patterns + n_escalate) return spec.escalate[i - n_patterns];
    return spec.follow_ups[i - n_patterns - n_escalate];
  }
  // Include pattern i, or null when it does not compile (create() reported that when the catalogue was built).
  const RE2* include_regex(std::size_t i) const {
    LazyRegex& l = include[i];
    std::call_once(l.once, [&] { l.re = std::make_unique<RE2>(include_pattern(i), re2_options(spec.case_sensitive)); });
    return l.re->ok() ? l.re.get() : nullptr;
  }
  const SyndromeRegexes& regexes() const {
    std::call_once(*once, [this] { *error = compile_regexes(spec, re.get()); });
    return *re;
  }
  // Compiles every pattern now; "" when all compile, else the located error.
  std::string check() const {
    for (std::size_t i = 0; i < n_include(); ++i)
      if (include_regex(i) == nullptr)
        return regex_error(spec,
                           i < n_patterns                ? "pattern"
                           : i < n_patterns + n_escalate ? "escalate pattern"
                                                         : "follow-up pattern",
                           include_pattern(i), include[i].re->error());
    regexes();
    return *error;
  }
};

// Vectorscan 5.4.9 (Debian 12) misses matches of patterns whose matches can be one or two bytes long in text
// past a certain offset: `1$` (as the quiet test writes it, `1(?:$|\r)`) in "<16 or more bytes>1\n", `1[\r\n]`
// past 64 bytes (found by fuzz_log_pattern; the engine's own result, whatever the platform it was compiled for).
// Such an expression goes into the database as a prefilter that hits every line, and RE2 decides on each line
// (slow, but only for a catalogue that holds so short a pattern; the default one holds none). Decided when the
// database is compiled; the cache key names the rule, so a database cached before it is not used.
constexpr std::string_view kTinyRule = " tiny 1-2";
constexpr std::size_t kTinyCheckMaxLength = 64;  // a longer pattern is not checked (a parse costs ~40 us)

bool tiny_match_width(const std::string& pattern, unsigned flags) {
  if (pattern.size() > kTinyCheckMaxLength) return false;
  const std::optional<unsigned> width = hs_expr_info(pattern, flags).min_width;
  return width && *width >= 1 && *width <= 2;  // one that can match nothing at all is refused, as before
}

// The cache key of a catalogue: the multi-pattern expressions and also every
// RE2 pattern, so that a cached database means that this exact catalogue
// compiled, RE2 side included.
std::string catalogue_key(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                          const std::vector<CompiledSyndrome>& syndromes) {
  // Built on every start (~150 KB): sized once, appended in place.
  auto lists = [](const CompiledSyndrome& cs) {
    return std::array{&cs.spec.patterns, &cs.spec.escalate, &cs.spec.follow_ups, &cs.spec.exclude, &cs.spec.extract};
  };
  std::size_t size = 64;
  for (const std::string& e : expressions) size += e.size() + 16;
  for (const CompiledSyndrome& cs : syndromes) {
    size += cs.spec.name.size() + 16;
    for (const auto* list : lists(cs))
      for (const auto& p : *list) size += p.size() + 4;
  }
  std::string key;
  key.reserve(size);
  key.append(hs_version()).append(kTinyRule).append("\n");
  for (std::size_t i = 0; i < expressions.size(); ++i)
    key.append(std::to_string(flags[i])).append(":").append(expressions[i]).append("\n");
  for (const CompiledSyndrome& cs : syndromes) {
    key.append("re2 ").append(cs.spec.name).append(cs.spec.case_sensitive ? " cs\n" : "\n");
    for (const auto* list : lists(cs)) {
      for (const auto& p : *list) key.append(p).append("\n");
      key.append("--\n");
    }
  }
  return key;
}

}  // namespace

namespace detail {
void forget_compiled_catalogues() {
  std::lock_guard<std::mutex> lock(databases_mutex());
  databases().clear();
}

// The multi-pattern pass reads a line rewritten with \r (a progress bar) as
// its segments: the text after each \r is a line of its own. Rather than scan
// a copy with every \r turned into \n, the database is built from
// expressions where ^ and $ also anchor at a \r: `(?:^|\r)`, `(?:$|\r)`.
// On text without \r (every copy, every normalised line) they match exactly
// where the expression does. On raw text they match wherever it matches one
// segment of the copy (and a little more), which is all the quiet test needs:
// a finding is a match inside one segment (RE2 confirms it there), and only
// the anchors look past a match's own bytes (\b sees \r and \n alike). A hit
// on raw text sends the piece line by line, where segments are read as ever.
// nullopt for syntax this reader does not follow (\Q quoting, (?x) comments):
// that expression's scanner copies the pieces that hold a \r instead.
std::optional<std::string> log_pattern_with_cr_line_ends(std::string_view expr) {
  std::string out;
  out.reserve(expr.size() + 16);
  bool in_class = false;
  std::size_t body = 0;  // where the class's body starts (a ']' there is a literal)
  for (std::size_t i = 0; i < expr.size(); ++i) {
    const char c = expr[i];
    if (c == '\\') {
      if (i + 1 >= expr.size() || expr[i + 1] == 'Q') return std::nullopt;
      out.append(expr.substr(i, 2));
      ++i;
    } else if (in_class) {
      if (c == '[' && i + 1 < expr.size() && expr[i + 1] == ':') {  // [:alpha:]
        const std::size_t close = expr.find(":]", i + 2);
        if (close == std::string_view::npos) return std::nullopt;
        out.append(expr.substr(i, close + 2 - i));
        i = close + 1;
        continue;
      }
      if (c == ']' && i > body) in_class = false;
      out += c;
    } else if (c == '[') {
      in_class = true;
      body = i + 1 + (i + 1 < expr.size() && expr[i + 1] == '^' ? 1 : 0);
      out.append(expr.substr(i, body - i));
      i = body - 1;
    } else if (c == '^' || c == '$') {
      out += c == '^' ? "(?:^|\\r)" : "(?:$|\\r)";
      while (i + 1 < expr.size() && expr[i + 1] == c) ++i;  // "$$" is "$", and would be an embedded anchor here
    } else {
      if (c == '(' && i + 1 < expr.size() && expr[i + 1] == '?')  // inline flags: in extended mode '#' starts a comment
        for (std::size_t j = i + 2;
             j < expr.size() && (std::isalpha(static_cast<unsigned char>(expr[j])) || expr[j] == '-'); ++j)
          if (expr[j] == 'x') return std::nullopt;
      out += c;
    }
  }
  if (in_class) return std::nullopt;
  return out;
}

// Checks one playbook pattern; "" when it compiles. `multi` patterns must
// also compile with Vectorscan (they go into the multi-pattern database).
// The text's own anchors (\A, \z, \Z, \G) are refused: a log is read in
// pieces whose ends depend on how it arrives (a line alone, a block of lines,
// the rest of a file), so they would match or not by chance; ^ and $ anchor
// at a line's ends.
std::string check_log_pattern(const std::string& pattern, bool case_sensitive, bool multi) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i)
    if (pattern[i] == '\\') {
      if (std::string_view("AzZG").find(pattern[i + 1]) != std::string_view::npos)
        return std::string("\\") + pattern[i + 1] +
               " anchors the text scanned at once, not a line (a log arrives in pieces): use ^ or $";
      ++i;
    }
  RE2 re(pattern, re2_options(case_sensitive));
  if (!re.ok()) return re.error();
  return multi ? hs_check(pattern, case_sensitive) : std::string();
}
}  // namespace detail

std::optional<int> log_line_rank(std::string_view line) { return strip_rank_prefix(&line); }

struct LogScanner::Impl {
  LogOptions options;
  std::vector<CompiledSyndrome> syndromes;
  std::vector<std::uint32_t> id_to_syndrome;
  HsDatabase db;
  HsScratch scratch;  // prototype, cloned per stream
  // Every expression of the database also anchors at a \r (log_pattern_with_cr_line_ends): the quiet test scans raw
  // text.
  bool cr_line_ends = true;
  std::optional<std::uint32_t> hang_syndrome;  // the catalogue's `hang`, when enabled (is_waiting_dump's finding)

  Status build_database(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                        const std::vector<std::string>& written);
};

LogScanner::LogScanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogScanner::~LogScanner() = default;
const LogOptions& LogScanner::options() const { return impl_->options; }
std::string_view LogScanner::engine() const { return "vectorscan"; }

// The Vectorscan database of `expressions` (one per include pattern, id_to_syndrome naming its syndrome): this
// process's, else the cache directory's, else compiled here (after checking the RE2 side) and cached.
Status LogScanner::Impl::build_database(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                                        const std::vector<std::string>& written) {
  std::string key = catalogue_key(expressions, flags, syndromes);
  db = process_database(key);
  const bool shared = db != nullptr;  // this process built or loaded it already
  const std::string cache = options.cache_dir.empty() ? detail::cache_dir() : options.cache_dir;
  if (!shared) db = load_cached(cache, key);
  hs_database_t* raw = db.get();
  // In memory or on disk, it was checked when it was compiled; else compile (and so check) the RE2 side now, as
  // the database.
  const bool from_cache = raw != nullptr;
  if (!from_cache) {
    for (const CompiledSyndrome& cs : syndromes)
      if (std::string error = cs.check(); !error.empty()) return Status(StatusCode::kInvalidArgument, error);
    std::vector<const char*> ptrs;
    std::vector<unsigned> ids;
    const std::string every_line = cr_line_ends ? R"((?:^|\r)[\s\S])" : R"(^[\s\S])";  // see tiny_match_width
    for (std::size_t i = 0; i < expressions.size(); ++i) {
      ptrs.push_back(tiny_match_width(written[i], flags[i]) ? every_line.c_str() : expressions[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                         nullptr, &raw, &err) != HS_SUCCESS) {
      std::string why = err && err->message ? err->message : "does not compile";
      int at = err ? err->expression : -1;
      hs_free_compile_error(err);
      if (at >= 0 && static_cast<std::size_t>(at) < expressions.size())
        return Status(StatusCode::kInvalidArgument, "syndrome '" + syndromes[id_to_syndrome[at]].spec.name +
                                                        "': pattern '" + written[at] + "': " + why);
      return Status(StatusCode::kInvalidArgument, "syndrome catalogue: " + why);
    }
    db = HsDatabase(raw, HsDatabaseDeleter{});
  }
  if (!shared) keep_database(key, db);
  // A database compiled here, or shared from memory while this cache directory has no file for it yet (the
  // first scanner used another directory, or none), is written for the next process.
  std::error_code ec;
  if (!from_cache || (shared && !cache.empty() && !std::filesystem::exists(cache_path(cache, key), ec)))
    store_cached(cache, key, raw);
  hs_scratch_t* prototype = nullptr;
  if (hs_alloc_scratch(raw, &prototype) != HS_SUCCESS)
    return Status(StatusCode::kResourceExhausted, "cannot allocate Vectorscan scratch space");
  scratch.reset(prototype);
  return Status::Ok();
}

Result<std::shared_ptr<const LogScanner>> LogScanner::create(const LogOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  // Lines and blocks are indexed with 32 bits (hs_scan takes an unsigned length).
  impl->options.max_line_bytes = std::clamp<std::size_t>(impl->options.max_line_bytes, 1, std::size_t{1} << 30);
  std::vector<std::string> expressions, written;  // what the database holds; what the catalogue says
  std::vector<unsigned> flags;
  for (const SyndromeSpec& spec : options.syndromes) {
    if (!spec.enabled) continue;
    if (spec.name.empty()) return Status(StatusCode::kInvalidArgument, "a syndrome has no name");
    if (spec.patterns.empty() && spec.escalate.empty() && spec.follow_ups.empty())
      return Status(StatusCode::kInvalidArgument, "syndrome '" + spec.name + "' has no patterns");
    CompiledSyndrome cs;
    cs.spec = spec;
    cs.first_expr = static_cast<std::uint32_t>(expressions.size());
    // `hs`: what the multi-pattern pass looks for (a prefilter, else the pattern).
    auto add_include = [&](const std::string& hs) {
      std::optional<std::string> cr = detail::log_pattern_with_cr_line_ends(hs);
      impl->cr_line_ends &= cr.has_value();
      expressions.push_back(cr ? std::move(*cr) : hs);
      written.push_back(hs);
      flags.push_back(hs_flags(spec.case_sensitive));
      impl->id_to_syndrome.push_back(static_cast<std::uint32_t>(impl->syndromes.size()));
    };
    for (std::size_t i = 0; i < spec.patterns.size(); ++i) {
      const bool filtered = i < spec.prefilters.size() && !spec.prefilters[i].empty();
      add_include(filtered ? spec.prefilters[i] : spec.patterns[i]);
    }
    cs.n_patterns = spec.patterns.size();
    for (const auto& p : spec.escalate) add_include(p);
    cs.n_escalate = spec.escalate.size();
    for (const auto& p : spec.follow_ups) add_include(p);
    cs.include = std::make_unique<LazyRegex[]>(cs.n_include());
    if (spec.name == "hang") impl->hang_syndrome = static_cast<std::uint32_t>(impl->syndromes.size());
    impl->syndromes.push_back(std::move(cs));
  }
  if (!impl->cr_line_ends) expressions = written;  // one expression cannot: the quiet test scans a copy
  if (!expressions.empty()) {
    Status st = impl->build_database(expressions, flags, written);
    if (!st.ok() && impl->cr_line_ends) {
      // Vectorscan refuses a rewrite it takes as written (an anchor right after another, "\z$"): the catalogue
      // as written, and the quiet test scans a copy.
      impl->cr_line_ends = false;
      st = impl->build_database(written, flags, written);
    }
    if (!st.ok()) return st;
  }
  return std::shared_ptr<const LogScanner>(new LogScanner(std::move(impl)));
}

// ---------------------------------------------------------------------------
// LogStream

namespace {

struct Unit {
  std::uint32_t start = 0;  // in the scanned block
  std::uint32_t len = 0;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
};

struct Hit {
  std::uint32_t unit;
  std::uint32_t syndrome;
  std::uint32_t expr;  // the multi-pattern database's id of the pattern (or prefilter) that matched
};

// A finding held back: a traceback waiting for its (last, chained) exception,
// or a multi-line report whose further lines fold into it.
struct Pending {
  int key;  // traceback: rank, or -1; folded report: kFoldKeyBase - syndrome index
  std::uint32_t syndrome = 0;
  LogMatch match;
  std::uint64_t waited = 0;     // segments since the header / since the last folded match
  bool have_exception = false;  // traceback: the exception line came; held to see whether a chain follows
  bool chained = false;         // traceback: a chain marker came; the next header belongs to this finding
  bool chain_header = false;    // traceback: ... and that header came (or the marker was one: "Original Traceback")
  bool gap = false;             // traceback: a blank line of its rank came before its exception
  std::uint64_t after = 0;      // traceback: segments since the exception line
  bool fold = false;
  std::uint64_t folded = 0;              // folded report: further matches folded in
  std::vector<int> ranks;                // folded report: ranks seen, in order
  std::optional<std::uint64_t> min_seq;  // folded report: smallest collective sequence number seen
  std::optional<int> min_seq_rank;
  std::string first_frame;   // traceback: its first frame line (a stack dump's innermost call)
  bool after_other = false;  // traceback: it began within kLogFollowUpLines of another syndrome's finding on its rank
};

constexpr int kFoldKeyBase = -2;
constexpr std::uint64_t kChainWaitSegments = 8;  // a held exception waits this long for a chain marker

bool is_chain_marker(std::string_view content) {
  return content.find("During handling of the above exception") != std::string_view::npos ||
         content.find("The above exception was the direct cause") != std::string_view::npos ||
         // torch's DataLoader re-raise: "KeyError: Caught KeyError in DataLoader
         // worker process 0." then the worker's own traceback
         content.find("Original Traceback (most recent call last)") != std::string_view::npos;
}

// A traceback's frame line: '  File "train.py", line 12, in main'.
bool is_frame_line(std::string_view content) {
  std::size_t f = content.find("File \"");
  return f != std::string_view::npos && content.find("\", line ", f) != std::string_view::npos;
}

// faulthandler's dump of the thread that dumped ('Current thread 0x... (most recent call first):') whose innermost
// call blocks ('  File ".../threading.py", line 299 in wait'): the dump a registered signal or a timer took of a live
// process that was waiting (faulthandler writes ' in ' with no comma; a traceback's frame has one). After a fatal
// signal the current thread is the one that crashed, and the dump is that finding's (after_other).
bool is_waiting_dump(std::string_view header, std::string_view first_frame) {
  if (header.find("Current thread 0x") == std::string_view::npos ||
      header.find("(most recent call first)") == std::string_view::npos)
    return false;
  static const RE2 waiting(
      "File \"[^\"]*\", line [0-9]+ in (wait|wait_for|acquire|join|_wait_for_tstate_lock|select|"
      "poll|recv|recv_into|accept|sleep|result)\\s*$",
      re2_options(true));
  return RE2::PartialMatch(re2::StringPiece(first_frame.data(), first_frame.size()), waiting);
}

// A Ray / vLLM process tag in front of a line: "(RayWorker pid=12, ip=10.0.0.1) ".
std::string_view skip_process_tag(std::string_view content) {
  if (content.empty() || content[0] != '(') return content;
  std::size_t close = content.find(") ");
  if (close == std::string_view::npos || close > 120 ||
      content.substr(1, close - 1).find('(') != std::string_view::npos)
    return content;
  return content.substr(close + 2);
}

// A traceback still waiting for its exception ends after a blank line of its
// rank (`gap`; Python prints none between the header and the exception line)
// when the next line is not a frame, an indented source line or an exception
// line: the paste was cut there and something else follows. Chained blocks
// keep their blank lines.
bool ends_at_gap(Pending* p, std::string_view content) {
  if (p->chained || !p->gap) return false;
  p->gap = false;
  std::string_view line = skip_process_tag(content);
  return !line.empty() && line[0] != ' ' && line[0] != '\t' && !is_frame_line(content) && exception_name(line).empty();
}

// The held traceback's (last) exception came: `exc` ("ValueError: x"); an
// earlier one of a chained block stays as `chained_from`.
void record_exception(Pending* p, std::string exc, std::string type) {
  Evidence& ev = p->match.evidence;
  auto set = [&ev](std::string_view k, std::string v) {
    for (auto& [key, val] : ev)
      if (key == k) {
        val = std::move(v);
        return;
      }
    ev.emplace_back(std::string(k), std::move(v));
  };
  if (const std::string* prev = evidence_get(ev, "exception"); prev && !evidence_get(ev, "chained_from"))
    ev.emplace_back("chained_from", *prev);
  set("exception", std::move(exc));
  if (!type.empty()) set("exception_type", std::move(type));
  p->have_exception = true;
  p->chained = false;
  p->chain_header = false;
  p->after = 0;
}

// A logger's metric row of two cells whose value is one number, nan or inf: '| loss          | nan       |'.
bool is_key_value_row(std::string_view line) {
  static const RE2 row("\\|\\s*[A-Za-z_][\\w/.-]*\\s*\\|\\s*[-+]?([0-9][0-9.]*([eE][-+]?[0-9]+)?|nan|inf)\\s*\\|",
                       re2_options(false));
  return RE2::FullMatch(re2::StringPiece(line.data(), line.size()), row);
}

// Documentation, not a log line: a markdown table row ('| 79 | GPU has fallen off the bus | ... |': a
// pipe at both ends and at least two cells), a markdown heading ('# XID 79: ...'), or prose that names
// an error as an example ('cryptic errors like OSError: No space left on device', 'If you've
// encountered ...'), or a changelog entry ('- Add FAQ for CUDA error: ...'), or a line of a unified diff that adds or
// removes indented code or example output ('+    ray.exceptions.OutOfMemoryError: ...' in a PR). Programs print none
// of these shapes; wikis, READMEs, PRs and blog posts about the errors do, so no syndrome reports them.
bool is_doc_line(std::string_view line) {
  if (line.size() >= 4 && (line[0] == '+' || line[0] == '-') && ((line[1] == ' ' && line[2] == ' ') || line[1] == '\t'))
    return true;
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  // (not nvidia-smi's table: a row with its memory-usage cell, '10123MiB / 11178MiB', or its bus-id cell,
  // '00000000:19:00.0 Off', is the tool's output; nor a key / value row of a trainer's logger, '| lg_loss_scale |
  // -0.821   |' (OpenAI's baselines logger and its copies print their metrics so): two cells, the second one number,
  // nan or inf; nor Triton's model table, whose status cell of a model that failed to load starts 'UNAVAILABLE: ',
  // '| densenet_onnx | 1 | UNAVAILABLE: Internal: unable to create stream: ... |')
  static const RE2 bus_id("[0-9a-f]{8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-9] ", re2_options(false));
  if (line.size() >= 5 && line.front() == '|' && line.back() == '|' && std::count(line.begin(), line.end(), '|') >= 3 &&
      line.find("MiB / ") == std::string_view::npos && line.find("| UNAVAILABLE: ") == std::string_view::npos &&
      !is_key_value_row(line) && !RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), bus_id))
    return true;
  // (not the programs that prefix their report lines so: the JVM's fatal-error banner, '# There is insufficient memory
  // for the Java Runtime Environment to continue.', and nccl-tests' summary, '# Out of bounds values : 2 FAILED')
  static constexpr std::string_view kHashPrefixedOutput[] = {"Java Runtime Environment", "Out of bounds values"};
  std::size_t hashes = line.find_first_not_of('#');
  if (hashes >= 1 && hashes <= 6 && hashes + 1 < line.size() && line[hashes] == ' ' &&
      std::isalpha(static_cast<unsigned char>(line[hashes + 1])) &&
      std::none_of(std::begin(kHashPrefixedOutput), std::end(kHashPrefixedOutput),
                   [&](std::string_view marker) { return line.find(marker) != std::string_view::npos; }))
    return true;
  // A line that starts with an exception is a program's, whatever its message says (Ray Train's
  // 'ray.train.base_trainer.TrainingFailedError: ... rather an error such as OOM), you can restart the run ...').
  static const RE2 exception_first("^([a-z_][a-z0-9_]*\\.)*[A-Z][A-Za-z0-9_]*(Error|Exception): ", re2_options(true));
  if (RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), exception_first)) return false;
  static const RE2 prose(
      "\\b(errors?|exceptions?|messages?|failures?|warnings?) (like|such as)\\b|"
      "\\bif you('ve| have)? (encountered|seen|run into|hit)\\b|"
      // a hint quoting the error it explains ("If you get `CUDA error: invalid device function` errors, ...")
      "\\bif you (get|got|see|saw) [`'\"]|"
      // a changelog entry ("- Add FAQ for CUDA error: ...", "* Fixed ... out of memory"), a commit or PR title
      // ("fixed segmentation fault when closing the program")
      "^[-*] (add|added|adds|fix|fixed|fixes|document|documented|documents)\\b|^(fix|fixed|fixes)\\b|"
      // documentation glossing a status code ("The SQLITE_FULL result code indicates that a write could not
      // complete because the disk is full"), narrative that introduces an error to the reader ("Then you see it: No
      // space left on device."), or that contrasts behaviours ("... instead of reporting only exit code 137")
      "\\b(result|error|return|status|exit) code (indicates|means)\\b|\\b(then|and|until|once) you (see|get|hit) "
      "(it|this|that)\\b|"
      "\\binstead of (reporting|returning|printing|showing|raising)\\b|"
      // a PR summary's list item that quotes an error's name as markdown code ("- return
      // `CUDA_ERROR_DEVICE_UNAVAILABLE` when ..."): a program prints the name, not its backticks after a bullet and a
      // verb
      "^[-*] [a-z]+ .{0,80}`[A-Z][A-Z0-9_]{3,}`|"
      // a reference entry's field naming the error it describes ("SIGNATURE=RuntimeError: NCCL communicator was
      // aborted ...", "+**Cause**: the Linux OOM killer, not CUDA."), prose about what an error usually comes from or
      // leads to ("Often the cause of a MemoryError is ...", "... typically resulting in a ...ChildFailedError on the
      // Agent itself"), an error quoted as reStructuredText's inline literal ("``RuntimeError: CUDA out of memory``
      // with a Python traceback") or as markdown code right after CJK prose (a Chinese FAQ's "<usually seen>
      // `Cuda Error: ...`, <because> ...": a UTF-8 CJK character is three bytes, a lead byte 0xe3-0xe9 and two
      // continuation bytes), or in double quotes right after CJK prose (an article's "<the system throws>"RuntimeError:
      // DataLoader worker ... is killed by signal: Killed"<error>")
      "^\\W{0,4}(signature|symptoms?|summary|root cause|cause)\\W{0,3}\\s*[=:]|"
      "\\bthe (cause|causes|source) of (an? |the )?\\w*(error|exception)s? (is|are|was)\\b|"
      "\\b(typically|usually|often|generally|commonly|normally) (resulting|results?|leading|leads?) (in|to)\\b|"
      "``[^`]{4,}``|"
      "(?-i:[\\x{e3}-\\x{e9}][\\x{80}-\\x{bf}][\\x{80}-\\x{bf}]) ?(`[^`]{4,}`|\"[^\"]{4,}\")",
      re2_options(false));
  return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), prose);
}

// The end of the segment starting at p (end when none). Blocks with a \r
// are scanned from a copy where it reads as \n, so \n is the only separator.
const char* segment_end(const char* p, const char* end) {
  const void* nl = p < end ? std::memchr(p, '\n', static_cast<std::size_t>(end - p)) : nullptr;
  return nl ? static_cast<const char*>(nl) : end;
}

struct ScanContext {
  const std::vector<Unit>* units;
  const std::vector<std::uint32_t>* id_to_syndrome;
  std::vector<Hit>* hits;
  std::size_t cursor = 0;
};

int on_hs_match(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx_ptr) {
  auto* ctx = static_cast<ScanContext*>(ctx_ptr);
  const auto& units = *ctx->units;
  unsigned long long last = to == 0 ? 0 : to - 1;
  while (ctx->cursor + 1 < units.size() && units[ctx->cursor + 1].start <= last) ++ctx->cursor;
  auto unit = static_cast<std::uint32_t>(ctx->cursor);
  auto& hits = *ctx->hits;
  for (auto it = hits.rbegin(); it != hits.rend() && it->unit == unit; ++it)
    if (it->expr == id) return 0;
  hits.push_back({unit, (*ctx->id_to_syndrome)[id], id});
  return 0;
}

}  // namespace

struct LogStream::State {
  std::shared_ptr<const LogScanner> scanner;
  const LogScanner::Impl* impl = nullptr;
  std::string source;
  std::optional<int> default_rank;
  HsScratch scratch;

  std::uint64_t bytes_seen = 0;    // stream offset of the next byte fed
  std::uint64_t next_line = 1;     // number of the next line to complete
  std::string carry;               // the partial line (first max_line_bytes bytes)
  std::uint64_t carry_bytes = 0;   // its full length so far
  std::uint64_t carry_offset = 0;  // its offset in the stream

  std::vector<Unit> units;
  std::vector<Hit> hits;
  std::string norm;   // normalised text of one messy line
  std::string crbuf;  // a block with \r read as \n
  std::vector<Pending> pending;
  // The line, rank key (rank, or -1) and syndrome of the last finding a follow-up line can belong to.
  std::optional<std::uint64_t> last_finding_line;
  int last_finding_key = -1;
  std::uint32_t last_finding_syndrome = 0;
  // Lines seen of each pattern with a repeat count, by syndrome, pattern and rank (SyndromeSpec::repeats).
  std::unordered_map<std::string, std::size_t> repeat_counts;

  void append_carry(const char* p, std::size_t n) {
    std::size_t cap = impl->options.max_line_bytes;
    if (carry.size() < cap) carry.append(p, std::min(n, cap - carry.size()));
    carry_bytes += n;
  }

  void scan_line(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out);
  void scan_region(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out);
  void scan_lines(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out);
  bool quiet_piece(const char* p, std::size_t n);
  void scan_block(const char* base, std::size_t len, bool has_cr, std::vector<LogMatch>* out);
  bool handle_hit(std::string_view text, const Unit& u, std::span<const Hit> line_hits, bool claimed,
                  std::vector<LogMatch>* out);
  static bool confirm_hit(const CompiledSyndrome& cs, std::string_view text, std::span<const Hit> line_hits,
                          bool* escalated, bool* follow_up, std::size_t* repeat_of);
  bool count_repeat(const CompiledSyndrome& cs, std::uint32_t syndrome, std::size_t pattern, LogMatch* m);
  static bool stuck_at_once(const CompiledSyndrome& cs, std::size_t pattern, const Evidence& ev);
  LogMatch make_match(const CompiledSyndrome& cs, std::string_view text, const Unit& u, bool escalated,
                      std::string_view* content) const;
  void hold_traceback(LogMatch m, std::string_view content, const Unit& u, std::uint32_t syndrome, bool claimed,
                      std::vector<LogMatch>* out);
  void fold_match(LogMatch m, std::uint32_t syndrome, std::vector<LogMatch>* out);
  void track_pending(std::string_view text, std::vector<LogMatch>* out);
  void extract_into(const CompiledSyndrome& cs, std::string_view text, Evidence* ev) const;
  void finalize(const CompiledSyndrome& cs, LogMatch* m) const;
  void emit_pending(std::size_t i, std::vector<LogMatch>* out);
};

void LogStream::State::scan_block(const char* base, std::size_t len, bool has_cr, std::vector<LogMatch>* out) {
  if (units.empty()) return;
  // Lines rewritten with \r (progress bars) are scanned from a copy where \r
  // reads as \n, so that ^ and $ anchor at the text after the bar as at a
  // line of its own; the bytes map 1:1, so offsets and units hold.
  if (has_cr) {
    crbuf.assign(base, len);
    char* q = crbuf.data();
    char* const qend = q + len;
    while ((q = static_cast<char*>(std::memchr(q, '\r', static_cast<std::size_t>(qend - q)))) != nullptr) *q++ = '\n';
    base = crbuf.data();
  }
  hits.clear();
  if (impl->db) {
    ScanContext ctx{&units, &impl->id_to_syndrome, &hits};
    hs_scan(impl->db.get(), base, static_cast<unsigned>(len), 0, scratch.get(), on_hs_match, &ctx);
    // The findings of one line in catalogue order: the engine reports hits by where a pattern (or its
    // prefilter) ends, and orders hits that end at the same byte as its compiled database happens to.
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.unit != b.unit ? a.unit < b.unit : a.expr < b.expr;  // expr order is syndrome order
    });
  }
  std::size_t h = 0;
  std::size_t u = 0;
  while (u < units.size()) {
    if (pending.empty()) {
      if (h == hits.size()) break;
      u = hits[h].unit;
    }
    const Unit& unit = units[u];
    std::size_t h_end = h;
    while (h_end < hits.size() && hits[h_end].unit == u) ++h_end;
    // A line rewritten with \r (a progress bar) is looked at segment by
    // segment, here only: most such lines have no hit and cost nothing more.
    const char* p = base + unit.start;
    const char* end = p + unit.len;
    // A blank line ends a multi-line report (the next one is a new finding),
    // and may end a traceback still waiting for its exception (ends_at_gap).
    if (!pending.empty() && rtrim(std::string_view(p, unit.len)).empty()) {
      for (std::size_t i = 0; i < pending.size();) {
        if (pending[i].fold) {
          emit_pending(i, out);
          continue;
        }
        if (pending[i].key == (default_rank ? *default_rank : -1)) pending[i].gap = true;
        ++i;
      }
    }
    while (p <= end) {
      const char* seg_end = segment_end(p, end);
      if (seg_end > p) {
        std::string_view text(p, static_cast<std::size_t>(seg_end - p));
        if (!pending.empty()) track_pending(text, out);
        // One-line syndromes first: a bare exception line one of them claims
        // ("RuntimeError: CUDA error: ...") starts no traceback of its own.
        // Each syndrome once, with the patterns of it the multi-pattern pass reported on the line.
        bool claimed = false;
        for (int pass = 0; pass < 2; ++pass)
          for (std::size_t k = h, k_end; k < h_end; k = k_end) {
            k_end = k + 1;
            while (k_end < h_end && hits[k_end].syndrome == hits[k].syndrome) ++k_end;
            const std::span<const Hit> same(hits.data() + k, k_end - k);
            if (impl->syndromes[hits[k].syndrome].spec.until_exception != (pass == 1)) continue;
            const bool found = handle_hit(text, unit, same, pass == 1 && claimed, out);
            if (pass == 0) claimed |= found;
          }
      }
      p = seg_end + 1;
    }
    h = h_end;
    ++u;
  }
  units.clear();
}

// The include patterns confirm a Vectorscan hit on the whole line (false: a match that spanned two
// lines, or a prefilter hit; or an exclude pattern matches); *escalated when an escalating one matched,
// *follow_up when only a follow-up pattern did, *repeat_of the pattern when only ones with a repeat
// count did (else kNoRepeat).
//
// Only the patterns in `line_hits` (the syndrome's that the multi-pattern pass reported on the line, in pattern
// order) are tried: any other cannot match it, since a pattern's expression there (it, or its prefilter)
// matches every line it does.
bool LogStream::State::confirm_hit(const CompiledSyndrome& cs, std::string_view text, std::span<const Hit> line_hits,
                                   bool* escalated, bool* follow_up, std::size_t* repeat_of) {
  const std::size_t n_main = cs.n_patterns + cs.n_escalate;
  re2::StringPiece piece(text.data(), text.size());
  auto matches = [&](std::size_t i) {
    const RE2* re = cs.include_regex(i);
    return re != nullptr && RE2::PartialMatch(piece, *re);
  };
  *escalated = false;
  *follow_up = false;
  for (const Hit& hit : line_hits) {
    const std::size_t i = hit.expr - cs.first_expr;
    if (i >= cs.n_patterns && i < n_main && matches(i)) {
      *escalated = true;
      break;
    }
  }
  bool matched = *escalated;
  // A pattern that needs repeats counts only when no other pattern matches.
  *repeat_of = kNoRepeat;
  for (std::size_t k = 0; k < line_hits.size() && !matched; ++k) {
    const std::size_t i = line_hits[k].expr - cs.first_expr;
    if (i >= cs.n_patterns || !matches(i)) continue;
    if (i < cs.spec.repeats.size() && cs.spec.repeats[i] > 1) {
      if (*repeat_of == kNoRepeat) *repeat_of = i;
    } else {
      matched = true;
      *repeat_of = kNoRepeat;
    }
  }
  matched |= *repeat_of != kNoRepeat;
  for (std::size_t k = 0; k < line_hits.size() && !matched; ++k) {
    const std::size_t i = line_hits[k].expr - cs.first_expr;
    if (i >= n_main) matched = *follow_up = matches(i);
  }
  if (!matched || is_doc_line(text)) return false;
  for (const auto& ex : cs.regexes().exclude)
    if (RE2::PartialMatch(piece, *ex)) return false;
  return true;
}

// A line that only a pattern with a repeat count matched: counted per rank (prefix, else an
// extracted "rank"); true on the count's Nth line, or at once when the line says the wait can
// never end (SyndromeSpec::at_once_if_greater), with evidence "repeats".
bool LogStream::State::count_repeat(const CompiledSyndrome& cs, std::uint32_t syndrome, std::size_t pattern,
                                    LogMatch* m) {
  std::string key = std::to_string(syndrome) + ' ' + std::to_string(pattern) + ' ';
  if (m->rank) {
    key += std::to_string(*m->rank);
  } else if (const std::string* rank = evidence_get(m->evidence, "rank")) {
    key += *rank;
  }
  if (repeat_counts.size() >= kMaxRepeatKeys && !repeat_counts.contains(key)) repeat_counts.clear();
  std::size_t& seen = repeat_counts[key];
  if (++seen < cs.spec.repeats[pattern] && !stuck_at_once(cs, pattern, m->evidence)) return false;
  m->evidence.emplace_back("repeats", std::to_string(seen));
  return true;
}

// SyndromeSpec::at_once_if_greater: the line's two evidence fields say the wait can never end.
bool LogStream::State::stuck_at_once(const CompiledSyndrome& cs, std::size_t pattern, const Evidence& ev) {
  if (pattern >= cs.spec.at_once_if_greater.size()) return false;
  const auto& [a, b] = cs.spec.at_once_if_greater[pattern];
  const std::string* x = evidence_get(ev, a);
  const std::string* y = evidence_get(ev, b);
  auto number = [](const std::string* s) -> std::optional<double> {
    double v = 0;
    if (!s || s->empty() || std::from_chars(s->data(), s->data() + s->size(), v).ec != std::errc()) return std::nullopt;
    return v;
  };
  auto vx = number(x), vy = number(y);
  return vx && vy && *vx > *vy;
}

// The match of one line with its evidence; *content is the line without its rank prefix.
LogMatch LogStream::State::make_match(const CompiledSyndrome& cs, std::string_view text, const Unit& u, bool escalated,
                                      std::string_view* content) const {
  const LogOptions& opts = impl->options;
  LogMatch m;
  m.syndrome = cs.spec.name;
  m.severity = escalated ? Severity::kCritical : cs.spec.severity;
  m.text = capped(text, opts.max_text_bytes);
  m.line = u.line;
  m.offset = u.offset;
  m.source = source;
  *content = text;
  m.rank = strip_rank_prefix(content);
  if (!m.rank) m.rank = default_rank;
  m.evidence.emplace_back("line", m.text);
  if (m.rank) m.evidence.emplace_back("rank", std::to_string(*m.rank));
  if (std::string_view type = exception_name(*content); !type.empty())
    m.evidence.emplace_back("exception_type", std::string(type));
  extract_into(cs, text, &m.evidence);
  return m;
}

// False when the syndrome's patterns do not confirm the hit (or an exclude matches).
bool LogStream::State::handle_hit(std::string_view text, const Unit& u, std::span<const Hit> line_hits, bool claimed,
                                  std::vector<LogMatch>* out) {
  const std::uint32_t syndrome = line_hits.front().syndrome;
  const CompiledSyndrome& cs = impl->syndromes[syndrome];
  bool escalated = false;
  bool follow_up = false;
  std::size_t repeat_of = kNoRepeat;
  if (!confirm_hit(cs, text, line_hits, &escalated, &follow_up, &repeat_of)) return false;
  std::string_view content;
  LogMatch m = make_match(cs, text, u, escalated, &content);
  if (repeat_of != kNoRepeat && !count_repeat(cs, syndrome, repeat_of, &m)) return false;
  // A follow-up line right after a finding of another syndrome on its rank is part of that finding
  // (after one of its own syndrome it stays: the engine's dedupe merges the two).
  const int key = m.rank ? *m.rank : -1;
  if (follow_up && last_finding_line && key == last_finding_key && syndrome != last_finding_syndrome &&
      u.line - *last_finding_line <= kLogFollowUpLines)
    return true;
  if (!cs.spec.until_exception) {  // a traceback's lines are its own (its exception line is claimed or is it)
    last_finding_line = u.line;
    last_finding_key = key;
    last_finding_syndrome = syndrome;
  }
  if (cs.spec.until_exception) {
    hold_traceback(std::move(m), content, u, syndrome, claimed, out);
    return true;
  }
  if (cs.spec.fold_lines > 0) {
    fold_match(std::move(m), syndrome, out);
    return true;
  }
  finalize(cs, &m);
  out->push_back(std::move(m));
  return true;
}

// A traceback syndrome's line: joins the traceback held for its rank, or starts one
// (not a bare exception line that a one-line syndrome `claimed`: that finding says it).
void LogStream::State::hold_traceback(LogMatch m, std::string_view content, const Unit& u, std::uint32_t syndrome,
                                      bool claimed, std::vector<LogMatch>* out) {
  int key = m.rank ? *m.rank : -1;
  // A frame line or an exception line (a bare "ValueError: x", a logged
  // "ERROR ... SomeError: x") is part of a traceback held for this rank;
  // alone it starts one (pasted without its header, or never printed).
  const std::string* own = evidence_get(m.evidence, "exception");
  const bool part = own || is_frame_line(content);
  const bool header = content.find("Traceback (most recent call last)") != std::string_view::npos;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    if (p.fold || p.key != key) continue;
    if (part) {
      if (own && !p.have_exception) {
        const std::string* type = evidence_get(m.evidence, "exception_type");
        record_exception(&p, *own, type ? *type : std::string());
      }
      return;
    }
    // The header on the line right after one that announced the exception
    // ("Exception in thread Thread-1:") continues it.
    if (header && !p.have_exception && !p.chained && u.line == p.match.line + 1 &&
        p.match.text.find("Traceback") == std::string::npos)
      return;
    // A chain marker, or the header after one, belongs to the traceback being chained; a second header before any
    // frame (the DataLoader's "Original Traceback (most recent call last):" is the marker and the header in one)
    // starts another traceback: the chained one was cut there.
    if (p.chained || p.have_exception) {
      if (header && p.chained && p.chain_header) {
        emit_pending(i, out);
        break;
      }
      if (header && (p.chained || is_chain_marker(content))) p.chain_header = true;
      p.chained = true;
      p.have_exception = false;
      return;
    }
    emit_pending(i, out);
    break;
  }
  if (claimed && own && !exception_name(skip_process_tag(content)).empty()) return;
  if (pending.size() >= kMaxPendingTracebacks) emit_pending(0, out);
  Pending p;
  p.key = key;
  p.syndrome = syndrome;
  p.after_other = last_finding_line && key == last_finding_key && u.line - *last_finding_line <= kLogFollowUpLines;
  // A line that carries its exception itself (a logger's "ERROR ...
  // pkg.SomeError: ...", extracted as `exception`) waits only for a chain.
  p.have_exception = evidence_get(m.evidence, "exception") != nullptr;
  p.match = std::move(m);
  pending.push_back(std::move(p));
}

// A folded syndrome's line: joins the fold pending for its syndrome, or starts one.
void LogStream::State::fold_match(LogMatch m, std::uint32_t syndrome, std::vector<LogMatch>* out) {
  const int key = kFoldKeyBase - static_cast<int>(syndrome);
  auto seq_of = [](const Evidence& ev) -> std::optional<std::uint64_t> {
    const std::string* v = evidence_get(ev, "seq");
    std::uint64_t n = 0;
    if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ec != std::errc()) return std::nullopt;
    return n;
  };
  auto note_rank = [&](Pending& p, const LogMatch& lm) {
    if (lm.rank && std::find(p.ranks.begin(), p.ranks.end(), *lm.rank) == p.ranks.end()) p.ranks.push_back(*lm.rank);
    if (auto seq = seq_of(lm.evidence); seq && (!p.min_seq || *seq < *p.min_seq)) {
      p.min_seq = seq;
      p.min_seq_rank = lm.rank;
    }
  };
  for (Pending& p : pending) {
    if (!p.fold || p.key != key) continue;
    note_rank(p, m);
    ++p.folded;
    p.waited = 0;
    if (m.severity > p.match.severity) p.match.severity = m.severity;
    for (auto& [k, v] : m.evidence)
      if (k != "line" && k != "rank" && !evidence_get(p.match.evidence, k)) p.match.evidence.emplace_back(k, v);
    return;
  }
  if (pending.size() >= kMaxPendingTracebacks) emit_pending(0, out);
  Pending p;
  p.key = key;
  p.syndrome = syndrome;
  p.fold = true;
  note_rank(p, m);
  p.match = std::move(m);
  pending.push_back(std::move(p));
}

// Runs the syndrome's extract patterns over `text`, adding the fields not yet in `ev`.
void LogStream::State::extract_into(const CompiledSyndrome& cs, std::string_view text, Evidence* ev) const {
  re2::StringPiece piece(text.data(), text.size());
  for (const auto& re : cs.regexes().extract) {
    int n = re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n) + 1);
    if (!re->Match(piece, 0, piece.size(), RE2::UNANCHORED, groups.data(), n + 1)) continue;
    for (const auto& [name, index] : re->NamedCapturingGroups()) {
      const re2::StringPiece& g = groups[static_cast<std::size_t>(index)];
      if (g.data() == nullptr || evidence_get(*ev, name)) continue;
      std::string value = capped(std::string_view(g.data(), g.size()), 256);
      if (auto bytes = parse_size(value); bytes && *bytes < 9e18) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(std::llround(*bytes)));
        ev->emplace_back(name + "_bytes", std::string(buf, r.ptr));
      }
      ev->emplace_back(name, std::move(value));
    }
  }
}

// Lookups, attribution defaults and the message, once the evidence is complete.
void LogStream::State::finalize(const CompiledSyndrome& cs, LogMatch* m) const {
  Evidence& ev = m->evidence;
  if (const std::string* type = evidence_get(ev, "exception_type"); type && !evidence_get(ev, "exception_class")) {
    std::string_view t = *type;
    ev.emplace_back("exception_class",
                    std::string(t.substr(t.rfind('.') == std::string_view::npos ? 0 : t.rfind('.') + 1)));
  }
  for (const EvidenceLookup& lk : cs.spec.lookups) {
    const std::string* v = evidence_get(ev, lk.field);
    if (!v || evidence_get(ev, lk.into)) continue;
    const std::string* result = &lk.fallback;
    for (const auto& [key, val] : lk.table)
      if (key == *v) result = &val;
    if (!result->empty()) ev.emplace_back(lk.into, *result);
  }
  if (!cs.spec.cause.empty() && !evidence_get(ev, "cause")) ev.emplace_back("cause", cs.spec.cause);
  if (!cs.spec.retry_helps.empty() && !evidence_get(ev, "retry_helps"))
    ev.emplace_back("retry_helps", cs.spec.retry_helps);
  if (!cs.spec.retry_reason.empty() && !evidence_get(ev, "retry_reason"))
    ev.emplace_back("retry_reason", cs.spec.retry_reason);
  std::string message = render(cs.spec.message.empty() ? cs.spec.name : cs.spec.message, ev);
  if (const std::string* exc = evidence_get(ev, "exception"); exc && cs.spec.until_exception)
    message += ": " + capped(*exc, 200);
  m->message = std::move(message);
}

void LogStream::State::emit_pending(std::size_t i, std::vector<LogMatch>* out) {
  Pending& p = pending[i];
  if (p.fold) {
    Evidence& ev = p.match.evidence;
    if (p.folded > 0) ev.emplace_back("folded", std::to_string(p.folded));
    if (p.ranks.size() > 1) {
      std::string ranks;
      for (int r : p.ranks) ranks += (ranks.empty() ? "" : ",") + std::to_string(r);
      ev.emplace_back("ranks", std::move(ranks));
    }
    if (p.min_seq && p.min_seq_rank && p.ranks.size() > 1) {
      ev.emplace_back("behind_rank", std::to_string(*p.min_seq_rank));
      ev.emplace_back("behind_seq", std::to_string(*p.min_seq));
    }
  }
  if (!p.fold && !p.have_exception && !p.after_other && impl->hang_syndrome &&
      is_waiting_dump(p.match.text, p.first_frame)) {  // a stuck process's stack, not an error: hang's
    p.syndrome = *impl->hang_syndrome;
    const SyndromeSpec& hang = impl->syndromes[p.syndrome].spec;
    p.match.syndrome = hang.name;
    p.match.severity = hang.severity;
    p.match.evidence.emplace_back("what", "a stack dump of a waiting thread");
    p.match.evidence.emplace_back("frame", p.first_frame);
  }
  finalize(impl->syndromes[p.syndrome], &p.match);
  out->push_back(std::move(p.match));
  pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
}

// Called for every segment while a finding is held (before the segment's own hits).
void LogStream::State::track_pending(std::string_view text, std::vector<LogMatch>* out) {
  std::string_view content = text;
  std::optional<int> rank = strip_rank_prefix(&content);
  if (!rank) rank = default_rank;
  int key = rank ? *rank : -1;
  const bool blank = rtrim(content).empty();
  for (std::size_t i = 0; i < pending.size();) {
    Pending& p = pending[i];
    if (p.fold) {
      extract_into(impl->syndromes[p.syndrome], text, &p.match.evidence);
      if (++p.waited > impl->syndromes[p.syndrome].spec.fold_lines) {
        emit_pending(i, out);
        continue;
      }
      ++i;
      continue;
    }
    if (p.have_exception) {
      // The exception came: a chain marker continues the block, any other
      // line of this rank (or a long wait) ends it.
      if (p.key == key && !blank) {
        if (is_chain_marker(content)) {
          p.chained = true;
          p.have_exception = false;
          ++i;
          continue;
        }
        emit_pending(i, out);
        continue;
      }
      if (++p.after > kChainWaitSegments) {
        emit_pending(i, out);
        continue;
      }
      ++i;
      continue;
    }
    if (p.key == key && !blank && ends_at_gap(&p, content)) {
      emit_pending(i, out);
      continue;
    }
    if (p.key == key && p.first_frame.empty() && is_frame_line(content))
      p.first_frame = capped(content, impl->options.max_text_bytes);
    const std::string_view line = skip_process_tag(content);
    if (p.key == key && !line.empty() && line[0] != ' ' && line[0] != '\t') {
      std::string_view type = exception_name(line);
      if (!type.empty()) {
        record_exception(&p, capped(line, impl->options.max_text_bytes), std::string(type));
        ++i;
        continue;
      }
    }
    if (++p.waited > impl->options.max_traceback_lines) {
      emit_pending(i, out);
      continue;
    }
    ++i;
  }
}

// One complete line (or the first max_line_bytes of it) that needs
// normalising (ANSI escapes stripped, NUL dropped), or that straddled two
// feeds; \r splits it into segments as in scan_region.
void LogStream::State::scan_line(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out) {
  n = std::min(n, impl->options.max_line_bytes);
  norm.clear();
  const char* end = p + n;
  while (p < end) {
    // Copy the run up to the next ESC or NUL in one go.
    const char* esc = static_cast<const char*>(std::memchr(p, '\x1b', static_cast<std::size_t>(end - p)));
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(end - p)));
    const char* stop = std::min(esc ? esc : end, nul ? nul : end);
    norm.append(p, static_cast<std::size_t>(stop - p));
    p = stop;
    if (p == end) break;
    if (*p == '\0') {
      ++p;
      continue;
    }
    ++p;                         // ESC
    if (p < end && *p == '[') {  // CSI: parameters, then a final byte 0x40-0x7E
      ++p;
      while (p < end && !(static_cast<unsigned char>(*p) >= 0x40 && static_cast<unsigned char>(*p) <= 0x7E)) ++p;
      if (p < end) ++p;
    } else if (p < end && *p == ']') {  // OSC: up to BEL or ESC '\'
      ++p;
      while (p < end && *p != '\x07' && !(*p == '\x1b' && p + 1 < end && p[1] == '\\')) ++p;
      if (p < end) p += (*p == '\x1b') ? 2 : 1;
    } else if (p < end) {
      ++p;  // a two-byte escape
    }
  }
  units.clear();
  if (!norm.empty()) units.push_back({0, static_cast<std::uint32_t>(norm.size()), next_line, offset});
  scan_block(norm.data(), norm.size(), std::memchr(norm.data(), '\r', norm.size()) != nullptr, out);
  ++next_line;
}

namespace {
// Where the piece of complete lines starting at p ends: at most kPieceBytes
// (or the one longer line), cut after a newline. end[-1] is a newline.
const char* piece_end(const char* p, const char* end) {
  if (static_cast<std::size_t>(end - p) <= kPieceBytes) return end;
  const void* nl = memrchr(p, '\n', kPieceBytes);
  if (!nl) nl = std::memchr(p + kPieceBytes, '\n', static_cast<std::size_t>(end - p) - kPieceBytes);
  return static_cast<const char*>(nl) + 1;  // never null: end[-1] is a newline
}

// What one pass over [p, p+n) tells the fast path: the newlines (line
// numbers), and whether an ESC or NUL (a line to normalise) or a \r
// (segments) occurs. Where the database cannot read \r as a line end
// (kCopy), the same pass copies the bytes with every \r read as \n (see
// scan_block), so the text is read once, not twice.
struct ByteCensus {
  std::uint64_t newlines = 0;
  bool esc_or_nul = false;
  bool cr = false;
};

// The portable pass: blocks of a fixed 64 bytes, so that compilers
// vectorise the compares even at -O2 (baseline SIMD only).
template <bool kCopy>
ByteCensus census_portable(const char* __restrict p, std::size_t n, char* __restrict q) {
  ByteCensus c;
  unsigned special = 0, cr = 0;
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    std::uint8_t nl = 0;  // at most 64: byte lanes, summed once per block
    std::uint8_t sp = 0, r = 0;
    for (std::size_t j = 0; j < 64; ++j) {
      const char b = p[i + j];
      nl = static_cast<std::uint8_t>(nl + (b == '\n'));
      sp = static_cast<std::uint8_t>(sp | ((b == '\x1b') | (b == '\0')));
      r = static_cast<std::uint8_t>(r | (b == '\r'));
      if constexpr (kCopy) q[i + j] = b == '\r' ? '\n' : b;
    }
    c.newlines += nl;
    special |= sp;
    cr |= r;
  }
  for (; i < n; ++i) {
    c.newlines += p[i] == '\n';
    special |= static_cast<unsigned>((p[i] == '\x1b') | (p[i] == '\0'));
    cr |= static_cast<unsigned>(p[i] == '\r');
    if constexpr (kCopy) q[i] = p[i] == '\r' ? '\n' : p[i];
  }
  c.esc_or_nul = special != 0;
  c.cr = cr != 0;
  return c;
}

#if SIDECAR_SCAN_AVX2
// The same pass with AVX2, chosen at run time where the CPU has it (the
// portable loop, reducing its lanes every 64 bytes, costs about a third of
// the multi-pattern pass; this keeps 32 byte lanes of newline counts for up
// to 255 vectors and reduces once).
template <bool kCopy>
__attribute__((target("avx2"))) ByteCensus census_avx2(const char* __restrict p, std::size_t n, char* __restrict q) {
  const __m256i nl = _mm256_set1_epi8('\n'), esc = _mm256_set1_epi8('\x1b'), zero = _mm256_setzero_si256();
  const __m256i cr = _mm256_set1_epi8('\r'), flip = _mm256_set1_epi8('\n' ^ '\r');
  __m256i special = zero, crs = zero, total = zero;
  std::size_t i = 0;
  while (i + 32 <= n) {
    __m256i lanes = zero;  // each byte lane counts at most 255 newlines
    const std::size_t stop = std::min(n - 31, i + std::size_t{255} * 32);
    for (; i < stop; i += 32) {
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      const __m256i is_cr = _mm256_cmpeq_epi8(b, cr);
      lanes = _mm256_sub_epi8(lanes, _mm256_cmpeq_epi8(b, nl));
      special = _mm256_or_si256(special, _mm256_or_si256(_mm256_cmpeq_epi8(b, esc), _mm256_cmpeq_epi8(b, zero)));
      crs = _mm256_or_si256(crs, is_cr);
      if constexpr (kCopy)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_xor_si256(b, _mm256_and_si256(is_cr, flip)));
    }
    total = _mm256_add_epi64(total, _mm256_sad_epu8(lanes, zero));
  }
  ByteCensus c = census_portable<kCopy>(p + i, n - i, kCopy ? q + i : nullptr);  // the tail
  c.newlines += static_cast<std::uint64_t>(_mm256_extract_epi64(total, 0)) +
                static_cast<std::uint64_t>(_mm256_extract_epi64(total, 1)) +
                static_cast<std::uint64_t>(_mm256_extract_epi64(total, 2)) +
                static_cast<std::uint64_t>(_mm256_extract_epi64(total, 3));
  c.esc_or_nul |= _mm256_testz_si256(special, special) == 0;
  c.cr |= _mm256_testz_si256(crs, crs) == 0;
  return c;
}

bool have_avx2() {
  static const bool have = (__builtin_cpu_init(), __builtin_cpu_supports("avx2") != 0);
  return have;
}
#endif

// `q`: where the copy goes, or null for none.
ByteCensus census(const char* __restrict p, std::size_t n, char* __restrict q) {
#if SIDECAR_SCAN_AVX2
  if (have_avx2()) return q ? census_avx2<true>(p, n, q) : census_avx2<false>(p, n, nullptr);
#endif
  return q ? census_portable<true>(p, n, q) : census_portable<false>(p, n, nullptr);
}

int stop_at_first_hit(unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 1; }

// The quiet test of the fast path: the complete lines [p, p+n) need nothing
// line by line (no ESC/NUL, no line over max_line_bytes) and the
// multi-pattern pass has no hit in them; then *newlines is their count.
// `crbuf`: scratch for the copy where \r reads as \n that is scanned when the
// database does not read \r as a line end itself.
bool quiet_lines(const LogScanner::Impl& impl, hs_scratch_t* scratch, std::string* crbuf, const char* p, std::size_t n,
                 std::uint64_t* newlines) {
  // No line over max_line_bytes: from each line start, the window of cap+1
  // bytes holds a newline; continue after the last one in it. (First: the
  // piece, and so the copy, is then at most kPieceBytes or one line.)
  const std::size_t cap = impl.options.max_line_bytes;
  for (const char *s = p, *e = p + n; static_cast<std::size_t>(e - s) > cap;) {
    const void* last = memrchr(s, '\n', cap + 1);
    if (!last) return false;
    s = static_cast<const char*>(last) + 1;
  }
  char* copy = nullptr;
  if (!impl.cr_line_ends) {
    if (crbuf->size() < n) crbuf->resize(n);
    copy = crbuf->data();
  }
  const ByteCensus c = census(p, n, copy);
  if (c.esc_or_nul) return false;
  // Without a \r the copy is the same bytes; the original is as warm.
  const char* text = copy && c.cr ? copy : p;
  if (hs_scan(impl.db.get(), text, static_cast<unsigned>(n), 0, scratch, stop_at_first_hit, nullptr) != HS_SUCCESS)
    return false;  // a hit (or an engine error): line by line
  *newlines = c.newlines;
  return true;
}
}  // namespace

// Complete lines [p, p+n) (n > 0, p[n-1] == '\n') at stream offset `offset`,
// in pieces of at most kPieceBytes. A piece that needs nothing line by line
// (no finding held, no ESC/NUL, no over-long line) and has no hit costs one
// census pass and one hs_scan; any other piece goes through scan_lines, which
// finds the same (results never depend on where pieces or feeds end).
void LogStream::State::scan_region(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out) {
  const char* const begin = p;
  const char* const end = p + n;
  while (p < end) {
    const char* q = piece_end(p, end);
    const auto len = static_cast<std::size_t>(q - p);
    if (!quiet_piece(p, len)) scan_lines(p, len, offset + static_cast<std::uint64_t>(p - begin), out);
    p = q;
  }
}

// The fast path of scan_region: true when the piece of complete lines was
// dealt with (no finding held, nothing to normalise, no hit: only lines counted).
bool LogStream::State::quiet_piece(const char* p, std::size_t n) {
  if (!pending.empty() || !impl->db) return false;
  std::uint64_t newlines = 0;
  if (!quiet_lines(*impl, scratch.get(), &crbuf, p, n, &newlines)) return false;
  next_line += newlines;
  return true;
}

// Complete lines [p, p+n) (n > 0, p[n-1] == '\n') at stream offset `offset`, line by line.
void LogStream::State::scan_lines(const char* p, std::size_t n, std::uint64_t offset, std::vector<LogMatch>* out) {
  const std::size_t cap = impl->options.max_line_bytes;
  const char* end = p + n;
  // Next ESC / NUL / CR at or after the cursor (end when none): recomputed lazily.
  const char* next_special[3] = {p, p, p};
  const char special_bytes[3] = {'\x1b', '\0', '\r'};
  auto next_at = [&](int k, const char* from) {
    if (next_special[k] < from) {
      const void* f = std::memchr(from, special_bytes[k], static_cast<std::size_t>(end - from));
      next_special[k] = f ? static_cast<const char*>(f) : end;
    }
    return next_special[k];
  };
  const char* cur = p;
  const char* block = p;
  units.clear();
  while (cur < end) {
    const char* nl = static_cast<const char*>(std::memchr(cur, '\n', static_cast<std::size_t>(end - cur)));
    const auto len = static_cast<std::size_t>(nl - cur);
    bool messy = len > cap || next_at(0, cur) < nl || next_at(1, cur) < nl;
    if (messy || static_cast<std::size_t>(nl - block) > kPieceBytes) {
      if (!units.empty()) scan_block(block, static_cast<std::size_t>(cur - block), next_at(2, block) < cur, out);
      block = cur;
    }
    const std::uint64_t line_offset = offset + static_cast<std::uint64_t>(cur - p);
    if (messy) {
      scan_line(cur, len, line_offset, out);
      cur = nl + 1;
      block = cur;
      continue;
    }
    units.push_back(
        {static_cast<std::uint32_t>(cur - block), static_cast<std::uint32_t>(len), next_line++, line_offset});
    cur = nl + 1;
  }
  if (!units.empty()) scan_block(block, static_cast<std::size_t>(cur - block), next_at(2, block) < cur, out);
}

LogStream::LogStream(std::shared_ptr<const LogScanner> scanner, std::string source_label)
    : state_(std::make_unique<State>()) {
  state_->scanner = std::move(scanner);
  state_->impl = &state_->scanner->impl();
  state_->source = std::move(source_label);
  if (state_->impl->scratch) {
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(state_->impl->scratch.get(), &s) == HS_SUCCESS) state_->scratch.reset(s);
  }
}
LogStream::~LogStream() = default;
LogStream::LogStream(LogStream&&) noexcept = default;
LogStream& LogStream::operator=(LogStream&&) noexcept = default;

void LogStream::feed(std::string_view bytes, std::vector<LogMatch>* out) { feed(bytes, out, LogPrecheck{}); }

void LogStream::feed(std::string_view bytes, std::vector<LogMatch>* out, const LogPrecheck& pre) {
  State& s = *state_;
  if (s.impl->db && !s.scratch) return;  // scratch allocation failed: nothing can be scanned
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  const std::uint64_t base = s.bytes_seen;
  s.bytes_seen += bytes.size();
  if (bytes.empty()) return;
  if (s.carry_bytes > 0) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', bytes.size()));
    if (!nl) {
      s.append_carry(p, bytes.size());
      return;
    }
    s.append_carry(p, static_cast<std::size_t>(nl - p));
    s.scan_line(s.carry.data(), s.carry.size(), s.carry_offset, out);
    s.carry.clear();
    s.carry_bytes = 0;
    p = nl + 1;
  }
  if (p == end) return;
  const char* last_nl = static_cast<const char*>(memrchr(p, '\n', static_cast<std::size_t>(end - p)));
  if (last_nl) {
    const char* const lines_end = last_nl + 1;
    // [p, q) and [r, lines_end) are scanned here; [q, r) was found quiet ahead
    // (a run of whole lines, from the first complete line of the chunk).
    const char* q = lines_end;
    const char* r = lines_end;
    const auto at = [&](const char* c) { return static_cast<std::size_t>(c - bytes.data()); };
    if (pre.quiet && pre.scanner == s.scanner.get() && pre.begin >= at(p) && pre.begin < pre.end &&
        pre.end <= at(lines_end) && pre.begin > 0 && bytes[pre.begin - 1] == '\n' && bytes[pre.end - 1] == '\n') {
      q = bytes.data() + pre.begin;
      r = bytes.data() + pre.end;
    }
    if (q > p) s.scan_region(p, static_cast<std::size_t>(q - p), base + at(p), out);
    if (q < r) {
      if (s.pending.empty())
        s.next_line += pre.newlines;
      else  // a finding is held: its further lines are looked at one by one
        s.scan_region(q, static_cast<std::size_t>(r - q), base + pre.begin, out);
    }
    if (r < lines_end) s.scan_region(r, static_cast<std::size_t>(lines_end - r), base + at(r), out);
    p = lines_end;
  }
  if (p < end) {
    s.carry_offset = base + static_cast<std::uint64_t>(p - bytes.data());
    s.append_carry(p, static_cast<std::size_t>(end - p));
  }
}

void LogStream::flush(std::vector<LogMatch>* out) {
  State& s = *state_;
  if (s.carry_bytes > 0 && (!s.impl->db || s.scratch)) {
    s.scan_line(s.carry.data(), s.carry.size(), s.carry_offset, out);
    s.carry.clear();
    s.carry_bytes = 0;
  }
  while (!s.pending.empty()) s.emit_pending(0, out);
}

void LogStream::settle(std::vector<LogMatch>* out) {
  State& s = *state_;
  for (std::size_t i = 0; i < s.pending.size();) {
    if (s.pending[i].fold || s.pending[i].have_exception) {
      s.emit_pending(i, out);
      continue;
    }
    ++i;
  }
}

void LogStream::reset() {
  State& s = *state_;
  s.bytes_seen = 0;
  s.next_line = 1;
  s.carry.clear();
  s.carry_bytes = 0;
  s.carry_offset = 0;
  s.pending.clear();
  s.last_finding_line.reset();
  s.repeat_counts.clear();
}

struct LogPrechecker::State {
  std::shared_ptr<const LogScanner> scanner;
  HsScratch scratch;
  std::string crbuf;
};

LogPrechecker::LogPrechecker(std::shared_ptr<const LogScanner> scanner) : state_(std::make_unique<State>()) {
  state_->scanner = std::move(scanner);
  if (const auto& prototype = state_->scanner->impl().scratch) {
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(prototype.get(), &s) == HS_SUCCESS) state_->scratch.reset(s);
  }
}
LogPrechecker::~LogPrechecker() = default;

LogPrecheck LogPrechecker::check(std::string_view chunk) {
  State& st = *state_;
  const LogScanner::Impl& impl = st.scanner->impl();
  LogPrecheck r;
  if (!impl.db || !st.scratch || chunk.empty()) return r;
  const char* const data = chunk.data();
  const char* first = static_cast<const char*>(std::memchr(data, '\n', chunk.size()));
  if (!first) return r;
  const char* const end = static_cast<const char*>(memrchr(data, '\n', chunk.size())) + 1;
  std::uint64_t newlines = 0;
  const char* quiet_end = first + 1;           // the quiet run ends before the first piece that is not quiet
  for (const char* p = first + 1; p < end;) {  // in the pieces scan_region uses
    const char* q = piece_end(p, end);
    std::uint64_t n = 0;
    if (!quiet_lines(impl, st.scratch.get(), &st.crbuf, p, static_cast<std::size_t>(q - p), &n)) break;
    newlines += n;
    p = quiet_end = q;
  }
  r.scanner = st.scanner.get();
  r.begin = static_cast<std::size_t>(first + 1 - data);
  r.end = static_cast<std::size_t>(quiet_end - data);
  r.newlines = newlines;
  r.quiet = r.begin < r.end;
  return r;
}

void LogStream::set_default_rank(std::optional<int> rank) { state_->default_rank = rank; }
std::uint64_t LogStream::bytes_seen() const { return state_->bytes_seen; }
std::uint64_t LogStream::lines_seen() const { return state_->next_line - 1; }
const std::string& LogStream::source() const { return state_->source; }

}  // namespace sidecar
