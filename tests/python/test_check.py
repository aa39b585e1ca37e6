"""privflow.check, privflow.diagram and privflow.frontier against `privflow check`, `report --format
json`, `diagram` and `frontier` on the command line; diagnostics raised as privflow.SpecError."""
import json
import math
import os
import pathlib

import pytest

import privflow
from conftest import SOURCE_DIR, example


def test_check_is_the_command_lines(cli):
    path = example("rr_survey.pflow")
    result = privflow.check(path)
    code, text = cli("check", path)
    assert result.exit_code == code == 1
    assert result.text == text
    code, report = cli("report", path, "--format", "json")
    assert json.loads(result.json) == json.loads(report)


def test_requirements_are_typed():
    result = privflow.check(pathlib.Path(example("rr_survey.pflow")))
    assert result.pipeline and not result.ok
    budget = result.requirement("pollster_budget")
    assert budget.violated and budget.status == "violated" and budget.measure == "dp"
    # an inline coalition `against {pollster}`: no adversary name
    assert budget.data == "answers" and budget.adversary is None and budget.coalition == ("pollster",)
    # the value at full precision, the short text beside it, and an upper bound of the text's decimal
    assert budget.value_text == "1.792" and budget.value <= 1.792 and budget.value > 1.79
    # keep 0.6 of 3 values is ln(0.6·2/0.4) = ln 3, keep 0.5 of 3 is ln 2: basic composition, ln 6
    assert budget.value == pytest.approx(math.log(6), rel=1e-9)
    assert budget.bound == 1.5 and budget.bound_text == "1.5" and budget.delta == 1e-6
    assert budget.method and budget.reason and budget.fix
    assert budget.headline.startswith(f"{example('rr_survey.pflow')}:{budget.line}:{budget.column}: violated:")
    assert "composition" in budget.explanation
    # the derivation tree of the JSON report: sentences with the spec lines they rest on
    assert budget.derivation is not None and budget.derivation.children
    lines = {node.line for node in budget.derivation.walk()}
    assert 42 in lines and 43 in lines
    assert [r["artifact"] for r in budget.releases] == ["reply", "income_reply"]
    assert all(r.holds or r.violated for r in result.requirements)
    assert result.leakage and all(isinstance(c, privflow.LeakageCell) for c in result.leakage)
    with pytest.raises(KeyError, match="pollster_budget"):
        result.requirement("nope")


def test_hospital_fl_as_the_readme_shows_it(cli):
    path = example("hospital_fl.pflow")
    result = privflow.check(path)
    code, text = cli("check", path)
    assert result.text == text and result.exit_code == code == 1
    outsider = result.requirement("outsider_budget")
    assert outsider.violated and outsider.value == pytest.approx(5.19262012457996, rel=0.01)  # dp_accounting PLD


SPEC_WITH_TWO_ERRORS = """pipeline broken
data people { rows: 100 }
agent inside { trust: curious, holds: people }
adversary insider = {inside}
require dp(people) against insidr <= epsilon 1
require dp(peeple) against insider <= epsilon 1
"""


def test_spec_errors_carry_every_diagnostic():
    with pytest.raises(privflow.SpecError) as caught:
        privflow.check(SPEC_WITH_TWO_ERRORS, name="broken.pflow")
    e = caught.value
    assert isinstance(e, ValueError)
    assert (e.file, e.line, e.column) == ("broken.pflow", 5, 28)
    assert "insidr" in e.message and "did you mean 'insider'" in e.message
    assert len(e.errors) == 2 and e.errors[1].line == 6
    assert all(isinstance(d, privflow.Diagnostic) for d in e.diagnostics)
    assert str(e).startswith("broken.pflow:5:28: error: adversary 'insidr' is not declared")
    assert "2 errors generated." in str(e)


def test_an_unreadable_file_is_a_spec_error():
    with pytest.raises(privflow.SpecError) as caught:
        privflow.check("no/such/file.pflow")
    assert caught.value.file == "no/such/file.pflow" and caught.value.line == 0


def test_text_and_path_are_told_apart():
    text = pathlib.Path(example("rr_survey.pflow")).read_text()
    from_text = privflow.check(text, name="survey.pflow")
    from_path = privflow.check(example("rr_survey.pflow"))
    assert [r.value for r in from_text.requirements] == [r.value for r in from_path.requirements]
    assert from_text.requirements[0].headline.startswith("survey.pflow:")


def test_options_reach_the_analysis():
    rdp = privflow.check(example("rr_survey.pflow"), accountant="rdp", suggest_fixes=False)
    assert rdp.requirement("pollster_budget").fix is None
    with pytest.raises(ValueError, match="accountant"):
        privflow.check(example("rr_survey.pflow"), accountant="fast")
    with pytest.raises(ValueError, match="time_budget"):
        privflow.check(example("rr_survey.pflow"), time_budget=0)


def test_frontier_is_the_command_lines_sweep(cli):
    path = os.path.join(SOURCE_DIR, "tests", "cli", "data", "frontier_laplace.pflow")
    code, svg = cli("frontier", path, "--param", "e", "--points", "7")
    assert code == 0 and privflow.frontier(path, "e", points=7) == svg
    code, text = cli("frontier", path, "--param", "e", "--points", "5", "--scale", "log", "--json")
    sweep = privflow.frontier(path, "e", points=5, scale="log", format="json")
    assert sweep == json.loads(text) and sweep["spacing"] == "geometric"
    # The Laplace count's ε is e itself at every point (pure DP: never above e).
    for p in sweep["points"]:
        assert 0 < p["measures"][0]["value"] <= float(p["value_exact"]) * (1 + 1e-12)
    only = privflow.frontier(path, "e", points=3, requirements=["press_budget"], format="json")
    assert [r["name"] for r in only["requirements"]] == ["press_budget"]
    with pytest.raises(ValueError, match="no param named 'ee'; did you mean 'e'"):
        privflow.frontier(path, "ee")
    with pytest.raises(ValueError, match="points"):
        privflow.frontier(path, "e", points=1)
    with pytest.raises(ValueError, match="scale"):
        privflow.frontier(path, "e", scale="cubic")
    with pytest.raises(privflow.SpecError):
        privflow.frontier(SPEC_WITH_TWO_ERRORS, "e")


def test_diagram_is_the_command_lines_svg(cli):
    path = example("rr_survey.pflow")
    svg = privflow.diagram(path)
    assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
    code, dot = cli("diagram", path, "--format", "dot")
    assert code == 1 and privflow.diagram(path, format="dot") == dot
    assert privflow.diagram(path, adversary="press", format="dot") != dot
    with pytest.raises(ValueError, match="adversary 'polster' is not declared"):
        privflow.diagram(path, adversary="polster")
    with pytest.raises(ValueError, match="format"):
        privflow.diagram(path, format="png")
    with pytest.raises(privflow.SpecError):
        privflow.diagram(SPEC_WITH_TWO_ERRORS)
