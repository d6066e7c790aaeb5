// A minimal JSON writer (header-only, std-only) for alerts, snapshots, history
// rows and HTTP payloads. Always produces valid JSON: non-finite numbers are
// written as null, strings are escaped (invalid UTF-8 bytes become U+FFFD).
//
//   JsonWriter w;
//   w.begin_object().key("type").value("alert").key("step").value(42).end_object();
//   std::string line = w.take();
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/detail/strings.h"

namespace sidecar::detail {

class JsonWriter {
 public:
  JsonWriter& begin_object() { return open_bracket('{'); }
  JsonWriter& end_object() { return close_bracket('}'); }
  JsonWriter& begin_array() { return open_bracket('['); }
  JsonWriter& end_array() { return close_bracket(']'); }

  JsonWriter& key(std::string_view k) {
    comma();
    append_string(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    comma();
    append_string(s);
    return *this;
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b) {
    comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& value(std::int64_t v) {
    comma();
    append_int(v);
    return *this;
  }
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(long long v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(std::uint64_t v) {
    comma();
    char b[24];
    auto r = std::to_chars(b, b + 24, v);
    out_.append(b, r.ptr);
    return *this;
  }
  JsonWriter& value(double v) {
    comma();
    if (!std::isfinite(v)) {
      out_ += "null";
      return *this;
    }
    // The shortest round-trip form; from 1e16 up always with an exponent, since
    // the fixed form of a large double is an integer literal that JSON readers
    // (simdjson among them) reject beyond 64 bits: 123456789012345670000.
    char b[32];
    auto r = std::abs(v) < 1e16 ? std::to_chars(b, b + sizeof b, v)
                                : std::to_chars(b, b + sizeof b, v, std::chars_format::scientific);
    out_.append(b, r.ptr);
    return *this;
  }
  JsonWriter& null() {
    comma();
    out_ += "null";
    return *this;
  }
  // The value, or null when there is none.
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  // Inserts already-serialised JSON (e.g. a nested document built elsewhere).
  JsonWriter& raw(std::string_view json) {
    comma();
    out_ += json;
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string take() {
    first_.clear();
    after_key_ = false;
    return std::move(out_);
  }

  // Appends s as a quoted JSON string to out.
  static void escape(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
        ++i;
        continue;
      }
      if (c < 0x20 || c == 0x7f) {
        switch (c) {
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\t':
            out += "\\t";
            break;
          default:
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
        ++i;
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++i;
        continue;
      }
      std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
        continue;
      }  // U+FFFD for a bad byte
      out.append(s.substr(i, n));
      i += n;
    }
    out += '"';
  }

 private:
  JsonWriter& open_bracket(char bracket) {
    comma();
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close_bracket(char bracket) {
    out_ += bracket;
    first_.pop_back();
    return *this;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void append_string(std::string_view s) { escape(s, out_); }
  void append_int(std::int64_t v) {
    char b[24];
    auto r = std::to_chars(b, b + 24, v);
    out_.append(b, r.ptr);
  }

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace sidecar::detail
