// Playbook loading: the merged YAML tree read into the typed Playbook, with
// located errors and did-you-mean for every unknown key or section.
#include "sidecar/playbook.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"

namespace sidecar {
namespace {

void read_size(ConfigReader& r, std::string_view key, std::size_t* out, int min, int max) {
  int v = static_cast<int>(std::min<std::size_t>(*out, static_cast<std::size_t>(max)));
  r.read(key, &v, min, max);
  *out = static_cast<std::size_t>(v);
}

// Calls fn(reader) on detectors.<name> when present.
template <typename Fn>
void section(ConfigReader& parent, std::string_view name, std::vector<Status>* errors, Fn&& fn) {
  const Value* v = parent.child(name);
  if (!v) return;
  ConfigReader r(*v, parent.section() + "." + std::string(name), errors);
  fn(r);
  r.finish();
}

// detectors.rank_progress: the rank whose log stopped (RankProgress).
void read_rank_progress(ConfigReader& s, RankProgressOptions* o) {
  s.read("enabled", &o->enabled);
  s.read("stall_seconds", &o->stall_seconds, 0.0);
  s.read("cadence_factor", &o->cadence_factor, 0.0);
  s.read("min_lines", &o->min_lines, 2, 1000000);
  s.read("min_advancing_share", &o->min_advancing_share, 0.0, 1.0);
  s.read("min_ranks", &o->min_ranks, 2, 1000000);
  s.read("timeout_settle_seconds", &o->timeout_settle_seconds, 0.0);
  s.read("severity", &o->severity);
  s.read("timeout_severity", &o->timeout_severity);
}

void read_detectors(const Value& node, DetectorOptions* d, std::vector<Status>* errors) {
  ConfigReader r(node, "detectors", errors);
  section(r, "nan_loss", errors, [&](ConfigReader& s) {
    s.read("enabled", &d->nan_loss.enabled);
    s.read("severity", &d->nan_loss.severity);
  });
  section(r, "high_loss", errors, [&](ConfigReader& s) {
    auto& o = d->high_loss;
    s.read("enabled", &o.enabled);
    s.read("threshold", &o.threshold);
    s.read("window", &o.window, 1, 100000);
    s.read("fraction", &o.fraction, 0.0, 1.0);
    s.read("min_points", &o.min_points, 0, 100000000);
    s.read("min_improvement", &o.min_improvement, 0.0, 1.0);
    s.read("severity", &o.severity);
  });
  section(r, "loss_spike", errors, [&](ConfigReader& s) {
    auto& o = d->loss_spike;
    s.read("enabled", &o.enabled);
    s.read("window", &o.window, 3, 100000);
    s.read("min_points", &o.min_points, 3, 100000000);
    s.read("z", &o.z, 0.0);
    s.read("min_ratio", &o.min_ratio, 0.0);
    s.read("persistence", &o.persistence, 1, 1000);
    s.read("mad_floor", &o.mad_floor, 1e-12);
    s.read("early_ratio", &o.early_ratio, 0.0);
    s.read("ceiling_factor", &o.ceiling_factor, 0.0);
    s.read("ceiling_min_points", &o.ceiling_min_points, 1, 100000000);
    s.read("severity", &o.severity);
    s.read("ceiling_severity", &o.ceiling_severity);
  });
  section(r, "grad_norm", errors, [&](ConfigReader& s) {
    auto& o = d->grad_norm;
    s.read("enabled", &o.enabled);
    s.read("persistence", &o.persistence, 1, 1000);
    s.read("explosion_ratio", &o.explosion_ratio, 0.0);
    s.read("window", &o.window, 3, 100000);
    s.read("min_points", &o.min_points, 2, 100000000);
    s.read("min_loss_scale", &o.min_loss_scale, 0.0);
    s.read("severity", &o.severity);
    s.read("persistent_severity", &o.persistent_severity);
  });
  section(r, "stall", errors, [&](ConfigReader& s) {
    auto& o = d->stall;
    s.read("enabled", &o.enabled);
    s.read("factor", &o.factor, 1.0);
    s.read("min_seconds", &o.min_seconds, 0.0);
    s.read("min_intervals", &o.min_intervals, 1, 1000);
    s.read("severity", &o.severity);
  });
  section(r, "val_acc_drop", errors, [&](ConfigReader& s) {
    auto& o = d->val_acc_drop;
    s.read("enabled", &o.enabled);
    s.read("min_points", &o.min_points, 1, 100000000);
    s.read("min_drop", &o.min_drop, 0.0);
    s.read("mean_ratio", &o.mean_ratio, 0.0, 1.0);
    s.read("mean_window", &o.mean_window, 1, 1000);
    s.read("drop_points", &o.drop_points, 1, 1000);
    s.read("collapse_ratio", &o.collapse_ratio, 0.0, 1.0);
    s.read("collapse_points", &o.collapse_points, 1, 1000);
    s.read("severe_ratio", &o.severe_ratio, 0.0, 1.0);
    s.read("min_best", &o.min_best, 0.0);
    s.read("severity", &o.severity);
  });
  section(r, "val_loss_regression", errors, [&](ConfigReader& s) {
    auto& o = d->val_loss_regression;
    s.read("enabled", &o.enabled);
    s.read("min_points", &o.min_points, 1, 100000000);
    s.read("ratio", &o.ratio, 1.0);
    s.read("mean_ratio", &o.mean_ratio, 1.0);
    s.read("mean_window", &o.mean_window, 1, 1000);
    s.read("severity", &o.severity);
  });
  section(r, "reward_drop", errors, [&](ConfigReader& s) {
    auto& o = d->reward_drop;
    s.read("enabled", &o.enabled);
    s.read("window", &o.window, 1, 1000);
    s.read("min_points", &o.min_points, 2, 100000000);
    s.read("drop_fraction", &o.drop_fraction, 0.0);
    s.read("warmup_points", &o.warmup_points, 0, 100000000);
    s.read("persistence", &o.persistence, 1, 1000);
    s.read("decline_fraction", &o.decline_fraction, 0.0);
    s.read("decline_points", &o.decline_points, 1, 1000);
    s.read("decline_min_points", &o.decline_min_points, 2, 100000000);
    s.read("severity", &o.severity);
  });
  section(r, "reward_hacking", errors, [&](ConfigReader& s) {
    auto& o = d->reward_hacking;
    s.read("enabled", &o.enabled);
    s.read("window", &o.window, 1, 1000);
    s.read("min_points", &o.min_points, 2, 100000000);
    s.read("reward_ratio", &o.reward_ratio, 1.0);
    s.read("quality_ratio", &o.quality_ratio, 0.0, 1.0);
    s.read("trend_window", &o.trend_window, 4, 1000);
    s.read("trend_min_points", &o.trend_min_points, 4, 100000000);
    s.read("long_window", &o.long_window, 0, 128);
    s.read("trend_reward_rise", &o.trend_reward_rise, 0.0);
    s.read("trend_quality_ratio", &o.trend_quality_ratio, 0.0, 1.0);
    s.read("short_points", &o.short_points, 0, 1000);
    s.read("short_quality_ratio", &o.short_quality_ratio, 0.0, 1.0);
    s.read("severity", &o.severity);
  });
  section(r, "kl_explosion", errors, [&](ConfigReader& s) {
    auto& o = d->kl_explosion;
    s.read("enabled", &o.enabled);
    s.read("window", &o.window, 1, 1000);
    s.read("ratio", &o.ratio, 1.0);
    s.read("min_kl", &o.min_kl);
    s.read("max_kl", &o.max_kl, 0.0);
    s.read("jump_ratio", &o.jump_ratio, 0.0);
    s.read("severity", &o.severity);
  });
  section(r, "entropy", errors, [&](ConfigReader& s) {
    auto& o = d->entropy;
    s.read("enabled", &o.enabled);
    s.read("min_points", &o.min_points, 2, 100000000);
    s.read("window", &o.window, 3, 100000);
    s.read("collapse_fraction", &o.collapse_fraction, 0.0, 1.0);
    s.read("explosion_ratio", &o.explosion_ratio, 1.0);
    s.read("explosion_min", &o.explosion_min);
    s.read("persistence", &o.persistence, 1, 1000);
    s.read("converged_band", &o.converged_band, 0.0, 1.0);
    s.read("severity", &o.severity);
  });
  section(r, "throughput_regression", errors, [&](ConfigReader& s) {
    auto& o = d->throughput_regression;
    s.read("enabled", &o.enabled);
    s.read("ratio", &o.ratio, 0.0, 1.0);
    s.read("warmup_points", &o.warmup_points, 0, 100000000);
    s.read("window", &o.window, 1, 100000);
    s.read("severity", &o.severity);
  });
  section(r, "quality_behind", errors, [&](ConfigReader& s) {
    auto& o = d->quality_behind;
    s.read("enabled", &o.enabled);
    s.read("margin", &o.margin, 0.0);
    s.read("min_points", &o.min_points, 1, 100000000);
    s.read("severity", &o.severity);
  });
  section(r, "nonfinite", errors, [&](ConfigReader& s) {
    s.read("enabled", &d->nonfinite.enabled);
    s.read("severity", &d->nonfinite.severity);
  });
  section(r, "loss_divergence", errors, [&](ConfigReader& s) {
    auto& o = d->loss_divergence;
    s.read("enabled", &o.enabled);
    s.read("ratio", &o.ratio, 1.0);
    s.read("rising", &o.rising, 1, 1000);
    s.read("min_points", &o.min_points, 2, 100000000);
    s.read("back_fraction", &o.back_fraction, 0.0, 1.0);
    s.read("slow_window", &o.slow_window, 2, 1000);
    s.read("slow_rise", &o.slow_rise, 0.0);
    s.read("min_delta", &o.min_delta, 0.0);
    s.read("slow_back_fraction", &o.slow_back_fraction, 0.0, 1.0);
    s.read("severity", &o.severity);
  });
  section(r, "frozen_loss", errors, [&](ConfigReader& s) {
    auto& o = d->frozen_loss;
    s.read("enabled", &o.enabled);
    s.read("points", &o.points, 2, 100000);
    s.read("ignore_zero", &o.ignore_zero);
    s.read("zero_points", &o.zero_points, 0, 100000);
    s.read("zero_min_initial", &o.zero_min_initial, 0.0);
    s.read("flat_points", &o.flat_points, 2, 100000);
    s.read("flat_tolerance", &o.flat_tolerance, 0.0, 1.0);
    s.read("flat_max_improvement", &o.flat_max_improvement, 0.0, 1.0);
    s.read("severity", &o.severity);
  });
  section(r, "throughput_collapse", errors, [&](ConfigReader& s) {
    auto& o = d->throughput_collapse;
    s.read("enabled", &o.enabled);
    s.read("warmup_points", &o.warmup_points, 0, 1000);
    s.read("reference_points", &o.reference_points, 2, static_cast<int>(Series::kInitialValues));
    s.read("ratio", &o.ratio, 0.0, 1.0);
    s.read("persistence", &o.persistence, 1, 1000);
    s.read("step_time_ratio", &o.step_time_ratio, 0.0);
    s.read("step_time_rising", &o.step_time_rising, 1, 1000);
    s.read("severity", &o.severity);
  });
  section(r, "rank_progress", errors, [&](ConfigReader& s) { read_rank_progress(s, &d->rank_progress); });
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
  if (const Value* v = tree.find("detectors"); v && !v->is_null()) read_detectors(*v, &out->detectors, errors);
  if (const Value* v = tree.find("profile"); v && !v->is_null()) read_profile(*v, &out->profile, errors);
  if (const Value* v = tree.find("roles"); v && !v->is_null()) read_roles(*v, &out->roles, errors);
  if (const Value* v = tree.find("dedupe"); v && !v->is_null()) read_dedupe(*v, &out->dedupe, errors);
  if (const Value* v = tree.find("snapshot"); v && !v->is_null()) read_snapshot(*v, &out->snapshot, errors);
  if (const Value* v = tree.find("history"); v && !v->is_null()) read_history_options(*v, &out->history, errors);
}

Result<Playbook> playbook_from_tree(Value tree) {
  std::vector<Status> errors;
  if (!tree.is_object() && !tree.is_null())
    return Status(StatusCode::kInvalidArgument, tree.mark.to_string() + ": a playbook must be a mapping");
  Playbook pb;
  // Known top-level sections: whatever the embedded default defines (each
  // part owns its sections there), plus "version".
  static const std::vector<std::string> known = [] {
    std::vector<std::string> keys = {"version"};
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
