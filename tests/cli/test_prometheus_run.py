"""`run --prometheus ADDR:PORT` serves /metrics while the run goes on; the
scrape parses with prometheus_client's text-format parser (issue 20)."""
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import CLI, needs_cli

parser = pytest.importorskip("prometheus_client.parser")

TRAIN = r"""
import json, os, sys, time
stop = sys.argv[1]
with open(os.environ["SIDECAR_METRICS_FILE"], "a") as f:
    for s in range(1, 31):
        loss = 3.0 / s if s < 25 else float("nan")
        f.write(json.dumps({"step": s, "loss": loss, "samples_per_second": 100.0}) + "\n")
        f.flush()
        print("step", s, flush=True)
deadline = time.time() + 60
while not os.path.exists(stop) and time.time() < deadline:
    time.sleep(0.05)
"""


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        return r.read().decode()


def samples(text):
    out = {}
    for fam in parser.text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


@needs_cli
def test_run_serves_metrics_while_it_runs(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    stop = tmp_path / "stop"
    p = subprocess.Popen([CLI, "run", "--run-dir", tmp_path / "pr", "--on-alert", "continue", "--history", "-",
                          "--no-preflight", "--no-report", "--quiet", "--interval", "0.2", "--prometheus",
                          "127.0.0.1:0", "--", sys.executable, script, stop],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    url = None
    try:
        for line in p.stderr:
            lines.append(line)
            m = re.search(r"prometheus: serving (http://127\.0\.0\.1:(\d+)/metrics)", line)
            if m:
                url = m.group(1)
                assert int(m.group(2)) > 0  # the ephemeral port is named
                break
        assert url, "".join(lines)
        threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True).start()
        deadline = time.time() + 60
        got = {}
        while time.time() < deadline:
            got = samples(scrape(url))
            rows = got.get("sidecar_metric_rows_read_total", [({}, 0)])[0][1]
            alerts = sum(v for _, v in got.get("sidecar_alerts_total", []))
            # The log tail is read on its own schedule: wait for it too, not only for the metric rows.
            log_lines = got.get("sidecar_log_lines_read_total", [({}, 0)])[0][1]
            if rows >= 30 and alerts >= 1 and log_lines >= 30:
                break
            time.sleep(0.2)
        assert got["sidecar_metric_rows_read_total"][0] == ({"run_id": "pr"}, 30.0), got
        crit = [v for labels, v in got["sidecar_alerts_total"] if labels["severity"] == "critical"]
        assert crit and crit[0] >= 1
        open_nan = [v for labels, v in got["sidecar_open_incidents"] if labels["syndrome"] == "nan_loss"]
        assert open_nan == [1.0]
        loss = [v for labels, v in got["sidecar_metric_value"] if labels["role"] == "loss"]
        assert len(loss) == 1 and math.isnan(loss[0])
        # Each role's sample names the metric key bound to it.
        keys = {labels["role"]: labels["key"] for labels, _ in got["sidecar_metric_value"]}
        assert keys["loss"] == "loss" and keys["throughput"] == "samples_per_second", keys
        assert all(keys.values()), keys
        assert got["sidecar_step"][0][1] == 30
        age = got["sidecar_last_row_age_seconds"][0][1]
        assert 0 <= age < 30
        assert got["sidecar_log_lines_read_total"][0][1] >= 30
    finally:
        stop.write_text("")
        rc = p.wait(timeout=60)
    assert rc == 0, "".join(lines)[-2000:]
    # The exporter stopped with the run.
    with pytest.raises(OSError):
        scrape(url)


def test_prometheus_address_errors(cli, tmp_path):
    r = cli("run", "--run-dir", tmp_path / "x", "--no-preflight", "--prometheus", "not-an-address:abc", "--", "true")
    assert r.returncode == 2 and "--prometheus" in r.stderr
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        taken = s.getsockname()[1]
        r = cli("watch", tmp_path, "--once", "--prometheus", "127.0.0.1:%d" % taken)
        assert r.returncode == 2 and "--prometheus" in r.stderr
    finally:
        s.close()


def test_http_module_is_loaded_only_to_serve(cli, tmp_path):
    # The HTTP server (cpp-httplib, which initialises OpenSSL) is a module of its own: a command that serves
    # nothing never loads it, nor OpenSSL.
    log = tmp_path / "train.log"
    log.write_text("step 1 loss 0.5\n")
    r = cli("scan", log, env={"LD_DEBUG": "files"})
    assert r.returncode == 0, r.stderr
    assert "file=libsidecar-http.so" not in r.stderr and "libcpp-httplib" not in r.stderr
    assert "libssl" not in r.stderr and "libcrypto" not in r.stderr
    r = cli("watch", tmp_path, "--once", "--prometheus", "127.0.0.1:0", env={"LD_DEBUG": "files"})
    assert r.returncode == 0, r.stderr
    assert "libsidecar-http.so" in r.stderr and "libcpp-httplib" in r.stderr


def test_missing_http_module_is_a_clear_error(cli, tmp_path):
    missing = tmp_path / "nowhere" / "libsidecar-http.so"
    r = cli("watch", tmp_path, "--once", "--prometheus", "127.0.0.1:0", env={"SIDECAR_HTTP_MODULE": str(missing)})
    assert r.returncode == 2
    assert "--prometheus" in r.stderr and str(missing) in r.stderr and "SIDECAR_HTTP_MODULE" in r.stderr
    # Without --prometheus the setting is never looked at.
    r = cli("watch", tmp_path, "--once", env={"SIDECAR_HTTP_MODULE": str(missing)})
    assert r.returncode == 0, r.stderr
