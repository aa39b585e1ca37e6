# Run: /usr/bin/python3 tradeoff_exact.py (mpmath, fractions). Output: the "gaussian" and "randomized_response" cases of tradeoff_reference.json.
# Independent reference values for privflow's trade-off curves (tests/dp/data/tradeoff_reference.json).
import json, itertools
from fractions import Fraction as Fr
import mpmath as mp
mp.mp.dps = 40
def gauss_tpr(mu, f):
    return mp.ncdf(mp.sqrt(2)*mp.erfinv(2*mp.mpf(f)-1) + mu)
gauss = []
for mu, f in [(0.5, 0.01), (1.0, 0.001), (2.0, 0.25), (1.0, 0.25), (0.1, 0.001), (3.0, 0.01)]:
    gauss.append({"mu": mu, "fpr": f, "tpr": mp.nstr(gauss_tpr(mu, f), 17)})
# composed: 100 Gaussian releases with noise multiplier 10 -> mu = 1
# RR exact: NP test between the distributions of `times` k-ary reports of value 0 vs value 1
def rr_tpr(keep, k, times, fpr):
    other = (1 - keep) / (k - 1)
    def dist(x):
        d = {}
        for ys in itertools.product(range(k), repeat=times):
            p = Fr(1)
            for y in ys: p *= keep if y == x else other
            d[ys] = p
        return d
    P, Q = dist(0), dist(1)
    # likelihood ratio P/Q, descending; Q-mass spent up to fpr, randomised at the boundary
    items = sorted(P, key=lambda y: P[y] / Q[y], reverse=True)
    spent, tpr = Fr(0), Fr(0)
    for y in items:
        if spent + Q[y] <= fpr:
            spent += Q[y]; tpr += P[y]
        else:
            tpr += P[y] * (fpr - spent) / Q[y]
            break
    return tpr
rr = []
for keep, k, times, f in [(Fr(3,4), 2, 1, Fr(1,10)), (Fr(3,4), 2, 3, Fr(1,100)), (Fr(3,4), 2, 3, Fr(1,10)), (Fr(1,2), 4, 2, Fr(1,20)), (Fr(3,4), 2, 1, Fr(9,10)), (Fr(3,4), 2, 3, Fr(9,10))]:
    t = rr_tpr(keep, k, times, f)
    rr.append({"keep": str(keep), "values": k, "times": times, "fpr": str(f), "tpr": str(t), "tpr_float": float(t)})
print(json.dumps({"gaussian": gauss, "randomized_response": rr}, indent=1))
# worked examples
print("memb z=2 F=0.01", gauss_tpr(0.5, 0.01))
print("recon mu=1 kappa=.25", gauss_tpr(1, 0.25))
print("recon add/remove mu=0.5 kappa=.25", gauss_tpr(0.5, 0.25))
