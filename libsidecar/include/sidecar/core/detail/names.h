// Enum <-> text tables (header-only, std-only): one constexpr table per enum
// names each value; to_string() and the parsers read the same table.
//
//   constexpr detail::Named<Color> kColorNames[] = {
//       {Color::kRed, "red"}, {Color::kBlue, "blue"}, {Color::kRed, "crimson"}};
//   detail::name_of(kColorNames, Color::kRed, "red");   // "red": the first row wins
//   detail::parse_named(kColorNames, " Crimson ");      // Color::kRed
//
// A value's first row is its name; later rows for the same value are aliases
// the parser also accepts.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "sidecar/core/detail/strings.h"

namespace sidecar::detail {

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

// The first name the table gives `value`, or `otherwise`.
template <typename E, std::size_t N>
constexpr std::string_view name_of(const Named<E> (&table)[N], E value, std::string_view otherwise) {
  for (const Named<E>& row : table)
    if (row.value == value) return row.name;
  return otherwise;
}

// The value whose name (or alias) is `text`, matched exactly.
template <typename E, std::size_t N>
constexpr std::optional<E> value_of(const Named<E> (&table)[N], std::string_view text) {
  for (const Named<E>& row : table)
    if (row.name == text) return row.value;
  return std::nullopt;
}

// As value_of, after trimming `text` and ignoring ASCII case (table names are
// lower case).
template <typename E, std::size_t N>
std::optional<E> parse_named(const Named<E> (&table)[N], std::string_view text) {
  return value_of(table, to_lower(trim(text)));
}

}  // namespace sidecar::detail
