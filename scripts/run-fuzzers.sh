#!/usr/bin/env bash
# Runs each libFuzzer target of a fuzz build (make fuzz) for SECONDS, starting from its seeds and
# checked-in regressions, and keeps the grown corpus in BUILD_DIR/corpus/<target> for the next
# run. Prints each target's executions; exits 1 at the first finding, naming the input to add to
# tests/fuzz/regressions/<target>/.
# Usage: scripts/run-fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run-fuzzers.sh BUILD_DIR SECONDS}

declare -A seeds=(
  [scenario_loader]="tests/scenario/data tests/cli/data scenarios"
  [report_reader]="tests/report/data"
)
declare -A dictionaries=(
  [scenario_loader]=tests/fuzz/toml.dict
  [report_reader]=tests/fuzz/json.dict
)

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in scenario_loader report_reader; do
  corpus="$build/corpus/$target"
  artifacts="$build/findings/$target/"
  mkdir -p "$corpus" "$artifacts"
  log="$build/fuzz-$target.log"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a parser using 2 GB is a finding;
  # -max_len 8192: inputs of up to 8 KB ran 3x more executions per second than 64 KB on reports.
  # Seeds and regressions are read-only inputs; new coverage is written to $corpus only.
  # shellcheck disable=SC2086
  if ! "$build/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -dict="${dictionaries[$target]}" -artifact_prefix="$artifacts" \
        "$corpus" "tests/fuzz/regressions/$target" ${seeds[$target]} >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "run-fuzzers: $target found a crash, hang or leak; inputs in $artifacts:" >&2
    ls -l "$artifacts" >&2
    echo "run-fuzzers: fix it, then copy the input to tests/fuzz/regressions/$target/" >&2
    exit 1
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "run-fuzzers: $target: $runs executions in ${seconds} s, $cov, no findings (log: $log)"
done
