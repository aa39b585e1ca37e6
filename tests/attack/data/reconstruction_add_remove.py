# Run from the unpacked dp_accounting 0.6.0: PYTHONPATH=. /usr/bin/python3 reconstruction_add_remove.py
# Reconstruction on add/remove data (Hayes, Mahloujifar & Balle 2023, Thm 2): success <= TPR at
# FPR kappa of the add/remove pair (reference: the run without the target). TPR read from
# dp_accounting's pessimistic and optimistic ADD_OR_REMOVE_ONE PLDs (grid 1e-4) as in
# tradeoff_dp_accounting.py, for
#  - examples/genai_finetune.pflow, topic_recovery: a chat's topic (kappa 0.4, the prior of
#    "technical"), the assistant sees the adapter only: DP-SGD, noise 0.8, q = 0.001, 3000 steps;
#  - tests/attack/account_attack_test.cpp: DP-SGD noise 1.1, q = 0.01, 1000 steps, kappa 0.1.
# Output (2026-12-07):
#   z 0.8 q 0.001 T 3000 kappa 0.4 pessimistic 0.44142768250252473
#   z 0.8 q 0.001 T 3000 kappa 0.4 optimistic  0.40488242870175006
#   (the replace-one curve gives 0.4174 to 0.4645 there: the add/remove one is the smaller)
#   z 1.1 q 0.01 T 1000 kappa 0.1 pessimistic 0.17911847935361938
#   z 1.1 q 0.01 T 1000 kappa 0.1 optimistic  0.17187474137346284
import os, sys
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tradeoff_dp_accounting.py")).read().split("cases = []")[0])
only = sys.argv[1:]  # optional: "genai" or "account"
for name, z, q, T, kappa in [("genai", 0.8, 0.001, 3000, 0.4), ("account", 1.1, 0.01, 1000, 0.1)]:
    if only and name not in only:
        continue
    for pess in (True, False):
        p = pldlib.from_gaussian_mechanism(standard_deviation=z, sampling_prob=q, value_discretization_interval=1e-4,
                                           pessimistic_estimate=pess,
                                           neighboring_relation=pldlib.NeighborRel.ADD_OR_REMOVE_ONE).self_compose(T)
        print(f"z {z} q {q} T {T} kappa {kappa}", "pessimistic" if pess else "optimistic ", tpr(p, kappa), flush=True)
