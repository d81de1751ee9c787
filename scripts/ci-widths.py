#!/usr/bin/env python3
"""How precise a run's verdicts are: for each ns/op comparison of an offload-bench report, the
relative half-width of the ratio's CI, paired round by round (what the verdict uses) and unpaired
(the bootstrap of the ratio of medians on the same samples), then the median and maximum over the
report and how many are within a target. Usage: scripts/ci-widths.py REPORT.json [TARGET=0.03]"""
import json
import statistics
import sys


def half_width(ratio, ci):
    return max(ci[1] / ratio - 1, 1 - ci[0] / ratio)


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    target = float(argv[2]) if len(argv) == 3 else 0.03
    with open(argv[1]) as f:
        report = json.load(f)
    paired, unpaired = [], []
    for point in report["scenarios"]:
        medians = {s["strategy"]: next(m["summary"]["median"] for m in s["metrics"] if m["name"] == "ns_per_op")
                   for s in point["strategies"]}
        for c in point["comparisons"]:
            if c["metric"] != "ns_per_op" or "unpaired_ratio_ci" not in c:
                continue
            paired.append(half_width(c["ratio"], c["ratio_ci"]))
            unpaired.append(half_width(medians[c["candidate"]] / medians[c["baseline"]], c["unpaired_ratio_ci"]))
    if not paired:
        sys.exit(f"{argv[1]}: no paired ns_per_op comparisons (a report of offload-bench 0.1 schema 2 or later)")
    for name, widths in (("paired", paired), ("unpaired", unpaired)):
        within = sum(w <= target for w in widths)
        print(f"{name:9} {len(widths)} ratios: median half-width {100 * statistics.median(widths):.1f}%, "
              f"max {100 * max(widths):.1f}%, {within} within {100 * target:.0f}%")


if __name__ == "__main__":
    main(sys.argv)
