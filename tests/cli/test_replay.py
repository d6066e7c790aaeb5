"""Black-box tests of `sidecar-cli replay`: JSONL schema, exit codes, seed cases,
known false positives, history baselines, logs alongside metrics."""
import json
import time
import math


def records(stdout):
    out = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    for r in out:
        assert "type" in r
    return out


def alerts(stdout):
    return [r for r in records(stdout) if r["type"] == "alert"]


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path


def test_nan_loss_is_critical_once_with_schema(cli, data):
    r = cli("replay", "--format", "jsonl", data / "metrics" / "nan_loss.jsonl")
    assert r.returncode == 1, r.stderr
    recs = records(r.stdout)
    assert recs[-1]["type"] == "summary"
    a = [x for x in recs if x["type"] == "alert"]
    nan = [x for x in a if x["syndrome"] == "nan_loss"]
    assert len(nan) == 1  # the second NaN row is deduped
    x = nan[0]
    for key in ("id", "ts", "run_id", "step", "source", "syndrome", "severity", "message", "choices",
                "signature", "evidence"):
        assert key in x, key
    assert x["severity"] == "critical" and x["source"] == "rulebased" and x["step"] == 300
    assert x["signature"] == "rulebased/nan_loss/loss"
    assert x["ts"] == 1714560150.0  # time from _timestamp
    assert x["choices"] == ["Ignore", "Stop Job"]
    s = recs[-1]
    assert s["rows"] == 32 and s["alerts"] == len(a) and s["max_severity"] == "critical"
    assert s["duration_s"] >= 0 and "worst" not in s and "elapsed_s" not in s
    assert s["by_syndrome"]["nan_loss"] == 1


def test_seed_cases_fire(cli, data):
    r = cli("replay", "--format", "jsonl", data / "metrics" / "seed_val_drop.jsonl")
    assert r.returncode == 1
    a = alerts(r.stdout)
    assert [x["syndrome"] for x in a] == ["validation_drop"]
    assert a[0]["severity"] == "warning"
    r = cli("replay", "--format", "jsonl", data / "metrics" / "seed_reward_hacking.jsonl")
    a = alerts(r.stdout)
    assert [x["syndrome"] for x in a] == ["reward_hacking_suspected"]
    assert a[0]["severity"] == "critical"
    assert abs(a[0]["ts"] - time.time()) < 120  # no timestamps: the clock stays at the replay's start


def test_healthy_lm_run_is_quiet(cli, data):
    # Initial loss ~10.8 at step 0, warm-up throughput, eval rows: no alerts.
    r = cli("replay", "--format", "jsonl", data / "metrics" / "lm_healthy.jsonl")
    assert r.returncode == 0, r.stdout
    recs = records(r.stdout)
    # Nothing but the key report and the summary (no alert, no resolution).
    assert [x["type"] for x in recs] == ["keys", "summary"]
    assert recs[-1]["alerts"] == 0 and recs[-1]["rows"] == 600
    assert recs[0]["bound"]["loss"] == "loss" and recs[0]["bound"]["val_loss"] == "eval/loss"


def test_negative_rewards_collapse(cli, data):
    r = cli("replay", "--format", "jsonl", data / "metrics" / "negative_reward_collapse.jsonl")
    assert [x["syndrome"] for x in alerts(r.stdout)] == ["reward_drop"]


def test_fail_on_and_exit_codes(cli, data, tmp_path):
    f = data / "metrics" / "seed_val_drop.jsonl"  # a warning only
    assert cli("replay", f).returncode == 1
    assert cli("replay", "--fail-on", "critical", f).returncode == 0
    assert cli("replay", "--fail-on", "info", f).returncode == 1
    r = cli("replay", "--fail-on", "fatal", f)
    assert r.returncode == 2 and "--fail-on" in r.stderr
    r = cli("replay", tmp_path / "missing.jsonl")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = cli("replay", "--formt", "jsonl", f)
    assert r.returncode == 2 and "did you mean '--format'" in r.stderr
    r = cli("replay", "--profile", "banana", f)
    assert r.returncode == 2


def test_malformed_lines_are_counted_not_fatal(cli, data):
    r = cli("replay", "--format", "jsonl", data / "metrics" / "malformed.jsonl")
    assert r.returncode == 1  # the "nan" string is a non-finite loss
    s = records(r.stdout)[-1]
    assert s["malformed_lines"] == 3
    assert s["rows"] == 3  # including the last line without a newline
    assert "malformed" in r.stderr


def test_profile_pin_and_text_output(cli, data):
    f = data / "metrics" / "seed_reward_hacking.jsonl"
    r = cli("replay", "--profile", "supervised", "--format", "jsonl", f)
    assert alerts(r.stdout) == []  # RL rules do not run for a pinned supervised profile
    assert records(r.stdout)[-1]["profile"] == "supervised"
    r = cli("replay", f, env={"NO_COLOR": "1"})
    assert "CRIT" in r.stdout and "reward_hacking_suspected" in r.stdout
    assert "\033[" not in r.stdout


def test_history_builds_a_baseline_across_replays(cli, tmp_path):
    hist = tmp_path / "history.jsonl"
    # A healthy, falling loss (a loss frozen at one value is itself a finding).
    fast = write_jsonl(tmp_path / "fast.jsonl",
                       [{"step": i, "loss": 2.0 - 0.02 * i, "samples_per_second": 50.0} for i in range(20)])
    slow = write_jsonl(tmp_path / "slow.jsonl",
                       [{"step": i, "loss": 2.0 - 0.02 * i, "samples_per_second": 20.0} for i in range(20)])
    r = cli("replay", "--format", "jsonl", "--history", hist, "--command", "CUDA_VISIBLE_DEVICES=0 python train.py", fast)
    assert r.returncode == 0, r.stderr
    assert records(r.stdout)[-1]["baseline"] is None
    rows = [json.loads(l) for l in hist.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["status"] == "finished" and rows[0]["run_id"] == "replay"
    for key in ("run_id", "status", "timestamp", "profile", "command_fingerprint", "summary"):
        assert key in rows[0]
    # Same command on another GPU: same fingerprint, so the first run is the baseline.
    r = cli("replay", "--format", "jsonl", "--history", hist, "--command", "CUDA_VISIBLE_DEVICES=7 python train.py",
            "--run-id", "second", slow)
    assert r.returncode == 1
    recs = records(r.stdout)
    assert [x["syndrome"] for x in recs if x["type"] == "alert"] == ["throughput_regression"]
    assert recs[-1]["baseline"]["runs"] == 1 and recs[-1]["baseline"]["throughput"] == 50.0
    assert len(hist.read_text().splitlines()) == 2
    # A different command has no baseline.
    r = cli("replay", "--format", "jsonl", "--history", hist, "--command", "python other.py", slow)
    assert records(r.stdout)[-1]["baseline"] is None


def test_log_alongside_metrics(cli, data, tmp_path):
    log = tmp_path / "run.log"
    log.write_text("starting\nstep 10 ok\nRuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
    r = cli("replay", "--format", "jsonl", "--log", log, data / "metrics" / "seed_val_drop.jsonl")
    a = alerts(r.stdout)
    syn = [x["syndrome"] for x in a]
    assert "cuda_oom" in syn and "validation_drop" in syn
    oom = a[syn.index("cuda_oom")]
    assert oom["source"] == "logwatch" and oom["severity"] == "critical"
    assert records(r.stdout)[-1]["log_lines"] == 3


def test_timestamped_log_is_interleaved(cli, tmp_path):
    t0 = 1714560000
    rows = [{"step": i, "loss": 2.0 - 0.02 * i, "_timestamp": t0 + 10 * i} for i in range(10)]
    rows.append({"step": 10, "loss": float("nan"), "_timestamp": t0 + 100})
    metrics = write_jsonl(tmp_path / "m.jsonl", rows)
    log = tmp_path / "rank0.log"
    log.write_text("2024-05-01 10:40:30,000 INFO step 3\n"
                   "2024-05-01 10:40:35,500 ERROR RuntimeError: CUDA out of memory. Tried to allocate 1 GiB\n"
                   "2024-05-01 10:41:40,000 INFO later\n")
    r = cli("replay", "--format", "jsonl", "--log", log, metrics)
    a = alerts(r.stdout)
    assert [x["syndrome"] for x in a] == ["cuda_oom", "nan_loss"]
    assert a[0]["ts"] == t0 + 40  # fed when the replay clock passed 10:40:35.5 (t0 = 10:40:00)
    assert a[0]["evidence"]["ranks"] == "0"


def test_eight_ranks_one_nccl_alert(cli, tmp_path):
    metrics = write_jsonl(tmp_path / "m.jsonl", [{"step": i, "loss": 2.0} for i in range(5)])
    args = []
    for rank in range(8):
        p = tmp_path / f"rank{rank}.log"
        p.write_text(f"[E ProcessGroupNCCL.cpp:563] [Rank {rank}] Watchdog caught collective operation timeout: "
                     f"WorkNCCL(SeqNum=77, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for "
                     f"60000{rank} milliseconds before timing out.\n")
        args += ["--log", p]
    r = cli("replay", "--format", "jsonl", *args, metrics)
    a = alerts(r.stdout)
    assert [x["syndrome"] for x in a] == ["nccl_timeout"]
    assert a[0]["evidence"]["ranks"] == "0,1,2,3,4,5,6,7"
    assert a[0]["evidence"]["count"] == "8"


def test_resolved_record(cli, tmp_path):
    # Time stamps: durations are row time (rows without them carry no time).
    rows = [{"step": i, "loss": 2.0} for i in range(3)] + [{"step": 3, "loss": float("nan")}]
    rows += [{"step": 4 + i, "loss": 2.0} for i in range(5)]
    for i, row in enumerate(rows):
        row["timestamp"] = 1714560000 + 10 * i
    r = cli("replay", "--format", "jsonl", write_jsonl(tmp_path / "m.jsonl", rows))
    recs = records(r.stdout)
    res = [x for x in recs if x["type"] == "resolved"]
    assert len(res) == 1
    alert = next(x for x in recs if x["type"] == "alert")
    assert res[0]["alert_id"] == alert["id"] and res[0]["syndrome"] == "nan_loss"
    assert res[0]["duration_s"] > 0


def test_snapshots_flag(cli, data):
    r = cli("replay", "--format", "jsonl", "--snapshots", data / "metrics" / "lm_healthy.jsonl")
    snaps = [x for x in records(r.stdout) if x["type"] == "snapshot"]
    # 600 rows one second apart: heartbeats every 30 s, not one per row.
    assert 15 <= len(snaps) <= 25
    s = snaps[-1]
    assert s["monitor_note"].startswith("profile=") and len(s["monitor_note"]) <= 220
    assert len(s["monitor_tags"]) <= 8 and all(len(t) <= 40 for t in s["monitor_tags"])
    assert s["monitoring"]["profile"] == s["monitor_tags"][0]


def test_all_output_is_valid_json_even_with_nan(cli, tmp_path):
    rows = [{"loss": float("nan"), "val_loss": float("inf"), "grad_norm": -float("inf")}]
    r = cli("replay", "--format", "jsonl", "--snapshots", write_jsonl(tmp_path / "m.jsonl", rows))
    for line in r.stdout.splitlines():
        json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_one_failure_reads_as_one_incident(cli, tmp_path):
    """A divergence that ends in NaN is one incident: the first decision is a
    full line, the incident's later events are indented '+' lines, and the
    summary counts incidents (issue 16: the terminal sees incidents)."""
    rows = [{"step": i, "loss": 2.0 - 0.01 * i} for i in range(60)]
    rows += [{"step": 60, "loss": 500.0}, {"step": 61, "loss": 9000.0}]
    rows += [{"step": 62 + i, "loss": float("nan")} for i in range(5)]
    path = tmp_path / "m.jsonl"
    write_jsonl(path, rows)
    r = cli("replay", path, "--history", "-")
    lines = [line for line in r.stdout.splitlines() if "step " in line]
    assert lines and lines[0].startswith("CRIT"), r.stdout
    follow = [line for line in lines[1:] if line.startswith("   +")]
    assert any("nan_loss" in line for line in follow), r.stdout
    assert not any(line.startswith(("CRIT", "WARN")) for line in lines[1:]), r.stdout
    assert " in 1 incident:" in r.stdout, r.stdout
    # The records keep every decision with its incident and whether it notified.
    recs = [a for a in alerts(cli("replay", path, "--history", "-", "--format", "jsonl").stdout)]
    assert len({a["evidence"]["incident"] for a in recs}) == 1
    assert [a["evidence"]["notify"] for a in recs][0] == "opened"
    assert all(a["evidence"]["notify"] == "no" for a in recs[1:]), recs
