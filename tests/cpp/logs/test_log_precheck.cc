// The quiet test run ahead (LogPrechecker) changes nothing in what a
// LogStream finds; the logged-exception wording of the traceback syndrome.
#include <simdjson.h>
#include <algorithm>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "log_matches.h"
#include "sidecar/config.h"
#include "sidecar/log_scan.h"

namespace fs = std::filesystem;
using sidecar::LogMatch;
using sidecar::LogOptions;
using sidecar::LogPrecheck;
using sidecar::LogPrechecker;
using sidecar::LogScanner;
using sidecar::LogStream;
using namespace sidecar::test;  // log_matches.h

namespace {

std::shared_ptr<const LogScanner> scanner_with(std::size_t max_line_bytes) {
  auto tree = sidecar::default_playbook_tree();
  REQUIRE(tree.ok());
  LogOptions opts;
  std::vector<sidecar::Status> errors;
  sidecar::read_log_options(*tree, &opts, &errors);
  REQUIRE(errors.empty());
  opts.max_line_bytes = max_line_bytes;
  auto s = LogScanner::create(opts);
  REQUIRE(s.ok());
  return s.value();
}

// Quiet training lines with every test corpus file (findings, tracebacks,
// look-alikes) spread among them, progress bars with \r, ANSI colour, a NUL,
// and lines longer than max_line_bytes.
std::string mixed_log() {
  std::vector<std::string> parts;
  for (const auto& dir : fs::recursive_directory_iterator(fs::path(SIDECAR_TEST_DATA) / "logs"))
    if (dir.path().extension() == ".log") parts.push_back(read_file(dir.path()));
  std::sort(parts.begin(), parts.end());
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (int k = 0; k < 400; ++k)
      text +=
          "{'loss': 0." + std::to_string(1000 + k) + ", 'learning_rate': 2e-05, 'epoch': " + std::to_string(i) + "}\n";
    text += " 40%|####      | 4/10 [00:01<00:02]\r 50%|#####     | 5/10 [00:02<00:02]\n";
    if (i % 5 == 1) text += "\x1b[32mINFO\x1b[0m step " + std::to_string(i) + " ok\n";
    if (i % 7 == 2) text += std::string(3000, 'x') + " Killed\n";  // over max_line_bytes: only its start is scanned
    if (i % 9 == 4) text += std::string("step\0 9 ok\n", 11);
    text += parts[i];
    if (!text.empty() && text.back() != '\n') text += '\n';
  }
  return text;
}

std::vector<LogMatch> fed(std::shared_ptr<const LogScanner> scanner, const std::string& text, std::size_t chunk,
                          LogPrechecker* checker, std::size_t* quiet_chunks, std::uint64_t* lines) {
  LogStream s(std::move(scanner), "t");
  std::vector<LogMatch> out;
  for (std::size_t at = 0, i = 0; at < text.size(); at += chunk, ++i) {
    std::string_view piece = std::string_view(text).substr(at, chunk);
    if (checker && i % 2 == 1) {
      LogPrecheck pre = checker->check(piece);
      *quiet_chunks += pre.quiet;
      s.feed(piece, &out, pre);
    } else {
      s.feed(piece, &out);
    }
  }
  s.flush(&out);
  *lines = s.lines_seen();
  return out;
}

}  // namespace

TEST_CASE("LogPrechecker: feeding with the quiet test done ahead finds the same, line for line", "[logs][precheck]") {
  auto scanner = scanner_with(2048);
  const std::string text = mixed_log();
  std::size_t unused = 0;
  std::uint64_t lines_plain = 0;
  const auto plain = fed(scanner, text, text.size(), nullptr, &unused, &lines_plain);
  REQUIRE(plain.size() > 100);
  // The larger chunks: a hit in each of their first pieces (this log is dense), so mostly scanned as always.
  for (std::size_t chunk :
       {std::size_t{997}, std::size_t{4096}, std::size_t{16384}, std::size_t{300000}, std::size_t{1} << 20}) {
    LogPrechecker checker(scanner);
    std::size_t quiet = 0;
    std::uint64_t lines = 0;
    const auto got = fed(scanner, text, chunk, &checker, &quiet, &lines);
    INFO("chunk " << chunk);
    if (chunk < 65536) CHECK(quiet > 0);  // the fast path was taken
    CHECK(lines == lines_plain);
    check_same_matches(got, plain);
  }
}

TEST_CASE("LogPrechecker: what a check says about a chunk", "[logs][precheck]") {
  auto scanner = scanner_with(65536);
  LogPrechecker checker(scanner);
  SECTION("quiet lines after the first newline are counted") {
    LogPrecheck pre = checker.check("partial line\nstep 1 ok\nstep 2 ok\nhalf");
    CHECK(pre.quiet);
    CHECK(pre.begin == 13);
    CHECK(pre.end == 33);
    CHECK(pre.newlines == 2);
  }
  SECTION("a hit, an ESC, a NUL or no complete line is not quiet") {
    CHECK_FALSE(checker.check("x\nRuntimeError: CUDA out of memory.\n").quiet);
    CHECK_FALSE(checker.check("x\n\x1b[1mstep\n").quiet);
    CHECK_FALSE(checker.check(std::string("x\nst\0ep\n", 8)).quiet);
    CHECK_FALSE(checker.check("x\n").quiet);
    CHECK_FALSE(checker.check("no newline").quiet);
    CHECK_FALSE(checker.check("").quiet);
    // The text after a \r is a line of its own: the anchored "Killed" is found.
    CHECK_FALSE(checker.check("x\n 5%|#  | 5/100\rKilled\n").quiet);
  }
  SECTION("a check from another scanner, or for other bytes, is ignored") {
    const std::string text = "step 0\nstep 1 ok\nRuntimeError: CUDA out of memory.\n";
    LogPrecheck quiet = checker.check("step 0\nstep 1 ok\nstep 2 ok and more bytes than that!\n");
    REQUIRE(quiet.quiet);
    LogStream s(scanner, "t");
    std::vector<LogMatch> out;
    s.feed(text, &out, quiet);  // end does not match this chunk's last newline
    CHECK(out.size() == 1);
    LogPrechecker other(scanner_with(4096));
    LogPrecheck foreign = other.check(text.substr(0, 17));
    REQUIRE(foreign.quiet);
    foreign.newlines = 40;  // were it used, the stream would count 41 lines
    LogStream s2(scanner, "t");
    out.clear();
    s2.feed(text.substr(0, 17), &out, foreign);
    CHECK(s2.lines_seen() == 2);  // counted by the stream itself
  }
  SECTION("the quiet run ends before the first piece with a hit; the rest is scanned as always") {
    std::string text = "partial\n";
    while (text.size() < 300000) text += "step 1 ok\n";
    const std::size_t hit_at = text.size();
    text += "RuntimeError: CUDA out of memory.\n";
    while (text.size() < 400000) text += "step 2 ok\n";
    text += "RuntimeError: CUDA out of memory.\nhalf";
    LogPrecheck pre = checker.check(text);
    REQUIRE(pre.quiet);
    CHECK(pre.begin == 8);
    CHECK(pre.end > 100000);  // whole pieces before the hit
    CHECK(pre.end <= hit_at);
    CHECK(text[pre.end - 1] == '\n');
    LogStream a(scanner, "t"), b(scanner, "t");
    std::vector<LogMatch> got, want;
    a.feed(text, &got, pre);
    b.feed(text, &want);
    a.flush(&got);
    b.flush(&want);
    CHECK(got.size() == 2);
    check_same_matches(got, want);
    CHECK(a.lines_seen() == b.lines_seen());
  }
  SECTION("a finding held when a quiet chunk arrives still gets its exception") {
    LogStream s(scanner, "t");
    std::vector<LogMatch> out;
    s.feed("Traceback (most recent call last):\n", &out);
    std::string chunk = "  File \"a.py\", line 3, in <module>\n    main()\nKeyboardInterrupt\nstep 3 ok\n";
    LogPrecheck pre = checker.check(chunk);
    REQUIRE(pre.quiet);  // this exception line is no hit on its own
    s.feed(chunk, &out, pre);
    s.flush(&out);
    REQUIRE(out.size() == 1);
    CHECK(*sidecar::evidence_get(out[0].evidence, "exception") == "KeyboardInterrupt");
    CHECK(s.lines_seen() == 5);
  }
}

// The quiet test reads each piece in one vector pass (newlines, ESC/NUL, \r):
// a newline it missed would shift every later line number, an ESC, NUL or
// \r it missed would hide a finding (the raw bytes do not match where the
// normalised line does). So: long runs of newlines (more than one byte lane
// of the pass can count), and the one byte that matters at every offset of
// a 64-byte window and of the tail, against a stream fed byte by byte
// (which never takes the quiet path).
TEST_CASE("the quiet test counts every newline and sees every ESC, NUL and CR at any offset", "[logs][precheck]") {
  auto scanner = scanner_with(65536);
  for (std::size_t n : {1, 31, 32, 33, 255, 8159, 8160, 8161, 8192, 20000, 70000}) {
    const std::string text = "x\n" + std::string(n, '\n') + "step 1 ok\n";
    LogStream s(scanner, "t");
    std::vector<LogMatch> out;
    s.feed(text, &out);
    LogPrechecker checker(scanner);
    LogPrecheck pre = checker.check(text);
    INFO("newlines " << n);
    CHECK(s.lines_seen() == n + 2);
    CHECK(out.empty());
    CHECK(pre.quiet);
    CHECK(pre.newlines == n + 1);
  }
  const std::string messy[] = {" 5%|#  | 5/100\r[1]+  Killed                  python train.py\n",
                               "\x1b[31mKilled\x1b[0m\n", std::string("Kil\0led\n", 8)};
  for (const std::string& line : messy) {
    for (std::size_t shift = 0; shift < 100; ++shift) {
      std::string text = std::string(shift, 'a') + "\nstep 1 ok\n" + line;
      // With quiet lines after it the byte is in the pass's vector part, without them in its tail.
      for (std::size_t k = 0; shift % 2 == 0 && k < 8; ++k) text += "step 2 ok\n";
      std::vector<LogMatch> whole, bytes;
      LogStream a(scanner, "t"), b(scanner, "t");
      a.feed(text, &whole);
      for (char c : text) b.feed(std::string_view(&c, 1), &bytes);
      a.flush(&whole);
      b.flush(&bytes);
      INFO("line " << line.size() << " bytes, shift " << shift);
      REQUIRE(bytes.size() == 1);
      check_same_matches(whole, bytes);
      CHECK(a.lines_seen() == b.lines_seen());
    }
  }
}

// Anchors in a catalogue of one's own: the rewrite leaves ^ and $ inside a
// class or escaped alone, and a pattern it cannot read (\Q quoting), or one
// whose rewrite Vectorscan refuses though it takes it as written (an end
// anchor right after \z), makes its scanner copy pieces with a \r instead.
// Either way the text after a \r is a line of its own, in the quiet test as
// line by line.
TEST_CASE("anchored patterns of a catalogue of one's own are found after a progress bar's carriage return",
          "[logs][precheck]") {
  const std::vector<std::string> seconds = {"[$^]done\\^ \\$[0-9]+$", "^\\s*\\QHalted (?x)\\E$", "Stopped\\z$"};
  const std::vector<std::string> lines = {"Stopped", "^done^ $12", "Halted (?x)"};
  for (std::size_t c = 0; c < seconds.size(); ++c) {
    sidecar::SyndromeSpec spec;
    spec.name = "mine";
    spec.patterns = {"^\\s*Stopped\\s*$", seconds[c]};
    spec.message = "m";
    LogOptions opts;
    opts.syndromes = {spec};
    auto scanner = LogScanner::create(opts);
    REQUIRE(scanner.ok());
    LogPrechecker checker(scanner.value());
    for (std::size_t l = 0; l < lines.size(); ++l) {
      const bool mine = l == 0 || l == c + 1;  // the first pattern's line, and the second's own
      const std::string text = "x\n 5%|#  | 5/100\r" + lines[l] + "\r 6%|#  | 6/100\nstep 1 ok\n";
      INFO(seconds[c] << " on " << lines[l]);
      CHECK(checker.check(text).quiet == !mine);
      CHECK(checker.check("x\n" + lines[l] + "!\n").quiet);  // not at a line's end
      LogStream a(scanner.value(), "t");
      std::vector<LogMatch> out;
      a.feed(text, &out);
      a.flush(&out);
      CHECK(out.size() == (mine ? 1u : 0u));
    }
  }
}

// The quiet test scans raw text, where the database's ^ and $ also anchor at
// a \r (the text after a progress bar is a line of its own). So on every line
// of the real-line corpus (tests/data/log_corpus): a line that is not quiet
// alone is not quiet either after a progress bar and its \r, or before one.
TEST_CASE("a corpus line glued to a progress bar is never quieter than the line alone", "[logs][precheck]") {
  auto scanner = scanner_with(65536);
  LogPrechecker checker(scanner);
  const std::string bar = " 42%|####2     | 42/100 [00:07<00:09,  6.1it/s]";
  simdjson::dom::parser parser;
  std::size_t lines = 0, hits = 0;
  for (const auto& f : fs::directory_iterator(fs::path(SIDECAR_TEST_DATA) / "log_corpus")) {
    if (f.path().extension() != ".jsonl") continue;
    std::istringstream in(read_file(f.path()));
    for (std::string item; std::getline(in, item);) {
      std::string_view text;
      REQUIRE(parser.parse(item)["text"].get(text) == simdjson::SUCCESS);
      for (std::size_t at = 0; at <= text.size();) {
        std::size_t nl = std::min(text.find('\n', at), text.size());
        const std::string line(text.substr(at, nl - at));
        at = nl + 1;
        ++lines;
        if (line.find('\r') != std::string::npos || checker.check("x\n" + line + "\n").quiet) continue;
        ++hits;
        INFO(f.path().filename().string() << ": " << line);
        CHECK_FALSE(checker.check("x\n" + bar + "\r" + line + "\n").quiet);
        CHECK_FALSE(checker.check("x\n" + line + "\r" + bar + "\n").quiet);
      }
    }
  }
  CHECK(lines > 20000);
  CHECK(hits > 4000);
}

TEST_CASE("traceback: an exception a logger printed at error level is one finding carrying it", "[logs][traceback]") {
  auto scanner = scanner_with(65536);
  LogStream s(scanner, "t");
  std::vector<LogMatch> out;
  s.feed(
      "(APIServer pid=1) ERROR 05-05 12:36:59 [serving.py:1173] vllm.v1.engine.exceptions.EngineDeadError: EngineCore "
      "encountered an issue. See stack trace (above) for the root cause.\n",
      &out);
  CHECK(out.empty());  // held: a chained exception may follow
  s.settle(&out);      // but it is complete: settle emits it
  REQUIRE(out.size() == 1);
  CHECK(out[0].syndrome == "traceback");
  CHECK(*sidecar::evidence_get(out[0].evidence, "exception_type") == "vllm.v1.engine.exceptions.EngineDeadError");
  CHECK(*sidecar::evidence_get(out[0].evidence, "exception_class") == "EngineDeadError");
  CHECK(sidecar::evidence_get(out[0].evidence, "exception")->rfind("vllm.v1.engine.exceptions.EngineDeadError: ", 0) ==
        0);
  // Look-alikes: a warning class, an INFO line, an unqualified name after ERROR, a config echo.
  for (const char* line :
       {"WARNING 05-05 12:36:59 [x.py:1] urllib3.exceptions.InsecureRequestWarning: Unverified HTTPS request",
        "INFO 05-05 12:36:59 [retry.py:20] requests.exceptions.ConnectionError: retrying (1/5)",
        "ERROR: could not find a version that satisfies the requirement torch==9.9",
        "error_handler: raise_on=myproj.errors.ConfigError"}) {
    LogStream q(scanner, "t");
    std::vector<LogMatch> got;
    q.feed(std::string(line) + "\n", &got);
    q.flush(&got);
    INFO(line);
    CHECK(got.empty());
  }
}
