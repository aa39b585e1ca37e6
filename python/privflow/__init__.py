"""privflow: privacy checks for multi-agent pipelines, from Python (docs/python.md).

- :mod:`privflow.account`: the mechanisms of ``privflow account`` (DP-SGD, Gaussian, Laplace, …),
  ε at δ or the noise for a target ε;
- :class:`privflow.Accountant` with :mod:`privflow.events`: compose events as a training loop
  runs, ``get_epsilon(delta)`` and ``get_delta(epsilon)`` at any time;
- :func:`privflow.check`, :func:`privflow.diagram` and :func:`privflow.frontier`: analyse a ``.pflow``
  spec, draw it, sweep one of its params.

Every figure is an upper bound (rounded up); values are doubles at full precision with their
short text beside them. Nothing is kept between calls; the GIL is released while privflow computes.
"""
from . import account, events
from ._core import __version__
from ._results import (AttackBound, Calibration, CheckResult, Delta, Derivation, Diagnostic, Epsilon, Finding,
                       LeakageCell, LocalEpsilon, Requirement, SpecError)
from .accountant import Accountant, UnsupportedEventError
from .analysis import check, diagram, frontier

__all__ = [
    "__version__", "account", "events", "Accountant", "UnsupportedEventError", "check", "diagram", "frontier", "SpecError",
    "AttackBound", "Calibration", "CheckResult", "Delta", "Derivation", "Diagnostic", "Epsilon", "Finding",
    "LeakageCell", "LocalEpsilon", "Requirement",
]
