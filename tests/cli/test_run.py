"""Black-box tests of `sidecar-cli run`: real child processes in temp dirs."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import wait_for

CLI = os.environ.get("SIDECAR_CLI", "")
PY = sys.executable
OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity "
       "of 79.15 GiB of which 3.56 MiB is free.")

pytestmark = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


def base_args(run_dir, *extra):
    # Each test has its own history file and never touches a GPU.
    return [CLI, "run", "--run-dir", str(run_dir), "--history", str(run_dir.parent / "history.jsonl"),
            "--interval", "0.1", "--no-preflight", *map(str, extra)]


def run(run_dir, *extra, cmd, timeout=30, **kw):
    return subprocess.run(base_args(run_dir, *extra) + ["--"] + list(cmd), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


def start(run_dir, *extra, cmd, **kw):
    return subprocess.Popen(base_args(run_dir, *extra) + ["--"] + list(cmd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, **kw)


def script(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return [PY, str(p)]


def alerts(run_dir):
    f = run_dir / "sidecar" / "alerts.jsonl"
    if not f.exists():
        return []
    return [json.loads(line) for line in f.read_text().splitlines() if line.strip()]


def alive(pid):
    """A live process (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def history_rows(run_dir):
    f = run_dir.parent / "history.jsonl"
    return [json.loads(line) for line in f.read_text().splitlines() if line.strip()] if f.exists() else []


def test_exit_code_passthrough_and_history(tmp_path):
    d = tmp_path / "r1"
    r = run(d, cmd=[PY, "-c", "import sys; print('hello'); sys.exit(7)"])
    assert r.returncode == 7, r.stderr
    assert "hello" in r.stdout  # the child's stdout is teed to ours
    assert (d / "run.log").read_text() == "hello\n"
    rows = history_rows(d)
    assert [row["status"] for row in rows] == ["failed"]

    r = run(tmp_path / "r2", cmd=[PY, "-c", "pass"])
    assert r.returncode == 0, r.stderr
    assert [row["status"] for row in history_rows(d)] == ["failed", "finished"]
    status = json.loads((tmp_path / "r2" / "sidecar" / "status.json").read_text())
    assert "finished" in json.dumps(status)


def test_signal_death_is_128_plus_n_and_missing_program_is_127(tmp_path):
    r = run(tmp_path / "r", cmd=["sh", "-c", "kill -TERM $$"])
    assert r.returncode == 128 + signal.SIGTERM, r.stderr
    assert history_rows(tmp_path / "r")[-1]["status"] == "killed"
    r = run(tmp_path / "n", cmd=["/nonexistent/sidecar-test-program"])
    assert r.returncode == 127
    assert "sidecar-test-program" in r.stderr


def test_child_environment_and_no_shell(tmp_path):
    d = tmp_path / "r"
    r = run(d, cmd=[PY, "-c", "import os, sys; print(os.environ['SIDECAR_RUN_DIR']); "
                              "print(os.environ['SIDECAR_METRICS_FILE']); print(sys.argv[1])", "$HOME;echo x"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == str(d.resolve())
    assert lines[1] == str(d.resolve() / "metrics.jsonl")
    assert lines[2] == "$HOME;echo x"  # passed as one argument, no shell expansion


def test_nan_metrics_raise_a_critical_alert(tmp_path):
    d = tmp_path / "r"
    cmd = script(tmp_path, "nan.py", """
        import json, os, time
        with open(os.environ["SIDECAR_METRICS_FILE"], "a") as f:
            for step, loss in enumerate([2.0, 1.8, 1.7, float("nan")]):
                f.write(json.dumps({"step": step, "loss": loss}) + "\\n")
                f.flush()
                time.sleep(0.05)
        time.sleep(0.5)
    """)
    r = run(d, "--on-alert", "continue", cmd=cmd)
    assert r.returncode == 0, r.stderr
    crit = [a for a in alerts(d) if a.get("type") == "alert" and a["severity"] == "critical"]
    assert any(a["syndrome"] == "nan_loss" for a in crit), alerts(d)
    assert "nan_loss" in r.stderr


def test_oom_on_stderr_raises_cuda_oom(tmp_path):
    d = tmp_path / "r"
    r = run(d, "--on-alert", "continue", cmd=[PY, "-c", f"import sys; print({OOM!r}, file=sys.stderr); sys.exit(1)"])
    assert r.returncode == 1
    assert OOM in r.stderr  # teed to our stderr
    assert any(a.get("syndrome") == "cuda_oom" for a in alerts(d)), alerts(d)
    assert OOM in (d / "run.log").read_text()


FORKING_CHILD = """
    import os, subprocess, sys, time
    run_dir = os.environ["SIDECAR_RUN_DIR"]
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(os.path.join(run_dir, "pids"), "w") as f:
        f.write(f"{os.getpid()} {worker.pid}\\n")
    print(OOM, file=sys.stderr, flush=True)
    for _ in range(200):
        if os.path.exists(os.path.join(run_dir, "go")):
            sys.exit(0)
        time.sleep(0.05)
    sys.exit(5)
"""


def forking_child(tmp_path):
    return script(tmp_path, "child.py", f"OOM = {OOM!r}\n" + textwrap.dedent(FORKING_CHILD))


def answer_first_alert(d, text, syndrome="cuda_oom"):
    alert = wait_for(lambda: next((a for a in alerts(d) if a.get("syndrome") == syndrome), None), what="alert")
    assert "Stop Job" in alert["choices"]
    (d / "alerts").mkdir(exist_ok=True)
    path = d / "alerts" / f"{alert['id']}.response"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n")
    tmp.rename(path)
    return alert


def test_stop_job_response_ends_the_whole_process_group(tmp_path):
    d = tmp_path / "r"
    p = start(d, "--grace", "2", cmd=forking_child(tmp_path))
    answer_first_alert(d, "Stop Job")
    out, err = p.communicate(timeout=20)
    assert p.returncode == 3, err  # sidecar stopped it
    child, worker = map(int, (d / "pids").read_text().split())
    assert not alive(child)
    assert not alive(worker)  # the grandchild too
    assert "stopping the run" in err
    assert history_rows(d)[-1]["status"] == "stopped"


def test_ignore_response_lets_the_run_continue(tmp_path):
    d = tmp_path / "r"
    p = start(d, cmd=forking_child(tmp_path))
    answer_first_alert(d, "Ignore")
    time.sleep(0.8)
    assert p.poll() is None  # still running after the answer was read
    child, worker = map(int, (d / "pids").read_text().split())
    assert alive(child)
    (d / "go").write_text("")
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert "'Ignore'" in err
    assert not alive(worker)  # left-over workers are still cleaned up at the end


def test_stop_on_severity_kills_a_child_that_ignores_sigterm(tmp_path):
    d = tmp_path / "r"
    cmd = script(tmp_path, "stubborn.py", f"""
        import signal, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print({OOM!r}, file=sys.stderr, flush=True)
        time.sleep(60)
    """)
    t0 = time.time()
    r = run(d, "--stop-on", "critical", "--grace", "0.5", cmd=cmd)
    assert r.returncode == 3, r.stderr
    assert time.time() - t0 < 10
    assert "--stop-on critical" in r.stderr


def test_sigint_is_forwarded_to_the_child(tmp_path):
    d = tmp_path / "r"
    cmd = script(tmp_path, "sigint.py", """
        import os, signal, sys, time
        def on_int(sig, frame):
            print("child got SIGINT", flush=True)
            sys.exit(42)
        signal.signal(signal.SIGINT, on_int)
        open(os.path.join(os.environ["SIDECAR_RUN_DIR"], "ready"), "w").close()
        time.sleep(30)
    """)
    p = start(d, "--format", "jsonl", cmd=cmd)
    wait_for(lambda: (d / "ready").exists(), what="child ready")
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 42, err
    assert "child got SIGINT" in err  # jsonl mode: the child's stdout goes to stderr
    records = [json.loads(line) for line in out.splitlines()]  # stdout is pure JSONL
    summary = records[-1]
    assert summary["type"] == "summary"
    assert summary["status"] == "killed" and summary["exit_status"] == 42
    assert history_rows(d)[-1]["status"] == "killed"


def test_a_50mb_burst_loses_no_line(tmp_path):
    d = tmp_path / "r"
    n = 500_000  # 500k lines of ~100 bytes on stdout, and every 100th also on stderr
    cmd = script(tmp_path, "burst.py", f"""
        import sys
        out, err = sys.stdout, sys.stderr
        pad = "x" * 90
        for i in range({n}):
            out.write(f"out {{i:07d}} {{pad}}\\n")
            if i % 100 == 0:
                err.write(f"err {{i:07d}}\\n")
    """)
    r = subprocess.run(base_args(d, "--quiet") + ["--", *cmd], capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    data = (d / "run.log").read_text()
    assert len(data) > 50_000_000
    out_lines = [line for line in data.split("\n") if line.startswith("out ")]
    err_lines = [line for line in data.split("\n") if line.startswith("err ")]
    assert len(out_lines) == n
    assert len(err_lines) == n // 100
    # In order and never spliced: every line is exactly one whole line.
    assert all(int(line[4:11]) == i for i, line in enumerate(out_lines))
    assert all(int(line[4:11]) == i * 100 for i, line in enumerate(err_lines))
    assert all(len(line) == 102 for line in out_lines)
    assert data.count("\n") == n + n // 100


def test_jsonl_stdout_is_pure_records(tmp_path):
    d = tmp_path / "r"
    r = run(d, "--format", "jsonl", "--on-alert", "continue",
            cmd=[PY, "-c", f"import sys; print('child says hi'); print({OOM!r}, file=sys.stderr); sys.exit(2)"])
    assert r.returncode == 2
    records = [json.loads(line) for line in r.stdout.splitlines()]
    types = [rec["type"] for rec in records]
    assert "alert" in types and types[-1] == "summary"
    assert "child says hi" in r.stderr
    summary = records[-1]
    assert summary["by_syndrome"].get("cuda_oom") == 1 and summary["max_severity"] == "critical"
    assert summary["duration_s"] > 0 and "alerts_by_syndrome" not in summary
    assert summary["status"] == "failed"


def test_bad_flags_are_errors(tmp_path):
    r = subprocess.run([CLI, "run", "--on-alert", "maybe", "--", "true"], capture_output=True, text=True)
    assert r.returncode == 2 and "--on-alert" in r.stderr
    r = subprocess.run([CLI, "run", "--run-dir", str(tmp_path / "x")], capture_output=True, text=True)
    assert r.returncode == 2 and "no command" in r.stderr


FAKE_SERVER = pathlib.Path(__file__).resolve().parents[1] / "support" / "fake_server.py"


@pytest.mark.skipif(not FAKE_SERVER.exists(), reason="no fake server")
def test_server_alert_id_answer_stops_the_run(tmp_path):
    import urllib.request
    log = tmp_path / "requests.jsonl"
    srv = subprocess.Popen([PY, str(FAKE_SERVER), "--log", str(log), "--port", "0"], stdout=subprocess.PIPE,
                           text=True)
    try:
        port = int(srv.stdout.readline().split()[1])
        url = f"http://127.0.0.1:{port}"
        token = tmp_path / "token"
        token.write_text("s3cret\n")
        d = tmp_path / "r"
        p = start(d, "--server", url, "--run-id", "r1", "--auth-token-file", token, "--grace", "1",
                  cmd=forking_child(tmp_path))

        def posted_alert():
            if not log.exists():
                return None
            reqs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
            return next((r for r in reqs if r["path"] == "/runs/r1/alerts"), None)

        req = wait_for(posted_alert, what="alert POST")
        assert req["headers"].get("x-auth-token") == "s3cret"
        assert req["body"]["syndrome"] == "cuda_oom"
        # The research-agent writes the answer under the id the server gave the alert.
        body = json.dumps({"run_dir": str(d), "alert_id": "srv-1", "choice": "Stop Job"}).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/_control/respond", data=body, method="POST"),
                               timeout=5).read()
        out, err = p.communicate(timeout=20)
        assert p.returncode == 3, err
        assert "(server)" in err
        reqs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        statuses = [r["body"]["status"] for r in reqs if r["path"] == "/runs/r1/status"]
        assert statuses[0] == "running" and statuses[-1] == "stopped"
        assert "s3cret" not in out + err  # the token is never printed
    finally:
        srv.kill()
        srv.wait()


def test_tty_prompt_answer(tmp_path):
    import pty
    master, slave = pty.openpty()
    d = tmp_path / "r"
    p = subprocess.Popen(base_args(d, "--grace", "1") + ["--", *forking_child(tmp_path)], stdin=slave,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.close(slave)
    try:
        wait_for(lambda: any(a.get("syndrome") == "cuda_oom" for a in alerts(d)), what="alert")
        time.sleep(0.3)
        os.write(master, b"2\n")  # choice 2: Stop Job
        out, err = p.communicate(timeout=20)
    finally:
        os.close(master)
    assert p.returncode == 3, err
    assert "type a number" in err
    assert "'Stop Job' (answer from tty)" in err


DATA = pathlib.Path(os.environ.get("SIDECAR_TEST_DATA", pathlib.Path(__file__).resolve().parents[1] / "data"))


def fake_smi(tmp_path, scenario):
    import shutil
    d = tmp_path / f"smi-{scenario}"
    shutil.copytree(DATA / "nvidia-smi" / "scenarios" / scenario, d)
    (d / "nvidia-smi").symlink_to(DATA / "nvidia-smi" / "fake-nvidia-smi")
    return d / "nvidia-smi"


@pytest.mark.parametrize("scenario,code,launched", [("busy", 3, False), ("free", 0, True)])
def test_gpu_preflight_runs_before_launch(tmp_path, scenario, code, launched):
    d = tmp_path / "r"
    marker = tmp_path / "launched"
    args = [CLI, "run", "--run-dir", str(d), "--history", str(tmp_path / "history.jsonl"), "--interval", "0.1",
            "--nvidia-smi", str(fake_smi(tmp_path, scenario)), "--gpu-wait", "0.3", "--gpu-poll", "0.1",
            "--on-alert", "stop", "--format", "jsonl", "--", PY, "-c", f"open({str(marker)!r}, 'w').close()"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                       env={**os.environ, "CUDA_VISIBLE_DEVICES": "0"})
    assert r.returncode == code, r.stderr
    assert marker.exists() == launched
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    pre = next(x for x in recs if x["type"] == "preflight")
    assert pre["requested"] == ["0"]
    assert pre["available"] == launched
    assert recs[-1]["type"] == "summary"
    assert history_rows(d)[-1]["status"] == ("stopped" if code == 3 else "finished")


def test_shell_flag_runs_shell_text(tmp_path):
    d = tmp_path / "r"
    r = run(d, "--shell", cmd=["echo one; echo two | tr a-z A-Z; exit 4"])
    assert r.returncode == 4, r.stderr
    assert r.stdout == "one\nTWO\n"


def test_extra_log_written_by_the_job_is_followed(tmp_path):
    d = tmp_path / "r"
    cmd = script(tmp_path, "logs.py", f"""
        import os, time
        with open(os.path.join(os.environ["SIDECAR_RUN_DIR"], "worker1.log"), "w") as f:
            f.write("worker starting\\n" + {OOM!r} + "\\n")
        time.sleep(0.5)
    """)
    r = run(d, "--on-alert", "continue", "--log", "worker*.log", cmd=cmd)
    assert r.returncode == 0, r.stderr
    oom = [a for a in alerts(d) if a.get("syndrome") == "cuda_oom"]
    assert len(oom) == 1
    assert "worker1.log" in json.dumps(oom[0]["evidence"])
