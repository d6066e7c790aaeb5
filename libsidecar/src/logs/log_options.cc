// Reads the `syndromes:` and `logs:` sections of a playbook tree into
// LogOptions, with every pattern compile-checked where it is written.
#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sidecar/log_scan.h"

namespace sidecar {

namespace detail {
std::string check_log_pattern(const std::string& pattern, bool case_sensitive, bool multi);  // log_scan.cc
}  // namespace detail

namespace {

// A node of the embedded default playbook: its patterns are checked by the
// tests that build a LogScanner from it, not again at every start (checking
// the ~400 patterns cost more CPU than replaying 100 000 rows).
bool embedded(const Value& node) { return node.mark.file.rfind("<default>/", 0) == 0; }

// The items of a list, or the one node written instead of a list.
std::vector<const Value*> items_or_one(const Value& v) {
  if (!v.is_array()) return {&v};
  std::vector<const Value*> nodes;
  for (const Value& item : v.items) nodes.push_back(&item);
  return nodes;
}

// What a {pattern: P, ...} item adds to its pattern (SyndromeSpec::prefilters, ::repeats, ::at_once_if_greater).
struct PatternExtras {
  std::string prefilter;
  std::size_t repeats = 1;
  std::pair<std::string, std::string> at_once_if_greater;
};

using PatternCheck = std::function<bool(const Value& node, const std::string& where, const std::string& text, bool hs)>;

// An item {pattern: P, prefilter: F, repeats: N, at_once_if_greater: [A, B]}: P and at least one of the others
// (at_once_if_greater only with repeats). Returns P's node, or null after a located error.
const Value* read_pattern_item(ConfigReader& r, const Value& node, const std::string& where, const PatternCheck& check,
                               PatternExtras* x) {
  const Value* pattern = node.find("pattern");
  const Value* f = node.find("prefilter");
  const Value* n = node.find("repeats");
  const Value* g = node.find("at_once_if_greater");
  const std::size_t known = (pattern != nullptr) + (f != nullptr) + (n != nullptr) + (g != nullptr);
  if (!pattern || known < 2 || known != node.members.size() || (f && f->kind != Value::Kind::kString) || (g && !n)) {
    r.error(node, where,
            "expected {pattern: '...', prefilter: '...', repeats: N, at_once_if_greater: [field, field]} (the pattern "
            "and a prefilter or a count; the fields only with a count)");
    return nullptr;
  }
  if (f && !check(*f, where + ".prefilter", f->str, true)) return nullptr;
  if (f) x->prefilter = f->str;
  if (n) {
    std::optional<double> v = n->as_number();
    if (!v || *v < 1 || *v > 1000 || *v != static_cast<double>(static_cast<int>(*v))) {
      r.error(*n, where + ".repeats", "expected a whole number from 1 to 1000");
      return nullptr;
    }
    x->repeats = static_cast<std::size_t>(*v);
  }
  if (g) {
    if (!g->is_array() || g->items.size() != 2 || g->items[0].kind != Value::Kind::kString ||
        g->items[1].kind != Value::Kind::kString || g->items[0].str.empty() || g->items[1].str.empty()) {
      r.error(*g, where + ".at_once_if_greater", "expected two evidence field names, [field, field]");
      return nullptr;
    }
    x->at_once_if_greater = {g->items[0].str, g->items[1].str};
  }
  return pattern;
}

// Reads a list of patterns (or one string), checking each where it is written.
// With `spec`, an item may also be {pattern: P, ...} (read_pattern_item), filling
// spec->prefilters, ->repeats and ->at_once_if_greater; each is left empty when no item has one.
void read_patterns(ConfigReader& r, std::string_view key, bool case_sensitive, bool multi,
                   std::vector<std::string>* out, SyndromeSpec* spec = nullptr) {
  const Value* v = r.child(key);
  if (!v) return;
  std::vector<const Value*> nodes = items_or_one(*v);
  std::vector<std::string> patterns;
  std::vector<PatternExtras> extras;
  bool ok = true;
  const PatternCheck check = [&](const Value& node, const std::string& where, const std::string& text, bool hs) {
    if (embedded(node)) return true;
    std::string why = detail::check_log_pattern(text, case_sensitive, hs);
    if (why.empty()) return true;
    r.error(node, where, "pattern '" + text + "' does not compile: " + why);
    return false;
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Value* node = nodes[i];
    std::string where = std::string(key) + (v->is_array() ? "[" + std::to_string(i) + "]" : "");
    PatternExtras x;
    if (spec && node->is_object()) {
      node = read_pattern_item(r, *node, where, check, &x);
      if (!node) {
        ok = false;
        continue;
      }
      where += ".pattern";
    }
    auto s = (node->kind == Value::Kind::kString) ? std::optional<std::string>(node->str) : std::nullopt;
    if (!s) {
      r.error(*node, where, "expected a pattern (a string)");
      ok = false;
      continue;
    }
    if (!check(*node, where, *s, multi)) {
      ok = false;
      continue;
    }
    patterns.push_back(std::move(*s));
    extras.push_back(std::move(x));
  }
  if (!ok) return;
  *out = std::move(patterns);
  if (!spec) return;
  spec->prefilters.clear();
  spec->repeats.clear();
  spec->at_once_if_greater.clear();
  auto any = [&](auto has) { return std::any_of(extras.begin(), extras.end(), has); };
  if (any([](const PatternExtras& e) { return !e.prefilter.empty(); }))
    for (const PatternExtras& e : extras) spec->prefilters.push_back(e.prefilter);
  if (any([](const PatternExtras& e) { return e.repeats > 1; }))
    for (const PatternExtras& e : extras) spec->repeats.push_back(e.repeats);
  if (any([](const PatternExtras& e) { return !e.at_once_if_greater.first.empty(); }))
    for (const PatternExtras& e : extras) spec->at_once_if_greater.push_back(e.at_once_if_greater);
}

void read_lookups(ConfigReader& r, const std::string& section, std::vector<Status>* errors,
                  std::vector<EvidenceLookup>* out) {
  const Value* v = r.child("lookup");
  if (!v) return;
  std::vector<const Value*> nodes = items_or_one(*v);
  out->clear();
  for (const Value* node : nodes) {
    if (!node->is_object()) {
      r.error(*node, "lookup", "expected a mapping with field, into, table");
      continue;
    }
    EvidenceLookup lk;
    ConfigReader lr(*node, section + ".lookup", errors);
    lr.read("field", &lk.field);
    lr.read("into", &lk.into);
    lr.read("default", &lk.fallback);
    lr.each_member("table", "a mapping of value: result", [&](const std::string& key, const Value& val) {
      if (auto s = val.as_string())
        lk.table.emplace_back(key, *s);
      else
        lr.error(val, "table." + key, "expected a string");
    });
    if (lk.field.empty() || lk.into.empty()) lr.error(*node, "field", "a lookup needs both 'field' and 'into'");
    lr.finish();
    out->push_back(std::move(lk));
  }
}

}  // namespace

void read_log_options(const Value& playbook, LogOptions* out, std::vector<Status>* errors) {
  if (const Value* logs = playbook.find("logs"); logs && !logs->is_null()) {
    if (!logs->is_object()) {
      errors->emplace_back(StatusCode::kInvalidArgument, logs->mark.to_string() + ": logs: expected a mapping");
    } else {
      ConfigReader r(*logs, "logs", errors);
      read_options(r, out);  // OptionTable<LogOptions>: keys, bounds
      r.finish();
    }
  }
  const Value* list = playbook.find("syndromes");
  if (!list || list->is_null()) return;
  if (!list->is_array()) {
    errors->emplace_back(StatusCode::kInvalidArgument,
                         list->mark.to_string() + ": syndromes: expected a list of named items (- name: ...)");
    return;
  }
  std::vector<SyndromeSpec> syndromes;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const Value& item = list->items[i];
    if (!item.is_object()) {
      errors->emplace_back(StatusCode::kInvalidArgument, item.mark.to_string() + ": syndromes[" + std::to_string(i) +
                                                             "]: expected a mapping with a name");
      continue;
    }
    const Value* name_node = item.find("name");
    std::string name = name_node ? name_node->as_string().value_or("") : "";
    std::string section = "syndromes." + (name.empty() ? "[" + std::to_string(i) + "]" : name);
    ConfigReader r(item, section, errors);
    SyndromeSpec spec;
    r.read("name", &spec.name);
    if (spec.name.empty()) r.error(item, "name", "every syndrome needs a name");
    r.read("severity", &spec.severity);
    r.read("message", &spec.message);
    r.read("enabled", &spec.enabled);
    r.read("case_sensitive", &spec.case_sensitive);
    r.read("until_exception", &spec.until_exception);
    read_patterns(r, "patterns", spec.case_sensitive, true, &spec.patterns, &spec);
    read_patterns(r, "escalate", spec.case_sensitive, true, &spec.escalate);
    read_patterns(r, "follow_ups", spec.case_sensitive, true, &spec.follow_ups);
    read_patterns(r, "exclude", spec.case_sensitive, false, &spec.exclude);
    read_patterns(r, "extract", spec.case_sensitive, false, &spec.extract);
    read_lookups(r, section, errors, &spec.lookups);
    int fold_lines = static_cast<int>(spec.fold_lines);
    r.read("fold_lines", &fold_lines, 0, 100000);
    spec.fold_lines = static_cast<std::size_t>(std::max(fold_lines, 0));
    r.read("cause", &spec.cause);
    r.read("retry_helps", &spec.retry_helps);
    r.read("retry_reason", &spec.retry_reason);
    if (const Value* c = item.find("cause"); c && !spec.cause.empty()) {
      static constexpr std::string_view kCauses[] = {"user_code", "gpu_hardware", "interconnect",
                                                     "storage",   "host_memory",  "scheduler"};
      if (std::find(std::begin(kCauses), std::end(kCauses), spec.cause) == std::end(kCauses))
        r.error(*c, "cause",
                "'" + spec.cause +
                    "' is not one of user_code, gpu_hardware, interconnect, storage, host_memory, scheduler");
    }
    if (const Value* c = item.find("retry_helps"); c && !spec.retry_helps.empty()) {
      if (spec.retry_helps != "yes" && spec.retry_helps != "no" && spec.retry_helps != "maybe")
        r.error(*c, "retry_helps", "'" + spec.retry_helps + "' is not one of yes, no, maybe");
    }
    if (spec.enabled && spec.patterns.empty() && spec.escalate.empty() && !r.has("patterns"))
      r.error(item, "patterns", "an enabled syndrome needs at least one pattern");
    r.finish();
    syndromes.push_back(std::move(spec));
  }
  out->syndromes = std::move(syndromes);
}

}  // namespace sidecar
