// Status -> Python exception mapping. Every exception sidecar raises is a
// sidecar.Error and also the built-in exception a caller would catch for it:
//
//   Error(Exception)
//   ├── ParseError(Error, ValueError)          malformed input, a bad value
//   │   └── PlaybookError(ParseError)          ... in a playbook
//   ├── NotFoundError(Error, FileNotFoundError)
//   ├── PermissionDeniedError(Error, PermissionError)
//   └── OperationError(Error, RuntimeError)    I/O, a limit hit, an internal failure
//       └── UnavailableError(OperationError)   a tool or service absent or too slow
#include <initializer_list>
#include <string>

#include "bind.h"

namespace py = pybind11;

namespace sidecar::python {
namespace {

// Created once at import; owned by the module for the interpreter's lifetime.
struct Classes {
  PyObject* error = nullptr;
  PyObject* parse = nullptr;
  PyObject* playbook = nullptr;
  PyObject* not_found = nullptr;
  PyObject* permission = nullptr;
  PyObject* operation = nullptr;
  PyObject* unavailable = nullptr;
};
Classes g_classes;

PyObject* add_class(py::module_& m, const char* name, const char* doc, std::initializer_list<PyObject*> bases) {
  py::tuple t(bases.size());
  std::size_t i = 0;
  for (PyObject* b : bases) t[i++] = py::reinterpret_borrow<py::object>(b);
  std::string qualified = std::string("sidecar.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, t.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module takes a reference of its own
  return cls;
}

PyObject* class_for(StatusCode code, ErrorContext context) {
  switch (code) {
    case StatusCode::kNotFound:
      return g_classes.not_found;
    case StatusCode::kPermissionDenied:
      return g_classes.permission;
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
      return context == ErrorContext::kPlaybook ? g_classes.playbook : g_classes.parse;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return g_classes.unavailable;
    default:
      return g_classes.operation;
  }
}

}  // namespace

void bind_errors(py::module_& m) {
  Classes& c = g_classes;
  c.error = add_class(m, "Error", "Base of every error sidecar raises.", {PyExc_Exception});
  c.parse = add_class(m, "ParseError",
                      "Malformed input or a bad value (run records JSON, nvidia-smi output, an option): "
                      "the message says where and what.",
                      {c.error, PyExc_ValueError});
  c.playbook =
      add_class(m, "PlaybookError",
                "An invalid playbook: the message says file:line:col and what, with a did-you-mean.", {c.parse});
  c.not_found =
      add_class(m, "NotFoundError", "A file or device that does not exist.", {c.error, PyExc_FileNotFoundError});
  c.permission = add_class(m, "PermissionDeniedError", "A file not readable or writable, or a token a server refused.",
                           {c.error, PyExc_PermissionError});
  c.operation = add_class(m, "OperationError", "A failed operation: I/O, a size or count limit, an internal error.",
                          {c.error, PyExc_RuntimeError});
  c.unavailable = add_class(m, "UnavailableError",
                            "A tool or service that is absent, down or did not answer in time (nvidia-smi, a server).",
                            {c.operation});
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      raise(e.status());
    }
  });
}

void raise(const Status& s, ErrorContext context) {
  PyErr_SetString(class_for(s.code(), context), s.message().c_str());
  throw py::error_already_set();
}

}  // namespace sidecar::python
