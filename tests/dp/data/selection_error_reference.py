#!/usr/bin/python3
"""Reference values for the error models of selections, Poisson samples, the count-mean sketch
and gossip (dp/error.hpp; tests/dp/error_test.cpp, tests/analyzer/utility_test.cpp), computed
independently of privflow in mpmath (40 digits), numpy and scipy; run with /usr/bin/python3,
writes selection_error_reference.json beside this script. Each row also carries a coverage
check: the failure probability of the half-width in a worst case, exact or by Monte Carlo
(numpy, seed 20261207), which must be at most beta (Monte Carlo: its 3-sigma lower end, `worst_failure`).

- exponential: P(r) ~ exp(eps u / (2 Delta)) over R outputs: alpha = (2 Delta/eps) ln((R-1)/beta)
  (Dwork & Roth 2014, Thm 3.11 with R-1 bad outputs); top_k (k peeling selections, Durfee &
  Rogers 2019) alpha = (2 Delta/eps) ln(k (R-1)/beta). Coverage, exact: the worst case has the
  R-1 others just below OPT - alpha; one selection fails with probability
  (R-1)e^{-eps alpha/2}/(1 + (R-1)e^{-eps alpha/2}); top-k by Monte Carlo with Gumbel noise.
  sd: the root mean square bound sqrt((a0+s)^2 + s^2), s = 2 Delta/eps, a0 = s ln C, from the
  integral of 2 alpha min(1, C e^{-alpha/s}) (mpmath quad).
- report_noisy_max, Lap(b) on m scores: alpha solves (m-1) * P(L1 - L2 > alpha) = beta, the
  difference's tail integrated in mpmath (quad of the Laplace density against the survival).
  Coverage by Monte Carlo: the best at 0, the others at -alpha.
- sparse_vector: threshold Lap(b1), queries Lap(b2), k queries: alpha solves
  E_rho[min(1, k P(|nu| > alpha - |rho|))] = beta (mpmath quad over rho). Coverage by Monte
  Carlo: every query at T - alpha (none should be answered above).
- poisson: the error (Bin(N, q) - N q)/q + Laplace(b)/q at the worst case (every one of the N
  rows counted): its sd, and the (1 - beta) quantile of |error| by Monte Carlo (2e6 draws),
  which a sound half-width must exceed (the test also bounds how far above it privflow is).
- cms: the variance of dp/local_randomizers.hpp's cms_variance at count 0 and P = n(n-1) in
  Python fractions; the half-width by the two Bernstein steps (mpmath findroot). Coverage by
  Monte Carlo of the sketch itself (random hashes, each user one random row), small case.
- gossip: W = (I + Adj)/(d + 1) on a ring (numpy matrix_power), the largest row norm of
  W^rounds; star: Metropolis-Hastings weights 1/(1 + max(deg i, deg j)).
"""
import json
import os
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import scipy.stats as st

mp.mp.dps = 40
rng = np.random.default_rng(20261207)
out = {"_source": __doc__.strip()}


def mc_upper(fails, trials):
    """The failure rate's 3-sigma lower end: at most beta unless the half-width is too small."""
    p = fails / trials
    return p - 3 * np.sqrt(max(p * (1 - p), 1 / trials) / trials)


def rms_bound(C, s):
    f = lambda a: 2 * a * min(mp.mpf(1), C * mp.e ** (-a / s))
    a0 = s * mp.log(C) if C > 1 else mp.mpf(0)
    return float(mp.sqrt(mp.quad(f, [0, a0, a0 + 60 * s])))


# exponential and top_k
out["exponential"] = []
for eps, R, k, beta in [(0.3, 10, 1, 0.05), (1.0, 2, 1, 0.01), (0.05, 8, 4, 0.05), (2.0, 1000, 3, 0.1)]:
    s = 2 / mp.mpf(eps)
    alpha = s * mp.log(k * (R - 1) / mp.mpf(beta))
    row = {"epsilon": eps, "candidates": R, "k": k, "beta": beta, "half_width": float(alpha),
           "sd": rms_bound(mp.mpf(R - 1), s)}
    if k == 1:
        x = (R - 1) * mp.e ** (-eps * alpha / 2)
        row["worst_failure"] = float(x / (1 + x))
    else:
        trials = 200000
        scores = np.concatenate([np.zeros(k), np.full(R - k, -float(alpha) * (1 + 1e-9))])
        noisy = scores + rng.gumbel(scale=float(s), size=(trials, R))
        top = np.argsort(-noisy, axis=1)[:, :k]
        row["worst_failure"] = float(mc_upper(np.sum(np.any(top >= k, axis=1)), trials))
    out["exponential"].append(row)

# report noisy max
out["report_noisy_max"] = []
for b, m, beta in [(4.0, 10, 0.05), (1.0, 2, 0.05), (0.5, 100, 0.01)]:
    B = mp.mpf(b)
    diff_tail = lambda a: mp.quad(lambda z: mp.e ** (-abs(z) / B) / (2 * B) *
                                  (mp.e ** (-(a + z) / B) / 2 if a + z >= 0 else 1 - mp.e ** ((a + z) / B) / 2),
                                  [-mp.inf, -a, 0, mp.inf])
    alpha = mp.findroot(lambda a: (m - 1) * diff_tail(a) - beta, b * mp.log(m / beta))
    trials = 200000
    scores = np.concatenate([[0.0], np.full(m - 1, -float(alpha) * (1 + 1e-9))])
    noisy = scores + rng.laplace(scale=b, size=(trials, m))
    fails = np.sum(np.argmax(noisy, axis=1) != 0)
    out["report_noisy_max"].append({"scale": b, "candidates": m, "beta": beta, "half_width": float(alpha),
                                    "sd": rms_bound(mp.mpf(m - 1) / 2, 2 * B),
                                    "worst_failure": float(mc_upper(fails, trials))})

# sparse vector
out["sparse_vector"] = []
# query_monitor's alerts: epsilon 1/2 split 1 : (2c)^(2/3), c = 3 answers, 8 topics
e1 = 0.5 / (1 + 6 ** (2 / 3))
for b1, b2, k, beta in [(2.0, 4.0, 10, 0.05), (1 / e1, 6 / (0.5 - e1), 8, 0.05), (1.0, 1.0, 100, 0.01)]:
    B1, B2 = mp.mpf(b1), mp.mpf(b2)
    def fail(alpha):
        g = lambda r: min(mp.mpf(1), k * mp.e ** (-(alpha - r) / B2)) * mp.e ** (-r / B1) / B1 if r < alpha else mp.e ** (-r / B1) / B1
        return mp.quad(g, [0, alpha - B2 * mp.log(k), alpha, mp.inf])
    alpha = mp.findroot(lambda a: fail(a) - beta, b1 * mp.log(1 / beta) + b2 * mp.log(k / beta))
    trials = 200000
    rho = rng.laplace(scale=b1, size=trials)
    nu = rng.laplace(scale=b2, size=(trials, k))
    fails = np.sum(np.any(nu - rho[:, None] >= float(alpha), axis=1))
    out["sparse_vector"].append({"threshold_scale": b1, "query_scale": b2, "queries": k, "beta": beta,
                                 "half_width": float(alpha), "sd": float(mp.sqrt(2 * B1 ** 2 + 2 * B2 ** 2)),
                                 "worst_failure": float(mc_upper(fails, trials))})

# Poisson sample + Laplace noise, a count (each record adds 1): the truth at the worst case (every
# record counted) by Monte Carlo: the (1 - beta) quantile of |error|; a sound half-width is above it.
out["poisson"] = []
for N, q, b, beta in [(2000000, 0.01, 1.0, 0.05), (10000, 0.1, 2.0, 0.05), (500, 0.5, 1.0, 0.01)]:
    trials = 2000000
    err = (rng.binomial(N, q, size=trials) - N * q) / q + rng.laplace(scale=b, size=trials) / q
    out["poisson"].append({"rows": N, "q": q, "scale": b, "beta": beta,
                           "sd": float(mp.sqrt(N * (1 - mp.mpf(q)) / q + 2 * mp.mpf(b) ** 2 / mp.mpf(q) ** 2)),
                           "monte_carlo_quantile": float(np.quantile(np.abs(err), 1 - beta))})

# count-mean sketch
def cms_half_width(eps, m, k, n, beta):
    e = mp.e ** (mp.mpf(eps) / 2)
    c = (e + 1) / (e - 1)
    st_ = mp.mpf(m) / (m - 1)
    def bern(V, M, b):
        Lb = mp.log(2 / mp.mpf(b))
        return mp.findroot(lambda t: t ** 2 / (2 * (V + M * t / 3)) - Lb, mp.sqrt(2 * V * Lb) + M)
    th = bern((mp.mpf(1) / m) * (1 - mp.mpf(1) / m) / k, mp.mpf(1) / k, beta / 2)
    per = st_ ** 2 * ((c * c - 1) / 4 + mp.mpf(1) / m + th)
    tr = bern(per / n, st_ * c / n, beta / 2)
    return st_ * th + tr


def cms_var(eps, m, k, n):
    e = mp.e ** (mp.mpf(eps) / 2)
    c = (e + 1) / (e - 1)
    P = mp.mpf(n) * (n - 1)
    return (mp.mpf(m) / (m - 1)) ** 2 * (n * (c * c - 1) / 4 + n * mp.mpf(m - 1) / m ** 2 + P * (m - 1) / (k * mp.mpf(m) ** 2))


out["cms"] = []
for eps, m, k, n, beta, mc in [(4.0, 1024, 65536, 1000000, 0.05, False), (2.0, 64, 256, 20000, 0.05, True),
                               (4.0, 1024, 65536, 1000000, 0.01, False)]:
    hw = cms_half_width(eps, m, k, n, beta)
    row = {"epsilon": eps, "width": m, "hashes": k, "n": n, "beta": beta, "half_width": float(hw),
           "sd": float(mp.sqrt(cms_var(eps, m, k, n)) / n)}
    if mc:
        # Worst case for collisions: every user holds value 1, the estimated value is 0 (count 0).
        trials, fails = 2000, 0
        flip = 1 / (1 + np.exp(eps / 2))
        c = (np.exp(eps / 2) + 1) / (np.exp(eps / 2) - 1)
        for _ in range(trials):
            h0 = rng.integers(0, m, size=k)  # the hashes of value 0 (estimated)
            h1 = rng.integers(0, m, size=k)  # of value 1 (held by everyone)
            rows = rng.integers(0, k, size=n)
            # each user's entry at h_j(0): +1 if h_j(1) == h_j(0) else -1, flipped w.p. flip
            bit = np.where(h1[rows] == h0[rows], 1.0, -1.0)
            bit = np.where(rng.random(n) < flip, -bit, bit)
            xt = c / 2 * bit + 0.5
            est = m / (m - 1) * (np.sum(xt) - n / m) / n
            fails += abs(est) > float(hw)
        row["worst_failure"] = float(mc_upper(fails, trials))
    out["cms"].append(row)


# gossip
def ring_w(n):
    W = np.eye(n)
    for i in range(n):
        W[i, (i + 1) % n] = W[i, (i - 1) % n] = 1
    return W / 3


def star_w(n):
    W = np.zeros((n, n))
    for j in range(1, n):
        W[0, j] = W[j, 0] = 1 / n  # 1/(1 + max(n-1, 1))
    for i in range(n):
        W[i, i] = 1 - W[i].sum()
    return W


out["gossip"] = []
for name, W, rounds in [("ring 60", ring_w(60), 30), ("ring 10", ring_w(10), 3), ("star 6", star_w(6), 2)]:
    P = np.linalg.matrix_power(W, rounds)
    out["gossip"].append({"topology": name, "rounds": rounds, "factor": float(np.max(np.linalg.norm(P, axis=1)))})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "selection_error_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
