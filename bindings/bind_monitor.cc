// Monitor for training scripts, a shim over the library Pipeline (pipeline.h):
// observe() once per step at well under a microsecond, feed_log(), tick(),
// snapshot(), finish(); plus
// the playbook, profile inference and the sinks a Monitor reports to.
//
// Threading: every method releases the GIL for the engine's work and takes
// the wrapper's mutex (always in that order: GIL released first, so a thread
// waiting for the mutex never holds the GIL). A Monitor may therefore be
// shared by Python threads; sinks send from their own threads.
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bind.h"
#include "sidecar/config.h"
#include "sidecar/core/detail/alert_id.h"
#include "sidecar/core/detail/strings.h"
#include "sidecar/core/profile.h"
#include "sidecar/core/records.h"
#include "sidecar/monitor.h"
#include "sidecar/operator.h"
#include "sidecar/pipeline.h"
#include "sidecar/playbook.h"
#include "sidecar/report.h"
#include "sidecar/sinks.h"

namespace py = pybind11;

namespace sidecar::python {

namespace {

double wall_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// ---------------------------------------------------------------------------
// Python mapping -> MetricRow, without allocating in the steady state.

// Keys that carry the row's position rather than a metric.
bool is_step_key(std::string_view k) { return k == "step" || k == "global_step" || k == "_step"; }
bool is_time_key(std::string_view k) { return k == "timestamp" || k == "_timestamp"; }

constexpr int kMaxNesting = 8;

// Whether a value converts with float(): __float__ or __index__ (tensors have
// __getitem__ too, so this is asked before "is it a mapping").
bool has_float(PyObject* o) {
  PyNumberMethods* nb = Py_TYPE(o)->tp_as_number;
  return nb != nullptr && (nb->nb_float != nullptr || nb->nb_index != nullptr);
}

// isinstance(o, collections.abc.Mapping), with the class looked up once.
bool is_mapping(PyObject* o) {
  if (PyDict_Check(o)) return true;
  static PyObject* mapping_abc = [] {
    py::object abc = py::module_::import("collections.abc").attr("Mapping");
    return abc.release().ptr();  // kept for the life of the process
  }();
  int r = PyObject_IsInstance(o, mapping_abc);
  if (r < 0) {
    PyErr_Clear();
    return false;
  }
  return r == 1;
}

// Converts one metrics mapping. Keys are borrowed from the Python str objects
// (UTF-8 views held alive by a reference each) so no key is copied; nested
// mappings ("optim": {"lr": ...}) flatten to "optim/lr" in a scratch deque.
// One builder per thread (the Monitor's mutex is taken only after the GIL is
// released, so conversion cannot share the Monitor's state).
class RowBuilder {
 public:
  struct BadValue {
    PyObject* key;  // borrowed (held in held_)
    std::string flat_key;
    const char* why;
  };

  // Fills values_ from `metrics` (a dict or any Mapping). Raises TypeError
  // when `metrics` is not a mapping; never for a bad value.
  void build(py::handle metrics) {
    clear_values();
    add_mapping(metrics.ptr(), std::string_view(), 0);
  }

  // Drops the key references (needs the GIL).
  void release() {
    for (PyObject* o : held_) Py_DECREF(o);
    held_.clear();
  }

  std::span<const MetricValue> values() const { return values_; }
  std::optional<std::int64_t> step() const { return step_; }
  std::optional<double> timestamp() const { return timestamp_; }
  const std::vector<BadValue>& bad() const { return bad_; }
  std::uint64_t skipped_bools() const { return bools_; }

 private:
  void clear_values() {
    values_.clear();
    scratch_.clear();
    bad_.clear();
    step_.reset();
    timestamp_.reset();
    bools_ = 0;
  }

  void add_mapping(PyObject* map, std::string_view prefix, int depth) {
    if (PyDict_Check(map)) {
      PyObject* key = nullptr;
      PyObject* value = nullptr;
      Py_ssize_t pos = 0;
      while (PyDict_Next(map, &pos, &key, &value)) add_item(key, value, prefix, depth);
      return;
    }
    if (!is_mapping(map))
      throw py::type_error(std::string("metrics must be a mapping of name -> number, got ") + Py_TYPE(map)->tp_name);
    py::object items = py::reinterpret_steal<py::object>(PyMapping_Items(map));
    if (!items) throw py::error_already_set();
    for (py::handle kv : items) {
      PyObject* pair = kv.ptr();
      if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) continue;
      add_item(PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), prefix, depth);
    }
  }

  // An int as a double; one too large for a double is +-inf.
  static double long_as_double(PyObject* value) {
    double v = PyLong_AsDouble(value);
    if (v == -1.0 && PyErr_Occurred()) {  // too large for a double
      PyErr_Clear();
      py::int_ zero(0);
      int negative = PyObject_RichCompareBool(value, zero.ptr(), Py_LT);
      if (negative < 0) PyErr_Clear();
      v = negative == 1 ? -HUGE_VAL : HUGE_VAL;
    }
    return v;
  }

  // A str's number ("0.5", "nan"), or none (also for a str that is not UTF-8).
  static std::optional<double> str_as_number(PyObject* value) {
    Py_ssize_t m = 0;
    const char* s = PyUnicode_AsUTF8AndSize(value, &m);
    if (s != nullptr) return detail::parse_number(std::string_view(s, static_cast<std::size_t>(m)));
    PyErr_Clear();
    return std::nullopt;
  }

  void add_item(PyObject* key, PyObject* value, std::string_view prefix, int depth) {
    if (!PyUnicode_Check(key)) {
      bad_value(key, prefix, "the key is not a str");
      return;
    }
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(key, &n);
    if (p == nullptr) {  // lone surrogates
      PyErr_Clear();
      bad_value(key, prefix, "the key is not valid UTF-8");
      return;
    }
    Py_INCREF(key);
    held_.push_back(key);
    std::string_view k(p, static_cast<std::size_t>(n));
    if (!prefix.empty()) {
      std::string& flat = scratch_.emplace_back(prefix);
      flat += '/';
      flat += k;
      k = flat;
    }

    double v = 0.0;
    if (PyFloat_Check(value)) {  // float, numpy.float64 (a float subclass)
      v = PyFloat_AS_DOUBLE(value);
    } else if (PyBool_Check(value)) {  // booleans are flags, not metrics
      ++bools_;
      return;
    } else if (PyLong_Check(value)) {
      v = long_as_double(value);
      if (prefix.empty() && !step_ && is_step_key(k) && std::fabs(v) < 9.0e15) {
        step_ = static_cast<std::int64_t>(v);
        return;
      }
    } else if (PyUnicode_Check(value)) {
      std::optional<double> parsed = str_as_number(value);
      if (!parsed) {
        bad_value(key, prefix, "a string that is not a number");
        return;
      }
      v = *parsed;
    } else if (value == Py_None) {
      bad_value(key, prefix, "None");
      return;
    } else if (!has_float(value) && (PyDict_Check(value) || is_mapping(value))) {
      if (depth >= kMaxNesting) {
        bad_value(key, prefix, "nested too deeply");
        return;
      }
      std::string nested_prefix(k);  // copied: scratch_ may grow below
      add_mapping(value, nested_prefix, depth + 1);
      return;
    } else {
      // NumPy scalars, 0-d tensors, Decimal, Fraction...: anything with __float__.
      PyObject* f = PyNumber_Float(value);
      if (f == nullptr) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) throw py::error_already_set();  // KeyboardInterrupt
        PyErr_Clear();
        bad_value(key, prefix, "not convertible to float");
        return;
      }
      v = PyFloat_AS_DOUBLE(f);
      Py_DECREF(f);
    }
    if (prefix.empty() && is_time_key(k)) {
      if (std::isfinite(v)) timestamp_ = v;
      return;
    }
    if (prefix.empty() && is_step_key(k)) {
      if (!step_ && std::isfinite(v) && std::fabs(v) < 9.0e15) step_ = static_cast<std::int64_t>(v);
      return;
    }
    values_.push_back(MetricValue{k, v});
  }

  void bad_value(PyObject* key, std::string_view prefix, const char* why) {
    BadValue b{key, std::string(), why};
    if (PyUnicode_Check(key)) {
      Py_ssize_t n = 0;
      const char* p = PyUnicode_AsUTF8AndSize(key, &n);
      if (p == nullptr) PyErr_Clear();
      b.flat_key =
          std::string(prefix) + (prefix.empty() ? "" : "/") + (p ? std::string(p, static_cast<std::size_t>(n)) : "?");
    } else {
      b.flat_key = std::string(prefix) + (prefix.empty() ? "" : "/") + "<" + Py_TYPE(key)->tp_name + " key>";
    }
    Py_INCREF(key);
    held_.push_back(key);
    bad_.push_back(std::move(b));
  }

  std::vector<MetricValue> values_;
  std::vector<PyObject*> held_;
  std::deque<std::string> scratch_;
  std::vector<BadValue> bad_;
  std::optional<std::int64_t> step_;
  std::optional<double> timestamp_;
  std::uint64_t bools_ = 0;
};

// The thread's builder; a nested observe() from inside a __float__ gets its own.
class BuilderLease {
 public:
  BuilderLease() {
    if (!busy_) {
      busy_ = true;
      b_ = &shared_;
      owned_ = false;
    } else {
      b_ = new RowBuilder();
      owned_ = true;
    }
  }
  ~BuilderLease() {
    b_->release();
    if (owned_)
      delete b_;
    else
      busy_ = false;
  }
  BuilderLease(const BuilderLease&) = delete;
  BuilderLease& operator=(const BuilderLease&) = delete;
  RowBuilder& operator*() { return *b_; }
  RowBuilder* operator->() { return b_; }

 private:
  static thread_local RowBuilder shared_;
  static thread_local bool busy_;
  RowBuilder* b_ = nullptr;
  bool owned_ = false;
};
thread_local RowBuilder BuilderLease::shared_;
thread_local bool BuilderLease::busy_ = false;

// ---------------------------------------------------------------------------
// Value trees (the effective playbook) as plain Python objects.

py::object to_python(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return py::none();
    case Value::Kind::kBool:
      return py::bool_(v.boolean);
    case Value::Kind::kNumber:
      if (std::isfinite(v.number) && v.number == std::floor(v.number) && std::fabs(v.number) < 9.0e15)
        return py::int_(static_cast<long long>(v.number));
      return py::float_(v.number);
    case Value::Kind::kString: {
      if (v.plain) {
        std::string_view t = detail::trim(v.str);
        if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return py::none();
        if (auto b = v.as_bool()) return py::bool_(*b);
        if (auto d = v.as_number()) {
          bool integral = t.find_first_of(".eE") == std::string_view::npos && std::isfinite(*d) &&
                          *d == std::floor(*d) && std::fabs(*d) < 9.0e15;
          if (integral) return py::int_(static_cast<long long>(*d));
          return py::float_(*d);
        }
      }
      return py::str(v.str);
    }
    case Value::Kind::kArray: {
      py::list l;
      for (const auto& item : v.items) l.append(to_python(item));
      return l;
    }
    case Value::Kind::kObject: {
      py::dict d;
      for (const auto& [k, item] : v.members) d[py::str(k)] = to_python(item);
      return d;
    }
  }
  return py::none();
}

// A loaded playbook: immutable, shared by the Monitors built from it.
struct PyPlaybook {
  std::shared_ptr<const Playbook> pb;
  std::string path;  // "" = the default playbook
};

PyPlaybook load_playbook_py(const std::string& path) {
  Result<Playbook> r = [&] {
    py::gil_scoped_release release;
    return load_playbook(path);
  }();
  PyPlaybook out{std::make_shared<const Playbook>(unwrap(std::move(r), ErrorContext::kPlaybook)), path};
  // Deprecated keys that were read: a FutureWarning each (end users' files), as the CLI's one-line notes.
  for (const std::string& n : out.pb->notices)
    if (PyErr_WarnEx(PyExc_FutureWarning, n.c_str(), 1) < 0) throw py::error_already_set();
  return out;
}

// ---------------------------------------------------------------------------
// Sinks: created in Python, handed over to one Monitor.

struct PySink {
  std::unique_ptr<Sink> sink;
  std::string name;
};

std::unique_ptr<Sink> take_sink(PySink& s) {
  if (!s.sink) throw py::value_error("this " + s.name + " sink already belongs to a Monitor");
  return std::move(s.sink);
}

// The sinks given to a Monitor, each probed first as `run` does before
// launching: a peer that refuses the token raises PermissionDeniedError
// here, at construction (and the sinks stay with their owners), instead of
// being only a count in stats() while observe() goes on (it never raises).
// A peer that does not answer is no error: the sink retries in the background.
void add_checked_sinks(py::handle sinks, SinkSet* set) {
  constexpr double kCheckS = 5.0;  // as `run` waits for the server before launching
  std::vector<std::pair<PySink*, std::unique_ptr<Sink>>> taken;
  for (py::handle s : sinks) {
    PySink& ps = s.cast<PySink&>();
    taken.emplace_back(&ps, take_sink(ps));
  }
  Status refused;
  {
    py::gil_scoped_release release;
    for (auto& [owner, sink] : taken)
      if (Status st = sink->check(kCheckS); st.code() == StatusCode::kPermissionDenied) {
        refused = st;
        break;
      }
  }
  if (!refused.ok()) {
    for (auto& [owner, sink] : taken) owner->sink = std::move(sink);
    raise(refused);
  }
  for (auto& [owner, sink] : taken) set->add(std::move(sink));
}

py::dict stats_dict(const SinkStats& s) {
  py::dict d;
  for_each_sink_counter([&](const char* name, auto member) { d[name] = s.*member; });
  d["last_error"] = s.last_error;
  return d;
}

// ---------------------------------------------------------------------------
// The Python Monitor.

// Collects what the pipeline surfaces for the Python caller.
class PyReporter : public SessionReporter {
 public:
  void alert(const Alert& a, const std::string&, bool) override { alerts.push_back(a); }
  void resolved(const Resolved& r) override {
    if (resolved_kept.size() >= kMaxResolvedKept) resolved_kept.pop_front();
    resolved_kept.push_back(r);
  }
  static constexpr std::size_t kMaxResolvedKept = 256;
  std::vector<Alert> alerts;  // since the last call that returned them
  std::deque<Resolved> resolved_kept;
};

// What Monitor.report() draws: a ReportBuilder (bounded memory) fed by a
// sink beside the others with every row, alert and resolution the pipeline
// routes, and how the run ended. Touched only with the Monitor's mutex held
// (the pipeline calls sinks from the caller's thread).
struct ReportState {
  ReportBuilder builder;
};

class ReportTap final : public Sink {
 public:
  explicit ReportTap(std::shared_ptr<ReportState> s) : s_(std::move(s)) {}
  void on_alert(const Alert& a) override { s_->builder.add_alert(a); }
  void on_resolved(const Resolved& r) override { s_->builder.add_resolved(r); }
  void on_snapshot(const Snapshot&) override {}
  void on_row(const MetricRow& row) override { s_->builder.observe(row); }
  void on_finish(const RunEnd& end) override {
    RunFacts& f = s_->builder.facts();
    f.status = end.status;
    f.exit_code = end.exit_code;
    f.error = end.error;
    f.ended_at = wall_now();
  }
  SinkStats stats() const override { return {}; }
  std::string_view name() const override { return "report"; }
  void close(double) override {}

 private:
  std::shared_ptr<ReportState> s_;
};

// A GIL/mutex shim over the library Pipeline (the path run, watch and
// replay share): every row is observed and evaluated as it comes; ticks
// (snapshots, stalls, answers) fall about once a second, or at once when an
// alert surfaced.
class PyMonitor {
 public:
  PyMonitor(MonitorOptions options, std::unique_ptr<SinkSet> sinks, std::string run_dir, ActionTable actions,
            std::shared_ptr<ReportState> report)
      : run_dir_(run_dir),
        report_(std::move(report)),
        pipeline_(std::move(options), pipeline_options(std::move(run_dir), std::move(actions)), std::move(sinks),
                  reporter_) {
    if (!pipeline_.sinks().empty()) pipeline_.sinks().on_status("running");
  }

  // An unfinished run's sinks are closed without a final status (no history row).
  ~PyMonitor() {
    if (_Py_IsFinalizing()) {  // the interpreter is going away: no GIL juggling
      std::lock_guard<std::mutex> lock(mu_);
      if (!pipeline_.finished()) pipeline_.sinks().close(0.0);
      return;
    }
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    if (!pipeline_.finished()) pipeline_.sinks().close(0.0);
  }

  // The resolutions since the last call (oldest first; at most 256 kept).
  std::vector<Resolved> take_resolved() {
    std::lock_guard<std::mutex> lock(mu_);
    auto& kept = reporter_.resolved_kept;
    std::vector<Resolved> out(std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()));
    kept.clear();
    return out;
  }

  std::string repr() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = "<Monitor";
    if (!run_dir_.empty()) out += " run_dir=" + run_dir_;
    out += " profile=" + std::string(to_string(pipeline_.monitor().profile()));
    out +=
        " rows=" + std::to_string(pipeline_.monitor().stats().rows) + " alerts=" + std::to_string(pipeline_.alerts());
    if (pipeline_.finished()) out += " finished";
    if (stopped()) out += " stop_requested";
    return out + ">";
  }

  py::list observe(py::handle metrics, std::optional<std::int64_t> step) {
    BuilderLease b;
    b->build(metrics);
    MetricRow row;
    row.step = step ? step : b->step();
    row.timestamp = b->timestamp();
    row.values = b->values();
    std::vector<Alert> out = locked_nogil([&] {
      double now = wall_now();
      pipeline_.advance(now);
      pipeline_.row(row);
      return after_input(now);
    });
    if (!b->bad().empty()) report_bad(b->bad());
    return to_list(std::move(out));
  }

  py::list feed_log(py::handle data, const std::string& source) {
    TextArg text(data);
    return to_list(locked_nogil([&] {
      pipeline_.advance(wall_now());
      pipeline_.log(text.view(), source);
      remember_source(source);
      return tick_locked(wall_now());  // log findings surface at an evaluation: now
    }));
  }

  py::list tick(std::optional<double> now) {
    return to_list(locked_nogil([&] { return tick_locked(now.value_or(wall_now())); }));
  }

  py::list add_decision(Decision d) {
    return to_list(locked_nogil([&] {
      double now = wall_now();
      pipeline_.advance(now);
      pipeline_.decision(std::move(d));
      return after_input(now);
    }));
  }

  py::dict snapshot(std::optional<double> now) {
    Snapshot s;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mu_);
      s = pipeline_.monitor().snapshot(now.value_or(wall_now()));
    }
    return snapshot_dict(s);
  }

  py::list finish(const std::string& status, std::optional<int> exit_code, std::optional<std::string> error,
                  double timeout_s) {
    std::vector<Alert> out;
    Status st;
    bool done = false;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mu_);
      if (!pipeline_.finished()) {
        for (const auto& src : sources_) pipeline_.flush_log(src);
        PipelineEnd end;
        end.status = status;
        end.exit_code = exit_code;
        end.error = error.value_or("");
        end.close_timeout_s = timeout_s;
        st = pipeline_.finish(end, wall_now());
        out.swap(reporter_.alerts);
        done = true;
      }
    }
    if (!done) return py::list();  // already finished: idempotent
    py::list alerts = to_list(std::move(out));
    check(st);
    return alerts;
  }

  // Writes the run's HTML report (report.h, what `sidecar-cli report` draws)
  // to `path`: the curves of every row observed so far, the alerts, and the
  // run's facts; "running" until finish(). Returns the path.
  std::string report(const std::string& path) {
    ReportData data;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mu_);
      RunFacts& f = report_->builder.facts();
      f.run_dir = run_dir_;
      f.profile = std::string(to_string(pipeline_.monitor().profile()));
      if (!pipeline_.finished()) f.status = "running";
      data = report_->builder.build();
    }
    Status st;
    {
      py::gil_scoped_release release;
      st = write_report(data, path);
    }
    check(st);
    return path;
  }

  void request_stop(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    pipeline_.request_stop(reason);
  }

  bool stop_requested() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped()) pipeline_.poll_answers(wall_now());
    return stopped();
  }
  std::optional<std::string> stop_reason() {
    std::lock_guard<std::mutex> lock(mu_);
    return pipeline_.stop_request();
  }

  py::object profile() {
    Profile p = Profile::kGeneric;
    {
      std::lock_guard<std::mutex> lock(mu_);
      p = pipeline_.monitor().profile();
    }
    return py_enum(p);
  }
  void pin_profile(const std::string& name) {
    std::optional<Profile> p = parse_profile(name);
    if (!p) throw py::value_error("unknown profile '" + name + "' (generic, supervised, reinforcement_learning)");
    std::lock_guard<std::mutex> lock(mu_);
    pipeline_.monitor().pin_profile(*p);
  }

  py::dict stats() {
    MonitorStats s;
    SinkStats ss;
    std::uint64_t alerts = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      s = pipeline_.monitor().stats();
      ss = pipeline_.sinks().stats();
      alerts = pipeline_.alerts();
    }
    py::dict d;
    d["rows"] = s.rows;
    d["values"] = s.values;
    d["nonfinite_values"] = s.nonfinite_values;
    d["bad_values"] = bad_values_.load();
    d["ticks"] = s.ticks;
    d["alerts"] = alerts;
    d["resolved"] = s.resolved;
    d["suppressed"] = s.suppressed;
    d["log_bytes"] = s.log_bytes;
    d["log_lines"] = s.log_lines;
    d["log_matches"] = s.log_matches;
    d["snapshots"] = s.snapshots;
    d["sinks"] = stats_dict(ss);
    return d;
  }

  py::dict syndrome_counts() {
    std::vector<std::pair<std::string, std::uint64_t>> c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      c = pipeline_.by_syndrome();
    }
    py::dict d;
    for (const auto& [k, v] : c) d[py::str(k)] = v;
    return d;
  }

  std::optional<std::string> log_status() {
    std::lock_guard<std::mutex> lock(mu_);
    const Status& s = pipeline_.monitor().log_status();
    if (s.ok()) return std::nullopt;
    return s.message();
  }
  std::string command_fingerprint() {
    std::lock_guard<std::mutex> lock(mu_);
    return pipeline_.monitor().command_fingerprint();
  }
  bool finished() {
    std::lock_guard<std::mutex> lock(mu_);
    return pipeline_.finished();
  }
  const std::string& run_dir() const { return run_dir_; }

 private:
  static PipelineOptions pipeline_options(std::string run_dir, ActionTable actions) {
    PipelineOptions po;
    po.run_dir = std::move(run_dir);
    po.on_alert = OnAlert::kContinue;  // never waits; answers that arrive are honoured
    po.actions = std::move(actions);
    return po;
  }

  bool stopped() const { return pipeline_.stop_request().has_value(); }

  // The shape of every input method: with the GIL released and the mutex
  // held, `act` feeds an unfinished pipeline and returns the alerts it
  // surfaced (none once finished); the caller turns them into a list.
  template <class Act>
  std::vector<Alert> locked_nogil(Act&& act) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    if (pipeline_.finished()) return {};
    return act();
  }

  // After an input: a tick when one is due or an alert surfaced (its
  // snapshot, answers), then the alerts for the caller. Mutex held.
  std::vector<Alert> after_input(double now) {
    if (now >= next_tick_ || !reporter_.alerts.empty()) return tick_locked(now);
    std::vector<Alert> out;
    out.swap(reporter_.alerts);
    return out;
  }

  std::vector<Alert> tick_locked(double now) {
    pipeline_.advance(now);
    pipeline_.tick(now);
    next_tick_ = now + kTickInterval;
    std::vector<Alert> out;
    out.swap(reporter_.alerts);
    return out;
  }

  void remember_source(const std::string& source) {
    for (const auto& s : sources_)
      if (s == source) return;
    if (sources_.size() < kMaxSources) sources_.push_back(source);
  }

  // Bad values never raise: they are counted (stats()["bad_values"]) and each
  // new key is logged once on the "sidecar" logger.
  void report_bad(const std::vector<RowBuilder::BadValue>& bad) {
    bad_values_ += bad.size();
    for (const auto& b : bad) {
      if (reported_keys_.size() >= kMaxReportedKeys || !reported_keys_.insert(b.flat_key).second) continue;
      try {
        py::module_::import("logging").attr("getLogger")("sidecar").attr("warning")(
            "sidecar: metric %r ignored: %s (further bad values of this key are only counted)", b.flat_key, b.why);
      } catch (py::error_already_set&) {
        // Reporting must never break the caller's loop.
      }
    }
  }

  static py::list to_list(std::vector<Alert>&& alerts) {
    py::list out;
    for (auto& a : alerts) out.append(py::cast(std::move(a)));
    return out;
  }

  static py::dict snapshot_dict(const Snapshot& s) {
    py::dict d;
    d["ts"] = s.ts;
    d["monitor_note"] = s.monitor_note;
    d["monitor_tags"] = py::cast(s.monitor_tags);
    d["monitoring"] = s.monitoring_json.empty() ? py::object(py::dict())
                                                : py::module_::import("json").attr("loads")(py::str(s.monitoring_json));
    d["material_change"] = s.material_change;
    return d;
  }

  static constexpr double kTickInterval = 1.0;
  static constexpr std::size_t kMaxSources = 64;
  static constexpr std::size_t kMaxReportedKeys = 64;

  std::mutex mu_;
  std::string run_dir_;
  std::shared_ptr<ReportState> report_;  // fed by its sink in pipeline_'s SinkSet
  PyReporter reporter_;
  Pipeline pipeline_;
  double next_tick_ = -1e300;
  std::vector<std::string> sources_;
  std::atomic<std::uint64_t> bad_values_{0};
  std::set<std::string> reported_keys_;  // only touched with the GIL held
};

// A `playbook` argument: a Playbook, a YAML path (loaded), or None (null).
std::shared_ptr<const Playbook> playbook_arg(py::handle playbook) {
  if (py::isinstance<PyPlaybook>(playbook)) return playbook.cast<PyPlaybook&>().pb;
  if (playbook.is_none()) return nullptr;
  return load_playbook_py(py::cast<std::string>(py::str(playbook))).pb;
}

std::unique_ptr<PyMonitor> make_monitor(std::optional<std::string> command, py::handle playbook,
                                        std::optional<std::string> run_dir, py::handle history,
                                        std::optional<std::string> profile, py::handle sinks,
                                        std::optional<std::string> run_id) {
  MonitorOptions opts;
  if (command) opts.command = *command;
  if (run_id) opts.run_id = *run_id;
  // Answers are read from run_dir/alerts/: ids of this Monitor's own, so a
  // previous run's answer files there never match them (as in run/watch).
  if (run_dir) opts.alert_id_nonce = detail::run_nonce();
  if (profile) {
    std::optional<Profile> p = parse_profile(*profile);
    if (!p) throw py::value_error("unknown profile '" + *profile + "' (generic, supervised, reinforcement_learning)");
    opts.profile = *p;
  }
  // history: None = the playbook's history.path; False = no history; a path.
  if (!history.is_none()) {
    if (PyBool_Check(history.ptr())) {
      if (history.ptr() == Py_False) opts.history_path = "-";
    } else {
      opts.history_path = py::cast<std::string>(py::str(history));
    }
  }
  if (std::shared_ptr<const Playbook> pb = playbook_arg(playbook)) opts.playbook = *pb;

  auto set = std::make_unique<SinkSet>();
  if (sinks.is_none()) {
    if (run_dir) set->add(make_file_sink(*run_dir));
  } else {
    add_checked_sinks(sinks, set.get());
  }

  ActionTable actions;
  std::vector<Status> errors;
  read_operator_options(opts.playbook.tree, &actions, &errors);
  if (!errors.empty()) raise(join_errors(errors), ErrorContext::kPlaybook);

  auto report = std::make_shared<ReportState>();
  RunFacts& facts = report->builder.facts();
  facts.run_id = opts.run_id;
  facts.command = opts.command;
  facts.started_at = wall_now();
  set->add(std::make_unique<ReportTap>(report));

  // The engine reads the history file and compiles the log catalogue here:
  // real work, so without the GIL (released in the body, not with call_guard).
  py::gil_scoped_release release;
  return std::make_unique<PyMonitor>(std::move(opts), std::move(set), run_dir.value_or(""), std::move(actions),
                                     std::move(report));
}

// Playbook, load_playbook, infer_profile.
void bind_playbook(py::module_& m) {
  py::class_<PyPlaybook>(m, "Playbook", R"pbdoc(
A loaded playbook: the default one with a user file merged over it,
validated. Pass it to Monitor(playbook=...) to share it between monitors.
``tree`` is the effective playbook as plain Python objects; ``to_yaml()``
renders it. ``notices`` lists the deprecated keys that were read (each also
issued as a FutureWarning by load_playbook), one line each.
)pbdoc")
      .def_property_readonly("path", [](const PyPlaybook& p) { return p.path; })
      .def_property_readonly("tree", [](const PyPlaybook& p) { return to_python(p.pb->tree); })
      .def_property_readonly("notices", [](const PyPlaybook& p) { return p.pb->notices; })
      .def("to_yaml", [](const PyPlaybook& p) { return playbook_to_yaml(p.pb->tree); })
      .def("__repr__", [](const PyPlaybook& p) {
        return "<Playbook " + (p.path.empty() ? std::string("(default)") : p.path) + ">";
      });

  m.def("load_playbook", &load_playbook_py, py::arg("path") = "", R"pbdoc(
Loads a playbook: the embedded default with the YAML file at ``path`` merged
over it ("" = the default alone), fully validated.

Raises FileNotFoundError (no such file), PermissionError, and
PlaybookError (a ValueError) whose message says ``file:line:col: what``, with
a did-you-mean for unknown keys.
)pbdoc");

  m.def(
      "infer_profile",
      [](const std::string& command, const std::vector<std::string>& metric_keys, const std::string& log_text,
         py::handle playbook) {
        std::shared_ptr<const Playbook> pb = playbook_arg(playbook);
        const ProfileOptions& opt = pb ? pb->profile : default_playbook().profile;
        return py_enum(infer_profile(command, metric_keys, log_text, opt));
      },
      py::arg("command") = "", py::arg("metric_keys") = std::vector<std::string>(), py::arg("log_text") = "",
      py::arg("playbook") = py::none(), R"pbdoc(
The workload profile (a Profile, equal to "reinforcement_learning",
"supervised" or "generic") that a command, metric key names and log text point to, by whole tokens
("supported" is not "ppo"). ``playbook`` (a path or Playbook) supplies the
hints and a pinned profile.

>>> sidecar.infer_profile("python train_ppo.py --env CartPole-v1") == "reinforcement_learning"
True
)pbdoc");
}

// The network sinks' options: keyword arguments set fields. The playbook's
// options come from each struct's OptionTable (sinks.h); the addresses, run
// id and token, which the command line sets, are bound here.
void bind_sink_options(py::module_& m) {
  bind_options<ServerSinkOptions>(m, "ServerSinkOptions", R"pbdoc(
Settings of the research-agent server sink (sinks.h ``ServerSinkOptions``);
keyword arguments set fields, the rest keep the library's defaults.
)pbdoc")
      .def_readwrite("url", &ServerSinkOptions::url)
      .def_readwrite("run_id", &ServerSinkOptions::run_id)
      .def_readwrite("auth_token", &ServerSinkOptions::auth_token)
      .def("__repr__", [](const ServerSinkOptions& o) {
        return "<ServerSinkOptions url=" + o.url + " run_id=" + o.run_id + ">";  // never the token
      });

  bind_options<AlertmanagerSinkOptions>(m, "AlertmanagerSinkOptions", R"pbdoc(
Settings of the Prometheus Alertmanager sink (sinks.h
``AlertmanagerSinkOptions``); keyword arguments set fields.
)pbdoc")
      .def_readwrite("url", &AlertmanagerSinkOptions::url)
      .def_readwrite("run_id", &AlertmanagerSinkOptions::run_id)
      .def_readwrite("host", &AlertmanagerSinkOptions::host)
      .def_readwrite("generator_url", &AlertmanagerSinkOptions::generator_url);
}

// Sink and the sink factories.
void bind_sinks(py::module_& m) {
  py::class_<PySink>(m, "Sink", R"pbdoc(
Where a Monitor's alerts, resolutions and snapshots go (sinks.h). Made by
make_file_sink, make_server_sink or make_alertmanager_sink and given to one
Monitor(sinks=[...]); network sinks send from their own thread and never
stall observe().
)pbdoc")
      .def_property_readonly("name", [](const PySink& s) { return s.name; })
      .def("__repr__",
           [](const PySink& s) { return "<Sink " + s.name + (s.sink ? "" : " (owned by a Monitor)") + ">"; });

  m.def(
      "make_file_sink",
      [](const std::string& run_dir) {
        return PySink{make_file_sink(run_dir), "file"};
      },
      py::arg("run_dir"),
      R"pbdoc(
Files in the run directory: ``<run_dir>/sidecar/alerts.jsonl`` (every alert
and resolution) and ``<run_dir>/sidecar/status.json`` (the latest snapshot,
replaced atomically). Write failures are counted, never raised.
)pbdoc");

  m.def(
      "make_server_sink",
      [](ServerSinkOptions options, const std::string& auth_token_file) {
        if (options.auth_token.empty()) options.auth_token = unwrap(read_auth_token(auth_token_file));
        return PySink{make_server_sink(std::move(options)), "server"};
      },
      py::arg("options"), py::arg("auth_token_file") = "", R"pbdoc(
The research-agent server: ``POST {url}/runs/{run_id}/status`` (snapshots,
the final status) and ``POST {url}/runs/{run_id}/alerts``. Without
``options.auth_token`` the token comes from ``auth_token_file`` or the
SIDECAR_AUTH_TOKEN environment variable (the file wins); it is sent as
X-Auth-Token and never printed.

>>> sink = sidecar.make_server_sink(sidecar.ServerSinkOptions(url="http://127.0.0.1:8000", run_id="r7"))
)pbdoc");

  m.def(
      "make_alertmanager_sink",
      [](AlertmanagerSinkOptions options) {
        return PySink{make_alertmanager_sink(std::move(options)), "alertmanager"};
      },
      py::arg("options"), R"pbdoc(
Prometheus Alertmanager: alerts are posted to ``{url}/api/v2/alerts`` with
labels (alertname = syndrome, severity, run_id, source, host), re-sent while
active and resolved with endsAt.
)pbdoc");
}

// Monitor.add_decision: a decision from the caller's own rule.
py::list add_decision_py(PyMonitor& self, const std::string& syndrome, const std::string& message,
                         const std::string& severity, std::optional<std::vector<std::string>> choices,
                         std::optional<py::dict> evidence, std::optional<std::string> signature,
                         std::optional<std::int64_t> step) {
  Decision d;
  d.source = Source::kPlaybook;
  d.syndrome = syndrome;
  d.message = message;
  std::optional<Severity> sev = parse_severity(severity);
  if (!sev) throw py::value_error("unknown severity '" + severity + "' (info, warning, critical)");
  d.severity = *sev;
  if (choices) d.choices = *choices;
  if (evidence)
    for (auto kv : *evidence) d.evidence.emplace_back(py::str(kv.first), py::str(kv.second));
  d.signature = signature.value_or("playbook/" + syndrome);
  d.step = step;
  return self.add_decision(std::move(d));
}

// Monitor.__exit__: finishes the run as "failed" when the block raised (the
// exception's type and message as the error), else "stopped" or "finished".
bool exit_block(PyMonitor& self, py::handle exc_type, py::handle exc, py::handle tb) {
  (void)tb;
  bool failed = !exc_type.is_none();
  std::string status = failed ? "failed" : (self.stop_requested() ? "stopped" : "finished");
  std::optional<std::string> error;
  if (failed) {
    std::string text = py::cast<std::string>(py::str(exc_type.attr("__name__")));
    std::string what = py::cast<std::string>(py::str(exc));
    if (!what.empty()) text += ": " + what;
    error = text.substr(0, 200);
  }
  try {
    self.finish(status, std::nullopt, error, 5.0);
  } catch (py::error_already_set& e) {
    if (!failed) throw;  // do not mask the block's own exception
  }
  return false;
}

// Monitor: its class, constructor and documentation.
py::class_<PyMonitor> monitor_class(py::module_& m) {
  py::class_<PyMonitor> cls(m, "Monitor", R"pbdoc(
In-process monitoring of one training run (monitor.h ``Monitor``).

Call ``observe(metrics, step)`` once per step (a few microseconds); it
returns the alerts that step surfaced (at most one per call; a decision that
loses the selection surfaces on a later call). ``feed_log`` scans log text,
``tick`` advances time without new data (heartbeats, stalls, operator
answers), ``snapshot`` returns the monitoring snapshot, ``finish`` ends the
run (history row, final status to the sinks). Also a context manager: the
run finishes as "finished", or "failed" when the block raises.

Arguments: ``command`` (profile hints, history fingerprint), ``playbook``
(a YAML path or a Playbook), ``run_dir`` (operator answers are read from
``<run_dir>/alerts/<id>.response``; with ``sinks=None`` a file sink writes
``<run_dir>/sidecar/``), ``history`` (a JSONL path; None: the playbook's;
False: none), ``profile`` (pins "supervised", "reinforcement_learning" or
"generic"), ``sinks`` (Sink objects, each given to this Monitor; each is
probed first: a server that refuses the token raises PermissionDeniedError),
``run_id``.

Stop requests: ``stop_requested`` becomes True when an alert is answered
with a choice whose action is stop ("Stop Job" by default; the playbook's
``operator:`` table) in ``<run_dir>/alerts/<alert id or server id>.response``,
or when ``request_stop(reason)`` is called (the framework integrations do
that for critical alerts with ``on_alert="stop"``). The Monitor never stops
anything itself: the training loop asks.

Thread-safety: every method may be called from any Python thread (calls are
serialised by a mutex; the GIL is released during the engine's work).
)pbdoc");
  cls.def(py::init(&make_monitor), py::arg("command") = py::none(), py::arg("playbook") = py::none(),
          py::arg("run_dir") = py::none(), py::arg("history") = py::none(), py::arg("profile") = py::none(),
          py::arg("sinks") = py::none(), py::arg("run_id") = py::none())
      .def("observe", &PyMonitor::observe, py::arg("metrics"), py::arg("step") = py::none(), R"pbdoc(
Records one row of metrics and runs a tick; returns the alerts it surfaced.

``metrics`` maps names to numbers: float, int, NumPy scalars, 0-d tensors
(anything with ``__float__``), or strings such as "nan" or "1e-3". Nested
mappings flatten to "outer/inner". Booleans are ignored; any other value is
never an error: it is counted in ``stats()["bad_values"]`` and its key is
logged once on the "sidecar" logger. ``step`` defaults to a "step" /
"global_step" key, else the previous step + 1.
)pbdoc")
      .def("feed_log", &PyMonitor::feed_log, py::arg("data"), py::arg("source") = "log", R"pbdoc(
Scans log text (str or bytes; any chunking, partial lines are held) of one
source and runs a tick; returns the alerts it surfaced.
)pbdoc")
      .def("tick", &PyMonitor::tick, py::arg("now") = py::none(), R"pbdoc(
Runs a tick without new data (``now``: epoch seconds, default the clock);
returns the alerts it surfaced. Call it from time to time when steps are
slow, so heartbeats, stalls and operator answers are seen.
)pbdoc");
  return cls;
}

// The calls that feed the run and end it.
void def_monitor_calls(py::class_<PyMonitor>& cls) {
  cls.def("add_decision", &add_decision_py, py::arg("syndrome"), py::arg("message"), py::arg("severity"),
          py::arg("choices") = py::none(), py::arg("evidence") = py::none(), py::arg("signature") = py::none(),
          py::arg("step") = py::none(),
          R"pbdoc(
Adds a decision from the caller's own rule (source "playbook"), deduped and
selected like any other; runs a tick and returns the alerts it surfaced.
)pbdoc")
      .def("snapshot", &PyMonitor::snapshot, py::arg("now") = py::none(), R"pbdoc(
The current monitoring snapshot as a dict: ``monitor_note`` (str, <= 220
chars), ``monitor_tags`` (list of str), ``monitoring`` (dict: profile,
summary, baseline, syndrome_counts, updated_at), ``ts``, ``material_change``.
)pbdoc")
      .def("finish", &PyMonitor::finish, py::arg("status") = "finished", py::arg("exit_code") = py::none(),
           py::arg("error") = py::none(), py::arg("timeout_s") = 5.0, R"pbdoc(
Ends the run: flushes fed logs, runs a last tick, writes the history row,
posts the final status and closes the sinks (waiting at most ``timeout_s``).
Returns the alerts of the last tick. Idempotent. Raises (PermissionError,
sidecar.Error) only when the history row could not be written.
)pbdoc")
      .def("report", &PyMonitor::report, py::arg("path"), R"pbdoc(
Writes the run's report to ``path``: one self-contained HTML file (inline
SVG plots of the curves observed so far with the alerts marked at their
steps, the incident timeline, the run's facts), the same report
``sidecar-cli report`` draws. Callable during the run and after ``finish``;
memory stays bounded (long series are downsampled as they arrive). Returns
``path``. Raises FileNotFoundError when its directory does not exist,
PermissionError or sidecar.Error when it cannot be written.
)pbdoc");
}

// Stop requests, profile, counters and the context manager.
void def_monitor_state(py::class_<PyMonitor>& cls) {
  cls.def("request_stop", &PyMonitor::request_stop, py::arg("reason"),
          R"pbdoc(Marks the run as asked to stop (see ``stop_requested``).)pbdoc")
      .def_property_readonly("stop_requested", &PyMonitor::stop_requested, R"pbdoc(
True once an operator answered an alert with a stop choice (response file)
or request_stop() was called. Cheap: reads the response files at most every
half second.
)pbdoc")
      .def_property_readonly("stop_reason", &PyMonitor::stop_reason, R"pbdoc(Why a stop was requested, or None.)pbdoc")
      .def_property_readonly("profile", &PyMonitor::profile, R"pbdoc(The current workload profile.)pbdoc")
      .def("pin_profile", &PyMonitor::pin_profile, py::arg("profile"),
           R"pbdoc(Pins the profile ("supervised", "reinforcement_learning", "generic").)pbdoc")
      .def("stats", &PyMonitor::stats, R"pbdoc(
Counters: rows, values, nonfinite_values, bad_values (values that were not
numbers), ticks, alerts, resolved, suppressed, log_bytes, log_lines,
log_matches, snapshots, and the sinks' sent/failed/dropped counts.
)pbdoc")
      .def("take_resolved", &PyMonitor::take_resolved, R"pbdoc(
The conditions that cleared since the last call (``Resolved`` records, oldest
first; the sinks get them as they happen). At most 256 are kept between calls.
)pbdoc")
      .def("syndrome_counts", &PyMonitor::syndrome_counts, R"pbdoc(Alerts surfaced per syndrome so far.)pbdoc")
      .def_property_readonly("log_status", &PyMonitor::log_status,
                             R"pbdoc(Why log scanning is off (the catalogue failed to build), or None.)pbdoc")
      .def_property_readonly("command_fingerprint", &PyMonitor::command_fingerprint)
      .def_property_readonly("run_dir", &PyMonitor::run_dir)
      .def_property_readonly("finished", &PyMonitor::finished)
      .def("__repr__", &PyMonitor::repr)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", &exit_block, py::arg("exc_type"), py::arg("exc"), py::arg("tb"));
}

}  // namespace

void bind_monitor(py::module_& m) {
  bind_playbook(m);
  bind_sink_options(m);
  bind_sinks(m);
  py::class_<PyMonitor> cls = monitor_class(m);
  def_monitor_calls(cls);
  def_monitor_state(cls);
}

}  // namespace sidecar::python
