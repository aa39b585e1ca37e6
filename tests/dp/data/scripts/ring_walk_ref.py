#!/usr/bin/python3
# Reference values for a token walk round a ring (member i passes to i + 1) against colluders
# kept at a distance from the target, by brute force, independently of privflow: for every
# start of the walk and every placement of k colluders at ring distance >= d from the target 0,
# the coalition's view is the running sum before each colluder's visit and the final token
# (less the coalition's own contributions), one independent N(0, 1) per honest visit; the
# target's contribution 1 per visit shifts the view, and mu^2 = s^T (B B^T)^+ s is computed in
# exact rational arithmetic (Gauss-Jordan on the Gram matrix), sqrt in mpmath (50 digits).
# The worst mu over starts and placements is recorded. sigma = clip = 1.
# Run: /usr/bin/python3 ring_walk_ref.py > ../ring_walk_reference.json
import itertools, json
from fractions import Fraction as F
import mpmath as mp
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exact_views import solve_consistent, walk_mu2
mp.mp.dps = 50

def worst(n, steps, k, d):
    pool = [i for i in range(1, n) if min(i, n - i) >= d]
    best, arg = F(0), None
    for c in itertools.combinations(pool, k):
        for start in range(n):
            m2 = walk_mu2([(start + t) % n for t in range(steps)], set(c), 0)
            if m2 > best: best, arg = m2, list(c)
    return best, arg

cases = []
for n, steps in ((7, 3), (7, 9), (7, 16), (8, 13), (9, 5), (9, 20), (11, 30), (12, 7), (12, 25)):
    for k in (1, 2, 3):
        for d in range(1, n // 2 + 1):
            if len([i for i in range(1, n) if min(i, n - i) >= d]) < k: continue
            best, arg = worst(n, steps, k, d)
            cases.append({"agents": n, "steps": steps, "members": k, "distance": d, "worst": arg,
                          "mu2": f"{best.numerator}/{best.denominator}",
                          "mu": mp.nstr(mp.sqrt(mp.mpf(best.numerator) / best.denominator), 30)})
print(json.dumps({"source": "tests/dp/data/scripts/ring_walk_ref.py: brute force over starts and placements, "
                  "exact rational linear algebra (Python fractions), sqrt in mpmath", "walk": cases}, indent=1))
