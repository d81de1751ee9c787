// JSON report: a superset of Google Benchmark's JSON output, so GB's tools (compare.py) read it,
// plus the full result tree under "scenarios".
//
// Layout:
//   context     GB's keys (date, host_name, executable, num_cpus, mhz_per_cpu, cpu_scaling_enabled,
//               caches, load_avg, library_build_type) and ours (schema_version, harness_version,
//               git_revision, kernel, compiler, cpu_model, build_type, suite, partial).
//   benchmarks  per scenario point x strategy: one "iteration" entry per timed sample, then the
//               "aggregate" entries mean, median, stddev and cv, as GB's --benchmark_repetitions.
//               name = "<scenario>/<param=value>.../<strategy>"; real_time/cpu_time in ns per op.
//   scenarios   every ScenarioResult field (see result.hpp), enums as their strings; the
//               scenario's [[expect]] entries under scenario.expect as written in the file, and
//               their outcomes under "expectations" ({description, outcome, detail}, outcome
//               "passed" | "failed" | "inconclusive"). A strategy traced by --breakdown adds
//               "breakdown": [{"phase", "p50_ns", "p99_ns", "mean_ns"}] in phase order (queue,
//               job, complete, wake, deliver, resume; PhaseSummary in result.hpp); the key is
//               absent when the strategy was not traced. Each point names its "backend"
//               ("native" or the interpreter), a skipped point carries "skipped" (why) and no
//               strategies, and cpython samples add "gc_collections" and "gc_ns".
//   warnings    run-wide warnings.
// Doubles that are NaN or infinite are written as null.
#pragma once

#include "report/reporter.hpp"

namespace offload::report {

class JsonReporter final : public Reporter {
 public:
  void write(const Report& report, std::ostream& out) const override;
};

}  // namespace offload::report
