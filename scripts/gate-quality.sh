#!/usr/bin/env bash
# Measures the compare gate's quality (README, "The gate's quality"):
#   A/A      the same build and workload twice: how many comparisons raise a false alarm;
#   +5%, +2% the new run's job does 5% / 2% more work: how many are detected as regressed.
# Each experiment runs scenarios/gate/spin.toml PAIRS times as base and as new (two strategies
# each, so 2 x PAIRS comparisons of ns_per_op) and compares them at default settings.
# Usage: scripts/gate-quality.sh [PAIRS] [BINARY]     (defaults: 50, build/src/offload-bench)
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=${1:-50}
bench=${2:-build/src/offload-bench}
scenario=scenarios/gate/spin.toml
base_ns=5000
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

experiment() {  # experiment LABEL NEW_JOB_NS
  local label=$1 new_ns=$2 regressed=0 improved=0 unchanged=0 other=0
  for ((i = 1; i <= pairs; i++)); do
    run "$work/base.json" "$base_ns"
    run "$work/new.json" "$new_ns"
    "$bench" compare "$work/base.json" "$work/new.json" --metric ns_per_op --format json \
      --fail-on never >"$work/compare.json"
    regressed=$((regressed + $(count regressed)))
    improved=$((improved + $(count improved)))
    unchanged=$((unchanged + $(count unchanged)))
    other=$((other + $(count insufficient)))
  done
  printf '%-28s %4d comparisons: %3d regressed, %3d improved, %3d unchanged, %3d insufficient\n' \
    "$label" $((regressed + improved + unchanged + other)) "$regressed" "$improved" "$unchanged" "$other"
}

echo "gate quality: $scenario, $pairs run pairs per experiment, compare defaults (alpha 0.05 Holm, threshold 5%), metric ns_per_op"
experiment "A/A (identical)" "$base_ns"
experiment "+5% work (job_ns 5250)" $((base_ns * 105 / 100))
experiment "+2% work (job_ns 5100)" $((base_ns * 102 / 100))
