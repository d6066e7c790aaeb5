// bench_log_scan: the log-scan benchmark's helper (run by bench/bench_logs.sh).
//
//   bench_log_scan gen MB PATH|-     writes a realistic training log of MB megabytes
//   bench_log_scan engines PATH      RE2::Set (per line) vs Vectorscan (LogStream)
//                                    with the full default catalogue, MB/s side by side
//
// The generated log mixes what real runs print: tqdm bars rewritten with \r
// (one physical line of many segments), HF Trainer {'loss': ...} dicts,
// NCCL INFO chatter, rank-prefixed step lines, DeepSpeed logging, warnings,
// and a few real syndromes (an OOM traceback, an NCCL watchdog timeout,
// an Xid), deterministic from a fixed seed.
#include <re2/re2.h>
#include <re2/set.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sidecar/config.h"
#include "sidecar/log_scan.h"

namespace {

struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  double unit() { return static_cast<double>(next() % 1000000) / 1e6; }
};

void append_bar(std::string* out, Rng& r, int epoch) {
  int total = 1000;
  int start = r.below(900);
  char buf[256];
  for (int i = 0; i < 24; ++i) {
    int done = start + i * 4;
    int pct = done * 100 / total;
    std::string bar;
    for (int k = 0; k < 10; ++k) bar += k < pct / 10 ? "\xe2\x96\x88" : " ";
    std::snprintf(buf, sizeof buf, "%sEpoch %d: %3d%%|%s| %d/%d [01:%02d<02:%02d,  %.2fit/s, loss=%.3f, v_num=3]",
                  i == 0 ? "" : "\r", epoch, pct, bar.c_str(), done, total, r.below(60), r.below(60), 4 + r.unit(),
                  0.3 + r.unit());
    *out += buf;
  }
  *out += '\n';
}

void generate_line(std::string* out, Rng& r, std::uint64_t n) {
  char buf[512];
  int rank = r.below(8);
  switch (r.below(20)) {
    case 0:
      append_bar(out, r, static_cast<int>(n / 100000));
      return;
    case 1:
    case 2:
    case 3:
      std::snprintf(buf, sizeof buf, "{'loss': %.4f, 'grad_norm': %.4f, 'learning_rate': %.3e, 'epoch': %.2f}\n",
                    0.2 + r.unit(), 0.5 + r.unit(), 2e-5 * r.unit(), static_cast<double>(n) / 1e6);
      break;
    case 4:
    case 5:
    case 6:
      std::snprintf(
          buf, sizeof buf, "gpu-node-%d:%d:%d [%d] NCCL INFO Channel %02d/24 :    %d[%d] -> %d[%d] via P2P/IPC/read\n",
          r.below(4), 41000 + rank, 41100 + r.below(99), rank, r.below(24), rank, rank, (rank + 1) % 8, (rank + 1) % 8);
      break;
    case 7:
      std::snprintf(buf, sizeof buf,
                    "gpu-node-1:%d:%d [%d] NCCL INFO comm 0x55d4c8a0 rank %d nranks 8 cudaDev %d busId 3b000 - Init "
                    "COMPLETE\n",
                    41000 + rank, 41100 + r.below(99), rank, rank, rank);
      break;
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
      std::snprintf(buf, sizeof buf,
                    "[rank%d]: step %llu | loss %.4f | grad_norm %.3f | lr %.2e | tokens/s %d | mem %.1fGiB\n", rank,
                    static_cast<unsigned long long>(n / 8), 1.5 + r.unit(), 0.5 + r.unit(), 3e-4 * r.unit(),
                    40000 + r.below(2000), 60 + r.unit());
      break;
    case 13:
    case 14:
      std::snprintf(buf, sizeof buf,
                    "[2024-05-28 14:%02d:%02d,%03d] [INFO] [logging.py:96:log_dist] [Rank %d] step=%llu, skipped=0, "
                    "lr=[%.3e], mom=[(0.9, 0.95)]\n",
                    r.below(60), r.below(60), r.below(1000), rank, static_cast<unsigned long long>(n / 8),
                    3e-4 * r.unit());
      break;
    case 15:
      std::snprintf(buf, sizeof buf,
                    "[rank%d]:[I%04d 18:00:01.000000000 ProcessGroupNCCL.cpp:905] [PG 0 Rank %d] "
                    "ProcessGroupNCCL initialization options: size: 8, global rank: %d, TIMEOUT(ms): 600000\n",
                    rank, 1206, rank, rank);
      break;
    case 16:
      std::snprintf(buf, sizeof buf,
                    "/usr/lib/python3.10/site-packages/torch/utils/checkpoint.py:%d: UserWarning: the use_reentrant "
                    "parameter should be passed explicitly.\n",
                    400 + r.below(100));
      break;
    case 17:
      std::snprintf(buf, sizeof buf,
                    "wandb: WARNING Serializing object of type dict that is %d bytes (no errors, oom=0)\n",
                    1000 + r.below(4000));
      break;
    default:
      std::snprintf(buf, sizeof buf, "INFO:root:Eval step %llu: accuracy %.4f, error rate %.4f, val_loss %.4f\n",
                    static_cast<unsigned long long>(n), r.unit(), r.unit(), 0.3 + r.unit());
      break;
  }
  *out += buf;
}

const char* const kSyndromes[] = {
    "[rank3]: Traceback (most recent call last):\n[rank3]:   File \"/workspace/train.py\", line 98, in <module>\n"
    "[rank3]:     loss.backward()\n[rank3]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. "
    "GPU "
    "3 has a total capacity of 79.10 GiB of which 812.00 MiB is free.\n",
    "[rank1]:[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation "
    "timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, NumelIn=9801523, NumelOut=9801523, Timeout(ms)=600000) ran for "
    "600020 milliseconds before timing out.\n",
    "[Fri Aug 30 11:43:09 2024] NVRM: Xid (PCI:0000:cb:00): 79, pid=1797828, name=pt_main_thread, GPU has fallen off "
    "the bus.\n",
    "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768\n",
};

int gen(double mb, const std::string& path) {
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 2;
  }
  const auto target = static_cast<std::uint64_t>(mb * 1024 * 1024);
  Rng r;
  std::string chunk;
  std::uint64_t written = 0;
  std::uint64_t n = 0;
  while (written < target) {
    chunk.clear();
    while (chunk.size() < (1u << 20)) {
      ++n;
      if (n % 50000 == 0) chunk += kSyndromes[(n / 50000) % 4];
      generate_line(&chunk, r, n);
    }
    std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), target - written));
    if (take < chunk.size()) {  // end on a line boundary
      std::size_t nl = chunk.rfind('\n', take);
      take = nl == std::string::npos ? take : nl + 1;
    }
    if (std::fwrite(chunk.data(), 1, take, f) != take) {
      std::perror("write");
      return 2;
    }
    written += take;
    if (take == 0) break;
  }
  if (f != stdout) std::fclose(f);
  return 0;
}

int engines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const double mb = static_cast<double>(text.size()) / 1e6;

  sidecar::LogOptions opts;
  std::vector<sidecar::Status> errors;
  sidecar::read_log_options(*sidecar::default_playbook_tree(), &opts, &errors);
  auto scanner = sidecar::LogScanner::create(opts).value();

  // Vectorscan: the production path (LogStream, 1 MB feeds).
  double vs_best = 1e9;
  std::size_t vs_matches = 0;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    sidecar::LogStream stream(scanner, "bench");
    std::vector<sidecar::LogMatch> out;
    for (std::size_t i = 0; i < text.size(); i += 1u << 20)
      stream.feed(std::string_view(text).substr(i, 1u << 20), &out);
    stream.flush(&out);
    vs_best = std::min(vs_best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    vs_matches = out.size();
  }

  // RE2::Set: every include pattern of the catalogue, one Match per line.
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_case_sensitive(false);
  o.set_max_mem(256 << 20);
  RE2::Set set(o, RE2::UNANCHORED);
  for (const auto& s : opts.syndromes) {
    if (!s.enabled) continue;
    for (const auto& p : s.patterns) set.Add(p, nullptr);
    for (const auto& p : s.escalate) set.Add(p, nullptr);
  }
  set.Compile();
  double re2_best = 1e9;
  std::size_t re2_lines = 0;
  for (int rep = 0; rep < 2; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    std::size_t hits = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    std::vector<int> ids;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (!nl) nl = end;
      if (set.Match(re2::StringPiece(p, static_cast<std::size_t>(nl - p)), &ids)) ++hits;
      p = nl + 1;
    }
    re2_best = std::min(re2_best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    re2_lines = hits;
  }
  std::printf("%-44s %10.0f MB/s  (%zu matches)\n", "Vectorscan block scan (LogStream, chosen)", mb / vs_best,
              vs_matches);
  std::printf("%-44s %10.0f MB/s  (%zu candidate lines)\n", "RE2::Set, one Match per line", mb / re2_best, re2_lines);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "gen") return gen(std::stod(args[1]), args[2]);
  if (args.size() == 2 && args[0] == "engines") return engines(args[1]);
  std::fprintf(stderr, "usage: bench_log_scan gen MB PATH|-\n       bench_log_scan engines PATH\n");
  return 2;
}
