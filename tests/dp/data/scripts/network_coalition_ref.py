#!/usr/bin/python3
# Independent reference values for gossip (dp/network.hpp) with coalitions of every size, from a
# few colluders to half the graph: dp/linear_gaussian.cpp joins the coalition's known
# coordinates to the messages' span one colluder at a time when the coalition is small against
# the messages (2·colluders within reach <= independent messages), by projecting the messages
# onto the honest coordinates when it is large; these cases exercise both. Computed EXACTLY in
# rational arithmetic (Python fractions), square-rooted in mpmath at 50 digits; written apart
# from network_ref.py (no code shared):
#   W the Metropolis gossip matrix (1/(1+max(deg i, deg j)) off the diagonal), the messages the
#   rows (W^k)[j, :] for j an honest neighbour of the coalition and k < rounds; the coalition
#   knows its own coordinates, so the rows restricted to the honest coordinates, A_H, give
#   mu^2 = s^T (A_H A_H^T)^+ s with s = A_H e_t (any solution y of (A_H A_H^T) y = s: s^T y).
# "join" records which way the engine takes: "coordinates" when 2·|C within reach| <= rank of
# the full rows (the engine's Krylov basis, exact here), else "honest"; "none" when the target is
# out of reach (mu = 0 before any basis). Ten cases of each way with 0 < mu < 1, and a few at
# 0 or 1.
# Run: /usr/bin/python3 network_coalition_ref.py > ../network_coalition_reference.json
import json, random, sys
from fractions import Fraction as F
import mpmath as mp
mp.mp.dps = 50

def rank_and_solve(M, s):
    """Exact Gauss–Jordan on [M | s]: (rank of M, a solution y of M y = s or None)."""
    n = len(M); m = len(M[0]) if n else 0
    A = [row[:] + [s[i]] for i, row in enumerate(M)]
    pivots = []; r = 0
    for c in range(m):
        p = next((i for i in range(r, n) if A[i][c] != 0), None)
        if p is None: continue
        A[r], A[p] = A[p], A[r]
        inv = 1 / A[r][c]
        A[r] = [x * inv for x in A[r]]
        for i in range(n):
            if i != r and A[i][c] != 0:
                f = A[i][c]; A[i] = [a - f * b for a, b in zip(A[i], A[r])]
        pivots.append(c); r += 1
    if any(A[i][m] != 0 for i in range(r, n)): return r, None
    y = [F(0)] * m
    for i, c in enumerate(pivots): y[c] = A[i][m]
    return r, y

def rank(rows):
    return rank_and_solve(rows, [F(0)] * len(rows))[0] if rows else 0

def sparse_graph(rng, n, extra):
    """A random tree (each member joins an earlier one) and `extra` further edges."""
    edges = {(rng.randrange(i), i) for i in range(1, n)}
    while len(edges) < n - 1 + extra:
        i, j = sorted(rng.sample(range(n), 2))
        edges.add((i, j))
    edges = sorted(edges)
    nb = [set() for _ in range(n)]
    for a, b in edges: nb[a].add(b); nb[b].add(a)
    return edges, nb

def hops_from(nb, sources):
    hops = {s: 0 for s in sources}; frontier = list(sources)
    while frontier:
        nxt = []
        for u in frontier:
            for v in nb[u]:
                if v not in hops: hops[v] = hops[u] + 1; nxt.append(v)
        frontier = nxt
    return hops

def case(rng, n, extra, k, rounds, clustered):
    edges, nb = sparse_graph(rng, n, extra)
    W = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        for j in nb[i]: W[i][j] = F(1, 1 + max(len(nb[i]), len(nb[j])))
        W[i][i] = 1 - sum(W[i][j] for j in nb[i])
    # the coalition: the k members nearest a random centre (a cluster), or k random members;
    # the target: not a neighbour of the coalition (else local DP), preferably 2 or 3 hops away
    centre = rng.randrange(n)
    order = sorted(range(n), key=lambda v: (hops_from(nb, [centre])[v], rng.random()))
    coalition = sorted(order[:k]) if clustered else sorted(rng.sample(range(n), k))
    hops = hops_from(nb, coalition)
    far = [v for v in range(n) if hops[v] >= 2]
    if not far: return None
    near = [v for v in far if hops[v] <= 3]
    target = rng.choice(near or far)
    C = set(coalition)
    honest = [i for i in range(n) if i not in C]
    starts = sorted({j for c in coalition for j in nb[c] if j not in C})
    full = []
    for j in starts:
        row = [F(int(i == j)) for i in range(n)]
        for _ in range(rounds):
            full.append(row)
            row = [sum(row[a] * W[a][i] for a in range(n)) for i in range(n)]
    # members within rounds - 1 hops of a start (the engine's support)
    reach = set(starts); frontier = set(starts)
    for _ in range(rounds - 1):
        frontier = {v for u in frontier for v in nb[u]} - reach
        reach |= frontier
    within = len(C & reach)
    rows = [[r[i] for i in honest] for r in full]
    mu2 = F(0)
    if rows and target in reach:
        t = honest.index(target)
        s = [r[t] for r in rows]
        if any(s):
            gram = [[sum(a * b for a, b in zip(ri, rj)) for rj in rows] for ri in rows]
            mu2 = sum(a * b for a, b in zip(s, rank_and_solve(gram, s)[1]))
    krylov = rank(full) if target in reach and starts else 0
    return {"agents": n, "edges": edges, "coalition": coalition, "target": target, "rounds": rounds,
            "mu_unit": mp.nstr(mp.sqrt(mp.mpf(mu2.numerator) / mu2.denominator), 30),
            "join": "none" if krylov == 0 else "coordinates" if 2 * within <= krylov else "honest", "krylov": krylov,
            "within": within}

def main():
    rng = random.Random(20)
    cases = []
    want = {("coordinates", True): 10, ("honest", True): 10, ("coordinates", False): 2, ("honest", False): 2,
            ("none", False): 2}
    while any(want.values()):
        n = rng.randint(10, 18)
        c = case(rng, n, rng.randint(0, 4), rng.randint(1, n // 2), rng.randint(1, 5), rng.random() < 0.6)
        if c is None: continue
        mu = mp.mpf(c["mu_unit"])
        key = (c["join"], 0 < mu < 1 - mp.mpf(10) ** -20)
        if want.get(key, 0) > 0:
            want[key] -= 1
            cases.append(c)
    print(json.dumps({"source": "tests/dp/data/scripts/network_coalition_ref.py (Python " +
                      sys.version.split()[0] + ", mpmath " + mp.__version__ + ", seed 20)",
                      "gossip": cases}, indent=1))

main()
