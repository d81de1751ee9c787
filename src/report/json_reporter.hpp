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
//               "passed" | "failed" | "inconclusive").
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
