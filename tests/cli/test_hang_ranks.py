"""Live multi-rank hang (issue 17): four fake ranks write their logs; one stops
advancing (and much later prints a watchdog timeout). `sidecar-cli watch
RUN_DIR --log 'logs/rank*.log'` must raise ONE `hang` finding naming that rank,
before the other ranks time out.

RankProgress (sidecar/core/detectors/rank_progress.h) is fed the Monitor's
per-rank log lines and polled on its tick, with `detectors.rank_progress`
options read from the playbook.
"""
import os
import subprocess
import time

import pytest

from conftest import json_records as records

CLI = os.environ.get("SIDECAR_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")

TIMEOUT = ("[rank{r}]:[E ProcessGroupNCCL.cpp:616] [Rank {r}] Watchdog caught collective operation timeout: "
           "WorkNCCL(SeqNum={seq}, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=3000) ran for 3010 "
           "milliseconds before timing out.")
PLAYBOOK = "detectors:\n  rank_progress:\n    stall_seconds: 1.5\n"


def test_first_rank_to_stall_is_named_once_before_the_others_time_out(tmp_path):
    run = tmp_path / "run"
    logs = run / "logs"
    logs.mkdir(parents=True)
    (tmp_path / "pb.yaml").write_text(PLAYBOOK)
    files = [open(logs / f"rank{r}.log", "w") for r in range(4)]
    p = subprocess.Popen([CLI, "watch", str(run), "--log", "logs/rank*.log", "--interval", "0.2", "--format",
                          "jsonl", "--history", "-", "--playbook", str(tmp_path / "pb.yaml")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        stuck, stop_at, t0 = 2, 1.0, time.monotonic()
        seq = [0] * 4
        printed_own_timeout = False
        while (now := time.monotonic() - t0) < 7.0:
            for r, f in enumerate(files):
                if r == stuck and now > stop_at:
                    if now > 4.0 and not printed_own_timeout:  # the stuck rank's own watchdog, late
                        f.write(TIMEOUT.format(r=r, seq=seq[r] + 1) + "\n")
                        f.flush()
                        printed_own_timeout = True
                    continue
                seq[r] += 1
                f.write(f"[rank{r}]: step {seq[r]} loss 2.{seq[r] % 10} seq={seq[r]}\n")
                f.flush()
            time.sleep(0.2)
        for r, f in enumerate(files):  # the others time out last, waiting on the stuck rank
            if r != stuck:
                f.write(TIMEOUT.format(r=r, seq=seq[stuck] + 1) + "\n")
                f.flush()
        time.sleep(1.0)
    finally:
        for f in files:
            f.close()
        p.terminate()
        out, err = p.communicate(timeout=30)
    recs = records(out)
    alerts = [x for x in recs if x.get("type") == "alert"]
    hang = [x for x in alerts if x.get("syndrome") == "hang" and x.get("evidence", {}).get("rank") is not None]
    assert hang, (out[-2000:], err[-2000:])
    assert {x["evidence"]["rank"] for x in hang} == {str(stuck)}, hang
    # One finding, escalated at most once. It is a warning when the stall is judged before the stuck rank's
    # own watchdog line is read, and critical at once when the same read already holds that line (a
    # loaded machine schedules the watcher late): what must hold is that it names that rank, once.
    assert [x["severity"] for x in hang] in (["warning"], ["warning", "critical"], ["critical"]), hang
    first_ranked = next(x for x in alerts if x.get("evidence", {}).get("rank") is not None)
    assert first_ranked["evidence"]["rank"] == str(stuck), alerts  # the stuck rank is the first one named
    first_hang = alerts.index(hang[0])
    others = [i for i, x in enumerate(alerts) if x.get("syndrome") == "nccl_timeout"
              and x.get("evidence", {}).get("rank") not in (None, str(stuck))]
    assert not others or first_hang < min(others), alerts
