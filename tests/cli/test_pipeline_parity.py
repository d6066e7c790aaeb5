"""One pipeline: a live `run` raises the same (syndrome, step) alerts as a
`replay` of the files it wrote, whatever the write rate and however rows are
batched across reads; log findings carry the step of the line."""
import json
import os
import pathlib
import sys

import pytest

from conftest import CLI

PY = "/usr/bin/python3"

# A PPO-like run: loss and reward settle, KL jumps for exactly one row at
# KL_STEP, the loss goes NaN from NAN_STEP on. Rows are written in batches
# whose boundaries fall mid-line, at `rate` rows per second.
WRITER = r'''
import json, math, os, sys, time
rate, n, kl_step, nan_step = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
path = os.path.join(os.environ["SIDECAR_RUN_DIR"], "metrics.jsonl")
batch = max(1, int(rate // 20))
buf = ""
t0 = time.monotonic()
with open(path, "w") as f:
    for step in range(n):
        loss = 2.0 * math.exp(-step / 50.0) + 0.5 + 0.01 * ((step * 7) % 5)
        if step >= nan_step:
            loss = float("nan")
        kl = 0.02 + 0.001 * (step % 3)
        if step == kl_step:
            kl = 4.0
        row = {"step": step, "loss": loss, "approx_kl": kl, "reward": 1.0 + 0.01 * (step % 4)}
        buf += json.dumps(row) + "\n"
        if (step + 1) % batch == 0 or step == n - 1:
            cut = len(buf) - 7 if step != n - 1 else len(buf)  # leave a partial line for the next write
            f.write(buf[:cut]); f.flush()
            buf = buf[cut:]
            delay = t0 + (step + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    f.write(buf); f.flush()
print("done", flush=True)
'''


def alert_set(records):
    return sorted({(r["syndrome"], r.get("step")) for r in records if r.get("type") == "alert"})


def jsonl(text):
    return [json.loads(l) for l in text.splitlines() if l.strip().startswith("{")]


def run_alerts(run_dir):
    """The alert records a run wrote to <run_dir>/sidecar/alerts.jsonl."""
    return [r for r in jsonl((run_dir / "sidecar" / "alerts.jsonl").read_text()) if r.get("type") == "alert"]


# A job script's opening (p: metrics.jsonl in the run directory) and its line
# writing one loss row for step s, flushed.
OPEN_RUN_METRICS = "import json, os\np = os.path.join(os.environ['SIDECAR_RUN_DIR'], 'metrics.jsonl')\n"
WRITE_ROW = "f.write(json.dumps({'step': s, 'loss': 1.0 + 0.01 * (s % 5)}) + '\\n'); f.flush()\n"


def of_syndrome(alerts, syndrome):
    return [a for a in alerts if a["syndrome"] == syndrome]


def run_script(cli, tmp_path, source, *flags, timeout=120):
    """Runs `source` as train.py under `sidecar-cli run` (no history, alerts do
    not wait, `flags` added); returns the finished process and the alerts the
    run wrote (none when it wrote no alerts.jsonl)."""
    script = tmp_path / "train.py"
    script.write_text(source)
    run_dir = tmp_path / "run"
    r = cli("run", "--run-dir", run_dir, "--history", "-", "--on-alert", "continue", *flags, "--", PY, script,
            timeout=timeout)
    return r, run_alerts(run_dir) if (run_dir / "sidecar" / "alerts.jsonl").exists() else []


@pytest.mark.parametrize("rate,n,kl_step,nan_step", [(1, 25, 12, 20), (100, 600, 300, 500), (10000, 20000, 9000, 15000)])
def test_live_run_matches_replay(cli, tmp_path, rate, n, kl_step, nan_step):
    writer = tmp_path / "ppo_writer.py"
    writer.write_text(WRITER)
    run_dir = tmp_path / "run"
    r = cli("run", "--run-dir", run_dir, "--history", "-", "--on-alert", "continue", "--profile",
            "reinforcement_learning", "--", PY, writer, rate, n, kl_step, nan_step, timeout=180)
    assert r.returncode == 0, r.stderr
    live = alert_set(run_alerts(run_dir))
    rep = cli("replay", "--format", "jsonl", "--profile", "reinforcement_learning", run_dir / "metrics.jsonl")
    assert rep.returncode in (0, 1), rep.stderr
    replayed = alert_set(jsonl(rep.stdout))
    assert live == replayed
    # The planted events are there, at their steps.
    assert ("nan_loss", nan_step) in live
    assert ("kl_explosion", kl_step) in live


def test_log_finding_carries_the_line_step(cli, tmp_path):
    r, alerts = run_script(
        cli, tmp_path,
        OPEN_RUN_METRICS +
        "with open(p, 'w') as f:\n"
        "    for s in range(0, 240, 10):\n"
        "        " + WRITE_ROW +
        "print('step 250: loss=nan', flush=True)\n")
    assert r.returncode == 0, r.stderr
    nan_log = of_syndrome(alerts, "nan_in_log")
    assert nan_log, alerts
    assert nan_log[0]["step"] == 250
    assert "read_at" in nan_log[0]["evidence"]


def test_a_line_without_a_step_takes_the_last_row_before_it(cli, tmp_path):
    r, alerts = run_script(
        cli, tmp_path,
        OPEN_RUN_METRICS +
        "f = open(p, 'w')\n"
        "for s in range(40):\n"
        "    " + WRITE_ROW +
        "print('RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB', flush=True)\n"
        "import time; time.sleep(1.5)  # the line and the later rows reach sidecar in this order\n"
        "for s in range(40, 80):\n"
        "    " + WRITE_ROW)
    assert r.returncode == 0, r.stderr
    oom = of_syndrome(alerts, "cuda_oom")
    assert oom and oom[0]["step"] == 39, alerts


def test_hf_dicts_on_stdout_are_rows(cli, tmp_path):
    # The most common case: a script that only prints Hugging Face style dicts.
    r, alerts = run_script(
        cli, tmp_path,
        "import time\n"
        "for k in range(30):\n"
        "    loss = float('nan') if k >= 20 else 2.0 - 0.03 * k\n"
        "    print({'loss': loss, 'grad_norm': 1.2, 'learning_rate': 2e-05, 'epoch': k / 10}, flush=True)\n"
        "    time.sleep(0.2)\n", "--stop-on", "critical")
    nan = of_syndrome(alerts, "nan_loss")
    assert nan and nan[0]["severity"] == "critical" and nan[0]["step"] == 20, alerts
    assert r.returncode == 3, r.stderr  # --stop-on critical stopped it


@pytest.mark.skipif(not os.path.exists("/usr/lib/python3/dist-packages/torch"), reason="Debian python3-torch not installed")
def test_real_pytorch_nan_from_step_1(cli, tmp_path):
    r, alerts = run_script(
        cli, tmp_path,
        "import json, os, torch\n"
        "torch.manual_seed(0)\n"
        "model = torch.nn.Linear(8, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=1e38)\n"
        "x, y = torch.randn(64, 8), torch.randn(64, 1)\n"
        "f = open(os.environ['SIDECAR_METRICS_FILE'], 'w')\n"
        "for step in range(40):\n"
        "    loss = torch.nn.functional.mse_loss(model(x), y)\n"
        "    opt.zero_grad(); loss.backward(); opt.step()\n"
        "    f.write(json.dumps({'step': step, 'loss': loss.item()}) + '\\n'); f.flush()\n", timeout=300)
    assert r.returncode == 0, r.stderr
    crit = [a for a in alerts if a["severity"] == "critical"]
    assert crit and crit[0]["step"] <= 1, alerts
