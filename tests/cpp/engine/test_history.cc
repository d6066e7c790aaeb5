// History store safety (issue 19.3, 19.12): a file that is not a history file
// is never written, compaction never drops a line it could not parse, and
// the rewrite never follows a planted symlink.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sidecar/history.h"

namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path path;
  Dir() {
    char tmpl[] = "/tmp/sidecar-history-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const fs::path& p) {
  std::vector<std::string> out;
  std::stringstream ss(slurp(p));
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

sidecar::HistoryRow row(int i) {
  sidecar::HistoryRow r;
  r.run_id = "r" + std::to_string(i);
  r.status = "finished";
  r.timestamp = 1.7e9 + i;
  r.command_fingerprint = "0123456789abcdef";
  r.summary = {{"throughput", 100.0}};
  return r;
}

}  // namespace

TEST_CASE("history: a training log given as the history file is refused and left untouched", "[history]") {
  Dir d;
  auto log = d.path / "train.log";
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "step " + std::to_string(i) + " loss 0.5\n";
  std::ofstream(log) << text;
  sidecar::HistoryOptions opt;
  opt.max_rows = 10;
  auto st = sidecar::append_history(log.string(), row(1), opt);
  CHECK_FALSE(st.ok());
  CHECK(st.code() == sidecar::StatusCode::kInvalidArgument);
  CHECK(st.message().find("not a sidecar history file") != std::string::npos);
  CHECK(slurp(log) == text);
}

TEST_CASE("history: compaction keeps lines it cannot parse and drops only the oldest rows", "[history]") {
  Dir d;
  auto h = d.path / "h.jsonl";
  sidecar::HistoryOptions opt;
  opt.max_rows = 20;
  for (int i = 0; i < 19; ++i) REQUIRE(sidecar::append_history(h.string(), row(i), opt).ok());
  {
    std::ofstream out(h, std::ios::app);
    out << "{\"run_id\":\"torn\n"
        << "garbage line\n";
  }
  for (int i = 19; i < 25; ++i) REQUIRE(sidecar::append_history(h.string(), row(i), opt).ok());
  auto ls = lines(h);
  CHECK(std::count(ls.begin(), ls.end(), "{\"run_id\":\"torn") == 1);
  CHECK(std::count(ls.begin(), ls.end(), "garbage line") == 1);
  auto file = sidecar::read_history(h.string());
  REQUIRE(file);
  CHECK(file->rows.size() == 20);
  CHECK(file->rows.front().run_id == "r5");
  CHECK(file->rows.back().run_id == "r24");
  CHECK(file->corrupt_lines == 2);
}

TEST_CASE("history: mostly junk after the rows is appended to, never rewritten", "[history]") {
  Dir d;
  auto h = d.path / "h.jsonl";
  sidecar::HistoryOptions opt;
  opt.max_rows = 5;
  for (int i = 0; i < 5; ++i) REQUIRE(sidecar::append_history(h.string(), row(i), opt).ok());
  {
    std::ofstream out(h, std::ios::app);
    for (int i = 0; i < 100; ++i) out << "junk " << i << "\n";
  }
  std::string before = slurp(h);
  REQUIRE(sidecar::append_history(h.string(), row(5), opt).ok());
  std::string after = slurp(h);
  CHECK(after.substr(0, before.size()) == before);
  CHECK(lines(h).size() == 5 + 100 + 1);
}

TEST_CASE("history: the compaction temp file is never a predictable name", "[history]") {
  Dir d;
  auto h = d.path / "h.jsonl";
  auto victim = d.path / "victim";
  std::ofstream(victim) << "precious\n";
  sidecar::HistoryOptions opt;
  opt.max_rows = 3;
  for (int i = 0; i < 3; ++i) REQUIRE(sidecar::append_history(h.string(), row(i), opt).ok());
  fs::create_symlink(victim, h.string() + ".tmp." + std::to_string(::getpid()));
  REQUIRE(sidecar::append_history(h.string(), row(3), opt).ok());  // compacts
  CHECK(slurp(victim) == "precious\n");
  CHECK(lines(h).size() == 3);
  for (const auto& e : fs::directory_iterator(d.path))
    if (!e.is_symlink()) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("history: a symlinked history file stays a symlink after compaction", "[history]") {
  Dir d;
  auto real = d.path / "shared.jsonl";
  auto link = d.path / "h.jsonl";
  sidecar::HistoryOptions opt;
  opt.max_rows = 2;
  REQUIRE(sidecar::append_history(real.string(), row(0), opt).ok());
  fs::create_symlink(real, link);
  for (int i = 1; i < 4; ++i) REQUIRE(sidecar::append_history(link.string(), row(i), opt).ok());
  CHECK(fs::is_symlink(link));
  CHECK(lines(real).size() == 2);
}
