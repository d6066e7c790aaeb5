"""The real end-to-end example: examples/python/torch_diverge.py, an MLP
trained on CPU with Debian's python3-torch, once diverging, once sane."""
import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "python" / "torch_diverge.py"

try:
    import torch  # noqa: F401

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

pytestmark = pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed (Debian: apt install python3-torch)")


def run(*args):
    env = dict(os.environ)
    p = subprocess.run([sys.executable, str(EXAMPLE), "--json", *args], capture_output=True, text=True, env=env,
                       timeout=300, cwd=str(ROOT))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def onset(losses, factor=5.0):
    """The first step whose loss is non-finite or `factor` x the best loss before it."""
    best = math.inf
    for i, v in enumerate(losses):
        if not math.isfinite(v) or (i > 0 and v > factor * best):
            return i
        best = min(best, v)
    return None


def test_diverging_learning_rate_is_flagged_at_the_right_step():
    out = run("--lr", "3.0")
    losses = [float(v) for v in out["losses"]]
    alerts = out["alerts"]
    start = onset(losses)
    assert start is not None and start > 5, losses  # it trained before it diverged
    assert alerts, out
    first = alerts[0]
    assert first["syndrome"] in ("loss_spike", "loss_divergence", "nan_loss", "grad_norm_explosion"), first
    # Not before the divergence, and within a few steps of its onset.
    assert start <= first["step"] <= start + 5, (start, alerts)
    # The loop stops on the first critical alert: spike or NaN, at the last step run.
    critical = [a for a in alerts if a["severity"] == "critical"]
    assert critical and critical[0]["syndrome"] in ("loss_spike", "nan_loss")
    assert critical[0]["step"] == out["steps_run"] - 1
    if out["first_nonfinite_step"] is not None:
        assert critical[0]["step"] <= out["first_nonfinite_step"]


def test_sane_learning_rate_raises_nothing():
    out = run("--lr", "0.05")
    assert out["alerts"] == []
    assert out["first_nonfinite_step"] is None
    losses = [float(v) for v in out["losses"]]
    assert losses[-1] < losses[0]  # it really trained
