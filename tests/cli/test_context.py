"""sidecar-cli context: research-agent run records -> the experiment context block."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_context_renders_fixture(cli, data):
    r = cli("context", data / "context" / "runs.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (data / "context" / "runs.expected.txt").read_text(encoding="utf-8")
    assert r.stderr == ""


def test_context_reads_stdin_and_limits(cli, data):
    text = (data / "context" / "runs.json").read_text(encoding="utf-8")
    r = cli("context", "--max-active", "1", "--max-failed", "0", "-", input=text)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Active runs: 3"
    assert lines[1].startswith("  - 4: sweep-lr3e-4 [running] cmd=python train.py")
    assert lines[2] == "  (+2 more)"
    assert lines[3] == "Finished runs: 1 | Failed runs: 3"
    assert not any("FAILED" in line for line in lines)


def test_context_missing_error_is_unknown(cli, tmp_path):
    f = tmp_path / "runs.json"
    f.write_text('[{"id": "r1", "name": "x", "status": "failed"}]')
    r = cli("context", f)
    assert r.returncode == 0
    assert "  - FAILED r1: x error=unknown monitor=none\n" in r.stdout


def test_context_bad_json_is_a_located_error(cli, data):
    r = cli("context", data / "context" / "bad.json")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("sidecar-cli: context: ")
    assert "bad.json:1:22: expected a string key" in r.stderr


def test_context_wrong_shape_and_missing_file(cli, data, tmp_path):
    r = cli("context", data / "context" / "wrong_shape.json")
    assert r.returncode == 2
    assert "expected an array of runs" in r.stderr
    r = cli("context", tmp_path / "nope.json")
    assert r.returncode == 2
    assert "nope.json" in r.stderr
    r = cli("context")
    assert r.returncode == 2
    assert "expected one RUNS.json argument" in r.stderr


def test_context_help(cli):
    r = cli("context", "--help")
    assert r.returncode == 0
    assert "--max-active" in r.stdout


def test_context_count_flags_follow_context_options(cli):
    """--max-active/--max-failed take their help default and bounds from
    ContextOptions' rows (context.h), not from a copy in the CLI."""
    header = (ROOT / "libsidecar" / "include" / "sidecar" / "context.h").read_text()
    rows = dict((name, (value, lo, hi)) for name, value, lo, hi in re.findall(
        r"X\(std::size_t, (max_active|max_failed), (\d+), \((\d+), (\d+)\)", header))
    defaults = {name: row[0] for name, row in rows.items()}
    assert set(defaults) == {"max_active", "max_failed"}
    help_text = cli("context", "--help").stdout
    for name, value in defaults.items():
        line = next(l for l in help_text.splitlines() if "--" + name.replace("_", "-") + " " in l)
        assert line.endswith("(default %s)" % value), line
    lo, hi = rows["max_active"][1:]
    r = cli("context", "--max-active", str(int(hi) + 1), "-", input="[]")
    assert r.returncode == 2 and "expected a whole number %s..%s" % (lo, hi) in r.stderr
    assert cli("context", "--max-active", hi, "-", input="[]").returncode == 0
