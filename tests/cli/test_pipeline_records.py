"""Records a run leaves behind (issue 13): watch --once on an ended run
changes nothing; history keeps the command text and marks critical runs;
preflight without CUDA_VISIBLE_DEVICES checks every GPU the job will see."""
import json
import os
import pathlib
import shutil

from conftest import DATA

PY = "/usr/bin/python3"

NAN_SCRIPT = ("import json, os\n"
              "f = open(os.environ['SIDECAR_METRICS_FILE'], 'w')\n"
              "for s in range(30):\n"
              "    f.write(json.dumps({'step': s, 'loss': float('nan') if s >= 20 else 2.0 - 0.01 * s}) + '\\n')\n"
              "    f.flush()\n")


def run_nan(cli, tmp_path, *extra):
    script = tmp_path / "train.py"
    script.write_text(NAN_SCRIPT)
    run_dir = tmp_path / "run"
    hist = tmp_path / "history.jsonl"
    r = cli("run", "--run-dir", run_dir, "--history", hist, "--on-alert", "continue", "--no-preflight", *extra, "--",
            PY, script, timeout=120)
    return r, run_dir, hist, script


def test_watch_once_on_an_ended_run_changes_no_record(cli, tmp_path):
    r, run_dir, _, _ = run_nan(cli, tmp_path)
    assert r.returncode == 0, r.stderr
    alerts = (run_dir / "sidecar" / "alerts.jsonl").read_bytes()
    status = (run_dir / "sidecar" / "status.json").read_bytes()
    assert json.loads(status)["status"] == "finished"
    w = cli("watch", "--once", "--format", "jsonl", run_dir)
    assert w.returncode in (0, 1), w.stderr
    assert any(json.loads(l).get("syndrome") == "nan_loss" for l in w.stdout.splitlines() if l.startswith("{"))
    assert (run_dir / "sidecar" / "alerts.jsonl").read_bytes() == alerts  # no duplicate appended
    assert (run_dir / "sidecar" / "status.json").read_bytes() == status  # the final state stays


def test_history_keeps_the_command_and_marks_a_critical_run(cli, tmp_path):
    r, run_dir, hist, script = run_nan(cli, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in hist.read_text().splitlines()]
    assert rows[-1]["status"] == "finished"
    assert rows[-1]["command"].startswith(PY)
    assert rows[-1]["summary"]["critical_alerts"] >= 1
    # Found by what people type, whether it ran as /usr/bin/python3 or python3.
    s = cli("history", "show", "--history", hist, "--format", "jsonl", "--command", f"python3 {script}")
    assert s.returncode == 0, s.stderr
    assert len([l for l in s.stdout.splitlines() if l.startswith("{")]) == 1
    # A run with a critical alert that exited 0 is no baseline.
    b = cli("history", "baseline", "--history", hist, "--format", "jsonl", "--command", f"python3 {script}")
    assert '"runs":1' not in b.stdout.replace(" ", "")


def test_preflight_without_cuda_visible_devices_checks_every_gpu(cli, tmp_path):
    d = tmp_path / "smi-busy"
    shutil.copytree(pathlib.Path(DATA).resolve() / "nvidia-smi" / "scenarios" / "busy", d)
    (d / "nvidia-smi").symlink_to(pathlib.Path(DATA).resolve() / "nvidia-smi" / "fake-nvidia-smi")
    marker = tmp_path / "launched"
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    import subprocess
    from conftest import CLI
    r = subprocess.run([CLI, "run", "--run-dir", str(tmp_path / "r"), "--history", "-", "--nvidia-smi", str(d / "nvidia-smi"),
                        "--gpu-wait", "0.3", "--gpu-poll", "0.1", "--on-alert", "stop", "--format", "jsonl", "--",
                        PY, "-c", f"open({str(marker)!r}, 'w').close()"],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env)
    assert r.returncode == 3, r.stderr  # GPU 0 is busy and the job would see it
    assert not marker.exists()
    pre = next(json.loads(l) for l in r.stdout.splitlines() if l.startswith("{") and json.loads(l)["type"] == "preflight")
    assert pre["requested"] == ["0", "1"]
