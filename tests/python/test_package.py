"""The installed package: version from the one CMake source, exceptions."""
import pathlib
import re

import sidecar

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cmake_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(sidecar VERSION ([0-9.]+)", text).group(1)


def test_version_matches_cmake():
    assert sidecar.__version__ == cmake_version()


def test_pyproject_takes_version_from_cmake():
    import sys
    sys.path.insert(0, str(ROOT / "build_backend"))
    import sidecar_build
    assert sidecar_build.project_version() == cmake_version()


def test_exception_hierarchy():
    assert issubclass(sidecar.PlaybookError, ValueError)
    assert issubclass(sidecar.Error, Exception)
