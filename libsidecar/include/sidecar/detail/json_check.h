// Internal to libsidecar (not installed): where a JSON document first goes
// wrong, for "name:line:col: what" errors.
#pragma once

#include <string>
#include <string_view>

namespace sidecar::detail {

// "line:col: what" for the first JSON syntax error in text, "" when it is one
// valid JSON document (a syntax check only: no values are built; nesting
// deeper than 512 is reported, never recursed into).
std::string json_syntax_error(std::string_view text);
// `json` when it is a valid JSON object, else "{}" (raw JSON from elsewhere
// never makes a payload invalid).
std::string_view valid_json_object_or_empty(std::string_view json);

}  // namespace sidecar::detail
