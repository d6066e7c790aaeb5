// Conversions every binding area shares.
#include <string>

#include "bind.h"
#include "sidecar/gpu.h"

namespace py = pybind11;

namespace sidecar::python {

py::dict to_dict(const Evidence& evidence) {
  py::dict d;
  for (const auto& [k, v] : evidence) d[py::str(k)] = py::str(v);
  return d;
}

TextArg::TextArg(py::handle obj) : keep_(py::reinterpret_borrow<py::object>(obj)) {
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
    if (p == nullptr) {
      // Lone surrogates cannot be UTF-8: encode them leniently instead of failing.
      PyErr_Clear();
      py::object b = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(obj.ptr(), "utf-8", "replace"));
      if (!b) throw py::error_already_set();
      keep_ = b;
      char* bp = nullptr;
      PyBytes_AsStringAndSize(b.ptr(), &bp, &n);
      view_ = std::string_view(bp, static_cast<std::size_t>(n));
      return;
    }
    view_ = std::string_view(p, static_cast<std::size_t>(n));
  } else if (PyBytes_Check(obj.ptr())) {
    char* p = nullptr;
    Py_ssize_t n = 0;
    PyBytes_AsStringAndSize(obj.ptr(), &p, &n);
    view_ = std::string_view(p, static_cast<std::size_t>(n));
  } else if (PyObject_CheckBuffer(obj.ptr())) {
    py::buffer_info info = py::reinterpret_borrow<py::buffer>(obj).request();
    copy_.assign(static_cast<const char*>(info.ptr), static_cast<std::size_t>(info.size * info.itemsize));
    view_ = copy_;
  } else {
    throw py::type_error(std::string("expected str or bytes, got ") + Py_TYPE(obj.ptr())->tp_name);
  }
}

std::vector<std::pair<std::string, std::string>> env_pairs(py::handle env) {
  if (env.is_none()) return current_environment();
  std::vector<std::pair<std::string, std::string>> out;
  py::object items = py::reinterpret_borrow<py::object>(env).attr("items")();
  for (py::handle kv : items) {
    py::tuple t = py::reinterpret_borrow<py::tuple>(kv);
    out.emplace_back(py::cast<std::string>(t[0]), py::cast<std::string>(t[1]));
  }
  return out;
}

}  // namespace sidecar::python
