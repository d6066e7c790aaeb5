"""The Python Monitor with the server sink against the REAL research-agent
server (../shared/research-agent; tests/support/real_server.py skips with the
reason when it is absent), and the fake server (tests/support/fake_server.py)
checked against the real one: the same model fields kept and dropped, the
same answers to the same requests. Issue 18.
"""
import importlib.util
import math
import pathlib
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))
import fake_server  # noqa: E402
from real_server import SERVER_DIR, RealServer, skip_reason, wait_for  # noqa: E402


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    with RealServer(tmp_path_factory.mktemp("ra")) as srv:
        yield srv


class Fake:
    """tests/support/fake_server.py with the RealServer request helpers."""

    def __init__(self, tmp_path):
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "support" / "fake_server.py"), "--log",
                                      str(tmp_path / "requests.jsonl"), "--port", "0", "--run-dir",
                                      str(tmp_path)], stdout=subprocess.PIPE, text=True)
        port = int(self.proc.stdout.readline().split()[1])
        self.url = f"http://127.0.0.1:{port}"
        self.token = None

    request = RealServer.request
    get = RealServer.get
    post = RealServer.post

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def load_models():
    if skip_reason():
        pytest.skip(skip_reason())
    path = SERVER_DIR / "server" / "core" / "models.py"
    spec = importlib.util.spec_from_file_location("ra_models", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fields(model):
    f = getattr(model, "model_fields", None) or model.__fields__
    required = [k for k, v in f.items() if (v.is_required() if callable(getattr(v, "is_required", None))
                                            else v.required)]
    return tuple(f), tuple(required)


def test_fake_server_models_match_the_shipped_ones():
    m = load_models()
    assert fields(m.RunStatusUpdate) == (fake_server.STATUS_FIELDS, fake_server.STATUS_REQUIRED)
    assert fields(m.CreateAlertRequest) == (fake_server.ALERT_FIELDS, fake_server.ALERT_REQUIRED)
    assert fields(m.AlertRecord)[0] == fake_server.ALERT_RECORD_FIELDS
    assert fields(m.RespondAlertRequest)[0] == fake_server.RESPOND_FIELDS


def conversation(srv, run_id):
    """The same requests to either server; what a client can observe."""
    seen = []

    def note(what, code, body, keys=()):
        seen.append((what, code, tuple(sorted(k for k in (body or {}) if k in keys)) if isinstance(body, dict)
                     else type(body).__name__))

    alert = {"message": "loss is NaN", "choices": ["Ignore", "Stop Job"], "severity": "CRITICAL",
             "syndrome": "nan_loss", "step": 3}
    code, body = srv.post(f"/runs/{run_id}/alerts", alert)
    note("alert, unknown run", code, body)
    code, body = srv.post(f"/runs/{run_id}/status", {"status": "running", "monitor_note": "x", "run_dir": "/r"})
    note("status creates the run", code, body, ("message",))
    code, body = srv.post(f"/runs/{run_id}/status", {"exit_code": 1})
    note("status without status", code, None)
    code, body = srv.post(f"/runs/{run_id}/alerts", alert)
    note("alert", code, body, ("alert_id",))
    alert_id = body["alert_id"]
    code, body = srv.post(f"/runs/{run_id}/alerts", dict(alert, choices=[]))
    note("alert without choices", code, body)
    code, body = srv.post(f"/runs/{run_id}/alerts", {"choices": ["Ignore"]})
    note("alert without message", code, None)
    code, alerts = srv.get("/alerts")
    mine = [a for a in alerts if a["id"] == alert_id]
    seen.append(("alert record", code, tuple(sorted(mine[0])), mine[0]["severity"], mine[0]["status"],
                 mine[0]["message"]))
    code, body = srv.post(f"/alerts/{alert_id}/respond", {"choice": "Maybe"})
    note("respond, not a choice", code, body)
    code, body = srv.post(f"/alerts/{alert_id}/respond", {"choice": "Stop Job"})
    note("respond", code, body)
    code, alerts = srv.get("/alerts")
    mine = [a for a in alerts if a["id"] == alert_id][0]
    seen.append(("answered", mine["status"], mine["response"]))
    code, body = srv.post(f"/runs/{run_id}/metrics", {"rows": []})
    note("metrics, no rows", code, body)
    code, body = srv.post(f"/runs/{run_id}/metrics", {"rows": [{"step": 1, "loss": 0.5, "_timestamp": 1.0},
                                                               {"step": 2, "loss": None}]})
    note("metrics", code, body, ("appended",))
    seen.append(("appended", body["appended"]))
    code, body = srv.get(f"/runs/{run_id}/metrics")
    seen.append(("metric series", code, body["metricSeries"]["loss"]))
    code, body = srv.post(f"/runs/{run_id}/status", {"status": "finished", "exit_code": 2})
    note("finished with exit 2", code, body)
    code, run = srv.get(f"/runs/{run_id}")
    seen.append(("run", code, run["status"], run["exit_code"], run["error"], "monitor_note" in run, "run_dir" in run
                 and run["run_dir"] == "/r"))
    return seen


def test_fake_server_answers_like_the_real_one(tmp_path, real):
    fake = Fake(tmp_path)
    try:
        got_fake = conversation(fake, "interop-1")
    finally:
        fake.close()
    got_real = conversation(real, "interop-1")
    assert got_fake == got_real


# -- the Python Monitor ------------------------------------------------------------------------

def monitor(real, tmp_path, run_id):
    import sidecar
    sink = sidecar.make_server_sink(sidecar.ServerSinkOptions(url=real.url, run_id=run_id))
    return sidecar.Monitor(run_dir=str(tmp_path / run_id), sinks=[sink], history=False, run_id=run_id)


def nan_alert(real, run_id):
    return next((a for a in real.alerts(run_id) if "nan" in a["message"].lower()), None)


def raise_and_answer_nan(real, tmp_path, run_id, choice):
    """A monitor whose NaN alert the server has answered with `choice`."""
    mon = monitor(real, tmp_path, run_id)
    mon.observe({"loss": 1.0}, step=0)
    mon.observe({"loss": math.nan}, step=1)
    a = wait_for(lambda: nan_alert(real, run_id), what="the NaN alert on the server")
    assert real.post(f"/alerts/{a['id']}/respond", {"choice": choice})[0] == 200
    return mon


def test_monitor_nan_alert_reaches_the_server_readably(tmp_path, real):
    run_id = real.create_run("py-nan")
    mon = monitor(real, tmp_path, run_id)
    for step in range(5):
        mon.observe({"loss": 1.0 / (step + 1)}, step=step)
    (alert,) = mon.observe({"loss": math.nan}, step=5)
    a = wait_for(lambda: nan_alert(real, run_id), what="the NaN alert on the server")
    assert a["severity"] == "critical"
    assert "nan_loss" in a["message"] and "step 5" in a["message"], a["message"]
    mon.finish("killed", error="killed by SIGKILL", timeout_s=5.0)
    run = real.run(run_id)
    assert run["status"] == "failed" and run["exit_code"] is None, run
    assert "SIGKILL" in run["error"]


def test_monitor_ignore_on_the_server_does_not_stop(tmp_path, real):
    run_id = real.create_run("py-ignore")
    mon = raise_and_answer_nan(real, tmp_path, run_id, "Ignore")
    time.sleep(2.0)
    assert not mon.stop_requested
    mon.finish("finished", exit_code=0, timeout_s=5.0)
    assert real.run(run_id)["status"] == "finished"


def test_monitor_stop_job_on_the_server_requests_a_stop_within_5s(tmp_path, real):
    run_id = real.create_run("py-stop")
    mon = raise_and_answer_nan(real, tmp_path, run_id, "Stop Job")
    t0 = time.time()
    wait_for(lambda: mon.stop_requested, timeout=5.0, what="stop_requested")
    assert time.time() - t0 < 5.0
    mon.finish("stopped", timeout_s=5.0)
    assert real.run(run_id)["status"] == "stopped"


def test_monitor_metrics_are_visible_on_the_server(tmp_path, real):
    run_id = real.create_run("py-metrics")
    mon = monitor(real, tmp_path, run_id)
    for step in range(50):
        mon.observe({"loss": 1.0 / (step + 1), "accuracy": step / 50}, step=step)
    mon.finish("finished", exit_code=0, timeout_s=5.0)
    m = real.metrics(run_id)
    assert [p["step"] for p in m["metricSeries"]["loss"]] == list(range(50))
