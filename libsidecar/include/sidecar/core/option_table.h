// The one place an option's default, bounds and reason are written
// (header-only, std-only). An options struct is declared from one list of
// rows, one row per option (type, name, default, bounds, reason), by
// SIDECAR_OPTIONS (at the end of this file): the rows give the struct its
// members with their defaults and its OptionTable, each field named with its
// member pointer, its bounds and one line saying what it is for.
//
// The playbook reader (read_options, config.h), `sidecar-cli playbook show`
// (YAML and --format md), docs/playbook.md's option tables and the tests walk
// these tables, so a default changed in its row is followed everywhere.
// Structs that share a base with options of its own (the HTTP sinks'
// DeliveryOptions, sinks.h) and ProfileOptions (its hint lists) and the
// operator's ActionTable write their struct and table by hand: a
// `template <> struct OptionTable<X>` with `static constexpr
// OptionField<X> fields[]` (or join_rows() of their own rows and the
// base's) after the struct. A field missing from its table cannot be set
// from a playbook: add every new option to its struct's table. Made from
// rows: the detectors' options (detectors/*.h), DedupeOptions,
// SnapshotOptions, HistoryOptions, LogOptions, GpuOptions, ContextOptions
// and JudgeOptions; by hand: ProfileOptions, the sinks' options (sinks.h,
// notify.h) and the operator's ActionTable.
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
  constexpr OptionBounds() = default;
  constexpr explicit OptionBounds(double lo) : min(lo) {}
  constexpr OptionBounds(double lo, double hi) : min(lo), max(hi) {}
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

// An options struct and its table from one list of rows, one row per option:
//
//   #define SIDECAR_HIGH_LOSS_OPTIONS(X)
//     X(double, threshold, 10.0, (), "loss level that counts as high")
//     X(int, window, 5, (1, 1e5), "points judged together")
//   SIDECAR_OPTIONS(HighLossOptions, SIDECAR_HIGH_LOSS_OPTIONS);
//
// (the #define's lines continued with a backslash).
// Each row: type, name (also the playbook key), default, bounds (none, (min)
// or (min, max)), one line saying what it decides. A default holding a comma
// is parenthesised. Members that are no playbook option follow the rows
// list (SIDECAR_OPTIONS(LogOptions, SIDECAR_LOG_OPTIONS, std::string
// cache_dir = {};)): they have no row, so no playbook sets them.
#define SIDECAR_OPTION_MEMBER(type, name, value, bounds, why) type name = value;
#define SIDECAR_OPTION_FIELD(type, name, value, bounds, why) {#name, &O::name, OptionBounds bounds, why},
#define SIDECAR_OPTIONS(Options, ROWS, ...)                                  \
  struct Options {                                                           \
    ROWS(SIDECAR_OPTION_MEMBER)                                              \
    __VA_ARGS__                                                              \
  };                                                                         \
  template <>                                                                \
  struct OptionTable<Options> {                                              \
    using O = Options;                                                       \
    static constexpr OptionField<O> fields[] = {ROWS(SIDECAR_OPTION_FIELD)}; \
  }

}  // namespace sidecar
