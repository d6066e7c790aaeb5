// Experiment context (context.h): the text block an orchestrator shows its
// planner, rendered from research-agent run records.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bind.h"
#include "sidecar/context.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

// Run records from JSON text, from already-parsed records, or from Python
// objects in the research-agent run JSON shape (serialised with json.dumps
// and parsed by the library, so both paths read records the same way).
std::vector<RunRecord> records_from(py::handle runs) {
  if (py::isinstance<py::list>(runs) || py::isinstance<py::tuple>(runs)) {
    bool all_records = py::len(runs) > 0;
    for (py::handle r : runs)
      if (!py::isinstance<RunRecord>(r)) all_records = false;
    if (all_records) return py::cast<std::vector<RunRecord>>(runs);
  }
  std::string text;
  std::string name = "<runs>";
  if (py::isinstance<py::str>(runs) || py::isinstance<py::bytes>(runs)) {
    TextArg arg(runs);
    text.assign(arg.view());
  } else {
    py::object dumps = py::module_::import("json").attr("dumps");
    py::object obj = py::reinterpret_borrow<py::object>(runs);
    if (!py::isinstance<py::dict>(runs) && !py::isinstance<py::list>(runs)) obj = py::list(obj);
    text = py::cast<std::string>(dumps(obj, py::arg("default") = py::str(py::module_::import("builtins").attr("str"))));
  }
  Result<std::vector<RunRecord>> r = [&] {
    py::gil_scoped_release release;
    return parse_run_records(text, name);
  }();
  return unwrap(std::move(r));
}

}  // namespace

void bind_context(py::module_& m) {
  py::class_<PendingAlert>(m, "PendingAlert", R"pbdoc(An alert awaiting the operator's answer (in a run record).)pbdoc")
      .def_readonly("id", &PendingAlert::id)
      .def_readonly("run_id", &PendingAlert::run_id)
      .def_readonly("message", &PendingAlert::message)
      .def_readonly("severity", &PendingAlert::severity)
      .def_readonly("source", &PendingAlert::source)
      .def_readonly("syndrome", &PendingAlert::syndrome);

  py::class_<RunRecord>(m, "RunRecord", R"pbdoc(One research-agent run record (the fields the context uses).)pbdoc")
      .def_readonly("id", &RunRecord::id)
      .def_readonly("name", &RunRecord::name)
      .def_readonly("status", &RunRecord::status)
      .def_readonly("command", &RunRecord::command)
      .def_readonly("error", &RunRecord::error)
      .def_readonly("monitor_note", &RunRecord::monitor_note)
      .def_readonly("monitor_tags", &RunRecord::monitor_tags)
      .def_readonly("pending_alerts", &RunRecord::pending_alerts)
      .def("__repr__", [](const RunRecord& r) { return "<RunRecord " + r.id + " [" + r.status + "]>"; });

  bind_options<ContextOptions>(m, "ContextOptions", R"pbdoc(
Limits of the context block (context.h ``ContextOptions``); keyword
arguments set fields, the rest keep the library's defaults.
)pbdoc");

  m.def(
      "parse_run_records", [](py::handle runs) { return records_from(runs); }, py::arg("runs"), R"pbdoc(
Run records from JSON text (an array of runs, or {"runs": [...], "alerts": [...]})
or from the same shape as Python lists/dicts. Raises PlaybookError (a
ValueError) for malformed JSON or a document of neither shape.
)pbdoc");

  m.def(
      "render_experiment_context",
      [](py::handle runs, std::optional<ContextOptions> options) {
        std::vector<RunRecord> records = records_from(runs);
        ContextOptions opts = options.value_or(ContextOptions{});
        py::gil_scoped_release release;
        return render_experiment_context(records, opts);
      },
      py::arg("runs"), py::arg("options") = py::none(), R"pbdoc(
Renders the orchestrator's experiment context ("Wild Loop") from run
records: a list of dicts in the research-agent run shape (id, name, status,
command, error, monitor_note, ...), JSON text, or RunRecord objects. Missing
fields render as placeholders, never an error.

>>> print(sidecar.render_experiment_context([{"id": "r1", "name": "lr3e-4", "status": "running",
...                                            "command": "python train.py", "monitor_note": "loss=0.5"}]))
)pbdoc");
}

}  // namespace sidecar::python
