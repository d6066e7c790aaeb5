"""`sidecar-cli run --server URL --run-id ID` against the REAL research-agent
server (../shared/research-agent, as upstream ships it; tests/support/real_server.py
starts it, and skips with the reason when it is absent). Issue 18.

Covered: a NaN alert reaches GET /alerts with a readable message; "Stop Job"
answered on the server stops the job within 5 s (exit 3) with the default run
directory; "Ignore" lets it go on; metric rows reach GET /runs/{id}/metrics;
the final status is one the server knows (a signal death is `failed`, no
exit_code); a wrong token is a clear error before launching; alerts raised
while the server restarts all arrive.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from real_server import RealServer, wait_for  # noqa: E402

CLI = os.environ.get("SIDECAR_CLI", "")
PY = sys.executable

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


JOB = """
import json, os, sys, time
nan_at, steps, dt = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
with open(os.environ["SIDECAR_METRICS_FILE"], "a") as f:
    for step in range(steps):
        loss = float("nan") if 0 <= nan_at <= step else 2.0 / (step + 1)
        f.write(json.dumps({"step": step, "loss": loss, "lr": 0.001}) + "\\n")
        f.flush()
        if len(sys.argv) > 4 and step == int(sys.argv[4]):
            print("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", flush=True)
        time.sleep(dt)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RealServer(tmp_path_factory.mktemp("ra")) as srv:
        yield srv


def job(tmp_path, nan_at, steps, dt, oom_at=None):
    p = tmp_path / "job.py"
    p.write_text(textwrap.dedent(JOB))
    args = [PY, str(p), str(nan_at), str(steps), str(dt)]
    if oom_at is not None:
        args.append(str(oom_at))
    return args


def start(tmp_path, server, run_id, cmd, *extra, env=None, token=None):
    """sidecar-cli run with the default run directory (cwd = tmp_path)."""
    e = dict(os.environ)
    e.pop("SIDECAR_AUTH_TOKEN", None)
    if token is not None:
        e["SIDECAR_AUTH_TOKEN"] = token
    if env:
        e.update(env)
    args = [CLI, "run", "--server", server.url, "--run-id", run_id, "--history", str(tmp_path / "history.jsonl"),
            "--interval", "0.2", "--no-preflight", *extra, "--", *cmd]
    return subprocess.Popen(args, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, env=e)


def finish(p, timeout=60):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("sidecar-cli run did not end:\n" + err[-3000:])
    return p.returncode, out, err


def answer_nan_alert(server, run_id, choice):
    """Waits for the run's NaN alert on the server and answers it there."""
    a = wait_for(lambda: nan_alert(server, run_id), timeout=20, what="the NaN alert on the server")
    code, reply = server.post(f"/alerts/{a['id']}/respond", {"choice": choice})
    assert code == 200, reply


def nan_alert(server, run_id):
    for a in server.alerts(run_id):
        if "nan" in a["message"].lower():
            return a
    return None


def test_nan_alert_reaches_the_server_with_a_readable_message(tmp_path, server):
    run_id = server.create_run("nan-alert")
    p = start(tmp_path, server, run_id, job(tmp_path, nan_at=10, steps=40, dt=0.05), "--on-alert", "continue")
    rc, out, err = finish(p)
    assert rc == 0, err
    a = wait_for(lambda: nan_alert(server, run_id), what="the NaN alert on the server")
    assert a["severity"] == "critical"
    assert a["choices"] == ["Ignore", "Stop Job"]
    # What the shipped CreateAlertRequest drops travels in the message: syndrome, step, evidence.
    assert "nan_loss" in a["message"], a["message"]
    assert "step 10" in a["message"], a["message"]
    assert "metric=loss" in a["message"] and "value=nan" in a["message"], a["message"]
    run = server.run(run_id)
    assert run["status"] == "finished", run


def test_stop_job_answered_on_the_server_stops_the_run_within_5s(tmp_path, server):
    run_id = server.create_run("stop-job")
    p = start(tmp_path, server, run_id, job(tmp_path, nan_at=5, steps=2000, dt=0.05))
    try:
        answer_nan_alert(server, run_id, "Stop Job")
        t0 = time.time()
        rc, out, err = finish(p, timeout=10)
        took = time.time() - t0
    finally:
        if p.poll() is None:
            p.kill()
    assert rc == 3, err
    assert took < 5.0, f"stopped {took:.1f} s after the answer"
    assert "(server)" in err
    run = server.run(run_id)
    assert run["status"] == "stopped", run
    runs = list((tmp_path / "runs").iterdir())  # the default run directory was used
    assert len(runs) == 1


def test_ignore_answered_on_the_server_lets_the_run_go_on(tmp_path, server):
    run_id = server.create_run("ignore")
    p = start(tmp_path, server, run_id, job(tmp_path, nan_at=5, steps=60, dt=0.05))
    try:
        answer_nan_alert(server, run_id, "Ignore")
        rc, out, err = finish(p, timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert rc == 0, err
    assert "done" in out  # the job ran to its end
    assert server.run(run_id)["status"] == "finished"


def test_metrics_rows_are_visible_on_the_server(tmp_path, server):
    run_id = server.create_run("metrics")
    p = start(tmp_path, server, run_id, job(tmp_path, nan_at=-1, steps=30, dt=0.02), "--on-alert", "continue")
    rc, out, err = finish(p)
    assert rc == 0, err
    m = server.metrics(run_id)
    assert "loss" in m.get("metricSeries", {}), m
    steps = [pt["step"] for pt in m["metricSeries"]["loss"]]
    assert steps[0] == 0 and steps[-1] == 29


def test_final_status_is_one_the_server_knows(tmp_path, server):
    run_id = server.create_run("signal-death")
    p = start(tmp_path, server, run_id, ["/bin/sh", "-c", "kill -9 $$"], "--on-alert", "continue")
    rc, out, err = finish(p)
    assert rc == 128 + 9, err
    run = server.run(run_id)
    assert run["status"] == "failed", run  # sidecar's "killed" is not a status the server knows
    assert run.get("exit_code") is None, run  # no exit code for a signal death
    assert "SIGKILL" in (run.get("error") or "") or "signal 9" in (run.get("error") or ""), run

    run_id = server.create_run("exit-1")
    rc, out, err = finish(start(tmp_path, server, run_id, ["/bin/sh", "-c", "exit 1"], "--on-alert", "continue"))
    assert rc == 1
    run = server.run(run_id)
    assert run["status"] == "failed" and run["exit_code"] == 1, run


def local_alerts(tmp_path):
    out = []
    for f in (tmp_path / "runs").glob("*/sidecar/alerts.jsonl"):
        out += [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
    return [a for a in out if a.get("type", "alert") == "alert"]


def test_alerts_raised_while_the_server_restarts_all_arrive(tmp_path):
    with RealServer(tmp_path / "srv") as srv:
        run_id = srv.create_run("restart")
        script = tmp_path / "restart_job.py"
        go, end = tmp_path / "go", tmp_path / "end"
        script.write_text(textwrap.dedent(f"""
            import os, time
            def wait(p):
                while not os.path.exists(p):
                    time.sleep(0.05)
            print("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", flush=True)
            wait({str(go)!r})
            print("OSError: [Errno 28] No space left on device", flush=True)
            time.sleep(0.5)
            print("Segmentation fault (core dumped)", flush=True)
            wait({str(end)!r})
        """))
        p = start(tmp_path, srv, run_id, [PY, str(script)], "--on-alert", "continue")
        try:
            wait_for(lambda: srv.alerts(run_id), timeout=20, what="the first alert")
            srv.stop()
            down_at = time.time()
            go.write_text("x")  # alerts while the server is down
            wait_for(lambda: any(a["ts"] >= down_at for a in local_alerts(tmp_path)), timeout=20,
                     what="an alert raised while the server is down")
            time.sleep(1.0)
            srv.start()  # the restarted server forgot the run: alert posts answer 404 until a status post
            end.write_text("x")
            rc, out, err = finish(p, timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
        assert rc == 0, err
        during = [a for a in local_alerts(tmp_path) if a["ts"] >= down_at]
        assert during
        on_server = [a["message"] for a in srv.alerts(run_id)]
        for a in during:  # every alert raised while the server was down arrived
            assert any(m.startswith(a["message"]) for m in on_server), (a["message"], on_server)
        assert srv.run(run_id)["status"] == "finished"


def test_wrong_token_is_a_clear_error_before_launching(tmp_path):
    with RealServer(tmp_path / "srv", token="right-token") as srv:
        run_id = srv.create_run("token")
        marker = tmp_path / "launched"
        cmd = ["/bin/sh", "-c", f"touch {marker}"]
        rc, out, err = finish(start(tmp_path, srv, run_id, cmd, token="wrong-token"))
        assert rc == 2, err
        assert "401" in err and "token" in err, err
        assert "wrong-token" not in err + out
        assert not marker.exists()  # never launched
        # --server-optional: a warning, and the run goes on without the server.
        rc, out, err = finish(start(tmp_path, srv, run_id, cmd, "--server-optional", token="wrong-token"))
        assert rc == 0, err
        assert marker.exists()
        assert "401" in err
        # The right token: fine.
        marker.unlink()
        rc, out, err = finish(start(tmp_path, srv, run_id, cmd, token="right-token"))
        assert rc == 0, err
        assert srv.run(run_id)["status"] == "finished"
