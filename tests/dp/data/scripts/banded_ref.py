# Brute force: the squared L2 sensitivity of a banded lower-triangular Toeplitz strategy C
# (C[i][j] = c[i-j] for 0 <= i-j < bands) under (k, s)-participation: the max over every set of
# steps pi (|pi| <= k, any two at least s apart) and every sign vector u on pi of ||C u||^2,
# in exact fractions (gradients of norm 1 in one dimension, with either sign).
import itertools, json, random
from fractions import Fraction as F
random.seed(19)

def patterns(n, k, s):
    for size in range(1, k + 1):
        for pi in itertools.combinations(range(n), size):
            if all(b - a >= s for a, b in zip(pi, pi[1:])):
                yield pi

def sens2(c, n, k, s):
    best = F(0)
    for pi in patterns(n, k, s):
        for signs in itertools.product((1, -1), repeat=len(pi)):
            col = [F(0)] * n
            for j, sg in zip(pi, signs):
                for i in range(j, min(n, j + len(c))):
                    col[i] += sg * c[i - j]
            best = max(best, sum(x * x for x in col))
    return best

cases = []
for n, bands, k, s in [(4, 1, 2, 2), (6, 2, 3, 2), (8, 3, 2, 4), (9, 3, 3, 3), (10, 2, 4, 3), (7, 4, 2, 5), (12, 3, 4, 3), (5, 5, 1, 5)]:
    c = [F(random.randint(-9, 9), random.randint(1, 6)) for _ in range(bands)]
    if c[0] == 0: c[0] = F(1)
    cases.append({"coefficients": [str(x) for x in c], "steps": n, "participations": k, "min_separation": s,
                  "sensitivity_squared": str(sens2(c, n, k, s))})
print(json.dumps({"source": "brute force in Python fractions (exact): max over participation patterns pi (at most participations steps, any two at least min_separation apart) and sign vectors u in {+1,-1}^pi of ||C u||^2, C the banded lower-triangular Toeplitz matrix of the coefficients over steps rows; random coefficients (seed 19). tests/dp/data/scripts/banded_ref.py.", "cases": cases}, indent=1))
