"""Metrics from wherever the job writes them (issue 15): `run` with no
--metrics follows every source it discovers in the run directory and the
job's working directory (each its own stream), says once where it looked
when no row arrives, and reports which keys bound to which role (replay's
`keys` record, status.json)."""
import json
import os
import pathlib
import time

from conftest import DATA

PY = "/usr/bin/python3"
TFEVENTS_HELPERS = DATA / "metrics_formats" / "tfevents"

JSONL_WRITER = r'''
import json, sys, time
nan_step = int(sys.argv[1])
with open("metrics.jsonl", "w") as f:  # the job's working directory, not $SIDECAR_RUN_DIR
    for step in range(40):
        loss = float("nan") if step >= nan_step else 2.0 - 0.03 * step
        f.write(json.dumps({"step": step, "loss": loss, "learning_rate": 1e-4}) + "\n")
        f.flush()
        time.sleep(0.05)
'''

# Writes TensorBoard event files the way SummaryWriter does (TFRecord framing
# around Event protos built with python3-protobuf; make_fixtures.py), under
# runs/<name>/ like the HF Trainer.
TFEVENTS_WRITER = r'''
import os, socket, sys, time
sys.path.insert(0, sys.argv[1])
import make_fixtures as tf
nan_step, out_dir = int(sys.argv[2]), sys.argv[3]
os.makedirs(out_dir, exist_ok=True)
t0 = time.time()
name = "events.out.tfevents.%d.%s.%d.0" % (int(t0), socket.gethostname(), os.getpid())
with open(os.path.join(out_dir, name), "wb") as f:
    f.write(tf.record(tf.version_event(t0))); f.flush()
    for step in range(40):
        loss = float("nan") if step >= nan_step else 2.0 - 0.03 * step
        f.write(tf.record(tf.scalar_event(time.time(), step, "train/loss", loss)))
        f.write(tf.record(tf.scalar_event(time.time(), step, "train/learning_rate", 1e-4)))
        f.flush()
        time.sleep(0.05)
'''


# The opening of a job's script: ten loss rows into metrics.jsonl in the working directory.
LOSS_ROWS = ("with open('metrics.jsonl', 'w') as f:\n"
             "    for step in range(10):\n"
             "        f.write(json.dumps({'step': step, 'loss': 1.0 / (step + 1)}) + '\\n')\n")


def work_dir(tmp_path, script=None):
    """tmp_path/work, the job's working directory, with train.py holding `script`."""
    work = tmp_path / "work"
    work.mkdir()
    if script is not None:
        (work / "train.py").write_text(script)
    return work


def jsonl(text):
    return [json.loads(l) for l in text.splitlines() if l.strip().startswith("{")]


def run_alerts(run_dir):
    path = run_dir / "sidecar" / "alerts.jsonl"  # written with the first alert
    return [r for r in jsonl(path.read_text()) if r.get("type") == "alert"] if path.exists() else []


def run_in(cli, cwd, run_dir, *args, timeout=120):
    return cli("run", "--run-dir", run_dir, "--history", "-", "--on-alert", "continue", *args, cwd=cwd,
               timeout=timeout)


def first_nan(run_dir):
    nan = [a for a in run_alerts(run_dir) if a["syndrome"] == "nan_loss"]
    assert nan, run_alerts(run_dir)
    return nan[0]


def test_metrics_jsonl_in_the_working_directory_is_found(cli, tmp_path):
    work = work_dir(tmp_path, JSONL_WRITER)
    run_dir = tmp_path / "run"  # elsewhere: only the working directory has the file
    r = run_in(cli, work, run_dir, "--stop-on", "critical", "--", PY, "train.py", "20")
    nan = first_nan(run_dir)
    assert nan["severity"] == "critical" and nan["step"] == 20, nan
    assert r.returncode == 3, r.stderr  # --stop-on critical stopped it
    found = [l for l in r.stderr.splitlines() if "metrics: " + str(work / "metrics.jsonl") in l]
    assert found and "working directory" in found[0], r.stderr


def test_a_tfevents_file_the_job_writes_is_read(cli, tmp_path):
    work = work_dir(tmp_path, TFEVENTS_WRITER)
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--stop-on", "critical", "--", PY, "train.py", str(TFEVENTS_HELPERS), "15",
               "runs/exp1")
    nan = first_nan(run_dir)
    assert nan["severity"] == "critical" and nan["step"] == 15, (nan, r.stderr)
    assert r.returncode == 3, r.stderr
    assert "metrics: " + str(work / "runs" / "exp1") in r.stderr, r.stderr


def test_several_sources_at_once_each_its_own_stream(cli, tmp_path):
    # metrics.jsonl in the working directory (the loss) and a tfevents file in
    # the run directory (a validation loss going NaN): both are followed.
    work = work_dir(
        tmp_path,
        "import json, os, subprocess, sys\n" + LOSS_ROWS +
        "open('tf.py', 'w').write(sys.argv[2])\n"
        "subprocess.check_call([sys.executable, 'tf.py', sys.argv[1], '1000',\n"
        "                       os.path.join(os.environ['SIDECAR_RUN_DIR'], 'tb')])\n")
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--format", "jsonl", "--", PY, "train.py", str(TFEVENTS_HELPERS),
               TFEVENTS_WRITER)
    assert r.returncode == 0, r.stderr
    summary = jsonl(r.stdout)[-1]
    assert summary["type"] == "summary"
    assert summary["rows"] >= 10 + 40, (summary, r.stderr)  # every jsonl row and every tfevents step
    assert "metrics: " + str(work / "metrics.jsonl") in r.stderr, r.stderr
    assert "metrics: " + str(run_dir / "tb") in r.stderr, r.stderr


def test_the_summary_names_every_source_followed(cli, tmp_path):
    # The summary's metrics line named only the first source found, though
    # the rows counted there came from both.
    work = work_dir(
        tmp_path,
        "import json, os, sys\n" + LOSS_ROWS +
        "sys.path.insert(0, sys.argv[1])\n"
        "import make_fixtures as tf\n"
        "os.makedirs(os.path.join(os.environ['SIDECAR_RUN_DIR'], 'tb'), exist_ok=True)\n"
        "with open(os.path.join(os.environ['SIDECAR_RUN_DIR'], 'tb', 'events.out.tfevents.1.h.1.0'), 'wb') as f:\n"
        "    f.write(tf.record(tf.version_event(1.0)))\n"
        "    for step in range(5):\n"
        "        f.write(tf.record(tf.scalar_event(1.0 + step, step, 'val/loss', 1.0)))\n"
        "import time; time.sleep(2.5)  # both found while the job runs\n")
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--", PY, "train.py", str(TFEVENTS_HELPERS))
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stderr.splitlines() if l.strip().startswith("metrics ") and " rows" in l]
    assert len(line) == 1, r.stderr
    assert str(work / "metrics.jsonl") in line[0] and str(run_dir / "tb") in line[0], r.stderr
    r = run_in(cli, work, tmp_path / "run2", "--format", "jsonl", "--", PY, "train.py", str(TFEVENTS_HELPERS))
    summary = jsonl(r.stdout)[-1]
    assert summary["type"] == "summary" and summary["metrics"] in summary["metrics_sources"], summary
    assert sorted(summary["metrics_sources"]) == sorted([str(work / "metrics.jsonl"), str(tmp_path / "run2" / "tb")])


def test_a_newer_checkpoint_takes_over_without_repeating_the_history(cli, tmp_path):
    # HF Trainer: checkpoint-N/trainer_state.json holds the whole log_history
    # up to N. A newer checkpoint replaces the older source; the steps already
    # read are not observed twice, and the NaN at step 40 is found.
    work = work_dir(
        tmp_path,
        "import json, os, time\n"
        "def save(n):\n"
        "    hist = [{'loss': float('nan') if s == 40 else 1.0 / s, 'step': s} for s in range(10, n + 1, 10)]\n"
        "    os.makedirs('out/checkpoint-%d' % n)\n"
        "    with open('out/checkpoint-%d/trainer_state.json' % n, 'w') as f:\n"
        "        json.dump({'global_step': n, 'log_history': hist}, f)\n"
        "save(20)\n"
        "time.sleep(6.5)\n"
        "save(40)\n"
        "time.sleep(1.5)\n")
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--format", "jsonl", "--", PY, "train.py")
    assert r.returncode == 0, r.stderr
    nan = first_nan(run_dir)
    assert nan["step"] == 40, nan
    assert jsonl(r.stdout)[-1]["rows"] == 4, r.stderr  # steps 10, 20, then 30, 40: none twice
    assert "checkpoint-40/trainer_state.json" in r.stderr and "follows" in r.stderr, r.stderr


def test_a_stale_file_in_the_working_directory_is_not_followed(cli, tmp_path):
    # Another run's metrics.jsonl (written before this run started, NaN in it)
    # must not raise alerts for this one.
    work = work_dir(tmp_path)
    old = work / "metrics.jsonl"
    old.write_text("".join(json.dumps({"step": s, "loss": "NaN" if s > 2 else 1.0}) + "\n" for s in range(5)))
    past = time.time() - 3600
    os.utime(old, (past, past))
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--", PY, "-c", "import time; time.sleep(0.5)")
    assert r.returncode == 0, r.stderr
    assert not [a for a in run_alerts(run_dir) if a["syndrome"] == "nan_loss"], run_alerts(run_dir)
    assert "not following " + str(old) in r.stderr, r.stderr


def test_no_metric_row_says_once_where_sidecar_looked(cli, tmp_path):
    work = work_dir(tmp_path)
    run_dir = tmp_path / "run"
    r = run_in(cli, work, run_dir, "--metrics-wait", "0.3", "--interval", "0.1", "--", PY, "-c",
               "import time; print('hello'); time.sleep(1.5)")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stderr.splitlines() if "no metric row after" in l]
    assert len(lines) == 1, r.stderr
    assert str(run_dir) in lines[0] and str(work) in lines[0], lines[0]
    assert "--metrics" in lines[0] and "SIDECAR_METRICS_FILE" in lines[0], lines[0]
    # Rows printed by the job count: no notice. (The wait outlasts the interpreter's start-up even on a loaded
    # 2-core machine, where 0.3 s did not; the job runs on well past it, so a row that was not counted would still
    # bring the notice.)
    r = run_in(cli, work, tmp_path / "run2", "--metrics-wait", "2", "--interval", "0.1", "--", PY, "-c",
               "import time; print({'loss': 0.5}, flush=True); time.sleep(3)")
    assert r.returncode == 0, r.stderr
    assert "no metric row after" not in r.stderr, r.stderr
    # 0 = never.
    r = run_in(cli, work, tmp_path / "run3", "--metrics-wait", "0", "--interval", "0.1", "--", PY, "-c",
               "import time; time.sleep(0.5)")
    assert "no metric row after" not in r.stderr, r.stderr


def test_replay_writes_a_keys_record(cli, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text("".join(
        json.dumps({"step": s, "train_loss": 2.0, "loss": 1.0, "eval_loss": 1.5, "learning_rate": 1e-4, "epoch": 0.1})
        + "\n" for s in range(5)))
    r = cli("replay", "--format", "jsonl", f)
    assert r.returncode == 0, r.stderr
    recs = jsonl(r.stdout)
    keys = [x for x in recs if x["type"] == "keys"]
    assert len(keys) == 1 and recs[-1]["type"] == "summary", recs
    k = keys[0]
    assert k["keys_seen"] == 5
    # Within the first row the alias listed first in the role's list wins.
    assert k["bound"]["loss"] == "loss" and k["bound"]["val_loss"] == "eval_loss", k
    assert {"key": "train_loss", "role": "loss"} in k["also_matched"], k
    assert "epoch" in k["ignored"], k
    assert "val_accuracy" in k["roles_unbound"], k


def test_status_json_names_the_keys(cli, tmp_path):
    run_dir = tmp_path / "run"
    r = run_in(cli, tmp_path, run_dir, "--", PY, "-c",
               "import time\n"
               "for k in range(5):\n"
               "    print({'loss': 1.0 / (k + 1), 'grad_norm': 0.5, 'my_counter': k}, flush=True)\n"
               "    time.sleep(0.05)\n")
    assert r.returncode == 0, r.stderr
    status = json.loads((run_dir / "sidecar" / "status.json").read_text())
    assert status["status"] == "finished"
    keys = status["keys"]
    assert keys["bound"]["loss"] == "loss" and keys["bound"]["grad_norm"] == "grad_norm", keys
    assert "my_counter" in keys["ignored"], keys


def test_watch_status_json_names_the_keys(cli, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "metrics.jsonl").write_text("".join(
        json.dumps({"step": s, "loss": 1.0 / (s + 1), "eval_loss": 1.2, "tokens_seen": 100 * s}) + "\n"
        for s in range(5)))
    r = cli("watch", "--once", "--history", "-", run_dir)
    assert r.returncode == 0, r.stderr
    keys = json.loads((run_dir / "sidecar" / "status.json").read_text())["keys"]
    assert keys["keys_seen"] == 3, keys
    assert keys["bound"] == {"loss": "loss", "val_loss": "eval_loss"}, keys
    assert "tokens_seen" in keys["ignored"], keys
