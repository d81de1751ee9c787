#include "cli/scenario_sources.hpp"

#include <filesystem>

#include "cli/embedded_suite.hpp"
#include "scenario/scenario_loader.hpp"

namespace offload::cli {

LoadedSuite load_suite(const std::vector<std::string>& paths) {
  LoadedSuite suite;
  if (paths.empty()) {
    suite.name = "default";
    for (const EmbeddedScenario& e : embedded_suite())
      suite.scenarios.push_back(scenario::load_scenario_string(e.toml, "<built-in>/" + std::string(e.file_name)));
    return suite;
  }
  for (const std::string& p : paths) {
    const std::filesystem::path path(p);
    if (std::filesystem::is_directory(path)) {
      for (const auto& file : scenario::find_scenario_files(path))
        suite.scenarios.push_back(scenario::load_scenario_file(file));
    } else {
      suite.scenarios.push_back(scenario::load_scenario_file(path));
    }
  }
  const std::filesystem::path first(paths.front());
  suite.name = paths.size() == 1 ? (std::filesystem::is_directory(first)
                                        ? std::filesystem::absolute(first).lexically_normal().filename().string()
                                        : first.stem().string())
                                 : "custom";
  if (suite.name.empty()) suite.name = "custom";
  return suite;
}

}  // namespace offload::cli
