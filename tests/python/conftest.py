"""Fixtures for the Python module's tests (run with PYTHONPATH=<build>/python)."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def data():
    """tests/data (SIDECAR_TEST_DATA when ctest runs us)."""
    return pathlib.Path(os.environ.get("SIDECAR_TEST_DATA", ROOT / "tests" / "data"))


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def monitor_factory(tmp_path):
    """Monitors that never touch the working directory's history file."""
    import sidecar

    made = []

    def make(**kw):
        kw.setdefault("history", False)
        m = sidecar.Monitor(**kw)
        made.append(m)
        return m

    yield make
    for m in made:
        if not m.finished:
            m.finish(timeout_s=0.0)
