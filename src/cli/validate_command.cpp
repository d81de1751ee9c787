// `offload-bench validate FILE...`: load and validate each file; one line per file.
#include <iostream>

#include "cli/commands.hpp"
#include "scenario/input_limits.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/sweep.hpp"

namespace offload::cli {

int validate_command(const ValidateOptions& options) {
  int exit_code = kExitOk;
  for (const std::string& file : options.files) {
    try {
      const scenario::Scenario s = scenario::load_scenario_file(file);
      for (const scenario::ScenarioPoint& point : scenario::expand_sweep(s))
        if (auto problem = scenario::ops_limit_problem(point.scenario, scenario::kDefaultMaxOps))
          throw scenario::ScenarioError(scenario::Location{file}, "", *problem);
      std::cout << file << ": ok (" << s.name << ", " << scenario::count_sweep_points(s) << " points)\n";
    } catch (const scenario::ScenarioError& e) {
      std::cerr << e.what() << '\n';
      exit_code = kExitUsage;
    }
  }
  return exit_code;
}

}  // namespace offload::cli
