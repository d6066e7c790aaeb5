"""Black-box tests of `sidecar-cli playbook show|check` and `sidecar-cli history show|baseline`."""
import json
import re

import yaml


def test_playbook_show_prints_the_effective_playbook(cli, tmp_path):
    r = cli("playbook", "show")
    assert r.returncode == 0, r.stderr
    for section in ("detectors:", "roles:", "dedupe:", "history:", "syndromes:"):
        assert re.search(rf"^{section}", r.stdout, re.M), section
    assert "  loss_spike:" in r.stdout
    user = tmp_path / "mine.yaml"
    user.write_text("detectors:\n  loss_spike: {z: 6.5}\n")
    r = cli("playbook", "show", "--playbook", user)
    assert r.returncode == 0
    spike = r.stdout[r.stdout.index("  loss_spike:"):]
    assert re.search(r"^\s+z: 6.5$", spike, re.M)


def test_playbook_show_output_is_a_valid_playbook(cli, tmp_path):
    r = cli("playbook", "show")
    shown = tmp_path / "shown.yaml"
    shown.write_text(r.stdout)
    r = cli("playbook", "check", shown)
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


def test_playbook_check_reports_located_errors(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("detectors:\n  loss_spike:\n    windw: 50\n  nan_loss: {severity: fatal}\nrols: {}\n")
    r = cli("playbook", "check", bad)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(l.startswith(f"sidecar-cli: {bad}:") for l in lines)
    assert any(re.search(r":3:\d+: detectors.loss_spike: unknown key 'windw' \(did you mean 'window'\?\)", l)
               for l in lines)
    assert any("expected info, warning or critical, got 'fatal'" in l for l in lines)
    assert any("unknown section 'rols' (did you mean 'roles'?)" in l for l in lines)


def test_playbook_check_missing_and_broken(cli, tmp_path):
    r = cli("playbook", "check", tmp_path / "nope.yaml")
    assert r.returncode == 2 and "no such file" in r.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("detectors: [\n")
    r = cli("playbook", "check", broken)
    assert r.returncode == 2 and str(broken) in r.stderr
    r = cli("playbook", "chek", broken)
    assert r.returncode == 2 and "did you mean 'check'" in r.stderr


def test_replay_uses_the_playbook(cli, data, tmp_path):
    pb = tmp_path / "off.yaml"
    pb.write_text("detectors:\n  validation_drop: {enabled: false}\n")
    r = cli("replay", "--format", "jsonl", "--playbook", pb, data / "metrics" / "seed_val_drop.jsonl")
    assert r.returncode == 0
    assert "validation_drop" in cli("replay", "--format", "jsonl", data / "metrics" / "seed_val_drop.jsonl").stdout
    assert "validation_drop" not in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("detectors:\n  validation_drop: {enabled: maybe}\n")
    r = cli("replay", "--playbook", bad, data / "metrics" / "seed_val_drop.jsonl")
    assert r.returncode == 2 and f"{bad}:2:" in r.stderr


def test_old_detector_keys_still_work_with_a_notice(cli, data, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("detectors:\n  val_acc_drop: {enabled: false}\n  reward_hacking: {window: 7}\n")
    r = cli("playbook", "check", old)
    assert r.returncode == 0, r.stderr
    notes = [line for line in r.stderr.splitlines() if "note:" in line]
    assert len(notes) == 2, r.stderr
    assert f"{old}:2:" in notes[0] and "detectors.val_acc_drop is now detectors.validation_drop" in notes[0]
    assert "detectors.reward_hacking is now detectors.reward_hacking_suspected" in notes[1]
    shown = yaml.safe_load(cli("playbook", "show", "--playbook", old).stdout)["detectors"]
    assert shown["validation_drop"]["enabled"] is False and shown["reward_hacking_suspected"]["window"] == 7
    assert "val_acc_drop" not in shown and "reward_hacking" not in shown
    r = cli("replay", "--format", "jsonl", "--playbook", old, data / "metrics" / "seed_val_drop.jsonl")
    assert r.returncode == 0 and "validation_drop" not in r.stdout  # the old key still switches it off
    # replay and history (whatever reads a playbook) say so too: one line each on stderr
    hist = tmp_path / "h.jsonl"
    hist.write_text("")
    for args in (("replay", "--playbook", old, data / "metrics" / "seed_val_drop.jsonl"),
                 ("history", "show", "--history", hist, "--playbook", old),
                 ("history", "baseline", "--history", hist, "--command", "python t.py", "--playbook", old)):
        r = cli(*args)
        assert r.returncode == 0, (args, r.stderr)
        assert [line for line in r.stderr.splitlines() if line.startswith("sidecar-cli: note: ")] == notes, args
    new = tmp_path / "new.yaml"
    new.write_text("detectors:\n  validation_drop: {enabled: false}\n")
    r = cli("playbook", "check", new)
    assert r.returncode == 0 and "note:" not in r.stderr


def write_rows(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def test_history_show_and_baseline(cli, tmp_path):
    hist = tmp_path / "h.jsonl"
    metrics = tmp_path / "m.jsonl"
    for i, tp in enumerate([40.0, 50.0, 70.0]):
        write_rows(metrics, [{"step": s, "loss": 2.0, "throughput": tp, "val/accuracy": 0.5 + tp / 1000} for s in range(12)])
        r = cli("replay", "--history", hist, "--command", f"python train.py --seed {i}", "--run-id", f"run{i}",
                "--fail-on", "critical", metrics)
        assert r.returncode == 0, r.stdout + r.stderr
    with open(hist, "a") as f:
        f.write("{corrupt\n")
    r = cli("history", "show", "--history", hist)
    assert r.returncode == 0
    assert "run0" in r.stdout and "run2" in r.stdout and "finished" in r.stdout
    assert "1 corrupt line" in r.stderr
    r = cli("history", "show", "--history", hist, "--format", "jsonl", "--limit", "2")
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert [x["run_id"] for x in rows] == ["run1", "run2"]
    r = cli("history", "baseline", "--history", hist, "--command", "python train.py --seed 99", "--format", "jsonl")
    b = json.loads(r.stdout)
    assert b["type"] == "baseline" and b["runs"] == 3 and b["throughput"] == 50.0 and b["throughput_n"] == 3
    r = cli("history", "baseline", "--history", hist, "--command", "python train.py --seed 99")
    assert "3 finished runs" in r.stdout and "50" in r.stdout
    r = cli("history", "baseline", "--history", hist, "--command", "python other.py")
    assert r.returncode == 0 and "no baseline" in r.stdout
    r = cli("history", "baseline", "--history", hist)
    assert r.returncode == 2 and "--command" in r.stderr


def test_history_show_empty_and_default_path(cli, tmp_path):
    r = cli("history", "show", cwd=tmp_path)
    assert r.returncode == 0 and "no runs" in r.stdout
    r = cli("history", "shwo", cwd=tmp_path)
    assert r.returncode == 2 and "did you mean 'show'" in r.stderr
