// report_reader: both formats read back into per-benchmark samples, and every unreadable file
// rejected with one line that names it. Files under tests/report/data/compare/.
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "report/report_reader.hpp"
#include "report/reporter.hpp"

namespace offload::report {
namespace {

const std::filesystem::path kData = std::filesystem::path(OFFLOAD_REPORT_TEST_DATA_DIR) / "compare";

// The message of the ReportError that reading `path` throws; fails the test when none is thrown.
std::string read_error(const std::filesystem::path& path) {
  try {
    read_report_file(path);
  } catch (const ReportError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ReportError for " << path;
  return "";
}

StrategyResult strategy_result(std::string id, double ns_per_op, int samples) {
  StrategyResult s;
  s.strategy = id;
  s.selection.set("offload", id);
  for (int i = 0; i < samples; ++i) {
    const double wall = ns_per_op * 1000 * (1 + 0.01 * i);
    s.samples.push_back({1000, wall, wall * 0.9, 0, 0});
  }
  s.counts = CountsPerOp{4.0, 6.5, 0.25, 0.25, 1.0, 1.0};
  return s;
}

// Two scenarios, one a sweep point with two parameters, like a real run of the default suite.
Report make_report() {
  Report report;
  report.suite = "default";
  report.partial = true;
  Environment& e = report.environment;
  e.host = "bench-host";
  e.cpu_model = "Example CPU";
  e.num_cpus = 8;
  e.compiler = "g++ 12.2.0";
  e.build_type = "Release";
  e.harness_version = "0.1.0";
  e.git_revision = "0123abc";
  e.date = "2024-05-01T12:00:00Z";

  ScenarioResult sweep;
  sweep.scenario.name = "to_thread_context";
  sweep.scenario.compare = {"offload", "copy_context_partial", {"skip_empty_context"}, {}};
  sweep.parameters = {{"workload.context_vars", "1"}, {"workload.concurrency", "gather"}};
  sweep.strategies = {strategy_result("copy_context_partial", 1500, 5),
                      strategy_result("skip_empty_context", 1100, 5)};
  ScenarioResult micro;
  micro.scenario.name = "state_copy_micro";
  micro.scenario.compare = {"state_copy", "per_field_locks", {"snapshot"}, {}};
  micro.strategies = {strategy_result("per_field_locks", 85, 3), strategy_result("snapshot", 41, 3)};
  micro.strategies[1].counts.reset();
  report.scenarios = {sweep, micro};
  return report;
}

TEST(ReportReader, OffloadBenchReportPairsEveryStrategyUnderItsRunName) {
  const Report report = make_report();
  std::ostringstream json;
  make_json_reporter({})->write(report, json);
  const LoadedReport loaded = read_report_string(json.str(), "run.json");

  EXPECT_EQ(loaded.source, "run.json");
  EXPECT_EQ(loaded.kind, ReportKind::kOffloadBench);
  EXPECT_TRUE(loaded.partial);
  EXPECT_EQ(loaded.environment.host, "bench-host");
  EXPECT_EQ(loaded.environment.cpu_model, "Example CPU");
  EXPECT_EQ(loaded.environment.num_cpus, 8);
  EXPECT_EQ(loaded.environment.compiler, "g++ 12.2.0");
  EXPECT_EQ(loaded.environment.build_type, "Release");
  EXPECT_EQ(loaded.environment.git_revision, "0123abc");
  EXPECT_EQ(loaded.environment.executable, "offload-bench");

  ASSERT_EQ(loaded.benchmarks.size(), 4u);
  EXPECT_EQ(loaded.benchmarks[0].key,
            "to_thread_context/context_vars=1/concurrency=gather/copy_context_partial");
  EXPECT_EQ(loaded.benchmarks[1].key,
            "to_thread_context/context_vars=1/concurrency=gather/skip_empty_context");
  EXPECT_EQ(loaded.benchmarks[2].key, "state_copy_micro/per_field_locks");
  EXPECT_EQ(loaded.benchmarks[3].key, "state_copy_micro/snapshot");

  for (std::size_t r = 0, k = 0; r < report.scenarios.size(); ++r) {
    for (const auto& s : report.scenarios[r].strategies) {
      const BenchmarkSamples& b = loaded.benchmarks[k++];
      const auto& ns = b.metrics.at("ns_per_op");
      const auto& cpu = b.metrics.at("cpu_ns_per_op");
      ASSERT_EQ(ns.size(), s.samples.size()) << b.key;
      ASSERT_EQ(cpu.size(), s.samples.size()) << b.key;
      for (std::size_t i = 0; i < ns.size(); ++i) {
        EXPECT_DOUBLE_EQ(ns[i], s.samples[i].ns_per_op()) << b.key;
        EXPECT_DOUBLE_EQ(cpu[i], s.samples[i].cpu_ns / 1000) << b.key;
      }
      if (s.counts) {
        EXPECT_EQ(b.metrics.at("heap_allocations_per_op"), std::vector<double>{6.5});
        EXPECT_EQ(b.metrics.at("lock_acquisitions_per_op"), std::vector<double>{4.0});
        EXPECT_EQ(b.metrics.at("wakeups_per_op"), std::vector<double>{1.25});
      } else {
        EXPECT_EQ(b.metrics.count("heap_allocations_per_op"), 0u) << b.key;
      }
    }
  }
}

TEST(ReportReader, BreakdownSurvivesTheRoundTripAndIsEmptyWhereNotTraced) {
  Report report = make_report();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  report.scenarios[0].strategies[1].breakdown = {{"queue", 400, 2900, 580}, {"job", 60, 140, 75},
                                                 {"complete", 300, nan, -15}};
  std::ostringstream json;
  make_json_reporter({})->write(report, json);
  const LoadedReport loaded = read_report_string(json.str(), "run.json");

  const BenchmarkSamples* traced =
      loaded.find("to_thread_context/context_vars=1/concurrency=gather/skip_empty_context");
  ASSERT_NE(traced, nullptr);
  ASSERT_EQ(traced->breakdown.size(), 3u);
  EXPECT_EQ(traced->breakdown[0].phase, "queue");
  EXPECT_EQ(traced->breakdown[0].p50, 400);
  EXPECT_EQ(traced->breakdown[0].p99, 2900);
  EXPECT_EQ(traced->breakdown[0].mean, 580);
  EXPECT_EQ(traced->breakdown[2].phase, "complete");
  EXPECT_TRUE(std::isnan(traced->breakdown[2].p99)) << "NaN is written as null and read back";
  EXPECT_EQ(traced->breakdown[2].mean, -15);
  for (const auto& b : loaded.benchmarks) {
    if (&b == traced) continue;
    EXPECT_TRUE(b.breakdown.empty()) << b.key;
  }
}

// A report whose first scenario's first strategy has `breakdown` as given.
std::string report_with_breakdown(const std::string& breakdown) {
  return R"({"context": {"schema_version": 1}, "benchmarks": [], "scenarios": [
             {"scenario": {"name": "tiny"}, "strategies": [
               {"strategy": "snapshot", "breakdown": )" + breakdown + "}]}]}";
}

TEST(ReportReader, NullBreakdownReadsAsNone) {
  const LoadedReport r = read_report_string(report_with_breakdown("null"), "null.json");
  ASSERT_NE(r.find("tiny/snapshot"), nullptr);
  EXPECT_TRUE(r.find("tiny/snapshot")->breakdown.empty());
}

TEST(ReportReader, MalformedBreakdownIsOneLineNamingTheField) {
  const auto error = [](const std::string& breakdown) -> std::string {
    try {
      read_report_string(report_with_breakdown(breakdown), "odd.json");
    } catch (const ReportError& e) {
      return e.what();
    }
    return "no ReportError";
  };
  const std::string at = "odd.json: malformed report: scenarios[0].strategies[0].breakdown";
  EXPECT_EQ(error(R"({"phase": "queue"})"), at + ": expected an array, got object");
  EXPECT_EQ(error("[7]"), at + "[0]: expected an object, got number");
  EXPECT_EQ(error(R"([{"p50_ns": 1, "p99_ns": 2, "mean_ns": 1}])"),
            at + "[0].phase: expected a string, got nothing");
  EXPECT_EQ(error(R"([{"phase": "queue", "p50_ns": 1, "p99_ns": 2, "mean_ns": 1},
                      {"phase": "job", "p50_ns": "fast", "p99_ns": 2, "mean_ns": 1}])"),
            at + "[1].p50_ns: expected a number or null, got string");
  EXPECT_EQ(error(R"([{"phase": "queue", "p50_ns": 1, "p99_ns": 2}])"),
            at + "[0].mean_ns: expected a number or null, got nothing");
}

TEST(ReportReader, GoogleBenchmarkIterationsBecomeSamplesInNanoseconds) {
  const LoadedReport r = read_report_file(kData / "gbench_base.json");
  EXPECT_EQ(r.kind, ReportKind::kGoogleBenchmark);
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(r.environment.host, "ci-runner-1");
  EXPECT_EQ(r.environment.num_cpus, 4);
  EXPECT_EQ(r.environment.build_type, "release");
  EXPECT_EQ(r.environment.executable, "./build/bench/runtime_bench");
  EXPECT_EQ(r.environment.date, "2024-05-01T12:00:00+00:00");

  // BM_Broken reported error_occurred: it has no samples, so no benchmark.
  ASSERT_EQ(r.benchmarks.size(), 5u);
  EXPECT_EQ(r.benchmarks[0].key, "BM_ContextCopy/16");
  EXPECT_EQ(r.benchmarks[4].key, "BM_Removed");
  EXPECT_EQ(r.find("BM_Broken"), nullptr);

  // Six repetitions in microseconds; the four aggregates are not samples.
  const auto& ns = r.benchmarks[0].metrics.at("ns_per_op");
  ASSERT_EQ(ns.size(), 6u);
  EXPECT_NEAR(ns[0], 1188.0, 1e-9);  // 1.188 us
  EXPECT_EQ(r.benchmarks[0].metrics.at("cpu_ns_per_op").size(), 6u);
  EXPECT_EQ(r.benchmarks[0].metrics.count("heap_allocations_per_op"), 0u);
}

TEST(ReportReader, GoogleBenchmarkWithOnlyAggregatesOrOneIterationHasOneSample) {
  const LoadedReport r = read_report_file(kData / "gbench_base.json");
  const BenchmarkSamples* aggregates_only = r.find("BM_FutureSetResult");
  ASSERT_NE(aggregates_only, nullptr);
  ASSERT_EQ(aggregates_only->metrics.at("ns_per_op").size(), 1u);
  EXPECT_NEAR(aggregates_only->metrics.at("ns_per_op")[0], 310.0, 1e-6);  // the median aggregate
  const BenchmarkSamples* single = r.find("BM_PoolStartStop");
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(single->metrics.at("ns_per_op"), std::vector<double>{812500.0});
  EXPECT_EQ(single->metrics.at("cpu_ns_per_op"), std::vector<double>{640000.0});
}

TEST(ReportReader, NonFiniteTimesAreSkippedAndTimeUnitDefaultsToNanoseconds) {
  const LoadedReport r = read_report_string(
      R"({"context": {}, "benchmarks": [
           {"name": "BM_A", "run_type": "iteration", "real_time": 5, "cpu_time": 4},
           {"name": "BM_A", "run_type": "iteration", "real_time": null, "cpu_time": 4}]})",
      "inline.json");
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_EQ(r.benchmarks[0].metrics.at("ns_per_op"), std::vector<double>{5.0});
  EXPECT_EQ(r.benchmarks[0].metrics.at("cpu_ns_per_op"), (std::vector<double>{4.0, 4.0}));
}

// Google Benchmark 1.7 writes e.g. the cv aggregate of an all-zero counter as a bare NaN.
TEST(ReportReader, GoogleBenchmarkBareNanAndInfAreReadAsMissingValues) {
  const LoadedReport r = read_report_string(
      R"({"context": {"note": "NaN inf in a string stays"}, "benchmarks": [
           {"name": "BM_A", "run_type": "iteration", "real_time": 5, "cpu_time": 4, "locks/op": NaN},
           {"name": "BM_A", "run_type": "iteration", "real_time": inf, "cpu_time": 4, "x": -nan},
           {"name": "BM_A_cv", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "cv",
            "real_time": -Infinity, "cpu_time": 0.1}]})",
      "gbench_nan.json");
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_EQ(r.benchmarks[0].metrics.at("ns_per_op"), std::vector<double>{5.0});
  EXPECT_EQ(r.benchmarks[0].metrics.at("cpu_ns_per_op"), (std::vector<double>{4.0, 4.0}));
}

TEST(ReportReader, TruncatedFileIsOneLineWithTheByteOffset) {
  const auto path = kData / "truncated.json";
  const std::string message = read_error(path);
  EXPECT_EQ(message.rfind(path.string() + ": not valid JSON at byte 70", 0), 0u) << message;
  EXPECT_NE(message.find("unexpected end of input"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ReportReader, EmptyFileIsRejectedByName) {
  const auto path = kData / "empty.json";
  EXPECT_EQ(read_error(path), path.string() + ": empty file");
}

TEST(ReportReader, UnknownSchemaVersionIsRejectedByName) {
  const auto path = kData / "wrong_schema.json";
  EXPECT_EQ(read_error(path), path.string() + ": unknown schema version 7 (this build reads 1 to 2)");
}

TEST(ReportReader, JsonThatIsNotAReportIsRejectedByName) {
  const auto path = kData / "not_a_report.json";
  EXPECT_EQ(read_error(path),
            path.string() + ": not an offload-bench or Google Benchmark report (no benchmarks array)");
}

TEST(ReportReader, MissingFileAndDirectoryCannotBeOpened) {
  const auto missing = kData / "no_such_report.json";
  EXPECT_EQ(read_error(missing), missing.string() + ": cannot open: No such file or directory");
  EXPECT_EQ(read_error(kData), kData.string() + ": cannot open: Is a directory");
}

TEST(ReportReader, MalformedEntriesAreOneLineErrors) {
  try {
    read_report_string(R"({"context": {}, "benchmarks": [{"name": "BM_A", "real_time": 1,
                          "cpu_time": 1, "time_unit": "fortnights"}]})",
                       "odd.json");
    FAIL() << "no ReportError";
  } catch (const ReportError& e) {
    EXPECT_STREQ(e.what(), "odd.json: malformed report: benchmark BM_A: unknown time_unit 'fortnights'");
  }
  try {
    read_report_string(R"({"context": {"schema_version": 1}, "benchmarks": [42]})", "odd.json");
    FAIL() << "no ReportError";
  } catch (const ReportError& e) {
    EXPECT_STREQ(e.what(), "odd.json: malformed report: a benchmarks entry is not an object");
  }
}

}  // namespace
}  // namespace offload::report
