// Playbook loading: the merged YAML tree read into the typed Playbook, with
// located errors and did-you-mean for every unknown key or section.
#include "sidecar/playbook.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"

namespace sidecar {
namespace {

// detectors.<key>: every field of its option table.
template <typename Options>
void read_table(ConfigReader& parent, std::string_view key, Options* o, std::vector<Status>* errors) {
  const Value* v = parent.child(key);
  if (!v) return;
  ConfigReader r(*v, parent.section() + "." + std::string(key), errors);
  read_options(r, o);
  r.finish();
}

// A top-level section read from its option table alone (dedupe:, snapshot:).
template <typename Options>
void read_section(const Value& tree, std::string_view key, Options* o, std::vector<Status>* errors) {
  const Value* v = tree.find(key);
  if (!v || v->is_null()) return;
  ConfigReader r(*v, std::string(key), errors);
  read_options(r, o);
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
  read_options(r, p);  // OptionTable<ProfileOptions>
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

// history: its option table, then `extra_masks` (extends `masks`).
void read_history_options(const Value& node, HistoryOptions* o, std::vector<Status>* errors) {
  ConfigReader r(node, "history", errors);
  read_options(r, o);
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
  read_section(tree, "dedupe", &out->dedupe, errors);
  read_section(tree, "snapshot", &out->snapshot, errors);
  if (const Value* v = tree.find("history"); v && !v->is_null()) read_history_options(*v, &out->history, errors);
}

namespace {

// A number as the shortest text that reads back as the same double, with a
// ".0" on whole numbers so that it reads as a float ("8.0", "0.15", "1e-12").
std::string number_text(double v) {
  std::string s = detail::round_trip_text(v);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string option_text(bool v) { return v ? "true" : "false"; }
std::string option_text(int v) { return std::to_string(v); }
std::string option_text(std::size_t v) { return std::to_string(v); }
std::string option_text(double v) { return number_text(v); }
std::string option_text(Severity v) { return std::string(to_string(v)); }
std::string option_text(Action v) { return std::string(to_string(v)); }
std::string option_text(const std::string& v) { return v; }
std::string option_text(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

Value string_value(const std::string& s, bool plain) {
  Value out;
  out.kind = Value::Kind::kString;
  out.str = s;
  out.plain = plain;
  return out;
}

Value list_value(const std::vector<std::string>& items) {
  Value out;
  out.kind = Value::Kind::kArray;
  for (const std::string& s : items) out.items.push_back(string_value(s, false));
  return out;
}

// An option as YAML reads it back: numbers and severities plain, strings as
// strings (quoted when they would read as something else), lists as lists.
template <typename T>
Value option_value(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    Value out;
    out.kind = Value::Kind::kBool;
    out.boolean = v;
    return out;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return list_value(v);
  } else {
    return string_value(option_text(v), !std::is_same_v<T, std::string>);
  }
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

// One options struct as a mapping, field by field from its table.
template <typename Options>
Value options_section(const Options& o) {
  Value section = object();
  for_each_option(o, [&](const auto& field, const auto& value) {
    section.members.emplace_back(std::string(field.name), option_value(value));
  });
  return section;
}

// `## heading`, one line, and the `key | default | bounds | why` table of `o`.
template <typename Options>
std::string options_table_md(std::string_view heading, std::string_view what, const Options& o) {
  std::string out = "#### `" + std::string(heading) + "`\n\n" + std::string(what);
  out += ".\n\n| key | default | bounds | why |\n|---|---|---|---|\n";
  for_each_option(o, [&](const auto& field, const auto& value) {
    using T = std::remove_cvref_t<decltype(value)>;
    constexpr bool is_int = std::is_same_v<T, int> || std::is_same_v<T, std::size_t>;
    out += "| `" + std::string(field.name) + "` | `" + option_text(value) + "` | " + bounds_text(field.bounds, is_int) +
           " | " + std::string(field.why) + " |\n";
  });
  return out + "\n";
}

Value profile_tree(const ProfileOptions& p) {
  Value out = object();
  out.members.emplace_back("pin", string_value(p.pin ? std::string(to_string(*p.pin)) : "auto", true));
  for (auto& m : options_section(p).members) out.members.push_back(std::move(m));
  Value hints = object();
  hints.members.emplace_back("reinforcement_learning", list_value(p.rl_hints));
  hints.members.emplace_back("supervised", list_value(p.supervised_hints));
  out.members.emplace_back("hints", std::move(hints));
  return out;
}

// operator: `actions` (choice text -> action, by hand), then its table (fallback).
Value operator_tree(const ActionTable& t) {
  Value actions = object();
  for (const auto& [choice, action] : t.map)
    actions.members.emplace_back(choice, string_value(std::string(to_string(action)), true));
  Value out = object();
  out.members.emplace_back("actions", std::move(actions));
  for (auto& m : options_section(t).members) out.members.push_back(std::move(m));
  return out;
}

// Puts `section` under `key` in `tree`; a dotted key ("sinks.server") under
// its parent, which is added after the others when missing.
void add_section(Value& tree, std::string_view key, Value section) {
  auto dot = key.find('.');
  if (dot == std::string_view::npos) {
    tree.members.emplace_back(std::string(key), std::move(section));
    return;
  }
  Value* parent = tree.find(key.substr(0, dot));
  if (parent == nullptr) parent = &tree.members.emplace_back(std::string(key.substr(0, dot)), object()).second;
  parent->members.emplace_back(std::string(key.substr(dot + 1)), std::move(section));
}

Value roles_tree(const RoleAliases& roles) {
  Value out = object();
  for (std::size_t i = 0; i < kRoleCount; ++i) {
    Value role = object();
    role.members.emplace_back("aliases", list_value(roles.aliases[i]));
    out.members.emplace_back(std::string(to_string(static_cast<Role>(i))), std::move(role));
  }
  return out;
}

// Puts `section` under `key` in `tree` (replacing any), before `before` when
// that key is there, else at the end.
void place(Value& tree, const std::string& key, Value section, std::string_view before) {
  auto named = [&](std::string_view k) {
    return std::find_if(tree.members.begin(), tree.members.end(), [&](const auto& m) { return m.first == k; });
  };
  if (auto it = named(key); it != tree.members.end()) tree.members.erase(it);
  tree.members.emplace(named(before), key, std::move(section));
}

// The effective tree's sections that the option structs hold are rendered
// from them (the embedded YAML restates none of their defaults): what the
// reader filled in is what `playbook show` prints.
void set_options_tree(Playbook& pb) {
  if (!pb.tree.is_object()) pb.tree = object();
  Value engine = options_tree(pb);
  for (auto& [key, section] : engine.members) {
    // the engine's sections before the log syndromes, gpu .. judge after them
    bool after = key == "gpu" || key == "operator" || key == "sinks" || key == "judge";
    place(pb.tree, key, std::move(section), after ? "" : "syndromes");
  }
}

}  // namespace

Value detectors_tree(const DetectorOptions& d) {
  Value out = object();
  for_each_detector(d, [&](std::string_view key, std::string_view, const auto& options, std::string_view) {
    out.members.emplace_back(std::string(key), options_section(options));
  });
  return out;
}

Value options_tree(const Playbook& pb) {
  Value out = object();
  out.members.emplace_back("detectors", detectors_tree(pb.detectors));
  out.members.emplace_back("profile", profile_tree(pb.profile));
  out.members.emplace_back("roles", roles_tree(pb.roles));
  for_each_section(pb, [&](std::string_view key, const auto& options, std::string_view) {
    if (key == "operator")
      add_section(out, key, operator_tree(pb.actions));
    else if (key != "profile")
      add_section(out, key, options_section(options));
  });
  return out;
}

std::string detectors_markdown(const DetectorOptions& d) {
  std::string out;
  for_each_detector(d, [&](std::string_view key, std::string_view old_key, const auto& options, std::string_view what) {
    std::string line(what);
    if (!old_key.empty()) line += " (before: `" + std::string(old_key) + "`, still read with a notice)";
    out += options_table_md("detectors." + std::string(key), line, options);
  });
  return out;
}

std::string options_markdown(const Playbook& pb) {
  std::string out = detectors_markdown(pb.detectors);
  for_each_section(pb, [&](std::string_view key, const auto& options, std::string_view what) {
    out += options_table_md(key, what, options);
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
    // the sections of the option structs (the embedded YAML restates none)
    std::vector<std::string> keys = {"version", "detectors", "profile", "roles",    "dedupe", "snapshot",
                                     "history", "logs",      "gpu",     "operator", "sinks",  "judge"};
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
  read_operator_options(tree, &pb.actions, &errors);
  read_sinks_options(tree, &pb.sinks, &errors);
  read_judge_options(tree, &pb.judge, &errors);
  if (!errors.empty()) return join_errors(errors);
  pb.tree = std::move(tree);
  set_options_tree(pb);
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
