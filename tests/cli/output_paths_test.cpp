// Where `run` writes its report: devices and FIFOs in place, symlinks followed, unusable paths
// refused before the run, a failed write kept elsewhere with exit 3, default names and baselines
// never overwritten. Devices are made with mknod in a temp directory, never /dev's own.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace offload::cli_test;

class OutputPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir() / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `run` of the tiny scenario (a fraction of a second) with extra arguments.
  static Outcome run_tiny(const std::string& args) { return run("run " + data("tiny.toml") + " --quiet " + args); }
  // True if the table was printed, i.e. the scenarios ran.
  static bool ran(const Outcome& r) { return r.out.find("per_field_locks (baseline)") != std::string::npos; }
  bool make_device(const fs::path& path, unsigned minor) const {
    return ::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0;
  }
  static bool is_char_device(const fs::path& path, unsigned minor) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && ::minor(st.st_rdev) == minor;
  }
  static nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  }

  fs::path dir_;
};

TEST_F(OutputPaths, FullDeviceExitsThreeKeepsTheReportAndStaysADevice) {
  const fs::path full = dir_ / "full";
  if (!make_device(full, 7)) GTEST_SKIP() << "mknod not permitted here";
  const Outcome r = run_tiny("--out " + full.string());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("cannot write " + full.string() + ": write: No space left on device"), std::string::npos)
      << r.out;
  EXPECT_TRUE(is_char_device(full, 7)) << "the device node must not be renamed over";
  std::smatch kept;
  ASSERT_TRUE(std::regex_search(r.out, kept, std::regex("the report is kept in (\\S+\\.json)"))) << r.out;
  EXPECT_EQ(read_json(kept[1].str())["context"]["schema_version"], 2);
  fs::remove(kept[1].str());
}

TEST_F(OutputPaths, NullDeviceIsWrittenInPlace) {
  const fs::path null = dir_ / "null";
  if (!make_device(null, 3)) GTEST_SKIP() << "mknod not permitted here";
  const Outcome r = run_tiny("--out " + null.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(is_char_device(null, 3));
}

TEST_F(OutputPaths, FifoIsWrittenInPlace) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const Outcome r = run_command("cat " + fifo.string() + " > " + (dir_ / "copy.json").string() + " & " + binary() +
                                " run " + data("tiny.toml") + " --quiet --out " + fifo.string() + "; wait");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(read_json(dir_ / "copy.json")["context"]["schema_version"], 2);
}

TEST_F(OutputPaths, SymlinkIsFollowedAndKept) {
  fs::create_symlink("runs/latest-target.json", dir_ / "latest.json");
  const Outcome r = run_tiny("--out " + (dir_ / "latest.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::is_symlink(dir_ / "latest.json"));
  EXPECT_EQ(read_json(dir_ / "runs/latest-target.json")["context"]["schema_version"], 2);
}

TEST_F(OutputPaths, DashWritesTheReportToStdout) {
  const Outcome r = run_tiny("--format markdown --out -");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"schema_version\": 2"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists("-"));
}

TEST_F(OutputPaths, DirectoryIsRefusedBeforeTheRunWithExitTwo) {
  const Outcome r = run_tiny("--out " + dir_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out, "offload-bench: cannot write " + dir_.string() + ": open: Is a directory\n");
  EXPECT_FALSE(ran(r));
}

TEST_F(OutputPaths, PathUnderARegularFileIsRefusedBeforeTheRun) {
  { std::ofstream(dir_ / "file") << "x"; }
  const Outcome r = run_tiny("--out " + (dir_ / "file" / "report.json").string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("Not a directory"), std::string::npos) << r.out;
  EXPECT_FALSE(ran(r));
}

// Four runs at once into one results/: each keeps its own report.
TEST_F(OutputPaths, ConcurrentRunsEachKeepTheirDefaultReport) {
  const std::string one = binary() + " run " + data("tiny.toml") + " --quiet --format json > /dev/null";
  const Outcome r = run_command("cd " + dir_.string() + " && (" + one + " & " + one + " & " + one + " & " + one +
                                " & wait)");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  int reports = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "results")) {
    EXPECT_TRUE(std::regex_match(entry.path().filename().string(),
                                 std::regex(R"(tiny-\d{8}T\d{6}\.\d{6}Z(-\d+)?\.json)")))
        << entry.path();
    EXPECT_EQ(read_json(entry.path())["context"]["schema_version"], 2);
    ++reports;
  }
  EXPECT_EQ(reports, 4) << r.out;
}

TEST_F(OutputPaths, SavingOverAnExistingBaselineNeedsForce) {
  const std::string in_dir = "cd " + dir_.string() + " && " + binary() + " run " + data("tiny.toml") + " --quiet --no-out";
  ASSERT_EQ(run_command(in_dir + " --save-baseline main").exit_code, 0);
  const auto saved = fs::last_write_time(dir_ / "results/baselines/main.json");
  const Outcome refused = run_command(in_dir + " --save-baseline main");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("results/baselines/main.json: already exists"), std::string::npos) << refused.out;
  EXPECT_FALSE(ran(refused)) << "refused before the run";
  EXPECT_EQ(fs::last_write_time(dir_ / "results/baselines/main.json"), saved);
  EXPECT_EQ(run_command(in_dir + " --save-baseline main --force").exit_code, 0);
  EXPECT_NE(fs::last_write_time(dir_ / "results/baselines/main.json"), saved);
}

}  // namespace
