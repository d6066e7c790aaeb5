// A JSON syntax checker that says where a document first goes wrong
// (detail/json_check.h): simdjson reports what, not where.
#include "sidecar/detail/json_check.h"

#include <cctype>
#include <string>

#include "sidecar/core/detail/json_writer.h"
#include "sidecar/core/detail/strings.h"

namespace sidecar::detail {
namespace {

// Finds where a JSON document first goes wrong, for "name:line:col: what"
// errors (simdjson reports what, not where). A small syntax checker: no values
// are built; nesting deeper than 512 is reported, never recursed into.
class JsonLocator {
 public:
  explicit JsonLocator(std::string_view s) : s_(s) {}

  // "line:col: what", or "" when the text is valid JSON.
  std::string check() {
    ws();
    if (!value(0)) return where() + ": " + what_;
    ws();
    if (i_ < s_.size()) return where() + ": unexpected text after the document";
    return {};
  }

 private:
  bool fail(const char* what) {
    what_ = what;
    return false;
  }
  std::string where() const {
    int line = 1;
    int col = 1;
    for (std::size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) {
        ++col;
      }
    }
    return std::to_string(line) + ":" + std::to_string(col);
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return fail("invalid literal");
    i_ += word.size();
    return true;
  }
  bool string() {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (static_cast<unsigned char>(c) >= 0x80) {
        std::size_t n = detail::utf8_length(s_, i_);
        if (n == 0) return fail("invalid UTF-8 in a string");
        i_ += n;
        continue;
      }
      if (c == '\\') {
        if (++i_ >= s_.size()) break;
        char e = s_[i_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i_ + k >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_ + k])))
              return fail("bad \\u escape");
          i_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return fail("bad escape in a string");
        }
      }
      ++i_;
    }
    return fail("unterminated string");
  }
  bool number() {
    std::size_t start = i_;
    if (s_[i_] == '-') ++i_;
    auto digits = [&] {
      std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ > d;
    };
    if (i_ < s_.size() && s_[i_] == '0')
      ++i_;
    else if (!digits())
      return fail("invalid number");
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digits()) return fail("invalid number");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return fail("invalid number");
    }
    return i_ > start;
  }
  bool value(int depth) {
    if (depth > 512) return fail("nesting too deep");
    if (i_ >= s_.size()) return fail("unexpected end of document");
    char c = s_[i_];
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == close) {
        ++i_;
        return true;
      }
      for (;;) {
        if (c == '{') {
          if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a string key");
          if (!string()) return false;
          ws();
          if (i_ >= s_.size() || s_[i_] != ':') return fail("expected ':'");
          ++i_;
          ws();
        }
        if (!value(depth + 1)) return false;
        ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          ws();
          continue;
        }
        if (i_ < s_.size() && s_[i_] == close) {
          ++i_;
          return true;
        }
        return fail(c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    if (c == '"') return string();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return fail("unexpected character");
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string what_;
};

}  // namespace

std::string json_syntax_error(std::string_view text) { return JsonLocator(text).check(); }

std::string_view valid_json_object_or_empty(std::string_view json) {
  std::string_view body = trim(json);
  if (body.empty() || body.front() != '{' || !json_syntax_error(body).empty()) return "{}";
  return json;
}

}  // namespace sidecar::detail
