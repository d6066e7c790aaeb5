#!/usr/bin/env python3
"""Soak test (issue 10; a benchmark, not a CI test).

A fake training run writes ROWS metric rows/s and LINES log lines/s for
DURATION seconds into a run directory while `sidecar-cli watch` follows it.
Every SYNDROME_EVERY seconds the run writes one real failure line of a
different syndrome; at the end every one of them must be in alerts.jsonl.
Every SAMPLE seconds the watcher's RSS and CPU time are sampled from /proc,
and the table shows that RSS stays flat and CPU per row does not grow.

    python3 bench/soak.py --cli build/bench/cli/sidecar-cli --duration 600
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

SYNDROMES = [
    ("cuda_oom", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"),
    ("nccl_timeout", "[Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1, OpType=ALLREDUCE, "
                     "NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600010 milliseconds before timing out."),
    ("segfault", "Segmentation fault (core dumped)"),
    ("disk_full", "OSError: [Errno 28] No space left on device"),
    ("xid", "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus."),
    ("gpu_busy", "RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable"),
    ("cuda_error", "RuntimeError: CUDA error: an illegal memory access was encountered"),
    ("host_oom", "Out of memory: Killed process 4242 (python) total-vm:123456kB, anon-rss:654321kB"),
    ("dist_child_failed", "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:"),
    ("nccl_error", "torch.distributed.DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:1275, "
                   "unhandled system error, NCCL version 2.18.1"),
]


def proc_stats(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return rss, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--rows", type=int, default=1000, help="metric rows per second")
    ap.add_argument("--lines", type=int, default=100, help="log lines per second")
    ap.add_argument("--sample", type=float, default=30)
    ap.add_argument("--syndrome-every", type=float, default=None)
    args = ap.parse_args()
    every = args.syndrome_every or max(5.0, args.duration / (len(SYNDROMES) + 1))
    run = pathlib.Path(tempfile.mkdtemp(prefix="sidecar-soak-"))
    metrics = open(run / "metrics.jsonl", "a", buffering=1 << 16)
    log = open(run / "run.log", "a", buffering=1 << 16)
    watcher = subprocess.Popen([args.cli, "watch", str(run), "--interval", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.time()
    step = 0
    injected = []
    samples = []
    next_sample = start + args.sample
    next_syndrome = start + every
    try:
        while time.time() - start < args.duration:
            tick = time.time()
            for _ in range(args.rows // 10):
                step += 1
                metrics.write(json.dumps({"step": step, "loss": 2.0 + (step % 97) * 1e-4, "lr": 3e-4,
                                          "grad_norm": 1.0 + (step % 13) * 0.01, "samples_per_second": 250.0,
                                          "timestamp": tick}) + "\n")
            for i in range(args.lines // 10):
                log.write(f"[rank{i % 8}]: step {step} loss {2.0 + (step % 97) * 1e-4:.4f} it/s 12.3\n")
            if tick >= next_syndrome and len(injected) < len(SYNDROMES):
                name, line = SYNDROMES[len(injected)]
                log.write(line + "\n")
                injected.append((name, tick - start))
                next_syndrome += every
            metrics.flush()
            log.flush()
            if tick >= next_sample:
                rss, cpu = proc_stats(watcher.pid)
                samples.append((tick - start, step, rss, cpu))
                next_sample += args.sample
            time.sleep(max(0.0, 0.1 - (time.time() - tick)))
        time.sleep(3)  # let the watcher catch up
        rss, cpu = proc_stats(watcher.pid)
        samples.append((time.time() - start, step, rss, cpu))
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
    alerts = [json.loads(line) for line in (run / "sidecar" / "alerts.jsonl").read_text().splitlines() if line.strip()]
    seen = {a.get("syndrome") for a in alerts if a.get("type") == "alert"}
    print(f"soak: {args.duration:.0f} s, {args.rows} rows/s, {args.lines} lines/s, run dir {run}")
    print(f"{'t (s)':>8} {'rows':>10} {'RSS (MB)':>9} {'CPU (s)':>8} {'CPU us/row':>11}")
    prev = (0, 0, 0, 0.0)
    for t, rows, rss_kb, cpu_s in samples:
        d_rows = rows - prev[1]
        per_row = (cpu_s - prev[3]) / d_rows * 1e6 if d_rows else 0.0
        print(f"{t:8.0f} {rows:10d} {rss_kb / 1024:9.1f} {cpu_s:8.2f} {per_row:11.2f}")
        prev = (t, rows, rss_kb, cpu_s)
    missed = [name for name, _ in injected if name not in seen]
    print(f"injected {len(injected)} syndromes, alerted {len(injected) - len(missed)}; missed: {missed or 'none'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
