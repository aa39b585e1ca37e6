#!/usr/bin/python3
# Independent reference values for the linear-Gaussian engine (dp/network.hpp), computed EXACTLY
# in rational arithmetic (Python fractions) and then square-rooted in mpmath at 50 digits:
#  - view: random integer matrices B (some rank-deficient) and shifts s; mu^2 = s^T (B B^T)^+ s,
#    from any solution y of (B B^T) y = s (exact Gaussian elimination): mu^2 = s^T y; "inf"
#    when the system is inconsistent (s not in range(B)).
#  - gossip: the Metropolis gossip matrix W of a small graph (1/(1+max(deg i, deg j)) off the
#    diagonal), the coalition's honest-coordinate rows A_H = {(W^k)[j, H] : j honest neighbour of
#    the coalition, k < rounds}; mu = (clip/sigma) * sqrt(s^T y) with s = A_H e_t,
#    (A_H A_H^T) y = s.
#  - walk: the view of a token walk on an explicit path built as y = A x + B z (one row per
#    coalition observation: the running sum before a colluder adds its own, known, value; and
#    the final token), B the honest visits' noises, solved as above.
#  - epsilon: the exact epsilon of mu-GDP at delta (Dong, Roth & Su 2019, Cor. 2.13), bisection
#    in mpmath, for the token-walk figures of issue #20 (sigma = 2, clip = 1, delta = 1e-5).
# Run: /usr/bin/python3 network_ref.py > ../network_reference.json
import json, random
from fractions import Fraction as F
import mpmath as mp
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_views import solve_consistent, mu_squared, walk_mu2
mp.mp.dps = 50

def fmt(x):
    return "inf" if x is None else mp.nstr(mp.sqrt(mp.mpf(x.numerator) / x.denominator), 30)

def view_cases(rng):
    out = []
    for case in range(12):
        m = rng.randint(1, 5); k = rng.randint(1, 6)
        B = [[F(rng.randint(-3, 3)) for _ in range(k)] for _ in range(m)]
        if case % 3 == 0 and m > 1: B[-1] = [2 * x - y for x, y in zip(B[0], B[-1 if m == 1 else 1])]
        if case % 4 == 1:
            w = [F(rng.randint(-2, 2)) for _ in range(k)]
            s = [sum(b * x for b, x in zip(row, w)) for row in B]
        else:
            s = [F(rng.randint(-3, 3)) for _ in range(m)]
        mu2 = mu_squared(B, s) if any(s) else F(0)
        out.append({"observations": m, "noises": k, "noise": [[int(x) for x in r] for r in B],
                    "shift": [int(x) for x in s], "mu": fmt(mu2) if any(s) else "0"})
    return out

def neighbours_of(n, edges):
    nb = [set() for _ in range(n)]
    for a, b in edges: nb[a].add(b); nb[b].add(a)
    return nb

def gossip_mu2(n, edges, coalition, target, rounds):
    nb = neighbours_of(n, edges)
    W = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        for j in nb[i]: W[i][j] = F(1, 1 + max(len(nb[i]), len(nb[j])))
        W[i][i] = 1 - sum(W[i][j] for j in nb[i])
    honest = [i for i in range(n) if i not in coalition]
    starts = sorted({j for c in coalition for j in nb[c] if j not in coalition})
    rows = []
    for j in starts:
        row = [F(int(i == j)) for i in range(n)]
        for k in range(rounds):
            rows.append([row[i] for i in honest])
            row = [sum(row[a] * W[a][i] for a in range(n)) for i in range(n)]
    if not rows: return F(0)
    t = honest.index(target)
    s = [r[t] for r in rows]
    if not any(s): return F(0)
    return mu_squared(rows, s)

def ring_edges(n): return [(i, (i + 1) % n) for i in range(n)]
def torus_edges(a, b):
    e = set()
    for r in range(a):
        for c in range(b):
            u = r * b + c
            for v in (((r + 1) % a) * b + c, r * b + (c + 1) % b): e.add((min(u, v), max(u, v)))
    return sorted(e)

def random_connected(rng, n):
    while True:
        edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.22]
        nb = neighbours_of(n, edges); seen = {0}; stack = [0]
        while stack:
            u = stack.pop()
            for v in nb[u]:
                if v not in seen: seen.add(v); stack.append(v)
        if len(seen) == n: return edges

def gossip_cases(rng):
    out = []
    specs = [("ring", 9, None), ("ring", 12, None), ("ring", 16, None), ("torus", 9, (3, 3)), ("torus", 16, (4, 4)),
             ("star", 7, None), ("complete", 6, None)]
    specs += [("edges", rng.randint(7, 12), None) for _ in range(14)]
    for kind, n, shape in specs:
        if kind == "ring": edges = ring_edges(n)
        elif kind == "torus": edges = torus_edges(*shape)
        elif kind == "star": edges = [(0, i) for i in range(1, n)]
        elif kind == "complete": edges = [(i, j) for i in range(n) for j in range(i + 1, n)]
        else: edges = random_connected(rng, n)
        for _ in range(3):
            target = rng.randrange(n)
            k = rng.randint(1, 3)
            nb = neighbours_of(n, edges)
            far = [i for i in range(n) if i != target and i not in nb[target]]
            pool = far if len(far) >= k and rng.random() < 0.8 else [i for i in range(n) if i != target]
            coalition = sorted(rng.sample(pool, min(k, len(pool))))
            rounds = rng.randint(1, 6)
            mu2 = gossip_mu2(n, edges, set(coalition), target, rounds)
            case = {"kind": kind, "agents": n, "coalition": coalition, "target": target, "rounds": rounds,
                    "mu_unit": fmt(mu2)}
            if kind == "edges": case["edges"] = edges
            if kind == "torus": case["shape"] = list(shape)
            out.append(case)
    return out

def walk_cases(rng):
    out = []
    for _ in range(20):
        n = rng.randint(4, 9); steps = rng.randint(3, 30)
        path = [rng.randrange(n)]
        for _ in range(steps - 1):
            path.append(rng.choice([i for i in range(n) if i != path[-1]]))
        target = rng.randrange(n)
        coalition = sorted(rng.sample([i for i in range(n) if i != target], rng.randint(0, 3)))
        out.append({"path": path, "coalition": coalition, "target": target, "mu_unit": fmt(walk_mu2(path, set(coalition), target))})
    # ring walks: the worst start, the brute force over every start of a path of steps visits
    ring = []
    for n, coalition, target, steps in [(8, [3], 0, 17), (8, [1], 0, 9), (10, [2, 7], 4, 31), (6, [1, 5], 0, 13), (12, [5, 9], 0, 25), (7, [], 2, 15)]:
        best = F(0)
        for start in range(n):
            path = [(start + s) % n for s in range(steps)]
            best = max(best, walk_mu2(path, set(coalition), target))
        ring.append({"agents": n, "coalition": coalition, "target": target, "steps": steps, "mu_unit": fmt(best)})
    return out, ring

def gdp_epsilon(mu, delta):
    mu = mp.mpf(mu); delta = mp.mpf(delta)
    d = lambda e: mp.ncdf(-e / mu + mu / 2) - mp.e ** e * mp.ncdf(-e / mu - mu / 2)
    lo, hi = mp.mpf(0), mp.mpf(100)
    for _ in range(200):
        mid = (lo + hi) / 2
        if d(mid) > delta: lo = mid
        else: hi = mid
    return hi

def cli_cases():
    # privflow account token-walk / gossip: sigma 2, clip 1, delta 1e-5
    out = []
    for coalition in ([3], [1], [1, 49]):
        n, steps, target = 50, 101, 0
        best = F(0)
        for start in range(n):
            path = [(start + s) % n for s in range(steps)]
            best = max(best, walk_mu2(path, set(coalition), target))
        mu = mp.sqrt(mp.mpf(best.numerator) / best.denominator) / 2
        out.append({"command": "token-walk", "agents": n, "steps": steps, "coalition": coalition, "target": target,
                    "mu": mp.nstr(mu, 30), "epsilon": mp.nstr(gdp_epsilon(mu, mp.mpf("1e-5")), 20)})
    m2 = gossip_mu2(64, torus_edges(8, 8), {0}, 27, 8)
    mu = mp.sqrt(mp.mpf(m2.numerator) / m2.denominator) / 2
    out.append({"command": "gossip", "torus": [8, 8], "rounds": 8, "coalition": [0], "target": 27,
                "mu": mp.nstr(mu, 30), "epsilon": mp.nstr(gdp_epsilon(mu, mp.mpf("1e-5")), 20) if mu > 0 else "0"})
    return out

rng = random.Random(20)
walks, ring = walk_cases(rng)
eps = [{"hops": k, "sigma": 2, "clip": 1, "delta": 1e-5, "mu": mp.nstr(1 / (2 * mp.sqrt(k)), 30),
        "epsilon": mp.nstr(gdp_epsilon(1 / (2 * mp.sqrt(k)), mp.mpf("1e-5")), 20)} for k in (1, 2, 3, 10)]
print(json.dumps({
  "source": "tests/dp/data/scripts/network_ref.py: exact rational linear algebra (Python fractions) on A and B built explicitly, sqrt in mpmath (50 digits); seed 20",
  "view": view_cases(rng), "gossip": gossip_cases(rng), "walk_paths": walks, "ring_walk_worst_start": ring,
  "token_walk_epsilon": eps, "cli": cli_cases()}, indent=1))
