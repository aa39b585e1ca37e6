"""The module imports from the build tree and says what it is."""
import os

import privflow
from privflow import _core


def test_imports_the_build_trees_module():
    wanted = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0]
    assert wanted, "ctest sets PYTHONPATH to <build>/python"
    assert os.path.dirname(os.path.dirname(os.path.abspath(privflow.__file__))) == os.path.abspath(wanted)
    assert os.path.dirname(_core.__file__) == os.path.dirname(privflow.__file__)


def test_version_is_the_programs(cli):
    code, out = cli("--version")
    assert code == 0
    assert out.split()[1] == privflow.__version__


def test_public_names_have_docstrings():
    for name in privflow.__all__:
        obj = getattr(privflow, name)
        if callable(obj) or hasattr(obj, "__doc__"):
            assert (obj.__doc__ or "").strip() or name == "__version__", name
    for name in privflow.account.__all__:
        if name != "Number":
            assert getattr(privflow.account, name).__doc__.strip(), name


def test_stubs_and_marker_are_installed_beside_the_module():
    here = os.path.dirname(privflow.__file__)
    assert os.path.isfile(os.path.join(here, "_core.pyi"))
    assert os.path.isfile(os.path.join(here, "py.typed"))


def test_the_docs_examples_print_what_they_say():
    # docs/python.md's `>>>` lines, run as doctests: a figure that changes must change there too.
    import doctest
    path = os.path.join(os.environ["PRIVFLOW_SOURCE_DIR"], "docs", "python.md")
    with open(path, encoding="utf-8") as f:  # a fence line ends an example's expected output
        text = "".join("\n" if line.startswith("```") else line for line in f)
    test = doctest.DocTestParser().get_doctest(text, {}, "docs/python.md", path, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.tries >= 4
    assert runner.failures == 0
