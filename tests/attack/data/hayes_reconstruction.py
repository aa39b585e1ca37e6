# Independent values for the reconstruction bound of Hayes, Mahloujifar & Balle (NeurIPS 2023,
# arXiv 2302.07225) for DP-SGD: the success probability of any reconstruction attack with a prior
# of baseline kappa is at most B_kappa(mu, nu) = sup{ nu(E) : mu(E) <= kappa }, mu = N(0, z^2)^T
# (the run without the target's gradient), nu = ((1-q) N(0, z^2) + q N(1, z^2))^T (with it;
# sensitivity 1 = the clip norm). That is the TPR at FPR kappa of the remove-direction
# add/remove pair of the Poisson-subsampled Gaussian.
# Run: PYTHONPATH=<unpacked dp_accounting 0.6.0> /usr/bin/python3 hayes_reconstruction.py > hayes_reconstruction.json
# (dp_accounting 0.6.0 from github.com/google/differential-privacy, python/dp_accounting; only
# its pld package is used.) Output: hayes_reconstruction.json.
import json, math, sys
import numpy as np
import mpmath as mp
mp.mp.dps = 40

def gaussian_exact(kappa, mu):
    """q = 1: B_kappa = Phi(Phi^-1(kappa) + sqrt(T)/z) (Dong, Roth & Su 2019; Hayes et al.'s Gaussian case)."""
    return float(mp.ncdf(mp.sqrt(2) * mp.erfinv(2 * mp.mpf(kappa) - 1) + mu))

def hayes_monte_carlo(kappa, q, z, T, samples, seed, chunk=20000):
    """The Monte Carlo estimator of Hayes et al.'s bound (their shared code's
    reconstruction_upper_bound, re-implemented): x ~ mu, log-ratio s(x) = sum_t log(1-q+q e^{(2x_t-1)/(2z^2)}),
    B = 1 - (1-kappa) * mean of e^{s} over the (1-kappa) fraction of samples with the smallest s.
    Returns the estimate and its standard error from 20 independent batches."""
    rng = np.random.default_rng(seed)
    logs = np.empty(samples)
    for start in range(0, samples, chunk):
        n = min(chunk, samples - start)
        x = rng.normal(0.0, z, (n, T))
        logs[start:start + n] = np.sum(np.log1p(q * np.expm1((2 * x - 1) / (2 * z * z))), axis=1)
    def estimate(s):
        s = np.sort(s)
        keep = int(len(s) * (1 - kappa))
        return min(1.0, max(0.0, 1 - (1 - kappa) * np.mean(np.exp(s[:keep]))))
    batches = np.array_split(logs, 20)
    per = np.array([estimate(b) for b in batches])
    return estimate(logs), float(per.std(ddof=1) / math.sqrt(len(per)))

def np_tpr_from_pmf(pmf, kappa):
    """Neyman-Pearson TPR at FPR kappa of a discrete PLD (losses l_i with P-mass p_i; Q-mass p_i e^-l_i),
    randomised at the boundary; the infinite-loss mass is P-only."""
    probs = np.asarray(pmf._probs, dtype=float)
    losses = (pmf._lower_loss + np.arange(len(probs))) * pmf._discretization
    order = np.argsort(-losses)
    tpr, spent = pmf._infinity_mass, 0.0
    for i in order:
        qm = probs[i] * math.exp(-losses[i])
        if spent + qm <= kappa:
            spent += qm; tpr += probs[i]
        else:
            tpr += probs[i] * (kappa - spent) / qm
            break
    return float(tpr)

def dp_accounting_remove(kappa, q, z, T, pessimistic):
    from dp_accounting.pld import privacy_loss_distribution as pldlib
    p = pldlib.from_gaussian_mechanism(standard_deviation=z, sampling_prob=q, value_discretization_interval=1e-4,
                                       pessimistic_estimate=pessimistic).self_compose(T)
    # _pmf_remove: the pair (mixture with the target, N(0, z^2) without it)
    return np_tpr_from_pmf(p._pmf_remove, kappa)

cases = []
# (z, q, T, kappa). The q = 1 rows: the settings of Hayes' shared experiment code (MNIST, 100
# full-batch steps, prior of 8 candidates: kappa = 1/8; noise multipliers 75, 40, 27, 21, 9.5, 5,
# whose RDP epsilons at delta 1e-5 are 0.512, 1.013, 1.557, 2.052, 5.016, 10.73).
for z in (75.0, 40.0, 27.0, 21.0, 9.5, 5.0):
    cases.append((z, 1.0, 100, 0.125))
cases += [(1.1, 0.01, 1000, 0.125), (1.1, 0.01, 1000, 0.01), (2.0, 0.1, 100, 0.125), (1.0, 0.05, 200, 0.01)]
out = []
for z, q, T, kappa in cases:
    row = {"noise_multiplier": z, "sampling_rate": q, "steps": T, "kappa": kappa}
    mc, se = hayes_monte_carlo(kappa, q, z, T, samples=400000 if T <= 200 else 100000, seed=18)
    row["monte_carlo"] = mc
    row["monte_carlo_stderr"] = se
    row["monte_carlo_samples"] = 400000 if T <= 200 else 100000
    if q >= 1:
        row["exact"] = gaussian_exact(kappa, math.sqrt(T) / z)
        row["replace_one_exact"] = gaussian_exact(kappa, 2 * math.sqrt(T) / z)
    else:
        row["dp_accounting_pessimistic"] = dp_accounting_remove(kappa, q, z, T, True)
        row["dp_accounting_optimistic"] = dp_accounting_remove(kappa, q, z, T, False)
    print(row, file=sys.stderr)
    out.append(row)
print(json.dumps({
    "source": "tests/attack/data/hayes_reconstruction.py (this file's values; dp_accounting 0.6.0, numpy, mpmath)",
    "bound": "Hayes, Mahloujifar & Balle, 'Bounding Training Data Reconstruction in DP-SGD', NeurIPS 2023 (arXiv 2302.07225): "
             "reconstruction success <= B_kappa(mu, nu) = sup{nu(E): mu(E) <= kappa}, mu = N(0,z^2)^T, nu = ((1-q)N(0,z^2) + qN(1,z^2))^T",
    "how_read": "The paper's figures could not be read here (only its abstract and introduction are in the stored copies), so no "
                "value is read off a plot. The q = 1 parameter sets are those of the experiment code J. Hayes shared for the paper "
                "(published in github.com/PatriciaBalboaKIT/Understanding-Disclosure-Risk-in-Differential-Privacy, "
                "DPSGD_noAux/mnist_eps*.py: 100 full-batch steps, 8 candidates, noise multipliers recovered from the RDP "
                "epsilons in their file names); its bound function is the Monte Carlo estimator re-implemented here, which "
                "that code runs with 10,000 samples (standard error about 1e-3 to 6e-3 at these settings). Each case here records: "
                "exact (q = 1: Phi(Phi^-1(kappa) + sqrt(T)/z), mpmath), or dp_accounting's pessimistic/optimistic remove-direction "
                "PLD (grid 1e-4) read by the Neyman-Pearson test (q < 1), and the paper's Monte Carlo estimator with "
                "monte_carlo_samples samples and its standard error (20 batches).",
    "replace_one_exact": "q = 1 only: the same curve at sensitivity 2 (the replace-one pair), which privflow's --reconstruction-prior uses with --neighbouring replace (on add/remove it takes the smaller, add/remove, curve)",
    "cases": out}, indent=1))
