// Runs whose supervisor vanished: status.json's "supervisor", the live
// registrations next to the history, and marking such runs lost
// (lost_runs.h).
#include "sidecar/lost_runs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sidecar/config.h"
#include "sidecar/core/detail/json_writer.h"
#include "sidecar/detail/atomic_file.h"
#include "sidecar/supervisor.h"

namespace sidecar {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = 1u << 20;  // status.json and registrations are small

// "S" (state) and the start time of /proc/<pid>/stat; nullopt when unreadable.
struct ProcStat {
  char state = '?';
  std::uint64_t start = 0;
};
std::optional<ProcStat> proc_stat(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  std::size_t paren = text.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= text.size()) return std::nullopt;
  ProcStat out;
  out.state = text[paren + 2];
  // Fields after the name: 3 state ... 22 starttime (19 fields on from the state).
  std::size_t pos = paren + 2;
  for (int field = 3; field < 22; ++field) {
    pos = text.find(' ', pos);
    if (pos == std::string::npos) return std::nullopt;
    ++pos;
  }
  out.start = std::strtoull(text.c_str() + pos, nullptr, 10);
  return out;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

Result<std::string> read_small(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, path + ": cannot open");
  std::string text;
  text.resize(kMaxFileBytes);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::optional<SupervisorId> supervisor_from(const Value* v) {
  if (!v || !v->is_object()) return std::nullopt;
  const Value* pid = v->find("pid");
  const Value* host = v->find("host");
  const Value* start = v->find("start");
  auto p = pid ? pid->as_number() : std::nullopt;
  if (!p || *p <= 1 || !host || host->kind != Value::Kind::kString) return std::nullopt;
  SupervisorId s;
  s.pid = static_cast<std::int64_t>(*p);
  s.host = host->str;
  if (auto st = start ? start->as_number() : std::nullopt; st && *st >= 0) s.start = static_cast<std::uint64_t>(*st);
  return s;
}

// A parsed JSON value back to text (status.json's members are kept as they were).
void write_value(detail::JsonWriter& w, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      w.null();
      break;
    case Value::Kind::kBool:
      w.value(v.boolean);
      break;
    case Value::Kind::kNumber:
      w.value(v.number);
      break;
    case Value::Kind::kString:
      w.value(v.str);
      break;
    case Value::Kind::kArray:
      w.begin_array();
      for (const Value& it : v.items) write_value(w, it);
      w.end_array();
      break;
    case Value::Kind::kObject:
      w.begin_object();
      for (const auto& [k, m] : v.members) write_value(w.key(k), m);
      w.end_object();
      break;
  }
}

std::string lost_text(const SupervisorId& s) {
  return "its supervisor (sidecar, pid " + std::to_string(s.pid) + " on " + s.host +
         ") vanished before the run ended (killed?); how the job ended is unknown";
}

std::string live_dir(const std::string& history_path) { return history_path + ".live"; }

std::string status_path(const std::string& run_dir) { return (fs::path(run_dir) / "sidecar" / "status.json").string(); }

// status.json as parsed, when it is an object that says "running".
std::optional<Value> running_status(const std::string& path) {
  auto text = read_small(path);
  if (!text) return std::nullopt;
  auto doc = parse_json(*text, path);
  if (!doc || !doc->is_object()) return std::nullopt;
  const Value* st = doc->find("status");
  if (!st || st->kind != Value::Kind::kString || st->str != "running") return std::nullopt;
  return std::move(doc).value();
}

}  // namespace

SupervisorId this_supervisor() {
  SupervisorId s;
  s.pid = static_cast<std::int64_t>(::getpid());
  s.host = host_name();
  if (auto st = proc_stat(s.pid)) s.start = st->start;
  return s;
}

bool supervisor_gone(const SupervisorId& s) {
  if (s.pid <= 1 || s.host.empty() || s.host != host_name()) return false;
  if (::kill(static_cast<pid_t>(s.pid), 0) != 0 && errno == ESRCH) return true;
  auto st = proc_stat(s.pid);
  if (!st) return false;                                  // exists (EPERM or a race): cannot tell
  if (st->state == 'Z' || st->state == 'X') return true;  // exited, not yet reaped
  return s.start != 0 && st->start != s.start;            // the pid now names a later process
}

std::string supervisor_json(const SupervisorId& s) {
  detail::JsonWriter w;
  w.begin_object().key("pid").value(s.pid).key("host").value(s.host).key("start").value(s.start).end_object();
  return w.take();
}

std::optional<SupervisorId> run_supervisor(const std::string& run_dir) {
  std::optional<Value> doc = running_status(status_path(run_dir));
  return doc ? supervisor_from(doc->find("supervisor")) : std::nullopt;
}

Result<std::string> mark_lost_run(const std::string& run_dir) {
  const std::string path = status_path(run_dir);
  std::optional<Value> doc = running_status(path);
  if (!doc) return std::string();
  auto sup = supervisor_from(doc->find("supervisor"));
  if (!sup || !supervisor_gone(*sup)) return std::string();
  detail::JsonWriter w;
  w.begin_object();
  for (const auto& [k, m] : doc->members) {
    if (k == "status") {
      w.key("status").value("lost");
    } else if (k != "error" && k != "lost_at") {
      write_value(w.key(k), m);
    }
  }
  w.key("error").value(lost_text(*sup)).key("lost_at").value(wall_seconds()).end_object();
  if (Status ws = detail::write_file_atomically(path, w.take() + "\n"); !ws.ok()) return ws;
  return run_dir + ": " + lost_text(*sup) + "; status.json marked lost";
}

Result<std::string> register_live_run(const std::string& history_path, const std::string& key, const HistoryRow& row,
                                      const std::string& run_dir, const SupervisorId& supervisor) {
  std::error_code ec;
  const std::string dir = live_dir(history_path);
  fs::create_directories(dir, ec);
  detail::JsonWriter w;
  w.begin_object().key("row").raw(history_row_to_json(row));
  w.key("run_dir").value(fs::absolute(run_dir, ec).lexically_normal().string());
  w.key("supervisor").raw(supervisor_json(supervisor)).end_object();
  std::string path = (fs::path(dir) / (key + ".json")).string();
  if (Status s = detail::write_file_atomically(path, w.take() + "\n", 0644, false); !s.ok()) return s;
  return path;
}

void unregister_live_run(const std::string& registration) {
  if (!registration.empty()) ::unlink(registration.c_str());
}

Result<std::vector<std::string>> reap_lost_runs(const std::string& history_path, const HistoryOptions& opt) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(live_dir(history_path), ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    if (p.extension() != ".json" || !it->is_regular_file(ec)) continue;
    auto text = read_small(p.string());
    if (!text) continue;
    auto doc = parse_json(*text, p.string());
    if (!doc || !doc->is_object()) continue;
    auto sup = supervisor_from(doc->find("supervisor"));
    const Value* row_v = doc->find("row");
    const Value* dir_v = doc->find("run_dir");
    if (!sup || !row_v || !row_v->is_object() || !supervisor_gone(*sup)) continue;
    detail::JsonWriter rw;
    write_value(rw, *row_v);
    auto row = history_row_from_json(rw.take());
    if (!row) continue;
    // Claimed by a rename: of several commands reaping at once, one writes the row.
    const std::string claimed = p.string() + ".reaping";
    if (::rename(p.c_str(), claimed.c_str()) != 0) continue;
    row->status = "lost";
    row->timestamp = wall_seconds();
    if (Status s = append_history(history_path, *row, opt); !s.ok()) {
      ::rename(claimed.c_str(), p.c_str());
      return s;
    }
    ::unlink(claimed.c_str());
    std::string line = "run " + row->run_id + ": " + lost_text(*sup) + "; history row written as lost";
    if (dir_v && dir_v->kind == Value::Kind::kString) {
      auto marked = mark_lost_run(dir_v->str);
      if (!marked) line += " (" + dir_v->str + "/sidecar/status.json: " + marked.status().message() + ")";
    }
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace sidecar
