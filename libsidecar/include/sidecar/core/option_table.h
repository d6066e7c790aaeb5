// The one place an option's bounds and reason are written (header-only,
// std-only). Each options struct keeps its default in its member initializer
// and has, right after it, a table naming each field with its member pointer,
// its bounds and one line saying what it is for:
//
//   template <>
//   struct OptionTable<HighLossOptions> {
//     using O = HighLossOptions;
//     static constexpr OptionField<O> fields[] = {
//         {"threshold", &O::threshold, {}, "loss level that counts as high"},
//         {"window", &O::window, {1, 1e5}, "points judged together"},
//     };
//   };
//
// The playbook reader (read_options, config.h), `sidecar-cli playbook show`
// (YAML and --format md), docs/playbook.md's option tables and the tests walk
// these tables, so a default changed in the initializer is followed
// everywhere. Structs that share a base with options of its own share its
// rows too: their table is join_rows() of their own rows and the base's (the
// HTTP sinks' DeliveryOptions, sinks.h). A field missing from its table cannot be set from a playbook:
// add every new option to its struct's table. Besides the detectors' options
// (detectors/*.h), the tables of ProfileOptions, DedupeOptions,
// SnapshotOptions, HistoryOptions, LogOptions, GpuOptions, the sinks'
// options (sinks.h, notify.h), JudgeOptions and the operator's ActionTable
// sit after them.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "sidecar/core/types.h"

namespace sidecar {

// Inclusive bounds of a numeric option; an absent bound is +-infinity (a
// std::size_t option needs both: it is read as an int).
struct OptionBounds {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

template <typename Options>
struct OptionField {
  using Member =
      std::variant<bool Options::*, int Options::*, double Options::*, Severity Options::*, Action Options::*,
                   std::size_t Options::*, std::string Options::*, std::vector<std::string> Options::*>;
  std::string_view name;  // the playbook key
  Member member;
  OptionBounds bounds;
  std::string_view why;  // one line: what the option decides
};

// Specialised after each options struct with `static constexpr OptionField<Options> fields[]`
// (or a std::array of them, from join_rows).
template <typename Options>
struct OptionTable;

// One table from parts, in order: e.g. a struct's own rows
// (std::to_array<OptionField<O>>({...})) and the rows of the base it shares
// with other options structs.
template <typename Options, std::size_t... N>
constexpr std::array<OptionField<Options>, (N + ...)> join_rows(const std::array<OptionField<Options>, N>&... parts) {
  std::array<OptionField<Options>, (N + ...)> out{};
  auto at = out.begin();
  ((at = std::copy(parts.begin(), parts.end(), at)), ...);
  return out;
}

// Calls fn(field, value&) for every field of `options` (const or not), in table order.
template <typename Options, typename Fn>
constexpr void for_each_option(Options& options, Fn&& fn) {
  using Plain = std::remove_const_t<Options>;
  for (const OptionField<Plain>& f : OptionTable<Plain>::fields)
    std::visit([&](auto member) { fn(f, options.*member); }, f.member);
}

}  // namespace sidecar
