"""The live status line of `run` (issue 20): repainted in place on a TTY
(stderr), never in run.log, never when stderr is not a terminal."""
import os
import pty
import select
import subprocess
import sys
import time

from conftest import CLI, needs_cli

TRAIN = r"""
import json, os, time
with open(os.environ["SIDECAR_METRICS_FILE"], "a") as f:
    for s in range(1, 31):
        f.write(json.dumps({"step": s, "loss": 2.0 / s}) + "\n")
        f.flush()
        time.sleep(0.1)
"""


@needs_cli
def test_status_line_on_a_tty_only(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    run = tmp_path / "run"
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm", NO_COLOR="1")
    p = subprocess.Popen([CLI, "run", "--run-dir", run, "--on-alert", "continue", "--history", "-", "--no-preflight",
                          "--no-report", "--interval", "0.2", "--", sys.executable, script],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    assert p.wait(timeout=30) == 0, out[-2000:]
    os.close(master)
    text = out.decode(errors="replace")
    painted = [seg for seg in text.split("\r") if "step " in seg and "loss" in seg]
    assert painted, text[-2000:]  # repainted in place with the step and the loss
    assert "\x1b[K" in text  # erased to the end of the line
    assert "step" not in (run / "run.log").read_text()  # never in run.log (the job printed nothing)

    # stderr not a terminal: no status line at all.
    r = subprocess.run([CLI, "run", "--run-dir", tmp_path / "run2", "--on-alert", "continue", "--history", "-",
                        "--no-preflight", "--no-report", "--interval", "0.2", "--", sys.executable, script],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr and "\x1b[K" not in r.stderr
