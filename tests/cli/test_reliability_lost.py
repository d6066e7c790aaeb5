"""Reliability II (issue 19.8): sidecar itself SIGKILLed. The lifeline ends
the job (and drains its output so it can run its SIGTERM handler); --detach
leaves it running; the next `history`/`watch` marks the run `lost` instead of
"running" forever. Black-box: the real binary, real children, temp dirs.
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

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")

QUIET = "echo started; while :; do sleep 0.1; done"


def start(run_dir, cmd, *extra, history="-"):
    a = [CLI, "run", "--run-dir", str(run_dir), "--history", str(history), "--interval", "0.1", "--no-preflight",
         "--on-alert", "continue", *map(str, extra), "--", *cmd]
    return subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def cli(*a, timeout=60):
    return subprocess.run([CLI, *map(str, a)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def status(run_dir):
    try:
        return json.loads((pathlib.Path(run_dir) / "sidecar" / "status.json").read_text())
    except (OSError, ValueError):
        return {}


def started(run_dir):
    log = pathlib.Path(run_dir) / "run.log"
    return log.exists() and "started" in log.read_text() and status(run_dir).get("status") == "running"


def kill_sidecar(p):
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=10)  # reaped: its pid is gone, as after a real OOM kill


def history_rows(hist):
    r = cli("history", "show", "--history", hist, "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()], r.stderr


def test_history_marks_a_run_whose_sidecar_was_sigkilled_lost(tmp_path):
    """19.8: status.json said "running" forever and the run never reached the history."""
    d, hist = tmp_path / "r", tmp_path / "h.jsonl"
    p = start(d, ["sh", "-c", QUIET], history=hist)
    wait_for(lambda: started(d), what="start")
    assert status(d)["supervisor"]["pid"] == p.pid
    rows, err = history_rows(hist)  # alive: nothing to mark
    assert rows == [] and "lost" not in err
    assert status(d)["status"] == "running"
    kill_sidecar(p)
    assert status(d)["status"] == "running"  # nobody was left to write the end
    rows, err = history_rows(hist)
    assert [(r["run_id"], r["status"]) for r in rows] == [("r", "lost")]
    assert "lost" in err and str(p.pid) in err
    st = status(d)
    assert st["status"] == "lost" and str(p.pid) in st["error"] and st["lost_at"] > 0
    rows, err = history_rows(hist)  # once: a second look adds nothing
    assert len(rows) == 1 and "lost" not in err


def test_a_finished_run_leaves_no_live_registration(tmp_path):
    """The registration ends with the run's own history row: never a lost row for a run that ended."""
    d, hist = tmp_path / "r", tmp_path / "h.jsonl"
    p = start(d, ["sh", "-c", "echo started; sleep 0.3"], history=hist)
    p.communicate(timeout=60)
    assert p.returncode == 0
    rows, err = history_rows(hist)
    assert [r["status"] for r in rows] == ["finished"]
    assert list((tmp_path / "h.jsonl.live").glob("*.json")) == []


def test_watch_marks_a_run_whose_sidecar_was_sigkilled_lost(tmp_path):
    """19.8: the next `watch` of the run directory says lost, and leaves it so."""
    d = tmp_path / "r"
    p = start(d, ["sh", "-c", QUIET])
    wait_for(lambda: started(d), what="start")
    w = cli("watch", d, "--once", "--history", "-")  # alive: left running
    assert w.returncode == 0, w.stderr
    assert status(d)["status"] == "running" and "lost" not in w.stderr
    kill_sidecar(p)
    w = cli("watch", d, "--once", "--history", "-")
    assert w.returncode == 0, w.stderr
    assert "lost" in w.stderr and str(p.pid) in w.stderr
    st = status(d)
    assert st["status"] == "lost", st
    assert cli("watch", d, "--once", "--history", "-").returncode == 0
    assert status(d)["status"] == "lost"  # an ended run is read, not rewritten


def test_watch_of_another_run_writes_the_lost_rows_of_its_history(tmp_path):
    """The history a `watch` reads its baseline from gets the lost runs' rows, and their run dirs are marked."""
    d, hist, other = tmp_path / "r", tmp_path / "h.jsonl", tmp_path / "other"
    other.mkdir()
    p = start(d, ["sh", "-c", QUIET], history=hist)
    wait_for(lambda: started(d), what="start")
    kill_sidecar(p)
    w = cli("watch", other, "--once", "--history", hist)
    assert w.returncode == 0, w.stderr
    assert "lost" in w.stderr
    rows, _ = history_rows(hist)
    assert [r["status"] for r in rows] == ["lost"]
    assert status(d)["status"] == "lost"


def test_watching_a_live_run_keeps_its_supervisor(tmp_path):
    """A `watch` of a live run rewrites status.json; it must still name the run's supervisor,
    or a later SIGKILL could never be told lost."""
    d = tmp_path / "r"
    p = start(d, ["sh", "-c", QUIET])
    wait_for(lambda: started(d), what="start")
    w = cli("watch", d, "--once", "--history", "-")
    assert w.returncode == 0, w.stderr
    assert status(d)["supervisor"]["pid"] == p.pid
    kill_sidecar(p)
    assert cli("watch", d, "--once", "--history", "-").returncode == 0
    assert status(d)["status"] == "lost"


def test_sidecar_sigkilled_a_printing_job_runs_its_sigterm_handler_and_its_output_reaches_run_log(tmp_path):
    """19.8 / docs/cli.md "If sidecar itself dies": a printing Python job died of BrokenPipeError;
    the lifeline drains its pipes into run.log, so its handler runs and what it prints is kept."""
    d = tmp_path / "r"
    marker = tmp_path / "handled"
    body = (
        "import signal, sys, time\n"
        "def h(*_):\n"
        "    time.sleep(0.5)  # a handler that saves first: the pipe is empty a while before it prints\n"
        "    print('handler-ran', flush=True)\n"
        f"    open({str(marker)!r}, 'w').write('ok')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, h)\n"
        "print('started', flush=True)\n"
        "while True:\n"
        "    print('tick ' * 20, flush=True)\n"
        "    time.sleep(0.01)\n"
    )
    p = start(d, [PY, "-c", body])
    wait_for(lambda: started(d), what="start")
    kill_sidecar(p)
    wait_for(marker.exists, timeout=10, what="the job's SIGTERM handler")
    wait_for(lambda: "handler-ran" in (d / "run.log").read_text(), timeout=10, what="handler output in run.log")
    assert "BrokenPipeError" not in (d / "run.log").read_text()


def test_detach_leaves_the_job_running_when_sidecar_is_sigkilled(tmp_path):
    """docs/cli.md: `--detach`: no lifeline; the job runs on unsupervised."""
    d = tmp_path / "r"
    pidfile = tmp_path / "job.pid"
    p = start(d, ["sh", "-c", f"echo $$ > {pidfile}; exec sh -c '{QUIET}' >/dev/null 2>&1"], "--detach")
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the job's pid")
    job = int(pidfile.read_text())
    kill_sidecar(p)
    try:
        time.sleep(1.0)
        os.kill(job, 0)  # still there (raises when it is gone)
    finally:
        try:
            os.killpg(job, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_following_a_lost_run_leaves_it_lost_and_still_records_its_alerts(tmp_path):
    """`watch` (follow mode) of a lost run whose detached job goes on: the job's alerts are
    recorded, but status.json stays as `lost` left it (follow mode rewrote it as "running")."""
    d = tmp_path / "r"
    go, pidfile = tmp_path / "go", tmp_path / "job.pid"
    body = (
        "import json, os, time\n"
        f"open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
        "print('started', flush=True)\n"
        "f = open(os.path.join(os.environ['SIDECAR_RUN_DIR'], 'metrics.jsonl'), 'a')\n"
        "step = 0\n"
        "while True:\n"
        f"    loss = float('nan') if os.path.exists({str(go)!r}) else 2.0 - 0.001 * step\n"
        "    f.write(json.dumps({'step': step, 'loss': loss}) + '\\n'); f.flush()\n"
        "    step += 1\n"
        "    time.sleep(0.05)\n"
    )
    p = start(d, [PY, "-c", body], "--detach")
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the job's pid")
    wait_for(lambda: started(d), what="start")
    job = int(pidfile.read_text())
    w = None
    try:
        kill_sidecar(p)
        assert cli("watch", d, "--once", "--history", "-").returncode == 0
        lost = (d / "sidecar" / "status.json").read_text()
        assert json.loads(lost)["status"] == "lost"
        w = subprocess.Popen([CLI, "watch", str(d), "--history", "-", "--interval", "0.1"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        time.sleep(1.0)  # ten ticks of follow mode
        go.write_text("")
        alerts = d / "sidecar" / "alerts.jsonl"
        wait_for(lambda: alerts.exists() and "nan_loss" in alerts.read_text(), timeout=20, what="the NaN alert")
        time.sleep(0.5)
        assert (d / "sidecar" / "status.json").read_text() == lost
    finally:
        if w is not None:
            w.send_signal(signal.SIGINT)
            w.communicate(timeout=30)
        try:
            os.killpg(job, signal.SIGKILL)
        except ProcessLookupError:
            pass
    st = status(d)
    assert st["status"] == "lost" and str(p.pid) in st["error"] and st["lost_at"] > 0, st
