// Playbook loading: the merged YAML tree read into the typed Playbook, with
// located errors and did-you-mean for every unknown key or section.
#include "sidecar/playbook.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"

namespace sidecar {
namespace {

void read_size(ConfigReader& r, std::string_view key, std::size_t* out, int min, int max) {
  int v = static_cast<int>(std::min<std::size_t>(*out, static_cast<std::size_t>(max)));
  r.read(key, &v, min, max);
  *out = static_cast<std::size_t>(v);
}

// One option of a table, read with its bounds (ints: the bounds as ints).
template <typename T>
void read_option(ConfigReader& r, std::string_view key, T* out, const OptionBounds& b) {
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, double>) {
    auto bound = [](double x) -> std::optional<T> {
      if (!std::isfinite(x)) return std::nullopt;
      return static_cast<T>(x);
    };
    r.read(key, out, bound(b.min), bound(b.max));
  } else {
    r.read(key, out);
  }
}

// detectors.<key>: every field of its option table.
template <typename Options>
void read_table(ConfigReader& parent, std::string_view key, Options* o, std::vector<Status>* errors) {
  const Value* v = parent.child(key);
  if (!v) return;
  ConfigReader r(*v, parent.section() + "." + std::string(key), errors);
  for_each_option(*o, [&](const auto& field, auto& value) { read_option(r, field.name, &value, field.bounds); });
  r.finish();
}

// A detector under its pre-issue-14 key is read as its new key (a copy of
// `node` with the old keys renamed; merged under the new key when both are
// given), with a one-line notice each.
Value renamed_detectors(const Value& node, std::vector<std::string>* notices) {
  Value out = node;
  if (!out.is_object()) return out;
  DetectorOptions names;
  for_each_detector(names, [&](std::string_view key, std::string_view old_key, auto&, std::string_view) {
    if (old_key.empty()) return;
    auto old_it =
        std::find_if(out.members.begin(), out.members.end(), [&](const auto& m) { return m.first == old_key; });
    if (old_it == out.members.end()) return;
    notices->push_back(old_it->second.mark.to_string() + ": detectors." + std::string(old_key) + " is now detectors." +
                       std::string(key) + " (the name of the syndrome it raises); the old key still works");
    Value old_value = std::move(old_it->second);
    out.members.erase(old_it);
    if (Value* now = out.find(key)) {
      merge_into(old_value, std::move(*now));  // the new key wins
      *now = std::move(old_value);
    } else {
      out.members.emplace_back(std::string(key), std::move(old_value));
    }
  });
  return out;
}

void read_detectors(const Value& node, DetectorOptions* d, std::vector<Status>* errors,
                    std::vector<std::string>* notices) {
  Value renamed = renamed_detectors(node, notices);
  ConfigReader r(renamed, "detectors", errors);
  for_each_detector(*d, [&](std::string_view key, std::string_view, auto& options, std::string_view) {
    read_table(r, key, &options, errors);
  });
  r.finish();
}

void read_profile(const Value& node, ProfileOptions* p, std::vector<Status>* errors) {
  ConfigReader r(node, "profile", errors);
  if (const Value* pin = r.child("pin")) {
    std::string text = pin->as_string().value_or("");
    if (detail::iequals(detail::trim(text), "auto")) {
      p->pin.reset();
    } else if (auto prof = parse_profile(text)) {
      p->pin = *prof;
    } else {
      r.error(*pin, "pin", "expected auto, generic, supervised or reinforcement_learning, got '" + text + "'");
    }
  }
  r.read("switch_margin", &p->switch_margin, 0, 1000);
  auto lists = [&](std::string_view key, bool append) {
    const Value* v = r.child(key);
    if (!v) return;
    ConfigReader h(*v, "profile." + std::string(key), errors);
    std::vector<std::string> rl, sup;
    bool has_rl = h.has("reinforcement_learning"), has_sup = h.has("supervised");
    h.read("reinforcement_learning", &rl);
    h.read("supervised", &sup);
    h.finish();
    if (append) {
      p->rl_hints.insert(p->rl_hints.end(), rl.begin(), rl.end());
      p->supervised_hints.insert(p->supervised_hints.end(), sup.begin(), sup.end());
    } else {
      if (has_rl) p->rl_hints = rl;
      if (has_sup) p->supervised_hints = sup;
    }
  };
  lists("hints", false);
  lists("extra_hints", true);
  r.finish();
}

void read_roles(const Value& node, RoleAliases* roles, std::vector<Status>* errors) {
  if (node.is_null()) return;
  if (!node.is_object()) {
    errors->emplace_back(StatusCode::kInvalidArgument, node.mark.to_string() + ": roles: expected a mapping");
    return;
  }
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < kRoleCount; ++i) names.push_back(to_string(static_cast<Role>(i)));
  for (const auto& [name, v] : node.members) {
    auto role = parse_role(name);
    if (!role) {
      std::string msg = v.mark.to_string() + ": roles: unknown role '" + name + "'";
      std::string guess = detail::did_you_mean(name, names);
      if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
      errors->emplace_back(StatusCode::kInvalidArgument, msg);
      continue;
    }
    auto& list = roles->aliases[static_cast<std::size_t>(*role)];
    if (v.is_array() || v.kind == Value::Kind::kString) {  // shorthand: roles: {loss: [a, b]} extends
      ConfigReader wrap(node, "roles", errors);
      std::vector<std::string> extra;
      wrap.read(name, &extra);
      list.insert(list.end(), extra.begin(), extra.end());
      continue;
    }
    ConfigReader r(v, "roles." + name, errors);
    if (r.has("aliases")) r.read("aliases", &list);
    std::vector<std::string> extra;
    r.read("extra", &extra);
    list.insert(list.end(), extra.begin(), extra.end());
    r.finish();
  }
}

void read_dedupe(const Value& node, DedupeOptions* o, std::vector<Status>* errors) {
  ConfigReader r(node, "dedupe", errors);
  r.read("ttl_s", &o->ttl_s, 0.0);
  r.read("clear_ticks", &o->clear_ticks, 1, 100000);
  read_size(r, "max_conditions", &o->max_conditions, 8, 1000000);
  read_size(r, "max_list_items", &o->max_list_items, 1, 10000);
  r.finish();
}

void read_snapshot(const Value& node, SnapshotOptions* o, std::vector<Status>* errors) {
  ConfigReader r(node, "snapshot", errors);
  r.read("heartbeat_s", &o->heartbeat_s, 0.0);
  read_size(r, "max_note_chars", &o->max_note_chars, 20, 100000);
  read_size(r, "max_tags", &o->max_tags, 0, 1000);
  read_size(r, "max_tag_chars", &o->max_tag_chars, 4, 1000);
  read_size(r, "max_syndromes", &o->max_syndromes, 0, 10000);
  r.finish();
}

void read_history_options(const Value& node, HistoryOptions* o, std::vector<Status>* errors) {
  ConfigReader r(node, "history", errors);
  r.read("enabled", &o->enabled);
  r.read("path", &o->path);
  r.read("max_rows", &o->max_rows, 1, 10000000);
  r.read("min_samples", &o->min_samples, 1, 1000000);
  r.read("masks", &o->masks);
  std::vector<std::string> extra;
  r.read("extra_masks", &extra);
  o->masks.insert(o->masks.end(), extra.begin(), extra.end());
  r.finish();
}

}  // namespace

void read_engine_options(const Value& tree, Playbook* out, std::vector<Status>* errors) {
  if (const Value* v = tree.find("detectors"); v && !v->is_null())
    read_detectors(*v, &out->detectors, errors, &out->notices);
  if (const Value* v = tree.find("profile"); v && !v->is_null()) read_profile(*v, &out->profile, errors);
  if (const Value* v = tree.find("roles"); v && !v->is_null()) read_roles(*v, &out->roles, errors);
  if (const Value* v = tree.find("dedupe"); v && !v->is_null()) read_dedupe(*v, &out->dedupe, errors);
  if (const Value* v = tree.find("snapshot"); v && !v->is_null()) read_snapshot(*v, &out->snapshot, errors);
  if (const Value* v = tree.find("history"); v && !v->is_null()) read_history_options(*v, &out->history, errors);
}

namespace {

// A number as the shortest text that reads back as the same double, with a
// ".0" on whole numbers so that it reads as a float ("8.0", "0.15", "1e-12").
std::string number_text(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string option_text(bool v) { return v ? "true" : "false"; }
std::string option_text(int v) { return std::to_string(v); }
std::string option_text(double v) { return number_text(v); }
std::string option_text(Severity v) { return std::string(to_string(v)); }

template <typename T>
Value option_value(const T& v) {
  Value out;
  if constexpr (std::is_same_v<T, bool>) {
    out.kind = Value::Kind::kBool;
    out.boolean = v;
  } else {
    out.kind = Value::Kind::kString;
    out.str = option_text(v);
    out.plain = true;
  }
  return out;
}

Value object() {
  Value v;
  v.kind = Value::Kind::kObject;
  return v;
}

std::string bounds_text(const OptionBounds& b, bool is_int) {
  auto text = [&](double x) { return is_int ? std::to_string(static_cast<long long>(x)) : number_text(x); };
  bool lo = std::isfinite(b.min), hi = std::isfinite(b.max);
  if (lo && hi) return text(b.min) + " – " + text(b.max);
  if (lo) return "≥ " + text(b.min);
  if (hi) return "≤ " + text(b.max);
  return "";
}

// The effective tree's `detectors:` is what the reader filled in (the default
// playbook's YAML restates none of it).
void set_detectors_tree(Playbook& pb) {
  Value d = detectors_tree(pb.detectors);
  if (!pb.tree.is_object()) pb.tree = object();
  if (Value* now = pb.tree.find("detectors")) {
    *now = std::move(d);
    return;
  }
  auto at = pb.tree.members.begin();
  if (at != pb.tree.members.end() && at->first == "version") ++at;
  pb.tree.members.emplace(at, "detectors", std::move(d));
}

}  // namespace

Value detectors_tree(const DetectorOptions& d) {
  Value out = object();
  for_each_detector(d, [&](std::string_view key, std::string_view, const auto& options, std::string_view) {
    Value section = object();
    for_each_option(options, [&](const auto& field, const auto& value) {
      section.members.emplace_back(std::string(field.name), option_value(value));
    });
    out.members.emplace_back(std::string(key), std::move(section));
  });
  return out;
}

std::string detectors_markdown(const DetectorOptions& d) {
  std::string out;
  for_each_detector(d, [&](std::string_view key, std::string_view old_key, const auto& options, std::string_view what) {
    out += "#### `detectors." + std::string(key) + "`\n\n" + std::string(what);
    if (!old_key.empty()) out += " (before: `" + std::string(old_key) + "`, still read with a notice)";
    out += ".\n\n| key | default | bounds | why |\n|---|---|---|---|\n";
    for_each_option(options, [&](const auto& field, const auto& value) {
      using T = std::remove_cvref_t<decltype(value)>;
      out += "| `" + std::string(field.name) + "` | `" + option_text(value) + "` | " +
             bounds_text(field.bounds, std::is_same_v<T, int>) + " | " + std::string(field.why) + " |\n";
    });
    out += "\n";
  });
  return out;
}

Result<Playbook> playbook_from_tree(Value tree) {
  std::vector<Status> errors;
  if (!tree.is_object() && !tree.is_null())
    return Status(StatusCode::kInvalidArgument, tree.mark.to_string() + ": a playbook must be a mapping");
  Playbook pb;
  // Known top-level sections: whatever the embedded default defines (each
  // part owns its sections there), plus "version".
  static const std::vector<std::string> known = [] {
    std::vector<std::string> keys = {"version", "detectors"};  // detectors: from the option tables
    if (auto def = default_playbook_tree(); def && def->is_object())
      for (const auto& [k, v] : def->members) keys.push_back(k);
    return keys;
  }();
  for (const auto& [k, v] : tree.members) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string msg = v.mark.to_string() + ": unknown section '" + k + "'";
    std::string guess = detail::did_you_mean(k, known);
    if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
    errors.emplace_back(StatusCode::kInvalidArgument, msg);
  }
  read_engine_options(tree, &pb, &errors);
  read_log_options(tree, &pb.logs, &errors);
  read_gpu_options(tree, &pb.gpu, &errors);
  if (!errors.empty()) return join_errors(errors);
  pb.tree = std::move(tree);
  set_detectors_tree(pb);
  return pb;
}

namespace {
// The default playbook, read once per process (every MonitorOptions starts from a copy).
const Result<Playbook>& default_playbook_result() {
  static const Result<Playbook> kDefault = []() -> Result<Playbook> {
    auto tree = default_playbook_tree();
    if (!tree) return tree.status();
    return playbook_from_tree(std::move(tree).value());
  }();
  return kDefault;
}
}  // namespace

Result<Playbook> load_playbook(const std::string& user_path) {
  if (user_path.empty()) return default_playbook_result();
  auto tree = playbook_tree(user_path);
  if (!tree) return tree.status();
  return playbook_from_tree(std::move(tree).value());
}

const Playbook& default_playbook() {
  static const Playbook kEmpty;
  const Result<Playbook>& d = default_playbook_result();
  return d ? *d : kEmpty;
}

namespace {

bool needs_quotes(const Value& v) {
  const std::string& s = v.str;
  if (s.empty()) return true;
  if (!v.plain) {
    // A quoted scalar that would read back as something else when plain.
    if (detail::parse_number(s) || s == "true" || s == "false" || s == "null" || s == "~" || s == "yes" || s == "no")
      return true;
  }
  static constexpr std::string_view kSpecialFirst = "-?:,[]{}#&*!|>'\"%@`";
  if (kSpecialFirst.find(s.front()) != std::string_view::npos && !(s.size() > 1 && s[0] == '-' && s[1] != ' '))
    return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  for (char c : s)
    if (c == '\n' || c == '\t' || c == '\\' || c == '"' || c == '\'' || c == '[' || c == ']' || c == '{' || c == '}' ||
        c == ',' || static_cast<unsigned char>(c) < 0x20)
      return true;
  return s.back() == ':';
}

// In a flow list ("[a, b]") only simple words stay unquoted.
bool simple_word(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '/' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::string scalar(const Value& v, bool flow = false) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.boolean ? "true" : "false";
    case Value::Kind::kNumber:
      return v.as_string().value_or("0");
    case Value::Kind::kString: {
      if (!needs_quotes(v) && (!flow || simple_word(v.str))) return v.str;
      std::string out = "'";
      for (char c : v.str) {
        if (c == '\'')
          out += "''";
        else if (c == '\n')
          out += ' ';
        else
          out += c;
      }
      return out + "'";
    }
    default:
      return "";
  }
}

bool is_scalar(const Value& v) { return !v.is_object() && !v.is_array(); }

void emit(const Value& v, int indent, std::string& out);

void emit_members(const Value& v, int indent, std::string& out, bool first_inline) {
  bool first = true;
  for (const auto& [k, child] : v.members) {
    if (!(first && first_inline)) out.append(static_cast<std::size_t>(indent), ' ');
    first = false;
    Value key;
    key.kind = Value::Kind::kString;
    key.str = k;
    key.plain = true;
    out += scalar(key);
    out += ':';
    if (is_scalar(child)) {
      out += ' ';
      out += scalar(child);
      out += '\n';
    } else if (child.is_array() && std::all_of(child.items.begin(), child.items.end(), is_scalar)) {
      out += " [";
      for (std::size_t i = 0; i < child.items.size(); ++i) {
        if (i) out += ", ";
        out += scalar(child.items[i], /*flow=*/true);
      }
      out += "]\n";
    } else if (child.is_object() && child.members.empty()) {
      out += " {}\n";
    } else {
      out += "\n";
      emit(child, indent + 2, out);
    }
  }
}

void emit(const Value& v, int indent, std::string& out) {
  if (v.is_object()) {
    emit_members(v, indent, out, false);
  } else if (v.is_array()) {
    for (const Value& item : v.items) {
      out.append(static_cast<std::size_t>(indent), ' ');
      out += "- ";
      if (item.is_object() && !item.members.empty()) {
        emit_members(item, indent + 2, out, true);
      } else if (is_scalar(item)) {
        out += scalar(item);
        out += '\n';
      } else {
        out += "\n";
        emit(item, indent + 2, out);
      }
    }
  } else {
    out.append(static_cast<std::size_t>(indent), ' ');
    out += scalar(v);
    out += '\n';
  }
}

}  // namespace

std::string playbook_to_yaml(const Value& tree) {
  std::string out;
  emit(tree, 0, out);
  return out;
}

}  // namespace sidecar
