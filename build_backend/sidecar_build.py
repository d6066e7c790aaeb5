"""In-tree PEP 517 backend for sidecar.

Builds the Python module with the project's own top-level CMake (the same
build the tests use) and packs the `python` install component into a wheel.
Needs nothing from a package index: only the standard library, cmake, ninja
and the system libraries.
"""
import base64
import hashlib
import os
import pathlib
import re
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


def _build_and_install(staging):
    build_dir = pathlib.Path(os.environ.get("SIDECAR_WHEEL_BUILD_DIR") or tempfile.mkdtemp(prefix="sidecar-wheel-"))
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                           "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}",
                           "-DSIDECAR_BUILD_PYTHON=ON", "-DSIDECAR_BUILD_TESTS=OFF", "-DSIDECAR_BUILD_CLI=OFF",
                           "-DSIDECAR_BUILD_EXAMPLES=OFF", "-DSIDECAR_BUILD_BENCH=OFF"])
    subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_sidecar"])
    subprocess.check_call(["cmake", "--install", str(build_dir), "--component", "python", "--prefix", str(staging)])


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = project_version()
    tag = _tag()
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{tag}.whl"
    with tempfile.TemporaryDirectory(prefix="sidecar-stage-") as staging:
        _build_and_install(staging)
        records = []
        out = pathlib.Path(wheel_directory) / wheel_name
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(pathlib.Path(staging).rglob("*")):
                if path.is_file():
                    rel = path.relative_to(staging).as_posix()
                    data = path.read_bytes()
                    zf.writestr(rel, data)
                    records.append(_record_line(rel, data))
            extra = {
                f"{dist_info}/METADATA": _metadata().encode(),
                f"{dist_info}/WHEEL": (f"Wheel-Version: 1.0\nGenerator: sidecar_build\nRoot-Is-Purelib: false\n"
                                       f"Tag: {tag}\n").encode(),
            }
            for rel, data in extra.items():
                zf.writestr(rel, data)
                records.append(_record_line(rel, data))
            records.append(f"{dist_info}/RECORD,,")
            zf.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    import tarfile
    version = project_version()
    base = f"{NAME}-{version}"
    out = pathlib.Path(sdist_directory) / f"{base}.tar.gz"
    tracked = subprocess.check_output(["git", "ls-files"], cwd=ROOT, text=True).split()
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
