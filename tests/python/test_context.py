"""render_experiment_context / parse_run_records: the orchestrator's context block."""
import json

import pytest

import sidecar


def test_render_from_json_text_matches_the_expected_block(data):
    text = (data / "context" / "runs.json").read_text()
    expected = (data / "context" / "runs.expected.txt").read_text()
    assert sidecar.render_experiment_context(text) == expected


def test_render_from_python_objects_reads_them_like_json(data):
    obj = json.loads((data / "context" / "runs.json").read_text())
    expected = (data / "context" / "runs.expected.txt").read_text()
    assert sidecar.render_experiment_context(obj) == expected
    assert sidecar.render_experiment_context(obj["runs"]).startswith("Active runs: 3\n")
    records = sidecar.parse_run_records(obj)
    assert all(isinstance(r, sidecar.RunRecord) for r in records)
    assert sidecar.render_experiment_context(records) == expected
    r2 = [r for r in records if r.id == "r2"][0]
    assert r2.status == "failed" and r2.error.startswith("CUDA out of memory")
    assert "r2" in repr(r2)
    four = [r for r in records if r.id == "4"][0]
    assert [a.id for a in four.pending_alerts] == ["srv-1"]
    pa = four.pending_alerts[0]
    assert (pa.severity, pa.source, pa.syndrome, pa.message) == ("warning", "rulebased", "loss_plateau", "loss plateau for 400 steps")
    assert four.monitor_tags == ["supervised", "baseline-aware"]


def test_missing_fields_never_crash():
    out = sidecar.render_experiment_context([{"status": "failed"}, {}])
    assert "FAILED" in out and "error=unknown" in out


def test_options_limit_the_block():
    runs = [{"id": f"r{i}", "name": "n", "status": "running", "command": "python t.py"} for i in range(9)]
    default = sidecar.render_experiment_context(runs)
    two = sidecar.render_experiment_context(runs, sidecar.ContextOptions(max_active=2))
    assert default.count("  - r") > two.count("  - r") == 2
    opts = sidecar.ContextOptions()
    assert opts.max_active > 0 and opts.command_chars > 0  # the C++ defaults, not repeated in Python
    with pytest.raises(TypeError):
        sidecar.ContextOptions(max_actve=2)


def test_bad_json_raises_parse_error_a_value_error(data):
    with pytest.raises(sidecar.ParseError):
        sidecar.render_experiment_context((data / "context" / "bad.json").read_text())
    with pytest.raises(sidecar.ParseError) as e:
        sidecar.parse_run_records((data / "context" / "wrong_shape.json").read_text())
    assert isinstance(e.value, ValueError) and not isinstance(e.value, sidecar.PlaybookError)
