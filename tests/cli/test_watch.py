"""Black-box tests of `sidecar-cli watch`: a run directory written by someone else."""
import json
import os
import signal
import subprocess
import time

import pytest

CLI = os.environ.get("SIDECAR_CLI", "")
OOM = "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)"
NCCL = ("[rank{r}]:[E ProcessGroupNCCL.cpp:563] [Rank {r}] Watchdog caught collective operation timeout: "
        "WorkNCCL(SeqNum=1, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600051 "
        "milliseconds before timing out.")

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


def watch(*args, timeout=30):
    return subprocess.run([CLI, "watch", *map(str, args), "--history", "-"], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_once_exit_codes(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "run.log").write_text("step 1 loss 2.3\nstep 2 loss 2.1\n")
    (clean / "metrics.jsonl").write_text("".join(json.dumps({"step": i, "loss": 2.0 - i * 0.01}) + "\n"
                                                 for i in range(20)))
    r = watch(clean, "--once")
    assert r.returncode == 0, r.stderr

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "run.log").write_text("step 1\n" + OOM + "\n")
    r = watch(bad, "--once", "--format", "jsonl")
    assert r.returncode == 1, r.stderr
    recs = records(r.stdout)
    assert any(x["type"] == "alert" and x["syndrome"] == "cuda_oom" for x in recs)
    assert recs[-1]["type"] == "summary"

    warn = tmp_path / "warn"
    warn.mkdir()
    (warn / "run.log").write_text("Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\n")
    assert watch(warn, "--once").returncode == 1
    assert watch(warn, "--once", "--fail-on", "critical").returncode == 0

    assert watch(tmp_path / "missing", "--once").returncode == 2
    assert watch(clean, "--once", "--fail-on", "bogus").returncode == 2


def test_ranks_tailed_separately_one_alert_naming_them(tmp_path):
    d = tmp_path / "dist"
    (d / "logs").mkdir(parents=True)
    for r in range(4):
        (d / "logs" / f"rank{r}.log").write_text(f"rank {r} step 10\n" + NCCL.format(r=r) + "\n")
    r = watch(d, "--once", "--log", "logs/rank*.log", "--format", "jsonl")
    assert r.returncode == 1, r.stderr
    nccl = [x for x in records(r.stdout) if x["type"] == "alert" and x["syndrome"] == "nccl_timeout"]
    assert len(nccl) == 1, nccl  # one dedupe across the files
    assert nccl[0]["evidence"]["ranks"] == "0,1,2,3"  # the alert names every rank that hit it


def test_follow_late_files_and_rotation(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    p = subprocess.Popen([CLI, "watch", str(d), "--interval", "0.1", "--format", "jsonl", "--history", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        log = d / "run.log"
        log.write_text("starting\n")  # appears late
        with open(d / "metrics.jsonl", "w") as m:  # appears late, grows
            for i in range(5):
                m.write(json.dumps({"step": i, "loss": 1.0}) + "\n")
        time.sleep(0.5)
        os.rename(log, d / "run.log.1")  # rotation by rename
        log.write_text("after rotation\n" + OOM + "\n")
        with open(d / "metrics.jsonl", "a") as m:
            m.write('{"step": 5, "loss": NaN}\n')
        deadline = time.time() + 10
        seen = set()
        while time.time() < deadline and not {"cuda_oom", "nan_loss"} <= seen:
            time.sleep(0.2)
            for f in [d / "sidecar" / "alerts.jsonl"]:
                if f.exists():
                    seen |= {x.get("syndrome") for x in records(f.read_text())}
        assert {"cuda_oom", "nan_loss"} <= seen
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    assert p.returncode == 1, err  # alerts at or above warning
    recs = records(out)
    assert recs[-1]["type"] == "summary"
    assert recs[-1]["rows"] == 6
