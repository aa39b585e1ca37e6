"""Reference values of tests/analyzer/analyzer_test.cpp, "matrix_factorization computes a banded
strategy's sensitivity": the sensitivity of a banded Toeplitz strategy by brute force (the
matrix C written out, the max of ||C 1_pi||^2 over every participation pattern pi of at most k
steps at least b apart; Choquette-Choo et al. 2023, Sec. 2: with bands <= b the columns of a
pattern have disjoint rows, so this is the worst case over gradient directions too), and the
exact epsilon of mu-GDP (Dong, Roth & Su 2019, Cor. 2.13) by bisection in mpmath.
Run: /usr/bin/python3 tests/analyzer/data/banded_mf_reference.py"""
from fractions import Fraction as F
from itertools import combinations
from mpmath import mp, mpf, ncdf, exp, sqrt

mp.dps = 40


def sensitivity_squared(coefficients, steps, k, b):
    c = [[F(0)] * steps for _ in range(steps)]
    for i in range(steps):
        for j in range(steps):
            if 0 <= i - j < len(coefficients):
                c[i][j] = F(coefficients[i - j])
    best = F(0)
    for m in range(1, k + 1):
        for pattern in combinations(range(steps), m):
            if any(q - p < b for p, q in zip(pattern, pattern[1:])):
                continue
            norm = sum(sum(c[i][j] for j in pattern) ** 2 for i in range(steps))
            best = max(best, norm)
    return best


def gdp_epsilon(mu, delta):
    f = lambda e: ncdf(-e / mu + mu / 2) - exp(e) * ncdf(-e / mu - mu / 2) - delta
    lo, hi = mpf(0), mpf(100)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return hi


# bands 2, 1, 2 over 10 steps, 4 participations 3 apart: the last column is cut by the last step.
print("cut pattern:", sensitivity_squared([2, 1, 2], 10, 4, 3))  # 31
# bands 1, 1/2, 3/8, 5/16 over 24 steps, 4 participations 6 apart (a small stand-in for
# gboard_dpftrl's 2000 steps, 500 apart: the same 4 whole columns).
print("gboard bands:", sensitivity_squared([1, F(1, 2), F(3, 8), F(5, 16)], 24, 4, 6))  # 381/64
print("mu = 1, delta 1e-6:", gdp_epsilon(mpf(1), mpf("1e-6")))  # 4.886554...
print("gboard compose alone, mu = sqrt(381/64)/4, delta 1e-10:", gdp_epsilon(sqrt(mpf(381) / 64) / 4, mpf("1e-10")))
