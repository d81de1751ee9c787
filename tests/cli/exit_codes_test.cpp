// Exit codes CI can tell apart (0 ok, 1 regression or failed expectation, 2 usage or input, 3
// failure while running, 130/143 a signal), the stop signals, and the limits on hostile input.
// Codes 0, 1 and 2 of ordinary runs are also covered in cli_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace offload::cli_test;

fs::path scratch(const std::string& name) {
  const fs::path dir = temp_dir() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ExitCodes, HelpListsEveryCode) {
  const Outcome r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* line : {"0    success", "1    a regression", "2    a usage or input error",
                           "3    a failure while running", "130  stopped by SIGINT, 143 stopped by SIGTERM"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " missing in\n" << r.out;
}

TEST(ExitCodes, AFailedReportWriteIsThree) {
  const fs::path dir = scratch("write_failure");
  if (::mknod((dir / "full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) GTEST_SKIP() << "mknod not permitted";
  const Outcome r = run("run " + data("tiny.toml") + " --quiet --format json --out " + (dir / "full").string());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("\"schema_version\": 2"), std::string::npos) << "the results are still on stdout";
  fs::remove_all(dir);
}

// A CI timeout sends SIGTERM: stop between samples, keep what completed, exit 143.
TEST(ExitCodes, TerminatedRunWritesTheCompletedScenariosMarkedPartialAndExits143) {
  const fs::path out = scratch("sigterm") / "partial.json";
  const Outcome r = run_command("timeout --foreground --preserve-status -s TERM 1.5 " + binary() +
                                " run --quiet --format json --out " + out.string());
  EXPECT_EQ(r.exit_code, 143) << r.out;
  std::ifstream file(out);
  ASSERT_TRUE(file.good()) << "a terminated run still writes its report";
  EXPECT_EQ(nlohmann::json::parse(file)["context"]["partial"], true);
  fs::remove_all(out.parent_path());
}

// The second signal ends the process at once, whatever it was doing: the report file is the old
// one or a whole new one, and no temp file is left beside it.
TEST(ExitCodes, SecondSignalEndsTheRunAtOnceWithoutCorruptingTheReport) {
  const fs::path dir = scratch("second_signal");
  const fs::path out = dir / "report.json";
  { std::ofstream(out) << "{\"old\": true}"; }
  const Outcome r = run_command(binary() + " run --quiet --format json --out " + out.string() +
                                " > /dev/null & pid=$!; sleep 1.5; kill -TERM $pid; sleep 0.05; kill -INT $pid;"
                                " start=$(date +%s%N); wait $pid; status=$?;"
                                " echo \"status=$status ms=$(( ($(date +%s%N) - start) / 1000000 ))\"");
  ASSERT_NE(r.out.find("status="), std::string::npos) << r.out;
  const int status = std::stoi(r.out.substr(r.out.find("status=") + 7));
  const int ms = std::stoi(r.out.substr(r.out.find("ms=") + 3));
  EXPECT_TRUE(status == 130 || status == 143) << r.out;
  EXPECT_LT(ms, 2000) << "the second signal must not wait for the run";
  std::ifstream file(out);
  const nlohmann::json report = nlohmann::json::parse(file);  // throws if corrupt
  EXPECT_TRUE(report.contains("old") || report["context"]["partial"] == true) << report.dump().substr(0, 200);
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path(), out) << "left behind: " << entry.path();
  fs::remove_all(dir);
}

TEST(Limits, AbsurdWorkersIsAnInputErrorNamingTheLimit) {
  const Outcome r = run("run " + data("tiny.toml") + " --quiet --no-out --set runtime.workers=100000000");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--set runtime.workers=100000000: must be in 1..1024 (got 100000000)"), std::string::npos) << r.out;
}

TEST(Limits, OpsAboveMaxOpsIsAnInputErrorAndTheFlagRaisesIt) {
  const std::string tiny = "run " + data("tiny.toml") + " --quiet --no-out --set workload.ops=1100";
  const Outcome refused = run(tiny + " --max-ops 1000");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("workload.ops: 1100 is above the limit of 1000 ops per batch (--max-ops raises it)"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(run(tiny + " --max-ops 2000").exit_code, 0);
  const Outcome absurd = run("run " + data("tiny.toml") + " --quiet --no-out --set workload.ops=1000000000000");
  EXPECT_EQ(absurd.exit_code, 2) << absurd.out;
  EXPECT_NE(absurd.out.find("above the limit of 1000000 ops"), std::string::npos) << absurd.out;
}

TEST(Limits, ReportAboveTheSizeLimitIsRefusedAndTheFlagRaisesIt) {
  const fs::path dir = scratch("report_limit");
  ASSERT_EQ(run("run " + std::string(OFFLOAD_SCENARIO_DIR) + "/gate/spin.toml --quiet --quick --out " +
                (dir / "a.json").string())
                .exit_code,
            0);
  {
    std::ofstream pad(dir / "a.json", std::ios::app);
    pad << std::string(std::size_t{3} << 20, ' ');  // still valid JSON, now > 3 MiB
  }
  const std::string compare = "compare " + (dir / "a.json").string() + " " + (dir / "a.json").string();
  const Outcome refused = run(compare + " --max-report-mib 2");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("a.json: larger than the limit of 2097152 bytes (--max-report-mib raises it)"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(run(compare).exit_code, 0) << "the default limit is 64 MiB";

  // 1 GiB, sparse: refused after reading just past the limit, not read whole.
  { std::ofstream create(dir / "huge.json"); }
  fs::resize_file(dir / "huge.json", std::uintmax_t{1} << 30);
  const Outcome huge = run("compare " + (dir / "huge.json").string() + " " + (dir / "a.json").string());
  EXPECT_EQ(huge.exit_code, 2) << huge.out;
  EXPECT_NE(huge.out.find("larger than the limit of 67108864 bytes"), std::string::npos) << huge.out;
  fs::remove_all(dir);
}

}  // namespace
