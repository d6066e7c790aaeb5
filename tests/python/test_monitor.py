"""sidecar.Monitor: observe / feed_log / tick / snapshot / finish, values of every kind."""
import decimal
import fractions
import json
import logging
import math
import os
import pathlib
import subprocess
import sys
import threading
import time

import pytest

import sidecar


def test_nan_loss_alerts_at_its_step(monitor_factory):
    mon = monitor_factory()
    for step in range(10):
        assert mon.observe({"loss": 2.0 - 0.01 * step, "lr": 1e-3}, step=step) == []
    alerts = mon.observe({"loss": float("nan")}, step=10)
    assert len(alerts) == 1
    a = alerts[0]
    assert isinstance(a, sidecar.Alert)
    assert (a.source, a.syndrome, a.severity, a.step) == ("rulebased", "nan_loss", "critical", 10)
    assert a.choices == ["Ignore", "Stop Job"]
    assert isinstance(a.evidence, dict)
    assert a.signature and a.id and a.message
    assert "critical" in repr(a) and "nan_loss" in repr(a) and "step=10" in repr(a)
    obj = json.loads(a.to_json())
    assert obj["type"] == "alert" and obj["syndrome"] == "nan_loss" and obj["step"] == 10
    # The same condition is deduped on the next step.
    assert mon.observe({"loss": float("nan")}, step=11) == []


def test_values_of_every_kind_are_numbers(monitor_factory):
    class Scalar:  # a 0-d tensor / NumPy scalar stand-in: only __float__
        def __init__(self, v):
            self.v = v

        def __float__(self):
            return self.v

    class Index:  # only __index__
        def __index__(self):
            return 3

    mon = monitor_factory()
    mon.observe(
        {
            "loss": Scalar(2.5),
            "a": 1,
            "b": 2**70,
            "c": "1e-3",
            "d": decimal.Decimal("0.25"),
            "e": fractions.Fraction(1, 4),
            "f": Index(),
            "g": True,  # booleans are flags, not metrics (not counted as bad)
        },
        step=0,
    )
    s = mon.stats()
    assert s["rows"] == 1 and s["values"] == 7 and s["bad_values"] == 0
    assert "loss=2.5" in mon.snapshot()["monitor_note"]


def test_string_nan_is_a_nonfinite_loss(monitor_factory):
    mon = monitor_factory()
    mon.observe({"loss": 1.0}, step=0)
    alerts = mon.observe({"loss": "nan"}, step=1)
    assert [a.syndrome for a in alerts] == ["nan_loss"]


def test_numpy_and_torch_scalars_without_importing_them(monitor_factory):
    np = pytest.importorskip("numpy")
    mon = monitor_factory()
    mon.observe({"loss": np.float32(1.5), "x": np.int64(3), "y": np.float64(0.5)}, step=0)
    assert mon.stats()["values"] == 3
    try:
        import torch
    except ImportError:
        return
    alerts = mon.observe({"loss": torch.tensor(float("nan")), "multi": torch.ones(3)}, step=1)
    assert [a.syndrome for a in alerts] == ["nan_loss"]
    assert mon.stats()["bad_values"] == 1  # the 3-element tensor


def test_bad_values_never_raise_they_are_counted_and_logged_once(monitor_factory, caplog):
    mon = monitor_factory()

    class Boom:
        def __float__(self):
            raise RuntimeError("no")

    with caplog.at_level(logging.WARNING, logger="sidecar"):
        for step in range(3):
            mon.observe({"loss": 1.0, "bad": "abc", "none": None, "boom": Boom(), "lst": [1, 2], 5: 1.0}, step=step)
    assert mon.stats()["bad_values"] == 3 * 5
    logged = [r.getMessage() for r in caplog.records]
    assert sum("'bad'" in m for m in logged) == 1  # once per key, not per row
    assert any("'boom'" in m for m in logged)


def test_nested_mappings_flatten_with_slash(monitor_factory):
    mon = monitor_factory()
    mon.observe({"train": {"loss": 1.0}, "optim": {"lr": 0.1, "inner": {"x": 1}}}, step=0)
    assert mon.stats()["values"] == 3
    alerts = mon.observe({"train": {"loss": float("inf")}}, step=1)
    assert [a.syndrome for a in alerts] == ["nan_loss"]


def test_step_from_the_mapping_and_default_increment(monitor_factory):
    mon = monitor_factory()
    mon.observe({"loss": 1.0, "step": 41})
    alerts = mon.observe({"loss": float("nan"), "global_step": 42})
    assert alerts[0].step == 42
    assert mon.stats()["values"] == 2  # step keys are positions, not metrics


def test_other_mappings_work_and_non_mappings_raise_typeerror(monitor_factory):
    import collections
    import types

    mon = monitor_factory()
    mon.observe(collections.OrderedDict(loss=1.0), step=0)
    mon.observe(types.MappingProxyType({"loss": 1.0}), step=1)
    assert mon.stats()["rows"] == 2
    with pytest.raises(TypeError):
        mon.observe([("loss", 1.0)], step=2)
    with pytest.raises(TypeError):
        mon.observe(1.0, step=2)


def test_feed_log_text_and_bytes(monitor_factory):
    mon = monitor_factory()
    alerts = mon.feed_log("step 1 ok\nRuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert alerts == []  # the partial line waits for its newline
    alerts = mon.feed_log(b" (GPU 0; 79.35 GiB total capacity)\n")
    assert [(a.source, a.syndrome, a.severity) for a in alerts] == [("logwatch", "cuda_oom", "critical")]
    assert mon.stats()["log_lines"] == 2
    assert mon.log_status is None


def test_finish_flushes_a_partial_last_line(monitor_factory):
    mon = monitor_factory()
    mon.feed_log("Segmentation fault (core dumped)")  # no newline
    alerts = mon.finish("failed")
    assert [a.syndrome for a in alerts] == ["segfault"]
    assert mon.finished
    assert mon.finish() == []  # idempotent
    assert mon.observe({"loss": float("nan")}) == []  # finished: ignored


def test_tick_and_snapshot(monitor_factory):
    mon = monitor_factory(command="python train.py --task classification")
    for step in range(5):
        mon.observe({"train/loss": 1.0 / (step + 1), "val/accuracy": 0.5 + step / 100}, step=step)
    assert mon.tick() == []
    snap = mon.snapshot()
    assert set(snap) >= {"ts", "monitor_note", "monitor_tags", "monitoring", "material_change"}
    assert isinstance(snap["monitoring"], dict)
    assert snap["monitoring"]["profile"] == "supervised" == mon.profile
    assert "profile=supervised" in snap["monitor_note"]
    assert len(snap["monitor_note"]) <= 220
    assert all(isinstance(t, str) for t in snap["monitor_tags"])
    assert "profile=supervised" in repr(mon) and "rows=5" in repr(mon)


def test_profile_pin_and_validation(monitor_factory):
    mon = monitor_factory(profile="reinforcement_learning")
    assert mon.profile == "reinforcement_learning"
    mon.pin_profile("supervised")
    assert mon.profile == "supervised"
    with pytest.raises(ValueError):
        mon.pin_profile("nonsense")
    with pytest.raises(ValueError):
        sidecar.Monitor(profile="nonsense", history=False)


def test_add_decision_is_selected_and_deduped(monitor_factory):
    mon = monitor_factory()
    alerts = mon.add_decision("my_rule", "custom check failed", "warning", evidence={"x": 1}, step=3)
    assert [(a.source, a.syndrome, a.severity, a.step) for a in alerts] == [("playbook", "my_rule", "warning", 3)]
    # The caller's evidence, plus the incident the alert opened.
    assert alerts[0].evidence["x"] == "1"
    assert alerts[0].evidence["notify"] == "opened" and alerts[0].evidence["incident"]
    assert mon.add_decision("my_rule", "custom check failed again", "warning") == []
    assert mon.syndrome_counts() == {"my_rule": 1}
    with pytest.raises(ValueError):
        mon.add_decision("x", "y", "loud")


def test_context_manager_finishes_and_writes_history(tmp_path):
    hist = tmp_path / "history.jsonl"
    with sidecar.Monitor(command="python train.py", history=str(hist), run_id="r1") as mon:
        mon.observe({"loss": 1.0}, step=0)
    assert mon.finished
    row = json.loads(hist.read_text().splitlines()[-1])
    assert row["run_id"] == "r1" and row["status"] == "finished"
    assert row["command_fingerprint"] == mon.command_fingerprint

    with pytest.raises(KeyError):
        with sidecar.Monitor(command="python train.py", history=str(hist), run_id="r2"):
            raise KeyError("boom")
    row = json.loads(hist.read_text().splitlines()[-1])
    assert row["run_id"] == "r2" and row["status"] == "failed"


def test_run_dir_gets_the_file_sink(tmp_path):
    with sidecar.Monitor(run_dir=str(tmp_path), history=False) as mon:
        mon.observe({"loss": 1.0}, step=0)
        mon.observe({"loss": float("nan")}, step=1)
    lines = [json.loads(l) for l in (tmp_path / "sidecar" / "alerts.jsonl").read_text().splitlines()]
    assert [l["syndrome"] for l in lines if l["type"] == "alert"] == ["nan_loss"]
    assert (tmp_path / "sidecar" / "status.json").exists()
    assert mon.stats()["sinks"]["failed"] == 0


def test_operator_stop_answer_sets_stop_requested(tmp_path):
    mon = sidecar.Monitor(run_dir=str(tmp_path), history=False, sinks=[])
    mon.observe({"loss": 1.0}, step=0)
    (alert,) = mon.observe({"loss": float("nan")}, step=1)
    assert not mon.stop_requested and mon.stop_reason is None
    answers = tmp_path / "alerts"
    answers.mkdir()
    (answers / f"{alert.id}.response").write_text("Stop Job\n")
    time.sleep(0.6)  # answers are read at most every half second, on a tick or stop_requested
    mon.tick()
    assert mon.stop_requested
    assert alert.id in mon.stop_reason and "Stop Job" in mon.stop_reason
    mon.finish("stopped")


def test_ignore_answer_does_not_stop(tmp_path):
    mon = sidecar.Monitor(run_dir=str(tmp_path), history=False, sinks=[])
    mon.observe({"loss": 1.0}, step=0)
    (alert,) = mon.observe({"loss": float("nan")}, step=1)
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / f"{alert.id}.response").write_text("Ignore\n")
    time.sleep(0.6)
    mon.tick()
    assert not mon.stop_requested
    mon.request_stop("test says so")
    assert mon.stop_requested and mon.stop_reason == "test says so"
    mon.finish()


def test_sinks_belong_to_one_monitor(tmp_path):
    sink = sidecar.make_file_sink(str(tmp_path))
    assert sink.name == "file" and "file" in repr(sink)
    mon = sidecar.Monitor(sinks=[sink], history=False)
    with pytest.raises(ValueError):
        sidecar.Monitor(sinks=[sink], history=False)
    mon.finish()


def test_server_sink_never_stalls_observe(tmp_path, monkeypatch):
    monkeypatch.delenv("SIDECAR_AUTH_TOKEN", raising=False)
    opts = sidecar.ServerSinkOptions(url="http://127.0.0.1:9", run_id="r1", timeout_s=0.2)
    assert opts.run_id == "r1" and opts.queue_capacity > 0  # the C++ default
    assert "secret" not in repr(sidecar.ServerSinkOptions(url="u", auth_token="secret"))  # never shown
    mon = sidecar.Monitor(sinks=[sidecar.make_server_sink(opts)], history=False)
    import time

    t = time.perf_counter()
    for step in range(100):
        mon.observe({"loss": 1.0}, step=step)
    mon.observe({"loss": float("nan")}, step=100)
    assert time.perf_counter() - t < 2.0  # nothing waits for the (closed) port
    mon.finish(timeout_s=0.0)
    with pytest.raises(TypeError):
        sidecar.ServerSinkOptions(urll="x")


def test_server_sink_token_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        sidecar.make_server_sink(sidecar.ServerSinkOptions(url="http://127.0.0.1:9"), str(tmp_path / "nope"))


def test_alertmanager_sink_options():
    opts = sidecar.AlertmanagerSinkOptions(url="http://127.0.0.1:9", run_id="r1", timeout_s=0.1)
    sink = sidecar.make_alertmanager_sink(opts)
    assert sink.name == "alertmanager"
    mon = sidecar.Monitor(sinks=[sink], history=False)
    mon.finish(timeout_s=0.0)


def test_threads_may_share_a_monitor(monitor_factory):
    mon = monitor_factory()
    errors = []

    def work(base):
        try:
            for i in range(2000):
                mon.observe({"loss": 1.0, "x": float(i)}, step=base + i)
                if i % 100 == 0:
                    mon.snapshot()
                    mon.feed_log(f"thread {base} line {i}\n", source=f"t{base}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k * 10000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert mon.stats()["rows"] == 8000


def test_reentrant_float_does_not_corrupt_the_row(monitor_factory):
    mon = monitor_factory()

    class Sneaky:
        def __float__(self):
            mon.observe({"inner": 1.0})  # observe from inside a conversion
            return 2.0

    mon.observe({"a": 1.0, "b": Sneaky(), "c": 3.0}, step=0)
    assert mon.stats()["values"] == 4


def test_playbook_argument(tmp_path):
    pb = tmp_path / "pb.yaml"
    pb.write_text("dedupe:\n  ttl_s: 5\n")
    mon = sidecar.Monitor(playbook=str(pb), history=False)
    mon.finish()
    mon = sidecar.Monitor(playbook=sidecar.load_playbook(str(pb)), history=False)
    mon.finish()
    with pytest.raises(FileNotFoundError):
        sidecar.Monitor(playbook=str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("dedupe:\n  ttl: 5\n")
    with pytest.raises(sidecar.PlaybookError, match=r"bad.yaml:2:\d+"):
        sidecar.Monitor(playbook=str(bad))


def test_a_cleared_condition_is_resolved(monitor_factory):
    mon = monitor_factory()
    mon.observe({"loss": 1.0}, step=0)
    (alert,) = mon.observe({"loss": float("nan")}, step=1)
    assert mon.take_resolved() == []
    for step in range(2, 12):
        mon.observe({"loss": 1.0}, step=step)
    resolved = mon.take_resolved()
    assert [r.alert_id for r in resolved] == [alert.id]
    r = resolved[0]
    assert isinstance(r, sidecar.Resolved)
    assert (r.syndrome, r.source, r.signature) == ("nan_loss", "rulebased", alert.signature)
    assert r.duration_s >= 0 and r.ts >= alert.ts
    assert json.loads(r.to_json())["type"] == "resolved"
    assert "nan_loss" in repr(r)
    assert mon.take_resolved() == []  # drained


def _monitors_in_a_new_process(env_update, tmp_path):
    """Two Monitors in a fresh interpreter with `env_update` (PYTHONPATH and the rest inherited)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SIDECAR_CACHE_DIR", "SIDECAR_NO_CACHE", "XDG_CACHE_HOME")}
    env.update(env_update)
    here = str(pathlib.Path(sidecar.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    code = ("import sidecar\n"
            "for _ in range(2):\n"
            "    m = sidecar.Monitor(history=False)\n"
            "    alerts = m.feed_log('RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\\n')\n"
            "    assert [a.syndrome for a in alerts] == ['cuda_oom'], alerts\n"
            "    m.finish(timeout_s=0.0)\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=tmp_path, timeout=120)


def test_monitor_keeps_the_compiled_catalogue_in_the_cache_directory(tmp_path):
    # As the CLI: the pattern database compiled for a Monitor is written to $SIDECAR_CACHE_DIR (else
    # $XDG_CACHE_HOME/sidecar, ~/.cache/sidecar) for the next process; SIDECAR_NO_CACHE=1 writes nothing.
    cache = tmp_path / "cache"
    _monitors_in_a_new_process({"SIDECAR_CACHE_DIR": str(cache)}, tmp_path)
    assert len(list(cache.glob("hs-*.db"))) == 1
    xdg = tmp_path / "xdg"
    _monitors_in_a_new_process({"XDG_CACHE_HOME": str(xdg)}, tmp_path)
    assert len(list((xdg / "sidecar").glob("hs-*.db"))) == 1
    off = tmp_path / "off"
    _monitors_in_a_new_process({"SIDECAR_CACHE_DIR": str(off), "SIDECAR_NO_CACHE": "1"}, tmp_path)
    assert not off.exists()
