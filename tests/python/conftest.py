"""Shared set-up of the Python package's tests: the package under test is the build tree's
(ctest sets PYTHONPATH to <build>/python); a missing or stale module fails every test."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("PRIVFLOW_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))


@pytest.fixture(scope="session")
def privflow_exe():
    exe = os.environ.get("PRIVFLOW_EXE")
    if not exe or not os.access(exe, os.X_OK):
        pytest.fail("PRIVFLOW_EXE must name the privflow program built beside the module (ctest sets it)")
    return exe


@pytest.fixture(scope="session")
def cli(privflow_exe):
    """Runs `privflow ARGS` and returns (exit code, stdout)."""
    def run(*args):
        done = subprocess.run([privflow_exe, *args], capture_output=True, text=True, cwd=SOURCE_DIR, timeout=600)
        return done.returncode, done.stdout
    return run


@pytest.fixture(scope="session")
def reference():
    with open(os.path.join(HERE, "data", "dp_accounting_reference.json")) as f:
        return json.load(f)


def example(name):
    path = os.path.join(SOURCE_DIR, "examples", name)
    assert os.path.isfile(path), path
    return path
