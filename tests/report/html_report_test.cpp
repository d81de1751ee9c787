// The HTML report: its data payload for fixed reports compared with golden files, the sweeps it
// finds, the order of a comparison, and a page no report text can break out of.
//
// To regenerate the goldens after an intended change, run the tests with
//   OFFLOAD_UPDATE_GOLDEN=1 ./report_tests --gtest_filter='Html*'
// and review the diff of tests/report/data/html/*.golden.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/atomic_file.hpp"
#include "report/html_report.hpp"
#include "report/reporter.hpp"

namespace offload::report {
namespace {

const std::filesystem::path kData = OFFLOAD_REPORT_TEST_DATA_DIR;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

// Goldens hold the payload indented, so a change reads as a diff of a few lines.
void expect_golden_payload(const std::string& payload, const std::string& name) {
  const std::string actual = nlohmann::ordered_json::parse(payload).dump(1) + "\n";
  const std::filesystem::path path = kData / "html" / name;
  if (const char* update = std::getenv("OFFLOAD_UPDATE_GOLDEN"); update && std::string_view(update) == "1") {
    write_file_atomically(path, actual);
    GTEST_SKIP() << "wrote " << path;
  }
  EXPECT_EQ(actual, read_text(path)) << "payload differs from " << path;
}

std::string run_payload_of(const std::filesystem::path& path) {
  return html_run_payload({{path.filename().string(), read_text(path)}});
}

TEST(HtmlRunPayload, OurFixedReportMatchesGolden) {
  expect_golden_payload(run_payload_of(kData / "report.json.golden"), "report.payload.golden");
}

TEST(HtmlRunPayload, GoogleBenchmarkReportMatchesGolden) {
  expect_golden_payload(run_payload_of(kData / "compare" / "gbench_new.json"), "gbench.payload.golden");
}

TEST(HtmlRunPayload, KeepsEveryStrategyVerdictConformanceAndPhase) {
  const auto payload = nlohmann::json::parse(run_payload_of(kData / "report.json.golden"));
  const auto& point = payload["reports"][0]["points"][0];
  ASSERT_EQ(point["strategies"].size(), 4u);
  EXPECT_EQ(point["strategies"][0]["role"], "baseline");
  EXPECT_EQ(point["strategies"][0]["samples"].size(), 5u);
  EXPECT_EQ(point["strategies"][2]["conformance"][1]["passed"], false);
  EXPECT_EQ(point["strategies"][0]["breakdown"].size(), 6u);
  EXPECT_TRUE(point["strategies"][3]["breakdown"].empty());  // not traced
  ASSERT_EQ(point["comparisons"].size(), 4u);
  EXPECT_EQ(point["comparisons"][1]["verdict"], "slower");
  EXPECT_EQ(payload["reports"][0]["points"][1]["complete"], false);
  EXPECT_EQ(payload["reports"][0]["warnings"][0], "partial run: it was interrupted; only the completed points are here");
}

// A runtime.workers x workload.limit sweep of two strategies, as the JSON reporter writes it.
std::string sweep_report() {
  Report report;
  report.suite = "sweep";
  double ns = 1000;
  for (const char* workers : {"1", "2"}) {
    for (const char* limit : {"1", "16"}) {
      ScenarioResult r;
      r.scenario.name = "load_sweep";
      r.scenario.compare = {"config", "naive", {"optimized"}, {}};
      r.parameters = {{"runtime.workers", workers}, {"workload.limit", limit}};
      for (const char* name : {"naive", "optimized"}) {
        StrategyResult s;
        s.strategy = name;
        for (int i = 0; i < 3; ++i) s.samples.push_back({1000, ns * 1000 * (1 + 0.01 * i), ns * 1000});
        s.metrics.push_back({"ns_per_op", "ns", true, {3, ns * 1.01, ns, 1, 0.01, ns, ns * 1.02, {ns, ns * 1.02}}});
        r.strategies.push_back(std::move(s));
        ns *= 2;
      }
      report.scenarios.push_back(std::move(r));
    }
  }
  std::ostringstream out;
  make_json_reporter({})->write(report, out);
  return out.str();
}

TEST(HtmlRunPayload, SweepPutsTheLastAxisOnXAndOnePanelPerOtherValue) {
  const auto payload = nlohmann::json::parse(html_run_payload({{"sweep.json", sweep_report()}}));
  const auto& sweeps = payload["reports"][0]["sweeps"];
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0]["x"], "workload.limit");
  ASSERT_EQ(sweeps[0]["panels"].size(), 2u);
  const auto& panel = sweeps[0]["panels"][1];
  EXPECT_EQ(panel["title"], "runtime.workers = 2");
  EXPECT_EQ(panel["x_values"], nlohmann::json::array({"1", "16"}));
  ASSERT_EQ(panel["series"].size(), 2u);
  EXPECT_EQ(panel["series"][1]["strategy"], "optimized");
  // Medians of workers=2: limit 1 naive 16000, optimized 32000; limit 16 naive 64000, optimized 128000.
  EXPECT_EQ(panel["series"][1]["median"], nlohmann::json::array({32320, 129280}));
  EXPECT_EQ(panel["series"][1]["high"], nlohmann::json::array({32640, 130560}));
}

TEST(HtmlRunPayload, UnreadableReportIsAnErrorNamingTheSource) {
  try {
    html_run_payload({{"bad.json", "{\"context\": {\"schema_version\": 9}, \"benchmarks\": []}"}});
    FAIL() << "expected ReportError";
  } catch (const ReportError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.json: unknown schema version 9", 0), 0u) << e.what();
  }
}

CompareResult gbench_compare(const LoadedReport& base, const LoadedReport& candidate) {
  CompareOptions options;
  options.metrics = {"ns_per_op"};
  return compare_reports(base, candidate, options);
}

// The compare fixtures taken backwards (new as BASE): their improvement becomes a regression.
TEST(HtmlComparePayload, MatchesGoldenWithRegressionsFirst) {
  LoadedReport base = read_report_file(kData / "compare" / "gbench_new.json");
  LoadedReport candidate = read_report_file(kData / "compare" / "gbench_base.json");
  base.source = "gbench_new.json";  // The golden must not depend on where the checkout is.
  candidate.source = "gbench_base.json";
  const std::string payload = html_compare_payload(gbench_compare(base, candidate), base, candidate);
  const auto parsed = nlohmann::json::parse(payload);
  const std::vector<std::string> rank = {"regressed", "improved", "insufficient", "unchanged"};
  int previous = 0;
  for (const auto& b : parsed["benchmarks"]) {
    const int r = static_cast<int>(std::find(rank.begin(), rank.end(), b["verdict"]) - rank.begin());
    EXPECT_GE(r, previous) << b["key"] << " is out of order";
    previous = r;
    EXPECT_FALSE(b["base_samples"].empty()) << b["key"];
  }
  EXPECT_EQ(parsed["benchmarks"][0]["verdict"], "regressed");
  expect_golden_payload(payload, "gbench_compare.payload.golden");
}

TEST(HtmlPage, NoTextInThePayloadCanCloseItsScript) {
  const std::string page = html_page("a <b> & \"c\"", R"({"name": "</script><script>alert(1)</script>"})");
  EXPECT_NE(page.find(R"({"name": "\u003c/script>\u003cscript>alert(1)\u003c/script>"})"), std::string::npos);
  EXPECT_NE(page.find("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"), std::string::npos);
  std::size_t closings = 0;
  for (std::size_t at = page.find("</script>"); at != std::string::npos; at = page.find("</script>", at + 1)) ++closings;
  EXPECT_EQ(closings, 4u);  // payload, Chart.js, the report's two scripts
}

TEST(HtmlPage, LoadsNothingFromOutsideTheFile) {
  const std::string page = html_page("t", "{}");
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none';"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("Chart.js v3."), std::string::npos);  // the embedded library's banner
}

}  // namespace
}  // namespace offload::report
