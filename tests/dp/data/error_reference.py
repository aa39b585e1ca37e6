#!/usr/bin/python3
"""Reference values for dp/error.hpp (tests/dp/error_test.cpp), computed independently of
privflow with scipy.stats quantiles, Python fractions and mpmath (run with /usr/bin/python3:
numpy, scipy and mpmath; writes error_reference.json beside this script).

- laplace: scipy.stats.laplace(scale=b).ppf(1 - beta/2) (the two-sided half-width) and
  scipy.stats.laplace(scale=b).std().
- gaussian: scipy.stats.norm(scale=sigma).ppf(1 - beta/2) and sigma.
- geometric: the two-sided geometric P(k) = (1-a)/(1+a) a^|k|, a = e^-eps, summed exactly in
  mpmath (60 digits): the variance, and the least whole k with P(|X| > k) <= beta.
- discrete_gaussian: N_Z(0, sigma^2) summed in mpmath over |k| <= 60 sigma: the variance and the
  least whole w with P(|X| > w) <= beta.
- frequency: Wang, Blocki, Li & Jha 2017 (USENIX Security), Theorem 2, in Python fractions: the
  count variance n s_o(1-s_o)/(s_t-s_o)^2 + c (1-s_t-s_o)/(s_t-s_o), its maximum over c in
  {0, n} (it is linear in c) divided by n^2 is the frequency's worst-case variance; the
  half-width is Bernstein's inequality 2 exp(-n t^2 / (2 (v + t/(3 gap)))) = beta solved for t
  in mpmath (findroot), v the worst per-report variance.
"""
import json
import os
from fractions import Fraction as F

import mpmath as mp
import scipy.stats as st

mp.mp.dps = 60
out = {"_source": __doc__.strip(), "laplace": [], "gaussian": [], "geometric": [], "discrete_gaussian": [],
       "frequency": []}

for b, beta in [(4, 0.05), (0.5, 0.01), (1000, 0.1)]:
    d = st.laplace(scale=b)
    out["laplace"].append({"scale": b, "beta": beta, "sd": float(d.std()), "half_width": float(d.ppf(1 - beta / 2)),
                           "call": "scipy.stats.laplace(scale=%r).ppf(1 - %r/2)" % (b, beta)})
for s, beta in [(100, 0.05), (1.5, 0.01), (0.02, 0.2)]:
    d = st.norm(scale=s)
    out["gaussian"].append({"sigma": s, "beta": beta, "sd": s, "half_width": float(d.ppf(1 - beta / 2)),
                            "call": "scipy.stats.norm(scale=%r).ppf(1 - %r/2)" % (s, beta)})
for eps, beta in [(0.5, 0.05), (1, 0.01), (0.1, 0.05)]:
    a = mp.e ** (-mp.mpf(eps))
    norm = (1 - a) / (1 + a)
    var = 2 * a / (1 - a) ** 2
    k = 0
    while 2 * a ** (k + 1) / (1 + a) > beta:
        k += 1
    out["geometric"].append({"epsilon": eps, "beta": beta, "sd": float(mp.sqrt(var)), "half_width": k})
for s, beta in [(3, 0.05), (0.5, 0.05), (20, 0.01)]:
    s2 = mp.mpf(s) ** 2
    K = int(60 * s + 60)
    w = [mp.e ** (-mp.mpf(k) ** 2 / (2 * s2)) for k in range(K + 1)]
    total = w[0] + 2 * sum(w[1:])
    var = 2 * sum(k * k * w[k] for k in range(1, K + 1)) / total
    inside = w[0] / total
    h = 0
    while 1 - inside > beta:
        h += 1
        inside += 2 * w[h] / total
    out["discrete_gaussian"].append({"sigma": s, "beta": beta, "sd": float(mp.sqrt(var)), "half_width": h})
cases = [
    # randomized response keep 3/5 over 2 values, 10 000 reports
    ("rr keep 3/5, k = 2", F(3, 5), F(2, 5), 10000, 0.05),
    # OUE at epsilon = ln 3: q = 1/2, p = 1/(e^eps + 1) = 1/4
    ("oue eps ln 3", F(1, 2), F(1, 4), 100000, 0.05),
    # RAPPOR f = 1/2, p = 1/2, q = 3/4: q* = 5/8 + ... (Erlingsson et al. 2014, 3.2)
    ("rappor f 1/2 p 1/2 q 3/4", F(1, 4) * (F(1, 2) + F(3, 4)) + F(1, 2) * F(3, 4),
     F(1, 4) * (F(1, 2) + F(3, 4)) + F(1, 2) * F(1, 2), 1000000, 0.01),
]
for name, s_t, s_o, n, beta in cases:
    gap = s_t - s_o
    var_c = lambda c: n * s_o * (1 - s_o) / gap ** 2 + c * (1 - s_t - s_o) / gap
    worst = max(var_c(0), var_c(n)) / F(n) ** 2
    v = max(s_t * (1 - s_t), s_o * (1 - s_o)) / gap ** 2
    assert worst == v / n, (worst, v / n)
    L = mp.log(2 / mp.mpf(beta))
    g = mp.mpf(gap.numerator) / gap.denominator
    vv = mp.mpf(v.numerator) / v.denominator
    t = mp.findroot(lambda t: n * t ** 2 / (2 * (vv + t / (3 * g))) - L, 0.01)
    out["frequency"].append({"name": name, "support_true": str(s_t), "support_other": str(s_o), "n": n, "beta": beta,
                             "variance": str(worst), "sd": float(mp.sqrt(mp.mpf(worst.numerator) / worst.denominator)),
                             "half_width": float(t)})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "error_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
