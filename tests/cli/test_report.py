"""sidecar-cli report: the self-contained HTML report of a run directory.

The last test runs the bundled diverging example under `sidecar-cli run`,
writes its report and renders it in headless Chromium (Debian `chromium`):
the DOM must hold the plots and the screenshot must show curves inside the
plot panels. It skips, saying so, only when chromium is not installed.
Set SIDECAR_REPORT_SCREENSHOT=path.png to keep the screenshot.
"""
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def write_run(tmp_path, steps=120, nan_from=100):
    run = tmp_path / "run"
    (run / "sidecar").mkdir(parents=True)
    with open(run / "metrics.jsonl", "w") as f:
        for s in range(1, steps + 1):
            loss = 2.0 / s if s < nan_from else float("nan")
            f.write(json.dumps({"step": s, "loss": loss, "grad_norm": 1.0 + s * 0.01, "samples_per_second": 50 + s % 3,
                                "timestamp": 1700000000 + s}) + "\n")
    alert = {"type": "alert", "id": "a-1", "ts": 1700000000 + nan_from, "run_id": "r-demo", "step": nan_from,
             "source": "rulebased", "syndrome": "nan_loss", "severity": "critical",
             "message": "loss is NaN at step %d" % nan_from, "choices": ["Ignore", "Stop Job"],
             "signature": "rulebased:nan_loss:loss", "evidence": {"key": "loss", "value": "nan"}}
    (run / "sidecar" / "alerts.jsonl").write_text(json.dumps(alert) + "\n")
    (run / "sidecar" / "status.json").write_text(json.dumps({"type": "status", "status": "failed", "exit_code": 1}))
    (run / "run.log").write_text("".join("{'loss': %r, 'step': %d}\n" % (2.0 / s, s) for s in range(1, 100)) +
                                 "Traceback (most recent call last):\nRuntimeError: diverged\n")
    return run


def test_report_writes_one_self_contained_file(cli, tmp_path):
    run = write_run(tmp_path)
    out = tmp_path / "report.html"
    r = cli("report", run, "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg ") == 3  # loss, throughput, grad norm
    assert "<script" not in html
    # Nothing fetched: the only URL is the SVG namespace.
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", html)) <= {"http://www.w3.org"}
    assert "nan_loss" in html and "loss is NaN at step 100" in html
    assert "RuntimeError: diverged" in html  # the end of the log
    assert "loss = NaN at step 100" in html  # the NaN marker's hover


def test_report_default_path_and_errors(cli, tmp_path):
    run = write_run(tmp_path)
    r = cli("report", run)
    assert r.returncode == 0, r.stderr
    assert pathlib.Path(r.stdout.strip()) == run / "sidecar" / "report.html"
    assert (run / "sidecar" / "report.html").stat().st_size > 1000

    r = cli("report", tmp_path / "missing")
    assert r.returncode == 2
    assert r.stderr.startswith("sidecar-cli: report: ") and "not a directory" in r.stderr
    r = cli("report")
    assert r.returncode == 2 and "RUN_DIR" in r.stderr
    r = cli("report", run, "--max-ponts", "10")
    assert r.returncode == 2 and "did you mean" in r.stderr
    r = cli("report", run, "-o", tmp_path / "no" / "dir" / "r.html")
    assert r.returncode == 2 and "no such directory" in r.stderr
    r = cli("report", "--help")
    assert r.returncode == 0 and "--output" in r.stdout and "--history" in r.stdout


def test_report_of_an_empty_directory_says_what_is_missing(cli, tmp_path):
    r = cli("report", tmp_path, "-o", tmp_path / "r.html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text()
    assert "No metric series to plot" in html
    assert "no run.log" in html


# --- PNG decoding (stdlib only) -------------------------------------------


def decode_png(data):
    """Returns (width, height, channels, rows) for an 8-bit RGB/RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def pixel(rows, channels, x, y):
    i = x * channels
    return tuple(rows[y][i:i + 3])


def near(c, ref, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(c, ref))


def panel_boxes(width, height, channels, rows):
    """Boxes (x0, y0, x1, y1) of white panels with the report's border colour (#e1e4e9)."""
    border = (0xE1, 0xE4, 0xE9)
    long_rows = []
    for y in range(height):
        run = best = 0
        for x in range(0, width):
            if near(pixel(rows, channels, x, y), border, 6):
                run += 1
                best = max(best, run)
            else:
                run = 0
        if best >= width // 2:
            long_rows.append(y)
    # Consecutive border lines: a panel's top and bottom edges.
    edges = [y for i, y in enumerate(long_rows) if i == 0 or y - long_rows[i - 1] > 3]
    boxes = []
    for top, bottom in zip(edges, edges[1:]):
        if bottom - top > 60:
            boxes.append((0, top, width, bottom))
    return boxes


def chromium_binary():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(args, timeout=120):
    profile = tempfile.mkdtemp(prefix="sidecar-chromium-")
    try:
        cmd = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile, *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_report_of_a_real_diverging_run_renders_in_chromium(cli, tmp_path):
    if chromium_binary() is None:
        pytest.skip("chromium is not installed (apt-get install chromium): the report is not rendered")
    run = tmp_path / "demo"
    r = cli("run", "--run-dir", run, "--on-alert", "continue", "--", sys.executable,
            ROOT / "examples" / "diverging_run" / "train.py", "--delay", "0.03", timeout=180)
    assert r.returncode != 0, "the example crashes after diverging: " + r.stderr[-2000:]
    report = tmp_path / "report.html"
    r = cli("report", run, "-o", report)
    assert r.returncode == 0, r.stderr
    html = report.read_text()
    assert "nan" in html.lower() and "<svg " in html

    dom = chromium(["--dump-dom", report.as_uri()])
    assert dom.returncode == 0, dom.stderr[-2000:]
    svgs = dom.stdout.count("<svg ")
    assert svgs >= 3, "expected the loss, throughput and grad-norm plots in the DOM"
    assert dom.stdout.count("<polyline") >= 3
    assert 'class="mark"' in dom.stdout  # alert markers

    shot = pathlib.Path(os.environ.get("SIDECAR_REPORT_SCREENSHOT") or tmp_path / "report.png")
    r = chromium(["--screenshot=" + str(shot), "--window-size=1100,1500", report.as_uri()])
    assert r.returncode == 0 and shot.exists(), r.stderr[-2000:]
    width, height, channels, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1100, 1500)
    colors = set()
    for y in range(0, height, 7):
        for x in range(0, width, 7):
            colors.add(pixel(rows, channels, x, y))
    assert len(colors) > 30, "the screenshot is blank"

    boxes = panel_boxes(width, height, channels, rows)
    curve = (0x1F, 0x77, 0xB4)  # the first series' colour
    alert_red = (0xD6, 0x27, 0x28)
    with_curves = 0
    red_pixels = 0
    for x0, y0, x1, y1 in boxes:
        blue = 0
        for y in range(y0 + 1, y1):
            for x in range(x0 + 80, x1 - 30, 2):
                c = pixel(rows, channels, x, y)
                if near(c, curve):
                    blue += 1
                elif near(c, alert_red):
                    red_pixels += 1
        if blue >= 40:
            with_curves += 1
    assert with_curves >= 2, "expected curves inside at least two plot panels (found %d of %d panels)" % (
        with_curves, len(boxes))
    assert red_pixels >= 20, "expected red alert / NaN markers in the plots"


# --- the report `run` writes at the end -------------------------------------

TRAIN = r"""
import json, os, sys
path = os.environ["SIDECAR_METRICS_FILE"]
with open(path, "a") as f:
    for s in range(1, 41):
        loss = 3.0 / s if s < 30 else float("nan")
        f.write(json.dumps({"step": s, "loss": loss, "samples_per_second": 100.0}) + "\n")
        f.flush()
        print("step %d loss %s" % (s, loss), flush=True)
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def test_run_writes_its_report_and_facts_at_the_end(cli, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    run = tmp_path / "r-end"
    r = cli("run", "--run-dir", run, "--on-alert", "continue", "--history", "-", "--no-preflight", "--quiet", "--",
            sys.executable, script, "1", timeout=120)
    assert r.returncode == 1, r.stderr[-2000:]
    report = run / "sidecar" / "report.html"
    assert "report: " + str(report) in r.stderr  # its path is printed
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", html)) <= {"http://www.w3.org"}
    assert "<svg " in html and "nan_loss" in html
    assert "train.py" in html  # the command, from run.json

    facts = json.loads((run / "sidecar" / "run.json").read_text())
    assert facts["run_id"] == "r-end"
    assert facts["status"] == "failed" and facts["exit_code"] == 1
    assert "train.py" in facts["command"] and facts["command"].endswith(" 1")
    assert 0 < facts["started_at"] <= facts["ended_at"]
    assert facts["gpus"] == []  # no preflight: none known
    assert facts["profile"]


def test_run_no_report_skips_it(cli, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    run = tmp_path / "r-quiet"
    r = cli("run", "--run-dir", run, "--on-alert", "continue", "--history", "-", "--no-preflight", "--no-report",
            "--quiet", "--", sys.executable, script, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert not (run / "sidecar" / "report.html").exists()
    assert not (run / "sidecar" / "run.json").exists()
    assert "report:" not in r.stderr
    assert (run / "sidecar" / "alerts.jsonl").exists()  # the run itself was monitored
