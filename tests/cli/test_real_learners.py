"""Real learners under `sidecar-cli run` (issue 16): a PyTorch MLP and a numpy
policy-gradient learner (tests/cli/learners/), healthy and broken in the ways
runs break — a learning rate that grows until the loss diverges, labels
corrupted mid run, a policy that learns to hack its grader, one corrupted
policy update. Each broken run gets its incident at the step the learner says
its failure began (LEARNER_TRUTH), with at most two notifications per
incident; the healthy runs get nothing. (NaN from the first step:
test_pipeline_parity.py::test_real_pytorch_nan_from_step_1.)
"""
import collections
import json
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_pipeline_parity import run_alerts  # noqa: E402

LEARNERS = pathlib.Path(__file__).resolve().parent / "learners"
PY = "/usr/bin/python3"
HAS_TORCH = os.path.exists("/usr/lib/python3/dist-packages/torch")
HAS_NUMPY = os.path.exists("/usr/lib/python3/dist-packages/numpy")

# (script, mode, syndromes that name the failure, steps after the truth it may take)
CASES = [
    ("mlp.py", "healthy", None, None),
    ("mlp.py", "high_lr", {"loss_divergence", "loss_spike", "nan_loss", "high_loss"}, 5),
    ("mlp.py", "corrupt_labels", {"loss_spike", "loss_divergence", "validation_drop", "validation_loss_regression"}, 20),
    ("policy.py", "healthy", None, None),
    ("policy.py", "reward_hacking", {"reward_hacking_suspected"}, 100),
    ("policy.py", "corrupt_update", {"kl_explosion"}, 1),
]


def run_learner(cli, tmp_path, script, mode):
    truth = tmp_path / "truth.jsonl"
    run_dir = tmp_path / "run"
    env = dict(os.environ, LEARNER_TRUTH=str(truth))
    r = cli("run", "--run-dir", run_dir, "--history", "-", "--on-alert", "continue", "--no-report", "--", PY,
            LEARNERS / script, mode, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in truth.read_text().splitlines()] if truth.exists() else []
    alerts = run_alerts(run_dir) if (run_dir / "sidecar" / "alerts.jsonl").exists() else []
    return alerts, events


@pytest.mark.parametrize("script,mode,family,late", CASES, ids=[f"{s[:-3]}-{m}" for s, m, _, _ in CASES])
def test_real_learner(cli, tmp_path, script, mode, family, late):
    if script == "mlp.py" and not HAS_TORCH:
        pytest.skip("Debian python3-torch not installed")
    if not HAS_NUMPY:
        pytest.skip("Debian python3-numpy not installed")
    alerts, events = run_learner(cli, tmp_path, script, mode)
    raised = [a for a in alerts if a["severity"] in ("warning", "critical")]
    if family is None:
        assert raised == [], f"healthy {script} {mode} raised {[(a['syndrome'], a['step']) for a in raised]}"
        return
    assert len(events) == 1, events
    start = events[0]["step"]
    assert raised, f"{script} {mode}: nothing raised (failure began at step {start})"
    first = raised[0]
    assert first["syndrome"] in family, [(a["syndrome"], a["step"]) for a in raised]
    assert start <= first["step"] <= start + late, (start, [(a["syndrome"], a["step"]) for a in raised])
    # One failure is one incident (or a precursor and its escalation): at most
    # two notifications each, and every decision names its incident.
    assert all(a["evidence"].get("incident") for a in raised), raised
    notified = collections.Counter(a["evidence"]["incident"] for a in raised if a["evidence"].get("notify") != "no")
    assert max(notified.values()) <= 2, notified
