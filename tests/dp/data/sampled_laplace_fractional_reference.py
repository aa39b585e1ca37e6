# Reference values for a Poisson-sampled Laplace under replace-one with a replace-one factor f
# strictly between 1 and 2 (dp/subsampled.cpp, ReplaceLaplace with c = f - 1 in (0, 1);
# tests/dp/subsampled_test.cpp). dp_accounting has the pairs of f = 1 (add/remove) and f = 2
# (REPLACE), not this asymmetric one, so the figures are computed here independently:
#  - the pair (scale 1/eps0, add/remove sensitivity 1): P = q*Lap(-1) + (1-q)*Lap(0) against
#    Q = q*Lap(c) + (1-q)*Lap(0), both directions (the region check of
#    sampled_laplace_replace_reference.py shows it is the worst pair of means);
#  - one use: mpmath at 40 digits. The loss L = log(P/Q) is non-increasing, so
#    delta(eps) = P(x < x1) - e^eps Q(x < x1) with L(x1) = eps (forward) and
#    Q(x > x2) - e^eps P(x > x2) with L(x2) = -eps (backward), both from the closed-form CDFs;
#    eps at delta by bisection. optimistic = pessimistic = that value (rounded to 1e-12 either way);
#  - several uses: the pair's exact masses on x-cells of [-1, c] (and the two constant-loss tails),
#    each cell's loss rounded down (optimistic) or up (pessimistic) to a grid of h, composed by
#    numpy's FFT, both directions; eps at delta by bisection on the composed distribution.
# Run: python3 sampled_laplace_fractional_reference.py > sampled_laplace_fractional_reference.json
import json, math
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def pair(eps0, q, c):
  cdf = lambda x, mu: mp.mpf(1) / 2 * mp.exp((x - mu) * eps0) if x < mu else 1 - mp.mpf(1) / 2 * mp.exp(-(x - mu) * eps0)
  dens = lambda x, mu: eps0 / mp.mpf(2) * mp.exp(-eps0 * abs(x - mu))
  P = lambda x: q * cdf(x, -1) + (1 - q) * cdf(x, 0)
  Q = lambda x: q * cdf(x, c) + (1 - q) * cdf(x, 0)
  L = lambda x: mp.log(q * dens(x, -1) + (1 - q) * dens(x, 0)) - mp.log(q * dens(x, c) + (1 - q) * dens(x, 0))
  return P, Q, L


def crossing(L, level, c):
  """x in [-1, c] with L(x) = level (L non-increasing), clamped to the ends."""
  lo, hi = mp.mpf(-1), mp.mpf(c)
  if level >= L(lo):
    return lo
  if level <= L(hi):
    return hi
  for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if L(mid) > level else (lo, mid)
  return lo


def one_use_delta(eps0, q, c, eps):
  P, Q, L = pair(mp.mpf(eps0), mp.mpf(q), mp.mpf(c))
  e = mp.e ** eps
  x1 = crossing(L, eps, c)
  forward = P(x1) - e * Q(x1) if eps < L(mp.mpf(-1)) else mp.mpf(0)
  x2 = crossing(L, -eps, c)
  backward = (1 - Q(x2)) - e * (1 - P(x2)) if -eps > L(mp.mpf(c)) else mp.mpf(0)
  return max(forward, backward, mp.mpf(0))


def one_use_epsilon(eps0, q, c, delta):
  lo, hi = mp.mpf(0), mp.mpf(eps0) * (1 + c)
  for _ in range(120):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if one_use_delta(eps0, q, c, mid) > delta else (lo, mid)
  return float(hi)


def fft_bracket(eps0, q, c, times, delta, h, cells=200001):
  cdf = lambda x, mu: np.where((x - mu) * eps0 < 0, 0.5 * np.exp(np.minimum((x - mu) * eps0, 0)),
                               1 - 0.5 * np.exp(-np.maximum((x - mu) * eps0, 0)))
  dens = lambda x, mu: 0.5 * eps0 * np.exp(-eps0 * np.abs(x - mu))
  loss = lambda x: np.log(q * dens(x, -1) + (1 - q) * dens(x, 0)) - np.log(q * dens(x, c) + (1 - q) * dens(x, 0))
  edges = np.concatenate(([-np.inf], np.linspace(-1, c, cells), [np.inf]))
  p_mass = np.diff(q * cdf(edges, -1) + (1 - q) * cdf(edges, 0))
  q_mass = np.diff(q * cdf(edges, c) + (1 - q) * cdf(edges, 0))
  inner = loss(edges[1:-1])
  left = np.concatenate(([loss(-1.0)], inner))     # each cell's largest L (L non-increasing)
  right = np.concatenate((inner, [loss(float(c))]))  # each cell's smallest L

  def epsilon(mass, cell_loss, rounding):
    idx = rounding(cell_loss / h).astype(np.int64)
    lo = idx.min()
    pmf = np.bincount(idx - lo, weights=mass)
    n = len(pmf) * times + 1
    size = 1 << int(math.ceil(math.log2(n)))
    comp = np.maximum(np.fft.irfft(np.fft.rfft(pmf, size) ** times, size)[:n], 0)
    losses = (np.arange(n) + lo * times) * h
    def d(e):
      m = losses > e
      return float(np.sum(comp[m] * (1 - np.exp(e - losses[m]))))
    a, b = 0.0, 20.0
    for _ in range(60):
      a, b = ((a + b) / 2, b) if d((a + b) / 2) > delta else (a, (a + b) / 2)
    return b

  # forward (P, Q): loss L under P; backward (Q, P): loss -L under Q.
  optimistic = max(epsilon(p_mass, right, np.floor), epsilon(q_mass, -left, np.floor))
  pessimistic = max(epsilon(p_mass, left, np.ceil), epsilon(q_mass, -right, np.ceil))
  return optimistic, pessimistic


cases = []
for f in (1.25, 1.5, 1.75):
  c = f - 1
  for eps0, q, times, delta, h in [(1, 0.1, 1, 1e-6, None), (0.5, 0.3, 1, 1e-5, None), (2, 0.05, 1, 1e-6, None),
                                   (1, 0.1, 100, 1e-6, 2e-6), (0.5, 0.3, 10, 1e-5, 2e-6),
                                   (2, 0.01, 1000, 1e-5, 5e-6)]:
    if times == 1:
      e = one_use_epsilon(eps0, q, c, delta)
      lo, hi, source = e * (1 - 1e-12), e * (1 + 1e-12), "mpmath, 40 digits"
    else:
      lo, hi = fft_bracket(eps0, q, c, times, delta, h)
      source = f"numpy FFT bracket, loss grid {h}"
    cases.append(dict(factor=f, epsilon=eps0, q=q, times=times, delta=delta, optimistic=lo, pessimistic=hi,
                      source=source))
print(json.dumps(dict(source="independent: mpmath (one use) and a numpy FFT bracket (several uses); see the .py",
                      cases=cases), indent=1))
