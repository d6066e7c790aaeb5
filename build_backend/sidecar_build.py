"""In-tree PEP 517 backend for sidecar.

Builds the Python module with the project's own top-level CMake (the same
build the tests use) and packs the `python` install component into a wheel.
Needs nothing from a package index: only the standard library, cmake, ninja
and the system libraries.

Environment: SIDECAR_WHEEL_BUILD_DIR keeps the CMake build folder (default a
temporary one; for an editable install build/editable); CMAKE_ARGS, as in
scikit-build and conda, adds arguments to the configure step after the
backend's own, so they win (the tests build at -O0: they check installing,
not speed).
"""
import base64
import hashlib
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = "sidecar"


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(sidecar VERSION ([0-9.]+)", text).group(1)


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{impl}-{plat}"


def _metadata():
    readme = (ROOT / "README.md").read_text() if (ROOT / "README.md").exists() else ""
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {project_version()}\n"
            "Summary: Catch what goes wrong in ML training runs, early and without crying wolf.\n"
            "Requires-Python: >=3.9\nDescription-Content-Type: text/markdown\n\n" + readme)


def _build_module(build_dir):
    """Configures and builds the extension in build_dir (Release, module only)."""
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                           "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}",
                           "-DSIDECAR_BUILD_PYTHON=ON", "-DSIDECAR_BUILD_TESTS=OFF", "-DSIDECAR_BUILD_CLI=OFF",
                           "-DSIDECAR_BUILD_EXAMPLES=OFF", "-DSIDECAR_BUILD_BENCH=OFF",
                           *shlex.split(os.environ.get("CMAKE_ARGS", ""))])
    subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_sidecar"])


def _build_and_install(staging):
    build_dir = pathlib.Path(os.environ.get("SIDECAR_WHEEL_BUILD_DIR") or tempfile.mkdtemp(prefix="sidecar-wheel-"))
    _build_module(build_dir)
    subprocess.check_call(["cmake", "--install", str(build_dir), "--component", "python", "--prefix", str(staging)])


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory, files):
    """Packs files ({archive path: bytes}) plus the dist-info into a wheel."""
    version = project_version()
    tag = _tag()
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{tag}.whl"
    files = dict(files)
    files[f"{dist_info}/METADATA"] = _metadata().encode()
    files[f"{dist_info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: sidecar_build\nRoot-Is-Purelib: false\n"
                                   f"Tag: {tag}\n").encode()
    records = [_record_line(rel, data) for rel, data in files.items()]
    records.append(f"{dist_info}/RECORD,,")
    with zipfile.ZipFile(pathlib.Path(wheel_directory) / wheel_name, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel, data in files.items():
            zf.writestr(rel, data)
        zf.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with tempfile.TemporaryDirectory(prefix="sidecar-stage-") as staging:
        _build_and_install(staging)
        files = {path.relative_to(staging).as_posix(): path.read_bytes()
                 for path in sorted(pathlib.Path(staging).rglob("*")) if path.is_file()}
        return _write_wheel(wheel_directory, files)


# PEP 660: `pip install -e .` imports the pure-Python package from the source
# tree (bindings/sidecar, so edits take effect at once) and the compiled
# extension from a kept build directory (rebuild it after C++ changes with
# `cmake --build <dir> --target _sidecar`). A .pth file installs a finder
# that maps `sidecar` to both folders.
_EDITABLE_FINDER = """\
# Installed by sidecar's editable wheel: `sidecar` is {source} (Python) with
# its compiled extension in {extension}.
import importlib.util
import sys


class _SidecarEditableFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "sidecar":
            return None
        return importlib.util.spec_from_file_location(
            name, {init!r}, submodule_search_locations=[{source!r}, {extension!r}])


sys.meta_path.insert(0, _SidecarEditableFinder)
"""


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    build_dir = pathlib.Path(os.environ.get("SIDECAR_WHEEL_BUILD_DIR") or ROOT / "build" / "editable").resolve()
    _build_module(build_dir)
    source = ROOT / "bindings" / "sidecar"
    finder = _EDITABLE_FINDER.format(source=str(source), extension=str(build_dir / "python" / "sidecar"),
                                     init=str(source / "__init__.py"))
    return _write_wheel(wheel_directory, {"_sidecar_editable.py": finder.encode(),
                                          "_sidecar_editable.pth": b"import _sidecar_editable\n"})


_NOT_SOURCE = {".git", "build", "__pycache__", ".ccache", ".pytest_cache"}


def _source_files():
    """The files an sdist carries: git's list in a checkout, else every file
    outside build output and caches (an unpacked sdist, a tarball)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        try:
            return subprocess.check_output(["git", "ls-files"], cwd=ROOT, text=True).split()
        except subprocess.CalledProcessError:
            pass
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                  if p.is_file() and not _NOT_SOURCE.intersection(p.relative_to(ROOT).parts)
                  and p.name != "PKG-INFO")


def build_sdist(sdist_directory, config_settings=None):
    import tarfile
    version = project_version()
    base = f"{NAME}-{version}"
    out = pathlib.Path(sdist_directory) / f"{base}.tar.gz"
    tracked = _source_files()
    with tarfile.open(out, "w:gz") as tf:
        for rel in tracked:
            tf.add(ROOT / rel, arcname=f"{base}/{rel}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        import io
        tf.addfile(info, io.BytesIO(data))
    return out.name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []
