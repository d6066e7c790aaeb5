"""sidecar: catch what goes wrong in ML training runs, early and without crying wolf.

The native core lives in ``sidecar._sidecar``; this package only re-exports it
(plus pure-Python framework integrations under ``sidecar.integrations``).

    import sidecar
    with sidecar.Monitor(command="python train.py") as mon:
        for step in range(steps):
            loss = train_step()
            for alert in mon.observe({"loss": loss}, step=step):
                print(alert)
            if mon.stop_requested:
                break
"""
from sidecar._sidecar import (
    Alert,
    AlertmanagerSinkOptions,
    ContextOptions,
    DeviceRequest,
    Error,
    GpuInfo,
    GpuOptions,
    GpuProcess,
    GpuVerdict,
    LogMatch,
    LogStream,
    Match,
    Monitor,
    PendingAlert,
    Playbook,
    PlaybookError,
    PreflightResult,
    Resolved,
    RunRecord,
    ServerSinkOptions,
    Sink,
    __version__,
    infer_profile,
    load_playbook,
    make_alertmanager_sink,
    make_file_sink,
    make_server_sink,
    parse_cuda_visible_devices,
    parse_requested_devices,
    parse_run_records,
    preflight,
    render_experiment_context,
    scan_log,
)

__all__ = [
    "Alert",
    "AlertmanagerSinkOptions",
    "ContextOptions",
    "DeviceRequest",
    "Error",
    "GpuInfo",
    "GpuOptions",
    "GpuProcess",
    "GpuVerdict",
    "LogMatch",
    "LogStream",
    "Match",
    "Monitor",
    "PendingAlert",
    "Playbook",
    "PlaybookError",
    "PreflightResult",
    "Resolved",
    "RunRecord",
    "ServerSinkOptions",
    "Sink",
    "__version__",
    "infer_profile",
    "load_playbook",
    "make_alertmanager_sink",
    "make_file_sink",
    "make_server_sink",
    "parse_cuda_visible_devices",
    "parse_requested_devices",
    "parse_run_records",
    "preflight",
    "render_experiment_context",
    "scan_log",
]
