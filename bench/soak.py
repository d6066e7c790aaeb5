#!/usr/bin/env python3
"""Soak test (issue 10; a benchmark, not a CI test).

A fake training run writes ROWS metric rows/s and LINES log lines/s for
DURATION seconds into a run directory while `sidecar-cli watch` follows it.
Every SYNDROME_EVERY seconds the run writes one real failure line of a
different syndrome; at the end every one of them must be in alerts.jsonl.
Every SAMPLE seconds the watcher's RSS and CPU time are sampled from /proc,
and the table shows that RSS stays flat and CPU per row does not grow.

With --rotate the log is rotated every --rotate-every seconds, the way
logrotate does it: `copytruncate` (copied to run.log.1, truncated in place,
the writer keeps appending) or `rename` (moved to run.log.1, the writer keeps
writing to the moved file for half a second, then reopens run.log). The
watcher's final summary must then count exactly the lines written (issue 19.4).
The watcher then polls every 0.25 s: a follower has to look at the file at
least once between two rotations (logrotate runs hourly or daily; here it
is every second), since the generation in between is overwritten.

    python3 bench/soak.py --cli build/bench/cli/sidecar-cli --duration 600
    python3 bench/soak.py --cli build/bench/cli/sidecar-cli --duration 60 --rotate copytruncate --lines 20000
"""
import argparse
import json
import os
import pathlib
import shutil
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
    ap.add_argument("--rotate", choices=["none", "copytruncate", "rename"], default="none")
    ap.add_argument("--rotate-every", type=float, default=1.0, help="seconds between rotations")
    ap.add_argument("--watch-interval", type=float, default=None,
                    help="watch --interval (default 1; 0.25 with --rotate: a follower must look at the file at "
                         "least once between two rotations, or the generation in between is gone)")
    args = ap.parse_args()
    interval = args.watch_interval or (0.25 if args.rotate != "none" else 1.0)
    every = args.syndrome_every or max(5.0, args.duration / (len(SYNDROMES) + 1))
    run = pathlib.Path(tempfile.mkdtemp(prefix="sidecar-soak-"))
    metrics = open(run / "metrics.jsonl", "a", buffering=1 << 16)
    log = open(run / "run.log", "a", buffering=1 << 16)
    watcher = subprocess.Popen([args.cli, "watch", str(run), "--interval", str(interval), "--format", "jsonl"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # Let the watcher start following before the first line (and rotation):
    # it writes status.json once it runs.
    ready_by = time.time() + 15
    while not (run / "sidecar" / "status.json").exists() and time.time() < ready_by:
        time.sleep(0.05)
    time.sleep(0.5)
    start = time.time()
    step = 0
    lines_written = 0
    rotations = 0
    next_rotate = start + args.rotate_every
    old_log, reopen_at = None, 0.0
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
            out = old_log or log
            for i in range(args.lines // 10):
                out.write(f"[rank{i % 8}]: step {step} loss {2.0 + (step % 97) * 1e-4:.4f} it/s 12.3\n")
            lines_written += args.lines // 10
            if tick >= next_syndrome and len(injected) < len(SYNDROMES):
                name, line = SYNDROMES[len(injected)]
                out.write(line + "\n")
                lines_written += 1
                injected.append((name, tick - start))
                next_syndrome += every
            metrics.flush()
            out.flush()
            if old_log is not None and tick >= reopen_at:  # the writer reopens late
                old_log.close()
                old_log = None
            if args.rotate != "none" and tick >= next_rotate and old_log is None:
                next_rotate += args.rotate_every
                rotations += 1
                if args.rotate == "copytruncate":
                    shutil.copyfile(run / "run.log", run / "run.log.1")
                    os.truncate(run / "run.log", 0)
                else:
                    os.replace(run / "run.log", run / "run.log.1")
                    old_log, reopen_at = log, tick + 0.5
                    log = open(run / "run.log", "a", buffering=1 << 16)
            if tick >= next_sample:
                rss, cpu = proc_stats(watcher.pid)
                samples.append((tick - start, step, rss, cpu))
                next_sample += args.sample
            time.sleep(max(0.0, 0.1 - (time.time() - tick)))
        if old_log is not None:
            old_log.close()
        log.close()
        time.sleep(3)  # let the watcher catch up
        rss, cpu = proc_stats(watcher.pid)
        samples.append((time.time() - start, step, rss, cpu))
    finally:
        watcher.terminate()
        out_text, _ = watcher.communicate(timeout=30)
    lines_read = None
    for line in out_text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("type") == "summary" and "lines" in rec:
            lines_read = rec["lines"]
    alerts_file = run / "sidecar" / "alerts.jsonl"
    alerts = [json.loads(line) for line in alerts_file.read_text().splitlines()
              if line.strip()] if alerts_file.exists() else []
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
    lost = lines_read != lines_written
    print(f"log lines written {lines_written}, read {lines_read if lines_read is not None else '? (no summary)'}"
          f" ({args.rotate} rotation x{rotations})")
    return 1 if missed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
