"""PyTorch Lightning: a Callback that monitors a Trainer run.

    from sidecar.integrations.lightning import SidecarCallback

    trainer = L.Trainer(callbacks=[SidecarCallback(on_alert="stop")])

What it reads:

* ``on_train_batch_end``: the step's raw loss from ``outputs`` (a tensor, or
  ``outputs["loss"]``) — raw, so a NaN shows at the step it happens — plus
  what the module logged for the step (``trainer.callback_metrics``, 0-d
  tensors read through ``__float__``) every ``log_every_n_steps`` steps, at
  ``trainer.global_step``;
* ``on_validation_end``: the validation metrics (``val_loss``, ``val_acc``, ...);
* every ``tick_every`` batches a tick (heartbeats, stalls, operator answers).

Stop requests (see ``sidecar.integrations.loop``): an operator's "Stop Job"
answer, or ``on_alert="stop"`` and a critical alert, set
``trainer.should_stop = True`` (Lightning stops at the end of the step, runs
its teardown and checkpoints as configured). Only global rank 0 monitors.

Lightning is imported only when the callback class is first used
(``lightning.pytorch`` or the older ``pytorch_lightning``).
"""
from __future__ import annotations

from typing import Any, Dict

from sidecar.integrations.loop import Guard, _FrameworkCallback, _lazy_callback

__all__ = ["SidecarCallback"]


class _SidecarCallbackMixin(_FrameworkCallback):
    def __init__(self, monitor: Any = None, **options: Any) -> None:
        super().__init__(monitor, **options)
        self._batches = 0

    def _ensure_guard(self, trainer: Any) -> Guard:
        return self._guard_for(getattr(trainer, "log_dir", None) or getattr(trainer, "default_root_dir", None))

    @staticmethod
    def _rank_zero(trainer: Any) -> bool:
        return getattr(trainer, "global_rank", 0) == 0

    @staticmethod
    def _raw_loss(outputs: Any) -> Any:
        if outputs is None:
            return None
        if isinstance(outputs, dict):
            return outputs.get("loss")
        if hasattr(outputs, "__float__"):
            return outputs
        return None

    def _stop_check(self, trainer: Any) -> None:
        if self.guard is not None and self.guard.should_stop:
            trainer.should_stop = True

    # -- Callback hooks -----------------------------------------------------------
    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        if self._rank_zero(trainer):
            self._ensure_guard(trainer)

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        if not self._rank_zero(trainer):
            return
        guard = self._ensure_guard(trainer)
        step = getattr(trainer, "global_step", None)
        row: Dict[str, Any] = {}
        every = getattr(trainer, "log_every_n_steps", 1) or 1
        if step is None or step % every == 0:
            metrics = getattr(trainer, "callback_metrics", None)
            if metrics:
                row.update(metrics)
        raw = self._raw_loss(outputs)
        if raw is not None:
            row["loss"] = raw  # the raw step loss wins over a logged (smoothed) one
        if row:
            guard.observe(row, step=step)
        self._batches += 1
        if self._batches % self.tick_every == 0:
            guard.tick()
        self._stop_check(trainer)

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if not self._rank_zero(trainer) or getattr(trainer, "sanity_checking", False):
            return
        guard = self._ensure_guard(trainer)
        metrics = getattr(trainer, "callback_metrics", None)
        if metrics:
            guard.observe(dict(metrics), step=getattr(trainer, "global_step", None))
        self._stop_check(trainer)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        if self.guard is not None:
            self.guard.close()

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        if self.guard is not None and not self.guard.monitor.finished:
            try:
                self.guard.close("failed", error=f"{type(exception).__name__}: {exception}"[:200])
            except Exception:
                pass


def _build() -> type:
    base: Any = object
    try:
        from lightning.pytorch import Callback as base  # type: ignore[import-not-found,no-redef]
    except ImportError:
        try:
            from pytorch_lightning import Callback as base  # type: ignore[import-not-found,no-redef]
        except ImportError:
            base = object
    cls = type("SidecarCallback", (_SidecarCallbackMixin, base), {"__module__": __name__})
    cls.__doc__ = (
        "A Lightning Callback that feeds step losses, logged and validation metrics to a sidecar "
        "Monitor and sets trainer.should_stop on a stop request (see the module docstring)."
    )
    return cls


__getattr__ = _lazy_callback(globals(), _build)
