#!/usr/bin/env python3
"""Reference values for RDP orders near 1 (issue #17: DP-SGD with 10^12 steps).

Independent of privflow: the Poisson-subsampled Gaussian's A_alpha = E_{N(0,z^2)}[(1 - q + q e^{(2x-1)/(2z^2)})^alpha]
(Mironov, Talwar & Zhang 2019, the add/remove curve r(alpha) = log(A_alpha)/(alpha - 1)) by mpmath
quadrature at 40 digits; the RDP -> (eps, delta) conversion of Canonne, Kamath & Steinke 2020,
Prop. 12: eps(alpha) = T r(alpha) + log1p(-1/alpha) - log(delta alpha)/(alpha - 1), minimised over
every alpha > 1 (golden section on log(alpha - 1), then checked on a fine scan).

Also a lower bound on the TRUE epsilon of the mechanism (not of the RDP bound): the remove pair
P = (1-q)N(0,z^2) + qN(1,z^2), Q = N(0,z^2) is realised by a sum query with one record's gradient
of norm 1, so delta(eps) >= E_P[(1 - e^{eps - L})_+] >= (1 - e^{-1}) P_P[L_T >= eps + 1] for the
T-fold loss L_T (mean T*KL, variance T*Var_P(L)). Cantelli: P[L_T >= mu - 10 sd] >= 100/101, which
exceeds delta/(1 - e^{-1}) for every delta here, so the true eps is above mu - 10 sd - 1.

Run: python3 rdp_near_one_reference.py > rdp_near_one_reference.json
"""
import json
import mpmath as mp

mp.mp.dps = 40


def log_a(z, q, alpha):
    z, q, alpha = mp.mpf(z), mp.mpf(q), mp.mpf(alpha)
    z0 = z * z * mp.log((1 - q) / q) + mp.mpf(1) / 2
    f = lambda x: mp.npdf(x, 0, z) * ((1 - q) + q * mp.e ** ((2 * x - 1) / (2 * z * z))) ** alpha
    pts = [-mp.inf, -12 * z, 0, mp.mpf(1) / 2, z0, z0 + 12 * z, mp.inf]
    return mp.log(mp.quad(f, sorted(set(pts))))


def rdp(z, q, alpha):
    return log_a(z, q, alpha) / (mp.mpf(alpha) - 1)


def eps_at(z, q, steps, delta, alpha):
    a = mp.mpf(alpha)
    return steps * rdp(z, q, a) + mp.log1p(-1 / a) - mp.log(mp.mpf(delta) * a) / (a - 1)


def best_eps(z, q, steps, delta):
    f = lambda t: eps_at(z, q, steps, delta, 1 + mp.e ** t)
    # coarse scan of log(alpha - 1), then golden section
    ts = [mp.mpf(-20) + k * mp.mpf('0.25') for k in range(0, 90)]
    vals = [f(t) for t in ts]
    k = min(range(len(ts)), key=lambda i: vals[i])
    lo, hi = ts[max(k - 1, 0)], ts[min(k + 1, len(ts) - 1)]
    g = (mp.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(80):
        if f1 < f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - g * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + g * (hi - lo)
            f2 = f(x2)
    t = x1 if f1 < f2 else x2
    return min(f1, f2), 1 + mp.e ** t


def loss_moments(z, q):
    """KL(P||Q) and Var_P(L) of the remove pair's loss L = log(1 - q + q e^{(2x-1)/(2z^2)})."""
    z, q = mp.mpf(z), mp.mpf(q)
    L = lambda x: mp.log((1 - q) + q * mp.e ** ((2 * x - 1) / (2 * z * z)))
    p = lambda x: (1 - q) * mp.npdf(x, 0, z) + q * mp.npdf(x, 1, z)
    pts = [-mp.inf, -12 * z, 0, 1, 1 + 12 * z, mp.inf]
    m1 = mp.quad(lambda x: p(x) * L(x), pts)
    m2 = mp.quad(lambda x: p(x) * L(x) ** 2, pts)
    return m1, m2 - m1 * m1


cases = []
for z, q, steps, delta in [(1.1, 0.01, 10**12, 1e-5), (1.1, 0.01, 10**10, 1e-5), (0.8, 0.004, 10**11, 1e-6),
                           (2.0, 0.1, 10**9, 1e-8), (0.8, 0.01, 10**6, 1e-5), (0.5, 0.5, 10**6, 1e-5)]:
    eps, alpha = best_eps(z, q, steps, delta)
    kl, var = loss_moments(z, q)
    lower = steps * kl - 10 * mp.sqrt(steps * var) - 1
    cases.append({"noise_multiplier": z, "sampling_rate": q, "steps": steps, "delta": delta,
                  "rdp_epsilon_best_order": float(eps), "best_order": float(alpha),
                  "true_epsilon_lower_bound": float(lower), "kl_per_step": float(kl), "loss_variance_per_step": float(var)})

curve = []
for z, q in [(1.1, 0.01), (0.8, 0.004), (2.0, 0.1), (0.5, 0.5)]:
    for alpha in ['1.000001', '1.00001', '1.0001', '1.001', '1.01', '1.05', '1.09', '1.3', '1.7', '1.95']:
        curve.append({"noise_multiplier": z, "sampling_rate": q, "alpha": float(alpha), "rdp": float(rdp(z, q, alpha))})

print(json.dumps({"source": "tests/dp/data/rdp_near_one_reference.py (mpmath " + mp.__version__ + ", 40 digits)",
                  "cases": cases, "curve": curve}, indent=1))
