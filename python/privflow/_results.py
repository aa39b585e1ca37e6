"""Typed results of privflow's Python API.

Every figure is an upper bound on what an adversary learns (docs/concepts.md): the sound double
at full precision (``epsilon``, ``value``), with the short text every other output prints beside
it (``epsilon_text``, ``value_text``: rounded up, never to nearest). ``str()`` of a result is the
text ``privflow account`` or ``privflow check`` prints.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple


@dataclass(frozen=True)
class AttackBound:
    """The highest true-positive rate of an attack on the same mechanism (dp/tradeoff.cpp).

    ``kind`` is ``"membership"`` (a membership test at false-positive rate ``at``) or
    ``"reconstruction"`` (reconstruction success at a prior baseline ``at``: ``curve`` says
    whether the replace-one or the add/remove trade-off gave it, Hayes et al. 2023).
    """

    kind: str
    at_name: str
    at: float
    at_text: str
    tpr: float
    tpr_text: str
    how: str
    curve: str = ""

    def __str__(self) -> str:
        return f"{self.kind} at {self.at_name} {self.at_text}: tpr <= {self.tpr_text}\nhow: {self.how}"


@dataclass(frozen=True)
class Epsilon:
    """An ε at δ for a mechanism or a composition (``privflow account``'s answer).

    ``epsilon`` is an upper bound (``math.inf`` when no finite bound exists); ``exact`` is the
    same bound as an exact fraction when it is a sum of rational per-use ε (basic composition).
    """

    epsilon: float
    epsilon_text: str
    delta: float
    delta_text: str
    accountant: str
    how: str
    exact: Optional[str] = None
    order: float = 0.0
    discretization: float = 0.0
    tail_mass: float = 0.0
    attacks: Tuple[AttackBound, ...] = ()
    #: Figures of the mechanism itself printed before ε (DP-FTRL: sensitivity, mu, rho).
    figures: Tuple[Tuple[str, str], ...] = ()

    @property
    def infinite(self) -> bool:
        return math.isinf(self.epsilon)

    @property
    def text(self) -> str:
        lines = [f"{name} = {value}" for name, value in self.figures]
        exactly = f" (exactly {self.exact})" if self.exact else ""
        lines.append(f"epsilon = {self.epsilon_text}{exactly} at delta = {self.delta_text}")
        lines.append(f"how: {self.how}")
        lines += [str(a) for a in self.attacks]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def __float__(self) -> float:
        return self.epsilon


@dataclass(frozen=True)
class LocalEpsilon:
    """ε of a local randomizer (``privflow account rappor`` and the others): local DP, δ = 0.

    ``epsilon`` is for ``times`` reports of the same value by one user, ``epsilon_one_report``
    for one; RAPPOR's ``epsilon_permanent`` bounds any number of reports; ``variance`` is that
    of one value's count estimate over ``reports`` reports (None when not asked).
    """

    epsilon: float
    epsilon_text: str
    epsilon_one_report: float
    epsilon_one_report_text: str
    times: int
    how: str
    epsilon_permanent: Optional[float] = None
    epsilon_permanent_text: Optional[str] = None
    variance: Optional[float] = None
    variance_text: Optional[str] = None
    standard_deviation_text: Optional[str] = None
    reports: int = 0

    @property
    def text(self) -> str:
        first = f"epsilon = {self.epsilon_text} (local, delta = 0)"
        if self.times > 1:
            first += f" for {self.times} reports of the same value; one report {self.epsilon_one_report_text}"
        lines = [first]
        if self.epsilon_permanent is not None:
            lines.append(f"epsilon permanent = {self.epsilon_permanent_text} (any number of reports)")
        if self.variance is not None:
            lines.append(f"variance = {self.variance_text} (count estimate of one value over {self.reports} reports, "
                         f"standard deviation {self.standard_deviation_text})")
        lines.append(f"how: {self.how}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def __float__(self) -> float:
        return self.epsilon


@dataclass(frozen=True)
class Calibration:
    """The noise that meets a target ε at δ (``privflow account dpsgd --epsilon …``).

    ``value`` is the calibrated parameter (``parameter`` names it: ``noise_multiplier`` or
    ``sigma``), the conservative end of the final bracket; ``achieved`` is the ε certified at it.
    """

    parameter: str
    value: float
    value_text: str
    achieved: Epsilon
    how: str

    @property
    def noise_multiplier(self) -> float:
        if self.parameter != "noise_multiplier":
            raise AttributeError(f"this calibration found {self.parameter}, not noise_multiplier")
        return self.value

    @property
    def sigma(self) -> float:
        if self.parameter != "sigma":
            raise AttributeError(f"this calibration found {self.parameter}, not sigma")
        return self.value

    @property
    def text(self) -> str:
        return (f"{self.parameter} = {self.value_text}  (epsilon {self.achieved.epsilon_text} at delta "
                f"{self.achieved.delta_text})\nhow: {self.how}")

    def __str__(self) -> str:
        return self.text

    def __float__(self) -> float:
        return self.value


@dataclass(frozen=True)
class Delta:
    """A δ at ε: an upper bound on the hockey-stick divergence of the composition."""

    delta: float
    delta_text: str
    epsilon: float
    epsilon_text: str
    accountant: str
    how: str

    def __str__(self) -> str:
        return f"delta = {self.delta_text} at epsilon = {self.epsilon_text}\nhow: {self.how}"

    def __float__(self) -> float:
        return self.delta


@dataclass(frozen=True)
class Diagnostic:
    """One message of the front end (``FILE:LINE:COL: error: …``); line and column are 1-based, 0 without location."""

    file: str
    line: int
    column: int
    severity: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


class SpecError(ValueError):
    """The spec did not load: every diagnostic of the front end, errors, warnings and notes.

    ``file``, ``line``, ``column`` and ``message`` are those of the first error;
    ``diagnostics`` holds all of them, and ``str()`` is the text ``privflow check`` prints.
    """

    def __init__(self, diagnostics: Tuple[Diagnostic, ...], text: str) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"] or list(self.diagnostics)
        first = errors[0] if errors else Diagnostic("<string>", 0, 0, "error", "the spec did not load")
        self.file, self.line, self.column, self.message = first.file, first.line, first.column, first.message
        self.errors = tuple(d for d in self.diagnostics if d.severity == "error")
        self.text = text or "\n".join(str(d) for d in self.diagnostics)
        super().__init__(self.text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Derivation:
    """One sentence of a verdict's derivation, with the spec line it rests on (0: none)."""

    text: str
    line: int
    children: Tuple["Derivation", ...] = ()

    @staticmethod
    def from_json(node: Mapping[str, Any]) -> "Derivation":
        return Derivation(node["text"], int(node["line"] or 0),
                          tuple(Derivation.from_json(c) for c in node.get("children", ())))

    def walk(self):
        """Every node, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Requirement:
    """One requirement's verdict; the fields are the JSON report's (docs/report.schema.json)."""

    name: str
    line: int
    column: int
    measure: str
    data: Optional[str]
    adversary: Optional[str]
    fpr: Optional[float]
    status: str
    #: The analysis's upper bound at full precision; None when unbounded (or none).
    value: Optional[float]
    value_text: str
    unit: str
    bound: Optional[float]
    bound_text: str
    delta: float
    delta_text: str
    exact: bool
    coalition: Tuple[str, ...]
    method: str
    reason: str
    fix: Optional[str]
    #: The verdict line as ``privflow check`` prints it.
    headline: str
    #: The derivation as ``privflow explain`` prints it.
    explanation: str
    #: The derivation as a tree of sentences (the JSON report's ``explanation``).
    derivation: Optional[Derivation] = None
    #: The private releases the coalition observes, as the JSON report lists them.
    releases: Tuple[Dict[str, Any], ...] = ()

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    @property
    def violated(self) -> bool:
        return self.status == "violated"

    def __str__(self) -> str:
        return self.headline


@dataclass(frozen=True)
class LeakageCell:
    """What an observer learns about one data set's record (a cell of the leakage matrix)."""

    data: str
    observer: str
    epsilon: Optional[float]
    delta: float
    status: str
    loss: str


@dataclass(frozen=True)
class Finding:
    """A finding of the analysis beyond the requirements (line 0: no location)."""

    severity: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class CheckResult:
    """The analysis of one spec: ``str()`` is ``privflow check``'s output, ``json`` the JSON report."""

    pipeline: str
    requirements: Tuple[Requirement, ...]
    leakage: Tuple[LeakageCell, ...]
    findings: Tuple[Finding, ...]
    assumptions: Tuple[str, ...]
    #: What ``privflow check`` exits with: 0 all hold, 1 violated, 2 an error finding, 3 undecided.
    exit_code: int
    text: str
    json: str = field(repr=False, default="")

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def requirement(self, name: str) -> Requirement:
        for r in self.requirements:
            if r.name == name:
                return r
        raise KeyError(f"no requirement named {name!r} (the spec has: "
                       f"{', '.join(r.name for r in self.requirements) or 'none'})")

    def __str__(self) -> str:
        return self.text

