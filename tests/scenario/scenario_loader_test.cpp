// Scenario loading: the shipped suite loads, defaults apply, and every bad file in
// data/bad/ fails with the one-line error its first line promises ("# expect: LINE:COL: ...").
#include "scenario/scenario_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scenario/sweep.hpp"

namespace offload::scenario {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = OFFLOAD_TEST_DATA_DIR;
const fs::path kScenarioDir = OFFLOAD_SCENARIO_DIR;

constexpr std::string_view kCompareStateCopy = R"(
[compare]
axis = "state_copy"
baseline = "per_field_locks"
candidates = ["snapshot"]
)";

std::string header(std::string_view name = "t") {
  return "name = \"" + std::string(name) + "\"\ndescription = \"d\"\nreference = \"\"\n";
}

// The what() a load throws, or "" if it loads.
std::string error_of(std::string_view text) {
  try {
    load_scenario_string(text, "mem.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(ScenarioLoader, EveryShippedScenarioLoadsAndIsNamedAfterItsFile) {
  const std::vector<fs::path> files = find_scenario_files(kScenarioDir);
  ASSERT_GE(files.size(), 8u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const Scenario s = load_scenario_file(file);
    EXPECT_EQ(s.name, file.stem().string());
    EXPECT_FALSE(s.reference.empty()) << "the shipped suite says where each claim comes from";
  }
}

// The CI gating suite: each file is named after its scenario, says where its claim comes from,
// and makes at least one claim (otherwise `run --check` would gate on nothing).
TEST(ScenarioLoader, EveryCiScenarioLoadsAndMakesClaims) {
  const std::vector<fs::path> files = find_scenario_files(kScenarioDir / "ci");
  ASSERT_GE(files.size(), 3u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const Scenario s = load_scenario_file(file);
    EXPECT_EQ(s.name, file.stem().string());
    EXPECT_FALSE(s.reference.empty());
    EXPECT_FALSE(s.expectations.empty());
  }
}

// The default suite must run in about a minute on 2 cores: budget the sampling floor (every
// point, every strategy, warm-up and repetitions, each at least min_time_ms) at 30 s, leaving
// the rest for batches longer than min_time and for set-up.
TEST(ScenarioLoader, ShippedSuiteFitsItsTimeBudget) {
  double total_ms = 0;
  for (const fs::path& file : find_scenario_files(kScenarioDir)) {
    const Scenario s = load_scenario_file(file);
    const double strategies = 1.0 + static_cast<double>(s.compare.candidates.size());
    const double samples = static_cast<double>(s.measure.warmup + s.measure.repetitions);
    total_ms +=
        static_cast<double>(count_sweep_points(s)) * strategies * samples * s.measure.min_time_ms;
  }
  // Sampling time on paper; calibration, probes and counting passes add about a third, so 40 s
  // keeps `make run` near the minute the README promises (38 s measured at 30 s on paper).
  EXPECT_LE(total_ms, 40'000.0);
}

TEST(ScenarioLoader, OmittedKeysTakeTheirDefaults) {
  const fs::path path = kDataDir / "good" / "minimal.toml";
  const Scenario s = load_scenario_file(path);
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.reference, "");
  EXPECT_EQ(s.source, path.string());
  EXPECT_FALSE(s.runtime.workers.has_value());
  const WorkloadConfig w;
  EXPECT_EQ(s.workload.kind, w.kind);
  EXPECT_EQ(s.workload.job, w.job);
  EXPECT_EQ(s.workload.job_ns, w.job_ns);
  EXPECT_EQ(s.workload.job_us, w.job_us);
  EXPECT_EQ(s.workload.job_kib, w.job_kib);
  EXPECT_EQ(s.workload.ops, w.ops);
  EXPECT_EQ(s.workload.concurrency, w.concurrency);
  EXPECT_EQ(s.workload.limit, w.limit);
  EXPECT_EQ(s.workload.context_vars, w.context_vars);
  EXPECT_FALSE(s.workload.timeout_ms.has_value());
  const MeasureConfig m;
  EXPECT_EQ(s.measure.warmup, m.warmup);
  EXPECT_EQ(s.measure.repetitions, m.repetitions);
  EXPECT_EQ(s.measure.min_time_ms, m.min_time_ms);
  const strategy::Selection defaults;
  EXPECT_EQ(s.fixed.offload, defaults.offload);
  EXPECT_EQ(s.fixed.state_copy, defaults.state_copy);
  EXPECT_EQ(s.fixed.executor, defaults.executor);
  EXPECT_TRUE(s.sweep.empty());
}

TEST(ScenarioLoader, EveryKeyIsReadInAnyOrder) {
  const Scenario s = load_scenario_file(kDataDir / "good" / "full.toml");
  EXPECT_EQ(s.name, "full-1");
  EXPECT_EQ(s.reference, "CPython gh-134173");
  EXPECT_EQ(s.runtime.workers, 3);
  EXPECT_EQ(s.workload.kind, WorkloadKind::kOffload);
  EXPECT_EQ(s.workload.job, Job::kRead);
  EXPECT_EQ(s.workload.job_ns, 5);
  EXPECT_EQ(s.workload.job_us, 6);
  EXPECT_EQ(s.workload.job_kib, 64);
  EXPECT_EQ(s.workload.ops, 7);
  EXPECT_EQ(s.workload.concurrency, Concurrency::kBounded);
  EXPECT_EQ(s.workload.limit, 2);
  EXPECT_EQ(s.workload.context_vars, 9);
  EXPECT_EQ(s.workload.timeout_ms, 0.5);
  EXPECT_EQ(s.measure.warmup, 0);
  EXPECT_EQ(s.measure.repetitions, 4);
  EXPECT_EQ(s.measure.min_time_ms, 25.0);
  EXPECT_EQ(s.compare.axis, "state_copy");
  EXPECT_EQ(s.compare.baseline, "per_field_locks");
  EXPECT_EQ(s.compare.candidates, std::vector<std::string>{"snapshot"});
  EXPECT_EQ(s.fixed.executor, "per_call");
  EXPECT_EQ(s.fixed.offload, "skip_empty_context");
  EXPECT_EQ(s.fixed.state_copy, "per_field_locks");

  using Kind = Expectation::Kind;
  ASSERT_EQ(s.expectations.size(), 4u);
  const Expectation& faster = s.expectations[0];
  EXPECT_EQ(faster.kind, Kind::kFaster);
  EXPECT_EQ(faster.strategy, "snapshot");
  EXPECT_EQ(faster.metric, "cpu_ns_per_op");
  EXPECT_EQ(faster.value, 0.25);
  EXPECT_EQ(s.expectations[1].kind, Kind::kNoSlower);
  EXPECT_EQ(s.expectations[1].metric, "ns_per_op");  // the default
  const Expectation& at_most = s.expectations[2];
  EXPECT_EQ(at_most.kind, Kind::kAtMost);
  EXPECT_EQ(at_most.strategy, "per_field_locks");  // at_most may name the baseline
  EXPECT_EQ(at_most.metric, "lock_acquisitions");
  EXPECT_EQ(at_most.value, 4.0);  // an integer is a number
  EXPECT_EQ(s.expectations[3].kind, Kind::kConforms);
  EXPECT_EQ(s.expectations[3].strategy, "per_field_locks");
}

// An [[expect]] is located at its header, so a report can point at the claim that failed.
TEST(ScenarioLoader, ExpectationsAreLocatedAtTheirHeaderAndDefaultToJustFasterOnNsPerOp) {
  const Scenario s = load_scenario_string(
      header() + std::string(kCompareStateCopy) + "\n[[expect]]\nfaster = \"snapshot\"\n",
      "mem.toml");
  ASSERT_EQ(s.expectations.size(), 1u);
  const Expectation& x = s.expectations[0];
  EXPECT_EQ(x.kind, Expectation::Kind::kFaster);
  EXPECT_EQ(x.metric, "ns_per_op");
  EXPECT_EQ(x.value, 0.0);
  EXPECT_EQ(x.location.file, "mem.toml");
  EXPECT_EQ(x.location.line, 10);
  EXPECT_EQ(x.location.column, 1);
}

TEST(ScenarioLoader, ExpectationsApplyToEverySweepPoint) {
  const Scenario s = load_scenario_string(header() + std::string(kCompareStateCopy) + R"(
[sweep]
"workload.ops" = [10, 20, 30]
[[expect]]
conforms = "snapshot"
[[expect]]
at_most = "snapshot"
counter = "worker_wakeups"
value = 0.5
)",
                                          "mem.toml");
  const std::vector<ScenarioPoint> points = expand_sweep(s);
  ASSERT_EQ(points.size(), 3u);
  for (const ScenarioPoint& point : points) {
    ASSERT_EQ(point.scenario.expectations.size(), 2u);
    EXPECT_EQ(point.scenario.expectations[1].metric, "worker_wakeups");
    EXPECT_EQ(point.scenario.expectations[1].value, 0.5);
  }
}

TEST(ScenarioLoader, EveryCounterAndMetricIsAccepted) {
  for (const char* counter : {"lock_acquisitions", "heap_allocations", "loop_wakeup_signals",
                              "loop_wakeups", "worker_wakeup_signals", "worker_wakeups"}) {
    EXPECT_EQ(error_of(header() + std::string(kCompareStateCopy) +
                       "[[expect]]\nat_most = \"snapshot\"\nvalue = 1.5\ncounter = \"" + counter +
                       "\"\n"),
              "")
        << counter;
  }
  for (const char* metric : {"ns_per_op", "cpu_ns_per_op"})
    for (const char* kind : {"faster", "no_slower"})
      EXPECT_EQ(error_of(header() + std::string(kCompareStateCopy) + "[[expect]]\n" + kind +
                         " = \"snapshot\"\nmetric = \"" + metric + "\"\n"),
                "")
          << kind << " " << metric;
}

TEST(ScenarioLoader, FasterByMustBeAFractionBelowOne) {
  const auto with_by = [](std::string by) {
    return error_of(header() + std::string(kCompareStateCopy) +
                    "[[expect]]\nfaster = \"snapshot\"\nby = " + by + "\n");
  };
  EXPECT_EQ(with_by("0"), "");
  EXPECT_EQ(with_by("0.99"), "");
  EXPECT_NE(with_by("1").find("expect[0].by: must be a fraction in [0, 1)"), std::string::npos);
  EXPECT_NE(with_by("-0.1").find("(got -0.1)"), std::string::npos);
  EXPECT_NE(with_by("nan").find("expect[0].by: must be"), std::string::npos);
  EXPECT_NE(with_by("\"30%\"").find("expect[0].by: expected a number, got a string"),
            std::string::npos);
}

TEST(ScenarioLoader, EveryBadFileFailsWithItsOneLineLocatedError) {
  const std::vector<fs::path> files = find_scenario_files(kDataDir / "bad");
  ASSERT_GE(files.size(), 20u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string expect_prefix = "# expect: ";
    const std::string line = first_line(file);
    ASSERT_EQ(line.rfind(expect_prefix, 0), 0u) << "each bad file states its error on line 1";
    const std::string expected = file.string() + ":" + line.substr(expect_prefix.size());
    try {
      load_scenario_file(file);
      ADD_FAILURE() << "loaded";
    } catch (const ScenarioError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what, expected);
      EXPECT_EQ(what.find('\n'), std::string::npos);
      EXPECT_GT(e.location().line, 0);
      EXPECT_GT(e.location().column, 0);
      EXPECT_EQ(e.location().file, file.string());
      // Every error but a TOML syntax error names the key at fault.
      if (what.find("Error while parsing") == std::string::npos) {
        EXPECT_FALSE(e.key().empty());
        EXPECT_NE(what.find(": " + e.key() + ": "), std::string::npos);
      }
    }
  }
}

TEST(ScenarioLoader, UnknownStrategyErrorListsTheKnownOnes) {
  const std::string what = error_of(header() + R"(
[compare]
axis = "state_copy"
baseline = "per_field_locks"
candidates = ["snapshott"]
)");
  EXPECT_EQ(what,
            "mem.toml:8:15: compare.candidates: unknown strategy 'snapshott' on axis "
            "'state_copy' (valid: per_field_locks, snapshot)");
}

TEST(ScenarioLoader, MissingFileErrorNamesTheFileAndTheReason) {
  const fs::path path = kDataDir / "bad" / "does_not_exist.toml";
  try {
    load_scenario_file(path);
    FAIL() << "loaded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": cannot open: No such file or directory");
    EXPECT_EQ(e.location().line, 0);
  }
}

TEST(ScenarioLoader, ErrorExposesLocationKeyAndMessage) {
  try {
    load_scenario_string(header() + "[workload]\nops = 0\n" + std::string(kCompareStateCopy),
                         "<embedded>/x.toml");
    FAIL() << "loaded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.location().file, "<embedded>/x.toml");
    EXPECT_EQ(e.location().line, 5);
    EXPECT_EQ(e.location().column, 7);
    EXPECT_EQ(e.key(), "workload.ops");
    EXPECT_EQ(e.message(), "must be >= 1 (got 0)");
  }
}

TEST(ScenarioLoader, NewlinesInUserTextKeepTheErrorOnOneLine) {
  const std::string what = error_of("name = \"a\\nb\"\ndescription = \"d\"\nreference = \"\"\n" +
                                    std::string(kCompareStateCopy));
  ASSERT_FALSE(what.empty());
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
}

// Sweep values go through the same apply function as plain keys: the same value is rejected
// with the same message in both places.
TEST(ScenarioLoader, SweepValuesAreValidatedExactlyLikePlainKeys) {
  const struct {
    std::string table, key, value;
  } cases[] = {
      {"workload", "ops", "0"},
      {"workload", "job", "\"spinn\""},
      {"workload", "kind", "1"},
      {"workload", "context_vars", "1025"},
      {"workload", "timeout_ms", "0.0"},
      {"measure", "repetitions", "1"},
      {"measure", "min_time_ms", "\"fast\""},
      {"runtime", "workers", "2.5"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.table + "." + c.key + " = " + c.value);
    const std::string plain = error_of(header() + "[" + c.table + "]\n" + c.key + " = " + c.value +
                                       "\n" + std::string(kCompareStateCopy));
    const std::string swept = error_of(header() + std::string(kCompareStateCopy) + "[sweep]\n\"" +
                                       c.table + "." + c.key + "\" = [" + c.value + "]\n");
    ASSERT_FALSE(plain.empty());
    ASSERT_FALSE(swept.empty());
    const std::string plain_key = c.table + "." + c.key + ": ";
    const std::string swept_key = "sweep.\"" + c.table + "." + c.key + "\": ";
    ASSERT_NE(plain.find(plain_key), std::string::npos) << plain;
    ASSERT_NE(swept.find(swept_key), std::string::npos) << swept;
    EXPECT_EQ(plain.substr(plain.find(plain_key) + plain_key.size()),
              swept.substr(swept.find(swept_key) + swept_key.size()));
  }
}

// The rule --set overrides are checked against too: a per-op timeout only where ops are awaited
// one by one.
TEST(ScenarioLoader, CrossKeyProblemBlamesTheTimeoutOfABatchedGatherOnly) {
  Scenario s;
  s.workload.timeout_ms = 5;
  s.compare = {"gather", "tasks", {"batched"}, {}};
  const auto problem = cross_key_problem(s);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->key, "workload.timeout_ms");
  s.workload.concurrency = Concurrency::kSequential;  // The gather axis does not apply.
  EXPECT_FALSE(cross_key_problem(s).has_value());
  s.workload.concurrency = Concurrency::kGather;
  s.compare = {"state_copy", "per_field_locks", {"snapshot"}, {}};
  EXPECT_FALSE(cross_key_problem(s).has_value());
}

TEST(ScenarioLoader, StringAndFileLoadsAgree) {
  const fs::path path = kScenarioDir / "to_thread_context.toml";
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Scenario from_string = load_scenario_string(text, "<embedded>/to_thread_context.toml");
  const Scenario from_file = load_scenario_file(path);
  EXPECT_EQ(from_string.source, "<embedded>/to_thread_context.toml");
  EXPECT_EQ(from_string.name, from_file.name);
  EXPECT_EQ(from_string.sweep.size(), from_file.sweep.size());
}

TEST(ScenarioLoader, FindScenarioFilesListsOnlyTomlFilesSortedByName) {
  const fs::path dir =
      fs::temp_directory_path() / ("offload_find_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "nested.toml");
  fs::create_directories(dir / "sub");
  for (const char* name : {"b.toml", "a.toml", "c.txt", "sub/d.toml"}) std::ofstream(dir / name);
  const std::vector<fs::path> files = find_scenario_files(dir);
  fs::remove_all(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "a.toml");
  EXPECT_EQ(files[1].filename(), "b.toml");
}

TEST(ScenarioLoader, FindScenarioFilesInAMissingDirectoryThrows) {
  EXPECT_THROW(find_scenario_files(kDataDir / "no_such_dir"), ScenarioError);
}

}  // namespace
}  // namespace offload::scenario
