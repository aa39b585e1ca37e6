#!/usr/bin/python3
# Reference values for gossip against colluders kept at a distance on stored graphs (privflow's
# `edges` and `random_regular` topologies), by brute force in numpy, independently of privflow.
# Graphs: small random 3-regular graphs drawn by pairing half-edges (numpy seed), redrawn until
# simple, and a random tree of 12 with 2 chords (irregular degrees); the edge lists are recorded. Gossip (Muffliato, Cyffers et al. 2022, Alg. 1): each
# member adds N(0, 1) to its value once, then `rounds` steps x <- W x with Metropolis weights
# W_ij = 1/(1 + max(deg i, deg j)) (= 1/4 on a 3-regular graph); a coalition C knows its own
# noisy values and sees (W^k x0)_j for every honest neighbour j of a member and k < rounds.
# The target's value moves by 1 (clip = sigma = 1), so mu = ||P e_t||, P the orthogonal
# projection onto span{e_c : c in C} + span{W^k e_j}, computed by SVD (rank tolerance 1e-10).
# Recorded per graph, rounds, k, d:
#   exact: the largest mu over every target t and every placement of k colluders at hop
#          distance >= d from t (all members, not only those within reach);
#   union: the largest over t of the mu of all members d to d + rounds - 1 hops from t
#          (privflow's upper bound for k >= 2).
# Run: /usr/bin/python3 stored_distance_ref.py > ../stored_distance_reference.json
import itertools, json
import numpy as np

def random_regular(n, d, rng):
    while True:
        stubs = np.repeat(np.arange(n), d)
        rng.shuffle(stubs)
        pairs = stubs.reshape(-1, 2)
        edges = {tuple(sorted(map(int, p))) for p in pairs}
        if len(edges) == len(pairs) and all(a != b for a, b in edges):
            return sorted(edges)

def setup(n, edges):
    nb = [[] for _ in range(n)]
    for a, b in edges: nb[a].append(b); nb[b].append(a)
    W = np.zeros((n, n))
    for i in range(n):
        for j in nb[i]: W[i, j] = 1.0 / (1 + max(len(nb[i]), len(nb[j])))
        W[i, i] = 1 - W[i].sum()
    dist = np.full((n, n), np.inf)
    for s in range(n):
        dist[s, s] = 0; frontier = [s]
        while frontier:
            nxt = []
            for u in frontier:
                for v in nb[u]:
                    if dist[s, v] == np.inf: dist[s, v] = dist[s, u] + 1; nxt.append(v)
            frontier = nxt
    return nb, W, dist

def mu(n, nb, W, rounds, coalition, t):
    cols = [np.eye(n)[c] for c in coalition]
    P = np.eye(n)
    for _ in range(rounds):
        for j in sorted({j for c in coalition for j in nb[c] if j not in coalition}): cols.append(P[j])
        P = W @ P
    B = np.array(cols).T
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    U = U[:, s > 1e-10 * s[0]]
    return float(np.linalg.norm(U.T @ np.eye(n)[t]))

rng = np.random.default_rng(20261207)
def tree_with_chords(n, chords, rng):
    # an irregular graph (privflow's `edges`): a random tree and a few chords
    edges = {tuple(sorted((i, int(rng.integers(0, i))))) for i in range(1, n)}
    while len(edges) < n - 1 + chords:
        a, b = map(int, rng.integers(0, n, 2))
        if a != b: edges.add(tuple(sorted((a, b))))
    return sorted(edges)

graphs = [(n, random_regular(n, 3, rng)) for n in (10, 12, 14)] + [(12, tree_with_chords(12, 2, rng))]
cases = []
for g, (n, edges) in enumerate(graphs):
    nb, W, dist = setup(n, edges)
    for rounds in (1, 2, 3):
        for k in (1, 2):
            for d in (2, 3, 4):
                exact, union, worst_t = 0.0, 0.0, None
                for t in range(n):
                    pool = [u for u in range(n) if dist[t, u] >= d]
                    for c in itertools.combinations(pool, k):
                        m = mu(n, nb, W, rounds, list(c), t)
                        if m > exact: exact, worst_t = m, t
                    near = [u for u in pool if dist[t, u] <= d + rounds - 1]
                    if near: union = max(union, mu(n, nb, W, rounds, near, t))
                if not any(dist[t, u] >= d for t in range(n) for u in range(n)): continue
                cases.append({"graph": g, "rounds": rounds, "members": k, "distance": d,
                              "exact": repr(exact), "union": repr(union), "worst_target": worst_t})
print(json.dumps({"source": "tests/dp/data/scripts/stored_distance_ref.py: numpy brute force over targets and placements",
                  "graphs": [{"agents": n, "edges": e} for n, e in graphs], "cases": cases}, indent=1))
