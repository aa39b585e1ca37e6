"""Accounting of one mechanism, without a spec: the mechanisms of ``privflow account``.

Each function answers what ``privflow account KIND`` answers, from the same C++ functions of
``dp/`` (docs/python.md lists the correspondence). Numbers may be ``int``, ``float`` (its exact
binary value), ``str`` written as in a spec (``"1e-5"``, ``"1/3"``, ``"1_000"``: read exactly,
then rounded the safe way, as the command line does) or ``fractions.Fraction``.

``accountant`` is ``"rdp"``, ``"pld"`` or ``"auto"`` (both; the smaller ε, each an upper bound).
``tolerance`` is the PLD's relative width of the certified bracket (``--tolerance``).
``tpr_at_fpr`` and ``reconstruction_prior`` add the attack bounds of ``--tpr-at-fpr`` and
``--reconstruction-prior`` to the result's ``attacks``.

Example::

    >>> import privflow
    >>> print(privflow.account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=10000, delta=1e-5))
    epsilon = ... at delta = 1e-05
    how: ...
"""
from __future__ import annotations

from fractions import Fraction
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from . import _core
from ._results import AttackBound, Calibration, Epsilon, LocalEpsilon

Number = Union[int, float, str, Fraction]

__all__ = [
    "dpsgd", "gaussian", "laplace", "randomized_response", "shuffle", "discrete_gaussian", "sparse_vector",
    "report_noisy_max", "top_k", "zcdp", "tree_aggregation", "matrix_factorization", "rappor", "unary_encoding",
    "local_hashing", "hadamard", "count_mean_sketch", "Number",
]


def epsilon_from(d: dict, figures: Tuple[Tuple[str, str], ...] = ()) -> Epsilon:
    """An Epsilon from the C++ core's answer."""
    attacks = tuple(AttackBound(a["kind"], a["at_name"], a["at"], a["at_text"], a["tpr"], a["tpr_text"], a["how"],
                                a.get("curve", ""))
                    for a in d.get("attacks", ()))
    return Epsilon(epsilon=d["epsilon"], epsilon_text=d["epsilon_text"], delta=d["delta"], delta_text=d["delta_text"],
                   accountant=d["accountant"], how=d["how"], exact=d["exact"], order=d["order"],
                   discretization=d["discretization"], tail_mass=d["tail_mass"], attacks=attacks, figures=figures)


def _calibration(d: dict) -> Calibration:
    return Calibration(parameter=d["parameter"], value=d["value"], value_text=d["value_text"],
                       achieved=epsilon_from(d), how=d["how"])


def _compose(parts: Sequence[object], delta: Number, accountant: str, tolerance: Number,
             tpr_at_fpr: Optional[Number], reconstruction_prior: Optional[Number],
             figures: Tuple[Tuple[str, str], ...] = ()) -> Epsilon:
    d = _core.compose_epsilon(list(parts), delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)
    return epsilon_from(d, figures)


def _one_of(what: str, **given: object) -> str:
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        raise ValueError(f"{what}: give exactly one of {' and '.join(given)}")
    return named[0]


def dpsgd(*, noise_multiplier: Optional[Number] = None, sampling_rate: Number, steps: Number, delta: Number,
          epsilon: Optional[Number] = None, accountant: str = "auto", neighbouring: str = "add_remove",
          sampling: str = "poisson", tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
          reconstruction_prior: Optional[Number] = None) -> Union[Epsilon, Calibration]:
    """DP-SGD: the subsampled Gaussian over ``steps`` steps (``privflow account dpsgd``).

    Give ``noise_multiplier`` (noise std / clipping norm) for ε at ``delta``, or a target
    ``epsilon`` to calibrate the noise multiplier (a :class:`Calibration`). ``neighbouring`` is
    ``"add_remove"`` or ``"replace"``; ``sampling`` is ``"poisson"`` or ``"fixed_size"`` (batches
    drawn without replacement, ``sampling_rate`` = batch size / records).
    """
    _one_of("dpsgd", noise_multiplier=noise_multiplier, epsilon=epsilon)
    if epsilon is not None:
        _no_attacks(tpr_at_fpr, reconstruction_prior, "with epsilon (calibration): give the noise")
        return _calibration(_core.calibrate_dpsgd(epsilon, delta, sampling_rate, steps, accountant, neighbouring,
                                                  sampling))
    step = _core.subsampled_gaussian(noise_multiplier, sampling_rate, neighbouring, sampling)
    return _compose([step.repeated(steps, "steps")], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def gaussian(*, sigma: Optional[Number] = None, delta: Number, sensitivity: Number = 1, times: Number = 1,
             epsilon: Optional[Number] = None, accountant: str = "auto", tolerance: Number = 0.001,
             tpr_at_fpr: Optional[Number] = None, reconstruction_prior: Optional[Number] = None
             ) -> Union[Epsilon, Calibration]:
    """The Gaussian mechanism used ``times`` times: noise ``sigma``, L2 ``sensitivity``.

    A target ``epsilon`` instead of ``sigma`` calibrates sigma (a :class:`Calibration`).
    """
    _one_of("gaussian", sigma=sigma, epsilon=epsilon)
    if epsilon is not None:
        _no_attacks(tpr_at_fpr, reconstruction_prior, "with epsilon (calibration): give the noise")
        return _calibration(_core.calibrate_gaussian(epsilon, delta, sensitivity, times, accountant))
    mechanism = _core.gaussian_sigma(sigma, sensitivity).repeated(times, "times")
    return _compose([mechanism], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def laplace(*, epsilon: Optional[Number] = None, scale: Optional[Number] = None, sensitivity: Number = 1,
            times: Number = 1, delta: Number = 0, accountant: str = "auto", tolerance: Number = 0.001,
            tpr_at_fpr: Optional[Number] = None, reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """The Laplace mechanism: ``epsilon`` per use, or noise ``scale`` (ε = sensitivity / scale, exactly)."""
    _one_of("laplace", epsilon=epsilon, scale=scale)
    one = _core.laplace(epsilon) if epsilon is not None else _core.laplace_scale(scale, sensitivity)
    return _compose([one.repeated(times, "times")], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def randomized_response(*, values: Number, keep: Optional[Number] = None, epsilon: Optional[Number] = None,
                        times: Number = 1, delta: Number = 0, accountant: str = "auto", tolerance: Number = 0.001,
                        tpr_at_fpr: Optional[Number] = None, reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """k-ary randomized response over ``values`` values (replace one value): ``keep`` or ``epsilon``."""
    _one_of("randomized_response", keep=keep, epsilon=epsilon)
    one = (_core.randomized_response(epsilon, values) if epsilon is not None
           else _core.randomized_response_keep(keep, values))
    return _compose([one.repeated(times, "times")], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def shuffle(*, local_epsilon: Number, senders: Number, delta: Number) -> Epsilon:
    """Amplification by shuffling of ``senders`` local reports of ``local_epsilon`` each
    (Feldman, McMillan & Talwar 2021: the smaller of their closed form and numerical bound)."""
    return epsilon_from(_core.shuffle(local_epsilon, senders, delta))


def discrete_gaussian(*, sigma: Number, delta: Number, sensitivity: Number = 1, times: Number = 1,
                      accountant: str = "auto", tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
                      reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """The discrete Gaussian N_Z(0, sigma²) with a whole-number ``sensitivity`` (Canonne, Kamath & Steinke 2020)."""
    one = _core.discrete_gaussian(sigma, sensitivity)
    return _compose([one.repeated(times, "times")], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def _selection(one: object, uses: int, delta: Number, accountant: str, tolerance: Number,
               tpr_at_fpr: Optional[Number], reconstruction_prior: Optional[Number]) -> Epsilon:
    return _compose([one.repeated(uses, "times")], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def _whole(value: Number, name: str) -> int:
    q = Fraction(value) if not isinstance(value, str) else Fraction(value.replace("_", ""))
    if q.denominator != 1 or not 1 <= q <= 10**12:
        raise ValueError(f"{name} must be a whole number between 1 and 10^12")
    return int(q)


def sparse_vector(*, epsilon: Number, answers: Number = 1, times: Number = 1, delta: Number = 0,
                  accountant: str = "auto", tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
                  reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """Sparse vector (AboveThreshold, Lyu, Su & Li 2017, Alg. 1): ``epsilon`` per run, ``times`` runs.

    ``answers`` (answers above the threshold before a run stops) is within the run's ε, as in
    ``privflow account sparse-vector``.
    """
    _whole(answers, "answers")
    _positive(epsilon, "epsilon")
    return _selection(_core.declared(epsilon, 0), _whole(times, "times"), delta, accountant, tolerance,
                      tpr_at_fpr, reconstruction_prior)


def report_noisy_max(*, epsilon: Number, times: Number = 1, delta: Number = 0, accountant: str = "auto",
                     tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
                     reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """Report noisy max (Laplace noise 2·sensitivity/ε): pure ``epsilon`` per use."""
    _positive(epsilon, "epsilon")
    return _selection(_core.declared(epsilon, 0), _whole(times, "times"), delta, accountant, tolerance,
                      tpr_at_fpr, reconstruction_prior)


def top_k(*, epsilon: Number, k: Number, times: Number = 1, delta: Number = 0, accountant: str = "auto",
          tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
          reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """One-shot top-k with Gumbel noise: ``k`` exponential mechanisms of ``epsilon`` each
    (Durfee & Rogers 2019), ``times`` uses."""
    uses = _whole(k, "k") * _whole(times, "times")
    if uses > 10**12:
        raise ValueError("times x k must be at most 10^12")
    return _selection(_core.exponential(epsilon), uses, delta, accountant, tolerance, tpr_at_fpr,
                      reconstruction_prior)


def zcdp(*, rho: Number, delta: Number, accountant: str = "auto", tolerance: Number = 0.001) -> Epsilon:
    """Converts a rho-zCDP guarantee to (ε, δ)."""
    return _compose([_core.zcdp(rho)], delta, accountant, tolerance, None, None)


def _linear_gaussian(d: dict, why: str, delta: Number, accountant: str, tolerance: Number,
                     tpr_at_fpr: Optional[Number], reconstruction_prior: Optional[Number]) -> Epsilon:
    figures = (("sensitivity", f"sqrt({d['sensitivity_squared']})  ({why})"),
               ("mu", f"{d['mu']!r}  (Gaussian DP: sensitivity / noise multiplier)"),
               ("rho", f"{d['rho']!r}  (zCDP: mu^2 / 2)"))
    return _compose([d["mechanism"]], delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior, figures)


def tree_aggregation(*, noise_multiplier: Number, steps: Number, delta: Number, epochs: Number = 1,
                     completion: bool = False, accountant: str = "auto", tolerance: Number = 0.001,
                     tpr_at_fpr: Optional[Number] = None, reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """DP-FTRL tree aggregation: Gaussian noise (``noise_multiplier`` per node) on every tree node,
    ``epochs`` trees of ``steps`` leaves, a record once per tree (``completion``: each tree padded to 2^k leaves)."""
    d = _core.tree_aggregation(noise_multiplier, steps, epochs, bool(completion))
    trees = _whole(epochs, "epochs")
    why = (f"{d['nodes_per_leaf']} tree nodes per leaf{' (tree completion)' if completion else ''} x {trees} "
           f"{'tree' if trees == 1 else 'trees'}")
    return _linear_gaussian(d, why, delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


def matrix_factorization(*, noise_multiplier: Number, delta: Number, sensitivity: Optional[Number] = None,
                         coefficients: Optional[Iterable[Number]] = None, steps: Optional[Number] = None,
                         epochs: Number = 1, min_separation: Optional[Number] = None, accountant: str = "auto",
                         tolerance: Number = 0.001, tpr_at_fpr: Optional[Number] = None,
                         reconstruction_prior: Optional[Number] = None) -> Epsilon:
    """A matrix-factorisation mechanism (DP-FTRL with a strategy C): the strategy's ``sensitivity``
    given, or computed for a banded Toeplitz strategy from its bands ``coefficients`` over ``steps``
    steps with ``epochs`` participations at least ``min_separation`` steps apart
    (Choquette-Choo et al. 2023, Thm 2)."""
    bands: Optional[List[Number]] = list(coefficients) if coefficients is not None else None
    d = _core.matrix_factorization(noise_multiplier, sensitivity, bands, steps, epochs, min_separation)
    why = "the strategy's sensitivity, as given" if sensitivity is not None else "banded Toeplitz strategy"
    return _linear_gaussian(d, why, delta, accountant, tolerance, tpr_at_fpr, reconstruction_prior)


# ---- local randomizers (local DP, δ = 0): ε of one report, of `times` reports of one value, and
# the variance of one value's count estimate over `reports` reports ------------------------------

def rappor(*, f: Number, p: Number, q: Number, hashes: Number = 1, times: Number = 1,
           reports: Optional[Number] = None) -> LocalEpsilon:
    """RAPPOR (Erlingsson, Pihur & Korolova 2014): Bloom filter with ``hashes`` hash functions,
    permanent randomized response ``f``, instantaneous ``p`` (a 0 bit reported 1) and ``q`` (a 1 bit)."""
    return LocalEpsilon(**_core.rappor(f, p, q, hashes, times, reports))


def unary_encoding(*, epsilon: Optional[Number] = None, variant: str = "oue", p: Optional[Number] = None,
                   q: Optional[Number] = None, times: Number = 1, reports: Optional[Number] = None) -> LocalEpsilon:
    """Unary encoding, OUE or SUE (``variant``) by ``epsilon``, or by ``p`` and ``q`` (default 1/2)
    (Wang et al. 2017)."""
    return LocalEpsilon(**_core.unary_encoding(epsilon, variant, p, q, times, reports))


def local_hashing(*, epsilon: Number, range: Optional[Number] = None, times: Number = 1,
                  reports: Optional[Number] = None) -> LocalEpsilon:
    """Optimized local hashing onto ``range`` values (default e^ε + 1, rounded; Wang et al. 2017)."""
    return LocalEpsilon(**_core.local_hashing(epsilon, range, times, reports))


def hadamard(*, epsilon: Number, times: Number = 1, reports: Optional[Number] = None) -> LocalEpsilon:
    """Hadamard response (Acharya, Sun & Zhang 2019)."""
    return LocalEpsilon(**_core.hadamard(epsilon, times, reports))


def count_mean_sketch(*, epsilon: Number, width: Number = 1024, hashes: Number = 65536, times: Number = 1,
                      reports: Optional[Number] = None) -> LocalEpsilon:
    """Apple's count-mean sketch (2017): sketch ``width`` m, ``hashes`` k rows."""
    return LocalEpsilon(**_core.count_mean_sketch(epsilon, width, hashes, times, reports))


def _positive(value: Number, name: str) -> None:
    if Fraction(value if not isinstance(value, str) else value.replace("_", "")) <= 0:
        raise ValueError(f"{name} must be > 0")


def _no_attacks(tpr_at_fpr: Optional[Number], reconstruction_prior: Optional[Number], why: str) -> None:
    if tpr_at_fpr is not None or reconstruction_prior is not None:
        name = "tpr_at_fpr" if tpr_at_fpr is not None else "reconstruction_prior"
        raise ValueError(f"{name} is not available {why}")
