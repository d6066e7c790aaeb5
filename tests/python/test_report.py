"""Monitor.report(path): the run's self-contained HTML report from Python,
the same report `sidecar-cli report` draws of the run's directory (issue 20)."""
import json
import os
import re
import subprocess

import pytest

import sidecar


def rows(steps=120, nan_from=100):
    for s in range(1, steps + 1):
        loss = 2.0 / s if s < nan_from else float("nan")
        yield {"step": s, "loss": loss, "grad_norm": 1.0 + s * 0.01, "samples_per_second": 50.0 + s % 3,
               "timestamp": 1700000000.0 + s}


def svgs(html):
    return re.findall(r"<svg .*?</svg>", html, re.S)


def test_report_of_a_diverging_run_while_it_runs_and_after(monitor_factory, tmp_path):
    m = monitor_factory(command="python train.py", run_id="py-report")
    alerts = []
    for r in rows():
        alerts += m.observe(r)
    assert any(a.syndrome == "nan_loss" for a in alerts)
    out = tmp_path / "live.html"
    assert m.report(str(out)) == str(out)
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "sidecar report: py-report" in html and "python train.py" in html
    assert "running" in html
    assert len(svgs(html)) == 3  # loss, throughput, grad norm
    assert "<script" not in html
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", html)) <= {"http://www.w3.org"}  # nothing fetched
    assert "nan_loss" in html
    assert "loss = NaN at step 100" in html  # the NaN marker's hover
    m.finish(status="failed", exit_code=1)
    final = tmp_path / "final.html"
    m.report(str(final))
    text = final.read_text()
    assert "failed" in text and "nan_loss" in text
    assert os.path.getsize(final) < 2 * 1024 * 1024


def test_report_memory_and_size_stay_bounded_on_a_long_run(monitor_factory, tmp_path):
    m = monitor_factory(run_id="long")
    for s in range(200000):
        m.observe({"loss": 1.0 / (1 + s * 1e-3) + (5.0 if s == 150000 else 0.0)}, step=s)
    out = tmp_path / "long.html"
    m.report(str(out))
    html = out.read_text()
    assert os.path.getsize(out) < 2 * 1024 * 1024
    # Downsampled, but the one-step spike survives (its value is the panel's top).
    assert len(svgs(html)) == 1
    assert "150000" in html


def test_report_errors_raise(monitor_factory, tmp_path):
    m = monitor_factory()
    m.observe({"loss": 1.0}, step=1)
    with pytest.raises(FileNotFoundError):
        m.report(str(tmp_path / "missing" / "r.html"))


def test_report_is_the_one_the_cli_draws(monitor_factory, tmp_path):
    cli = os.environ.get("SIDECAR_CLI")
    if not cli:
        pytest.skip("SIDECAR_CLI is not set (run through ctest)")
    run = tmp_path / "run"
    run.mkdir()
    m = monitor_factory(run_dir=str(run), run_id="same")
    with open(run / "metrics.jsonl", "w") as f:
        for r in rows():
            f.write(json.dumps(r) + "\n")
            m.observe(r)
    m.finish(status="failed", exit_code=1)
    py_html = (tmp_path / "py.html")
    m.report(str(py_html))
    cli_html = tmp_path / "cli.html"
    r = subprocess.run([cli, "report", str(run), "-o", str(cli_html)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    a, b = svgs(py_html.read_text()), svgs(cli_html.read_text())
    assert len(a) == 3
    assert a == b  # the same curves, markers and alert lines, drawn by the same code
