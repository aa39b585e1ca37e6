#!/usr/bin/python3
# Reference values for decentralized protocols from the papers, and for coalitions kept at a
# distance from the target, all computed independently of privflow:
#  - muffliato: the pairwise bound of Muffliato (Cyffers, Even, Bellet & Massoulie, NeurIPS 2022,
#    Thm 1, as the authors compute it in totilas/DPrandomwalk muffliato.py `simulation`):
#    one observer v, target u, local noise sigma then `rounds` gossip steps with W,
#        RDP(alpha) <= alpha/(2 sigma^2) * sum_{w in N(v)} sum_{t} (W^t)_{wu}^2 / ||(W^t)_w||^2,
#    i.e. mu^2 = sum(...)/sigma^2 in Gaussian-DP terms (RDP of mu-GDP is alpha mu^2/2), with
#    t = 0 .. rounds-1 (the messages privflow's view holds: (W^k x0)_j, k < rounds; the
#    authors' loop starts at W^1, which gives other numbers, also below the exact ones at
#    rounds 5, observer 3 hops away: mu^2 0.311 against 1, checked with numpy). Evaluated
#    on the ring with the paper's setting of its Fig. 3 (eps_local = 1, alpha = 2, so sigma = 1)
#    and Metropolis weights 1/3 (the authors' `gossip_matrix` "hamilton" on the ring). Next to
#    it the EXACT mu^2 of the same observer's whole view (its own noisy value known, every
#    message of its honest neighbours at k < rounds), in rational arithmetic: the exact value
#    can exceed the paper's sum (the observer subtracts what it knows: at distance 2 it reads
#    x0_u = 3 (W x0)_{u+1} - x0_{u+1} - x0_{u+2}), so the paper's figure is no upper bound here.
#  - gossip_distance: the worst mu over every placement of k colluders at ring distance >= d
#    from the target (brute force over placements, exact rational mu^2), ring of 12,
#    sigma = clip = 1: local DP (mu = 1) while d <= rounds, 0 beyond.
#  - walk_distance: the same for a token walk round a ring of 10, 25 visits, every start.
# Run: /usr/bin/python3 network_paper_ref.py > ../network_paper_reference.json
import itertools, json
from fractions import Fraction as F
import mpmath as mp
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_views import solve_consistent, walk_mu2
mp.mp.dps = 50

def ring_W(n):
    W = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        for j in ((i - 1) % n, i, (i + 1) % n): W[i][j] = F(1, 3)
    return W

def powers(W, rounds):
    n = len(W); P = [[F(int(i == j)) for j in range(n)] for i in range(n)]
    out = []
    for _ in range(rounds):
        out.append(P)
        P = [[sum(P[i][a] * W[a][j] for a in range(n)) for j in range(n)] for i in range(n)]
    return out

def ring_nb(n, i): return [(i - 1) % n, (i + 1) % n]

def exact_mu2(n, Wk, coalition, target):
    honest = [i for i in range(n) if i not in coalition]
    starts = sorted({j for c in coalition for j in ring_nb(n, c) if j not in coalition})
    rows = [[P[j][i] for i in honest] for P in Wk for j in starts]
    t = honest.index(target)
    s = [r[t] for r in rows]
    if not any(s): return F(0)
    M = [[sum(a * b for a, b in zip(ri, rj)) for rj in rows] for ri in rows]
    y = solve_consistent(M, s)
    return None if y is None else sum(a * b for a, b in zip(s, y))

def muffliato_mu2(n, Wk, v, u):
    return sum(P[w][u] ** 2 / sum(x * x for x in P[w]) for P in Wk for w in ring_nb(n, v))

def sq(x): return "inf" if x is None else mp.nstr(mp.sqrt(mp.mpf(x.numerator) / x.denominator), 30)

def muffliato_cases():
    out = []
    n = 30
    W = ring_W(n)
    for rounds in (2, 5, 10):
        Wk = powers(W, rounds)
        for d in (1, 2, 3, 5):
            out.append({"agents": n, "rounds": rounds, "target": 0, "observer": d, "sigma": 1,
                        "paper_mu": sq(muffliato_mu2(n, Wk, d, 0)), "exact_mu": sq(exact_mu2(n, Wk, {d}, 0))})
    return out

def distance_cases():
    out = []
    n = 12
    W = ring_W(n)
    for rounds in (2, 4):
        Wk = powers(W, rounds)
        for k in (1, 2):
            for d in range(1, n // 2 + 1):
                pool = [i for i in range(1, n) if min(i, n - i) >= d]
                best, arg = F(0), None
                for c in itertools.combinations(pool, k):
                    m2 = exact_mu2(n, Wk, set(c), 0)
                    if m2 is None or m2 > best: best, arg = m2, list(c)
                    if m2 is None: break
                out.append({"agents": n, "rounds": rounds, "members": k, "distance": d, "worst": arg, "mu": sq(best)})
    return out

def walk_distance_cases():
    # token walk round a ring of 10 (member i passes to i + 1), 25 visits, every start and every
    # placement of k colluders at ring distance >= d from the target 0
    out = []
    n, steps = 10, 25
    for k in (1, 2):
        for d in range(1, n // 2 + 1):
            pool = [i for i in range(1, n) if min(i, n - i) >= d]
            best, arg = F(0), None
            for c in itertools.combinations(pool, k):
                for start in range(n):
                    m2 = walk_mu2([(start + t) % n for t in range(steps)], set(c), 0)
                    if m2 > best: best, arg = m2, list(c)
            out.append({"agents": n, "steps": steps, "members": k, "distance": d, "worst": arg, "mu": sq(best)})
    return out

print(json.dumps({
  "source": "tests/dp/data/scripts/network_paper_ref.py: exact rational linear algebra (Python fractions), sqrt in mpmath",
  "muffliato": muffliato_cases(), "gossip_distance": distance_cases(), "walk_distance": walk_distance_cases()}, indent=1))
