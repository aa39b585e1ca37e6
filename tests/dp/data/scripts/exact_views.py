"""Exact (rational) linear algebra shared by the network reference scripts: a view y = A x + B z
with Gaussian noise z reveals mu^2 = s^T (B B^T)^+ s about a shift s of x (Python fractions)."""
from fractions import Fraction as F


def solve_consistent(M, s):
    """Exact Gaussian elimination; returns y with M y = s, or None if inconsistent."""
    n = len(M); m = len(M[0]) if n else 0
    A = [row[:] + [s[i]] for i, row in enumerate(M)]
    piv_cols = []; r = 0
    for c in range(m):
        p = next((i for i in range(r, n) if A[i][c] != 0), None)
        if p is None: continue
        A[r], A[p] = A[p], A[r]
        inv = 1 / A[r][c]
        A[r] = [x * inv for x in A[r]]
        for i in range(n):
            if i != r and A[i][c] != 0:
                f = A[i][c]; A[i] = [a - f * b for a, b in zip(A[i], A[r])]
        piv_cols.append(c); r += 1
    for i in range(r, n):
        if A[i][m] != 0: return None
    y = [F(0)] * m
    for i, c in enumerate(piv_cols): y[c] = A[i][m]
    return y


def mu_squared(rows, s):
    """s^T (R R^T)^+ s for the rows R, or None when s is not in their span."""
    M = [[sum(a * b for a, b in zip(ri, rj)) for rj in rows] for ri in rows]
    y = solve_consistent(M, s)
    if y is None: return None
    return sum(a * b for a, b in zip(s, y))


def walk_mu2(path, coalition, target):
    """A token walk along `path`: one noise per honest visit; the coalition sees the running sum
    before each of its visits and the final token, less its own contributions."""
    honest_visits = [s for s, u in enumerate(path) if u not in coalition]
    rows, shift = [], []
    def observe(upto):
        rows.append([F(1) if s < upto else F(0) for s in honest_visits])
        shift.append(F(sum(1 for s in range(upto) if path[s] == target)))
    for s, u in enumerate(path):
        if u in coalition: observe(s)
    observe(len(path))
    if not any(shift): return F(0)
    return mu_squared(rows, shift)
