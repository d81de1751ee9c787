// compare: a change is called only when the samples support it, every unpaired benchmark and
// mismatched environment is reported, and the three output formats render the same result.
//
// To regenerate the goldens after an intended format change, run the tests with
//   OFFLOAD_UPDATE_GOLDEN=1 ./report_tests
// and review the diff of tests/report/data/compare/*.golden.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/compare.hpp"
#include "report/compare_reporter.hpp"

namespace offload::report {
namespace {

const std::filesystem::path kData = std::filesystem::path(OFFLOAD_REPORT_TEST_DATA_DIR) / "compare";

struct Bench {
  std::string key;
  std::vector<double> ns;  // real_time and cpu_time of each sample
};

// An offload-bench report as the JSON reporter writes its context and benchmarks.
LoadedReport our_report(const std::vector<Bench>& benches, std::string host = "host-a",
                        bool partial = false) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& b : benches)
    for (double x : b.ns)
      benchmarks.push_back({{"name", b.key}, {"run_name", b.key}, {"run_type", "iteration"},
                            {"real_time", x}, {"cpu_time", x}, {"time_unit", "ns"}});
  const nlohmann::json doc = {
      {"context", {{"schema_version", 1}, {"host_name", host}, {"num_cpus", 2},
                   {"compiler", "g++ 12.2.0"}, {"build_type", "Release"}, {"partial", partial}}},
      {"benchmarks", benchmarks}};
  return read_report_string(doc.dump(), host + ".json");
}

// n values evenly spread over median * (1 +- spread), in an interleaved order.
std::vector<double> samples(double median, double spread, int n = 10) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) {
    const int k = (i * 3) % n;  // n not divisible by 3: a permutation
    v.push_back(median * (1 + spread * (2.0 * k / (n - 1) - 1)));
  }
  return v;
}

const MetricComparison& find(const CompareResult& r, std::string_view key, std::string_view metric) {
  const auto it = std::find_if(r.comparisons.begin(), r.comparisons.end(), [&](const auto& c) {
    return c.benchmark == key && c.metric == metric;
  });
  if (it == r.comparisons.end()) throw std::runtime_error("no comparison " + std::string(key));
  return *it;
}

bool has_warning(const CompareResult& r, std::string_view text) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

std::string render(const CompareResult& r, std::string_view format, bool colour = false) {
  std::ostringstream out;
  write_compare(r, format, out, colour);
  return out.str();
}

TEST(Compare, IdenticalReportsAreAllUnchanged) {
  const LoadedReport a = our_report({{"s/a", samples(100, 0.01)}, {"s/b", samples(50, 0.02)}});
  const CompareResult r = compare_reports(a, a, {});
  ASSERT_EQ(r.comparisons.size(), 4u);
  for (const auto& c : r.comparisons) {
    EXPECT_EQ(c.verdict, CompareVerdict::kUnchanged) << c.benchmark << ' ' << c.metric;
    EXPECT_DOUBLE_EQ(c.ratio, 1.0);
  }
  EXPECT_EQ(r.summary.unchanged, 4u);
  EXPECT_EQ(r.summary.paired, 2u);
  EXPECT_DOUBLE_EQ(r.summary.geomean_ns_ratio, 1.0);
  EXPECT_FALSE(has_regression(r));
  EXPECT_FALSE(has_change(r));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Compare, TenPercentSlowerWithTightSamplesIsARegression) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.005)}}),
                                          our_report({{"s/a", samples(110, 0.005)}}), {});
  const MetricComparison& c = find(r, "s/a", "ns_per_op");
  EXPECT_EQ(c.verdict, CompareVerdict::kRegressed);
  EXPECT_NEAR(c.ratio, 1.1, 1e-9);
  EXPECT_GT(c.ratio_ci.low, 1.0);
  EXPECT_TRUE(c.significant);
  EXPECT_EQ(r.summary.regressed, 2u);  // wall and CPU time
  EXPECT_NEAR(r.summary.geomean_ns_ratio, 1.1, 1e-9);
  EXPECT_TRUE(has_regression(r));
  EXPECT_TRUE(has_change(r));
}

TEST(Compare, TenPercentFasterIsAnImprovementNotARegression) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(110, 0.005)}}),
                                          our_report({{"s/a", samples(100, 0.005)}}), {});
  EXPECT_EQ(find(r, "s/a", "ns_per_op").verdict, CompareVerdict::kImproved);
  EXPECT_FALSE(has_regression(r));
  EXPECT_TRUE(has_change(r));
}

TEST(Compare, TenPercentSlowerWithHugeSpreadIsNotCalled) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.4)}}),
                                          our_report({{"s/a", samples(110, 0.4)}}), {});
  const MetricComparison& c = find(r, "s/a", "ns_per_op");
  EXPECT_EQ(c.verdict, CompareVerdict::kUnchanged);
  EXPECT_FALSE(c.significant);
  EXPECT_GT(c.p_value, c.alpha);
  EXPECT_FALSE(has_regression(r));
}

TEST(Compare, SmallerChangeThanTheThresholdIsUnchangedEvenWhenSignificant) {
  CompareOptions options;
  options.metric_thresholds["cpu_ns_per_op"] = 0.2;
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.005)}}),
                                          our_report({{"s/a", samples(110, 0.005)}}), options);
  EXPECT_EQ(find(r, "s/a", "ns_per_op").verdict, CompareVerdict::kRegressed);
  const MetricComparison& cpu = find(r, "s/a", "cpu_ns_per_op");
  EXPECT_TRUE(cpu.significant);
  EXPECT_DOUBLE_EQ(cpu.threshold, 0.2);
  EXPECT_EQ(cpu.verdict, CompareVerdict::kUnchanged);
}

TEST(Compare, ThreeVersusThreeSamplesIsInsufficientNotUnchanged) {
  // Even fully separated, 3 vs 3 samples give p >= 0.1: no level below that can be reached.
  const CompareResult r = compare_reports(our_report({{"s/a", {100, 101, 102}}}),
                                          our_report({{"s/a", {150, 151, 152}}}), {});
  const MetricComparison& c = find(r, "s/a", "ns_per_op");
  EXPECT_EQ(c.verdict, CompareVerdict::kInsufficient);
  EXPECT_NEAR(c.min_p_value, 0.1, 1e-12);
  EXPECT_NE(c.note.find("3 vs 3 samples"), std::string::npos) << c.note;
  // Two tests: the most extreme split must pass 0.05 / 2; 4 vs 4 gives 2/70, 5 vs 5 gives 2/252.
  EXPECT_NE(c.note.find("; 5 per side would allow a verdict"), std::string::npos) << c.note;
  EXPECT_EQ(r.summary.samples_needed_per_side, 5u);
  EXPECT_EQ(r.summary.insufficient, 2u);
  EXPECT_FALSE(has_regression(r));
}

TEST(Compare, OneSampleOnASideIsInsufficient) {
  const CompareResult r = compare_reports(our_report({{"s/a", {100}}}),
                                          our_report({{"s/a", samples(150, 0.01)}}), {});
  const MetricComparison& c = find(r, "s/a", "ns_per_op");
  EXPECT_EQ(c.verdict, CompareVerdict::kInsufficient);
  EXPECT_TRUE(std::isnan(c.p_value));
  EXPECT_NE(c.note.find("1 vs 10 samples"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find("; 5 per side would allow a verdict"), std::string::npos) << c.note;
}

// 18 benchmarks x 2 metrics = 36 tests, as `--quick` reports of the suite: 5 vs 5 samples can never
// pass Holm's 0.05 / 36. The note's count is the fewest that can: 6 per side still cannot.
std::vector<Bench> fully_separated(int benchmarks, int n, double median) {
  std::vector<Bench> v;
  for (int i = 0; i < benchmarks; ++i) v.push_back({"s/" + std::to_string(i), samples(median, 0.005, n)});
  return v;
}

TEST(Compare, InsufficientSaysHowManySamplesPerSideWouldAllowAVerdict) {
  CompareOptions options;
  options.correct_drift = false;  // every benchmark moves alike here: the sample counts are the subject
  const CompareResult five = compare_reports(our_report(fully_separated(18, 5, 100)),
                                             our_report(fully_separated(18, 5, 150)), options);
  EXPECT_EQ(five.summary.insufficient, 36u);
  EXPECT_EQ(five.summary.samples_needed_per_side, 7u);
  EXPECT_NE(five.comparisons[0].note.find("5 vs 5 samples: p >= 0.00794 > alpha 0.00139; 7 per side would allow a verdict"),
            std::string::npos)
      << five.comparisons[0].note;
  EXPECT_NE(compare_summary_line(five).find("; a verdict needs 7 samples per side"), std::string::npos);
  const CompareResult six = compare_reports(our_report(fully_separated(18, 6, 100)),
                                            our_report(fully_separated(18, 6, 150)), options);
  EXPECT_EQ(six.summary.insufficient, 36u);
  const CompareResult seven = compare_reports(our_report(fully_separated(18, 7, 100)),
                                              our_report(fully_separated(18, 7, 150)), options);
  EXPECT_EQ(seven.summary.regressed, 36u);
  EXPECT_EQ(seven.summary.samples_needed_per_side, 0u);
  EXPECT_EQ(compare_summary_line(seven).find("samples per side"), std::string::npos);
}

// Eight benchmarks from 100 ns to 800 ns; `drift` multiplies all of the new report's, `changed`
// one of them on top.
CompareResult drifted(double drift, double threshold, bool correct_drift = true, double changed = 1.0) {
  std::vector<Bench> base, cand;
  for (int i = 0; i < 8; ++i) {
    const double median = 100.0 * (i + 1);
    base.push_back({"s/" + std::to_string(i), samples(median, 0.005)});
    cand.push_back({"s/" + std::to_string(i), samples(median * drift * (i == 3 ? changed : 1.0), 0.005)});
  }
  CompareOptions options;
  options.threshold = threshold;
  options.correct_drift = correct_drift;
  return compare_reports(our_report(base), our_report(cand), options);
}

TEST(CompareDrift, AUniformDriftBetweenTwoRunsOfOneBuildIsNoRegression) {
  // Judged against 1 alone, a 4% drift of every benchmark is 16 significant changes above 2%.
  EXPECT_EQ(drifted(1.04, 0.02, false).summary.regressed, 16u);
  const CompareResult r = drifted(1.04, 0.02);
  EXPECT_FALSE(has_change(r));
  EXPECT_EQ(r.summary.unchanged, 16u);
  ASSERT_EQ(r.drift.size(), 2u);
  EXPECT_EQ(r.drift[0].metric, "ns_per_op");
  EXPECT_NEAR(r.drift[0].factor, 1.04, 1e-9);
  EXPECT_NEAR(r.drift[0].spread, 0, 1e-9);
  EXPECT_EQ(r.drift[0].benchmarks, 8u);
  const MetricComparison& c = find(r, "s/0", "ns_per_op");
  EXPECT_NEAR(c.drift, 1.04, 1e-9);
  EXPECT_EQ(c.note, "x1.040 is within the drift between the reports (x1.040 across 8 benchmarks)");
  EXPECT_TRUE(has_warning(r, "ns_per_op moved by x1.040 across all 8 benchmarks (spread 0.0%)"));
  // At the default 5% threshold, an 8% drift likewise.
  EXPECT_FALSE(has_change(drifted(1.08, 0.05)));
  EXPECT_TRUE(has_change(drifted(1.08, 0.05, false)));
}

TEST(CompareDrift, OneBenchmarkTenPercentSlowerOverAFourPercentDriftIsARegression) {
  const CompareResult r = drifted(1.04, 0.05, true, 1.10);
  EXPECT_EQ(find(r, "s/3", "ns_per_op").verdict, CompareVerdict::kRegressed);
  EXPECT_EQ(find(r, "s/3", "cpu_ns_per_op").verdict, CompareVerdict::kRegressed);
  EXPECT_EQ(r.summary.regressed, 2u);
  EXPECT_EQ(r.summary.unchanged, 14u);
  EXPECT_NEAR(r.drift[0].factor, 1.04, 1e-9) << "the median ignores the one that changed";
  EXPECT_TRUE(has_regression(r));
}

TEST(CompareDrift, DriftLargerThanTheChangeJudgedIsSaid) {
  const CompareResult r = drifted(1.04, 0.05);
  const MetricComparison& c = find(r, "s/5", "ns_per_op");
  EXPECT_EQ(c.verdict, CompareVerdict::kUnchanged);
  EXPECT_EQ(c.note, "drift x1.040 between the reports is larger than this change (x1.000 after drift)");
  EXPECT_TRUE(r.warnings.empty()) << "a 4% drift is inside the 5% threshold: " << r.warnings.front();
  EXPECT_NE(render(r, "table").find("drift between the reports: ns/op x1.040 (spread 0.0%, 8 benchmarks)"),
            std::string::npos);
  const auto doc = nlohmann::json::parse(render(r, "json"));
  ASSERT_EQ(doc["drift"].size(), 2u);
  EXPECT_EQ(doc["drift"][0]["metric"], "ns_per_op");
  EXPECT_NEAR(doc["drift"][0]["factor"].get<double>(), 1.04, 1e-9);
  EXPECT_EQ(doc["drift"][0]["benchmarks"], 8);
  EXPECT_NEAR(doc["comparisons"][0]["drift"].get<double>(), 1.04, 1e-9);
}

TEST(CompareDrift, AnUnchangedBenchmarkIsNotCalledImprovedWhenMostOthersChanged) {
  // Ratios 1.0 .. 1.4: the median, 1.2, is no drift but a change of most benchmarks. Each verdict
  // must hold against 1 as well, so s/0 stays unchanged; the others scatter too widely (12.9%)
  // for two reports to single one out, and the warning says why.
  std::vector<Bench> base, cand;
  for (int i = 0; i < 5; ++i) {
    base.push_back({"s/" + std::to_string(i), samples(100, 0.005)});
    cand.push_back({"s/" + std::to_string(i), samples(100 + 10 * i, 0.005)});
  }
  const CompareResult r = compare_reports(our_report(base), our_report(cand), {});
  EXPECT_EQ(r.summary.improved, 0u);
  EXPECT_EQ(find(r, "s/0", "ns_per_op").verdict, CompareVerdict::kUnchanged);
  EXPECT_EQ(find(r, "s/4", "ns_per_op").note,
            "x1.400 is within the variation between the reports (x1.200, spread 12.9% across 5 benchmarks)");
  EXPECT_TRUE(has_warning(r, "ns_per_op moved by x1.200 across all 5 benchmarks (spread 12.9%)"));
}

// Twenty benchmarks whose new medians scatter by up to +-8% (exp(0.08 u), u evenly over [-1, 1]),
// each with tight samples: what separate runs on a loaded machine look like. `outlier`
// multiplies s/7's on top.
CompareResult scattered(bool correct_drift, double outlier = 1.0) {
  std::vector<Bench> base, cand;
  for (int i = 0; i < 20; ++i) {
    const double median = 100.0 * (i + 1);
    const double move = std::exp(0.08 * (-1 + 2.0 * i / 19)) * (i == 7 ? outlier : 1.0);
    base.push_back({"s/" + std::to_string(i), samples(median, 0.005)});
    cand.push_back({"s/" + std::to_string(i), samples(median * move, 0.005)});
  }
  CompareOptions options;
  options.correct_drift = correct_drift;
  return compare_reports(our_report(base), our_report(cand), options);
}

TEST(CompareDrift, ScatterBetweenRunsIsNoChangeButABenchmarkOutsideItIs) {
  EXPECT_TRUE(has_change(scattered(false))) << "judged against 1 alone, the scatter is a string of changes";
  const CompareResult aa = scattered(true);
  EXPECT_FALSE(has_change(aa));
  ASSERT_EQ(aa.drift.size(), 2u);
  EXPECT_NEAR(aa.drift[0].factor, 1.0, 1e-9);
  EXPECT_GT(aa.drift[0].spread, 0.05);
  const CompareResult slower = scattered(true, 1.6);
  EXPECT_EQ(find(slower, "s/7", "ns_per_op").verdict, CompareVerdict::kRegressed);
  EXPECT_EQ(slower.summary.regressed, 2u);
  EXPECT_EQ(slower.summary.improved, 0u);
}

TEST(CompareDrift, FewerThanFiveBenchmarksGiveNoEstimate) {
  std::vector<Bench> base, cand;
  for (int i = 0; i < 4; ++i) {
    base.push_back({"s/" + std::to_string(i), samples(100, 0.005)});
    cand.push_back({"s/" + std::to_string(i), samples(110, 0.005)});
  }
  const CompareResult r = compare_reports(our_report(base), our_report(cand), {});
  EXPECT_TRUE(r.drift.empty());
  EXPECT_DOUBLE_EQ(r.comparisons[0].drift, 1.0);
  EXPECT_EQ(r.summary.regressed, 8u);
}

TEST(Compare, HolmCorrectionSpansEveryComparisonInTheResult) {
  CompareOptions options;
  options.correct_drift = false;  // most of these benchmarks change: no drift to estimate
  std::vector<Bench> base, cand;
  for (int i = 0; i < 5; ++i) {
    base.push_back({"s/" + std::to_string(i), samples(100, 0.005)});
    cand.push_back({"s/" + std::to_string(i), samples(100 + 10 * i, 0.005)});
  }
  const CompareResult r = compare_reports(our_report(base), our_report(cand), options);
  std::vector<double> alphas;
  for (const auto& c : r.comparisons) alphas.push_back(c.alpha);
  std::sort(alphas.begin(), alphas.end());
  ASSERT_EQ(alphas.size(), 10u);
  for (std::size_t k = 0; k < alphas.size(); ++k)
    EXPECT_DOUBLE_EQ(alphas[k], 0.05 / static_cast<double>(10 - k));
  EXPECT_EQ(r.summary.regressed, 8u);
  EXPECT_EQ(r.summary.unchanged, 2u);
}

TEST(Compare, BenchmarksOnOneSideAreListedAndWarned) {
  const CompareResult r =
      compare_reports(our_report({{"s/kept", samples(100, 0.01)}, {"s/gone", samples(100, 0.01)}}),
                      our_report({{"s/added", samples(100, 0.01)}, {"s/kept", samples(100, 0.01)}}),
                      {});
  EXPECT_EQ(r.only_in_base, std::vector<std::string>{"s/gone"});
  EXPECT_EQ(r.only_in_new, std::vector<std::string>{"s/added"});
  EXPECT_EQ(r.summary.paired, 1u);
  EXPECT_TRUE(has_warning(r, "only in base (removed or renamed?): s/gone"));
  EXPECT_TRUE(has_warning(r, "only in new (added or renamed?): s/added"));
}

TEST(Compare, DifferentHostsAndPartialReportsAreWarned) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.01)}}, "a"),
                                          our_report({{"s/a", samples(100, 0.01)}}, "b", true), {});
  EXPECT_TRUE(has_warning(r, "reports come from different machines: host a vs b"));
  EXPECT_TRUE(has_warning(r, "new report b.json is partial"));
  EXPECT_EQ(r.warnings.size(), 2u);
}

TEST(Compare, InvalidOptionsAreRejected) {
  const LoadedReport a = our_report({{"s/a", samples(100, 0.01)}});
  CompareOptions bad_alpha;
  bad_alpha.alpha = 1;
  EXPECT_THROW(compare_reports(a, a, bad_alpha), std::invalid_argument);
  CompareOptions bad_threshold;
  bad_threshold.metric_thresholds["ns_per_op"] = -0.1;
  EXPECT_THROW(compare_reports(a, a, bad_threshold), std::invalid_argument);
}

TEST(Compare, CountMetricsAreComparedExactly) {
  const auto with_counts = [](double allocations) {
    nlohmann::json doc = {
        {"context", {{"schema_version", 1}}},
        {"benchmarks", nlohmann::json::array()},
        {"scenarios", {{{"scenario", {{"name", "s"}}}, {"parameters", nlohmann::json::object()},
                        {"strategies", {{{"strategy", "a"},
                                         {"counts", {{"heap_allocations", allocations},
                                                     {"lock_acquisitions", 4.0}}}}}}}}}};
    for (double x : samples(100, 0.01))
      doc["benchmarks"].push_back({{"name", "s/a"}, {"run_name", "s/a"}, {"run_type", "iteration"},
                                   {"real_time", x}, {"cpu_time", x}, {"time_unit", "ns"}});
    return read_report_string(doc.dump(), "counts.json");
  };
  CompareOptions options;
  options.metrics = {"ns_per_op", "heap_allocations_per_op", "lock_acquisitions_per_op"};
  const CompareResult r = compare_reports(with_counts(20), with_counts(23), options);
  const MetricComparison& allocs = find(r, "s/a", "heap_allocations_per_op");
  EXPECT_TRUE(allocs.exact);
  EXPECT_NEAR(allocs.ratio, 1.15, 1e-12);
  EXPECT_EQ(allocs.verdict, CompareVerdict::kRegressed);
  EXPECT_TRUE(std::isnan(allocs.p_value));
  EXPECT_EQ(find(r, "s/a", "lock_acquisitions_per_op").verdict, CompareVerdict::kUnchanged);
  EXPECT_EQ(find(r, "s/a", "ns_per_op").verdict, CompareVerdict::kUnchanged);
  EXPECT_TRUE(has_regression(r));
  EXPECT_EQ(compare_reports(with_counts(23), with_counts(20), options).summary.improved, 1u);
}

CompareResult gbench_result() {
  CompareResult r = compare_reports(read_report_file(kData / "gbench_base.json"),
                                    read_report_file(kData / "gbench_new.json"), {});
  // Goldens must not depend on where the checkout lives.
  r.base_source = "gbench_base.json";
  r.new_source = "gbench_new.json";
  return r;
}

TEST(Compare, GoogleBenchmarkReportsAreCompared) {
  const CompareResult r = gbench_result();
  EXPECT_EQ(r.base_kind, ReportKind::kGoogleBenchmark);
  EXPECT_EQ(find(r, "BM_ContextCopy/16", "ns_per_op").verdict, CompareVerdict::kImproved);
  EXPECT_EQ(find(r, "BM_ContextCopy/16", "cpu_ns_per_op").verdict, CompareVerdict::kImproved);
  EXPECT_EQ(find(r, "BM_EventLoopCallSoon", "ns_per_op").verdict, CompareVerdict::kUnchanged);
  EXPECT_EQ(find(r, "BM_FutureSetResult", "ns_per_op").verdict, CompareVerdict::kInsufficient);
  EXPECT_EQ(find(r, "BM_PoolStartStop", "ns_per_op").verdict, CompareVerdict::kInsufficient);
  EXPECT_EQ(r.summary.improved, 2u);
  EXPECT_EQ(r.summary.unchanged, 2u);
  EXPECT_EQ(r.summary.insufficient, 4u);
  EXPECT_EQ(r.only_in_base, std::vector<std::string>{"BM_Removed"});
  EXPECT_EQ(r.only_in_new, std::vector<std::string>{"BM_HamtInsert/64"});
  EXPECT_FALSE(has_regression(r));
  EXPECT_TRUE(has_change(r));
}

TEST(Compare, MixedFormatsAreWarned) {
  const LoadedReport gb = read_report_file(kData / "gbench_base.json");
  const CompareResult r = compare_reports(our_report({{"BM_ContextCopy/16", samples(1200, 0.01)}}),
                                          gb, {});
  EXPECT_TRUE(has_warning(r, "mixed formats: base from offload-bench, new from Google Benchmark"));
  EXPECT_TRUE(has_warning(r, "host host-a vs ci-runner-1"));
  EXPECT_TRUE(has_warning(r, "num_cpus 2 vs 4"));
  EXPECT_EQ(r.summary.paired, 1u);
}

void expect_golden(const std::string& actual, const std::string& name) {
  const auto path = kData / name;
  if (std::getenv("OFFLOAD_UPDATE_GOLDEN") != nullptr) std::ofstream(path) << actual;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden " << path;
  const std::string expected{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(actual, expected) << "golden " << name << " differs";
}

TEST(CompareReporter, TableMatchesGolden) { expect_golden(render(gbench_result(), "table"), "gbench.table.golden"); }

TEST(CompareReporter, MarkdownMatchesGolden) {
  expect_golden(render(gbench_result(), "markdown"), "gbench.md.golden");
}

TEST(CompareReporter, JsonMatchesGoldenAndParses) {
  const std::string json = render(gbench_result(), "json");
  expect_golden(json, "gbench.json.golden");
  const auto doc = nlohmann::json::parse(json);
  EXPECT_EQ(doc["summary"]["improved"], 2);
  EXPECT_EQ(doc["comparisons"].size(), 8u);
  EXPECT_TRUE(doc["comparisons"][4]["p_value"].is_null());  // insufficient: 1 vs 1
}

TEST(CompareReporter, SummaryLineCountsVerdictsAndGeometricMean) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.005)}}),
                                          our_report({{"s/a", samples(110, 0.005)}}), {});
  EXPECT_EQ(compare_summary_line(r),
            "0 improved, 2 regressed, 0 unchanged, 0 insufficient; geometric mean of ns/op ratios 1.10");
}

TEST(CompareReporter, MarkdownPutsRegressionsFirstInBold) {
  const CompareResult r = compare_reports(
      our_report({{"s/same", samples(100, 0.005)}, {"s/slower", samples(100, 0.005)}}),
      our_report({{"s/same", samples(100, 0.005)}, {"s/slower", samples(120, 0.005)}}), {});
  const std::string md = render(r, "markdown");
  const auto regressed = md.find("| s/slower | ns/op");
  ASSERT_NE(regressed, std::string::npos) << md;
  EXPECT_LT(regressed, md.find("| s/same |"));
  EXPECT_NE(md.find("**regressed**"), std::string::npos);
}

TEST(CompareReporter, ColourOnlyWhenAskedAndUnknownFormatRejected) {
  const CompareResult r = compare_reports(our_report({{"s/a", samples(100, 0.005)}}),
                                          our_report({{"s/a", samples(110, 0.005)}}), {});
  EXPECT_NE(render(r, "table", true).find("\x1b[31mregressed\x1b[0m"), std::string::npos);
  EXPECT_EQ(render(r, "table", false).find('\x1b'), std::string::npos);
  EXPECT_EQ(render(r, "markdown", true).find('\x1b'), std::string::npos);
  std::ostringstream out;
  EXPECT_THROW(write_compare(r, "csv", out, false), std::invalid_argument);
}

}  // namespace
}  // namespace offload::report
