# Run from the unpacked dp_accounting 0.6.0: PYTHONPATH=. /usr/bin/python3 tradeoff_dp_accounting.py. Output: the "dpsgd" cases of tradeoff_reference.json.
# TPR at FPR F of Poisson-subsampled Gaussian compositions from dp_accounting 0.6.0's PLD:
# min over eps of e^eps F + delta(eps) (and 1 - e^-eps (1 - delta - F)), pessimistic and optimistic PLDs.
import math, json, sys
import numpy as np
from dp_accounting.pld import privacy_loss_distribution as pldlib
from dp_accounting.pld import common
def line_min(pld, f, line, top):
    eps_grid = np.linspace(0, top, 4001)
    def vals(e):
        d = pld.get_delta_for_epsilon(e)
        return np.exp(e) * f + d if line == 1 else 1 - np.exp(-e) * np.maximum(0, 1 - d - f)
    v = vals(eps_grid)
    i = int(np.argmin(v)); fine = np.linspace(eps_grid[max(0, i-1)], eps_grid[min(len(eps_grid)-1, i+1)], 2001)
    return float(min(v.min(), vals(fine).min()))
def tpr(pld, f):
    # the upper line e^eps F + delta over [0, ln(1/F)], the lower line 1 - e^-eps (1 - delta - F) over [0, 20]
    return min(line_min(pld, f, 1, math.log(1/f)), line_min(pld, f, 2, 20.0))
cases = []
for z, q, T, f, rel in [(1.1, 0.01, 1000, 0.001, "add_remove"), (0.8, 0.001, 3000, 0.001, "add_remove"), (1.1, 0.01, 1000, 0.01, "add_remove"),
                        (1.1, 0.01, 1000, 0.1, "replace_one"), (1.1, 0.01, 1000, 0.5, "add_remove"), (1.1, 0.01, 1000, 0.9, "add_remove")]:
    out = {"noise_multiplier": z, "sampling_rate": q, "steps": T, "fpr": f, "relation": rel}
    for pess in (True, False):
        nr = pldlib.NeighborRel.REPLACE_ONE if rel == "replace_one" else pldlib.NeighborRel.ADD_OR_REMOVE_ONE
        p = pldlib.from_gaussian_mechanism(standard_deviation=z, sampling_prob=q, value_discretization_interval=1e-4,
                                           pessimistic_estimate=pess, neighboring_relation=nr).self_compose(T)
        out["tpr_pessimistic" if pess else "tpr_optimistic"] = tpr(p, f)
    cases.append(out); print(out, file=sys.stderr)
print(json.dumps(cases, indent=1))
