"""`sidecar-cli run --alertmanager URL` against the real prometheus-alertmanager
(Debian), started on 127.0.0.1 with a free port: the job's CUDA OOM fires as an
alert with our labels, and the run's end resolves it."""
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CLI = os.environ.get("SIDECAR_CLI", "")
AM = pathlib.Path("/usr/bin/prometheus-alertmanager")
OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB."

pytestmark = [
    pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)"),
    pytest.mark.skipif(not AM.exists(), reason=f"{AM} is absent (apt-get install prometheus-alertmanager)"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_alerts(url):
    with urllib.request.urlopen(url + "/api/v2/alerts", timeout=5) as r:
        return json.loads(r.read())


def wait_for(fn, timeout=20, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = fn()
        except OSError:
            v = None
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path):
    cfg = tmp_path / "am.yml"
    cfg.write_text("route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "am.log", "w")
    p = subprocess.Popen([str(AM), f"--config.file={cfg}", f"--storage.path={tmp_path / 'am-data'}",
                          f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: urllib.request.urlopen(url + "/-/ready", timeout=1).status == 200, what="alertmanager ready")
        yield url
    finally:
        p.kill()
        p.wait()
        log.close()


def test_run_fires_and_resolves_in_alertmanager(tmp_path, alertmanager):
    flag = tmp_path / "done"
    child = tmp_path / "child.py"
    child.write_text(
        "import os, sys, time\n"
        f"print({OOM!r}, flush=True)\n"
        f"while not os.path.exists({str(flag)!r}):\n"
        "    time.sleep(0.05)\n"
        "sys.exit(1)\n")
    d = tmp_path / "r"
    p = subprocess.Popen([CLI, "run", "--run-dir", str(d), "--run-id", "r-am", "--history", str(tmp_path / "h.jsonl"),
                          "--interval", "0.1", "--no-preflight", "--alertmanager", alertmanager, "--",
                          sys.executable, str(child)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        firing = wait_for(lambda: [a for a in get_alerts(alertmanager) if a["labels"].get("alertname") == "cuda_oom"],
                          what="the cuda_oom alert in Alertmanager")
        labels = firing[0]["labels"]
        assert labels["run_id"] == "r-am"
        assert labels["severity"] == "critical"
        assert labels["source"] == "logwatch"
        assert labels["host"] == socket.gethostname()
        assert firing[0]["status"]["state"] == "active"
        assert "CUDA out of memory" in firing[0]["annotations"]["evidence"] + firing[0]["annotations"]["summary"]
    finally:
        flag.write_text("")
        out, err = p.communicate(timeout=30)
    assert p.returncode == 1, err
    # The run ended: what was still active is resolved (endsAt set), so it is no longer listed.
    wait_for(lambda: not [a for a in get_alerts(alertmanager) if a["labels"].get("alertname") == "cuda_oom"],
             what="the alert to resolve")
