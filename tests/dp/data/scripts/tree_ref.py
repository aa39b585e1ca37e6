# Reference values for privflow's tree_aggregation: dp_accounting 0.6.0's RDP accountant on
# SingleEpochTreeAggregationDpEvent (NeighboringRelation.REPLACE_SPECIAL), and the exact
# (eps, delta) of mu-GDP (Balle & Wang 2018 / Dong, Roth & Su 2019 Cor. 2.13) in mpmath.
import json, math, sys
sys.path.insert(0, '/work/peers/python/dp_accounting')
import dp_accounting
from dp_accounting import dp_event
from dp_accounting.rdp import rdp_privacy_accountant as rdp
import mpmath as mp
mp.mp.dps = 50

def gdp_delta(mu, eps):
    mu = mp.mpf(mu); eps = mp.mpf(eps)
    return mp.ncdf(-eps/mu + mu/2) - mp.exp(eps)*mp.ncdf(-eps/mu - mu/2)

def gdp_eps(mu, delta):
    lo, hi = mp.mpf(0), mp.mpf(500)
    for _ in range(300):
        mid = (lo+hi)/2
        if gdp_delta(mu, mid) > delta: lo = mid
        else: hi = mid
    return hi

cases = [(1.0, 100, 1), (2.0, 1000, 5), (5.0, 2000, 10), (0.8, 64, 3), (3.0, 3, 1), (10.0, 10000, 20)]
delta = 1e-6
out = []
for z, T, E in cases:
    acc = rdp.RdpAccountant(neighboring_relation=dp_accounting.NeighboringRelation.REPLACE_SPECIAL)
    acc.compose(dp_event.SelfComposedDpEvent(dp_event.SingleEpochTreeAggregationDpEvent(z, T), E))
    eps_rdp = acc.get_epsilon(delta)
    depth = math.ceil(math.log2(T + 1))
    mu = math.sqrt(E * depth) / z
    out.append({"noise_multiplier": z, "steps": T, "epochs": E, "delta": delta,
                "nodes_per_leaf": depth, "dp_accounting_rdp_epsilon": eps_rdp,
                "gdp_mu": float(mp.sqrt(mp.mpf(E*depth))/z), "gdp_epsilon": float(gdp_eps(mp.sqrt(mp.mpf(E*depth))/z, delta))})
print(json.dumps({"source": "dp_accounting 0.6.0: RdpAccountant(neighboring_relation=NeighboringRelation.REPLACE_SPECIAL).compose(SelfComposedDpEvent(SingleEpochTreeAggregationDpEvent(noise_multiplier, steps), epochs)).get_epsilon(delta); gdp_epsilon: the exact epsilon of mu-GDP, mu = sqrt(epochs * ceil(log2(steps + 1))) / noise_multiplier, delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2) (Dong, Roth & Su 2019, Cor. 2.13) solved by bisection in mpmath (50 digits), rounded up (tests/dp/data/scripts/tree_ref.py)", "cases": out}, indent=1))
