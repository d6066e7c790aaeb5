"""Start the real research-agent server (../shared/research-agent, as upstream
ships it) for interoperability tests, and talk to it.

    with RealServer(tmp_path, token="tok") as srv:      # skips the test when it cannot start
        run_id = srv.create_run("demo", "python train.py")
        srv.get("/alerts")                                # -> (code, json)
        srv.post(f"/alerts/{alert_id}/respond", {"choice": "Stop Job"})
        srv.restart()                                     # same workdir and port

The server lives at <repo>/../shared/research-agent (SIDECAR_RESEARCH_AGENT
overrides); without it, or without its Debian packages (python3-fastapi
python3-uvicorn python3-httpx python3-pydantic python3-requests python3-yaml
python3-libtmux, see scripts/deps.sh), the test is skipped with the reason.
"""
import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER_DIR = pathlib.Path(os.environ.get("SIDECAR_RESEARCH_AGENT", ROOT.parent / "shared" / "research-agent"))
LAUNCHER = SERVER_DIR / "run_server.py"
PYTHON = "/usr/bin/python3"  # Debian's, where the apt packages are
PACKAGES = "python3-fastapi python3-uvicorn python3-httpx python3-pydantic python3-requests python3-yaml python3-libtmux"


def skip_reason():
    """Why the real server cannot run here ("" when it can)."""
    if not LAUNCHER.exists():
        return (f"the real research-agent server is not at {SERVER_DIR} "
                "(<repo>/../shared/research-agent; CI has it)")
    r = subprocess.run([PYTHON, "-c", "import fastapi, uvicorn, httpx, pydantic, requests, yaml, libtmux"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return f"the research-agent server needs Debian packages: apt-get install -y {PACKAGES}"
    return ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealServer:
    def __init__(self, tmp_path, token=None):
        self.workdir = pathlib.Path(tmp_path) / "research-agent"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = self.workdir / "server.log"

    def __enter__(self):
        reason = skip_reason()
        if reason:
            pytest.skip(reason)
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=60.0):
        env = dict(os.environ)
        env.pop("RESEARCH_AGENT_USER_AUTH_TOKEN", None)
        if self.token:
            env["RESEARCH_AGENT_USER_AUTH_TOKEN"] = self.token
        env.pop("RESEARCH_AGENT_KEY", None)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([PYTHON, str(LAUNCHER), "--workdir", str(self.workdir), "--host", "127.0.0.1",
                                          "--port", str(self.port), "--tmux-session", f"sidecar-test-{self.port}"],
                                         stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(self.workdir),
                                         start_new_session=True)
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise AssertionError("the research-agent server exited at start:\n" + self.log.read_text()[-3000:])
            try:
                code, _ = self.get("/alerts", timeout=1.0)
                if code in (200, 401):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the research-agent server did not answer within %.0f s:\n%s" %
                             (timeout, self.log.read_text()[-3000:]))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def request(self, method, path, body=None, token=None, timeout=10.0):
        headers = {"Content-Type": "application/json"}
        tok = self.token if token is None else token
        if tok:
            headers["X-Auth-Token"] = tok
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw) if raw else None
            except ValueError:
                return e.code, raw.decode("utf-8", "replace")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def create_run(self, name="sidecar-test", command="python train.py"):
        code, run = self.post("/runs", {"name": name, "command": command})
        assert code == 200, (code, run)
        return run["id"]

    def alerts(self, run_id):
        code, alerts = self.get("/alerts")
        assert code == 200, (code, alerts)
        return [a for a in alerts if a.get("run_id") == run_id]

    def run(self, run_id):
        code, run = self.get(f"/runs/{run_id}")
        assert code == 200, (code, run)
        return run

    def metrics(self, run_id):
        code, m = self.get(f"/runs/{run_id}/metrics")
        assert code == 200, (code, m)
        return m or {}


def wait_for(pred, timeout=10.0, what="condition"):
    end = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() >= end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
