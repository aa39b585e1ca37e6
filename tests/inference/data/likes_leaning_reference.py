#!/usr/bin/env python3
"""examples/likes_leaning.pflow: its field lines (--fields), its table file likes_leaning.csv
(--csv), its computes (--computes) and its header figures,
computed independently of privflow with Python's exact integers and fractions.

The record: leaning (5 values) with prior PRIOR, and 210 page likes {no, yes} given it, 70 of
each of three kinds (progressive, conservative, neutral pages) with P(yes | leaning) = KINDS[k].

ads partner: sees feed = map(if p00 = yes and p01 = yes then 0 else if c00 = yes and c01 = yes
  then 1 else 2), brute force over the 5 * 2^4 assignments of (leaning, p00, p01, c00, c01).
broker: sees slant = map((#conservative likes - #progressive likes + 70) / 20), a band of a score
  of 140 likes. Given leaning the two counts are independent binomials Bin(70, p_c(t)) and
  Bin(70, p_p(t)), so P(band | leaning) is a double sum over them (no 2^140 enumeration).
research partner: sees every like through binary randomized response with keep 3/5. The likes
  of one kind are exchangeable given leaning, so the count of "yes" reports of each kind is a
  sufficient statistic (binomial); V_post = sum over the 71^3 count triples of
  max_t pi(t) * prod_k Bin(c_k; 70, q_k(t)), with q_k(t) = keep*p + (1-keep)*(1-p).
Run: /usr/bin/python3 likes_leaning_reference.py  (about 4 s of CPU)
"""
import math
import sys
from fractions import Fraction as F
from itertools import product

VALUES = ["left", "centre_left", "centre", "centre_right", "right"]
PRIOR = [F(1, 5), F(1, 4), F(3, 10), F(3, 20), F(1, 10)]
KINDS = {"p": [F(7, 10), F(1, 2), F(3, 10), F(3, 20), F(1, 20)],
         "c": [F(1, 20), F(1, 10), F(1, 4), F(1, 2), F(7, 10)],
         "n": [F(3, 10), F(7, 20), F(2, 5), F(7, 20), F(3, 10)]}
PER_KIND = 70
KEEP = F(3, 5)


def ads():
    by_y = {}
    for t, p0, p1, c0, c1 in product(range(5), range(2), range(2), range(2), range(2)):
        pr = PRIOR[t]
        for kind, v in (("p", p0), ("p", p1), ("c", c0), ("c", c1)):
            pr *= KINDS[kind][t] if v else 1 - KINDS[kind][t]
        y = 0 if p0 and p1 else 1 if c0 and c1 else 2
        by_y.setdefault(y, [F(0)] * 5)[t] += pr
    v_post = sum(max(w) for w in by_y.values())
    right = max(w[4] / sum(w) for w in by_y.values())
    return v_post, right


def research():
    tables, dens = [], []
    for kind in "pcn":
        q = [KEEP * p + (1 - KEEP) * (1 - p) for p in KINDS[kind]]
        rows = [[math.comb(PER_KIND, c) * q[t] ** c * (1 - q[t]) ** (PER_KIND - c) for t in range(5)]
                for c in range(PER_KIND + 1)]
        den = math.lcm(*[x.denominator for row in rows for x in row])
        tables.append([[int(x * den) for x in row] for row in rows])
        dens.append(den)
    dp = math.lcm(*[p.denominator for p in PRIOR])
    pi = [int(p * dp) for p in PRIOR]
    total, best = 0, (0, 1)
    for a in tables[0]:
        wa = [pi[t] * a[t] for t in range(5)]
        for b in tables[1]:
            wb = [wa[t] * b[t] for t in range(5)]
            for c in tables[2]:
                w = [wb[t] * c[t] for t in range(5)]
                total += max(w)
                s = sum(w)
                if w[4] * best[1] > best[0] * s:
                    best = (w[4], s)
    return F(total, dp * dens[0] * dens[1] * dens[2]), F(*best)


def broker():
    def binomial(p):
        return [math.comb(PER_KIND, k) * p ** k * (1 - p) ** (PER_KIND - k) for k in range(PER_KIND + 1)]
    by_y = {}
    for t in range(5):
        for i, pc in enumerate(binomial(KINDS["c"][t])):
            for j, pp in enumerate(binomial(KINDS["p"][t])):
                by_y.setdefault((i - j + PER_KIND) // 20, [F(0)] * 5)[t] += PRIOR[t] * pc * pp
    v_post = sum(max(w) for w in by_y.values())
    right = max(w[4] / sum(w) for w in by_y.values())
    return v_post, right


def slant():
    """The broker's map: one score over the 140 political likes, in bands of 20 (on one line;
    `privflow fmt` then fills it to its width, breaking before the terms' + and -)."""
    def count(kind):
        return " + ".join(f"(if {kind}{i:02d} = yes then 1 else 0)" for i in range(PER_KIND))
    return ("compute slant at platform = map(users,\n" + " " * 32 +
            f"({count('c')} - ({count('p')}) + 70) / 20)")


def spec():
    lines = []
    for kind in "pcn":
        for i in range(PER_KIND):
            lines.append(f'  field {kind}{i:02d}: {{no, yes}} given leaning from "likes_leaning.csv"')
    return "\n".join(lines)


def csv():
    """examples/likes_leaning.csv: every like's table, one row per (leaning, answer)."""
    lines = ["# P(like | leaning) of the 210 pages of examples/likes_leaning.pflow,",
             "# written by tests/inference/data/likes_leaning_reference.py --csv",
             "field,given,value,probability"]
    for kind in "pcn":
        for i in range(PER_KIND):
            for v, p in zip(VALUES, KINDS[kind]):
                lines.append(f"{kind}{i:02d},{v},no,{1 - p}")
                lines.append(f"{kind}{i:02d},{v},yes,{p}")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--fields" in sys.argv:
        print(spec())
        sys.exit(0)
    if "--csv" in sys.argv:
        print(csv())
        sys.exit(0)
    if "--slant" in sys.argv:
        print(slant())
        sys.exit(0)
    if "--computes" in sys.argv:
        for kind in "pcn":
            for i in range(PER_KIND):
                print(f"compute rr_{kind}{i:02d} at platform = randomized_response(users.{kind}{i:02d}, keep: 3/5)")
                print(f"send rr_{kind}{i:02d} to partner via encrypted")
        sys.exit(0)
    v_prior = max(PRIOR)
    v_ads, right_ads = ads()
    print(f"V_prior = {v_prior}")
    print(f"ads: V_post = {v_ads} ({float(v_ads):.10f}); leakage = log2({v_ads / v_prior}) = "
          f"{math.log2(v_ads / v_prior):.10f} bits; max P(right | feed) = {right_ads} ({float(right_ads):.10f})")
    v_b, right_b = broker()
    print(f"broker: V_post = {float(v_b):.12f}; leakage = {math.log2(float(v_b / v_prior)):.10f} bits; "
          f"max P(right | slant) = {float(right_b):.15f}")
    v_r, right_r = research()
    print(f"research: V_post = {float(v_r):.12f}; leakage = {math.log2(float(v_r / v_prior)):.10f} bits; "
          f"max P(right | reports) = {float(right_r):.12f}")
