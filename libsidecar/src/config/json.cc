// Small JSON documents -> sidecar::Value, via simdjson's DOM parser. The
// metrics hot path does not come here: it uses simdjson on-demand directly.
#include <simdjson.h>

#include "sidecar/config.h"

namespace sidecar {
namespace {

constexpr int kMaxDepth = 256;

Status convert(simdjson::dom::element el, std::string_view name, int depth, Value* out) {
  out->mark.file = std::string(name);
  if (depth > kMaxDepth) return Status(StatusCode::kParseError, std::string(name) + ": nesting too deep");
  switch (el.type()) {
    case simdjson::dom::element_type::ARRAY: {
      out->kind = Value::Kind::kArray;
      simdjson::dom::array array = el.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        Value v;
        if (Status s = convert(item, name, depth + 1, &v); !s.ok()) return s;
        out->items.push_back(std::move(v));
      }
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      out->kind = Value::Kind::kObject;
      simdjson::dom::object object = el.get_object().value_unsafe();
      for (auto field : object) {
        Value v;
        if (Status s = convert(field.value, name, depth + 1, &v); !s.ok()) return s;
        out->members.emplace_back(std::string(field.key), std::move(v));
      }
      break;
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:  // get_double() converts the integer kinds
      out->kind = Value::Kind::kNumber;
      out->number = el.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING:
      out->kind = Value::Kind::kString;
      out->str = std::string(el.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::BOOL:
      out->kind = Value::Kind::kBool;
      out->boolean = el.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      out->kind = Value::Kind::kNull;
      break;
  }
  return Status::Ok();
}

}  // namespace

Result<Value> parse_json(std::string_view text, std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root))
    return Status(StatusCode::kParseError, std::string(name) + ": " + simdjson::error_message(err));
  Value v;
  if (Status s = convert(root, name, 0, &v); !s.ok()) return s;
  return v;
}

}  // namespace sidecar
