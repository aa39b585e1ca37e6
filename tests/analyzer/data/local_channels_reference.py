# Reference values for the exact channels of local_hashing, hadamard_response and
# count_mean_sketch (tests/analyzer/local_randomizers_test.cpp), by brute force over every
# output of each mechanism as the papers define it, in mpmath at 50 digits (e^eps is
# irrational, so fractions alone cannot hold it). Run: python3 local_channels_reference.py
# > local_channels_reference.json
#
# - local_hashing (Wang et al. 2017, Sec. 4.4): g = round(e^eps + 1); for each hash function
#   h: [d] -> [g] the report (h, y) has P(y | v) = e^eps/(e^eps + g - 1) if y = h(v), else
#   1/(e^eps + g - 1). Every h of [g]^[d] is enumerated: "worst" is the largest posterior /
#   vulnerability of a single hash (what privflow must not be below, for any hash family),
#   "random" the fully random hash (the mean over all h: the idealisation, shown lower).
# - hadamard_response (Acharya, Sun & Zhang 2019, HR): K = smallest power of 2 > d, rows 1..d
#   of scipy's Sylvester Hadamard matrix, P(y | v) = 2e^eps/(K(e^eps+1)) where H[v+1, y] = +1.
# - count_mean_sketch (Apple 2017): width m = 4, the value's bucket of a +-1 vector set, each
#   entry flipped w.p. 1/(1 + e^(eps/2)); all 2^m vectors enumerated, values in distinct
#   buckets ("distinct"), and with two values sharing a bucket ("collide", to check that the
#   no-collision idealisation is not below it).
import itertools, json
import mpmath as mp
from scipy.linalg import hadamard

mp.mp.dps = 50

def measures(prior, rows, target):
    """max posterior of `target` over outputs of positive probability; min-entropy leakage in bits."""
    outputs = len(rows[0])
    best, v_post = mp.mpf(0), mp.mpf(0)
    for y in range(outputs):
        joint = [prior[u] * rows[u][y] for u in range(len(prior))]
        total = sum(joint)
        if total > 0:
            best = max(best, joint[target] / total)
        v_post += max(joint)
    return best, mp.log(v_post / max(prior), 2)

def olh(prior, eps, target):
    e = mp.e ** eps
    g = int(mp.nint(e + 1))
    d = len(prior)
    worst_post, worst_leak, sum_v = mp.mpf(0), mp.mpf(0), mp.mpf(0)
    for h in itertools.product(range(g), repeat=d):
        rows = [[e / (e + g - 1) if y == h[v] else 1 / (e + g - 1) for y in range(g)] for v in range(d)]
        post, leak = measures(prior, rows, target)
        worst_post, worst_leak = max(worst_post, post), max(worst_leak, leak)
        sum_v += max(prior) * 2 ** leak
    random_leak = mp.log(sum_v / g ** d / max(prior), 2)
    return dict(g=g, posterior=worst_post, leakage=worst_leak, random_hash_leakage=random_leak)

def hr(prior, eps, target):
    e = mp.e ** eps
    d = len(prior)
    k = 1
    while k <= d:
        k *= 2
    h = hadamard(k)
    rows = [[2 * e / (k * (e + 1)) if h[v + 1, y] == 1 else 2 / (k * (e + 1)) for y in range(k)] for v in range(d)]
    post, leak = measures(prior, rows, target)
    return dict(K=k, posterior=post, leakage=leak)

def cms_rows(eps, buckets, m):
    keep = mp.e ** (eps / 2) / (1 + mp.e ** (eps / 2))
    rows = []
    for b in buckets:
        row = []
        for vec in itertools.product([0, 1], repeat=m):  # 1 = +1
            p = mp.mpf(1)
            for j in range(m):
                truth = 1 if j == b else 0
                p *= keep if vec[j] == truth else 1 - keep
            row.append(p)
        rows.append(row)
    return rows

def cms(prior, eps, target):
    d = len(prior)
    post, leak = measures(prior, cms_rows(eps, list(range(d)), 4), target)
    collide = [0] + list(range(d - 1))  # values 0 and 1 share bucket 0
    _, leak_collide = measures(prior, cms_rows(eps, collide, 4), target)
    return dict(width=4, posterior=post, leakage=leak, collide_leakage=leak_collide)

cases = [
    ("tryout", ["7/10", "1/5", "1/10"], 2),
    ("uniform4", ["1/4", "1/4", "1/4", "1/4"], 3),
    ("skewed4", ["1/2", "1/4", "1/8", "1/8"], 3),
]
out = {}
for name, prior_text, target in cases:
    prior = [mp.mpf(mp.fraction(*map(int, p.split("/")))) for p in prior_text]
    for eps in (1, 2, 3):
        for kind, fn in (("local_hashing", olh), ("hadamard_response", hr), ("count_mean_sketch", cms)):
            if kind == "local_hashing" and eps == 3 and len(prior) > 3:
                continue  # 21^4 hashes: slow, and the shape is the eps 2 case's
            r = fn(prior, mp.mpf(eps), target)
            out[f"{kind}_{name}_eps{eps}"] = dict(
                kind=kind, prior=prior_text, target=target, epsilon=eps,
                epsilon_posterior_bound=float(prior[target] * mp.e ** eps / (prior[target] * mp.e ** eps + 1 - prior[target])),
                epsilon_leakage_bound=float(eps / mp.log(2)),
                **{k: (float(v) if isinstance(v, mp.mpf) else v) for k, v in r.items()})
print(json.dumps(out, indent=1, sort_keys=True))
