// The real offload-bench binary: a tiny scenario end to end with its JSON parsed, and the
// exit codes and one-line errors of bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <thread>
#include <vector>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

Outcome run_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  Outcome outcome;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) outcome.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

Outcome run(const std::string& args) { return run_command(std::string(OFFLOAD_BENCH_BINARY) + " " + args); }

std::string data(const std::string& name) { return std::string(OFFLOAD_CLI_TEST_DATA_DIR) + "/" + name; }

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("offload-cli-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(Cli, RunsATinyScenarioAndWritesAGoogleBenchmarkCompatibleReport) {
  const fs::path out = temp_dir() / "tiny.json";
  const Outcome r = run("run " + data("tiny.toml") + " --quiet --precision 0 --format table --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("per_field_locks (baseline)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("concurrency=sequential"), std::string::npos) << r.out;

  std::ifstream file(out);
  const nlohmann::json report = nlohmann::json::parse(file);
  EXPECT_EQ(report["context"]["schema_version"], 2);
  EXPECT_EQ(report["context"]["partial"], false);
  ASSERT_EQ(report["scenarios"].size(), 2u) << "one entry per sweep point";
  int iterations = 0;
  for (const auto& b : report["benchmarks"]) {
    for (const char* key : {"name", "run_name", "run_type", "iterations", "real_time", "cpu_time", "time_unit"})
      EXPECT_TRUE(b.contains(key)) << key << " missing in " << b.dump();
    if (b["run_type"] == "iteration") {
      ++iterations;
      EXPECT_GT(b["real_time"].get<double>(), 0);
    }
  }
  EXPECT_EQ(iterations, 2 * 2 * 3) << "points x strategies x repetitions";
  for (const auto& scenario : report["scenarios"])
    for (const auto& strategy : scenario["strategies"])
      EXPECT_FALSE(strategy.contains("breakdown")) << "no traced pass without --breakdown";
  fs::remove_all(out.parent_path());
}

TEST(Cli, BreakdownShowsEveryPhaseOfEveryStrategy) {
  const fs::path out = temp_dir() / "breakdown.json";
  const Outcome r = run("run " + data("tiny.toml") + " --quick --breakdown --quiet --out " + out.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("  breakdown per offload phase"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("q queue  j job  c complete  w wake  d deliver  r resume"), std::string::npos) << r.out;
  std::ifstream file(out);
  const nlohmann::json report = nlohmann::json::parse(file);
  const char* phases[] = {"queue", "job", "complete", "wake", "deliver", "resume"};
  for (const auto& scenario : report["scenarios"]) {
    for (const auto& strategy : scenario["strategies"]) {
      ASSERT_EQ(strategy["breakdown"].size(), 6u) << strategy["strategy"];
      for (std::size_t i = 0; i < 6; ++i) {
        const auto& phase = strategy["breakdown"][i];
        EXPECT_EQ(phase["phase"], phases[i]);
        for (const char* field : {"p50_ns", "p99_ns", "mean_ns"}) EXPECT_TRUE(phase[field].is_number()) << field;
      }
    }
  }
  fs::remove_all(out.parent_path());
}

bool have_python3() { return run_command("python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))'").exit_code == 0; }

// The same scenario on the model and on the real interpreter in one run: the cpython point names
// its interpreter, has timed samples and per-op latencies, and the conformance probe run there
// shows the ContextVar leak of skip_empty_context.
TEST(Cli, RunsTheCPythonBackendBesideTheModel) {
  if (!have_python3()) GTEST_SKIP() << "no python3 >= 3.9 on PATH";
  const fs::path out = temp_dir() / "cpython.json";
  const Outcome r = run("run " + data("tiny_cpython.toml") + " --quiet --precision 0 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("on CPython 3."), std::string::npos) << r.out;
  std::ifstream file(out);
  const nlohmann::json report = nlohmann::json::parse(file);
  ASSERT_EQ(report["scenarios"].size(), 2u);
  EXPECT_EQ(report["scenarios"][0]["backend"], "native");
  const auto& cpython = report["scenarios"][1];
  EXPECT_EQ(cpython["backend"].get<std::string>().rfind("CPython 3.", 0), 0u) << cpython["backend"];
  ASSERT_EQ(cpython["strategies"].size(), 2u);
  for (const auto& strategy : cpython["strategies"]) {
    EXPECT_EQ(strategy["samples"].size(), 3u);
    for (const auto& sample : strategy["samples"]) {
      EXPECT_EQ(sample["ops"].get<int>() % 20, 0);
      EXPECT_GT(sample["wall_ns"].get<double>(), 0);
    }
    EXPECT_GE(strategy["latency"]["count"].get<int>(), 60) << "one latency per timed op";
    EXPECT_TRUE(strategy["counts"].is_null()) << "the interpreter has no lock or allocation counters";
    bool isolated = false;
    for (const auto& check : strategy["conformance"])
      if (check["guarantee"] == "job_isolation") isolated = check["passed"];
    EXPECT_EQ(isolated, strategy["strategy"] == "copy_context_partial") << strategy["strategy"];
  }
  fs::remove_all(out.parent_path());
}

TEST(Cli, SkipsCPythonPointsWithTheReasonWhenTheInterpreterIsMissing) {
  const Outcome r = run("run " + data("tiny_cpython.toml") + " --quiet --no-out --format json --python /nonexistent/python3");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("cpython backend unavailable: python interpreter '/nonexistent/python3' not found"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"skipped\": \"cpython backend unavailable"), std::string::npos) << r.out;
}

TEST(Cli, BackendOptionMovesEveryScenarioToTheInterpreter) {
  const Outcome r = run("run " + data("tiny.toml") + " --quiet --no-out --backend cpython --python /nonexistent/python3");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("skipped its 2 points"), std::string::npos) << r.out;
  const Outcome narrowed = run("run " + data("tiny_cpython.toml") + " --quiet --no-out --format json --backend native");
  EXPECT_EQ(narrowed.exit_code, 0) << narrowed.out;
  EXPECT_EQ(nlohmann::json::parse(narrowed.out)["scenarios"].size(), 1u) << "a backend sweep narrows to --backend";
}

TEST(Cli, InterruptedRunWritesTheCompletedScenariosMarkedPartial) {
  const fs::path out = temp_dir() / "partial.json";
  // One SIGINT after 1.5 s, well before the whole built-in suite could finish (--foreground:
  // signal the child only, not the process group too, which would be a second Ctrl-C).
  const Outcome r = run_command("timeout --foreground --preserve-status -s INT 1.5 " + std::string(OFFLOAD_BENCH_BINARY) +
                                " run --quiet --format json --out " + out.string());
  EXPECT_EQ(r.exit_code, 130) << r.out;
  std::ifstream file(out);
  ASSERT_TRUE(file.good()) << "an interrupted run still writes its report";
  const nlohmann::json report = nlohmann::json::parse(file);
  EXPECT_EQ(report["context"]["partial"], true);
  for (const auto& scenario : report["scenarios"])
    for (const auto& strategy : scenario["strategies"])
      EXPECT_EQ(strategy["samples"].size(), scenario["scenario"]["measure"]["repetitions"].get<std::size_t>())
          << "only completed scenario points are kept";
  fs::remove_all(out.parent_path());
}

TEST(Cli, CheckExitsOneAndNamesTheFailedExpectation) {
  const Outcome r = run("run " + data("failing_expectation.toml") + " --quiet --no-out --check");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL per_field_locks lock_acquisitions per op <= 1"), std::string::npos) << r.out;
  EXPECT_EQ(run("run " + data("failing_expectation.toml") + " --quiet --no-out").exit_code, 0)
      << "without --check a failed expectation is reported, not fatal";
}

TEST(Cli, CompareOfAReportWithItselfIsUnchangedEverywhere) {
  const fs::path dir = temp_dir();
  const std::string scenario = std::string(OFFLOAD_SCENARIO_DIR) + "/gate/spin.toml";
  ASSERT_EQ(run("run " + scenario + " --quiet --out " + (dir / "a.json").string()).exit_code, 0);
  const Outcome r = run("compare " + (dir / "a.json").string() + " " + (dir / "a.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("0 improved, 0 regressed, 4 unchanged, 0 insufficient"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// The "did my change slow it down" loop: save a baseline, rerun with a slower job, compare.
TEST(Cli, CompareAgainstASavedBaselineExitsOneAndNamesTheSlowerBenchmark) {
  const fs::path dir = temp_dir();
  const std::string scenario = std::string(OFFLOAD_SCENARIO_DIR) + "/gate/spin.toml";
  const std::string in_dir = "cd " + dir.string() + " && " + OFFLOAD_BENCH_BINARY;
  ASSERT_EQ(run_command(in_dir + " run " + scenario + " --quiet --no-out --save-baseline before").exit_code, 0);
  EXPECT_TRUE(fs::exists(dir / "results/baselines/before.json"));
  ASSERT_EQ(run_command(in_dir + " run " + scenario + " --quiet --out after.json --set workload.job_ns=75000").exit_code, 0);
  const Outcome r = run_command(in_dir + " compare --baseline before after.json");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("gate_spin/copy_context_partial"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("regressed"), std::string::npos) << r.out;
  EXPECT_EQ(run_command(in_dir + " compare --baseline before after.json --fail-on never").exit_code, 0);
  fs::remove_all(dir);
}

TEST(Cli, CompareOfATruncatedReportIsOneLineAndExit2) {
  const fs::path dir = temp_dir();
  { std::ofstream(dir / "cut.json") << R"({"context": {"schema_version": 1}, "bench)"; }
  const Outcome r = run("compare " + (dir / "cut.json").string() + " " + (dir / "cut.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  EXPECT_NE(r.out.find("cut.json"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(Cli, SetThatBreaksACrossKeyRuleIsOneLineAndExit2) {
  const Outcome r = run("run " + data("tiny.toml") + " --quiet --no-out --set workload.kind=offload_wrap");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "exactly one line: " << r.out;
  EXPECT_NE(r.out.find("tiny.toml: workload.kind: kind 'offload_wrap' measures the offload axis"), std::string::npos)
      << r.out;
}

TEST(Cli, UnknownStrategyIsOneLineWithFileLineAndExit2AndNoReport) {
  const fs::path out = temp_dir() / "never.json";
  const Outcome r = run("run " + data("broken.toml") + " --quiet --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "exactly one line: " << r.out;
  EXPECT_NE(r.out.find("broken.toml:8:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per_field_locks, snapshot"), std::string::npos) << "lists the valid choices: " << r.out;
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(out.parent_path());
}

TEST(Cli, MissingScenarioFileIsExit2) {
  const Outcome r = run("run /nonexistent/scenario.toml --quiet --no-out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("/nonexistent/scenario.toml"), std::string::npos) << r.out;
}

TEST(Cli, UnknownOptionIsExit2) { EXPECT_EQ(run("run --no-such-option").exit_code, 2); }

TEST(Cli, EveryShippedScenarioValidates) {
  std::string files;
  for (const auto& entry : fs::recursive_directory_iterator(OFFLOAD_SCENARIO_DIR))
    if (entry.path().extension() == ".toml") files += " " + entry.path().string();
  EXPECT_NE(files.find("cpython/to_thread_backends.toml"), std::string::npos) << "subdirectories too";
  const Outcome r = run("validate" + files);
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(Cli, ListShowsEveryAxisAndTheBuiltInSuite) {
  const Outcome r = run("list");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* id : {"copy_context_partial", "skip_empty_context", "per_field_locks", "snapshot",
                         "shared_default", "per_call", "state_copy_micro", "gil"})
    EXPECT_NE(r.out.find(id), std::string::npos) << id;
}

TEST(Cli, FilterThatMatchesNothingIsExit2) {
  EXPECT_EQ(run("run --filter 'no-such-scenario' --quiet --no-out").exit_code, 2);
}

}  // namespace

namespace ab {

// A copy of the scripted fake build (data/fake_build.py) in its own directory, with its settings.
fs::path fake_build(const std::string& name, double ns_per_op, int seed, const char* die_after_samples = "null") {
  const fs::path dir = temp_dir() / name;
  fs::create_directories(dir);
  fs::copy_file(data("fake_build.py"), dir / "offload-bench", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "fake.json") << "{\"ns_per_op\": " << ns_per_op << ", \"seed\": " << seed
                                   << ", \"die_after_samples\": " << die_after_samples << "}";
  return dir;
}

Outcome run_ab(const fs::path& base, const fs::path& candidate, const std::string& more = "") {
  return run("ab --base " + base.string() + " --new " + candidate.string() + " " + data("tiny.toml") +
             " --quiet --no-out --format json --max-time 2 " + more);
}

}  // namespace ab

TEST(CliAb, AnAARunOfTwoCopiesFindsNoRegressionAndPairsEveryRound) {
  const Outcome r = ab::run_ab(ab::fake_build("a1", 100, 1), ab::fake_build("a2", 100, 2));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json report = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  ASSERT_EQ(report["scenarios"].size(), 4u) << "2 sweep points x 2 strategies";
  for (const auto& point : report["scenarios"]) {
    ASSERT_EQ(point["strategies"].size(), 2u);
    EXPECT_EQ(point["strategies"][0]["strategy"], "base");
    EXPECT_EQ(point["stopped_by"], "precision") << "1% noise reaches +-3% quickly";
    for (const auto& c : point["comparisons"]) {
      EXPECT_TRUE(c["paired"].get<bool>());
      EXPECT_EQ(c["pairs"], point["rounds"]);
      EXPECT_NE(c["verdict"], "slower") << c.dump();
    }
  }
  fs::remove_all(temp_dir());
}

TEST(CliAb, ATenPercentSlowerNewBuildFailsTheGate) {
  const Outcome r = ab::run_ab(ab::fake_build("base", 100, 1), ab::fake_build("new", 110, 2));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("the new build regressed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"verdict\": \"slower\""), std::string::npos) << r.out;
  const Outcome never = ab::run_ab(temp_dir() / "base", temp_dir() / "new", "--fail-on never");
  EXPECT_EQ(never.exit_code, 0) << never.out;
  fs::remove_all(temp_dir());
}

TEST(CliAb, ABuildThatDiesMidRunIsARunFailureNeverAVerdict) {
  const Outcome r = ab::run_ab(ab::fake_build("base", 100, 1), ab::fake_build("dies", 100, 2, "3"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("fake build: dying mid-run on purpose"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"skipped\": \"failed: new build ("), std::string::npos) << r.out;
  fs::remove_all(temp_dir());
}

TEST(CliAb, AMissingBuildIsAUsageError) {
  const Outcome r = run("ab --base /nonexistent --new /nonexistent " + data("tiny.toml") + " --quiet --no-out");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("ab --base /nonexistent: no offload-bench binary there"), std::string::npos) << r.out;
}

// The processes whose parent is `parent`, from /proc: a driver started by the harness.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(text.c_str() + paren + 1, " %c %d", &state, &ppid) == 2 && ppid == parent && state != 'Z')
      children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return children;
}

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// SIGKILL gives the harness no chance to clean up, and the stand-in driver hangs deaf to the end
// of its input: only the driver's parent-death signal can end it.
TEST(Cli, ADriverDoesNotOutliveAHarnessKilledWithSigkill) {
  const std::string scenario = data("tiny_cpython.toml");
  const std::string python = data("hanging_python.sh");
  const pid_t harness = ::fork();
  if (harness == 0) {
    ::execl(OFFLOAD_BENCH_BINARY, OFFLOAD_BENCH_BINARY, "run", scenario.c_str(), "--quiet", "--no-out",
            "--filter", "backend=cpython", "--python", python.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(harness, 0);
  std::vector<pid_t> drivers;
  for (int i = 0; i < 500 && drivers.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    drivers = children_of(harness);
  }
  ASSERT_FALSE(drivers.empty()) << "the harness started no driver within 5 s";
  ::kill(harness, SIGKILL);
  ::waitpid(harness, nullptr, 0);
  for (pid_t driver : drivers) {
    for (int i = 0; i < 200 && alive(driver); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(alive(driver)) << "driver " << driver << " outlived the harness";
  }
}
