// The run report: the SVG writer, the downsampler, the builder, the HTML and
// reading a run directory back.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "sidecar/detail/svg.h"
#include "sidecar/report.h"

namespace fs = std::filesystem;
using sidecar::ReportPoint;
using sidecar::SeriesDownsampler;
using sidecar::test::TempDir;

namespace {

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::size_t total_points(const SeriesDownsampler& d) {
  std::size_t n = 0;
  for (const auto& s : d.segments()) n += s.size();
  return n;
}

// Every element opened is closed, in order (a tiny well-formedness check).
bool balanced(const std::string& xml) {
  std::vector<std::string> stack;
  for (std::size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return false;
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.empty() || tag[0] == '!') continue;
    if (tag.back() == '/') continue;
    std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
    if (name == "br" || name == "meta" || name == "hr") continue;  // void HTML elements
    if (name[0] == '/') {
      if (stack.empty() || stack.back() != name.substr(1)) return false;
      stack.pop_back();
    } else {
      stack.push_back(name);
    }
  }
  return stack.empty();
}

std::string body_of(const std::string& html) {
  std::size_t a = html.find("<body>"), b = html.find("</body>");
  return a == std::string::npos || b == std::string::npos ? std::string("<") : html.substr(a, b + 7 - a);
}

}  // namespace

TEST_CASE("xml_escape escapes markup and repairs bad bytes", "[report][svg]") {
  using sidecar::detail::xml_escape;
  CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(xml_escape("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(xml_escape(std::string("x\xFFy", 3)) == "x\xEF\xBF\xBDy");
  CHECK(xml_escape(std::string("a\0b\x1b", 4)) == "ab");
  CHECK(xml_escape("tab\there") == "tab\there");
}

TEST_CASE("svg coordinates and values are compact and finite", "[report][svg]") {
  using sidecar::detail::format_value;
  using sidecar::detail::svg_coord;
  CHECK(svg_coord(12.0) == "12");
  CHECK(svg_coord(12.34) == "12.3");
  CHECK(svg_coord(-0.5) == "-0.5");
  CHECK(svg_coord(-0.01) == "0");
  CHECK(svg_coord(std::nan("")) == "0");
  CHECK(svg_coord(INFINITY) == "0");
  CHECK(format_value(0.52341) == "0.5234");
  CHECK(format_value(1.5e30) == "1.5e+30");
  CHECK(format_value(std::nan("")) == "NaN");
  CHECK(format_value(-INFINITY) == "-Inf");
  CHECK(format_value(12345.0) == "12345");
}

TEST_CASE("axis ticks are round and cover the range", "[report][svg]") {
  auto t = sidecar::detail::linear_ticks(0.0, 97.0, 5);
  REQUIRE(t.size() >= 4);
  CHECK(t.front().value == 0.0);
  CHECK(t[1].value == 20.0);
  CHECK(t.back().value <= 97.0);
  auto lt = sidecar::detail::log_ticks(0.05, 2e6);
  REQUIRE(!lt.empty());
  CHECK(lt.front().value == Approx(0.1));
  CHECK(lt.size() <= 8);
  CHECK(sidecar::detail::log_ticks(-1, 10).empty());
  CHECK(sidecar::detail::linear_ticks(NAN, 1).empty());
  CHECK(sidecar::detail::linear_ticks(3, 3).size() == 1);
}

TEST_CASE("SvgWriter produces balanced markup with titles", "[report][svg]") {
  sidecar::detail::SvgWriter svg(100, 50, {{"class", "plot"}});
  svg.open("g", {{"class", "a<b"}});
  svg.leaf("line", {{"x1", "0"}, {"y1", "0"}, {"x2", "1"}, {"y2", "1"}}, "hover <here>");
  svg.polyline({{0, 0}, {1.25, 2}, {NAN, 3}}, {{"stroke", "red"}});
  svg.text(1, 2, "a & b");
  svg.open("g");  // left open: finish() closes it
  std::string out = svg.finish();
  CHECK(out.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\" class=\"plot\">", 0) == 0);
  CHECK(out.find("class=\"a&lt;b\"") != std::string::npos);
  CHECK(out.find("<title>hover &lt;here&gt;</title>") != std::string::npos);
  CHECK(out.find("points=\"0,0 1.3,2 0,3\"") != std::string::npos);
  CHECK(out.find(">a &amp; b</text>") != std::string::npos);
  CHECK(balanced(out));
}

TEST_CASE("the downsampler keeps every extreme and bounds its output", "[report][downsample]") {
  SeriesDownsampler d(100);
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    double y = std::sin(i * 0.001);
    if (i == 123457) y = 50.0;   // a one-point spike
    if (i == 765431) y = -40.0;  // a one-point dip
    d.add(i, y);
  }
  CHECK(d.count() == static_cast<std::uint64_t>(n));
  auto segs = d.segments();
  REQUIRE(segs.size() == 1);
  CHECK(total_points(d) <= 400);
  CHECK(total_points(d) >= 100);
  bool spike = false, dip = false;
  double prev_x = -1;
  bool monotone = true;
  for (const ReportPoint& p : segs[0]) {
    spike = spike || (p.y == 50.0 && p.x == 123457);
    dip = dip || (p.y == -40.0 && p.x == 765431);
    monotone = monotone && p.x > prev_x;
    prev_x = p.x;
  }
  CHECK(spike);
  CHECK(dip);
  CHECK(monotone);
  CHECK(segs[0].front().x == 0);
  CHECK(segs[0].back().x == n - 1);  // the last point is kept
  CHECK(*d.max_finite() == 50.0);
  CHECK(*d.min_finite() == -40.0);
}

TEST_CASE("the downsampler keeps short series whole", "[report][downsample]") {
  SeriesDownsampler d(500);
  for (int i = 0; i < 300; ++i) d.add(i, i * 2.0);
  REQUIRE(d.segments().size() == 1);
  CHECK(d.segments()[0].size() == 300);
}

TEST_CASE("non-finite values become markers and break the line", "[report][downsample]") {
  SeriesDownsampler d(50, 10);
  for (int i = 0; i < 20; ++i) d.add(i, 1.0 + i);
  d.add(20, std::numeric_limits<double>::quiet_NaN());
  d.add(21, INFINITY);
  for (int i = 22; i < 30; ++i) d.add(i, 2.0);
  for (int i = 30; i < 1000; ++i) d.add(i, std::numeric_limits<double>::quiet_NaN());
  CHECK(d.nonfinite_count() == 972);
  auto nf = d.nonfinite();
  REQUIRE(nf.size() == 10);
  CHECK(nf[0].x == 20);
  CHECK(std::isnan(nf[0].y));
  CHECK(nf[1].x == 21);
  CHECK(std::isinf(nf[1].y));
  CHECK(nf.back().x == 999);  // the latest non-finite point is kept
  CHECK(nf[5].x < nf[9].x);
  auto segs = d.segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].back().x == 19);
  CHECK(segs[1].front().x == 22);
  CHECK(*d.last_finite() == 2.0);
}

TEST_CASE("a 10 M-point series stays bounded", "[report][downsample][.slow]") {
  SeriesDownsampler d(500);
  for (int i = 0; i < 10000000; ++i) d.add(i, 1.0 / (1 + i));
  CHECK(total_points(d) <= 2000);
}

namespace {

sidecar::Alert make_alert(std::string id, std::int64_t step, sidecar::Severity sev, std::string syndrome,
                          std::string msg) {
  sidecar::Alert a;
  a.id = std::move(id);
  a.ts = 1000.0 + static_cast<double>(step);
  a.run_id = "r1";
  a.decision.step = step;
  a.decision.severity = sev;
  a.decision.syndrome = std::move(syndrome);
  a.decision.message = std::move(msg);
  a.decision.evidence = {{"value", "nan"}};
  return a;
}

}  // namespace

TEST_CASE("the builder binds keys to roles and renders panels with alert markers", "[report][html]") {
  sidecar::ReportBuilder b;
  for (int step = 0; step < 200; ++step) {
    double loss = step < 150 ? 2.0 * std::exp(-step / 50.0) : (step < 170 ? std::pow(10.0, step - 148) : NAN);
    sidecar::MetricValue vals[] = {
        {"train/loss", loss}, {"grad_norm", 1.0 + step}, {"lr", 0.1}, {"samples_per_second", 100.0}};
    sidecar::MetricRow row;
    row.step = step;
    row.timestamp = 1000.0 + step;
    row.values = vals;
    b.observe(row);
  }
  b.add_alert(make_alert("a1", 152, sidecar::Severity::kWarning, "loss_spike", "loss <spiked> 100x"));
  b.add_alert(make_alert("a2", 170, sidecar::Severity::kCritical, "nan_loss", "loss is NaN"));
  b.facts().command = "python train.py --lr 3";
  b.facts().status = "failed";
  b.facts().exit_code = 1;
  sidecar::ReportData d = b.build();
  REQUIRE(d.series.size() == 3);  // lr is not plotted
  CHECK(d.series[0].key == "train/loss");
  CHECK(d.series[0].nonfinite_count == 30);
  CHECK(d.facts.rows == 200);
  CHECK(d.facts.started_at == Approx(1000.0));
  std::string html = sidecar::render_report_html(d);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count(html, "<svg ") == 3);  // loss, throughput, grad norm
  CHECK(html.find(">Loss</text>") != std::string::npos);
  CHECK(html.find(">log scale</text>") != std::string::npos);  // the loss spans decades
  CHECK(html.find(">Throughput</text>") != std::string::npos);
  CHECK(html.find(">Gradient norm</text>") != std::string::npos);
  CHECK(html.find("loss &lt;spiked&gt; 100x") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // no external resource
  CHECK(html.find("https://") == std::string::npos);
  CHECK(count(html, "class=\"mark\"") == 6);  // 2 alerts x 3 panels
  CHECK(html.find("train/loss = NaN at step 170") != std::string::npos);
  CHECK(html.find("python train.py --lr 3") != std::string::npos);
  CHECK(balanced(body_of(html)));
}

TEST_CASE("a report with no metrics and no alerts still renders", "[report][html]") {
  sidecar::ReportData d;
  std::string html = sidecar::render_report_html(d);
  CHECK(html.find("No metric series to plot") != std::string::npos);
  CHECK(html.find("No alerts.") != std::string::npos);
  CHECK(balanced(body_of(html)));
}

TEST_CASE("log excerpts anchor on the evidence line, its number or the step", "[report][log]") {
  TempDir t;
  std::string log = t.file("run.log");
  std::string text;
  for (int i = 1; i <= 100; ++i) {
    if (i == 40)
      text += "{'loss': 1e+30, 'step': 57}\n";
    else if (i == 80)
      text += "\x1b[31mRuntimeError: CUDA error: an illegal memory access\x1b[0m\n";
    else
      text += "line " + std::to_string(i) + "\n";
  }
  write_file(log, text);
  std::vector<sidecar::Alert> alerts(3);
  alerts[0].decision.step = 57;
  alerts[1].decision.evidence = {{"line", "RuntimeError: CUDA error: an illegal memory access"}};
  alerts[2].decision.evidence = {{"line_no", "10"}};
  std::vector<sidecar::LogExcerpt> ex;
  std::vector<std::string> tail;
  sidecar::ReportOptions o;
  sidecar::read_log_excerpts(log, alerts, o, &ex, &tail);
  REQUIRE(ex.size() == 3);
  CHECK(ex[0].anchor_line == 40);
  CHECK(ex[0].first_line == 37);
  REQUIRE(ex[0].lines.size() == 7);
  CHECK(ex[0].lines[3] == "{'loss': 1e+30, 'step': 57}");
  CHECK(ex[1].anchor_line == 80);
  CHECK(ex[1].lines[3] == "RuntimeError: CUDA error: an illegal memory access");  // ANSI codes stripped
  CHECK(ex[2].anchor_line == 10);
  REQUIRE(tail.size() == o.log_tail_lines);
  CHECK(tail.back() == "line 100");
  // A missing log: empty excerpts, no crash.
  sidecar::read_log_excerpts(t.file("nope.log"), alerts, o, &ex, &tail);
  CHECK(ex.size() == 3);
  CHECK(ex[0].lines.empty());
  CHECK(tail.empty());
}

TEST_CASE("a run directory is read back into a report", "[report][load]") {
  TempDir t;
  std::string metrics;
  for (int s = 1; s <= 60; ++s) {
    std::string loss = s < 50 ? std::to_string(1.0 / s) : "NaN";
    metrics += "{\"step\": " + std::to_string(s) + ", \"loss\": " + loss +
               ", \"val/accuracy\": " + std::to_string(0.5 + s * 0.005) +
               ", \"_timestamp\": " + std::to_string(1700000000 + s) + "}\n";
  }
  metrics += "not json\n";
  write_file(t.file("metrics.jsonl"), metrics);
  write_file(t.file("run.log"), "start\n{'loss': nan, 'step': 50}\nTraceback (most recent call last):\nboom\n");
  write_file(t.file("sidecar/alerts.jsonl"),
             "{\"type\":\"alert\",\"id\":\"a-1\",\"ts\":1700000050,\"run_id\":\"run-7\",\"step\":50,\"source\":"
             "\"rulebased\",\"syndrome\":\"nan_loss\",\"severity\":\"critical\",\"message\":\"loss is NaN\","
             "\"choices\":[\"Ignore\",\"Stop Job\"],\"signature\":\"rulebased:nan_loss:loss\",\"evidence\":{\"key\":"
             "\"loss\"},\"incident\":\"inc-1\"}\n"
             "garbage\n"
             "{\"type\":\"resolved\",\"alert_id\":\"a-1\",\"ts\":1700000055,\"source\":\"rulebased\",\"syndrome\":"
             "\"nan_loss\",\"signature\":\"s\",\"duration_s\":5}\n");
  write_file(t.file("sidecar/status.json"),
             "{\"type\":\"status\",\"status\":\"failed\",\"exit_code\":1,\"updated_at\":1700000061,"
             "\"monitor_note\":\"profile=supervised\",\"monitoring\":{\"profile\":\"supervised\"}}\n");
  write_file(t.file("sidecar/run.json"),
             "{\"command\":\"python train.py\",\"started_at\":1700000000,\"gpus\":[{\"index\":0,\"name\":\"H100\"}]}");
  sidecar::RunReportInputs in;
  in.run_dir = t.path;
  auto d = sidecar::load_run_report(in);
  REQUIRE(d);
  CHECK(d->facts.run_id == "run-7");
  CHECK(d->facts.status == "failed");
  CHECK(d->facts.exit_code == 1);
  CHECK(d->facts.command == "python train.py");
  CHECK(d->facts.profile == "supervised");
  REQUIRE(d->facts.gpus.size() == 1);
  CHECK(d->facts.gpus[0] == "0 (H100)");
  CHECK(d->facts.rows == 60);
  CHECK(d->facts.malformed_rows == 1);
  REQUIRE(d->alerts.size() == 1);
  CHECK(d->alerts[0].decision.syndrome == "nan_loss");
  CHECK(d->alerts[0].decision.severity == sidecar::Severity::kCritical);
  CHECK(d->incident_ids[0] == "inc-1");
  REQUIRE(d->resolved.size() == 1);
  REQUIRE(d->excerpts.size() == 1);
  CHECK(d->excerpts[0].anchor_line == 2);
  CHECK(d->log_tail.back() == "boom");
  std::string out = t.file("sidecar/report.html");
  auto written = sidecar::write_run_report(in, out);
  REQUIRE(written);
  std::string html = read_file(out);
  CHECK(html.find("nan_loss") != std::string::npos);
  CHECK(html.find(">Validation / quality</text>") != std::string::npos);
  CHECK(html.find("inc-1") != std::string::npos);
  CHECK(html.find("0 (H100)") != std::string::npos);
  CHECK(html.find("1 malformed") != std::string::npos);

  // Not a directory: an error; a directory with nothing in it: a report that says so.
  in.run_dir = t.file("missing");
  CHECK(sidecar::load_run_report(in).status().code() == sidecar::StatusCode::kNotFound);
  TempDir empty;
  in.run_dir = empty.path;
  auto e = sidecar::load_run_report(in);
  REQUIRE(e);
  CHECK(e->notes.size() >= 3);
  CHECK(sidecar::write_report(*e, empty.file("no/such/dir/r.html")).code() == sidecar::StatusCode::kNotFound);
}

TEST_CASE("the baseline from history is compared", "[report][load]") {
  TempDir t;
  std::string metrics;
  for (int s = 1; s <= 30; ++s) metrics += "{\"step\": " + std::to_string(s) + ", \"loss\": 1.0, \"throughput\": 50}\n";
  write_file(t.file("metrics.jsonl"), metrics);
  write_file(t.file("sidecar/run.json"), "{\"run_id\":\"me\"}");
  std::string hist;
  for (int i = 0; i < 3; ++i)
    hist += "{\"run_id\":\"old" + std::to_string(i) +
            "\",\"status\":\"finished\",\"timestamp\":1,\"profile\":\"generic\",\"command_fingerprint\":\"fp\","
            "\"summary\":{\"throughput\":100}}\n";
  hist +=
      "{\"run_id\":\"me\",\"status\":\"finished\",\"timestamp\":2,\"profile\":\"generic\",\"command_fingerprint\":"
      "\"fp\",\"summary\":{\"throughput\":50}}\n";
  write_file(t.file("history.jsonl"), hist);
  sidecar::RunReportInputs in;
  in.run_dir = t.path;
  in.history_path = t.file("history.jsonl");
  auto d = sidecar::load_run_report(in);
  REQUIRE(d);
  REQUIRE(!d->baseline.empty());
  CHECK(d->baseline[0].metric.find("throughput") != std::string::npos);
  CHECK(*d->baseline[0].this_run == 50.0);
  CHECK(*d->baseline[0].baseline == 100.0);
  CHECK(d->baseline[0].baseline_runs == 3);
  std::string html = sidecar::render_report_html(*d);
  CHECK(html.find("0.50x") != std::string::npos);
  CHECK(html.find("class=\"baseline\"") != std::string::npos);  // the dashed line on the throughput panel
}

TEST_CASE("a 1 M-row run renders a small report quickly", "[report][load]") {
  TempDir t;
  {
    std::ofstream m(t.file("metrics.jsonl"));
    for (int s = 0; s < 1000000; ++s)
      m << "{\"step\":" << s << ",\"loss\":" << 2.0 / (1 + s * 1e-4)
        << ",\"grad_norm\":1.5,\"throughput\":" << 100 + (s % 7) << "}\n";
  }
  sidecar::RunReportInputs in;
  in.run_dir = t.path;
  auto start = std::chrono::steady_clock::now();
  auto out = sidecar::write_run_report(in, t.file("r.html"));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(out);
  auto size = fs::file_size(*out);
  INFO("size " << size << " bytes, " << secs << " s");
  CHECK(size < 2u * 1024 * 1024);
  CHECK(secs < 10.0);  // generous: the bench measures the 10 M-row figure on a quiet machine
}
