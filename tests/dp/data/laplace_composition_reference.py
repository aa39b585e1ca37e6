"""Reference values for the exact k-fold Laplace composition (dp/laplace_composition.cpp).

Independent of privflow's method (Bernstein pieces convolved one use at a time): here the
composed privacy loss is split by how many uses fell in each region of the Laplace output,
  a uses at +eps0 (probability 1/2 each), b at -eps0 (e^-eps0/2), c in between
  (density 1/4 e^{(l - eps0)/2} on (-eps0, eps0)),
and the c in-between losses sum to e^{s/2} times the Irwin-Hall density (the convolution of c
boxes, by its alternating formula at high precision), so
  delta(eps) = sum over a+b+c=k of k!/(a! b! c!) (1/2)^a (e^-eps0/2)^b J_c(eps - (a - b) eps0),
  J_c(t) = integral of g_c(s) (1 - e^{t - s})_+ ds,
integrated piece by piece with mpmath.quad at 40 + 2c digits. Run: python3 this_file >
laplace_composition_reference.json (about two minutes of CPU).
"""
import json
from mpmath import mp, mpf, exp, quad, binomial, factorial


def irwin_hall(c, x):
    """Density of the sum of c U(0,1) at x (alternating sum; needs the working precision)."""
    if x <= 0 or x >= c:
        return mpf(0)
    s = mpf(0)
    for j in range(0, int(mp.floor(x)) + 1):
        s += (-1) ** j * binomial(c, j) * (x - j) ** (c - 1)
    return s / factorial(c - 1)


def j_c(c, eps0, t):
    if c == 0:
        return max(mpf(0), 1 - exp(t))  # the atom at 0
    w = 2 * eps0
    const = (mpf(1) / 4) ** c * exp(-c * eps0 / 2) * w ** (c - 1)

    def g(s):
        return const * exp(s / 2) * irwin_hall(c, (s + c * eps0) / w) * (1 - exp(t - s))

    lo = max(t, -c * eps0)
    hi = c * eps0
    if lo >= hi:
        return mpf(0)
    points = [lo] + [-c * eps0 + i * w for i in range(1, c) if lo < -c * eps0 + i * w < hi] + [hi]
    return quad(g, points)


def delta(eps0, k, eps):
    eps0, eps = mpf(eps0), mpf(eps)
    total = mpf(0)
    for a in range(k + 1):
        for b in range(k + 1 - a):
            c = k - a - b
            weight = factorial(k) / (factorial(a) * factorial(b) * factorial(c))
            weight *= (mpf(1) / 2) ** a * (exp(-eps0) / 2) ** b
            total += weight * j_c(c, eps0, eps - (a - b) * eps0)
    return total


def main():
    cases = []
    for eps0, k, epsilons in [("0.5", 1, ["0", "0.1", "0.3"]), ("1", 2, ["0", "0.5", "1.5"]),
                              ("0.1", 5, ["0", "0.05", "0.2"]), ("0.5", 10, ["1", "2", "3.5"]),
                              ("2", 5, ["1", "4", "7"]), ("0.25", 20, ["1", "2"]),
                              ("3", 3, ["0.5", "5"])]:
        k_digits = 40 + 2 * k
        mp.dps = k_digits
        for eps in epsilons:
            d = delta(eps0, k, eps)
            cases.append({"epsilon0": eps0, "uses": k, "epsilon": eps, "delta": mp.nstr(d, 25)})
    quantiles = []
    for eps0, k, target in [("0.00001", 10, "1e-5"), ("0.5", 10, "1e-5"), ("2", 5, "1e-8")]:
        mp.dps = 40 + 2 * k
        lo, hi = mpf(0), k * mpf(eps0)
        for _ in range(60):  # delta falls with epsilon: bisection to about 1e-18 of k eps0
            mid = (lo + hi) / 2
            if delta(eps0, k, mid) <= mpf(target):
                hi = mid
            else:
                lo = mid
        quantiles.append({"epsilon0": eps0, "uses": k, "delta": target, "epsilon": mp.nstr(hi, 20)})
    print(json.dumps({"source": "tests/dp/data/laplace_composition_reference.py (mpmath: multinomial split "
                      "and Irwin-Hall densities, quadrature at 40 + 2k digits)", "cases": cases,
                      "epsilon_at_delta": quantiles}, indent=1))


if __name__ == "__main__":
    main()
