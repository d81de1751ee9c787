// offload-micro: Google Benchmark's own main, plus two context entries every report carries —
// the harness revision, and how the locks/op, allocs/op and wakeups/op counters were made.
#include <benchmark/benchmark.h>

#include "runtime/instrumentation.hpp"

#ifndef OFFLOAD_GIT_REVISION
#define OFFLOAD_GIT_REVISION ""
#endif

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("offload_git_revision", OFFLOAD_GIT_REVISION);
  benchmark::AddCustomContext(
      "offload_counters",
      OFFLOAD_INSTRUMENTATION
          ? "locks/op, allocs/op, wakeups/op: from an untimed counting pass before each timed loop"
          : "none: built with OFFLOAD_INSTRUMENTATION=0");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
