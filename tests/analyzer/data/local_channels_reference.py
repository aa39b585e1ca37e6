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
# - unary_encoding by epsilon (OUE, Wang et al. 2017, Sec. 4.3): the value's bit of a d-bit
#   one-hot vector read 1 w.p. 1/2, every other bit w.p. 1/(e^eps + 1); all 2^d vectors.
# - "wide": local_hashing on more values than g (5 and 6 values at eps 1, g 4): the worst
#   single hash over all g^d functions (privflow keeps the eps bound there; it must not be below).
# - "cms_vulnerability_checks": the count-mean sketch's collision argument
#   (analyzer/local_randomizers.cpp, sketch_shape): for random sub-priors w on 4 values and
#   every map of the 4 values into 4 buckets, V(w > SUE o h) <= V(w > SUE on distinct buckets)
#   (the largest ratio is recorded: <= 1); "cms_garbling" records, by linear programming, that
#   the collided channel is NOT a garbling of the distinct one (so the proof cannot be data
#   processing; it is the one on Bayes vulnerability, which covers the posterior and leakage).
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

def oue(prior, eps, target):
    d = len(prior)
    zero = 1 / (mp.e ** eps + 1)
    rows = []
    for v in range(d):
        row = []
        for vec in itertools.product([0, 1], repeat=d):
            p = mp.mpf(1)
            for j in range(d):
                one = mp.mpf(1) / 2 if j == v else zero
                p *= one if vec[j] == 1 else 1 - one
            row.append(p)
        rows.append(row)
    post, leak = measures(prior, rows, target)
    return dict(posterior=post, leakage=leak)

def sue_vulnerability(w, eps, buckets, m):
    rows = cms_rows(eps, buckets, m)
    return sum(max(w[u] * rows[u][y] for u in range(len(w))) for y in range(len(rows[0])))

def cms_vulnerability_checks():
    import random
    rnd = random.Random(7)
    worst = mp.mpf(0)
    maps = list(itertools.product(range(4), repeat=4))
    for eps in (mp.mpf(1) / 2, mp.mpf(2)):
        for _ in range(12):
            w = [mp.mpf(rnd.random()) ** 3 for _ in range(4)]
            base = sue_vulnerability(w, eps, [0, 1, 2, 3], 4)
            for h in maps[::7]:
                worst = max(worst, sue_vulnerability(w, eps, list(h), 4) / base)
    return float(worst)

def cms_garbling(eps):
    """Is SUE on buckets (0, 0, 1) (a collision) a garbling of SUE on (0, 1, 2)? scipy LP."""
    import numpy as np
    from scipy.optimize import linprog
    K = np.array([[float(x) for x in r] for r in cms_rows(eps, [0, 1, 2], 3)])
    Kp = np.array([[float(x) for x in r] for r in cms_rows(eps, [0, 0, 1], 2)])
    o, o2 = K.shape[1], Kp.shape[1]
    A, b = [], []
    for i in range(K.shape[0]):
        for y2 in range(o2):
            row = np.zeros(o * o2)
            row[[y * o2 + y2 for y in range(o)]] = K[i]
            A.append(row); b.append(Kp[i, y2])
    for y in range(o):
        row = np.zeros(o * o2); row[y * o2:(y + 1) * o2] = 1
        A.append(row); b.append(1)
    return linprog(np.zeros(o * o2), A_eq=np.array(A), b_eq=np.array(b), bounds=[(0, None)] * (o * o2),
                   method="highs").status == 0

cases = [
    ("tryout", ["7/10", "1/5", "1/10"], 2),
    ("uniform4", ["1/4", "1/4", "1/4", "1/4"], 3),
    ("skewed4", ["1/2", "1/4", "1/8", "1/8"], 3),
]
out = {}
for name, prior_text, target in cases:
    prior = [mp.mpf(mp.fraction(*map(int, p.split("/")))) for p in prior_text]
    for eps in (1, 2, 3):
        for kind, fn in (("local_hashing", olh), ("hadamard_response", hr), ("count_mean_sketch", cms),
                         ("unary_encoding", oue)):
            if kind == "local_hashing" and eps == 3 and len(prior) > 3:
                continue  # 21^4 hashes: slow, and the shape is the eps 2 case's
            r = fn(prior, mp.mpf(eps), target)
            out[f"{kind}_{name}_eps{eps}"] = dict(
                kind=kind, prior=prior_text, target=target, epsilon=eps,
                epsilon_posterior_bound=float(prior[target] * mp.e ** eps / (prior[target] * mp.e ** eps + 1 - prior[target])),
                epsilon_leakage_bound=float(eps / mp.log(2)),
                **{k: (float(v) if isinstance(v, mp.mpf) else v) for k, v in r.items()})
for name, prior_text, target in [("wide5", ["1/5"] * 5, 4), ("wide6", ["1/3", "1/4", "1/6", "1/8", "1/12", "1/24"], 5)]:
    prior = [mp.mpf(mp.fraction(*map(int, p.split("/")))) for p in prior_text]
    r = olh(prior, mp.mpf(1), target)
    out[f"local_hashing_{name}_eps1"] = dict(
        kind="local_hashing", prior=prior_text, target=target, epsilon=1, wide=True,
        epsilon_posterior_bound=float(prior[target] * mp.e / (prior[target] * mp.e + 1 - prior[target])),
        epsilon_leakage_bound=float(1 / mp.log(2)),
        **{k: (float(v) if isinstance(v, mp.mpf) else v) for k, v in r.items()})
checks = dict(cms_vulnerability_ratio=cms_vulnerability_checks(),
              cms_garbling={str(e): cms_garbling(mp.mpf(e)) for e in (1, 2)})
print(json.dumps(dict(cases=out, checks=checks), indent=1, sort_keys=True))
