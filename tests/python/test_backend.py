"""The `pip install .` backend (python/build_backend.py): its metadata and wheel tag, without a
build (the full `pip install .` in a venv is a manual check, docs/python.md)."""
import importlib.util
import os
import sys
import sysconfig

import privflow
from conftest import SOURCE_DIR


def backend():
    spec = importlib.util.spec_from_file_location("build_backend", os.path.join(SOURCE_DIR, "python", "build_backend.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_metadata_names_the_programs_version(tmp_path):
    b = backend()
    assert b.get_requires_for_build_wheel() == []  # nothing from the network
    dist_info = b.prepare_metadata_for_build_wheel(str(tmp_path))
    assert dist_info == f"privflow-{privflow.__version__}.dist-info"
    metadata = (tmp_path / dist_info / "METADATA").read_text()
    assert "Name: privflow\n" in metadata and f"Version: {privflow.__version__}\n" in metadata


def test_the_wheel_tag_is_this_interpreters():
    tag = backend()._tag()
    python = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert tag.startswith(f"{python}-{python}") and tag.endswith(sysconfig.get_platform().replace("-", "_"))
    # the module built beside the tests has this interpreter's suffix
    assert privflow._core.__file__.endswith(sysconfig.get_config_var("EXT_SUFFIX"))


def test_pyproject_uses_the_backend_in_the_tree():
    text = open(os.path.join(SOURCE_DIR, "pyproject.toml")).read()
    assert 'build-backend = "build_backend"' in text and 'backend-path = ["python"]' in text
    assert "requires = []" in text
