// Registration of the binding areas of sidecar._sidecar, and the small
// conversions they share (status -> exception, evidence -> dict, text in).
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sidecar/core/option_table.h"
#include "sidecar/core/types.h"
#include "sidecar/status.h"

namespace sidecar::python {

// The exception classes (sidecar.Error and its subclasses, see bind_errors.cc).
void bind_errors(pybind11::module_& m);
// Alert, Resolved (records.h) and the enums Severity, Source, Profile.
void bind_records(pybind11::module_& m);
// scan_log, LogMatch (alias Match), LogStream.
void bind_logs(pybind11::module_& m);
// Monitor, infer_profile, load_playbook, sinks.
void bind_monitor(pybind11::module_& m);
// parse_cuda_visible_devices, preflight.
void bind_gpu(pybind11::module_& m);
// render_experiment_context, parse_run_records.
void bind_context(pybind11::module_& m);

// What was being read when a status failed: a parse error or a bad value in
// a playbook is a PlaybookError, elsewhere a ParseError.
enum class ErrorContext { kGeneral, kPlaybook };

// Raises the Python exception matching `s` (never returns).
[[noreturn]] void raise(const Status& s, ErrorContext context = ErrorContext::kGeneral);
// Unwraps a Result or raises.
template <typename T>
T unwrap(Result<T>&& r, ErrorContext context = ErrorContext::kGeneral) {
  if (!r) raise(r.status(), context);
  return std::move(r).value();
}
// Raises for a non-OK status; returns otherwise.
inline void check(const Status& s) {
  if (!s.ok()) raise(s);
}

// sidecar.Severity / Source / Profile members: Python enums whose members are
// str (Severity.CRITICAL == "critical"), made from the C++ enums' to_string.
pybind11::object py_enum(Severity s);
pybind11::object py_enum(Source s);
pybind11::object py_enum(Profile p);

// Evidence (an ordered key -> value list) as a Python dict.
pybind11::dict to_dict(const Evidence& evidence);

// Text passed as str (UTF-8) or bytes-like. The view stays valid while the
// holder lives; str and bytes are immutable, so the GIL may be released
// while it is read. Raises TypeError for anything else.
class TextArg {
 public:
  explicit TextArg(pybind11::handle obj);
  TextArg(const TextArg&) = delete;
  TextArg& operator=(const TextArg&) = delete;
  std::string_view view() const { return view_; }

 private:
  pybind11::object keep_;
  std::string copy_;  // bytearray / memoryview contents (mutable objects are copied)
  std::string_view view_;
};

// An options struct built from keyword arguments: starts from the C++
// defaults (never repeated in Python) and sets each named field through its
// property, so unknown names raise TypeError and bad types raise too.
//   .def(py::init([](const py::kwargs& kw) { return from_kwargs<GpuOptions>(kw); }))
template <typename T>
T from_kwargs(const pybind11::kwargs& kw) {
  T t{};
  pybind11::object self = pybind11::cast(&t, pybind11::return_value_policy::reference);
  for (auto item : kw) {
    std::string name = pybind11::cast<std::string>(item.first);
    if (name.empty() || name[0] == '_' || !pybind11::hasattr(self, name.c_str()))
      throw pybind11::type_error(std::string(pybind11::str(pybind11::type::handle_of(self).attr("__name__"))) +
                                 "() got an unexpected keyword argument '" + name + "'");
    self.attr(name.c_str()) = item.second;
  }
  return t;
}

// An options struct that has an OptionTable (option_table.h) as a Python
// class: built from keyword arguments (from_kwargs) and every field of its
// table a read-write property named as in the playbook, so an option added to
// the table needs no binding line.
template <typename Options>
pybind11::class_<Options> bind_options(pybind11::module_& m, const char* name, const char* doc) {
  pybind11::class_<Options> cls(m, name, doc);
  cls.def(pybind11::init([](const pybind11::kwargs& kw) { return from_kwargs<Options>(kw); }));
  for (const OptionField<Options>& f : OptionTable<Options>::fields)
    std::visit([&](auto member) { cls.def_readwrite(std::string(f.name).c_str(), member); }, f.member);
  return cls;
}

// (name, value) pairs from a Mapping[str, str], or the process environment for None.
std::vector<std::pair<std::string, std::string>> env_pairs(pybind11::handle env);

}  // namespace sidecar::python
