// GPU preflight (gpu.h): which GPUs a command asks for, and a bounded wait
// for them to be free.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bind.h"
#include "sidecar/config.h"
#include "sidecar/gpu.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

// DeviceRequest, parse_requested_devices (alias parse_cuda_visible_devices), GpuOptions.
void bind_requests(py::module_& m) {
  py::class_<DeviceRequest>(m, "DeviceRequest", R"pbdoc(
The GPUs a command asks for through CUDA_VISIBLE_DEVICES (gpu.h).

``devices`` holds indices, ``GPU-<uuid>`` or ``MIG-<uuid>`` entries (no
duplicates, order kept); ``specified`` is False when the variable was not
set at all; ``source`` says where the value came from ("command" or
"environment"); ``order_trusted`` is False when indices are used without
CUDA_DEVICE_ORDER=PCI_BUS_ID.
)pbdoc")
      .def_readonly("devices", &DeviceRequest::devices)
      .def_readonly("specified", &DeviceRequest::specified)
      .def_readonly("source", &DeviceRequest::source)
      .def_readonly("order_trusted", &DeviceRequest::order_trusted)
      .def_readonly("value", &DeviceRequest::value)
      .def_readonly("note", &DeviceRequest::note)
      .def("__repr__", [](const DeviceRequest& r) {
        return "<DeviceRequest devices=" + std::string(py::repr(py::cast(r.devices))) +
               " source=" + (r.source.empty() ? std::string("none") : r.source) + ">";
      });

  py::object parse = m.def(
                          "parse_requested_devices",
                          [](const std::string& command, py::handle env) {
                            auto pairs = env_pairs(env);
                            py::gil_scoped_release release;
                            return parse_requested_devices(command, pairs);
                          },
                          py::arg("command"), py::arg("env") = py::none(), R"pbdoc(
The CUDA_VISIBLE_DEVICES that applies to ``command``: prefix assignments,
``env A=1 CUDA_VISIBLE_DEVICES=…``, ``export …=… &&``, quoted values (the
last one that applies wins), over ``env`` (a mapping; None means this
process's environment). Empty, "-1" and "NoDevFiles" request no GPU. Pure.

>>> sidecar.parse_cuda_visible_devices("CUDA_VISIBLE_DEVICES=0,1 python train.py", env={}).devices
['0', '1']
)pbdoc")
                         .attr("parse_requested_devices");
  m.attr("parse_cuda_visible_devices") = parse;

  bind_options<GpuOptions>(m, "GpuOptions", R"pbdoc(
Preflight settings (gpu.h ``GpuOptions``); keyword arguments set fields, the
rest keep the library's defaults (the playbook's ``gpu:`` section fills the
same fields).
)pbdoc");
}

// What a preflight found: GpuProcess, GpuInfo, GpuVerdict, PreflightResult.
void bind_results(py::module_& m) {
  py::class_<GpuProcess>(m, "GpuProcess", R"pbdoc(A compute process on a GPU (from nvidia-smi).)pbdoc")
      .def_readonly("gpu_uuid", &GpuProcess::gpu_uuid)
      .def_readonly("pid", &GpuProcess::pid)
      .def_readonly("used_mib", &GpuProcess::used_mib);

  py::class_<GpuInfo>(m, "GpuInfo", R"pbdoc(One GPU as nvidia-smi reported it (None for [N/A]).)pbdoc")
      .def_readonly("index", &GpuInfo::index)
      .def_readonly("uuid", &GpuInfo::uuid)
      .def_readonly("util_pct", &GpuInfo::util_pct)
      .def_readonly("mem_used_mib", &GpuInfo::mem_used_mib)
      .def_readonly("mem_total_mib", &GpuInfo::mem_total_mib)
      .def_readonly("processes", &GpuInfo::processes)
      .def_readonly("mig", &GpuInfo::mig)
      .def_readonly("mig_uuids", &GpuInfo::mig_uuids);

  py::class_<GpuVerdict>(m, "GpuVerdict", R"pbdoc(One requested device, judged free or busy (with why).)pbdoc")
      .def_readonly("device", &GpuVerdict::device)
      .def_readonly("exists", &GpuVerdict::exists)
      .def_readonly("busy", &GpuVerdict::busy)
      .def_readonly("index", &GpuVerdict::index)
      .def_readonly("reason", &GpuVerdict::reason);

  py::class_<PreflightResult>(m, "PreflightResult", R"pbdoc(
The outcome of a preflight (gpu.h ``PreflightResult``): ``available`` says
whether the requested GPUs are free; ``skipped`` is True when no GPU was
requested or nvidia-smi is absent (``reason`` says which). ``str()`` gives a
one-line summary, ``to_json()`` the CLI's JSON object.
)pbdoc")
      .def_readonly("requested", &PreflightResult::requested)
      .def_readonly("busy", &PreflightResult::busy)
      .def_readonly("available", &PreflightResult::available)
      .def_readonly("waited_seconds", &PreflightResult::waited_seconds)
      .def_readonly("timed_out", &PreflightResult::timed_out)
      .def_readonly("reason", &PreflightResult::reason)
      .def_readonly("gpus", &PreflightResult::gpus)
      .def_readonly("skipped", &PreflightResult::skipped)
      .def_readonly("verdicts", &PreflightResult::verdicts)
      .def_readonly("polls", &PreflightResult::polls)
      .def_readonly("order_trusted", &PreflightResult::order_trusted)
      .def_readonly("note", &PreflightResult::note)
      .def("to_json", [](const PreflightResult& r) { return to_json(r); })
      .def("__str__", [](const PreflightResult& r) { return to_text(r); })
      .def("__repr__", [](const PreflightResult& r) { return "<PreflightResult " + to_text(r) + ">"; });
}

// sidecar.preflight: the bounded wait, with the GIL released.
PreflightResult preflight_py(std::optional<std::string> command, py::handle env, std::optional<GpuOptions> options,
                             std::optional<std::string> playbook,
                             std::optional<std::function<void(const PreflightResult&)>> progress) {
  auto pairs = env_pairs(env);
  GpuOptions opts;
  if (options) {
    opts = *options;
  } else {
    Result<GpuOptions> r = [&] {
      py::gil_scoped_release release;
      return options_from_playbook(playbook.value_or(""), read_gpu_options);
    }();
    opts = unwrap(std::move(r), ErrorContext::kPlaybook);
  }
  std::function<void(const PreflightResult&)> on_progress = [](const PreflightResult&) {};
  if (progress && *progress) {
    // Called from this thread with the GIL released: take it back for the callback.
    on_progress = [cb = *progress](const PreflightResult& r) {
      py::gil_scoped_acquire acquire;
      cb(r);
    };
  }
  Result<PreflightResult> r = [&] {
    py::gil_scoped_release release;
    DeviceRequest req = parse_requested_devices(command.value_or(""), pairs);
    return wait_for_gpus(req, opts, on_progress);
  }();
  return unwrap(std::move(r));
}

}  // namespace

void bind_gpu(py::module_& m) {
  bind_requests(m);
  bind_results(m);
  m.def("preflight", &preflight_py, py::arg("command") = py::none(), py::arg("env") = py::none(),
        py::arg("options") = py::none(), py::arg("playbook") = py::none(), py::arg("progress") = py::none(), R"pbdoc(
Waits (bounded) until the GPUs that ``command`` (or, when None, this
process's CUDA_VISIBLE_DEVICES in ``env``) asks for are free.

Polls nvidia-smi every ``options.poll_s`` up to ``options.wait_s``;
``progress(result)`` is called after each poll. Returns a PreflightResult:
``available``; or ``timed_out`` when still busy at the deadline; or
``skipped`` when nothing is requested or nvidia-smi is absent. ``options``
default to the playbook's ``gpu:`` section (``playbook`` merged over the
default one). Raises FileNotFoundError when a requested GPU does not exist
and sidecar.Error when nvidia-smi keeps failing. The GIL is released while
waiting.
)pbdoc");
}

}  // namespace sidecar::python
