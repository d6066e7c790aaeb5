"""Type stubs for the native module sidecar._sidecar (kept in sync by a test)."""
from enum import Enum
from typing import Any, Callable, Final, Iterable, Mapping, Optional, Sequence, Union

__version__: str

_Text = Union[str, bytes, bytearray, memoryview]
_Number = Union[float, int, str, Any]  # anything with __float__ (NumPy scalars, 0-d tensors)
_Metrics = Mapping[str, Union[_Number, Mapping[str, Any]]]

class Error(Exception): ...
class ParseError(Error, ValueError): ...
class PlaybookError(ParseError): ...
class NotFoundError(Error, FileNotFoundError): ...
class PermissionDeniedError(Error, PermissionError): ...
class OperationError(Error, RuntimeError): ...
class UnavailableError(OperationError): ...

class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

class Source(str, Enum):
    RULEBASED = "rulebased"
    LOGWATCH = "logwatch"
    PLAYBOOK = "playbook"
    BASELINE = "baseline"
    PREFLIGHT = "preflight"
    JUDGE = "judge"

class Profile(str, Enum):
    GENERIC = "generic"
    SUPERVISED = "supervised"
    REINFORCEMENT_LEARNING = "reinforcement_learning"

class Alert:
    id: Final[str]
    ts: Final[float]
    run_id: Final[str]
    source: Final[Source]
    syndrome: Final[str]
    severity: Final[Severity]
    message: Final[str]
    choices: Final[list[str]]
    evidence: Final[dict[str, str]]
    signature: Final[str]
    step: Final[Optional[int]]
    def to_json(self) -> str: ...

class Resolved:
    alert_id: Final[str]
    signature: Final[str]
    syndrome: Final[str]
    source: Final[Source]
    ts: Final[float]
    duration_s: Final[float]
    def to_json(self) -> str: ...

class LogMatch:
    syndrome: Final[str]
    severity: Final[Severity]
    message: Final[str]
    text: Final[str]
    evidence: Final[dict[str, str]]
    line: Final[int]
    offset: Final[int]
    source: Final[str]
    rank: Final[Optional[int]]

Match = LogMatch

def scan_log(text: _Text, playbook: Optional[str] = None, source: str = "") -> list[LogMatch]: ...

class LogStream:
    def __init__(self, source: str = "", playbook: Optional[str] = None) -> None: ...
    def feed(self, data: _Text) -> list[LogMatch]: ...
    def flush(self) -> list[LogMatch]: ...
    def reset(self) -> None: ...
    def set_default_rank(self, rank: Optional[int]) -> None: ...
    bytes_seen: Final[int]
    lines_seen: Final[int]
    source: Final[str]

class Playbook:
    path: Final[str]
    tree: Final[dict[str, Any]]
    notices: Final[list[str]]
    def to_yaml(self) -> str: ...

def load_playbook(path: str = "") -> Playbook: ...
def infer_profile(
    command: str = "",
    metric_keys: Sequence[str] = ...,
    log_text: str = "",
    playbook: Union[str, Playbook, None] = None,
) -> Profile: ...

class Sink:
    name: Final[str]

def make_file_sink(run_dir: str) -> Sink: ...

class ServerSinkOptions:
    url: str
    run_id: str
    auth_token: str
    queue_capacity: int
    timeout_s: float
    initial_backoff_s: float
    max_backoff_s: float
    max_attempts: int
    def __init__(self, **kwargs: Any) -> None: ...

def make_server_sink(options: ServerSinkOptions, auth_token_file: str = "") -> Sink: ...

class AlertmanagerSinkOptions:
    url: str
    run_id: str
    host: str
    generator_url: str
    resend_s: float
    resolve_on_finish: bool
    queue_capacity: int
    timeout_s: float
    initial_backoff_s: float
    max_backoff_s: float
    def __init__(self, **kwargs: Any) -> None: ...

def make_alertmanager_sink(options: AlertmanagerSinkOptions) -> Sink: ...

class Monitor:
    def __init__(
        self,
        command: Optional[str] = None,
        playbook: Union[str, Playbook, None] = None,
        run_dir: Optional[str] = None,
        history: Union[str, bool, None] = None,
        profile: Optional[str] = None,
        sinks: Optional[Iterable[Sink]] = None,
        run_id: Optional[str] = None,
    ) -> None: ...
    def observe(self, metrics: _Metrics, step: Optional[int] = None) -> list[Alert]: ...
    def feed_log(self, data: _Text, source: str = "log") -> list[Alert]: ...
    def tick(self, now: Optional[float] = None) -> list[Alert]: ...
    def add_decision(
        self,
        syndrome: str,
        message: str,
        severity: str,
        choices: Optional[list[str]] = None,
        evidence: Optional[dict[str, Any]] = None,
        signature: Optional[str] = None,
        step: Optional[int] = None,
    ) -> list[Alert]: ...
    def snapshot(self, now: Optional[float] = None) -> dict[str, Any]: ...
    def finish(
        self,
        status: str = "finished",
        exit_code: Optional[int] = None,
        error: Optional[str] = None,
        timeout_s: float = 5.0,
    ) -> list[Alert]: ...
    def report(self, path: str) -> str: ...
    def request_stop(self, reason: str) -> None: ...
    stop_requested: Final[bool]
    stop_reason: Final[Optional[str]]
    profile: Final[Profile]
    def pin_profile(self, profile: str) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def take_resolved(self) -> list[Resolved]: ...
    def syndrome_counts(self) -> dict[str, int]: ...
    log_status: Final[Optional[str]]
    command_fingerprint: Final[str]
    run_dir: Final[str]
    finished: Final[bool]
    def __enter__(self) -> "Monitor": ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool: ...

class DeviceRequest:
    devices: Final[list[str]]
    specified: Final[bool]
    source: Final[str]
    order_trusted: Final[bool]
    value: Final[str]
    note: Final[str]

def parse_requested_devices(command: str, env: Optional[Mapping[str, str]] = None) -> DeviceRequest: ...

parse_cuda_visible_devices = parse_requested_devices

class GpuOptions:
    nvidia_smi: str
    util_busy_pct: float
    mem_busy_pct: float
    processes_only: bool
    free_polls_required: int
    poll_s: float
    wait_s: float
    answer_timeout_s: float
    default_action: str
    smi_timeout_s: float
    def __init__(self, **kwargs: Any) -> None: ...

class GpuProcess:
    gpu_uuid: Final[str]
    pid: Final[int]
    used_mib: Final[Optional[float]]

class GpuInfo:
    index: Final[int]
    uuid: Final[str]
    util_pct: Final[Optional[float]]
    mem_used_mib: Final[Optional[float]]
    mem_total_mib: Final[Optional[float]]
    processes: Final[list[GpuProcess]]
    mig: Final[bool]
    mig_uuids: Final[list[str]]

class GpuVerdict:
    device: Final[str]
    exists: Final[bool]
    busy: Final[bool]
    index: Final[int]
    reason: Final[str]

class PreflightResult:
    requested: Final[list[str]]
    busy: Final[list[str]]
    available: Final[bool]
    waited_seconds: Final[float]
    timed_out: Final[bool]
    reason: Final[str]
    gpus: Final[list[GpuInfo]]
    skipped: Final[bool]
    verdicts: Final[list[GpuVerdict]]
    polls: Final[int]
    order_trusted: Final[bool]
    note: Final[str]
    def to_json(self) -> str: ...

def preflight(
    command: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    options: Optional[GpuOptions] = None,
    playbook: Optional[str] = None,
    progress: Optional[Callable[[PreflightResult], None]] = None,
) -> PreflightResult: ...

class PendingAlert:
    id: Final[str]
    run_id: Final[str]
    message: Final[str]
    severity: Final[str]
    source: Final[str]
    syndrome: Final[str]

class RunRecord:
    id: Final[str]
    name: Final[str]
    status: Final[str]
    command: Final[str]
    error: Final[str]
    monitor_note: Final[str]
    monitor_tags: Final[list[str]]
    pending_alerts: Final[list[PendingAlert]]

class ContextOptions:
    max_active: int
    max_failed: int
    max_alerts: int
    command_chars: int
    note_chars: int
    error_chars: int
    message_chars: int
    def __init__(self, **kwargs: Any) -> None: ...

_Runs = Union[str, bytes, Sequence[Mapping[str, Any]], Mapping[str, Any], Sequence[RunRecord]]

def parse_run_records(runs: _Runs) -> list[RunRecord]: ...
def render_experiment_context(runs: _Runs, options: Optional[ContextOptions] = None) -> str: ...
