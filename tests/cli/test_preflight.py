"""sidecar-cli preflight against a fake nvidia-smi whose answers change per poll.

Each scenario (tests/data/nvidia-smi/scenarios/<name>) is copied to a temp dir
with `nvidia-smi` linked to tests/data/nvidia-smi/fake-nvidia-smi, which
counts its polls there. Waits are sub-second so the tests stay fast.
"""
import json
import os
import pathlib
import pty
import shutil
import subprocess
import time

import pytest

from conftest import CLI, needs_cli

FAST = ["--poll", "0.05", "--wait", "0.3", "--answer-timeout", "0.3"]
CHOICES = ["Continue Anyway", "Stop Job"]


@pytest.fixture
def smi(tmp_path, data):
    def make(scenario):
        d = tmp_path / f"smi-{scenario}"
        shutil.copytree(data / "nvidia-smi" / "scenarios" / scenario, d)
        (d / "nvidia-smi").symlink_to(data / "nvidia-smi" / "fake-nvidia-smi")
        return d / "nvidia-smi"

    return make


def records(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def polls(smi_path):
    return int((smi_path.parent / "counter").read_text())


def test_free_at_once(cli, smi):
    s = smi("free")
    r = cli("preflight", "--devices", "0,1", "--nvidia-smi", s, "--format", "jsonl", *FAST)
    assert r.returncode == 0, r.stderr
    (rec,) = records(r.stdout)
    assert rec["type"] == "preflight"
    assert rec["requested"] == ["0", "1"]
    assert rec["busy"] == []
    assert rec["available"] is True
    assert rec["timed_out"] is False
    assert rec["skipped"] is False
    assert rec["proceed"] is True
    assert len(rec["gpus"]) == 2
    assert "decision" not in rec
    assert polls(s) == 1


def test_busy_then_freed_during_the_wait(cli, smi):
    s = smi("busy-then-free")
    r = cli("preflight", "--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--poll", "0.05", "--wait", "10")
    assert r.returncode == 0, r.stderr
    (rec,) = records(r.stdout)
    assert rec["available"] is True
    assert rec["polls"] == 3
    assert 0.05 <= rec["waited_seconds"] < 5
    # Progress on stderr: which GPU, who holds it, time left.
    progress = [line for line in r.stderr.splitlines() if line.startswith("preflight:")]
    assert len(progress) == 2
    assert "GPU 0: 1 process (pid 4242 12.1 GiB)" in progress[0]
    assert "s left)" in progress[0]


def run_until_alert(args, answer=None, run_dir=None):
    """Starts preflight, waits for the alert on stdout, optionally answers it."""
    p = subprocess.Popen([CLI, "preflight", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
    alert = json.loads(p.stdout.readline())
    assert alert["type"] == "alert"
    if answer is not None:
        path = pathlib.Path(run_dir) / "alerts" / f"{alert['id']}.response"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(answer)
    out, err = p.communicate(timeout=60)
    return p.returncode, alert, records(out), err


@pytest.mark.parametrize("answer,code,proceed", [("Stop Job\n", 1, False), ("Continue Anyway\n", 1, True)])
@needs_cli
def test_busy_at_timeout_operator_answers(smi, tmp_path, answer, code, proceed):
    s = smi("busy")
    rc, alert, recs, err = run_until_alert(
        ["--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--poll", "0.05", "--wait", "0.2",
         "--answer-timeout", "30", "--run-dir", tmp_path, "--run-id", "r7"], answer=answer, run_dir=tmp_path)
    assert rc == code, err
    assert alert["source"] == "preflight"
    assert alert["syndrome"] == "gpu_occupied"
    assert alert["severity"] == "warning"
    assert alert["choices"] == CHOICES
    assert alert["run_id"] == "r7"
    assert alert["evidence"]["busy"] == "0"
    assert "pid 4242" in alert["evidence"]["GPU 0"]
    (rec,) = recs
    assert rec["type"] == "preflight"
    assert rec["timed_out"] is True
    assert rec["available"] is False
    assert rec["busy"] == ["0"]
    assert rec["decision"] == answer.strip()
    assert rec["decided_by"] == "response_file"
    assert rec["proceed"] is proceed
    assert rec["alert_id"] == alert["id"]
    # The alert is recorded in the run directory too.
    logged = records((tmp_path / "sidecar" / "alerts.jsonl").read_text())
    assert logged == [alert]


def test_nobody_answers_default_applies(cli, smi, tmp_path):
    s = smi("busy")
    t0 = time.monotonic()
    r = cli("preflight", "--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--run-dir", tmp_path, *FAST)
    assert time.monotonic() - t0 < 10
    assert r.returncode == 1
    alert, rec = records(r.stdout)
    assert alert["type"] == "alert"
    assert rec["decision"] == "Stop Job"
    assert rec["decided_by"] == "default"
    assert "no answer within 0.3 s" in rec["reason"]
    r2 = cli("preflight", "--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--run-dir", tmp_path,
             "--default-action", "continue anyway", *FAST)
    assert r2.returncode == 1  # still busy at the timeout; the record says to proceed
    assert records(r2.stdout)[-1]["proceed"] is True
    assert records(r2.stdout)[-1]["decision"] == "Continue Anyway"


@needs_cli
def test_answer_outside_the_choices_takes_the_default(smi, tmp_path):
    s = smi("busy")
    rc, _, recs, err = run_until_alert(
        ["--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--poll", "0.05", "--wait", "0.1",
         "--answer-timeout", "30", "--run-dir", tmp_path], answer="Don't stop\n", run_dir=tmp_path)
    assert rc == 1, err
    assert recs[0]["decision"] == "Stop Job"
    assert "'Don't stop' is not one of the alert's choices" in recs[0]["reason"]


@needs_cli
def test_tty_answer(smi, tmp_path):
    s = smi("busy")
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([CLI, "preflight", "--devices", "0", "--nvidia-smi", str(s), "--format", "jsonl",
                              "--poll", "0.05", "--wait", "0.1", "--answer-timeout", "30", "--run-dir", str(tmp_path)],
                             stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        alert = json.loads(p.stdout.readline())
        assert alert["type"] == "alert"
        os.write(master, b"Continue Anyway\n")
        out, err = p.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert p.returncode == 1, err  # busy at the timeout, whatever the answer
    assert "or type it here" in err
    rec = records(out)[-1]
    assert rec["decision"] == "Continue Anyway"
    assert rec["decided_by"] == "tty"


@pytest.mark.parametrize("policy,proceed", [("stop", False), ("continue", True)])
def test_on_timeout_policy_does_not_ask(cli, smi, policy, proceed):
    s = smi("busy")
    r = cli("preflight", "--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--on-timeout", policy, *FAST)
    assert r.returncode == 1  # busy at the timeout either way
    (rec,) = records(r.stdout)  # no alert record
    assert rec["decided_by"] == "policy"
    assert rec["proceed"] is proceed


def test_gpu_missing_is_an_error(cli, smi):
    s = smi("missing")
    r = cli("preflight", "--devices", "0,1", "--nvidia-smi", s, "--format", "jsonl", *FAST)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("sidecar-cli: preflight: requested GPU 1 not found: nvidia-smi lists GPU 0")
    assert polls(s) == 1


def test_nvidia_smi_absent_skips(cli, tmp_path):
    r = cli("preflight", "--devices", "0", "--nvidia-smi", tmp_path / "no-such-nvidia-smi", "--format", "jsonl")
    assert r.returncode == 0
    (rec,) = records(r.stdout)
    assert rec["skipped"] is True
    assert "nvidia-smi not found" in rec["reason"]


def test_nvidia_smi_failing_is_an_error(cli, smi):
    r = cli("preflight", "--devices", "0", "--nvidia-smi", smi("failing"), *FAST)
    assert r.returncode == 2
    assert "exited with status 9" in r.stderr
    # The busy first poll must be followed by failing ones within the wait: a loaded CI machine (the fake
    # nvidia-smi is a shell script) may take longer than FAST's 0.3 s for one poll, so this wait is longer.
    r2 = cli("preflight", "--devices", "0", "--nvidia-smi", smi("fail-midway"), "--poll", "0.05",
             "--wait", "3", "--answer-timeout", "0.3")
    assert r2.returncode == 2, r2.stderr
    assert "nvidia-smi still failing after" in r2.stderr
    assert "preflight: nvidia-smi failed:" in r2.stderr  # reported while waiting


def test_devices_from_the_command_and_the_environment(cli, smi):
    s = smi("busy")  # GPU 0 busy, GPU 1 free
    r = cli("preflight", "--command", "export CUDA_DEVICE_ORDER=PCI_BUS_ID && CUDA_VISIBLE_DEVICES='1' python t.py",
            "--nvidia-smi", s, "--format", "jsonl", *FAST, env={"CUDA_VISIBLE_DEVICES": "0"})
    assert r.returncode == 0, r.stderr
    (rec,) = records(r.stdout)
    assert rec["requested"] == ["1"]
    assert rec["order_trusted"] is True
    r2 = cli("preflight", "--command", "python t.py", "--nvidia-smi", s, "--format", "jsonl", "--on-timeout", "stop",
             *FAST, env={"CUDA_VISIBLE_DEVICES": "0"})
    assert r2.returncode == 1
    rec2 = records(r2.stdout)[-1]
    assert rec2["requested"] == ["0"]
    assert rec2["order_trusted"] is False
    assert "PCI_BUS_ID" in rec2["note"]


@pytest.mark.parametrize("value", ["-1", "", "NoDevFiles"])
def test_no_gpu_requested(cli, value):
    r = cli("preflight", "--command", f"CUDA_VISIBLE_DEVICES='{value}' python t.py", "--nvidia-smi", "/nonexistent")
    assert r.returncode == 0
    assert r.stdout.startswith("GPU preflight skipped: CUDA_VISIBLE_DEVICES=")


def test_text_output(cli, smi):
    r = cli("preflight", "--devices", "1", "--nvidia-smi", smi("busy"))
    assert r.returncode == 0
    assert r.stdout.startswith("GPU 1 free")


def test_bad_flags(cli):
    r = cli("preflight", "--wiat", "3")
    assert r.returncode == 2
    assert "did you mean '--wait'" in r.stderr
    for args in (["--format", "xml"], ["--on-timeout", "maybe"], ["--wait", "soon"], ["--poll", "0"],
                 ["--default-action", "Restart"], ["--devices", "0", "--command", "x"], ["stray"]):
        r = cli("preflight", *args)
        assert r.returncode == 2, args
        assert r.stderr.startswith("sidecar-cli: preflight: "), args


def test_playbook_sets_the_busy_rule(cli, smi, tmp_path):
    s = smi("busy")
    (s.parent / "apps.1.csv").write_text("")  # GPU 0: 97% utilization, 86% memory, no process
    args = ["preflight", "--devices", "0", "--nvidia-smi", s, "--format", "jsonl", "--on-timeout", "stop", *FAST]
    assert cli(*args).returncode == 1
    pb = tmp_path / "pb.yaml"
    pb.write_text("gpu:\n  processes_only: true\n")
    r = cli(*args, "--playbook", pb)
    assert r.returncode == 0, r.stderr
    assert records(r.stdout)[0]["available"] is True
    assert cli(*args, "--processes-only").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("gpu:\n  wiat_s: 3\n")
    r2 = cli("preflight", "--devices", "0", "--playbook", bad)
    assert r2.returncode == 2
    assert "did you mean 'wait_s'" in r2.stderr
    assert "bad.yaml:2:" in r2.stderr


def test_help(cli):
    r = cli("preflight", "--help")
    assert r.returncode == 0
    for flag in ("--command", "--devices", "--wait", "--poll", "--nvidia-smi", "--format", "--run-dir",
                 "--on-timeout", "--answer-timeout"):
        assert flag in r.stdout
