"""Reference values for dp/network_spectrum.cpp (certified_lazy_walk): the second eigenvalue of
the lazy random walk (I + D^-1 A)/2 on explicit graphs, and 1/pi_min = 2|E| / least degree.

lambda2 is the second largest eigenvalue of N = D^-1/2 A D^-1/2 (similar to D^-1 A); the lazy
walk's is (1 + lambda2)/2. Small graphs: mpmath.eigsy at 50 digits; the graphs of 300 and 1000
members: numpy.linalg.eigvalsh (LAPACK, absolute error ~1e-14, stated as "numpy").
Closed forms where known: Petersen graph (adjacency 3, 1, -2: lambda2 = 1/3), path of 10
(lambda2 = cos(pi/9)), cycle of 30 (cos(2 pi/30)), star (0), complete K6 (-1/5).
Run: /usr/bin/python3 network_spectrum_ref.py > ../network_spectrum_reference.json
"""
import json
import math

import mpmath
import numpy as np

mpmath.mp.dps = 50


def normalised(n, edges):
    a = np.zeros((n, n))
    for i, j in edges:
        a[i, j] = a[j, i] = 1
    return a


def lambda2_mp(n, edges):
    deg = [0] * n
    for i, j in edges:
        deg[i] += 1
        deg[j] += 1
    m = mpmath.matrix(n, n)
    for i, j in edges:
        v = 1 / mpmath.sqrt(deg[i] * deg[j])
        m[i, j] = v
        m[j, i] = v
    ev = mpmath.eigsy(m, eigvals_only=True)
    ev = sorted(ev, reverse=True)
    return ev[1]


def lambda2_np(n, edges):
    a = normalised(n, edges)
    d = a.sum(axis=1)
    s = 1 / np.sqrt(d)
    ev = np.sort(np.linalg.eigvalsh(a * s[:, None] * s[None, :]))[::-1]
    return ev[1]


def connected_random(n, p, seed):
    rng = np.random.default_rng(seed)
    while True:
        edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
        # connect: a spanning path over a random order keeps it connected
        order = rng.permutation(n)
        edges = sorted(set(edges) | {tuple(sorted((int(order[k]), int(order[k + 1])))) for k in range(n - 1)})
        return edges


def case(name, n, edges, method, closed=None):
    deg = [0] * n
    for i, j in edges:
        deg[i] += 1
        deg[j] += 1
    lam2 = lambda2_mp(n, edges) if method == "mpmath" else mpmath.mpf(float(lambda2_np(n, edges)))
    if closed is not None:
        assert abs(lam2 - closed) < 1e-12, (name, lam2, closed)
    out = {
        "name": name,
        "agents": n,
        "edges": [list(e) for e in edges],
        "method": method,
        "lambda2": mpmath.nstr(lam2, 30),
        "lazy_lambda": mpmath.nstr((1 + lam2) / 2, 30),
        "inv_pi_min": mpmath.nstr(mpmath.mpf(sum(deg)) / min(deg), 30),
    }
    return out


petersen = [(i, (i + 1) % 5) for i in range(5)] + [(5 + i, 5 + (i + 2) % 5) for i in range(5)] + [(i, i + 5) for i in range(5)]
path10 = [(i, i + 1) for i in range(9)]
cycle30 = [(i, (i + 1) % 30) for i in range(30)]
star8 = [(0, i) for i in range(1, 8)]
k6 = [(i, j) for i in range(6) for j in range(i + 1, 6)]
barbell = [(i, j) for i in range(5) for j in range(i + 1, 5)] + [(i, j) for i in range(5, 10) for j in range(i + 1, 10)] + [(4, 5)]

cases = [
    case("petersen", 10, sorted(tuple(sorted(e)) for e in petersen), "mpmath", mpmath.mpf(1) / 3),
    case("path10", 10, path10, "mpmath", mpmath.cos(mpmath.pi / 9)),
    case("cycle30", 30, sorted(tuple(sorted(e)) for e in cycle30), "mpmath", mpmath.cos(2 * mpmath.pi / 30)),
    case("star8", 8, star8, "mpmath", mpmath.mpf(0)),
    case("complete6", 6, k6, "mpmath", mpmath.mpf(-1) / 5),
    case("barbell", 10, barbell, "mpmath"),
    case("random40", 40, connected_random(40, 0.08, 1), "mpmath"),
    case("random300", 300, connected_random(300, 0.02, 2), "numpy"),
    case("random1000", 1000, connected_random(1000, 0.004, 3), "numpy"),
]

print(json.dumps({
    "source": "tests/dp/data/scripts/network_spectrum_ref.py: mpmath.eigsy (50 digits) or numpy.linalg.eigvalsh "
              "of the normalised adjacency D^-1/2 A D^-1/2; closed forms checked for petersen, path10, cycle30, star8, complete6",
    "cases": cases,
    "not_certified": [
        {"name": "two triangles", "agents": 6, "edges": [[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5]]},
        {"name": "isolated member", "agents": 4, "edges": [[0, 1], [1, 2], [0, 2]]},
    ],
}, indent=1))
