"""Monitor with the research-agent server sink, against tests/support/fake_server.py:
the alert and status posts, the token, and a "Stop Job" answered for the
server's alert id."""
import json
import pathlib
import subprocess
import sys
import time
import urllib.request

import pytest

import sidecar

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = ROOT / "tests" / "support" / "fake_server.py"

pytestmark = pytest.mark.skipif(not SERVER.exists(), reason="tests/support/fake_server.py is not there")


@pytest.fixture
def server(tmp_path):
    log = tmp_path / "requests.jsonl"
    p = subprocess.Popen([sys.executable, str(SERVER), "--log", str(log), "--port", "0"], stdout=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline().split()
    assert line and line[0] == "PORT", line
    url = f"http://127.0.0.1:{line[1]}"

    def control(path="/_control", **body):
        req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req, timeout=5).read() or b"{}")

    def requests():
        return [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []

    yield url, control, requests
    p.terminate()
    p.wait(timeout=10)


def wait_for(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_alert_status_token_and_server_side_stop(server, tmp_path, monkeypatch):
    url, control, requests = server
    monkeypatch.setenv("SIDECAR_AUTH_TOKEN", "tok-123")
    control(alert_id_prefix="srv-")
    sink = sidecar.make_server_sink(sidecar.ServerSinkOptions(url=url, run_id="r1"))
    mon = sidecar.Monitor(run_dir=str(tmp_path), sinks=[sink], history=False, run_id="r1")
    mon.observe({"loss": 1.0}, step=0)
    (alert,) = mon.observe({"loss": float("nan")}, step=1)
    assert wait_for(lambda: any(r["path"] == "/runs/r1/alerts" for r in requests()))
    posted = [r for r in requests() if r["path"] == "/runs/r1/alerts"][0]
    assert posted["body"]["syndrome"] == "nan_loss" and posted["body"]["severity"] == "critical"
    assert posted["headers"].get("x-auth-token") == "tok-123"
    # The orchestrator answers under the id the server gave the alert.
    control("/_control/respond", run_dir=str(tmp_path), alert_id="srv-1", choice="Stop Job")
    assert wait_for(lambda: mon.stop_requested)
    assert "srv-1" in mon.stop_reason or alert.id in mon.stop_reason
    mon.finish("stopped", timeout_s=5.0)
    statuses = [r["body"] for r in requests() if r["path"] == "/runs/r1/status"]
    assert statuses and statuses[0]["status"] == "running" and statuses[-1]["status"] == "stopped"
    assert "token" not in json.dumps(statuses)


def test_a_refused_token_raises_at_construction_never_in_observe(server, tmp_path, monkeypatch):
    """A server that refuses the token was only a count in stats()['sinks']: the Monitor now
    raises PermissionDeniedError when it is made (as `run` fails before launching), the sink
    left with its owner; a token refused later is counted, and observe() never raises."""
    url, control, requests = server
    control(require_token="right")
    monkeypatch.setenv("SIDECAR_AUTH_TOKEN", "WRONG-tok-1")
    sink = sidecar.make_server_sink(sidecar.ServerSinkOptions(url=url, run_id="r1"))
    with pytest.raises(sidecar.PermissionDeniedError) as e:
        sidecar.Monitor(run_dir=str(tmp_path / "r1"), sinks=[sink], history=False, run_id="r1")
    assert isinstance(e.value, PermissionError) and isinstance(e.value, sidecar.Error)
    assert "refused the token (HTTP 401)" in str(e.value) and "WRONG" not in str(e.value)
    with pytest.raises(sidecar.PermissionDeniedError):  # still its owner's: not "already belongs to a Monitor"
        sidecar.Monitor(sinks=[sink], history=False, run_id="r1")

    monkeypatch.setenv("SIDECAR_AUTH_TOKEN", "right")
    good = sidecar.make_server_sink(sidecar.ServerSinkOptions(url=url, run_id="r2"))
    mon = sidecar.Monitor(run_dir=str(tmp_path / "r2"), sinks=[good], history=False, run_id="r2")
    control(require_token="changed")  # revoked during the run
    mon.observe({"loss": 1.0}, step=0)
    mon.observe({"loss": float("nan")}, step=1)
    assert wait_for(lambda: mon.stats()["sinks"]["auth_failures"] > 0)
    assert mon.stats()["sinks"]["rejected"] > 0
    mon.observe({"loss": float("nan")}, step=2)  # never raises in the training loop
    mon.finish(timeout_s=1.0)
