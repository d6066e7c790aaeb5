"""sidecar-cli scan: exit codes, the JSONL schema, text grouping, per-file errors."""
import json

import pytest

MATCH_KEYS = {"type", "file", "line", "offset", "syndrome", "severity", "message", "text", "evidence"}


def records(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_jsonl_schema_and_summary(cli, data, tmp_path):
    log = tmp_path / "run.log"
    log.write_bytes(b"step 1 loss 2.0\n"
                    b"[rank3]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 3\n"
                    b"NCCL_ASYNC_ERROR_HANDLING=1\n"
                    b"Segmentation fault (core dumped)\n")
    r = cli("scan", "--format", "jsonl", log)
    assert r.returncode == 1, r.stderr
    recs = records(r.stdout)
    matches = [x for x in recs if x["type"] == "match"]
    assert [m["syndrome"] for m in matches] == ["cuda_oom", "segfault"]
    oom = matches[0]
    assert set(oom) == MATCH_KEYS
    assert oom["file"] == str(log)
    assert oom["line"] == 2 and oom["offset"] == 16
    assert oom["severity"] == "critical"
    assert oom["evidence"]["requested"] == "2.00 GiB"
    assert oom["evidence"]["requested_bytes"] == str(2 * 1024**3)
    assert oom["evidence"]["rank"] == "3"
    summary = recs[-1]
    assert summary["type"] == "summary"
    # The three fields every command's summary shares (records.h SummaryTotals).
    assert summary["by_syndrome"] == {"cuda_oom": 1, "segfault": 1}
    assert summary["max_severity"] == "critical" and summary["duration_s"] >= 0
    assert summary["bytes"] == log.stat().st_size
    assert summary["lines"] == 4 and summary["files"] == 1 and summary["errors"] == 0
    assert r.stderr == ""


def test_benign_corpus_exits_zero(cli, data):
    files = sorted((data / "logs" / "benign").glob("*.log"))
    r = cli("scan", "--format", "jsonl", *files)
    assert r.returncode == 0, r.stdout
    recs = records(r.stdout)
    assert [x["type"] for x in recs] == ["summary"]
    assert recs[0]["files"] == len(files)


def test_fail_on_threshold(cli, data):
    warn_only = data / "logs" / "traceback" / "plain.log"
    # plain.log: tracebacks (warning) and a ChildFailedError line (critical)
    assert cli("scan", "--fail-on", "warning", warn_only).returncode == 1
    amp = data / "logs" / "loss_scale_overflow" / "amp.log"
    r = cli("scan", "--fail-on", "critical", "--format", "jsonl", amp)
    assert r.returncode == 1  # "loss scale already at minimum" escalates to critical
    sev = {x["severity"] for x in records(r.stdout) if x["type"] == "match"}
    assert sev == {"warning", "critical"}


def test_fail_on_critical_ignores_warnings(cli, tmp_path):
    log = tmp_path / "w.log"
    log.write_text("Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0\n")
    assert cli("scan", "--fail-on", "critical", log).returncode == 0
    assert cli("scan", log).returncode == 1


def test_missing_file_is_reported_and_others_still_scanned(cli, data, tmp_path):
    good = data / "logs" / "disk_full" / "io.log"
    r = cli("scan", "--format", "jsonl", tmp_path / "nope.log", good)
    assert r.returncode == 2  # errors win over findings
    assert "nope.log" in r.stderr and r.stderr.startswith("sidecar-cli: scan:")
    recs = records(r.stdout)
    assert any(x["type"] == "match" and x["syndrome"] == "disk_full" for x in recs)
    assert recs[-1]["errors"] == 1 and recs[-1]["files"] == 1


def test_text_groups_by_syndrome(cli, data):
    r = cli("scan", data / "logs" / "nccl_timeout" / "pytorch.log", data / "logs" / "segfault" / "crash.log")
    assert r.returncode == 1
    out = r.stdout
    assert "CRIT nccl_timeout  11 matches" in out
    assert "CRIT segfault  13 matches" in out
    assert out.index("nccl_timeout") < out.index("segfault")
    assert "\x1b[" not in out  # no colour when stdout is not a TTY
    assert out.rstrip().splitlines()[-1].startswith("scanned 2 files")


def test_user_playbook_adds_and_disables(cli, tmp_path):
    pb = tmp_path / "pb.yaml"
    pb.write_text("syndromes:\n"
                  "  - name: traceback\n    enabled: false\n"
                  "  - name: my_marker\n    severity: critical\n    patterns: ['DATA CORRUPTION at shard [0-9]+']\n"
                  "    message: 'corrupt shard'\n")
    log = tmp_path / "x.log"
    log.write_text("Traceback (most recent call last):\nValueError: x\nDATA CORRUPTION at shard 17\n")
    r = cli("scan", "--playbook", pb, "--format", "jsonl", log)
    assert r.returncode == 1, r.stderr
    assert [x["syndrome"] for x in records(r.stdout) if x["type"] == "match"] == ["my_marker"]


# An invalid user pattern is an error located in the playbook (file:line, the key path).
@pytest.mark.parametrize("playbook,wants", [
    ("syndromes:\n  - name: mine\n    patterns: ['ok', '(unclosed']\n", ["pb.yaml:3", "syndromes.mine.patterns[1]"]),
    ("syndromes:\n  - name: broken\n    severity: warning\n    message: m\n    patterns: ['(unclosed']\n",
     ["{pb}:", "broken"]),
])
def test_bad_pattern_is_a_located_error(cli, tmp_path, playbook, wants):
    pb = tmp_path / "pb.yaml"
    pb.write_text(playbook)
    log = tmp_path / "x.log"
    log.write_text("hello\n")
    r = cli("scan", "--playbook", pb, log)
    assert r.returncode == 2
    for want in wants:
        assert want.format(pb=pb) in r.stderr, r.stderr


def test_bad_flags(cli, tmp_path):
    log = tmp_path / "x.log"
    log.write_text("hello\n")
    assert cli("scan", "--format", "xml", log).returncode == 2
    assert cli("scan", "--fail-on", "loud", log).returncode == 2
    r = cli("scan")
    assert r.returncode == 2 and "no FILE" in r.stderr
    r = cli("scan", "--fromat", "jsonl", log)
    assert r.returncode == 2 and "did you mean '--format'" in r.stderr
    assert cli("scan", "--help").returncode == 0


def test_stdin(cli):
    r = cli("scan", "--format", "jsonl", "-", input="ok\nOSError: [Errno 28] No space left on device\n")
    assert r.returncode == 1
    assert records(r.stdout)[0]["syndrome"] == "disk_full"


def test_watchdog_cascade_and_torchrun_report_are_one_finding_each(cli, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(
        "".join(f"[rank{r}]:[E ProcessGroupNCCL.cpp:616] [Rank {r}] Watchdog caught collective operation timeout: "
                f"WorkNCCL(SeqNum={40 if r == 2 else 41}, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, "
                "Timeout(ms)=600000) ran for 600020 milliseconds before timing out.\n" for r in range(4))
        + "\n"
        + "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n"
        "============================================================\n"
        "train.py FAILED\n"
        "------------------------------------------------------------\n"
        "Root Cause (first observed failure):\n"
        "[0]:\n"
        "  time      : 2024-03-05_07:01:51\n"
        "  host      : node7\n"
        "  rank      : 2 (local_rank: 2)\n"
        "  exitcode  : -6 (pid: 69811)\n"
        "  error_file: <N/A>\n")
    pb = tmp_path / "pb.yaml"  # folding a watchdog cascade is opt-in (the default folds torchrun reports)
    pb.write_text("syndromes:\n  - {name: nccl_timeout, fold_lines: 24}\n")
    r = cli("scan", "--format", "jsonl", "--playbook", pb, log)
    assert r.returncode == 1, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    matches = [x for x in recs if x["type"] == "match"]
    assert [m["syndrome"] for m in matches] == ["nccl_timeout", "dist_child_failed"], matches
    nccl, child = matches
    assert nccl["line"] == 1 and nccl["evidence"]["behind_rank"] == "2" and nccl["evidence"]["ranks"] == "0,1,2,3"
    assert child["evidence"]["failed_rank"] == "2" and child["evidence"]["exitcode"] == "-6"
    assert child["evidence"]["cause"] and child["evidence"]["retry_helps"] in ("yes", "no", "maybe")


def test_a_file_many_times_the_read_ahead_ring_finds_what_stdin_finds(cli, tmp_path):
    # ~9 MB: 36 read buffers of 256 KB, four turns of the 8-buffer ring, most of them checked ahead on the reader's
    # thread. Findings sit on buffer edges, inside buffers, on the last line without a newline and after a \r bar.
    healthy = "{'loss': 0.4856, 'grad_norm': 0.6395, 'learning_rate': 4.537e-06, 'epoch': 0.01}\n"
    failures = ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n",
                "OSError: [Errno 28] No space left on device\n",
                "Epoch 3: 10%|#| 1/10 [00:01<00:09]\rNCCL WARN NET/IB : Got completion with error 12\n"]
    chunk, text, at = 256 << 10, [], 0
    for i in range(36):
        while at < (i + 1) * chunk - 40:
            text.append(healthy)
            at += len(healthy)
        if i % 5 == 2:
            text.append(failures[i % 3])
            at += len(failures[i % 3])
    text.append("Segmentation fault (core dumped)")  # no newline at the end
    body = "".join(text)
    log = tmp_path / "big.log"
    log.write_text(body)
    from_file = cli("scan", "--format", "jsonl", log)
    from_stdin = cli("scan", "--format", "jsonl", "-", input=body)

    def findings(out):
        return [(m["line"], m["offset"], m["syndrome"]) for m in records(out) if m["type"] == "match"]

    assert from_file.returncode == from_stdin.returncode == 1
    assert findings(from_file.stdout) == findings(from_stdin.stdout)
    assert len(findings(from_file.stdout)) == 8
    summary = records(from_file.stdout)[-1]
    assert summary["bytes"] == len(body.encode()) and summary["lines"] == body.count("\n") + 1
