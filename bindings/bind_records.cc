// Alert and Resolved (records.h): what the monitor hands back to Python.
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "bind.h"
#include "sidecar/records.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

std::string alert_repr(const Alert& a) {
  const Decision& d = a.decision;
  std::string out = "<Alert ";
  out += to_string(d.severity);
  out += ' ';
  out += to_string(d.source);
  out += '/';
  out += d.syndrome;
  if (d.step) out += " step=" + std::to_string(*d.step);
  out += ": ";
  out += d.message;
  out += '>';
  return out;
}

}  // namespace

void bind_records(py::module_& m) {
  py::class_<Alert>(m, "Alert", R"pbdoc(
A decision surfaced to people and orchestrators (records.h ``Alert``).

``source`` is one of rulebased, logwatch, playbook, baseline, preflight,
judge; ``severity`` one of info, warning, critical; ``signature`` identifies
the condition (stable across re-notifications); ``evidence`` is a small
``dict[str, str]``; ``step`` is None when unknown.
)pbdoc")
      .def_property_readonly("id", [](const Alert& a) { return a.id; })
      .def_property_readonly("ts", [](const Alert& a) { return a.ts; })
      .def_property_readonly("run_id", [](const Alert& a) { return a.run_id; })
      .def_property_readonly("source", [](const Alert& a) { return std::string(to_string(a.decision.source)); })
      .def_property_readonly("syndrome", [](const Alert& a) { return a.decision.syndrome; })
      .def_property_readonly("severity", [](const Alert& a) { return std::string(to_string(a.decision.severity)); })
      .def_property_readonly("message", [](const Alert& a) { return a.decision.message; })
      .def_property_readonly("choices", [](const Alert& a) { return a.decision.choices; })
      .def_property_readonly("evidence", [](const Alert& a) { return to_dict(a.decision.evidence); })
      .def_property_readonly("signature", [](const Alert& a) { return a.decision.signature; })
      .def_property_readonly("step", [](const Alert& a) { return a.decision.step; })
      .def(
          "to_json", [](const Alert& a) { return to_json(a); },
          R"pbdoc(The alert as one JSON object (the schema of alerts.jsonl).)pbdoc")
      .def("__repr__", &alert_repr);

  py::class_<Resolved>(m, "Resolved", R"pbdoc(
A condition that cleared after it was alerted (records.h ``Resolved``).
)pbdoc")
      .def_property_readonly("alert_id", [](const Resolved& r) { return r.alert_id; })
      .def_property_readonly("signature", [](const Resolved& r) { return r.signature; })
      .def_property_readonly("syndrome", [](const Resolved& r) { return r.syndrome; })
      .def_property_readonly("source", [](const Resolved& r) { return std::string(to_string(r.source)); })
      .def_property_readonly("ts", [](const Resolved& r) { return r.ts; })
      .def_property_readonly("duration_s", [](const Resolved& r) { return r.duration_s; })
      .def(
          "to_json", [](const Resolved& r) { return to_json(r); }, R"pbdoc(The resolution as one JSON object.)pbdoc")
      .def("__repr__", [](const Resolved& r) {
        return "<Resolved " + std::string(to_string(r.source)) + "/" + r.syndrome + " alert=" + r.alert_id + " after " +
               std::to_string(static_cast<long long>(std::lround(r.duration_s))) + "s>";
      });
}

}  // namespace sidecar::python
