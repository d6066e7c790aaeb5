// bench_sinks: what a sink costs the monitor loop, per call, against a naive
// peer that POSTs synchronously on the caller's thread.
//
//   bench_sinks [URL] [CALLS]     # URL: a research-agent server (default: a closed local port = "down")
//
// Prints "name | calls | mean us | p99 us | max us" rows:
//   sync-curl POST (peer)        one blocking libcurl request per status update
//   server sink on_snapshot      enqueue + coalesce (sender thread does the I/O)
//   server sink on_alert         enqueue (queue 256; drops counted when full)
//   alertmanager sink on_alert   enqueue
//   file sink on_snapshot        status.json rewrite (tmp + rename) on the caller's thread
//   file sink on_alert           one O_APPEND line
// Run with the fake server for an "up" peer:
//   python3 tests/support/fake_server.py --log /tmp/r.jsonl & bench_sinks http://127.0.0.1:PORT
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/free_port.h"  // tests/cpp/common: a closed local port = "down"
#include "sidecar/detail/sinks.h"
#include "sidecar/sinks.h"

namespace {

using namespace sidecar;

void row(const char* name, int calls, const std::function<void(int)>& f) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f(i);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  double sum = 0;
  for (double u : us) sum += u;
  std::sort(us.begin(), us.end());
  std::printf("%-30s | %7d | %9.2f | %9.2f | %10.2f\n", name, calls, sum / calls,
              us[static_cast<std::size_t>(0.99 * (calls - 1))], us.back());
}

Alert alert(int i) {
  Alert a;
  a.id = "a-" + std::to_string(i);
  a.ts = 1700000000.0 + i;
  a.decision.syndrome = "nan_loss";
  a.decision.message = "loss is NaN at step " + std::to_string(i);
  a.decision.evidence = {{"loss", "nan"}, {"step", std::to_string(i)}};
  return a;
}

Snapshot snapshot(int i) {
  Snapshot s;
  s.ts = 1700000000.0 + i;
  s.monitor_note = "profile=supervised | loss=0.5000 | step=" + std::to_string(i);
  s.monitor_tags = {"supervised", "baseline-aware"};
  s.monitoring_json = R"({"profile":"supervised","summary":{"loss":0.5,"val_acc":0.8},"syndrome_counts":{}})";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "http://127.0.0.1:" + std::to_string(test::free_port());
  int calls = argc > 2 ? std::atoi(argv[2]) : 20000;
  if (calls < 2) calls = 2;
  std::string dir = (std::filesystem::temp_directory_path() / ("bench-sinks-" + std::to_string(::getpid()))).string();
  std::printf("target: %s\n", url.c_str());
  std::printf("%-30s | %7s | %9s | %9s | %10s\n", "name", "calls", "mean us", "p99 us", "max us");

  std::string body = detail::server_status_body("running", std::nullopt, "", nullptr);
  int sync_calls = std::min(calls, 200);
  row("sync-curl POST (peer)", sync_calls, [&](int) {
    (void)detail::http_request("POST", url + "/runs/bench/status", body, {"Content-Type: application/json"}, 1.0);
  });

  ServerSinkOptions so;
  so.url = url;
  so.run_id = "bench";
  auto server = make_server_sink(so);
  row("server sink on_snapshot", calls, [&](int i) { server->on_snapshot(snapshot(i)); });
  row("server sink on_alert", calls, [&](int i) { server->on_alert(alert(i)); });
  AlertmanagerSinkOptions ao;
  ao.url = url;
  ao.run_id = "bench";
  auto am = make_alertmanager_sink(ao);
  row("alertmanager sink on_alert", calls, [&](int i) { am->on_alert(alert(i)); });
  auto file = make_file_sink(dir);
  row("file sink on_snapshot", calls, [&](int i) { file->on_snapshot(snapshot(i)); });
  row("file sink on_alert", calls, [&](int i) { file->on_alert(alert(i)); });
  server->close(1.0);
  am->close(1.0);
  SinkStats st = server->stats();
  std::printf("server sink: sent %llu, failed %llu, coalesced %llu, dropped %llu\n",
              static_cast<unsigned long long>(st.sent), static_cast<unsigned long long>(st.failed),
              static_cast<unsigned long long>(st.coalesced), static_cast<unsigned long long>(st.dropped));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
