"""sidecar.integrations with fake framework objects: the plain-loop Guard, the
transformers TrainerCallback and the Lightning Callback."""
import importlib
import math
import time
import sys
import types

import pytest

import sidecar
from sidecar.integrations import loop


# ---------------------------------------------------------------- plain loop
def test_guard_reports_but_does_not_stop_by_default():
    seen = []
    with loop.Guard(history=False, callback=seen.append, log_alerts=False) as g:
        g.observe({"loss": 1.0}, step=0)
        alerts = g.observe({"loss": float("nan")}, step=1)
        assert [a.syndrome for a in alerts] == ["nan_loss"]
        assert [a.syndrome for a in seen] == ["nan_loss"] == [a.syndrome for a in g.alerts]
        assert not g.should_stop
    assert g.monitor.finished


def test_guard_on_alert_stop_stops_on_critical_only():
    g = loop.Guard(history=False, on_alert="stop", log_alerts=False)
    g.monitor.add_decision("slow", "a warning", "warning")
    assert not g.should_stop
    g.observe({"loss": 1.0}, step=0)
    g.observe({"loss": math.inf}, step=1)
    assert g.should_stop and "critical" in g.stop_reason and "nan_loss" in g.stop_reason
    g.close()
    assert g.monitor.finished


def test_guard_logs_alerts_on_the_sidecar_logger(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="sidecar"):
        with loop.Guard(history=False) as g:
            g.feed_log("No space left on device\n")
    assert any("disk_full" in r.getMessage() for r in caplog.records)


def test_guard_validates_and_shares_monitors():
    with pytest.raises(ValueError):
        loop.Guard(history=False, on_alert="explode")
    with pytest.raises(ValueError):
        loop.Guard(history=False, stop_severity="loud")
    mon = sidecar.Monitor(history=False)
    with pytest.raises(TypeError):
        loop.Guard(mon, history=False)
    with loop.Guard(mon) as g:
        g.tick()
    assert not mon.finished  # the owner finishes a monitor it passed in
    mon.finish()


def test_guard_marks_a_failed_block():
    hist = []
    g = loop.Guard(history=False, log_alerts=False)
    with pytest.raises(RuntimeError):
        with g:
            raise RuntimeError("boom")
    assert g.monitor.finished


# -------------------------------------------------------------- transformers
def fresh(name):
    """The integration module re-imported, so its class is built against the current (fake) framework."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


class Obj(types.SimpleNamespace):
    pass


def fake_transformers(monkeypatch):
    mod = types.ModuleType("transformers")

    class TrainerCallback:
        def on_init_end(self, args, state, control, **kw):
            return control

        def on_substep_end(self, args, state, control, **kw):
            return control

    mod.TrainerCallback = TrainerCallback
    monkeypatch.setitem(sys.modules, "transformers", mod)
    return fresh("sidecar.integrations.hf"), TrainerCallback


def hf_objects(tmp_path, step=0):
    args = Obj(output_dir=str(tmp_path), logging_nan_inf_filter=True)
    state = Obj(global_step=step, is_world_process_zero=True)
    control = Obj(should_training_stop=False)
    return args, state, control


def test_hf_callback_subclasses_trainercallback_lazily(monkeypatch, tmp_path):
    hf, base = fake_transformers(monkeypatch)
    assert "SidecarCallback" not in vars(hf)  # nothing built at import
    cb = hf.SidecarCallback(history=False, log_alerts=False)
    assert isinstance(cb, base)
    args, state, control = hf_objects(tmp_path)
    cb.on_train_begin(args, state, control)
    assert cb.guard.monitor.run_dir == str(tmp_path)  # output_dir is the run directory
    assert cb.on_init_end(args, state, control) is control  # inherited events still work


def test_hf_callback_on_log_and_on_evaluate(monkeypatch, tmp_path):
    hf, _ = fake_transformers(monkeypatch)
    seen = []
    cb = hf.SidecarCallback(history=False, log_alerts=False, callback=seen.append)
    args, state, control = hf_objects(tmp_path)
    for step in range(1, 6):
        state.global_step = step
        cb.on_log(args, state, control, logs={"loss": 2.0 / step, "grad_norm": 1.0, "learning_rate": 1e-4, "epoch": 0.1})
    state.global_step = 6
    cb.on_evaluate(args, state, control, metrics={"eval_loss": 1.0, "eval_accuracy": 0.7, "epoch": 0.2})
    assert cb.guard.monitor.stats()["rows"] == 6
    assert cb.guard.monitor.profile == "supervised"
    state.global_step = 7
    cb.on_log(args, state, control, logs={"loss": float("nan")})
    assert [a.syndrome for a in seen] == ["nan_loss"] and seen[0].step == 7
    assert not control.should_training_stop  # on_alert="continue"
    cb.on_train_end(args, state, control)
    assert cb.guard.monitor.finished


def test_hf_nan_hidden_by_the_filter_is_caught_from_raw_values(monkeypatch, tmp_path):
    hf, _ = fake_transformers(monkeypatch)
    seen = []
    cb = hf.SidecarCallback(history=False, log_alerts=False, callback=seen.append, on_alert="stop")
    args, state, control = hf_objects(tmp_path)
    for step in range(1, 5):
        state.global_step = step
        cb.on_log(args, state, control, logs={"loss": 1.0, "grad_norm": 0.5})
    # Step 5: the raw loss is NaN; HF's filter would log the mean of the finite ones.
    state.global_step = 5
    cb.record_loss(float("nan"))
    cb.on_step_end(args, state, control)
    assert [a.syndrome for a in seen] == ["nan_loss"] and seen[0].step == 5
    assert control.should_training_stop is True  # critical + on_alert="stop"


def test_hf_operator_stop_answer_stops_training(monkeypatch, tmp_path):
    hf, _ = fake_transformers(monkeypatch)
    seen = []
    cb = hf.SidecarCallback(history=False, log_alerts=False, callback=seen.append)
    args, state, control = hf_objects(tmp_path)
    state.global_step = 1
    cb.on_log(args, state, control, logs={"loss": 1.0})
    state.global_step = 2
    cb.on_log(args, state, control, logs={"loss": float("nan")})
    assert not control.should_training_stop
    (tmp_path / "alerts").mkdir(exist_ok=True)
    (tmp_path / "alerts" / f"{seen[0].id}.response").write_text("Stop Job\n")
    time.sleep(0.6)  # answers are read at most every half second
    state.global_step = 3
    cb.on_step_end(args, state, control)
    assert control.should_training_stop is True
    cb.on_train_end(args, state, control)


def test_hf_only_the_main_process_monitors(monkeypatch, tmp_path):
    hf, _ = fake_transformers(monkeypatch)
    cb = hf.SidecarCallback(history=False)
    args, state, control = hf_objects(tmp_path)
    state.is_world_process_zero = False
    cb.on_log(args, state, control, logs={"loss": float("nan")})
    assert cb.guard is None


def test_hf_without_transformers_still_builds(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails
    hf = fresh("sidecar.integrations.hf")
    cb = hf.SidecarCallback(history=False)
    control = Obj()
    assert cb.on_prediction_step(None, None, control) is control  # events it does not handle are no-ops
    with pytest.raises(AttributeError):
        cb.not_an_event


# ------------------------------------------------------------------ Lightning
def fake_lightning(monkeypatch):
    pkg = types.ModuleType("lightning")
    sub = types.ModuleType("lightning.pytorch")

    class Callback:
        def on_fit_start(self, trainer, pl_module):
            pass

    sub.Callback = Callback
    pkg.pytorch = sub
    monkeypatch.setitem(sys.modules, "lightning", pkg)
    monkeypatch.setitem(sys.modules, "lightning.pytorch", sub)
    return fresh("sidecar.integrations.lightning"), Callback


class Tensor0d:
    """A 0-d tensor stand-in (has __float__ and __getitem__, like torch.Tensor)."""

    def __init__(self, v):
        self.v = v

    def __float__(self):
        return float(self.v)

    def __getitem__(self, i):
        raise IndexError


def test_lightning_callback(monkeypatch, tmp_path):
    lt, base = fake_lightning(monkeypatch)
    seen = []
    cb = lt.SidecarCallback(history=False, log_alerts=False, callback=seen.append, on_alert="stop")
    assert isinstance(cb, base)
    trainer = Obj(global_step=0, global_rank=0, should_stop=False, log_dir=str(tmp_path), log_every_n_steps=1,
                  callback_metrics={"train_loss": Tensor0d(2.0)}, sanity_checking=False)
    cb.on_train_start(trainer, None)
    for step in range(1, 6):
        trainer.global_step = step
        cb.on_train_batch_end(trainer, None, {"loss": Tensor0d(2.0 / step)}, None, step)
    trainer.callback_metrics = {"val_loss": Tensor0d(1.0), "val_acc": Tensor0d(0.6)}
    cb.on_validation_end(trainer, None)
    assert cb.guard.monitor.stats()["rows"] == 6
    assert not trainer.should_stop
    trainer.global_step = 6
    cb.on_train_batch_end(trainer, None, Tensor0d(float("nan")), None, 6)  # outputs as a bare tensor
    assert [a.syndrome for a in seen] == ["nan_loss"] and seen[0].step == 6
    assert trainer.should_stop is True
    cb.on_train_end(trainer, None)
    assert cb.guard.monitor.finished


def test_lightning_exception_finishes_failed(monkeypatch, tmp_path):
    lt, _ = fake_lightning(monkeypatch)
    hist = tmp_path / "h.jsonl"
    cb = lt.SidecarCallback(history=str(hist), log_alerts=False)
    trainer = Obj(global_step=0, global_rank=0, should_stop=False, log_dir=str(tmp_path), callback_metrics={})
    cb.on_train_start(trainer, None)
    cb.on_exception(trainer, None, RuntimeError("boom"))
    assert cb.guard.monitor.finished
    assert '"status":"failed"' in hist.read_text().replace(" ", "")


def test_lightning_other_ranks_do_not_monitor(monkeypatch, tmp_path):
    lt, _ = fake_lightning(monkeypatch)
    cb = lt.SidecarCallback(history=False)
    trainer = Obj(global_step=1, global_rank=1, should_stop=False, callback_metrics={})
    cb.on_train_batch_end(trainer, None, {"loss": Tensor0d(float("nan"))}, None, 0)
    assert cb.guard is None
