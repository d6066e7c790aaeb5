"""The GPU gate's terminal lines under `sidecar-cli run` (issue 13): while it
waits, one line per change of state that says the job has not started yet,
each with ONE "GPU preflight" prefix, and the request's note at most once
(the gate polls a fake nvidia-smi several times)."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import CLI, DATA

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


def fake_smi(tmp_path, scenario):
    d = tmp_path / f"smi-{scenario}"
    shutil.copytree(DATA / "nvidia-smi" / "scenarios" / scenario, d)
    (d / "nvidia-smi").symlink_to(DATA / "nvidia-smi" / "fake-nvidia-smi")
    return d / "nvidia-smi"


def gate(tmp_path, scenario, wait="0.6"):
    smi = fake_smi(tmp_path, scenario)
    marker = tmp_path / "launched"
    r = subprocess.run([CLI, "run", "--run-dir", str(tmp_path / "r"), "--history", str(tmp_path / "h.jsonl"),
                        "--nvidia-smi", str(smi), "--gpu-wait", wait, "--gpu-poll", "0.1", "--on-alert", "stop",
                        "--", sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                       env={**os.environ, "CUDA_VISIBLE_DEVICES": "0", "NO_COLOR": "1"})
    polls = int((smi.parent / "counter").read_text())
    return r, polls, marker.exists()


def test_busy_gpu_waiting_line_appears_once_with_one_prefix(tmp_path):
    # a 2 s wait at 0.1 s polls: >= 3 polls even when the fake nvidia-smi takes 0.3 s to start on a loaded machine
    r, polls, launched = gate(tmp_path, "busy", wait="2")
    assert r.returncode == 3, r.stderr
    assert not launched
    assert polls >= 3, polls  # several polls, yet one waiting line
    lines = r.stderr.splitlines()
    gate_lines = [x for x in lines if "GPU preflight" in x]
    assert gate_lines, r.stderr
    assert all(x.count("GPU preflight") == 1 for x in gate_lines), gate_lines
    waiting = [x for x in lines if "has not started yet" in x]
    assert len(waiting) == 1, r.stderr
    assert waiting[0].startswith("[sidecar] GPU preflight: GPU 0"), waiting
    assert len([x for x in lines if x.lstrip().startswith("note:")]) <= 1, r.stderr
    assert any("GPU preflight: still busy after" in x for x in gate_lines), gate_lines


def test_free_after_a_wait_states_the_verdict_with_one_prefix(tmp_path):
    r, polls, launched = gate(tmp_path, "busy-then-free", wait="10")
    assert r.returncode == 0, r.stderr
    assert launched
    gate_lines = [x for x in r.stderr.splitlines() if "GPU preflight" in x]
    assert all(x.count("GPU preflight") == 1 for x in gate_lines), gate_lines
    assert len([x for x in gate_lines if "has not started yet" in x]) == 1, gate_lines
    assert any(x.startswith("[sidecar] GPU preflight: GPU 0 free") for x in gate_lines), gate_lines
