"""An accountant that composes events, the way dp_accounting's ``PrivacyAccountant`` does.

A training loop composes one event per step (or many at once with ``count``) and asks ε at any
time::

    acc = privflow.Accountant()
    for step in range(steps):
        ...  # train
        acc.compose(privflow.events.PoissonSampled(0.01, privflow.events.Gaussian(1.1)))
        if step % 1000 == 0:
            print(step, acc.get_epsilon(delta=1e-5))

Events are :mod:`privflow.events` or dp_accounting's own ``dp_event`` objects (``GaussianDpEvent``,
``PoissonSampledDpEvent``, ``SelfComposedDpEvent``, …), read by their fields. Repeated events are
merged, so a loop that composes 10 000 steps holds one part. One lock per accountant: threads may
share one, and the GIL is released while ε is computed.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, List, Optional, Tuple

from . import _core, events as ev
from ._results import Delta, Epsilon
from .account import Number, epsilon_from

__all__ = ["Accountant", "UnsupportedEventError"]


class UnsupportedEventError(TypeError):
    """The event (or a dp_accounting event) has no privacy profile in privflow."""


class Accountant:
    """Composes events; answers ε at δ and δ at ε (upper bounds).

    ``accountant``: ``"rdp"``, ``"pld"`` or ``"auto"`` (both, the smaller ε). ``neighbouring``:
    ``"add_remove"`` or ``"replace"``, the relation subsampled events are accounted under (as
    dp_accounting's ``neighboring_relation``). ``tolerance``: the PLD's relative bracket width.
    """

    def __init__(self, accountant: str = "auto", *, neighbouring: str = "add_remove",
                 tolerance: Number = 0.001) -> None:
        self._composer = _core.Composer(accountant, tolerance)
        self._neighbouring = neighbouring
        _core.subsampled_gaussian(1, 1, neighbouring, "poisson")  # refuses a misspelt relation now

    def compose(self, event: Any, count: int = 1) -> "Accountant":
        """Adds ``event`` composed ``count`` times; returns the accountant (calls chain)."""
        for mechanism, times in self._mechanisms(event, 1):
            self._composer.compose(mechanism, times * _count(count))
        return self

    def step(self, *, noise_multiplier: Number, sample_rate: Number) -> "Accountant":
        """One DP-SGD step with Poisson sampling: Opacus's ``accountant.step`` spelling."""
        return self.compose(ev.PoissonSampled(sample_rate, ev.Gaussian(noise_multiplier)))

    def epsilon(self, delta: Number) -> Epsilon:
        """ε at ``delta`` with how it was found (an :class:`~privflow.Epsilon`)."""
        return epsilon_from(self._composer.epsilon(delta))

    def get_epsilon(self, delta: Number) -> float:
        """ε at ``delta``: an upper bound (``math.inf`` when none is finite)."""
        return self.epsilon(delta).epsilon

    def delta(self, epsilon: Number) -> Delta:
        """δ at ``epsilon`` with how it was found."""
        d = self._composer.delta(epsilon)
        return Delta(d["delta"], d["delta_text"], d["epsilon"], d["epsilon_text"], d["accountant"], d["how"])

    def get_delta(self, epsilon: Number) -> float:
        """δ at ``epsilon``: an upper bound on the hockey-stick divergence."""
        return self.delta(epsilon).delta

    @property
    def parts(self) -> List[str]:
        """The composed mechanisms, as privflow describes them (``gaussian(z=1.1) x 1000``)."""
        return self._composer.describe()

    def __repr__(self) -> str:
        return f"<privflow.Accountant {'; '.join(self.parts) or 'empty'}>"

    # ---- events to mechanisms -------------------------------------------------------------

    def _mechanisms(self, event: Any, times: int) -> List[Tuple[Any, int]]:
        """(mechanism, count) pairs for an event of privflow.events or of dp_accounting."""
        if isinstance(event, ev.Event):
            return self._own(event, times)
        return self._dp_accounting(event, times)

    def _own(self, e: ev.Event, times: int) -> List[Tuple[Any, int]]:
        if isinstance(e, ev.SelfComposed):
            return self._mechanisms(e.event, times * _count(e.count))
        if isinstance(e, ev.Composed):
            return [pair for inner in e.events for pair in self._mechanisms(inner, times)]
        if isinstance(e, ev.PoissonSampled):
            return [(self._sampled(e.sampling_probability, e.event, "poisson"), times)]
        if isinstance(e, ev.SampledWithoutReplacement):
            rate = Fraction(_count(e.sample_size), _count(e.source_dataset_size))
            return [(self._sampled(rate, e.event, "fixed_size"), times)]
        return [(e.mechanism(), times)]

    def _sampled(self, rate: Any, inner: Any, sampling: str) -> Any:
        gaussian = _gaussian_noise(inner)
        if gaussian is None:
            raise UnsupportedEventError(f"privflow accounts sampling of a Gaussian event only, not {inner!r}")
        return _core.subsampled_gaussian(gaussian, rate, self._neighbouring, sampling)

    def _dp_accounting(self, e: Any, times: int) -> List[Tuple[Any, int]]:
        """dp_accounting's dp_event classes, read by name and fields (no import of dp_accounting)."""
        name = type(e).__name__
        if name == "NoOpDpEvent":
            return []
        if name == "SelfComposedDpEvent":
            return self._mechanisms(e.event, times * _count(e.count))
        if name == "ComposedDpEvent":
            return [pair for inner in e.events for pair in self._mechanisms(inner, times)]
        if name == "PoissonSampledDpEvent":
            return [(self._sampled(e.sampling_probability, e.event, "poisson"), times)]
        if name == "SampledWithoutReplacementDpEvent":
            rate = Fraction(_count(e.sample_size), _count(e.source_dataset_size))
            return [(self._sampled(rate, e.event, "fixed_size"), times)]
        own = _own_event_of(e)
        if own is None:
            raise UnsupportedEventError(f"privflow has no privacy profile for {name}: {e!r}")
        return [(own.mechanism(), times)]


def _count(value: Any) -> int:
    if isinstance(value, bool) or int(value) != value or not 1 <= int(value) <= 10**12:
        raise ValueError(f"count must be a whole number between 1 and 10^12, not {value!r}")
    return int(value)


def _gaussian_noise(event: Any) -> Optional[Any]:
    if isinstance(event, ev.Gaussian) or type(event).__name__ == "GaussianDpEvent":
        return event.noise_multiplier
    return None


def _own_event_of(e: Any) -> Optional[ev.Event]:
    """The privflow event equal to a dp_accounting event with one mechanism, or None."""
    name = type(e).__name__
    if name == "GaussianDpEvent":
        return ev.Gaussian(e.noise_multiplier)
    if name == "LaplaceDpEvent":  # noise_multiplier = scale / sensitivity
        return ev.Laplace(scale=e.noise_multiplier)
    if name == "EpsilonDeltaDpEvent":
        return ev.EpsilonDelta(e.epsilon, e.delta)
    if name == "ZCDpEvent" and getattr(e, "xi", 0) == 0:
        return ev.Zcdp(e.rho)
    if name == "ExponentialMechanismDpEvent":
        return ev.Exponential(e.epsilon)
    if name == "DiscreteGaussianDpEvent" and getattr(e, "dimension", None) in (None, 1) \
            and float(e.sensitivity).is_integer():
        return ev.DiscreteGaussian(e.sigma, int(e.sensitivity))
    if name == "RandomizedResponseDpEvent":  # randomises w.p. noise_parameter, uniformly over the buckets
        k = _count(e.num_buckets)
        p = Fraction(e.noise_parameter)
        return ev.RandomizedResponse(values=k, keep=1 - p + p / k)
    return None
