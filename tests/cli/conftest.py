"""Black-box CLI test helpers: run the real sidecar-cli binary."""
import json
import os
import pathlib
import subprocess
import time

import pytest

CLI = os.environ.get("SIDECAR_CLI", "")
DATA = pathlib.Path(os.environ.get("SIDECAR_TEST_DATA", pathlib.Path(__file__).resolve().parents[1] / "data"))
# For tests that start CLI themselves (Popen, a pty) rather than through `cli`.
needs_cli = pytest.mark.skipif(not CLI, reason="SIDECAR_CLI is not set (run through ctest)")


@pytest.fixture
def cli():
    if not CLI:
        pytest.skip("SIDECAR_CLI is not set (run through ctest)")

    def run(*args, input=None, timeout=120, env=None, cwd=None):
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        return subprocess.run([CLI, *map(str, args)], input=input, capture_output=True, text=True,
                              timeout=timeout, env=full_env, cwd=cwd)

    return run


@pytest.fixture
def data():
    return DATA


def wait_for(pred, timeout=10.0, what="condition"):
    """Polls pred() every 50 ms until it returns something true (returned) or
    the timeout passes (AssertionError naming `what`)."""
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def json_records(text):
    """The JSON records among the lines of `text` (a command's stdout mixed
    with other output); lines that are not JSON are skipped."""
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out
