"""Reliability II (issue 19), the `run` side: reruns, sweeps, secrets, a
vanished supervisor, answers, run.log. Black-box: the real binary running
real children in temp dirs. Each test names the item it guards.
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from conftest import wait_for

CLI = os.environ.get("SIDECAR_CLI", "")
PY = sys.executable
OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


def args(run_dir=None, *extra):
    a = [CLI, "run", "--history", "-", "--interval", "0.1", "--no-preflight", *map(str, extra)]
    if run_dir is not None:
        a[2:2] = ["--run-dir", str(run_dir)]
    return a


def start(run_dir, *extra, cmd, **kw):
    return subprocess.Popen(args(run_dir, *extra) + ["--"] + list(cmd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, **kw)


def run(run_dir, *extra, cmd, timeout=60, **kw):
    return subprocess.run(args(run_dir, *extra) + ["--"] + list(cmd), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


def alerts(run_dir):
    f = pathlib.Path(run_dir) / "sidecar" / "alerts.jsonl"
    if not f.exists():
        return []
    return [json.loads(line) for line in f.read_text().splitlines() if line.strip()]


def test_default_run_dirs_are_unique_for_a_sweep_started_at_once(tmp_path):
    """19.1: 20 runs started in the same second landed in 6 directories."""
    procs = [subprocess.Popen(args(None) + ["--", "sh", "-c", f"echo run-{i}; echo '{OOM}'; sleep 0.5"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL) for i in range(20)]
    for p in procs:
        p.communicate(timeout=120)
    dirs = sorted(d for d in (tmp_path / "runs").iterdir() if d.is_dir())
    assert len(dirs) == 20
    seen = set()
    ids = set()
    for d in dirs:
        log = (d / "run.log").read_text()
        marks = [l for l in log.splitlines() if l.startswith("run-")]
        assert len(marks) == 1, (d, log)
        seen.add(marks[0])
        ids.update(a["id"] for a in alerts(d) if a["type"] == "alert")
    assert len(seen) == 20
    assert len(ids) == 20  # alert ids unique per run


def test_a_previous_runs_answer_does_not_stop_a_rerun(tmp_path):
    """19.2: rerunning with the same --run-dir, the old response file stopped the new run."""
    d = tmp_path / "r"
    first = run(d, "--on-alert", "continue", cmd=["sh", "-c", f"echo '{OOM}'; sleep 0.5"])
    assert first.returncode == 0, first.stderr
    old = [a for a in alerts(d) if a["type"] == "alert"][0]
    (d / "alerts" / f"{old['id']}.response").write_text("Stop Job\n")
    second = run(d, cmd=["sh", "-c", f"echo '{OOM}'; sleep 2; echo finished-normally"])
    assert second.returncode == 0, second.stderr
    assert "finished-normally" in (d / "run.log").read_text()
    new = [a for a in alerts(d) if a["type"] == "alert"][-1]
    assert new["id"] != old["id"]


def test_the_child_does_not_get_sidecars_token(tmp_path):
    """19.6: a child printing its environment wrote SIDECAR_AUTH_TOKEN into run.log."""
    d = tmp_path / "r"
    env = dict(os.environ, SIDECAR_AUTH_TOKEN="s3cr3t-token-value")
    r = run(d, cmd=["sh", "-c", "env"], env=env)
    assert r.returncode == 0, r.stderr
    assert "s3cr3t-token-value" not in (d / "run.log").read_text()
    assert "s3cr3t-token-value" not in r.stdout + r.stderr


def test_sidecar_sigkilled_the_job_gets_sigterm(tmp_path):
    """19.8: a quiet job was reparented and ran on unsupervised."""
    d = tmp_path / "r"
    marker = tmp_path / "got-term"
    body = f"trap 'echo term > {marker}; exit 143' TERM; echo started; while :; do sleep 0.1; done"
    p = start(d, "--on-alert", "continue", cmd=["sh", "-c", body])
    wait_for(lambda: (d / "run.log").exists() and "started" in (d / "run.log").read_text(), what="start")
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)
    wait_for(marker.exists, timeout=10, what="the job's SIGTERM")


def test_alerts_dir_exists_while_the_run_goes_on(tmp_path):
    """19.11: following the printed instruction failed: alerts/ did not exist."""
    d = tmp_path / "r"
    p = start(d, cmd=["sh", "-c", "sleep 1.5"])
    wait_for(lambda: (d / "alerts").is_dir(), timeout=5, what="alerts/")
    p.communicate(timeout=30)


def first_response_file(d):
    """Where the answer to the run's first alert goes, once that alert is in
    alerts.jsonl (alerts/ is made here; item 11 has its own test)."""
    a = wait_for(lambda: [x for x in alerts(d) if x["type"] == "alert"], what="the alert")[0]
    (d / "alerts").mkdir(exist_ok=True)
    return d / "alerts" / f"{a['id']}.response"


def test_run_dir_with_dots_answer_reaches_the_run(tmp_path):
    """19.10: `v1..2-0001-cuda_oom` in alerts.jsonl, `v1._2-0001-cuda_oom.response` read."""
    d = tmp_path / "v1..2"
    p = start(d, cmd=["sh", "-c", f"echo '{OOM}'; sleep 20"])
    first_response_file(d).write_text("Stop Job\n")
    p.communicate(timeout=30)
    assert p.returncode == 3


def test_a_slow_answer_is_read_whole(tmp_path):
    """19.9: an answer written one byte at a time was taken as 'St'."""
    d = tmp_path / "r"
    p = start(d, cmd=["sh", "-c", f"echo '{OOM}'; sleep 20"])
    f = first_response_file(d)
    f.write_text("St")
    time.sleep(2.5)  # stable for longer than the settle time, and not a choice
    assert p.poll() is None
    f.write_text("Stop Job")
    p.communicate(timeout=30)
    assert p.returncode == 3


def test_response_text_is_escaped_on_the_terminal(tmp_path):
    """19.15: terminal escapes from response-file text were printed raw."""
    d = tmp_path / "r"
    p = start(d, cmd=["sh", "-c", f"echo '{OOM}'; sleep 3"])
    first_response_file(d).write_text("\x1b]0;pwned\x07\x1b[2J\n")
    out, err = p.communicate(timeout=30)
    assert "pwned" in err
    assert "\x1b]0" not in err and "\x07" not in err and "\x1b[2J" not in err


def test_log_file_names_are_escaped_on_the_terminal(tmp_path):
    """19.15: terminal escapes from --log file names were printed raw."""
    d = tmp_path / "r"
    d.mkdir()
    evil = d / "x\x1b]0;pwned\x07.log"
    r = run(d, "--log", evil, cmd=["sh", "-c", f"echo '{OOM}' > '{evil}'; sleep 1.5"])
    assert "\x1b]0" not in r.stderr and "\x07" not in r.stderr


def test_run_log_keeps_partial_lines_of_each_stream_apart(tmp_path):
    """19.14: unfinished stdout and stderr lines at exit came out as one line."""
    d = tmp_path / "r"
    r = run(d, cmd=["sh", "-c", "printf out-partial; printf err-partial >&2"])
    assert r.returncode == 0, r.stderr
    lines = (d / "run.log").read_text().splitlines()
    assert "out-partial" in lines and "err-partial" in lines


def test_run_log_progress_bar_held_over_a_second_is_its_own_line(tmp_path):
    """19.14: a progress bar held for more than 1 s got the next stdout line glued to it."""
    d = tmp_path / "r"
    r = run(d, cmd=["sh", "-c", "printf 'bar 50%%\\r'; sleep 1.6; echo next-line"])
    assert r.returncode == 0, r.stderr
    lines = (d / "run.log").read_bytes().split(b"\n")  # not splitlines(): it splits at \r too
    assert b"next-line" in lines


def test_a_dead_server_sink_is_reported_in_summary_and_status(tmp_path):
    """19.7: a server that is not listening went unreported (the server side is the `server` engineer's)."""
    d = tmp_path / "r"
    r = run(d, "--server", "http://127.0.0.1:9", "--run-id", "x", "--format", "jsonl",
            cmd=["sh", "-c", f"echo '{OOM}'; sleep 1"])
    summary = [json.loads(line) for line in r.stdout.splitlines() if line.strip()][-1]
    assert summary["type"] == "summary"
    text = json.dumps({k: v for k, v in summary.items() if k not in ("run_id", "run_dir")})
    assert "server" in text and ("fail" in text or "error" in text), text
    status = json.loads((d / "sidecar" / "status.json").read_text())
    status.pop("run_dir", None)
    assert "server" in json.dumps(status), status
    assert "server" in r.stderr.replace(str(tmp_path), "")
