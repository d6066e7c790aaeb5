"""Hugging Face transformers: a TrainerCallback that monitors a Trainer run.

    from sidecar.integrations.hf import SidecarCallback

    trainer = Trainer(model, args, ..., callbacks=[SidecarCallback(on_alert="stop")])

What it reads:

* ``on_log``: the logged dict (``loss``, ``grad_norm``, ``learning_rate``, ...),
  at ``state.global_step``. HF's ``logging_nan_inf_filter`` (on by default)
  replaces a NaN/Inf loss by the mean of the finite ones before logging, so
  the logged loss hides the divergence; ``grad_norm`` is logged raw and is
  monitored as its own role, and the callback also records the raw loss of
  each step where one is available: ``kwargs["loss"]`` / ``kwargs["tr_loss"]``
  when a Trainer passes it, or :meth:`SidecarCallback.record_loss` called from
  a ``compute_loss`` override.
* ``on_evaluate``: the evaluation metrics (``eval_loss``, ``eval_accuracy``, ...).
* ``on_step_end``: a tick every ``tick_every`` steps (heartbeats, stalls,
  operator answers) and the stop check.

Stop requests (see ``sidecar.integrations.loop``): an operator's "Stop Job"
answer, or ``on_alert="stop"`` and a critical alert, set
``control.should_training_stop = True``; the Trainer then ends the epoch loop
normally (saving as configured). Only the main process (``state.is_world_process_zero``)
monitors, so a multi-process run reports once.

transformers is imported only when the callback class is first used.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Optional

from sidecar.integrations.loop import Guard, _FrameworkCallback, _lazy_callback

__all__ = ["SidecarCallback"]


class _SidecarCallbackMixin(_FrameworkCallback):
    """The behaviour; the public class adds transformers.TrainerCallback as a base."""

    def __init__(self, monitor: Any = None, **options: Any) -> None:
        super().__init__(monitor, **options)
        self._raw_losses: list = []

    # -- helpers ----------------------------------------------------------------
    def _ensure_guard(self, args: Any = None) -> Guard:
        return self._guard_for(getattr(args, "output_dir", None))

    @staticmethod
    def _main_process(state: Any) -> bool:
        return bool(getattr(state, "is_world_process_zero", True))

    def record_loss(self, loss: Any) -> None:
        """Records the raw loss of one step (before HF's NaN/Inf filter), e.g. from compute_loss."""
        try:
            self._raw_losses.append(float(loss))
        except Exception:  # a multi-element tensor or an odd object: nothing to record
            return
        if len(self._raw_losses) > 10000:
            del self._raw_losses[:-1000]

    def _stop_check(self, control: Any) -> None:
        if self.guard is not None and self.guard.should_stop:
            control.should_training_stop = True

    # -- TrainerCallback events ---------------------------------------------------
    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self._main_process(state):
            self._ensure_guard(args)
        return control

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if not self._main_process(state):
            return control
        guard = self._ensure_guard(args)
        step = getattr(state, "global_step", None)
        raw = kwargs.get("loss", kwargs.get("tr_loss"))
        if raw is not None:
            self.record_loss(raw)
        if self._raw_losses:
            # Only non-finite raw losses need reporting here: the finite ones
            # reach the monitor through on_log, and HF hides only the others.
            bad = next((x for x in self._raw_losses if not math.isfinite(x)), None)
            self._raw_losses.clear()
            if bad is not None:
                guard.observe({"loss": bad}, step=step)
        if step is not None and step % self.tick_every == 0:
            guard.tick()
        self._stop_check(control)
        return control

    def _observe_dict(self, args: Any, state: Any, control: Any, values: Optional[Dict[str, Any]]) -> Any:
        """on_log and on_evaluate: the dict the Trainer logged, at its global step (main process only)."""
        if not self._main_process(state) or not values:
            return control
        guard = self._ensure_guard(args)
        guard.observe(values, step=getattr(state, "global_step", None))
        self._stop_check(control)
        return control

    def on_log(self, args: Any, state: Any, control: Any, logs: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Any:
        return self._observe_dict(args, state, control, logs)

    def on_evaluate(
        self, args: Any, state: Any, control: Any, metrics: Optional[Dict[str, Any]] = None, **kwargs: Any
    ) -> Any:
        return self._observe_dict(args, state, control, metrics)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.guard is not None:
            self.guard.close()
        return control


def _build() -> type:
    try:
        from transformers import TrainerCallback as base  # type: ignore[import-not-found]
    except ImportError:  # usable (and testable) without transformers: no-op for other events
        base = object

    def __getattr__(self: Any, name: str) -> Any:
        # Events this class does not handle (and events newer transformers add).
        if name.startswith("on_"):
            return lambda args, state, control, **kwargs: control
        raise AttributeError(name)

    namespace: Dict[str, Any] = {"__module__": __name__, "__doc__": _SidecarCallbackMixin.__doc__}
    if base is object:
        namespace["__getattr__"] = __getattr__
    cls = type("SidecarCallback", (_SidecarCallbackMixin, base), namespace)
    cls.__doc__ = (
        "A transformers TrainerCallback that feeds logs and evaluations to a sidecar Monitor "
        "and sets control.should_training_stop on a stop request (see the module docstring)."
    )
    return cls


__getattr__ = _lazy_callback(globals(), _build)
