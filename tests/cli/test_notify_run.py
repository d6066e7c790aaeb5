"""`run` and `watch` notify people: Slack and webhook sinks from flags and the
playbook, one message per incident, secrets never on the command line or in
the output (issue 20)."""
import http.server
import json
import sys
import threading

import pytest

TRAIN = r"""
import json, os
with open(os.environ["SIDECAR_METRICS_FILE"], "a") as f:
    for s in range(1, 61):
        loss = 3.0 / s if s < 20 else float("nan")
        f.write(json.dumps({"step": s, "loss": loss}) + "\n")
        f.flush()
"""


class Receiver:
    """A local HTTP server that records every POST (path, headers, JSON body)."""

    def __init__(self):
        self.posts = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.posts.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server.server_address[1], path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def run_nan(cli, tmp_path, *flags, env=None, playbook=None):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    args = ["run", "--run-dir", tmp_path / "run", "--on-alert", "continue", "--history", "-", "--no-preflight",
            "--no-report"]
    if playbook:
        (tmp_path / "pb.yaml").write_text(playbook)
        args += ["--playbook", tmp_path / "pb.yaml"]
    return cli(*args, *flags, "--", sys.executable, script, env=env, timeout=120)


def test_slack_from_a_flag_gets_one_message_for_a_nan_incident(cli, tmp_path, receiver):
    secret_path = "/services/T000/B000/s3cr3t-token"
    r = run_nan(cli, tmp_path, "--slack-url-env", "MY_SLACK_URL", env={"MY_SLACK_URL": receiver.url(secret_path)})
    assert r.returncode == 0, r.stderr[-2000:]
    nan = [p for p in receiver.posts if "nan_loss" in json.dumps(p[2])]
    assert len(nan) == 1, receiver.posts  # one per incident, not one per NaN row (41 of them)
    path, headers, body = nan[0]
    assert path == secret_path
    assert "blocks" in body and "text" in body  # Block Kit with its fallback text
    assert "CRITICAL" in json.dumps(body) and "run" in json.dumps(body)
    assert "s3cr3t" not in r.stdout + r.stderr  # the URL's token never printed


def test_webhook_from_files_with_a_header(cli, tmp_path, receiver):
    (tmp_path / "url").write_text(receiver.url("/hook") + "\n")
    (tmp_path / "headers").write_text("# auth\nAuthorization: Bearer abc123\n")
    r = run_nan(cli, tmp_path, "--webhook-url-file", tmp_path / "url", "--webhook-header-file", tmp_path / "headers")
    assert r.returncode == 0, r.stderr[-2000:]
    nan = [p for p in receiver.posts if p[2].get("syndrome") == "nan_loss"]
    assert len(nan) == 1, receiver.posts
    path, headers, body = nan[0]
    assert path == "/hook"
    assert headers.get("Authorization") == "Bearer abc123"
    assert body["type"] == "alert" and body["event"] == "open" and body["incident"]
    assert body["severity"] == "critical" and body["run_id"] == "run"
    assert "abc123" not in r.stdout + r.stderr


def test_slack_from_the_playbook(cli, tmp_path, receiver):
    playbook = "sinks:\n  slack:\n    webhook_url_env: TEAM_SLACK\n    min_severity: critical\n"
    r = run_nan(cli, tmp_path, env={"TEAM_SLACK": receiver.url("/services/x")}, playbook=playbook)
    assert r.returncode == 0, r.stderr[-2000:]
    assert len([p for p in receiver.posts if "nan_loss" in json.dumps(p[2])]) == 1


def test_default_playbook_sends_nothing(cli, tmp_path, receiver):
    r = run_nan(cli, tmp_path, env={"SLACK_WEBHOOK_URL": receiver.url("/services/x")})
    assert r.returncode == 0, r.stderr[-2000:]
    assert receiver.posts == []  # off unless asked for, even with the variable set


def test_a_missing_secret_fails_before_launching(cli, tmp_path):
    marker = tmp_path / "launched"
    r = cli("run", "--run-dir", tmp_path / "run", "--no-preflight", "--slack-url-env", "NO_SUCH_VAR_X", "--",
            sys.executable, "-c", "open(%r, 'w')" % str(marker), env={"NO_SUCH_VAR_X": ""})
    assert r.returncode == 2
    assert "NO_SUCH_VAR_X" in r.stderr and "Slack" in r.stderr
    assert not marker.exists()
    r = cli("run", "--run-dir", tmp_path / "run2", "--no-preflight", "--webhook-url-file", tmp_path / "missing", "--",
            sys.executable, "-c", "open(%r, 'w')" % str(marker))
    assert r.returncode == 2 and "webhook" in r.stderr
    assert not marker.exists()
    r = cli("run", "--run-dir", tmp_path / "run3", "--no-preflight", "--playbook", "/dev/null", "--webhook-header-file",
            tmp_path / "h", "--", "true")
    assert r.returncode == 2 and "--webhook-url" in r.stderr


def test_playbook_check_reports_a_url_in_the_playbook(cli, tmp_path):
    (tmp_path / "pb.yaml").write_text("sinks:\n  slack:\n    webhook_url: https://hooks.slack.com/services/x\n")
    r = cli("playbook", "check", tmp_path / "pb.yaml")
    assert r.returncode != 0
    assert "secret" in r.stdout + r.stderr


def test_watch_notifies_too(cli, tmp_path, receiver):
    run = tmp_path / "w"
    run.mkdir()
    with open(run / "metrics.jsonl", "w") as f:
        for s in range(1, 41):
            f.write(json.dumps({"step": s, "loss": 3.0 / s if s < 20 else float("nan")}) + "\n")
    r = cli("watch", run, "--once", "--history", "-", "--webhook-url-env", "HOOK", env={"HOOK": receiver.url("/w")})
    assert r.returncode == 1, r.stderr[-2000:]  # a critical alert
    assert len([p for p in receiver.posts if p[2].get("syndrome") == "nan_loss"]) == 1


def test_a_missing_libcurl_is_named_and_monitoring_goes_on(cli, tmp_path, receiver):
    # libcurl is loaded on the first request (not at start): without it each
    # send fails with an error naming the library, and the run is still watched.
    missing = tmp_path / "no-such-libcurl.so.4"
    (tmp_path / "url").write_text(receiver.url("/hook") + "\n")
    r = run_nan(cli, tmp_path, "--webhook-url-file", tmp_path / "url", env={"SIDECAR_LIBCURL": str(missing)})
    assert r.returncode == 0, r.stderr[-2000:]
    assert receiver.posts == []
    out = r.stdout + r.stderr + "".join(p.read_text(errors="replace") for p in (tmp_path / "run").rglob("*")
                                        if p.is_file())
    assert "nan_loss" in out
    assert "libcurl" in out and str(missing) in out
