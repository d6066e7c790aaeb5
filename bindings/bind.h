// Registration of the binding areas of sidecar._sidecar.
#pragma once

#include <pybind11/pybind11.h>

#include "sidecar/status.h"

namespace sidecar::python {

// Exceptions by status: FileNotFoundError, sidecar.PlaybookError(ValueError), sidecar.Error.
void bind_errors(pybind11::module_& m);
// Raises the Python exception matching `s` (never returns).
[[noreturn]] void raise(const Status& s);
// Unwraps a Result or raises.
template <typename T>
T unwrap(Result<T>&& r) {
  if (!r) raise(r.status());
  return std::move(r).value();
}

}  // namespace sidecar::python
