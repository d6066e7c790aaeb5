// sidecar._sidecar: the private native module; sidecar/__init__.py re-exports it.
// Each area binds itself in a bind_<area>.cc (declared in bind.h); module.cc calls them.
#include <pybind11/pybind11.h>

#include "bind.h"
#include "sidecar/detail/cache_dir.h"
#include "sidecar/version.h"

namespace py = pybind11;

PYBIND11_MODULE(_sidecar, m) {
  m.doc() = R"pbdoc(Native core of sidecar: in-process monitoring of ML training runs.)pbdoc";
  m.attr("__version__") = sidecar::kVersion;
  // As the CLI: the compiled pattern database and the parsed default playbook are kept between processes (each
  // Monitor compiled the catalogue, half a second, before), unless SIDECAR_NO_CACHE=1.
  sidecar::detail::set_cache_dir(sidecar::detail::cache_dir_from_environment());
  sidecar::python::bind_errors(m);
  sidecar::python::bind_records(m);
  sidecar::python::bind_logs(m);
  sidecar::python::bind_monitor(m);
  sidecar::python::bind_gpu(m);
  sidecar::python::bind_context(m);
}
