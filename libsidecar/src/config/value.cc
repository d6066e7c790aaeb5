// Value helpers, ConfigReader and playbook tree merging.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sidecar/config.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/detail/playbook_cache.h"
#include "sidecar/version.h"

namespace sidecar {

std::string Mark::to_string() const {
  std::string s = file.empty() ? "<input>" : file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (col > 0) s += ':' + std::to_string(col);
  }
  return s;
}

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

Value* Value::find(std::string_view key) {
  for (auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

std::optional<double> Value::as_number() const {
  if (kind == Kind::kNumber) return number;
  if (kind == Kind::kString) return detail::parse_number(str);
  return std::nullopt;
}

std::optional<bool> Value::as_bool() const {
  if (kind == Kind::kBool) return boolean;
  if (kind == Kind::kString) {
    std::string t = detail::to_lower(str);
    if (t == "true" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "no" || t == "off") return false;
  }
  return std::nullopt;
}

std::optional<std::string> Value::as_string() const {
  switch (kind) {
    case Kind::kString:
      return str;
    case Kind::kBool:
      return std::string(boolean ? "true" : "false");
    case Kind::kNumber: {
      std::ostringstream os;
      os << number;
      return os.str();
    }
    default:
      return std::nullopt;
  }
}

Result<Value> load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status(StatusCode::kIoError, path + ": is a directory, not a playbook file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return Status(StatusCode::kNotFound, path + ": no such file");
    if (err == EACCES) return Status(StatusCode::kPermissionDenied, path + ": permission denied");
    return Status(StatusCode::kIoError, path + ": " + std::strerror(err));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status(StatusCode::kIoError, path + ": read failed");
  return parse_yaml(ss.str(), path);
}

void merge_into(Value& base, const Value& overlay) {
  if (base.is_object() && overlay.is_object()) {
    for (const auto& [k, v] : overlay.members) {
      if (Value* existing = base.find(k))
        merge_into(*existing, v);
      else
        base.members.emplace_back(k, v);
    }
    return;
  }
  auto named = [](const Value& arr) {
    return arr.is_array() && std::all_of(arr.items.begin(), arr.items.end(), [](const Value& it) {
             const Value* n = it.find("name");
             return it.is_object() && n && n->kind == Value::Kind::kString;
           });
  };
  if (named(base) && named(overlay) && !overlay.items.empty()) {
    for (const Value& item : overlay.items) {
      const std::string& name = item.find("name")->str;
      auto it = std::find_if(base.items.begin(), base.items.end(),
                             [&](const Value& b) { return b.find("name")->str == name; });
      if (it != base.items.end())
        merge_into(*it, item);
      else
        base.items.push_back(item);
    }
    return;
  }
  base = overlay;
}

ConfigReader::ConfigReader(const Value& map, std::string section, std::vector<Status>* errors)
    : map_(map), section_(std::move(section)), errors_(errors) {
  if (!map.is_object() && !map.is_null())
    errors_->emplace_back(StatusCode::kInvalidArgument,
                          map.mark.to_string() + ": " + section_ + ": expected a mapping");
}

bool ConfigReader::has(std::string_view key) const { return map_.find(key) != nullptr; }

const Value* ConfigReader::lookup(std::string_view key) {
  seen_.emplace_back(key);
  if (!map_.is_object()) return nullptr;
  const Value* v = map_.find(key);
  return (v && !v->is_null()) ? v : nullptr;
}

const Value* ConfigReader::child(std::string_view key) { return lookup(key); }

void ConfigReader::error(const Value& at, std::string_view key, std::string_view what) {
  std::string where = section_.empty() ? std::string(key) : section_ + "." + std::string(key);
  errors_->emplace_back(StatusCode::kInvalidArgument, at.mark.to_string() + ": " + where + ": " + std::string(what));
}

void ConfigReader::read(std::string_view key, double* out, std::optional<double> min, std::optional<double> max) {
  const Value* v = lookup(key);
  if (!v) return;
  auto n = v->as_number();
  if (!n || std::isnan(*n)) return error(*v, key, "expected a number, got '" + v->as_string().value_or("?") + "'");
  if ((min && *n < *min) || (max && *n > *max)) {
    std::ostringstream os;
    os << "value " << *n << " out of range";
    if (min) os << " (min " << *min << ")";
    if (max) os << " (max " << *max << ")";
    return error(*v, key, os.str());
  }
  *out = *n;
}

void ConfigReader::read(std::string_view key, int* out, std::optional<int> min, std::optional<int> max) {
  const Value* v = lookup(key);
  if (!v) return;
  auto n = v->as_number();
  if (!n || *n != std::floor(*n) || std::fabs(*n) > 2e9)
    return error(*v, key, "expected an integer, got '" + v->as_string().value_or("?") + "'");
  int i = static_cast<int>(*n);
  if ((min && i < *min) || (max && i > *max))
    return error(*v, key,
                 "value " + std::to_string(i) + " out of range" + (min ? " (min " + std::to_string(*min) + ")" : "") +
                     (max ? " (max " + std::to_string(*max) + ")" : ""));
  *out = i;
}

void ConfigReader::read(std::string_view key, std::int64_t* out) {
  const Value* v = lookup(key);
  if (!v) return;
  auto n = v->as_number();
  if (!n || *n != std::floor(*n) || std::fabs(*n) > 9e15)
    return error(*v, key, "expected an integer, got '" + v->as_string().value_or("?") + "'");
  *out = static_cast<std::int64_t>(*n);
}

void ConfigReader::read(std::string_view key, bool* out) {
  const Value* v = lookup(key);
  if (!v) return;
  auto b = v->as_bool();
  if (!b) return error(*v, key, "expected true or false, got '" + v->as_string().value_or("?") + "'");
  *out = *b;
}

void ConfigReader::read(std::string_view key, std::string* out) {
  const Value* v = lookup(key);
  if (!v) return;
  auto s = v->as_string();
  if (!s) return error(*v, key, "expected text");
  *out = *s;
}

void ConfigReader::read(std::string_view key, std::vector<std::string>* out) {
  const Value* v = lookup(key);
  if (!v) return;
  if (v->kind == Value::Kind::kString) {
    *out = {v->str};
    return;
  }
  if (!v->is_array()) return error(*v, key, "expected a list of strings");
  std::vector<std::string> items;
  for (const Value& item : v->items) {
    auto s = item.as_string();
    if (!s) return error(item, key, "expected a list of strings");
    items.push_back(*s);
  }
  *out = std::move(items);
}

void ConfigReader::read(std::string_view key, Severity* out) {
  const Value* v = lookup(key);
  if (!v) return;
  auto s = v->as_string();
  auto sev = s ? parse_severity(*s) : std::nullopt;
  if (!sev) return error(*v, key, "expected info, warning or critical, got '" + s.value_or("?") + "'");
  *out = *sev;
}

void ConfigReader::finish(std::span<const std::string_view> extra_known) {
  if (!map_.is_object()) return;
  std::vector<std::string> known = seen_;
  for (auto k : extra_known) known.emplace_back(k);
  for (const auto& [k, v] : map_.members) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string msg = "unknown key '" + k + "'";
    std::string guess = detail::did_you_mean(k, known);
    if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
    std::string where = section_.empty() ? "" : section_ + ": ";
    errors_->emplace_back(StatusCode::kInvalidArgument, v.mark.to_string() + ": " + where + msg);
  }
}

Status join_errors(const std::vector<Status>& errors) {
  if (errors.empty()) return Status::Ok();
  std::string msg;
  for (const Status& s : errors) {
    if (!msg.empty()) msg += '\n';
    msg += s.message();
  }
  return Status(errors.size() == 1 ? errors.front().code() : StatusCode::kInvalidArgument, msg);
}

namespace detail {
const Result<Value>& default_playbook() {
  // Parsed once per process (the text is built in; a copy costs far less than
  // the parse), or read from the process-wide cache directory (cache_dir.h).
  static const Result<Value> kTree = []() -> Result<Value> {
    std::string key = std::string("sidecar ") + kVersion + "\n";
    std::size_t size = key.size();
    for (const detail::EmbeddedFile& part : detail::default_playbook_parts())
      size += std::strlen(part.name) + std::strlen(part.text) + 8;
    key.reserve(size);
    for (const detail::EmbeddedFile& part : detail::default_playbook_parts())
      key.append(part.name).append("\n").append(part.text).append("\n--\n");
    const std::string dir = detail::cache_dir();
    if (auto cached = detail::load_cached_tree(dir, key)) return std::move(*cached);
    Value merged;
    merged.kind = Value::Kind::kObject;
    for (const detail::EmbeddedFile& part : detail::default_playbook_parts()) {
      auto tree = parse_yaml(part.text, part.name);
      if (!tree) return Status(StatusCode::kInternal, "embedded playbook: " + tree.status().message());
      if (!tree->is_null()) merge_into(merged, *tree);
    }
    detail::store_cached_tree(dir, key, merged);
    return merged;
  }();
  return kTree;
}
}  // namespace detail

Result<Value> default_playbook_tree() { return detail::default_playbook(); }

Result<Value> playbook_tree(const std::string& user_path) {
  auto base = default_playbook_tree();
  if (!base || user_path.empty()) return base;
  auto user = load_yaml_file(user_path);
  if (!user) return user.status();
  if (!user->is_null() && !user->is_object())
    return Status(StatusCode::kInvalidArgument, user->mark.to_string() + ": a playbook must be a mapping");
  merge_into(*base, *user);
  return base;
}

}  // namespace sidecar
