#!/usr/bin/env bash
# The libuv driver beside uv-queue-work-reference, in one sitting with the rounds interleaved: the
# burst (N no-op requests queued at once) and the sequential round trip, each as ns per op, the
# driver's from its own sample timing (after one untimed warm-up sample), the reference's from its
# output. docs/peers.md quotes what it prints.
# Usage: drivers/reference/compare_with_driver.sh [BUILD_DIR [ROUNDS [BURST_OPS [SEQUENTIAL_OPS [WORKERS]]]]]
set -euo pipefail

build=${1:-build}
rounds=${2:-5}
burst_ops=${3:-1000000}
sequential_ops=${4:-100000}
workers=${5:-2}
driver=$build/src/offload-bench-libuv-driver
reference=$build/drivers/uv-queue-work-reference
for program in "$driver" "$reference"; do
  [ -x "$program" ] || { echo "compare_with_driver: $program not built" >&2; exit 2; }
done

# ns per op of the sample response on stdin: wall_ns / ops.
ns_per_op() { sed -E 's/.*"ops":([0-9]+).*"wall_ns":([0-9]+).*/\2 \1/' | awk '{ printf "%.1f", $1 / $2 }'; }

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $workers pool threads"
echo "round  burst ns/op (reference, driver)  sequential ns/op (reference, driver)"
for round in $(seq "$rounds"); do
  out=$(UV_THREADPOOL_SIZE=$workers "$reference" "$burst_ops" "$sequential_ops")
  ref_burst=$(sed -n -E 's/.*burst: .*, ([0-9.]+) ns\/op/\1/p' <<<"$out")
  ref_sequential=$(sed -n -E 's/.*sequential: .*: ([0-9.]+) us each/\1/p' <<<"$out" | awk '{ printf "%.1f", $1 * 1000 }')
  responses=$(printf '%s\n' \
    '{"cmd":"hello","protocol":2}' \
    "{\"cmd\":\"open\",\"workload\":{\"ops\":$burst_ops,\"concurrency\":\"gather\",\"workers\":$workers},\"selection\":{}}" \
    "{\"cmd\":\"open\",\"workload\":{\"ops\":$sequential_ops,\"concurrency\":\"sequential\",\"workers\":$workers},\"selection\":{}}" \
    '{"cmd":"sample","id":1,"batches":1}' '{"cmd":"sample","id":1,"batches":1}' \
    '{"cmd":"sample","id":2,"batches":1}' '{"cmd":"sample","id":2,"batches":1}' \
    '{"cmd":"exit"}' | "$driver")
  driver_burst=$(sed -n 5p <<<"$responses" | ns_per_op)
  driver_sequential=$(sed -n 7p <<<"$responses" | ns_per_op)
  printf '%5d  %14s %14s  %18s %18s\n' "$round" "$ref_burst" "$driver_burst" "$ref_sequential" "$driver_sequential"
done
