// The result of a run: one struct tree that every reporter (table, JSON, markdown) renders.
// Field comments document the JSON report (report/json_reporter.hpp writes them 1:1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measure/statistics.hpp"
#include "scenario/scenario.hpp"

namespace offload::report {

// 2: paired comparisons (`paired`, `pairs`), adaptive sampling (`rounds`, `precision`,
// `target_precision`, `stopped_by`), and each strategy's `backend`. compare reads 1 and 2.
inline constexpr int kSchemaVersion = 2;

struct CacheInfo {
  std::string type;  // "Data", "Instruction", "Unified"
  int level = 0;
  std::int64_t size_bytes = 0;
  int num_sharing = 0;
};

// Where and how the numbers were produced.
struct Environment {
  std::string host;
  std::string cpu_model;
  int num_cpus = 0;
  double mhz_per_cpu = 0;
  bool cpu_scaling_enabled = false;  // a cpufreq governor other than "performance" was found
  std::vector<CacheInfo> caches;
  std::string kernel;          // uname -sr
  std::string compiler;        // e.g. "g++ 12.2.0"
  std::string build_type;      // "Release"
  std::string harness_version; // offload-bench's version
  std::string git_revision;    // of the harness build, "" when unknown
  std::string date;            // UTC, ISO 8601, when the run started
  double load_average[3] = {0, 0, 0};
};

// One timed sample of one strategy: whole batches run back to back.
struct Sample {
  std::uint64_t ops = 0;          // operations in the sample
  double wall_ns = 0;             // elapsed time of the sample
  double cpu_ns = 0;              // user+sys CPU time of the process during the sample
  double voluntary_switches = 0;  // context switches of the process during the sample
  double involuntary_switches = 0;
  double gc_collections = 0;      // cpython backend: cyclic-collector runs during the sample
  double gc_ns = 0;               // and the time they took; 0 on the native backend

  double ns_per_op() const { return wall_ns / static_cast<double>(ops); }
};

// Per-op latency (end-to-end scenarios) or loop lag, from a log-bucket histogram; nanoseconds.
struct LatencySummary {
  std::uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

// From a separate counting pass (instrumentation on), so timed samples carry no counting.
struct CountsPerOp {
  double lock_acquisitions = 0;
  double heap_allocations = 0;
  double loop_wakeup_signals = 0;
  double loop_wakeups = 0;
  double worker_wakeup_signals = 0;
  double worker_wakeups = 0;
};

// One phase of an end-to-end offload (--breakdown), between two consecutive time stamps of the
// same op: submit, worker start, job end, published (the completion is queued for the loop),
// loop woken (the poll of the iteration that delivers it returned), state copied (the loop
// future is done) and resumed (the awaiting task runs again). Nanoseconds, over the ops of one
// traced sample per strategy, taken apart from the timed samples.
struct PhaseSummary {
  std::string phase;  // "queue", "job", "complete", "wake", "deliver", "resume"
  double p50 = 0, p99 = 0, mean = 0;
};

// The outcome of one guarantee's conformance probe for one strategy.
struct ConformanceCheck {
  std::string guarantee;  // strategy::guarantee_id
  bool passed = false;
  bool claimed = false;   // the strategy says it keeps this guarantee
  std::string detail;     // what was observed, e.g. "next job saw var=1 set by the previous job"
};

// A headline metric summarised over the timed samples.
struct Metric {
  std::string name;  // "ns_per_op", "ops_per_s", "cpu_ns_per_op", "voluntary_switches_per_op", ...
  std::string unit;  // "ns", "ops/s", ...
  bool lower_is_better = true;
  measure::Summary summary;
};

struct StrategyResult {
  std::string strategy;                 // id on the compared axis
  std::string backend = "native";       // what ran it: "native", "libuv 1.44.2", "CPython 3.11.7 (...)"
  strategy::Selection selection;        // the strategy on every axis
  std::vector<Sample> samples;          // timed samples, in run order
  std::vector<Metric> metrics;
  std::optional<LatencySummary> latency;  // per-op latency over all timed samples
  std::optional<LatencySummary> loop_lag; // lateness of a periodic loop timer
  std::optional<CountsPerOp> counts;
  double peak_rss_kib = 0;              // high-water RSS while this strategy ran
  std::vector<ConformanceCheck> conformance;
  std::vector<PhaseSummary> breakdown;  // in phase order; empty unless --breakdown traced it
};

// candidate vs baseline on one metric.
struct Comparison {
  std::string candidate;
  std::string baseline;
  std::string metric;     // a Metric name
  // In a run: paired round by round, the Hodges-Lehmann estimate of the per-round ratios with its
  // signed-rank CI and Wilcoxon signed-rank p (paired_statistics.hpp; `paired`). Between two
  // reports (compare): median(candidate) / median(baseline), a bootstrap CI and Mann-Whitney U.
  double ratio = 0;
  measure::Interval ratio_ci{};
  double p_value = 1;     // two-sided
  double alpha = 0.05;    // after correction for the number of comparisons
  double threshold = 0.02;
  measure::Verdict verdict = measure::Verdict::kNoDifference;
  bool paired = false;
  std::size_t pairs = 0;  // rounds, when paired
};

// One [[expect]] entry checked against this point's own results (measure/expectations.hpp).
struct ExpectationResult {
  enum class Outcome {
    kPassed,
    kFailed,        // the results contradict the claim with statistical support
    kInconclusive,  // neither supported nor contradicted (too few samples, a CI across the bound)
  };
  // The claim: "snapshot at least 30% faster than per_field_locks on ns_per_op".
  std::string description;
  Outcome outcome = Outcome::kInconclusive;  // JSON: "passed" | "failed" | "inconclusive"
  // The evidence: "ratio 0.48 [0.47, 0.49] p<0.001: 52% faster", or why it falls short.
  std::string detail;
};

struct ScenarioResult {
  scenario::Scenario scenario;  // as resolved (sweep point applied)
  std::vector<std::pair<std::string, std::string>> parameters;  // the sweep point
  std::vector<StrategyResult> strategies;  // baseline first, then candidates in file order
  std::vector<Comparison> comparisons;
  std::vector<std::string> warnings;       // e.g. "spread too wide for a 2% threshold"
  std::vector<ExpectationResult> expectations;  // one per scenario.expectations, in file order
  bool complete = true;                    // false when the run stopped inside this scenario
  std::string backend = "native";          // the baseline's backend (each strategy names its own)
  std::string skipped;                     // why this point was not run ("" when it was)
  std::int64_t rounds = 0;                 // interleaved rounds: samples per strategy
  double precision = 0;                    // widest relative CI half-width of the ns/op ratios (adaptive)
  double target_precision = 0;             // what adaptive sampling aimed for; 0: fixed rounds
  std::string stopped_by;                  // "precision", "time budget", "round limit", "fixed rounds"
};

struct Report {
  int schema_version = kSchemaVersion;
  std::string suite;       // "default" or the directory/file run
  Environment environment;
  std::vector<ScenarioResult> scenarios;
  std::vector<std::string> warnings;  // run-wide, e.g. "load average 1.8 on 2 CPUs"
  bool partial = false;               // interrupted: only completed scenarios are present
};

}  // namespace offload::report
