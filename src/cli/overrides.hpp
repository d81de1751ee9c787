// `run --set KEY=VALUE`: override a scenario parameter from the command line (e.g. to rerun a
// suite with a longer spin). Parsed and applied through the scenario layer's apply_parameter,
// so a value valid on the command line is valid in a file.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace offload::cli {

struct Override {
  std::string key;   // a dotted parameter key, e.g. "workload.job_ns"
  std::string text;  // the value as given
};

// A --set that cannot apply; what() is one line naming the option.
class OverrideError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws OverrideError for a malformed KEY=VALUE or an unknown key.
std::vector<Override> parse_overrides(const std::vector<std::string>& assignments);

// Throws OverrideError when a value is rejected, the scenario sweeps the key, or the result
// breaks a cross-key rule (scenario::cross_key_problem).
void apply_overrides(scenario::Scenario& scenario, const std::vector<Override>& overrides);

}  // namespace offload::cli
