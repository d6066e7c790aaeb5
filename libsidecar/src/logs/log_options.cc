// Reads the `syndromes:` and `logs:` sections of a playbook tree into
// LogOptions, with every pattern compile-checked where it is written.
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

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

// Reads a list of patterns (or one string), checking each where it is written.
// With `prefilters` and `repeats`, an item may also be {pattern: P,
// prefilter: F, repeats: N} with either key optional (see
// SyndromeSpec::prefilters and ::repeats); each is left empty when no item has one.
void read_patterns(ConfigReader& r, std::string_view key, bool case_sensitive, bool multi,
                   std::vector<std::string>* out, std::vector<std::string>* prefilters = nullptr,
                   std::vector<std::size_t>* repeats = nullptr) {
  const Value* v = r.child(key);
  if (!v) return;
  std::vector<const Value*> nodes = items_or_one(*v);
  std::vector<std::string> patterns, filters;
  std::vector<std::size_t> counts;
  bool ok = true, any_filter = false, any_repeat = false;
  auto check = [&](const Value& node, const std::string& where, const std::string& text, bool hs) {
    if (embedded(node)) return true;
    std::string why = detail::check_log_pattern(text, case_sensitive, hs);
    if (why.empty()) return true;
    r.error(node, where, "pattern '" + text + "' does not compile: " + why);
    return false;
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Value* node = nodes[i];
    std::string where = std::string(key) + (v->is_array() ? "[" + std::to_string(i) + "]" : "");
    std::string filter;
    std::size_t count = 1;
    if (prefilters && repeats && node->is_object()) {
      const Value* pattern = node->find("pattern");
      const Value* f = node->find("prefilter");
      const Value* n = node->find("repeats");
      const std::size_t known = (pattern != nullptr) + (f != nullptr) + (n != nullptr);
      if (!pattern || known < 2 || known != node->members.size() || (f && f->kind != Value::Kind::kString)) {
        r.error(*node, where, "expected {pattern: '...', prefilter: '...', repeats: N} (one of the last two may go)");
        ok = false;
        continue;
      }
      if (f && !check(*f, where + ".prefilter", f->str, true)) {
        ok = false;
        continue;
      }
      if (n) {
        std::optional<double> x = n->as_number();
        if (!x || *x < 1 || *x > 1000 || *x != static_cast<double>(static_cast<int>(*x))) {
          r.error(*n, where + ".repeats", "expected a whole number from 1 to 1000");
          ok = false;
          continue;
        }
        count = static_cast<std::size_t>(*x);
        any_repeat |= count > 1;
      }
      if (f) {
        filter = f->str;
        any_filter = true;
      }
      where += ".pattern";
      node = pattern;
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
    filters.push_back(std::move(filter));
    counts.push_back(count);
  }
  if (!ok) return;
  *out = std::move(patterns);
  if (prefilters) {
    prefilters->clear();
    if (any_filter) *prefilters = std::move(filters);
  }
  if (repeats) {
    repeats->clear();
    if (any_repeat) *repeats = std::move(counts);
  }
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
    if (const Value* table = lr.child("table")) {
      if (!table->is_object()) {
        lr.error(*table, "table", "expected a mapping of value: result");
      } else {
        for (const auto& [key, val] : table->members) {
          auto s = val.as_string();
          if (!s) {
            lr.error(val, "table." + key, "expected a string");
            continue;
          }
          lk.table.emplace_back(key, *s);
        }
      }
    }
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
    read_patterns(r, "patterns", spec.case_sensitive, true, &spec.patterns, &spec.prefilters, &spec.repeats);
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
