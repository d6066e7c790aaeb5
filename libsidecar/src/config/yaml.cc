// YAML -> sidecar::Value (the only user of yaml-cpp).
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "sidecar/config.h"

namespace sidecar {
namespace {

constexpr int kMaxDepth = 64;

Mark to_mark(const YAML::Mark& m, std::string_view file) { return Mark{std::string(file), m.line + 1, m.column + 1}; }

Status convert(const YAML::Node& node, std::string_view file, int depth, Value* out) {
  out->mark = to_mark(node.Mark(), file);
  if (depth > kMaxDepth)
    return Status(StatusCode::kParseError, out->mark.to_string() + ": nesting deeper than 64 levels");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out->kind = Value::Kind::kNull;
      return Status::Ok();
    case YAML::NodeType::Scalar:
      out->kind = Value::Kind::kString;
      out->str = node.Scalar();
      out->plain = node.Tag() == "?";
      if (out->plain && (out->str == "~" || out->str == "null" || out->str == "Null" || out->str == "NULL"))
        out->kind = Value::Kind::kNull;
      return Status::Ok();
    case YAML::NodeType::Sequence:
      out->kind = Value::Kind::kArray;
      for (const auto& item : node) {
        Value v;
        if (Status s = convert(item, file, depth + 1, &v); !s.ok()) return s;
        out->items.push_back(std::move(v));
      }
      return Status::Ok();
    case YAML::NodeType::Map:
      out->kind = Value::Kind::kObject;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return Status(StatusCode::kParseError,
                        to_mark(kv.first.Mark(), file).to_string() + ": mapping keys must be plain text");
        std::string key = kv.first.Scalar();
        for (const auto& [k, _] : out->members)
          if (k == key)
            return Status(StatusCode::kParseError,
                          to_mark(kv.first.Mark(), file).to_string() + ": duplicate key '" + key + "'");
        Value v;
        if (Status s = convert(kv.second, file, depth + 1, &v); !s.ok()) return s;
        if (v.mark.line == 0) v.mark = to_mark(kv.first.Mark(), file);
        out->members.emplace_back(std::move(key), std::move(v));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

Result<Value> parse_yaml(std::string_view text, std::string_view filename) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    Value v;
    if (Status s = convert(root, filename, 0, &v); !s.ok()) return s;
    if (v.mark.line == 0) v.mark = Mark{std::string(filename), 1, 1};
    return v;
  } catch (const YAML::Exception& e) {
    return Status(StatusCode::kParseError, to_mark(e.mark, filename).to_string() + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status(StatusCode::kParseError, std::string(filename) + ": " + e.what());
  }
}

}  // namespace sidecar
