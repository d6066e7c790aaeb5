// Status -> Python exception mapping.
#include "bind.h"

namespace py = pybind11;

namespace sidecar::python {
namespace {
struct PlaybookErrorTag {};
py::object g_error;
py::object g_playbook_error;
}  // namespace

void bind_errors(py::module_& m) {
  g_error = py::exception<Error>(m, "Error", PyExc_RuntimeError);
  g_error.attr("__doc__") = "Base error of sidecar (an I/O or internal failure).";
  g_playbook_error = py::exception<PlaybookErrorTag>(m, "PlaybookError", PyExc_ValueError);
  g_playbook_error.attr("__doc__") = "An invalid playbook: the message says file:line:col and what.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      raise(e.status());
    }
  });
}

void raise(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, s.message().c_str());
      break;
    case StatusCode::kPermissionDenied:
      PyErr_SetString(PyExc_PermissionError, s.message().c_str());
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
      PyErr_SetString(g_playbook_error.ptr(), s.message().c_str());
      break;
    default:
      PyErr_SetString(g_error.ptr(), s.message().c_str());
  }
  throw py::error_already_set();
}

}  // namespace sidecar::python
