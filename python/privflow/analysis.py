"""Analysis of a ``.pflow`` spec: ``check`` (typed verdicts), ``diagram`` (SVG or DOT text) and
``frontier`` (a param swept: SVG chart or the sweep as a dict)."""
from __future__ import annotations

import json as _json
import os
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from . import _core
from ._results import (CheckResult, Derivation, Diagnostic, Finding, LeakageCell, Requirement, SpecError)

__all__ = ["check", "diagram", "frontier"]

Source = Union[str, "os.PathLike[str]"]


def _source(path_or_text: Source, name: Optional[str]) -> Tuple[str, bool, str]:
    """(source, is_path, name): a PathLike, or a str without a newline that names a file or
    ends in .pflow, is a path; any other str is the spec's text."""
    if isinstance(path_or_text, os.PathLike):
        path = os.fspath(path_or_text)
        return path, True, path
    if not isinstance(path_or_text, str):
        raise TypeError(f"check and diagram take a path or the spec's text, not {type(path_or_text).__name__}")
    if "\n" not in path_or_text and (path_or_text.endswith(".pflow") or os.path.isfile(path_or_text)):
        return path_or_text, True, path_or_text
    return path_or_text, False, name or "<string>"


def _spec_error(d: Dict[str, Any]) -> SpecError:
    diagnostics = tuple(Diagnostic(x["file"], x["line"], x["column"], x["severity"], x["message"])
                        for x in d["diagnostics"])
    return SpecError(diagnostics, d["diagnostics_text"])


def _requirement(v: Dict[str, Any], report: Optional[Dict[str, Any]]) -> Requirement:
    derivation = None
    releases: Tuple[Dict[str, Any], ...] = ()
    if report is not None:
        if report.get("explanation"):
            derivation = Derivation.from_json(report["explanation"])
        releases = tuple(report.get("releases", ()))
    fields = dict(v)
    fields["coalition"] = tuple(v["coalition"])
    return Requirement(**fields, derivation=derivation, releases=releases)


def _result(r: Dict[str, Any]) -> CheckResult:
    if r["internal_error"]:
        raise RuntimeError(f"privflow: internal error: {r['internal_error']}")
    report = _json.loads(r["json"]) if r["json"] else {}
    in_report = {(x["name"], x["line"]): x for x in report.get("requirements", ())}
    return CheckResult(
        pipeline=r["pipeline"],
        requirements=tuple(_requirement(v, in_report.get((v["name"], v["line"]))) for v in r["verdicts"]),
        leakage=tuple(LeakageCell(**c) for c in r["leakage"]),
        findings=tuple(Finding(**f) for f in r["findings"]),
        assumptions=tuple(r["assumptions"]),
        exit_code=r["exit_code"],
        text=r["text"],
        json=r["json"],
    )


def check(path_or_text: Source, *, name: Optional[str] = None, accountant: str = "spec",
          solver_timeout: float = 10.0, time_budget: Optional[float] = None,
          suggest_fixes: bool = True) -> CheckResult:
    """Analyses a spec, as ``privflow check`` does, and returns its verdicts.

    ``path_or_text`` is a path (a ``PathLike``, or a str without a newline that names a file or
    ends in ``.pflow``) or the spec's text (``name`` is then its file name in messages).
    ``accountant``: ``"spec"`` (its ``settings``), ``"rdp"``, ``"pld"`` or ``"auto"``.
    ``solver_timeout``: seconds per solver query; ``time_budget``: seconds for the whole analysis
    (what it does not reach is ``undecided``). Raises :class:`SpecError` with every diagnostic
    when the spec does not load. The GIL is released while the analysis runs.
    """
    source, is_path, shown = _source(path_or_text, name)
    d = _core.check(source, is_path, shown, accountant, _ms(solver_timeout, "solver_timeout"),
                    _ms(time_budget, "time_budget") if time_budget is not None else 0, bool(suggest_fixes))
    if d["result"] is None:
        raise _spec_error(d)
    return _result(d["result"])


def diagram(path_or_text: Source, *, format: str = "svg", adversary: Optional[str] = None,
            requirement: Optional[str] = None, name: Optional[str] = None, accountant: str = "spec",
            solver_timeout: float = 10.0, time_budget: Optional[float] = None) -> str:
    """The leakage diagram of a spec as ``privflow diagram --format svg`` draws it (SVG text, or
    DOT with ``format="dot"``). ``adversary`` highlights its coalition; ``requirement`` draws only
    that verdict's derivation. Raises :class:`SpecError` for an invalid spec and ValueError for
    an undeclared adversary or requirement."""
    source, is_path, shown = _source(path_or_text, name)
    d = _core.diagram(source, is_path, shown, format, adversary or "", requirement or "", accountant,
                      _ms(solver_timeout, "solver_timeout"),
                      _ms(time_budget, "time_budget") if time_budget is not None else 0)
    if d["output"] is None:
        if d["error"]:
            raise ValueError(d["error"])
        raise _spec_error(d)
    return d["output"]


def frontier(path_or_text: Source, param: str, *, requirements: Optional[Sequence[str]] = None,
             points: int = 25, scale: str = "auto", format: str = "svg", name: Optional[str] = None,
             accountant: str = "spec", solver_timeout: float = 10.0,
             time_budget: Optional[float] = None) -> Union[str, Dict[str, Any]]:
    """Sweeps ``param`` over its declared range as ``privflow frontier SPEC --param P`` does: each
    point a full analysis, each requirement's measure against the error it costs. Returns the
    chart as SVG text, or with ``format="json"`` the sweep as a dict (the command's ``--json``:
    ``param``, ``spacing``, ``x_axis``, ``points`` with each requirement's ``measures``).
    ``requirements`` charts only those (names); ``points``: 2 to 201; ``scale``: ``"auto"``
    (geometric spacing and a log axis when the range spans two decades), ``"linear"`` or
    ``"log"``. Raises :class:`SpecError` for an invalid spec and ValueError for an unknown param
    or requirement, a param without a range, or a ``time_budget`` spent before the sweep ends."""
    if format not in ("svg", "json"):
        raise ValueError(f"format must be 'svg' or 'json', not {format!r}")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 201:
        raise ValueError("points must be an int from 2 to 201")
    source, is_path, shown = _source(path_or_text, name)
    d = _core.frontier(source, is_path, shown, str(param), [str(r) for r in (requirements or [])], points, scale,
                       format, accountant, _ms(solver_timeout, "solver_timeout"),
                       _ms(time_budget, "time_budget") if time_budget is not None else 0)
    if d["output"] is None:
        if d["error"]:
            raise ValueError(d["error"])
        raise _spec_error(d)
    return _json.loads(d["output"]) if format == "json" else d["output"]


def _ms(seconds: float, name: str) -> int:
    if isinstance(seconds, bool) or not seconds > 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return min(int(round(float(seconds) * 1000)) or 1, 2**32 - 1)
