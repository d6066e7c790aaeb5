// Operator answers: the response file protocol (partial, empty, CRLF,
// unknown answers), the action table, safe alert ids.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "gpu/fake_smi.h"
#include "sidecar/config.h"
#include "sidecar/core/dedupe.h"
#include "sidecar/operator.h"

using gpu_test::TempDir;
using gpu_test::write_file;
using sidecar::Action;
using sidecar::ActionTable;
using sidecar::ResponseWatcher;

namespace {
const std::vector<std::string> kChoices = {"Continue Anyway", "Stop Job"};

struct Run {
  TempDir dir;
  Run() { std::filesystem::create_directories(dir.path / "alerts"); }
  std::string file(const std::string& id) const { return (dir.path / "alerts" / (id + ".response")).string(); }
  ResponseWatcher watcher(const std::string& id, ActionTable t = {}) const {
    return ResponseWatcher(dir.str(), id, kChoices, std::move(t));
  }
  // A watcher for `id` that takes an answer without a newline once its size
  // held for settle_s, made before `text` (the answer so far) is written.
  ResponseWatcher writing(const std::string& id, const std::string& text, double settle_s) const {
    auto w = watcher(id);
    w.set_settle_seconds(settle_s);
    write_file(file(id), text);
    return w;
  }
  // The writer completes the answer to "Stop Job": not taken at once (the size
  // just changed), taken as a valid stop once it held for `settle`.
  void complete_stop_job(ResponseWatcher& w, const std::string& id, std::chrono::milliseconds settle) const {
    write_file(file(id), "Stop Job");
    CHECK_FALSE(w.poll());
    std::this_thread::sleep_for(settle);
    auto a = w.poll();
    REQUIRE(a);
    CHECK(a->valid);
    CHECK(a->action == Action::kStop);
  }
};
}  // namespace

TEST_CASE("absent and empty files are not answers", "[operator]") {
  Run run;
  auto w = run.watcher("a1");
  CHECK_FALSE(w.poll());
  write_file(run.file("a1"), "");
  CHECK_FALSE(w.poll());
  CHECK_FALSE(w.poll());  // still empty: never "stable" into an answer
  write_file(run.file("a1"), "\n  \n");
  CHECK_FALSE(w.poll());
  CHECK_FALSE(w.poll());
}

TEST_CASE("a newline completes the answer at once", "[operator]") {
  Run run;
  auto w = run.watcher("a1");
  write_file(run.file("a1"), "Stop Job\n");
  auto a = w.poll();
  REQUIRE(a);
  CHECK(a->valid);
  CHECK(a->choice == "Stop Job");
  CHECK(a->action == Action::kStop);
  CHECK(a->problem.empty());
  auto again = w.poll();  // the same answer again
  REQUIRE(again);
  CHECK(again->choice == "Stop Job");
}

TEST_CASE("a partial write byte by byte is never read early", "[operator]") {
  Run run;
  auto w = run.watcher("a1");
  const std::string text = "Continue Anyway\n";
  int fd = ::open(run.file("a1").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    REQUIRE(::write(fd, &text[i], 1) == 1);
    INFO("after " << i + 1 << " bytes");
    CHECK_FALSE(w.poll());  // the size changed since the last poll: not complete
  }
  REQUIRE(::write(fd, "\n", 1) == 1);
  ::close(fd);
  auto a = w.poll();
  REQUIRE(a);
  CHECK(a->choice == "Continue Anyway");
  CHECK(a->action == Action::kContinue);
}

TEST_CASE("no trailing newline: complete once the size is stable over two polls", "[operator]") {
  Run run;
  auto w = run.writing("a1", "Stop Job", 0);
  CHECK_FALSE(w.poll());
  auto a = w.poll();
  REQUIRE(a);
  CHECK(a->choice == "Stop Job");
}

TEST_CASE("no trailing newline: a writer pausing mid-word is not read early", "[operator]") {
  Run run;
  auto w = run.writing("a2", "Sto", 0.4);
  CHECK_FALSE(w.poll());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a pause shorter than the settle time
  CHECK_FALSE(w.poll());                                        // same size, but not settled yet
  run.complete_stop_job(w, "a2", std::chrono::milliseconds(450));
}

TEST_CASE("a slow writer's stable prefix that is not a choice decides nothing, the full answer does", "[operator]") {
  // Issue 19.9: one byte every 1.5 s was read as 'St' (-> continue) and the later "Stop Job" ignored.
  Run run;
  auto w = run.writing("slow", "St", 0.1);
  CHECK_FALSE(w.poll());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // stable for longer than the settle time
  CHECK_FALSE(w.poll());
  CHECK_FALSE(w.poll());
  CHECK(w.partial_problem().find("'St'") != std::string::npos);
  run.complete_stop_job(w, "slow", std::chrono::milliseconds(200));
  CHECK(w.partial_problem().empty());
}

TEST_CASE("an invalid answer ended by a newline is complete (reported, default applied)", "[operator]") {
  Run run;
  write_file(run.file("inv"), "St\n");
  auto a = run.watcher("inv").poll();
  REQUIRE(a);
  CHECK_FALSE(a->valid);
}

TEST_CASE("engine alert ids and response-file names are spelled by one function", "[operator]") {
  // Issue 19.10: "v1..2-0001-cuda_oom" in alerts.jsonl, "v1._2-0001-cuda_oom.response" read.
  for (std::string prefix :
       std::vector<std::string>{"v1..2", "run.", ".hidden", "a/../b", "x y", std::string(200, 'p'), "r..", "ok-1"}) {
    for (std::string syndrome : std::vector<std::string>{"cuda_oom", ".x", "a..b", "log/oom"}) {
      std::string id = sidecar::DedupeBook::sanitize_id(prefix) + "-0001-" + sidecar::DedupeBook::sanitize_id(syndrome);
      INFO(prefix << " / " << syndrome << " -> " << id);
      CHECK(sidecar::sanitize_alert_id(id) == id);
      CHECK(ResponseWatcher("/r", id, kChoices, {}).path() == "/r/alerts/" + id + ".response");
    }
  }
  for (const char* raw : {"..", "a..b", "..a", "a.", "%2e", "\xff\x01"}) {
    std::string once = sidecar::sanitize_alert_id(raw);
    CHECK(sidecar::sanitize_alert_id(once) == once);
  }
}

TEST_CASE("CRLF, BOM, spaces and case are tolerated", "[operator]") {
  Run run;
  write_file(run.file("crlf"), "Stop Job\r\n");
  write_file(run.file("bom"), "\xEF\xBB\xBF  stop job  \n\n");
  write_file(run.file("lead"), "\n\nContinue Anyway\n");
  auto crlf = run.watcher("crlf").poll();
  REQUIRE(crlf);
  CHECK(crlf->action == Action::kStop);
  auto bom = run.watcher("bom").poll();
  REQUIRE(bom);
  CHECK(bom->valid);
  CHECK(bom->choice == "Stop Job");  // the alert's spelling
  auto lead = run.watcher("lead").poll();
  REQUIRE(lead);
  CHECK(lead->choice == "Continue Anyway");
}

TEST_CASE("answers outside the choices take the fallback, never a substring", "[operator]") {
  Run run;
  for (const char* text : {"Don't stop\n", "Stop\n", "Stop Job please\n", "Maybe\n", "Stop Jobs\n"}) {
    INFO(text);
    std::string id = "x" + std::to_string(std::hash<std::string>{}(text) % 100000);
    write_file(run.file(id), text);
    auto a = run.watcher(id).poll();
    REQUIRE(a);
    CHECK_FALSE(a->valid);
    CHECK(a->action == Action::kContinue);
    CHECK(a->problem.find("is not one of the alert's choices") != std::string::npos);
    CHECK(a->problem.find("using the default (continue)") != std::string::npos);
  }
  ActionTable strict;
  strict.fallback = Action::kStop;
  write_file(run.file("m"), "Maybe\n");
  auto m = run.watcher("m", strict).poll();
  REQUIRE(m);
  CHECK(m->action == Action::kStop);
  CHECK(m->problem ==
        "'Maybe' is not one of the alert's choices ('Continue Anyway', 'Stop Job'); using the default (stop)");
}

TEST_CASE("a valid choice missing from the table takes the table's fallback", "[operator]") {
  auto a = sidecar::match_answer("Restart", {"Restart", "Stop Job"}, ActionTable{});
  CHECK(a.valid);
  CHECK(a.action == Action::kContinue);
  ActionTable t;
  t.map.emplace_back("Restart", Action::kStop);
  CHECK(sidecar::match_answer("restart", {"Restart", "Stop Job"}, t).action == Action::kStop);
  CHECK(sidecar::match_answer("Ignore", {"Ignore", "Stop Job"}, ActionTable{}).action == Action::kContinue);
}

TEST_CASE("alert ids are made safe as file names", "[operator]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"preflight-gpu_occupied-17.5", "preflight-gpu_occupied-17.5"},
      {"../../etc/passwd", "_._.__etc_passwd"},
      {"..", "_."},
      {".hidden", "_hidden"},
      {"a/b\\c d\n", "a_b_c_d_"},
      {"", "alert"},
  };
  for (const auto& [raw, safe] : cases) CHECK(sidecar::sanitize_alert_id(raw) == safe);
  CHECK(sidecar::sanitize_alert_id(std::string(1000, 'x')).size() == 128);
  for (const char* raw : {"..", "../..", "a/../b", "....", "/abs", "x/..", "\0..", "%2e%2e"}) {
    std::string id = sidecar::sanitize_alert_id(raw);
    INFO(raw << " -> " << id);
    CHECK(id.find("..") == std::string::npos);
    CHECK(id.find('/') == std::string::npos);
    CHECK_FALSE(id.empty());
    CHECK(id[0] != '.');
  }
  // The watcher reads inside <run_dir>/alerts/ whatever the id.
  Run run;
  CHECK(run.watcher("../../x").path() == run.dir.str() + "/alerts/_._.__x.response");
}

TEST_CASE("a response that is a directory or a symlink is ignored", "[operator]") {
  Run run;
  std::filesystem::create_directories(run.file("dir"));
  CHECK_FALSE(run.watcher("dir").poll());
  write_file((run.dir.path / "elsewhere").string(), "Stop Job\n");
  std::filesystem::create_symlink(run.dir.path / "elsewhere", run.file("link"));
  CHECK_FALSE(run.watcher("link").poll());
}

TEST_CASE("ask_operator: bounded, answers from the file or another channel", "[operator]") {
  Run run;
  gpu_test::FakeClock fc;
  sidecar::AskOptions o;
  o.timeout_s = 2;
  o.poll_s = 0.5;
  o.default_choice = "Stop Job";
  auto none = sidecar::ask_operator(run.dir.str(), "q", kChoices, ActionTable{}, o, nullptr, fc.clock());
  CHECK(none.decided_by == "default");
  CHECK(none.choice == "Stop Job");
  CHECK(none.action == Action::kStop);
  CHECK(fc.slept == Approx(2));

  int calls = 0;
  auto late = [&]() -> std::optional<std::string> {
    if (++calls < 3) return std::nullopt;
    return std::string("Continue Anyway");
  };
  auto tty = sidecar::ask_operator("", "q", kChoices, ActionTable{}, o, late, fc.clock());
  CHECK(tty.decided_by == "tty");
  CHECK(tty.action == Action::kContinue);
  CHECK(calls == 3);

  write_file(run.file("q"), "Continue Anyway\n");
  auto file = sidecar::ask_operator(run.dir.str(), "q", kChoices, ActionTable{}, o, nullptr, fc.clock());
  CHECK(file.decided_by == "response_file");
  CHECK(file.choice == "Continue Anyway");
}

TEST_CASE("FdLineReader returns whole lines without blocking", "[operator]") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  sidecar::FdLineReader r(p[0]);
  CHECK_FALSE(r.poll());
  REQUIRE(::write(p[1], "Stop", 4) == 4);
  CHECK_FALSE(r.poll());
  REQUIRE(::write(p[1], " Job\r\nnext", 10) == 10);
  auto line = r.poll();
  REQUIRE(line);
  CHECK(*line == "Stop Job");
  CHECK_FALSE(r.poll());
  ::close(p[1]);
  auto last = r.poll();
  REQUIRE(last);
  CHECK(*last == "next");
  CHECK(r.eof());
  ::close(p[0]);
}

TEST_CASE("playbook operator: section", "[operator][options]") {
  auto tree = sidecar::parse_yaml(
      "operator:\n  actions:\n    Stop Job: continue\n    Kill It: stop\n  fallback: stop\n", "pb.yaml");
  REQUIRE(tree.ok());
  ActionTable t;
  std::vector<sidecar::Status> errors;
  sidecar::read_operator_options(*tree, &t, &errors);
  CHECK(errors.empty());
  CHECK(t.action_for("Stop Job") == Action::kContinue);
  CHECK(t.action_for("Kill It") == Action::kStop);
  CHECK(t.action_for("Something") == Action::kStop);

  auto bad = sidecar::parse_yaml("operator:\n  actions:\n    Stop Job: halt\n  fallbak: stop\n", "pb.yaml");
  errors.clear();
  ActionTable t2;
  sidecar::read_operator_options(*bad, &t2, &errors);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message().find("pb.yaml:3:") == 0);
  CHECK(errors[0].message().find("expected stop or continue, got 'halt'") != std::string::npos);
  CHECK(errors[1].message().find("did you mean 'fallback'") != std::string::npos);
  CHECK(t2.action_for("Stop Job") == Action::kStop);
}
