#!/usr/bin/env python3
"""Reference values for tests/measure/paired_statistics_test.cpp, computed with scipy.

Regenerate: /usr/bin/python3.11 tests/measure/data/paired_statistics_reference.py
(Debian 12: apt-get install python3-scipy; written against scipy 1.10.1, numpy 1.24.2).
Prints each data set's values with 17 significant digits; the test records them.

Independent of the C++ code: p-values from scipy.stats.wilcoxon (zero_method="wilcox",
correction=False; "exact" for <= 50 non-zero differences without ties, "approx" otherwise, as
paired_statistics.hpp documents); Hodges-Lehmann from numpy over the Walsh averages; its CI's
order statistic k from the exact null distribution of T+ (scipy's _get_wilcoxon_distr for
n <= 50, cross-checked by enumerating all 2^n sign patterns for n = 10) or the normal quantile
scipy.stats.norm.ppf (n > 50), the rule: k = the largest integer with P(T+ <= k - 1) <= tail.
"""
import itertools
import math

import numpy as np
import scipy
import scipy.stats as st
from scipy.stats._hypotests import _get_wilcoxon_distr

# The data sets, also written out in the test.
N5_ALL_POSITIVE = [0.011, 0.023, 0.035, 0.047, 0.052]
N8_MIXED = [0.31, -0.12, 0.45, 0.27, -0.05, 0.66, 0.18, 0.52]
N12_MIXED = [-0.8, 1.3, 0.4, -0.25, 2.1, 0.95, -1.7, 0.6, 1.15, 0.05, 1.9, -0.45]
N16_TIES = [0.1, 0.2, 0.2, -0.1, 0.3, 0.3, 0.3, -0.2, 0.4, 0.1, 0.5, -0.3, 0.2, 0.6, 0.1, 0.4]
N9_WITH_ZEROS = [0.0, 0.3, -0.1, 0.0, 0.5, 0.7, 0.2, 0.9, 1.1]
# n = 60 without ties among the differences nor among their Walsh averages (so the CI's order
# statistic k is pinned down): minstd's sequence x_i = 48271 x_{i-1} mod (2^31 - 1), x_0 = 1, and
# d_i = x_i / (2^31 - 1) - 0.3, exact in doubles, built the same way by the test.
def _n60():
    x, d = 1, []
    for _ in range(60):
        x = x * 48271 % 2147483647
        d.append(x / 2147483647.0 - 0.3)
    return d


N60 = _n60()
N10_CI = [0.052, -0.013, 0.031, 0.088, 0.021, 0.047, -0.002, 0.064, 0.039, 0.075]
# compare_paired: ns/op of a candidate and its baseline, round by round.
CANDIDATE = [101.0, 98.5, 103.2, 99.1, 97.8, 100.4, 96.9, 98.0, 99.7, 97.2]
BASELINE = [104.5, 103.0, 105.1, 104.4, 101.0, 102.2, 103.9, 100.8, 104.0, 102.6]


def p_value(d):
    d = np.asarray(d, dtype=float)
    nz = d[d != 0]
    ties = len(np.unique(np.abs(nz))) != len(nz)
    method = "exact" if len(nz) <= 50 and not ties else "approx"
    r = st.wilcoxon(nz, zero_method="wilcox", correction=False, method=method)
    return r.pvalue, method


def walsh(d):
    d = np.asarray(d, dtype=float)
    i, j = np.triu_indices(len(d))
    return np.sort((d[i] + d[j]) / 2)


def hodges_lehmann(d):
    return float(np.median(walsh(d)))


def k_exact(n, tail):
    cdf = np.cumsum(_get_wilcoxon_distr(n))  # cdf[t] = P(T+ <= t)
    k = 0
    while k < len(cdf) and cdf[k] <= tail:
        k += 1
    return k  # P(T+ <= k - 1) <= tail < P(T+ <= k)


def k_enumerated(n, tail):
    sums = [sum(r for r, s in zip(range(1, n + 1), signs) if s)
            for signs in itertools.product([0, 1], repeat=n)]
    k = 0
    while sum(1 for s in sums if s <= k) / 2**n <= tail:
        k += 1
    return k


def k_normal(n, tail):
    mean = n * (n + 1) / 4
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    # P(T+ <= k - 1) ~ Phi((k - 1 - mean) / sd) <= tail  <=>  k <= mean + z_tail sd + 1
    return math.floor(mean + st.norm.ppf(tail) * sd + 1)


def ci(d, confidence):
    n = len(d)
    tail = (1 - confidence) / 2
    k = k_exact(n, tail) if n <= 50 else k_normal(n, tail)
    w = walsh(d)
    return w[k - 1], w[len(w) - k], k


def show(name, value):
    print(f"{name} = {value!r}" if isinstance(value, str) else f"{name} = {value:.17g}")


def main():
    print(f"scipy {scipy.__version__}, numpy {np.__version__}")
    for name, d in [("n5_all_positive", N5_ALL_POSITIVE), ("n8_mixed", N8_MIXED), ("n12_mixed", N12_MIXED),
                    ("n16_ties", N16_TIES), ("n9_with_zeros", N9_WITH_ZEROS), ("n60", N60)]:
        p, method = p_value(d)
        show(f"{name}.p ({method})", p)
        show(f"{name}.hodges_lehmann", hodges_lehmann(d))
    assert k_exact(10, 0.025) == k_enumerated(10, 0.025)
    for name, d, conf in [("n10_ci", N10_CI, 0.95), ("n10_ci", N10_CI, 0.99), ("n60", N60, 0.95)]:
        low, high, k = ci(d, conf)
        show(f"{name}.ci{conf}.k", k)
        show(f"{name}.ci{conf}.low", low)
        show(f"{name}.ci{conf}.high", high)
    # n = 60 with the exact distribution instead: how far the normal approximation's k is off.
    show("n60.ci0.95.k_exact", k_exact(60, 0.025))
    logs = np.log(np.asarray(CANDIDATE) / np.asarray(BASELINE))
    low, high, _ = ci(logs, 0.95)
    w60 = walsh(N60)
    assert len(set(w60)) == len(w60), "the n = 60 CI needs distinct Walsh averages"
    show("compare_paired.ratio", math.exp(hodges_lehmann(logs)))
    show("compare_paired.ci.low", math.exp(low))
    show("compare_paired.ci.high", math.exp(high))
    show("compare_paired.p", p_value(logs)[0])
    # min_pairs_for(alpha): the fewest pairs whose most extreme outcome (every difference positive)
    # has an exact two-sided p <= alpha.
    for alpha in [0.05, 0.05 / 2, 0.05 / 4, 0.05 / 36, 0.001]:
        n = 1
        while st.wilcoxon(np.arange(1.0, n + 1), method="exact").pvalue > alpha:
            n += 1
        show(f"min_pairs_for({alpha!r})", n)


if __name__ == "__main__":
    main()
