#!/usr/bin/env bash
# Measures the compare gate's quality (README, "The gate's quality"):
#   A/A      the same build and workload twice: how many comparisons raise a false alarm;
#   +5%, +2% the new run's job does 5% / 2% more work: how many are detected as regressed,
#            at the default threshold and at one just below the injected change.
# Each experiment runs scenarios/gate/spin.toml PAIRS times as base and as new (two strategies
# each, so 2 x PAIRS comparisons of ns_per_op) and compares each pair. About 6 minutes.
# Usage: scripts/gate-quality.sh [PAIRS] [BINARY]     (defaults: 50, build/src/offload-bench)
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=${1:-50}
bench=${2:-build/src/offload-bench}
scenario=scenarios/gate/spin.toml
base_ns=50000  # scenarios/gate/spin.toml's job_ns: the spin is ~99.9% of an op
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$bench" ] || { echo "gate-quality: $bench not found; run 'make build' first" >&2; exit 2; }

run() {  # run OUT JOB_NS
  "$bench" run "$scenario" --quiet --out "$1" --set "workload.job_ns=$2" >/dev/null 2>"$work/run.err" ||
    { cat "$work/run.err" >&2; exit 1; }
}

count() {  # count VERDICT: comparisons with that verdict in the last compare
  { grep -o "\"verdict\": *\"$1\"" "$work/compare.json" || true; } | wc -l
}

experiment() {  # experiment LABEL NEW_JOB_NS [COMPARE OPTIONS...]
  local label=$1 new_ns=$2 regressed=0 improved=0 unchanged=0 other=0
  shift 2
  for ((i = 1; i <= pairs; i++)); do
    run "$work/base.json" "$base_ns"
    run "$work/new.json" "$new_ns"
    "$bench" compare "$work/base.json" "$work/new.json" --metric ns_per_op --format json \
      --fail-on never "$@" >"$work/compare.json"
    regressed=$((regressed + $(count regressed)))
    improved=$((improved + $(count improved)))
    unchanged=$((unchanged + $(count unchanged)))
    other=$((other + $(count insufficient)))
  done
  printf '%-28s %4d comparisons: %3d regressed, %3d improved, %3d unchanged, %3d insufficient\n' \
    "$label" $((regressed + improved + unchanged + other)) "$regressed" "$improved" "$unchanged" "$other"
}

# "N% more work" means an op N% longer: the extra spin is N% of a whole op as measured (the
# spin plus the wrapping and loop around it), not N% of the spin alone.
run "$work/base.json" "$base_ns"
op_ns=$("$bench" compare "$work/base.json" "$work/base.json" --metric ns_per_op --format json |
        grep -o '"base_median": *[0-9.e+]*' | head -n 1 | sed 's/.*: *//' | awk '{ print int($1 + 0.5) }')
slower() { echo $((base_ns + op_ns * $1 / 100)); }

echo "gate quality: $scenario (an op is $op_ns ns), $pairs run pairs per experiment,"
echo "compare defaults (alpha 0.05 with Holm, threshold 5%), metric ns_per_op"
experiment "A/A (identical)" "$base_ns"
experiment "+5% work" "$(slower 5)"
experiment "+2% work" "$(slower 2)"
experiment "+5% work, --threshold 0.04" "$(slower 5)" --threshold 0.04
experiment "+2% work, --threshold 0.02" "$(slower 2)" --threshold 0.02
experiment "A/A, --threshold 0.02" "$base_ns" --threshold 0.02
