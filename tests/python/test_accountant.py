"""privflow.Accountant: composes events as dp_accounting's accountants do, from a training loop."""
import math
import os
import sys

import pytest

import privflow
from privflow import account, events


def test_composed_events_against_dp_accounting(reference):
    ref = reference["cases"][3]  # ComposedDpEvent([GaussianDpEvent(3.0), LaplaceDpEvent(2.0)])
    acc = privflow.Accountant()
    acc.compose(events.Composed([events.Gaussian(3.0), events.Laplace(scale=2.0)]))
    eps = acc.get_epsilon(ref["delta"])
    assert eps <= ref["rdp"] * (1 + 1e-9)
    assert abs(eps - ref["pld"]) <= 0.01 * ref["pld"], eps


def test_delta_at_epsilon_against_dp_accounting(reference):
    ref = reference["delta_at_epsilon"][0]
    acc = privflow.Accountant()
    acc.compose(events.PoissonSampled(0.01, events.Gaussian(1.1)), 10000)
    delta = acc.get_delta(ref["epsilon"])
    assert delta <= ref["rdp"]
    assert abs(delta - ref["pld"]) <= 0.05 * ref["pld"], delta
    assert acc.delta(ref["epsilon"]).accountant in ("rdp", "pld")


def test_a_training_loop_asks_epsilon_as_it_goes():
    """What an Opacus or JAX loop does: one event per step, ε every so often, never a model."""
    steps, every, delta = 3000, 500, 1e-5
    acc = privflow.Accountant()
    seen = []
    for step in range(1, steps + 1):
        acc.compose(events.PoissonSampled(sampling_probability=0.01, event=events.Gaussian(noise_multiplier=1.1)))
        if step % every == 0:
            seen.append(acc.get_epsilon(delta))
    assert len(seen) == steps // every
    assert all(a < b for a, b in zip(seen, seen[1:])), seen  # ε grows with every step
    assert len(acc.parts) == 1 and acc.parts[0].endswith(f"x {steps}"), acc.parts  # one merged part
    once = account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=steps, delta=delta)
    assert seen[-1] == pytest.approx(once.epsilon, rel=1e-12)
    # Opacus's spelling of one step gives the same accountant.
    opacus = privflow.Accountant()
    for _ in range(steps):
        opacus.step(noise_multiplier=1.1, sample_rate=0.01)
    assert opacus.get_epsilon(delta) == seen[-1]


def test_self_composed_count_and_chaining():
    a = privflow.Accountant().compose(events.Gaussian(2.0), count=10)
    b = privflow.Accountant().compose(events.SelfComposed(events.Gaussian(2.0), 5), count=2)
    assert a.get_epsilon(1e-5) == b.get_epsilon(1e-5)
    ref = account.gaussian(sigma=2.0, times=10, delta=1e-5)
    assert a.get_epsilon(1e-5) == ref.epsilon


def test_pure_events_compose_exactly():
    acc = privflow.Accountant().compose(events.Laplace(epsilon="1/4"), 4).compose(events.EpsilonDelta(epsilon=0.5))
    r = acc.epsilon(0)
    assert r.exact == "1.5" and r.epsilon >= 1.5  # 4·(1/4) + 1/2, exactly
    assert privflow.Accountant().get_epsilon(0) == 0  # nothing composed, nothing learnt


def test_an_approximate_event_has_no_finite_epsilon_at_delta_zero():
    acc = privflow.Accountant().compose(events.Gaussian(1.0))
    assert math.isinf(acc.get_epsilon(0))


def dp_accounting_events():
    """dp_accounting's dp_event module when PRIVFLOW_DP_ACCOUNTING names its checkout (0.6.0), else
    stand-ins with its class names and fields (privflow reads events by name and fields)."""
    where = os.environ.get("PRIVFLOW_DP_ACCOUNTING")
    if where:
        sys.path.insert(0, where)
        from dp_accounting import dp_event
        return dp_event
    from dataclasses import dataclass
    from types import SimpleNamespace

    @dataclass
    class GaussianDpEvent:
        noise_multiplier: float

    @dataclass
    class PoissonSampledDpEvent:
        sampling_probability: float
        event: object

    @dataclass
    class SelfComposedDpEvent:
        event: object
        count: int

    @dataclass
    class UnsupportedDpEvent:
        pass

    return SimpleNamespace(GaussianDpEvent=GaussianDpEvent, PoissonSampledDpEvent=PoissonSampledDpEvent,
                           SelfComposedDpEvent=SelfComposedDpEvent, UnsupportedDpEvent=UnsupportedDpEvent)


def test_dp_accounting_events_are_read_by_their_fields():
    dp_event = dp_accounting_events()
    ours = privflow.Accountant().compose(
        events.SelfComposed(events.PoissonSampled(0.01, events.Gaussian(1.1)), 1000)).get_epsilon(1e-5)
    theirs = privflow.Accountant().compose(
        dp_event.SelfComposedDpEvent(dp_event.PoissonSampledDpEvent(0.01, dp_event.GaussianDpEvent(1.1)), 1000))
    assert theirs.get_epsilon(1e-5) == ours
    with pytest.raises(privflow.UnsupportedEventError):
        privflow.Accountant().compose(dp_event.UnsupportedDpEvent())


def test_bad_events_and_counts():
    acc = privflow.Accountant()
    with pytest.raises(privflow.UnsupportedEventError):
        acc.compose(events.PoissonSampled(0.1, events.Laplace(epsilon=1)))
    with pytest.raises(privflow.UnsupportedEventError):
        acc.compose(object())
    with pytest.raises(ValueError, match="count"):
        acc.compose(events.Gaussian(1.0), count=0)
    with pytest.raises(ValueError, match="neighbouring"):
        privflow.Accountant(neighbouring="swap")
    with pytest.raises(ValueError, match="accountant"):
        privflow.Accountant("exact")
