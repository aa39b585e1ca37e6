"""The build backend of `pip install .` (PEP 517), in the tree: it builds privflow._core with
CMake and packs the wheel itself, so it needs no package from the network (pyproject.toml
requires nothing) and works with or without pip's build isolation.

The CMake build goes to build-pip/ in the checkout (or $PRIVFLOW_PIP_BUILD_DIR), so a second
install rebuilds only what changed; ccache is used when it is installed.
"""
from __future__ import annotations

import base64
import io
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "privflow"
SUMMARY = "Privacy checks for multi-agent AI pipelines: DP accounting and .pflow analysis"


def _version() -> str:
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        found = re.search(r"project\(privflow VERSION ([0-9.]+)", f.read())
    if not found:
        raise RuntimeError("CMakeLists.txt names no privflow version")
    return found.group(1)


def _tag() -> str:
    python = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{python}-{python}{sys.abiflags}-{platform}"


def _metadata() -> str:
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {_version()}\nSummary: {SUMMARY}\n"
            "License: see the repository\nRequires-Python: >=3.9\n")


def _wheel_file() -> str:
    return f"Wheel-Version: 1.0\nGenerator: privflow python/build_backend.py\nRoot-Is-Purelib: false\nTag: {_tag()}\n"


def _build_package(config_settings) -> str:
    """Configures and builds privflow._core; returns <build>/python/privflow."""
    build = (config_settings or {}).get("build-dir") or os.environ.get("PRIVFLOW_PIP_BUILD_DIR") \
        or os.path.join(ROOT, "build-pip")
    configure = ["cmake", "-S", ROOT, "-B", build, "-DPRIVFLOW_PYTHON=ON", f"-DPython_EXECUTABLE={sys.executable}"]
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):  # a build folder keeps its own options
        configure += ["-DCMAKE_BUILD_TYPE=Release", "-DPRIVFLOW_TESTS=OFF", "-DPRIVFLOW_BENCH=OFF"]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    jobs = os.environ.get("PRIVFLOW_JOBS", str(os.cpu_count() or 2))
    for command in (configure, ["cmake", "--build", build, "--target", "privflow_python", "-j", jobs]):
        print("privflow:", " ".join(command), file=sys.stderr, flush=True)
        subprocess.run(command, check=True, stdout=sys.stderr)
    return os.path.join(build, "python", NAME)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = f"{NAME}-{_version()}.dist-info"
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(metadata_directory, dist_info, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    package = _build_package(config_settings)
    version = _version()
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{_tag()}.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:
        def add(path: str, data: bytes) -> None:
            wheel.writestr(path, data)
            records.append(_record_line(path, data))

        for name in sorted(os.listdir(package)):
            full = os.path.join(package, name)
            if os.path.isfile(full) and not name.endswith(".pyc"):
                with open(full, "rb") as f:
                    add(f"{NAME}/{name}", f.read())
        add(f"{dist_info}/METADATA", _metadata().encode())
        add(f"{dist_info}/WHEEL", _wheel_file().encode())
        records.append(f"{dist_info}/RECORD,,")
        wheel.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The files git tracks, as privflow-VERSION.tar.gz."""
    base = f"{NAME}-{_version()}"
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True, capture_output=True).stdout
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz") as sdist:
        for name in filter(None, files.decode().split("\0")):
            if os.path.isfile(os.path.join(ROOT, name)):
                sdist.add(os.path.join(ROOT, name), arcname=f"{base}/{name}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return base + ".tar.gz"
