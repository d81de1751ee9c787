// Fuzz target: any bytes as a scenario file. The loader's contract is a validated Scenario or one
// ScenarioError; anything else escaping (another exception, a crash, a sanitizer report, a hang)
// is a finding. Valid scenarios are also expanded, as `run` and `validate` do.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenario/scenario_loader.hpp"
#include "scenario/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace offload::scenario;
  try {
    const Scenario scenario = load_scenario_string(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    (void)expand_sweep(scenario);
  } catch (const ScenarioError&) {
  }
  return 0;
}
