// Reporters: a fixed Report in, whole outputs compared with golden files in tests/report/data/.
//
// To regenerate the goldens after an intended format change, run the tests with
//   OFFLOAD_UPDATE_GOLDEN=1 ./report_tests      (or: OFFLOAD_UPDATE_GOLDEN=1 ctest -L report)
// and review the diff of tests/report/data/*.golden before committing it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/atomic_file.hpp"
#include "report/environment.hpp"
#include "report/reporter.hpp"

namespace offload::report {
namespace {

using measure::Verdict;

measure::Summary summary(double median, double half_ci) {
  return {5, median, median * 1.01, median * 0.02, 0.02, median * 0.97, median * 1.05,
          {median - half_ci, median + half_ci}};
}

StrategyResult strategy_result(std::string id, double ns_per_op, std::string_view axis) {
  StrategyResult s;
  s.strategy = id;
  s.selection.set(axis, id);
  for (int i = 0; i < 5; ++i) {
    const double wall = ns_per_op * 10000 * (1 + 0.01 * (i - 2));
    s.samples.push_back({10000, wall, wall * 1.5, 3.0 + i, 1.0});
  }
  s.metrics.push_back({"ns_per_op", "ns", true, summary(ns_per_op, ns_per_op * 0.012)});
  s.metrics.push_back({"ops_per_s", "ops/s", false, summary(1e9 / ns_per_op, 1e9 / ns_per_op * 0.012)});
  s.metrics.push_back({"cpu_ns_per_op", "ns", true, summary(ns_per_op * 1.5, ns_per_op * 0.03)});
  s.peak_rss_kib = 10240;
  s.conformance = {{"context_propagation", true, true, ""}, {"job_isolation", true, true, ""}};
  return s;
}

// A traced strategy's phases (--breakdown), p50/p99/mean in ns, in the runner's order.
std::vector<PhaseSummary> breakdown(const std::array<std::array<double, 3>, 6>& phases) {
  static constexpr const char* kNames[] = {"queue", "job", "complete", "wake", "deliver", "resume"};
  std::vector<PhaseSummary> out;
  for (std::size_t i = 0; i < phases.size(); ++i)
    out.push_back({kNames[i], phases[i][0], phases[i][1], phases[i][2]});
  return out;
}

Comparison comparison(std::string candidate, std::string metric, double ratio, double low,
                      double high, double p, Verdict verdict) {
  return {std::move(candidate), "copy_context_partial", std::move(metric), ratio, {low, high}, p,
          0.025, 0.02, verdict};
}

// Two scenarios: a sweep point with latency, counts and a phase breakdown (three strategies
// traced, one of them with a negative mean and a missing p99, one not traced), every verdict, a
// strategy that breaks a claimed guarantee and one that gives up an unclaimed one; then an
// incomplete micro scenario without a breakdown in a partial run.
Report make_report() {
  Report report;
  report.suite = "default";
  report.partial = true;
  Environment& e = report.environment;
  e.host = "bench-host";
  e.cpu_model = "Example CPU @ 2.40GHz";
  e.num_cpus = 8;
  e.mhz_per_cpu = 2400.5;
  e.cpu_scaling_enabled = true;
  e.caches = {{"Data", 1, 32 * 1024, 2}, {"Instruction", 1, 32 * 1024, 2},
              {"Unified", 2, 1024 * 1024, 2}, {"Unified", 3, 32 * 1024 * 1024, 8}};
  e.kernel = "Linux 6.1.0-18-amd64";
  e.compiler = "g++ 12.2.0";
  e.build_type = "Release";
  e.harness_version = "0.1.0";
  e.git_revision = "0123abc";
  e.date = "2024-05-01T12:00:00Z";
  e.load_average[0] = 0.25;
  e.load_average[1] = 0.5;
  e.load_average[2] = std::numeric_limits<double>::quiet_NaN();  // must become null in JSON
  report.warnings = {"load average 0.25 on 8 CPUs is fine; this is a test warning"};

  ScenarioResult context;
  scenario::Scenario& s = context.scenario;
  s.name = "to_thread_context";
  s.description = "to_thread with ContextVars set";
  s.reference = "CPython gh-134173";
  s.source = "<embedded>/to_thread_context.toml";
  s.workload.context_vars = 1;
  s.compare = {"offload", "copy_context_partial", {"skip_empty_context", "reuse_worker_context",
                                                   "no_context"}, {}};
  s.sweep = {{"workload.context_vars", {std::int64_t{0}, std::int64_t{1}}, {"x.toml", 12, 3}},
             {"workload.concurrency", {std::string("gather"), std::string("sequential")},
              {"x.toml", 13, 3}}};
  context.parameters = {{"workload.context_vars", "1"}, {"workload.concurrency", "gather"}};
  context.strategies = {strategy_result("copy_context_partial", 1523.4, "offload"),
                        strategy_result("skip_empty_context", 1154.2, "offload"),
                        strategy_result("reuse_worker_context", 1702.9, "offload"),
                        strategy_result("no_context", 1530.0, "offload")};
  for (auto& r : context.strategies) {
    r.latency = LatencySummary{50000, 980, 1500, 2300, 9100, 15000};
    r.counts = CountsPerOp{4.0, 6.5, 0.25, 0.25, 1.0, 1.0};
  }
  context.strategies[0].loop_lag = LatencySummary{200, 12000, 30000, 45000, 80000, 95000};
  // Means: 3940 ns (the longest round trip: the full bar), 3635 ns, 3855 ns.
  context.strategies[0].breakdown = breakdown({{{420, 3100, 610}, {95, 180, 110}, {310, 900, 350},
                                                {1850, 9800, 2400}, {160, 420, 190}, {240, 700, 280}}});
  context.strategies[1].breakdown = breakdown({{{400, 2900, 580}, {60, 140, 75}, {300, 880, 340},
                                                {1700, 9100, 2200}, {150, 400, 180}, {230, 650, 260}}});
  // Clock skew between threads can make a short phase negative: its bar segment is left out.
  context.strategies[2].breakdown = breakdown(
      {{{450, 3300, 650}, {100, 190, 120}, {-20, 40, -15}, {2000, 11000, 2600},
        {170, std::numeric_limits<double>::quiet_NaN(), 200}, {250, 720, 300}}});
  context.strategies[2].conformance[1] = {"job_isolation", false, true,
                                          "next job saw var=1 set by the previous job"};
  context.strategies[3].conformance[0] = {"context_propagation", false, false,
                                          "job saw no caller ContextVars"};
  context.comparisons = {
      comparison("skip_empty_context", "ns_per_op", 0.7576, 0.735, 0.78125, 0.002, Verdict::kFaster),
      comparison("reuse_worker_context", "ns_per_op", 1.1178, 1.09, 1.15, 0.004, Verdict::kSlower),
      comparison("no_context", "ns_per_op", 1.0043, 0.98, 1.03, 0.41, Verdict::kNoDifference),
      comparison("skip_empty_context", "cpu_ns_per_op", 0.8, 0.75, 0.85, 0.003, Verdict::kFaster)};
  context.warnings = {"spread too wide for a 2% threshold: reuse_worker_context"};
  using Kind = scenario::Expectation::Kind;
  s.expectations = {{Kind::kFaster, "skip_empty_context", "ns_per_op", 0.2, {"x.toml", 20, 1}},
                    {Kind::kNoSlower, "reuse_worker_context", "ns_per_op", 0, {"x.toml", 24, 1}},
                    {Kind::kFaster, "no_context", "cpu_ns_per_op", 0, {"x.toml", 27, 1}},
                    {Kind::kAtMost, "copy_context_partial", "heap_allocations", 6.5,
                     {"x.toml", 31, 1}},
                    {Kind::kConforms, "reuse_worker_context", "ns_per_op", 0, {"x.toml", 36, 1}}};
  using Outcome = ExpectationResult::Outcome;
  context.expectations = {
      {"skip_empty_context at least 20% faster than copy_context_partial on ns_per_op",
       Outcome::kPassed, "ratio 0.76 [0.73, 0.78] p=0.002: 24% faster"},
      {"reuse_worker_context no slower than copy_context_partial on ns_per_op", Outcome::kFailed,
       "ratio 1.12 [1.09, 1.15] p=0.004: 12% slower; the verdict is slower (threshold 2%)"},
      {"no_context faster than copy_context_partial on cpu_ns_per_op", Outcome::kInconclusive,
       "ratio 1.00 [0.98, 1.03] p=0.410: no change; the CI straddles 1"},
      {"copy_context_partial heap_allocations per op <= 6.5", Outcome::kPassed, "6.5 per op"},
      {"reuse_worker_context keeps every guarantee it claims", Outcome::kFailed,
       "broken: job_isolation (next job saw var=1 set by the previous job)"}};

  ScenarioResult micro;
  micro.scenario.name = "state_copy_micro";
  micro.scenario.workload.kind = scenario::WorkloadKind::kStateCopy;
  micro.scenario.compare = {"state_copy", "per_field_locks", {"snapshot"}, {}};
  micro.strategies = {strategy_result("per_field_locks", 85.25, "state_copy"),
                      strategy_result("snapshot", 41.5, "state_copy")};
  micro.comparisons = {
      {"snapshot", "per_field_locks", "ns_per_op", 0.4868, {0.47, 0.5}, 0.0001, 0.05, 0.02,
       Verdict::kFaster}};
  micro.complete = false;

  report.scenarios = {std::move(context), std::move(micro)};
  return report;
}

std::string render(std::string_view format) {
  std::ostringstream out;
  make_reporter(format)->write(make_report(), out);
  return out.str();
}

void expect_golden(const std::string& actual, const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(OFFLOAD_REPORT_TEST_DATA_DIR) / name;
  const char* update = std::getenv("OFFLOAD_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    write_file_atomically(path, actual);
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden " << path << "; run with OFFLOAD_UPDATE_GOLDEN=1";
  const std::string expected{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(actual, expected) << "output differs from " << path;
}

TEST(TableReporter, MatchesGolden) { expect_golden(render("table"), "report.table.golden"); }
TEST(JsonReporter, MatchesGolden) { expect_golden(render("json"), "report.json.golden"); }
TEST(MarkdownReporter, MatchesGolden) { expect_golden(render("markdown"), "report.md.golden"); }

TEST(TableReporter, ColourWrapsOnlyVerdictsAndOnlyWhenAsked) {
  std::ostringstream plain, coloured;
  make_reporter("table")->write(make_report(), plain);
  make_reporter("table", {.colour = true})->write(make_report(), coloured);
  EXPECT_EQ(plain.str().find('\x1b'), std::string::npos);
  EXPECT_NE(coloured.str().find("\x1b[32m1.32x faster\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.str().find("\x1b[31m1.12x slower\x1b[0m"), std::string::npos);
}

TEST(TableReporter, ShowsBrokenAndUnclaimedGuaranteesWithTheirDetail) {
  const std::string out = render("table");
  EXPECT_NE(out.find("BROKEN: job_isolation (next job saw var=1 set by the previous job)"),
            std::string::npos);
  EXPECT_NE(out.find("leaks: context_propagation"), std::string::npos);
  EXPECT_NE(out.find("PARTIAL RUN"), std::string::npos);
}

TEST(TableReporter, ShowsEveryExpectationUnderItsScenarioWithAnAsciiOutcome) {
  const std::string out = render("table");
  EXPECT_NE(out.find("  expect: PASS skip_empty_context at least 20% faster than "
                     "copy_context_partial on ns_per_op — ratio 0.76 [0.73, 0.78] p=0.002: 24% "
                     "faster\n"),
            std::string::npos);
  EXPECT_NE(out.find("  expect: FAIL reuse_worker_context keeps every guarantee it claims"),
            std::string::npos);
  EXPECT_NE(out.find("  expect: INCONCLUSIVE no_context faster"), std::string::npos);
  // Under the table of its own scenario, before the next one starts.
  EXPECT_LT(out.find("expect: "), out.find("\nstate_copy_micro"));

  std::ostringstream coloured;
  make_reporter("table", {.colour = true})->write(make_report(), coloured);
  EXPECT_NE(coloured.str().find("expect: \x1b[31mFAIL\x1b[0m reuse_worker_context"),
            std::string::npos);
  EXPECT_NE(coloured.str().find("expect: \x1b[32mPASS\x1b[0m skip_empty_context"),
            std::string::npos);
  EXPECT_NE(coloured.str().find("expect: INCONCLUSIVE"), std::string::npos);
}

// The lines of `text` from the one that starts with `first` up to the next blank line.
std::vector<std::string> section(const std::string& text, const std::string& first) {
  std::vector<std::string> lines;
  std::istringstream in(text.substr(std::min(text.find(first), text.size())));
  for (std::string line; std::getline(in, line) && !line.empty();) lines.push_back(line);
  return lines;
}

TEST(TableReporter, BreakdownFollowsItsPointWithBarsOfTheMeansOnOneScaleAndALegend) {
  const std::string out = render("table");
  const auto lines = section(out, "  breakdown per offload phase");
  ASSERT_EQ(lines.size(), 2u + 2 * 3 + 3 + 1) << out;  // title, header, p50+p99, bars, legend
  EXPECT_LT(out.find("warning: spread too wide"), out.find("  breakdown per offload phase"))
      << "under its own point's table and notes";
  EXPECT_EQ(lines[1].find("  strategy "), 0u);
  EXPECT_NE(lines[1].find("queue        job   complete      wake    deliver     resume"),
            std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].find("  copy_context_partial  p50   420.00 ns"), 0u) << lines[2];
  EXPECT_EQ(lines[3].find("                        p99     3.10 µs"), 0u) << lines[3];
  EXPECT_EQ(out.find("no_context  p50"), std::string::npos) << "an untraced strategy has no row";

  // The slowest mean round trip fills 40 columns; the others are drawn to its scale, the
  // negative "complete" mean of reuse_worker_context not at all.
  EXPECT_EQ(lines[8], "  copy_context_partial  mean  qqqqqqjcccc" + std::string(24, 'w') +
                          "ddrrr  3.94 µs");
  EXPECT_EQ(lines[9], "  skip_empty_context    mean  qqqqqqjccc" + std::string(22, 'w') +
                          "ddrrr     3.63 µs");
  EXPECT_EQ(lines[10], "  reuse_worker_context  mean  qqqqqqqj" + std::string(26, 'w') +
                           "ddrrr   3.85 µs");
  EXPECT_EQ(lines[11], std::string(30, ' ') + "q queue  j job  c complete  w wake  d deliver  r resume");
  for (const auto& line : lines) EXPECT_LE(line.size(), 100u) << line;
}

TEST(TableReporter, NoBreakdownSectionWithoutATracedStrategy) {
  Report report = make_report();
  for (auto& point : report.scenarios)
    for (auto& s : point.strategies) s.breakdown.clear();
  std::ostringstream out;
  make_reporter("table")->write(report, out);
  EXPECT_EQ(out.str().find("breakdown"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("q queue"), std::string::npos) << out.str();
  // Nor has the untraced micro point of the fixed report.
  const std::string full = render("table");
  EXPECT_EQ(full.find("breakdown", full.find("\nstate_copy_micro")), std::string::npos);
}

TEST(TableReporter, BreakdownPhasesAreColouredOnlyWhenAsked) {
  std::ostringstream coloured;
  make_reporter("table", {.colour = true})->write(make_report(), coloured);
  const auto lines = section(coloured.str(), "  breakdown per offload phase");
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_NE(lines[8].find("\x1b[34mqqqqqq\x1b[0m\x1b[32mj\x1b[0m\x1b[36mcccc\x1b[0m"),
            std::string::npos) << lines[8];
  EXPECT_NE(lines[11].find("\x1b[34mq\x1b[0m queue  \x1b[32mj\x1b[0m job"), std::string::npos)
      << lines[11];
  // The padding after a shorter bar counts glyphs, not escape bytes.
  EXPECT_NE(lines[9].find("\x1b[31mrrr\x1b[0m     3.63 µs"), std::string::npos) << lines[9];
  EXPECT_EQ(section(render("table"), "  breakdown per offload phase")[8].find('\x1b'),
            std::string::npos);
}

TEST(MarkdownReporter, BreakdownTableOnlyUnderAPointWithATracedStrategy) {
  const std::string out = render("markdown");
  const auto lines = section(out, "| strategy |  | queue |");
  ASSERT_EQ(lines.size(), 2u + 2 * 3) << out;
  EXPECT_EQ(lines[0], "| strategy |  | queue | job | complete | wake | deliver | resume |");
  EXPECT_EQ(lines[2], "| copy_context_partial | p50 | 420.00 ns | 95.00 ns | 310.00 ns | 1.85 µs "
                      "| 160.00 ns | 240.00 ns |");
  EXPECT_EQ(lines[7], "|  | p99 | 3.30 µs | 190.00 ns | 40.00 ns | 11.00 µs | - | 720.00 ns |");
  EXPECT_LT(out.find("Breakdown per offload phase"), out.find("## state_copy_micro"));
  EXPECT_EQ(out.find("Breakdown", out.find("## state_copy_micro")), std::string::npos);
}

TEST(MarkdownReporter, ListsExpectationsWithOnlyFailuresInBold) {
  const std::string out = render("markdown");
  EXPECT_NE(out.find("- expect: **FAIL** reuse_worker_context no slower"), std::string::npos);
  EXPECT_NE(out.find("- expect: PASS skip_empty_context"), std::string::npos);
  EXPECT_NE(out.find("- expect: INCONCLUSIVE no_context"), std::string::npos);
}

TEST(JsonReporter, ExpectationsAndTheirOutcomesUseStableIds) {
  const auto doc = nlohmann::json::parse(render("json"));
  const auto& scenario = doc["scenarios"][0];
  const auto& results = scenario["expectations"];
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["outcome"], "passed");
  EXPECT_EQ(results[1]["outcome"], "failed");
  EXPECT_EQ(results[2]["outcome"], "inconclusive");
  EXPECT_EQ(results[4]["description"], "reuse_worker_context keeps every guarantee it claims");
  // The claims as written in the file, so a reader can tell what was expected.
  const auto& claims = scenario["scenario"]["expect"];
  ASSERT_EQ(claims.size(), 5u);
  EXPECT_EQ(claims[0], nlohmann::json::parse(R"({"faster": "skip_empty_context", "by": 0.2,
                                                 "metric": "ns_per_op"})"));
  EXPECT_EQ(claims[3], nlohmann::json::parse(R"({"at_most": "copy_context_partial",
                                                 "counter": "heap_allocations", "value": 6.5})"));
  EXPECT_EQ(claims[4], nlohmann::json::parse(R"({"conforms": "reuse_worker_context"})"));
  EXPECT_TRUE(doc["scenarios"][1]["expectations"].empty());
}

TEST(JsonReporter, EveryBenchmarkHasTheFieldsGoogleBenchmarkToolsRead) {
  const auto doc = nlohmann::json::parse(render("json"));
  ASSERT_TRUE(doc["benchmarks"].is_array());
  ASSERT_FALSE(doc["benchmarks"].empty());
  std::size_t iterations = 0, aggregates = 0;
  for (const auto& b : doc["benchmarks"]) {
    for (const char* key : {"name", "run_name", "run_type", "iterations", "real_time", "cpu_time",
                            "time_unit"})
      ASSERT_TRUE(b.contains(key)) << key << " missing in " << b.dump();
    EXPECT_TRUE(b["real_time"].is_number()) << b.dump();
    EXPECT_EQ(b["time_unit"], "ns");
    const std::string run_name = b["run_name"];
    if (b["run_type"] == "aggregate") {
      ++aggregates;
      ASSERT_TRUE(b.contains("aggregate_name")) << b.dump();
      EXPECT_EQ(b["name"], run_name + "_" + b["aggregate_name"].get<std::string>());
    } else {
      ++iterations;
      EXPECT_EQ(b["run_type"], "iteration");
      EXPECT_EQ(b["name"], run_name);
      EXPECT_TRUE(b.contains("repetition_index"));
    }
  }
  EXPECT_EQ(iterations, 6u * 5u);  // 6 strategies x 5 samples
  EXPECT_EQ(aggregates, 6u * 4u);  // mean, median, stddev, cv
  EXPECT_EQ(doc["benchmarks"][0]["name"],
            "to_thread_context/context_vars=1/concurrency=gather/copy_context_partial");
  const auto& context = doc["context"];
  for (const char* key : {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
                          "cpu_scaling_enabled", "caches", "load_avg", "library_build_type"})
    EXPECT_TRUE(context.contains(key)) << key;
  EXPECT_TRUE(context["load_avg"][2].is_null());  // NaN written as null
  EXPECT_TRUE(context["partial"].get<bool>());
}

TEST(JsonReporter, BreakdownOnlyForTracedStrategiesInNanoseconds) {
  const auto doc = nlohmann::json::parse(render("json"));
  const auto& strategies = doc["scenarios"][0]["strategies"];
  ASSERT_EQ(strategies[0]["breakdown"].size(), 6u);
  EXPECT_EQ(strategies[0]["breakdown"][0], nlohmann::json::parse(R"({"phase": "queue",
              "p50_ns": 420.0, "p50_ci_ns": [0.0, 0.0], "p99_ns": 3100.0, "mean_ns": 610.0})"));
  EXPECT_EQ(strategies[0]["breakdown"][5]["phase"], "resume");
  EXPECT_TRUE(strategies[2]["breakdown"][4]["p99_ns"].is_null());  // NaN written as null
  EXPECT_FALSE(strategies[3].contains("breakdown")) << "absent, not empty, when not traced";
  EXPECT_FALSE(doc["scenarios"][1]["strategies"][0].contains("breakdown"));
}

TEST(JsonReporter, ComparisonVerdictsUseStableIds) {
  const auto doc = nlohmann::json::parse(render("json"));
  const auto& comparisons = doc["scenarios"][0]["comparisons"];
  EXPECT_EQ(comparisons[0]["verdict"], "faster");
  EXPECT_EQ(comparisons[1]["verdict"], "slower");
  EXPECT_EQ(comparisons[2]["verdict"], "no_difference");
}

TEST(MakeReporter, RejectsUnknownFormatNamingTheChoices) {
  try {
    make_reporter("csv");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("table, json or markdown"), std::string::npos);
  }
}

TEST(Environment, ParsesSysfsFormats) {
  EXPECT_EQ(parse_cache_size("32K"), 32 * 1024);
  EXPECT_EQ(parse_cache_size("1M"), 1024 * 1024);
  EXPECT_EQ(parse_cache_size("512"), 512);
  EXPECT_EQ(parse_cache_size("big"), -1);
  EXPECT_EQ(count_cpu_list("0-3,8,10-11"), 7);
  EXPECT_EQ(count_cpu_list("5"), 1);
  EXPECT_EQ(count_cpu_list("3-1"), 0);
  EXPECT_EQ(iso_date_utc(0), "1970-01-01T00:00:00Z");
}

TEST(Environment, CollectsTheBasicsFromThisMachine) {
  const Environment e = collect_environment();
  EXPECT_GT(e.num_cpus, 0);
  EXPECT_FALSE(e.kernel.empty());
  EXPECT_FALSE(e.compiler.empty());
  EXPECT_FALSE(e.build_type.empty());
  EXPECT_TRUE(std::regex_match(e.date, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << e.date;
}

}  // namespace
}  // namespace offload::report
