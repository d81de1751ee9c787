// Where `run` and `validate` get scenarios: files, directories, or the built-in suite.
#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace offload::cli {

struct LoadedSuite {
  std::string name;  // "default", a directory's name, or a file's stem
  std::vector<scenario::Scenario> scenarios;
};

// Loads and validates every scenario first; throws scenario::ScenarioError (one line) on the
// first bad one, so nothing runs from a suite with a broken file.
LoadedSuite load_suite(const std::vector<std::string>& paths);

}  // namespace offload::cli
