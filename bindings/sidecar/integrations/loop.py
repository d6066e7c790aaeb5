"""A plain training loop's helper: feed metrics, hear about alerts, know when to stop.

    from sidecar.integrations.loop import Guard

    with Guard(command="python train.py", on_alert="stop") as guard:
        for step, batch in enumerate(loader):
            loss = train_step(batch)
            guard.observe({"loss": loss, "lr": sched.get_last_lr()[0]}, step=step)
            if guard.should_stop:
                break

Stop requests (the one definition every integration shares):

* the operator answered an alert with a stop choice ("Stop Job"), through
  ``<run_dir>/alerts/<id>.response`` (written by a person, or by the
  research-agent server for the alert it was sent) -> ``Monitor.stop_requested``;
* ``on_alert="stop"``: an alert at or above ``stop_severity`` ("critical" unless
  told otherwise) surfaced -> the Guard calls ``Monitor.request_stop()``.

``on_alert="continue"`` (the default) only reports alerts: training stops only
when a person says so. Nothing here stops a process: the loop asks
``should_stop`` and breaks, so checkpoints and cleanup run normally.
"""
from __future__ import annotations

import collections
import logging
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional

import sidecar

__all__ = ["Guard", "ON_ALERT_POLICIES"]

log = logging.getLogger("sidecar")

#: What a surfaced alert does: "continue" reports it; "stop" also requests a stop
#: when its severity is at or above the guard's stop_severity.
ON_ALERT_POLICIES = ("continue", "stop")
_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
_MAX_KEPT_ALERTS = 1000


class Guard:
    """Feeds a training loop's metrics and logs to a Monitor and answers "should training stop?".

    ``monitor``: an existing ``sidecar.Monitor`` (kept open: its owner finishes
    it), or None to create one from ``monitor_options`` (finished by
    ``close()`` / the ``with`` block). ``on_alert``: "continue" or "stop" (see
    the module docstring). ``stop_severity``: the least severity that stops
    under ``on_alert="stop"``. ``callback``: called with each surfaced Alert.
    ``log_alerts``: log each alert on the "sidecar" logger (WARNING).
    """

    def __init__(
        self,
        monitor: Optional[sidecar.Monitor] = None,
        *,
        on_alert: str = "continue",
        stop_severity: str = "critical",
        callback: Optional[Callable[[sidecar.Alert], Any]] = None,
        log_alerts: bool = True,
        **monitor_options: Any,
    ) -> None:
        if on_alert not in ON_ALERT_POLICIES:
            raise ValueError(f"on_alert must be one of {ON_ALERT_POLICIES}, got {on_alert!r}")
        if stop_severity not in _SEVERITY_RANK:
            raise ValueError(f"stop_severity must be one of {tuple(_SEVERITY_RANK)}, got {stop_severity!r}")
        if monitor is not None and monitor_options:
            raise TypeError("pass either a Monitor or options to create one, not both")
        self.monitor = monitor if monitor is not None else sidecar.Monitor(**monitor_options)
        self._owns_monitor = monitor is None
        self.on_alert = on_alert
        self.stop_severity = stop_severity
        self.callback = callback
        self.log_alerts = log_alerts
        #: The most recent alerts (bounded).
        self.alerts: Deque[sidecar.Alert] = collections.deque(maxlen=_MAX_KEPT_ALERTS)

    # -- feeding --------------------------------------------------------------
    def observe(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> List[sidecar.Alert]:
        """Records one row of metrics; returns (and handles) the alerts it surfaced."""
        alerts = self.monitor.observe(metrics, step)
        if alerts:
            self._handle(alerts)
        return alerts

    def feed_log(self, text: Any, source: str = "log") -> List[sidecar.Alert]:
        """Scans log text; returns (and handles) the alerts it surfaced."""
        alerts = self.monitor.feed_log(text, source)
        if alerts:
            self._handle(alerts)
        return alerts

    def tick(self) -> List[sidecar.Alert]:
        """Advances time without new data (heartbeats, stalls, operator answers)."""
        alerts = self.monitor.tick()
        if alerts:
            self._handle(alerts)
        return alerts

    # -- stopping -------------------------------------------------------------
    @property
    def should_stop(self) -> bool:
        """True once a stop was requested (operator answer, or the on_alert policy)."""
        return self.monitor.stop_requested

    @property
    def stop_reason(self) -> Optional[str]:
        return self.monitor.stop_reason

    def _handle(self, alerts: List[sidecar.Alert]) -> None:
        for alert in alerts:
            self.alerts.append(alert)
            if self.log_alerts:
                log.warning("sidecar: %r", alert)
            if self.callback is not None:
                self.callback(alert)
            if self.on_alert == "stop" and _SEVERITY_RANK.get(alert.severity, 0) >= _SEVERITY_RANK[self.stop_severity]:
                self.monitor.request_stop(f"on_alert=stop: {alert.severity} alert {alert.id} ({alert.source}/{alert.syndrome})")

    # -- ending ---------------------------------------------------------------
    def close(self, status: Optional[str] = None, error: Optional[str] = None) -> None:
        """Finishes an owned Monitor ("stopped" when a stop was requested, else "finished")."""
        if not self._owns_monitor or self.monitor.finished:
            return
        if status is None:
            status = "stopped" if self.should_stop else "finished"
        alerts = self.monitor.finish(status, error=error)
        if alerts:
            self._handle(alerts)

    def __enter__(self) -> "Guard":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            self.close()
        else:
            try:
                self.close("failed", error=f"{exc_type.__name__}: {exc}"[:200])
            except Exception:  # never mask the block's own exception
                log.exception("sidecar: finishing the monitor failed")
        return False


class _FrameworkCallback:
    """What the framework callbacks (hf, lightning) share: the options they
    hand to a Guard, and the Guard made lazily on the first event (rank zero
    only), with the run directory the framework knows and the command line."""

    def __init__(
        self,
        monitor: Any = None,
        *,
        on_alert: str = "continue",
        stop_severity: str = "critical",
        tick_every: int = 10,
        callback: Any = None,
        log_alerts: bool = True,
        **monitor_options: Any,
    ) -> None:
        self._guard_args = dict(
            on_alert=on_alert, stop_severity=stop_severity, callback=callback, log_alerts=log_alerts, **monitor_options
        )
        self._monitor = monitor
        self.guard: Optional[Guard] = None
        self.tick_every = max(1, int(tick_every))

    def _guard_for(self, run_dir_hint: Any) -> Guard:
        if self.guard is None:
            opts = dict(self._guard_args)
            if self._monitor is not None:
                self.guard = Guard(self._monitor, **opts)
            else:
                if "run_dir" not in opts and isinstance(run_dir_hint, str) and run_dir_hint:
                    opts["run_dir"] = run_dir_hint
                if "command" not in opts:
                    import sys

                    opts["command"] = " ".join(sys.argv)
                self.guard = Guard(**opts)
        return self.guard


def _lazy_callback(module_globals: Dict[str, Any], build: Callable[[], type]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of hf.py and lightning.py: ``SidecarCallback``
    is built (importing its framework) on first use, then kept in the module."""

    def __getattr__(name: str) -> Any:
        if name == "SidecarCallback":
            cls = build()
            module_globals["SidecarCallback"] = cls
            return cls
        raise AttributeError(f"module {module_globals['__name__']!r} has no attribute {name!r}")

    return __getattr__
