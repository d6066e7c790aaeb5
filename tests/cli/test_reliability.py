"""Reliability II (issue 19): the claims that broke under reruns, rotation,
stalls, full disks and hostile inputs. Black-box: the real binary.

Each test names the item it guards and fails on the code before the fix.
"""
import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import CLI
from conftest import json_records as records

OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"


def history_row(i, status="finished"):
    return json.dumps({"run_id": f"r{i}", "status": status, "timestamp": 1.7e9 + i, "profile": "supervised",
                       "command_fingerprint": "0123456789abcdef", "summary": {"throughput": 100.0, "last_step": 10}})


def metrics_file(tmp_path, rows=50):
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps({"step": i, "loss": 2.0 - i * 0.01}) + "\n" for i in range(rows)))
    return m


# --- 3: history compaction never destroys data --------------------------------------------------

def test_history_pointed_at_a_training_log_is_not_rewritten(cli, tmp_path):
    """19.3: `replay m.jsonl --history train.log` rewrote a 1000-line log as 1 line."""
    log = tmp_path / "train.log"
    text = "".join(f"step {i} loss {2.0 - i * 1e-3:.4f}\n" for i in range(1000))
    log.write_text(text)
    r = cli("replay", metrics_file(tmp_path), "--history", log, "--format", "jsonl")
    assert log.read_text() == text
    assert "not a sidecar history file" in r.stderr
    assert r.returncode == 2, r.stderr


def test_history_compaction_keeps_lines_it_cannot_parse(cli, tmp_path):
    """19.3: 399 valid rows followed by junk were compacted to one row."""
    hist = tmp_path / "h.jsonl"
    junk = ["{\"run_id\": \"torn", "not json at all", "{\"half\": 1}"]
    hist.write_text("".join(history_row(i) + "\n" for i in range(399)) + "".join(j + "\n" for j in junk) +
                    "".join(history_row(1000 + i) + "\n" for i in range(5)))
    cli("replay", metrics_file(tmp_path), "--history", hist, "--format", "jsonl")
    lines = hist.read_text().splitlines()
    for j in junk:
        assert j in lines  # never dropped
    rows = [json.loads(l) for l in lines if l.startswith('{"run_id":') and l not in junk]
    assert len(rows) == 400  # compacted to max_rows valid rows
    assert rows[-1]["run_id"] == "replay"
    assert rows[-2]["run_id"] == "r1004"


def test_history_with_junk_tail_larger_than_rows_is_left_alone(cli, tmp_path):
    hist = tmp_path / "h.jsonl"
    body = "".join(history_row(i) + "\n" for i in range(399)) + "".join(f"junk {i}\n" for i in range(5000))
    hist.write_text(body)
    cli("replay", metrics_file(tmp_path), "--history", hist, "--format", "jsonl")
    after = hist.read_text()
    assert after.startswith(body)  # appended to, never rewritten
    assert len(after.splitlines()) == 399 + 5000 + 1


# --- 12: temp files are never at a predictable name ----------------------------------------------

def test_symlink_at_the_old_temp_name_is_not_followed(cli, tmp_path):
    """19.12: a symlink planted at h.jsonl.tmp.<pid> made a replay overwrite its target."""
    hist = tmp_path / "h.jsonl"
    hist.write_text("".join(history_row(i) + "\n" for i in range(400)))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    # The shell plants the link at the name the old code used for its own pid, then execs the CLI (same pid).
    r = subprocess.run(["sh", "-c", 'ln -s "$1" "$2.tmp.$$" && shift 2 && exec "$@"', "sh", str(victim), str(hist),
                        CLI, "replay", str(metrics_file(tmp_path)), "--history", str(hist), "--format", "jsonl"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert victim.read_text() == "precious\n"
    assert len(hist.read_text().splitlines()) == 400
    leftovers = [p.name for p in tmp_path.iterdir() if ".tmp" in p.name and not p.is_symlink()]
    assert leftovers == []


# --- 4: log rotation loses no line ---------------------------------------------------------------

def rotating_writer(path, seconds, lines_per_s, mode, every, syndromes):
    """Writes `lines_per_s` lines/s for `seconds`, rotating every `every` s; returns lines written."""
    written = 0
    f = open(path, "a", buffering=1 << 16)
    old, reopen_at = None, 0.0
    start = time.time()
    next_rotate = start + every
    next_syn = start + 0.3
    batch = lines_per_s // 100
    planted = 0
    while time.time() - start < seconds:
        tick = time.time()
        out = old or f
        out.write("".join(f"step {written + i} loss 0.5000 it/s 20.1\n" for i in range(batch)))
        written += batch
        if tick >= next_syn and planted < syndromes:
            out.write(f"{OOM} (planted {planted})\n")
            written += 1
            planted += 1
            next_syn += seconds / (syndromes + 1)
        out.flush()
        if old is not None and tick >= reopen_at:
            old.close()
            old = None
        if tick >= next_rotate and old is None:
            next_rotate += every
            if mode == "copytruncate":
                shutil.copyfile(path, str(path) + ".1")
                os.truncate(path, 0)
            else:
                os.replace(path, str(path) + ".1")
                old, reopen_at = f, tick + 0.5  # the writer reopens half a second later
                f = open(path, "a", buffering=1 << 16)
        time.sleep(max(0.0, 0.01 - (time.time() - tick)))
    if old is not None:
        old.close()
    f.close()
    return written, planted


@pytest.mark.parametrize("mode", ["rename", "copytruncate"])
def test_watch_follows_rotation_at_20000_lines_per_second(cli, tmp_path, mode):
    """19.4: rename rotation saw 21/40 planted syndromes; copytruncate 2/40."""
    run = tmp_path / "run"
    run.mkdir()
    log = run / "run.log"
    log.write_text("")
    w = subprocess.Popen([CLI, "watch", str(run), "--interval", "0.2", "--format", "jsonl", "--history", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready_by = time.time() + 30  # following starts when the watcher is up (it writes status.json)
        while not (run / "sidecar" / "status.json").exists() and time.time() < ready_by:
            time.sleep(0.05)
        time.sleep(0.3)
        written, planted = rotating_writer(log, 4.0, 20000, mode, 1.0, 8)
        time.sleep(1.5)
    finally:
        w.send_signal(signal.SIGTERM)
        out, err = w.communicate(timeout=30)
    recs = records(out)
    summary = [r for r in recs if r.get("type") == "summary"]
    assert summary, err
    assert summary[-1]["lines"] == written, err
    alerts = [r for r in recs if r.get("type") == "alert" and r.get("syndrome") == "cuda_oom"]
    assert alerts, err  # deduplicated: one incident, but it was seen


# --- 5: bad inputs never freeze the job ----------------------------------------------------------

def test_run_with_dev_zero_as_metrics_finishes_and_says_why(cli, tmp_path):
    """19.5: `--metrics /dev/zero` took 88 % CPU and blocked the child."""
    t0 = time.time()
    r = cli("run", "--run-dir", tmp_path / "run", "--metrics", "/dev/zero", "--history", "-", "--on-alert",
            "continue", "--no-preflight", "--interval", "0.1", "--", "sh", "-c", "seq 1 20000; echo done", timeout=60)
    assert r.returncode == 0, r.stderr
    assert time.time() - t0 < 20
    assert "character device" in r.stderr
    assert (tmp_path / "run" / "run.log").read_text().endswith("done\n")


# --- 13: a full disk leaves whole records and says so --------------------------------------------

@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: " + r.stderr.decode(errors="replace").strip())
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_alert_lines_are_whole(cli, small_fs):
    """19.13: the last alerts.jsonl line was torn on a full disk."""
    run = small_fs / "run"
    script = (f"echo '{OOM}'; sleep 1.5; "
              f"dd if=/dev/zero of={small_fs}/fill bs=4k count=1000 2>/dev/null; "
              "echo 'Segmentation fault (core dumped)'; echo 'NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus.'; "
              "sleep 1.5; exit 7")
    r = cli("run", "--run-dir", run, "--history", "-", "--on-alert", "continue", "--no-preflight", "--interval",
            "0.1", "--", "sh", "-c", script, timeout=60)
    assert r.returncode == 7
    alerts = (run / "sidecar" / "alerts.jsonl").read_bytes()
    assert alerts.endswith(b"\n")
    for line in alerts.splitlines():
        json.loads(line)  # every record whole
    status = json.loads((run / "sidecar" / "status.json").read_text())
    assert status["status"] == "failed"
    assert status["exit_code"] == 7


# --- 15: control characters never reach the terminal raw -----------------------------------------

def test_error_messages_escape_terminal_controls(cli, tmp_path):
    """19.15: terminal escapes from file names were printed raw."""
    name = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J\u009b31m.log"
    r = cli("scan", name)
    assert r.returncode == 2
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\u009b" not in r.stderr
    assert "\\x1b]0;pwned\\x07" in r.stderr
    assert "\\u009b" in r.stderr
