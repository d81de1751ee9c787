#!/usr/bin/env bash
# The CI gates' quality on real scenarios (README, "The gate's quality"): for `ab` (two builds in
# one interleaved run) and for `compare` (two reports run one after the other), how often a gated
# run fails when nothing changed (A/A: two copies of one build at different paths), and how often
# it catches a slowdown of 5% and 2% of the scenario's median op (a second build made with
# -DOFFLOAD_SLOWDOWN_INJECTION=ON, its per-op delay calibrated per scenario from a base run).
# Each rate comes with its exact 95% upper bound (Clopper-Pearson, one-sided).
#
# Usage: scripts/gate-quality.sh [RUNS] [BUILD_DIR] [MAX_TIME]
#   RUNS      gated runs per experiment and gate (default 50)
#   BUILD_DIR the base build (default build; the injected build goes to BUILD_DIR-slowdown)
#   MAX_TIME  --max-time of each point, seconds (default 1)
# 3 scenarios x 3 experiments x 2 gates x RUNS gated runs: about 1 minute per run of RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-50}
build=${2:-build}
max_time=${3:-1}
bench=$build/src/offload-bench
slow_build=$build-slowdown
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$bench" ] || { echo "gate-quality: $bench not found; run 'make build' first" >&2; exit 2; }
cmake -S . -B "$slow_build" -DCMAKE_BUILD_TYPE=Release -DOFFLOAD_SLOWDOWN_INJECTION=ON \
  -DOFFLOAD_BUILD_TESTS=OFF -DOFFLOAD_BUILD_BENCH=OFF >/dev/null
cmake --build "$slow_build" -j "$(nproc)" --target offload-bench >/dev/null
mkdir -p "$work/aa"
cp "$bench" "$work/aa/offload-bench"  # A/A: the same build at another path, a process of its own

# name | scenario file | the point and strategy to gate on (ab's --filter) | run's --filter
scenarios=(
  "micro|scenarios/state_copy_micro.toml|strategy=per_field_locks|state_copy_micro"
  "round trip|scenarios/round_trip_worker_idle.toml|strategy=park|round_trip_worker_idle"
  "gather|scenarios/to_thread_context.toml|context_vars=0/concurrency=gather/strategy=copy_context_partial|context_vars=0/concurrency=gather"
)

median_ns() {  # median_ns REPORT: the first strategy's median ns/op
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["scenarios"][0]["strategies"][0]; print(next(m["summary"]["median"] for m in s["metrics"] if m["name"]=="ns_per_op"))' "$1"
}

upper_bound() {  # upper_bound K N: the exact one-sided 95% upper bound of K/N, in %
  python3 -c '
import math, sys
k, n = int(sys.argv[1]), int(sys.argv[2])
cdf = lambda p: sum(math.comb(n, i) * p**i * (1 - p)**(n - i) for i in range(k + 1))
lo, hi = k / n, 1.0
for _ in range(60):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if cdf(mid) > 0.05 else (lo, mid)
print(f"{100 * hi:.1f}")' "$1" "$2"
}

gated() {  # gated GATE FILE AB_FILTER RUN_FILTER NEW_BINARY DELAY_NS: exit 1 when the gate fails the run
  local gate=$1 file=$2 ab_filter=$3 run_filter=$4 new=$5 delay=$6
  if [ "$gate" = ab ]; then
    OFFLOAD_INJECTED_DELAY_NS=$delay "$bench" ab --base "$bench" --new "$new" "$file" --filter "$ab_filter" \
      --quiet --no-out --format json --max-time "$max_time" >/dev/null 2>"$work/err"
  else
    "$bench" run "$file" --filter "$run_filter" --quiet --out "$work/base.json" --max-time "$max_time" \
      >/dev/null 2>"$work/err" || return 3
    OFFLOAD_INJECTED_DELAY_NS=$delay "$new" run "$file" --filter "$run_filter" --quiet --out "$work/new.json" \
      --max-time "$max_time" >/dev/null 2>"$work/err" || return 3
    "$bench" compare "$work/base.json" "$work/new.json" --metric ns_per_op --format json >/dev/null 2>"$work/err"
  fi
}

echo "gate quality: $runs gated runs per experiment and gate, --max-time $max_time s, default settings"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs"
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name file ab_filter run_filter <<<"$entry"
  "$bench" run "$file" --filter "$run_filter" --quiet --out "$work/calibrate.json" --max-time "$max_time" >/dev/null 2>&1
  op_ns=$(median_ns "$work/calibrate.json")
  for experiment in "A/A|$work/aa/offload-bench|0" "+5%|$slow_build/src/offload-bench|5" "+2%|$slow_build/src/offload-bench|2"; do
    IFS='|' read -r label new pct <<<"$experiment"
    delay=$(python3 -c "print(round($op_ns * $pct / 100))")
    for gate in ab compare; do
      failed=0 errors=0
      for ((i = 1; i <= runs; i++)); do
        set +e
        gated "$gate" "$file" "$ab_filter" "$run_filter" "$new" "$delay"
        status=$?
        set -e
        case $status in 0) ;; 1) failed=$((failed + 1)) ;; *) errors=$((errors + 1)) ;; esac
      done
      printf '%-10s %-4s %-8s %3d of %3d gated runs failed (95%% upper bound %5s%%)%s\n' "$name" "$label" "$gate" \
        "$failed" "$runs" "$(upper_bound "$failed" "$runs")" "$([ $errors -gt 0 ] && echo ", $errors errors: $(tail -n 1 "$work/err")")"
    done
  done
done
