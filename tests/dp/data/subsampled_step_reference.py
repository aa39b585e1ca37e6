#!/usr/bin/env python3
# Writes subsampled_step_reference.json (Debian's python3-mpmath, 80 digits):
#   python3 subsampled_step_reference.py > subsampled_step_reference.json
# One Poisson-subsampled Gaussian step under add/remove: P = (1-q)N(0,z^2) + qN(1,z^2) against
# Q = N(0,z^2). The privacy loss is monotone in the output x, so each direction's hockey stick is
# a half-line event, summed directly from the mixture's normal CDFs (no joint-convexity identity,
# unlike the C++ side): delta(eps) = max(P(x>x1) - e^eps Q(x>x1), Q(x<x2) - e^eps P(x<x2)).
# epsilon(delta) is found by bisection to 30 digits.
import json
from mpmath import mp, mpf, ncdf, log, exp
mp.dps = 80

def delta_at(q, z, eps):
    q, z, eps = mpf(q), mpf(z), mpf(eps)
    E = exp(eps)
    d1 = d2 = mpf(0)
    if E - (1 - q) > 0:   # remove: P/Q = (1-q) + q exp((2x-1)/(2z^2)) > E  <=>  x > x1
        x1 = z**2 * log((E - (1 - q)) / q) + mpf(1) / 2
        d1 = (1 - q) * ncdf(-x1 / z) + q * ncdf(-(x1 - 1) / z) - E * ncdf(-x1 / z)
    if 1 / E - (1 - q) > 0:   # add: Q/P > E  <=>  x < x2
        x2 = z**2 * log((1 / E - (1 - q)) / q) + mpf(1) / 2
        d2 = ncdf(x2 / z) - E * ((1 - q) * ncdf(x2 / z) + q * ncdf((x2 - 1) / z))
    return max(d1, d2, mpf(0))

def epsilon_at(q, z, delta):
    delta = mpf(delta)
    if delta_at(q, z, 0) <= delta:
        return mpf(0)
    lo, hi = mpf(0), mpf(1)
    while delta_at(q, z, hi) > delta:
        lo, hi = hi, hi * 2
    for _ in range(120):
        mid = (lo + hi) / 2
        if delta_at(q, z, mid) > delta: lo = mid
        else: hi = mid
    return hi

cases = []
for q, z, d in [(0.01, 1.1, 1e-5), (0.01, 0.8, 1e-5), (1e-6, 1.127959818, 1e-30), (0.5, 1.973568872, 0.1),
                (0.01, 97454.65328, 1e-30), (0.5, 2.0, 1e-10), (1e-3, 0.5, 1e-8), (0.2, 5.0, 1e-6),
                (0.9, 1.0, 1e-3), (1e-6, 0.7426303858, 1e-30), (0.01, 10.0, 1e-300), (0.05, 0.3, 1e-5),
                (0.01, 1e-3, 1e-10), (1e-9, 1e-3, 1e-300)]:  # huge epsilon: e^eps beyond long double
    e = epsilon_at(q, z, d)
    cases.append({"q": q, "noise": z, "delta": d, "epsilon": float(mp.nstr(e, 20)),
                  "delta_at_1": float(mp.nstr(delta_at(q, z, 1), 20)),
                  "delta_at_0.01": float(mp.nstr(delta_at(q, z, mpf('0.01')), 20))})
print(json.dumps({"source": "80-digit mpmath: the hockey stick of one Poisson-subsampled Gaussian step (add/remove) "
                  "summed as half-line events of the mixture's normal CDFs; epsilon by bisection "
                  "(tests/dp/data/subsampled_step_reference.py)", "cases": cases}, indent=1))
