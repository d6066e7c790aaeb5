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

#include "common/temp_dir.h"
#include "sidecar/history.h"

namespace fs = std::filesystem;
using sidecar::test::TempDir;

namespace {

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

sidecar::HistoryOptions keeping(std::size_t max_rows) {
  sidecar::HistoryOptions opt;
  opt.max_rows = max_rows;
  return opt;
}

void append_text(const fs::path& h, const std::string& text) { std::ofstream(h, std::ios::app) << text; }

// Appends row(from) .. row(to - 1) to the history file h, each append required to succeed.
void append_rows(const fs::path& h, int from, int to, const sidecar::HistoryOptions& opt) {
  for (int i = from; i < to; ++i) REQUIRE(sidecar::append_history(h.string(), row(i), opt).ok());
}

}  // namespace

TEST_CASE("history: a training log given as the history file is refused and left untouched", "[history]") {
  TempDir d("history");
  auto log = d.path / "train.log";
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "step " + std::to_string(i) + " loss 0.5\n";
  std::ofstream(log) << text;
  const auto opt = keeping(10);
  auto st = sidecar::append_history(log.string(), row(1), opt);
  CHECK_FALSE(st.ok());
  CHECK(st.code() == sidecar::StatusCode::kInvalidArgument);
  CHECK(st.message().find("not a sidecar history file") != std::string::npos);
  CHECK(slurp(log) == text);
}

TEST_CASE("history: compaction keeps lines it cannot parse and drops only the oldest rows", "[history]") {
  TempDir d("history");
  auto h = d.path / "h.jsonl";
  const auto opt = keeping(20);
  append_rows(h, 0, 19, opt);
  append_text(h, "{\"run_id\":\"torn\ngarbage line\n");
  append_rows(h, 19, 25, opt);
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
  TempDir d("history");
  auto h = d.path / "h.jsonl";
  const auto opt = keeping(5);
  append_rows(h, 0, 5, opt);
  std::string junk;
  for (int i = 0; i < 100; ++i) junk += "junk " + std::to_string(i) + "\n";
  append_text(h, junk);
  std::string before = slurp(h);
  REQUIRE(sidecar::append_history(h.string(), row(5), opt).ok());
  std::string after = slurp(h);
  CHECK(after.substr(0, before.size()) == before);
  CHECK(lines(h).size() == 5 + 100 + 1);
}

TEST_CASE("history: the compaction temp file is never a predictable name", "[history]") {
  TempDir d("history");
  auto h = d.path / "h.jsonl";
  auto victim = d.path / "victim";
  std::ofstream(victim) << "precious\n";
  const auto opt = keeping(3);
  append_rows(h, 0, 3, opt);
  fs::create_symlink(victim, h.string() + ".tmp." + std::to_string(::getpid()));
  REQUIRE(sidecar::append_history(h.string(), row(3), opt).ok());  // compacts
  CHECK(slurp(victim) == "precious\n");
  CHECK(lines(h).size() == 3);
  for (const auto& e : fs::directory_iterator(d.path))
    if (!e.is_symlink()) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("history: a symlinked history file stays a symlink after compaction", "[history]") {
  TempDir d("history");
  auto real = d.path / "shared.jsonl";
  auto link = d.path / "h.jsonl";
  const auto opt = keeping(2);
  REQUIRE(sidecar::append_history(real.string(), row(0), opt).ok());
  fs::create_symlink(real, link);
  append_rows(link, 1, 4, opt);
  CHECK(fs::is_symlink(link));
  CHECK(lines(real).size() == 2);
}
