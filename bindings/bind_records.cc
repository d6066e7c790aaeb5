// Alert and Resolved (records.h): what the monitor hands back to Python.
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <vector>

#include "bind.h"
#include "sidecar/core/records.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

// The members of each enum, indexed by the C++ value; kept for the
// interpreter's lifetime (the module holds the classes).
std::vector<PyObject*> g_severities, g_sources, g_profiles;

// A Python enum.Enum with str members named after the C++ enumerators'
// to_string ("critical" -> CRITICAL), printed and formatted as the plain
// value, so code that compared or printed the old strings keeps working.
template <typename E>
std::vector<PyObject*> add_str_enum(py::module_& m, const char* name, E last, const char* doc) {
  py::list members;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    std::string value(to_string(static_cast<E>(i)));
    std::string key = value;
    for (char& ch : key) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    members.append(py::make_tuple(key, value));
  }
  py::object str = py::module_::import("builtins").attr("str");
  py::object cls = py::module_::import("enum").attr("Enum")(name, members, py::arg("module") = "sidecar",
                                                            py::arg("qualname") = name, py::arg("type") = str);
  cls.attr("__str__") = str.attr("__str__");
  cls.attr("__format__") = str.attr("__format__");
  cls.attr("__doc__") = doc;
  m.add_object(name, cls);
  std::vector<PyObject*> out;
  for (int i = 0; i <= static_cast<int>(last); ++i)
    out.push_back(cls(py::str(std::string(to_string(static_cast<E>(i))))).release().ptr());
  return out;
}

py::object member(const std::vector<PyObject*>& members, int index) {
  return py::reinterpret_borrow<py::object>(members.at(static_cast<std::size_t>(index)));
}

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

py::object py_enum(Severity s) { return member(g_severities, static_cast<int>(s)); }
py::object py_enum(Source s) { return member(g_sources, static_cast<int>(s)); }
py::object py_enum(Profile p) { return member(g_profiles, static_cast<int>(p)); }

void bind_records(py::module_& m) {
  g_severities = add_str_enum(m, "Severity", Severity::kCritical,
                              "How bad a finding is: INFO, WARNING, CRITICAL (str members: == \"critical\").");
  g_sources = add_str_enum(m, "Source", Source::kJudge,
                           "Where a decision came from: RULEBASED, LOGWATCH, PLAYBOOK, BASELINE, PREFLIGHT, JUDGE.");
  g_profiles = add_str_enum(m, "Profile", Profile::kReinforcementLearning,
                            "The workload profile: GENERIC, SUPERVISED, REINFORCEMENT_LEARNING.");
  py::class_<Alert>(m, "Alert", R"pbdoc(
A decision surfaced to people and orchestrators (records.h ``Alert``).

``source`` is a Source (rulebased, logwatch, playbook, baseline, preflight,
judge), ``severity`` a Severity (info, warning, critical), both str enums; ``signature`` identifies
the condition (stable across re-notifications); ``evidence`` is a small
``dict[str, str]``; ``step`` is None when unknown.
)pbdoc")
      .def_property_readonly("id", [](const Alert& a) { return a.id; })
      .def_property_readonly("ts", [](const Alert& a) { return a.ts; })
      .def_property_readonly("run_id", [](const Alert& a) { return a.run_id; })
      .def_property_readonly("source", [](const Alert& a) { return py_enum(a.decision.source); })
      .def_property_readonly("syndrome", [](const Alert& a) { return a.decision.syndrome; })
      .def_property_readonly("severity", [](const Alert& a) { return py_enum(a.decision.severity); })
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
      .def_property_readonly("source", [](const Resolved& r) { return py_enum(r.source); })
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
