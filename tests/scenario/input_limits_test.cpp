// Hostile scenario text: nesting deep enough to overflow toml++'s recursion, files too large to
// be scenarios, and workloads too large to run, each refused with an error naming the limit.
#include "scenario/input_limits.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "scenario/scenario_loader.hpp"

namespace offload::scenario {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kValid = R"(name = "t"
description = "d"
reference = ""
[compare]
axis = "state_copy"
baseline = "per_field_locks"
candidates = ["snapshot"]
)";

std::string error_of(const std::string& text) {
  try {
    load_scenario_string(text, "mem.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string dotted(std::size_t parts) {
  std::string key = "a";
  for (std::size_t i = 1; i < parts; ++i) key += ".a";
  return key;
}

// 100,000 parts overflow the stack inside toml::parse without the limit (a crash, not an error).
TEST(InputLimits, DeeplyDottedKeyIsRefusedBeforeParsing) {
  EXPECT_EQ(error_of(dotted(100000) + " = 1\n"),
            "mem.toml:1:8194: more than 4096 dotted-key parts and decimal points: nested too deep to be a scenario");
  EXPECT_NE(error_of("[" + dotted(100000) + "]\n").find("mem.toml:1:8195: more than 4096"), std::string::npos);
  EXPECT_NE(error_of("x = {" + dotted(100000) + " = 1}\n").find("more than 4096"), std::string::npos);
}

TEST(InputLimits, DotsInStringsAndCommentsDoNotCount) {
  const std::string dots(10000, '.');
  const std::string text = std::string(kValid) + "# " + dots + "\n" +
                           "[strategies]\n" + "\"" + dots + "\" = 'x" + dots + "'\n";
  EXPECT_EQ(error_of(text).find("more than 4096"), std::string::npos) << error_of(text);
  const std::string multi_line = "description = \"\"\"\n" + dots + "\n\\\n" + dots + "\"\"\"\n";
  EXPECT_FALSE(toml_limit_problem(multi_line + "x = '''\n" + dots + "\n'''\n", "m.toml"));
  const std::string escaped_quote = "x = \"\\\"" + dots + "\"\n";
  EXPECT_FALSE(toml_limit_problem(escaped_quote, "m.toml"));
}

TEST(InputLimits, TheDotLimitCountsLines) {
  const auto problem = toml_limit_problem("x = \"\"\"\na\nb\"\"\"\n" + dotted(5000) + " = 1\n", "m.toml");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->at.line, 4);
  EXPECT_EQ(problem->at.column, 2 * 4097);
}

TEST(InputLimits, HugeFileIsRefusedWithoutReadingItWhole) {
  const fs::path path = fs::temp_directory_path() / ("offload_huge_" + std::to_string(::getpid()) + ".toml");
  { std::ofstream create(path); }
  fs::resize_file(path, std::uintmax_t{1} << 30);  // sparse: costs no disk
  try {
    load_scenario_file(path);
    ADD_FAILURE() << "loaded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": larger than 1048576 bytes: not a scenario file");
  }
  fs::remove(path);
}

TEST(InputLimits, OpsAboveTheRunLimitNameTheFlag) {
  Scenario s = load_scenario_string(kValid, "mem.toml");
  s.workload.ops = kDefaultMaxOps;
  EXPECT_FALSE(ops_limit_problem(s, kDefaultMaxOps));
  s.workload.ops = kDefaultMaxOps + 1;
  EXPECT_EQ(ops_limit_problem(s, kDefaultMaxOps),
            "workload.ops: 1000001 is above the limit of 1000000 ops per batch (--max-ops raises it)");
}

}  // namespace
}  // namespace offload::scenario
