"""Events an :class:`~privflow.Accountant` composes (named as dp_accounting's ``dp_event``).

Each event is a frozen value; numbers follow :mod:`privflow.account` (int, float, str as a spec
writes numbers, or Fraction), rounded the safe way when the event becomes a mechanism.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from . import _core

Number = Any

__all__ = [
    "Event", "Gaussian", "Laplace", "Geometric", "Exponential", "RandomizedResponse", "EpsilonDelta", "Zcdp",
    "DiscreteGaussian", "PoissonSampled", "SampledWithoutReplacement", "SelfComposed", "Composed",
]


class Event:
    """Base class of privflow's events."""

    def mechanism(self) -> Any:
        """The dp::Mechanism of an event of one mechanism (the C++ core's object)."""
        raise TypeError(f"{type(self).__name__} is not one mechanism")


@dataclass(frozen=True)
class Gaussian(Event):
    """The Gaussian mechanism with noise std / sensitivity ``noise_multiplier``."""

    noise_multiplier: Number

    def mechanism(self) -> Any:
        return _core.gaussian(self.noise_multiplier)


@dataclass(frozen=True)
class Laplace(Event):
    """The Laplace mechanism: pure ``epsilon``, or noise ``scale`` over ``sensitivity``."""

    epsilon: Optional[Number] = None
    scale: Optional[Number] = None
    sensitivity: Number = 1

    def mechanism(self) -> Any:
        if (self.epsilon is None) == (self.scale is None):
            raise ValueError("Laplace: give exactly one of epsilon and scale")
        if self.epsilon is not None:
            return _core.laplace(self.epsilon)
        return _core.laplace_scale(self.scale, self.sensitivity)


@dataclass(frozen=True)
class Geometric(Event):
    """Two-sided geometric noise (the discrete Laplace): pure ``epsilon``."""

    epsilon: Number

    def mechanism(self) -> Any:
        return _core.geometric(self.epsilon)


@dataclass(frozen=True)
class Exponential(Event):
    """The exponential mechanism: pure ``epsilon`` (and ε-bounded range)."""

    epsilon: Number

    def mechanism(self) -> Any:
        return _core.exponential(self.epsilon)


@dataclass(frozen=True)
class RandomizedResponse(Event):
    """k-ary randomized response over ``values`` values (replace one value): ``keep`` or ``epsilon``."""

    values: Number
    keep: Optional[Number] = None
    epsilon: Optional[Number] = None

    def mechanism(self) -> Any:
        if (self.keep is None) == (self.epsilon is None):
            raise ValueError("RandomizedResponse: give exactly one of keep and epsilon")
        if self.epsilon is not None:
            return _core.randomized_response(self.epsilon, self.values)
        return _core.randomized_response_keep(self.keep, self.values)


@dataclass(frozen=True)
class EpsilonDelta(Event):
    """A declared (``epsilon``, ``delta``) guarantee."""

    epsilon: Number
    delta: Number = 0

    def mechanism(self) -> Any:
        return _core.declared(self.epsilon, self.delta)


@dataclass(frozen=True)
class Zcdp(Event):
    """A declared ``rho``-zCDP guarantee."""

    rho: Number

    def mechanism(self) -> Any:
        return _core.zcdp(self.rho)


@dataclass(frozen=True)
class DiscreteGaussian(Event):
    """The discrete Gaussian N_Z(0, sigma²) with a whole-number ``sensitivity``."""

    sigma: Number
    sensitivity: Number = 1

    def mechanism(self) -> Any:
        return _core.discrete_gaussian(self.sigma, self.sensitivity)


@dataclass(frozen=True)
class PoissonSampled(Event):
    """``event`` (a :class:`Gaussian`) on a Poisson sample: each record with ``sampling_probability``."""

    sampling_probability: Number
    event: Any


@dataclass(frozen=True)
class SampledWithoutReplacement(Event):
    """``event`` (a :class:`Gaussian`) on ``sample_size`` records drawn without replacement from
    ``source_dataset_size`` (fixed-size batches)."""

    source_dataset_size: int
    sample_size: int
    event: Any


@dataclass(frozen=True)
class SelfComposed(Event):
    """``event`` composed ``count`` times."""

    event: Any
    count: int


@dataclass(frozen=True)
class Composed(Event):
    """Several events composed."""

    events: Sequence[Any]
