// Log syndromes (log_scan.h): scan_log for a whole text, LogStream for
// incremental scanning, LogMatch for what they find.
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bind.h"
#include "sidecar/config.h"
#include "sidecar/log_scan.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

Result<std::shared_ptr<const LogScanner>> build_scanner(const std::string& playbook_path) {
  Result<LogOptions> opts = options_from_playbook(playbook_path, read_log_options);
  if (!opts) return opts.status();
  return LogScanner::create(*opts);
}

// The default catalogue, compiled once per process; a playbook path builds a new one.
std::shared_ptr<const LogScanner> scanner_for(const std::optional<std::string>& playbook) {
  if (playbook) {
    Result<std::shared_ptr<const LogScanner>> r = [&] {
      py::gil_scoped_release release;
      return build_scanner(*playbook);
    }();
    return unwrap(std::move(r), ErrorContext::kPlaybook);
  }
  static std::once_flag once;
  static Result<std::shared_ptr<const LogScanner>> cached(StatusCode::kInternal, "not built");
  {
    py::gil_scoped_release release;
    std::call_once(once, [] { cached = build_scanner(""); });
  }
  if (!cached) raise(cached.status(), ErrorContext::kPlaybook);
  return *cached;
}

std::string match_repr(const LogMatch& m) {
  std::string out = "<LogMatch ";
  out += to_string(m.severity);
  out += ' ';
  out += m.syndrome;
  out += " line=" + std::to_string(m.line);
  if (m.rank) out += " rank=" + std::to_string(*m.rank);
  out += ": ";
  out += m.message;
  out += '>';
  return out;
}

// A LogStream that Python threads may share: the GIL is released while it
// scans, so a mutex serialises the stream itself.
class PyLogStream {
 public:
  PyLogStream(std::shared_ptr<const LogScanner> scanner, std::string source)
      : stream_(std::move(scanner), std::move(source)) {}

  std::vector<LogMatch> feed(py::handle data) {
    TextArg text(data);
    std::vector<LogMatch> out;
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    stream_.feed(text.view(), &out);
    return out;
  }
  std::vector<LogMatch> flush() {
    std::vector<LogMatch> out;
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    stream_.flush(&out);
    return out;
  }
  void reset() {
    std::lock_guard<std::mutex> lock(mu_);
    stream_.reset();
  }
  void set_default_rank(std::optional<int> rank) {
    std::lock_guard<std::mutex> lock(mu_);
    stream_.set_default_rank(rank);
  }
  std::uint64_t bytes_seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return stream_.bytes_seen();
  }
  std::uint64_t lines_seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return stream_.lines_seen();
  }
  std::string source() {
    std::lock_guard<std::mutex> lock(mu_);
    return stream_.source();
  }

 private:
  std::mutex mu_;
  LogStream stream_;
};

}  // namespace

void bind_logs(py::module_& m) {
  py::class_<LogMatch> match(m, "LogMatch", R"pbdoc(
One recognised log syndrome occurrence (log_scan.h ``LogMatch``).

``line`` is 1-based, ``offset`` the byte offset of the line in the stream,
``text`` the normalised line (capped), ``evidence`` a ``dict[str, str]``
(the matched line, rank, exception type, extracted fields such as bytes),
``rank`` None when the line carries no rank.
)pbdoc");
  match.def_readonly("syndrome", &LogMatch::syndrome)
      .def_property_readonly("severity", [](const LogMatch& x) { return py_enum(x.severity); })
      .def_readonly("message", &LogMatch::message)
      .def_readonly("text", &LogMatch::text)
      .def_property_readonly("evidence", [](const LogMatch& x) { return to_dict(x.evidence); })
      .def_readonly("line", &LogMatch::line)
      .def_readonly("offset", &LogMatch::offset)
      .def_readonly("source", &LogMatch::source)
      .def_readonly("rank", &LogMatch::rank)
      .def("__repr__", &match_repr);
  m.attr("Match") = match;

  m.def(
      "scan_log",
      [](py::handle text, std::optional<std::string> playbook, std::string source) {
        std::shared_ptr<const LogScanner> scanner = scanner_for(playbook);
        TextArg arg(text);
        std::vector<LogMatch> out;
        py::gil_scoped_release release;
        LogStream stream(std::move(scanner), std::move(source));
        stream.feed(arg.view(), &out);
        stream.flush(&out);
        return out;
      },
      py::arg("text"), py::arg("playbook") = py::none(), py::arg("source") = "",
      R"pbdoc(
Scans a whole log text (str or bytes) with the syndrome catalogue.

Returns every match in stream order. ``playbook`` is a YAML file merged over
the default playbook (its ``syndromes:`` extend or override the catalogue);
``source`` labels the matches. Raises FileNotFoundError for a missing
playbook and PlaybookError for an invalid one.

>>> [m.syndrome for m in sidecar.scan_log("RuntimeError: CUDA out of memory.\n")]
['cuda_oom']
)pbdoc");

  py::class_<PyLogStream>(m, "LogStream", R"pbdoc(
Incremental log scanning for one source: feed byte chunks as they arrive
(lines split across chunks are joined), flush at the end. Results do not
depend on how the text is chunked. Safe to share between Python threads
(calls are serialised); the GIL is released while scanning.
)pbdoc")
      .def(py::init([](std::string source, std::optional<std::string> playbook) {
             return std::make_unique<PyLogStream>(scanner_for(playbook), std::move(source));
           }),
           py::arg("source") = "", py::arg("playbook") = py::none())
      .def("feed", &PyLogStream::feed, py::arg("data"),
           R"pbdoc(Scans every complete line of ``data`` (str or bytes); returns the matches.)pbdoc")
      .def("flush", &PyLogStream::flush,
           R"pbdoc(End of stream: scans the partial last line and emits pending tracebacks.)pbdoc")
      .def("reset", &PyLogStream::reset,
           R"pbdoc(The log was truncated or rotated: restarts line numbers and drops partial state.)pbdoc")
      .def("set_default_rank", &PyLogStream::set_default_rank, py::arg("rank"),
           R"pbdoc(Rank for lines without a rank prefix (None: no rank).)pbdoc")
      .def_property_readonly("bytes_seen", &PyLogStream::bytes_seen)
      .def_property_readonly("lines_seen", &PyLogStream::lines_seen)
      .def_property_readonly("source", &PyLogStream::source);
}

}  // namespace sidecar::python
