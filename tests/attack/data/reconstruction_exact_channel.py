#!/usr/bin/env python3
"""Reconstruction after an exact channel on add/remove data (tests/attack/measures_test.cpp).

Spec: d has field f: {a, b, c, e} with prior {1/2, 1/4, 1/8, 1/8}; the analyst sees randomized
response of f with keep 1/2 (another value with 1/6 each) and a Gaussian release of d with
sigma 2 (sensitivity 1). Given the channel's output y the target's value has posterior pi_y; the
Gaussian release against the run without the target (add/remove: mu = 1/2) bounds the success at
TPR(kappa_y) = Phi(Phi^-1(kappa_y) + mu) (Hayes, Mahloujifar & Balle 2023, Thm 2 on the Gaussian's
exact trade-off curve), and concavity gives E_y TPR(kappa_y) <= TPR(E_y kappa_y), where
E_y kappa_y = sum_y max_v P(v) P(y | v) is the channel's posterior vulnerability (Python
fractions, exact). The replace-one curve (sensitivity doubled: mu = 1) gives the larger figure.
"""
from fractions import Fraction as F
import mpmath as mp

mp.mp.dps = 30
prior = [F(1, 2), F(1, 4), F(1, 8), F(1, 8)]
keep = F(1, 2)
other = (1 - keep) / (len(prior) - 1)
vulnerability = sum(max(p * (keep if v == y else other) for v, p in enumerate(prior)) for y in range(len(prior)))
print("vulnerability", vulnerability)
for mu in (mp.mpf(1) / 2, mp.mpf(1)):
    k = mp.mpf(vulnerability.numerator) / vulnerability.denominator
    print("mu", mu, "tpr", mp.nstr(mp.ncdf(mp.sqrt(2) * mp.erfinv(2 * k - 1) + mu), 17))
# Output:
# vulnerability 13/24
# mu 0.5 tpr 0.72728871394054654
# mu 1.0 tpr 0.86534077583609458
