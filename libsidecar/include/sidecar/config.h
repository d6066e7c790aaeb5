// Config and small-document trees: the std-only form in which YAML (the
// playbook) and small JSON documents (history rows, server replies, run
// records) reach the rest of sidecar. yaml-cpp and simdjson stay inside
// libsidecar/src/config/*.cc.
//
//   auto tree = sidecar::parse_yaml(text, "my_playbook.yaml");
//   std::vector<sidecar::Status> errors;
//   sidecar::ConfigReader r(*tree, "detectors.loss_spike", &errors);
//   r.read("window", &opts.window);     // converts, range-checks, records position
//   r.finish();                         // unknown keys -> "file:3:5: unknown key 'windw' ... (did you mean 'window'?)"
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar {

// Where a node came from, for "file:line:col: what" errors (1-based; 0 = unknown).
struct Mark {
  std::string file;
  int line = 0;
  int col = 0;
  std::string to_string() const;  // "file:line:col" (omits parts that are unknown)
};

// A parsed YAML or JSON node. YAML scalars keep their text (kind kString,
// `plain` true when unquoted); JSON scalars keep their type.
struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0.0;
  std::string str;
  bool plain = false;                                  // an unquoted YAML scalar (may be read as number/bool/null)
  std::vector<Value> items;                            // kArray
  std::vector<std::pair<std::string, Value>> members;  // kObject, in document order
  Mark mark;

  // Out of line: `members` holds pairs of this (then incomplete) type.
  Value();
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;

  bool is_null() const { return kind == Kind::kNull; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Scalar conversions (YAML text or JSON typed); nullopt when not convertible.
  std::optional<double> as_number() const;
  std::optional<bool> as_bool() const;
  std::optional<std::string> as_string() const;  // numbers/bools rendered as text
};

// Parses YAML text (one document). Errors: kParseError "file:line:col: what".
Result<Value> parse_yaml(std::string_view text, std::string_view filename);
// Reads and parses a YAML file. Errors: kNotFound, kPermissionDenied, kIoError, kParseError.
Result<Value> load_yaml_file(const std::string& path);
// Parses a JSON document (simdjson). Accepts NaN/Infinity tokens? No: strict JSON.
// Errors: kParseError "name: what".
Result<Value> parse_json(std::string_view text, std::string_view name = "<json>");

// Merges `overlay` into `base`: objects deep-merge; an array of objects that
// all carry a "name" merges by name (new names are appended); anything else
// replaces.
void merge_into(Value& base, const Value& overlay);

// Reads one mapping of a config, remembering which keys it consumed, so that
// finish() can report unknown keys with a did-you-mean. Errors are appended
// to `errors` (never thrown); the target keeps its default on error.
class ConfigReader {
 public:
  ConfigReader(const Value& map, std::string section, std::vector<Status>* errors);

  bool has(std::string_view key) const;
  void read(std::string_view key, double* out, std::optional<double> min = {}, std::optional<double> max = {});
  void read(std::string_view key, int* out, std::optional<int> min = {}, std::optional<int> max = {});
  void read(std::string_view key, std::int64_t* out);
  void read(std::string_view key, bool* out);
  void read(std::string_view key, std::string* out);
  void read(std::string_view key, std::vector<std::string>* out);  // a list, or one string
  void read(std::string_view key, Severity* out);
  // A nested node (any kind), marked as consumed; nullptr when absent.
  const Value* child(std::string_view key);
  // A mapping under `key` (marked as consumed): fn(member_key, value) for
  // each member, in order; anything but a mapping there is an error
  // ("expected <what>"). Nothing when absent.
  template <typename Fn>
  void each_member(std::string_view key, std::string_view what, Fn&& fn) {
    const Value* node = child(key);
    if (!node) return;
    if (!node->is_object()) return error(*node, key, "expected " + std::string(what));
    for (const auto& [name, v] : node->members) fn(name, v);
  }
  // Reports a problem at a node: "file:line:col: section.key: what".
  void error(const Value& at, std::string_view key, std::string_view what);
  // Reports every key not read above (with a did-you-mean among the read keys
  // and any `extra_known` names).
  void finish(std::span<const std::string_view> extra_known = {});

  const std::string& section() const { return section_; }

 private:
  const Value* lookup(std::string_view key);
  const Value& map_;
  std::string section_;
  std::vector<Status>* errors_;
  std::vector<std::string> seen_;
};

// One option of an OptionTable (option_table.h), read with its bounds.
template <typename T>
void read_option(ConfigReader& r, std::string_view key, T* out, const OptionBounds& b) {
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, double> || std::is_same_v<T, std::size_t>) {
    using Read = std::conditional_t<std::is_same_v<T, double>, double, int>;
    auto bound = [](double x) -> std::optional<Read> {
      if (!std::isfinite(x)) return std::nullopt;
      return static_cast<Read>(x);
    };
    if constexpr (std::is_same_v<T, std::size_t>) {  // as an int, never below 0
      int v = static_cast<int>(std::min<std::size_t>(*out, static_cast<std::size_t>(std::numeric_limits<int>::max())));
      r.read(key, &v, bound(std::max(b.min, 0.0)), bound(b.max));
      *out = static_cast<std::size_t>(v);
    } else {
      r.read(key, out, bound(b.min), bound(b.max));
    }
  } else if constexpr (std::is_same_v<T, Action>) {
    if (const Value* v = r.child(key)) {
      auto text = v->as_string();
      auto action = text ? parse_action(*text) : std::nullopt;
      if (action)
        *out = *action;
      else
        r.error(*v, key, "expected stop or continue, got '" + text.value_or("?") + "'");
    }
  } else {
    r.read(key, out);
  }
}

// Every field of `o`'s OptionTable from `r` (absent keys keep their value);
// the caller reads any other keys, then calls r.finish().
template <typename Options>
void read_options(ConfigReader& r, Options* o) {
  for_each_option(*o, [&](const auto& field, auto& value) { read_option(r, field.name, &value, field.bounds); });
}

// Joins errors into one Status (kInvalidArgument, one error per line), or Ok.
Status join_errors(const std::vector<Status>& errors);

namespace detail {
struct EmbeddedFile {
  const char* name;
  const char* text;
};
// The default playbook, as embedded at build time (libsidecar/playbook/*.yaml).
std::span<const EmbeddedFile> default_playbook_parts();
// The process's one parsed default playbook (default_playbook_tree() is a copy of it).
const Result<Value>& default_playbook();
}  // namespace detail

// The default playbook as one merged tree.
Result<Value> default_playbook_tree();
// The default playbook with the user's file merged over it (empty path: default only).
Result<Value> playbook_tree(const std::string& user_path);

// One section's options from playbook_tree(user_path), read by `read`
// (read_log_options, read_gpu_options, ...). Errors: the tree's, or what the
// reader found, joined.
template <typename Options>
Result<Options> options_from_playbook(const std::string& user_path,
                                      void (*read)(const Value&, Options*, std::vector<Status>*)) {
  // Without a user's file the default tree is read where it is: a copy of it was a tenth of an empty scan.
  std::optional<Result<Value>> merged;
  if (!user_path.empty()) merged = playbook_tree(user_path);
  const Result<Value>& tree = merged ? *merged : detail::default_playbook();
  if (!tree) return tree.status();
  Options options;
  std::vector<Status> errors;
  read(*tree, &options, &errors);
  if (!errors.empty()) return join_errors(errors);
  return options;
}

}  // namespace sidecar
