#!/usr/bin/env python3
"""Independent reference values for tests/inference/factored_test.cpp.

Brute force with Python's fractions: enumerate every joint assignment of the network and every
output of the randomized responses, accumulate P(secret = s, observation = y), then
V_post = sum_y max_s P(s, y) and the largest posterior max_y P(s = v, y) / P(y).
No privflow code is used. Run: /usr/bin/python3 factored_reference.py
"""
from fractions import Fraction as F
from itertools import product
from collections import defaultdict

TRAIT_PRIOR = [F(1, 2), F(3, 10), F(1, 5)]
# P(like = 1 | trait) for three kinds of likes; like = 0 otherwise.
KINDS = [[F(1, 10), F(1, 2), F(4, 5)], [F(3, 5), F(1, 5), F(1, 4)], [F(1, 3), F(1, 3), F(2, 3)]]


def like_table(kind):
    return [[1 - p, p] for p in KINDS[kind]]


def case_a():
    """Naive Bayes: secret = trait, 12 likes (kinds 0,0,0,0,0,1,1,1,1,2,2,2) all seen."""
    kinds = [0] * 5 + [1] * 4 + [2] * 3
    tables = [like_table(k) for k in kinds]
    joint = defaultdict(F)
    for t in range(3):
        for likes in product(range(2), repeat=len(kinds)):
            p = TRAIT_PRIOR[t]
            for tab, l in zip(tables, likes):
                p *= tab[t][l]
            joint[(t, likes)] += p
    return joint


def case_b():
    """Tree: trait -> likes L1..L6 (kinds 0,1,2,0,1,2); secret = L1; L2..L4 seen in the clear,
    L5 through binary randomized response with keep 3/4; trait and L6 unseen."""
    kinds = [0, 1, 2, 0, 1, 2]
    tables = [like_table(k) for k in kinds]
    keep = F(3, 4)
    joint = defaultdict(F)
    for t in range(3):
        for likes in product(range(2), repeat=6):
            p = TRAIT_PRIOR[t]
            for tab, l in zip(tables, likes):
                p *= tab[t][l]
            for r in range(2):
                q = p * (keep if r == likes[4] else 1 - keep)
                joint[(likes[0], (likes[1], likes[2], likes[3], r))] += q
    return joint


def measures(joint, k):
    by_y = defaultdict(lambda: [F(0)] * k)
    prior = [F(0)] * k
    for (s, y), p in joint.items():
        by_y[y][s] += p
        prior[s] += p
    v_post = sum(max(w) for w in by_y.values())
    best = [max((w[v] / sum(w) for w in by_y.values() if w[v] > 0), default=F(0)) for v in range(k)]
    return prior, max(prior), v_post, best


def binomial(n, p):
    from math import comb
    return [comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]


def case_score(n):
    """A score, not enumerated: n likes of kind 0 and n of kind 1, seen only through the sign of
    (#yes of kind 0) - (#yes of kind 1). Given the trait the two counts are independent
    binomials, so P(sign | trait) is a double sum over their values."""
    joint = defaultdict(F)
    for t in range(3):
        a = binomial(n, KINDS[0][t])
        b = binomial(n, KINDS[1][t])
        for i, pa in enumerate(a):
            for j, pb in enumerate(b):
                sign = (i > j) - (i < j)
                joint[(t, sign)] += TRAIT_PRIOR[t] * pa * pb
    return joint


def case_count40():
    """tests/analyzer/factored_beliefs_test.cpp: leaning uniform over 3 values, 20 likes with
    P(yes) = 1/5, 1/2, 4/5 and 20 with 4/5, 1/2, 1/5, seen through their count."""
    from math import log2
    p_even, p_odd = [F(1, 5), F(1, 2), F(4, 5)], [F(4, 5), F(1, 2), F(1, 5)]
    joint = defaultdict(F)
    for t in range(3):
        a, b = binomial(20, p_even[t]), binomial(20, p_odd[t])
        for i, pa in enumerate(a):
            for j, pb in enumerate(b):
                joint[(t, i + j)] += F(1, 3) * pa * pb
    prior, v_prior, v_post, best = measures(joint, 3)
    return log2(v_post / v_prior), best[2]


def case_argmax30():
    """tests/analyzer/factored_beliefs_test.cpp: leaning uniform over 3 values, 30 likes with
    P(yes) = 1/5, 1/2, 4/5, seen through which of three counts of 10 is largest
    (if C > P and C > N then 2 else if P > N then 0 else 1)."""
    from math import log2
    p = [F(1, 5), F(1, 2), F(4, 5)]
    joint = defaultdict(F)
    for t in range(3):
        d = binomial(10, p[t])
        for i, j, k in product(range(11), repeat=3):
            y = 2 if i > j and i > k else 0 if j > k else 1
            joint[(t, y)] += F(1, 3) * d[i] * d[j] * d[k]
    prior, v_prior, v_post, best = measures(joint, 3)
    return log2(v_post / v_prior), best[2]


if __name__ == "__main__":
    bits, right = case_argmax30()
    print(f"case argmax 30: leakage {bits!r} bits, max P(right | top) {float(right)!r}")
    bits, right = case_count40()
    print(f"case count 40: leakage {bits!r} bits, max P(right | count) {float(right)!r}")
    for n in (30, 250):
        prior, v_prior, v_post, best = measures(case_score(n), 3)
        print(f"case score {n}+{n}: V_post {v_post}" if n == 30 else f"case score {n}+{n}: V_post ~ {float(v_post)!r}")
        print(f"  max posterior of value 2: {best[2]}" if n == 30 else f"  max posterior of value 2 ~ {float(best[2])!r}")
    for name, joint, k in (("A", case_a(), 3), ("B", case_b(), 2)):
        prior, v_prior, v_post, best = measures(joint, k)
        print(f"case {name}: prior {[str(p) for p in prior]}")
        print(f"  V_prior {v_prior}  V_post {v_post}  ratio {v_post / v_prior}")
        print(f"  max posterior per value {[str(b) for b in best]}")
