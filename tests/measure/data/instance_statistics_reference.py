#!/usr/bin/env python3
"""Reference values for tests/measure/instance_statistics_test.cpp, computed with scipy.

Regenerate: /usr/bin/python3.11 tests/measure/data/instance_statistics_reference.py
(Debian 12: apt-get install python3-scipy; written against scipy 1.10.1, numpy 1.24.2).

Independent of the C++ code: Student's t tails and quantiles from scipy.stats.t; each instance's
estimate is numpy's median of its Walsh averages (Hodges-Lehmann); the instances' mean, CI and p
from scipy.stats.ttest_1samp and t.ppf.
"""
import math

import numpy as np
import scipy.stats as st

T_TAILS = [(2.0, 5), (0.5, 1), (3.5, 30), (10.0, 3), (1.3, 2.5), (0.0, 7)]
CRITICAL = [(0.05, 4), (0.0125, 9), (0.01, 1), (0.05, 100), (0.5, 3)]

# Rounds of three instances: (instance, candidate ns, baseline ns), written out in the test.
ROUNDS = [
    (0, 104.0, 100.0), (0, 103.0, 100.0), (0, 106.0, 101.0), (0, 102.0, 99.0),
    (1, 99.0, 100.0), (1, 101.0, 98.0), (1, 100.5, 100.0),
    (2, 108.0, 101.0), (2, 107.0, 102.0), (2, 109.0, 100.0), (2, 105.0, 103.0), (2, 106.0, 100.0),
]


def hodges_lehmann(d):
    d = np.asarray(d)
    i, j = np.triu_indices(len(d))
    return float(np.median((d[i] + d[j]) / 2))


def main():
    for t, df in T_TAILS:
        print(f"P(|T| >= {t}), df {df}: {2 * st.t.sf(abs(t), df):.17g}")
    for p, df in CRITICAL:
        print(f"critical p {p}, df {df}: {st.t.isf(p / 2, df):.17g}")
    groups = {}
    for k, c, b in ROUNDS:
        groups.setdefault(k, []).append(math.log(c / b))
    estimates = [hodges_lehmann(v) for _, v in sorted(groups.items())]
    k = len(estimates)
    mean = float(np.mean(estimates))
    se = float(np.std(estimates, ddof=1)) / math.sqrt(k)
    for alpha in (0.05, 0.01):
        h = st.t.isf(alpha / 2, k - 1) * se
        print(f"alpha {alpha}: ratio {math.exp(mean):.17g} ci [{math.exp(mean - h):.17g}, {math.exp(mean + h):.17g}]")
    print(f"p {st.ttest_1samp(estimates, 0).pvalue:.17g}")


if __name__ == "__main__":
    main()
