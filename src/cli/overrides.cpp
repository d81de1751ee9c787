#include "cli/overrides.hpp"

#include <charconv>

#include "scenario/parameters.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/sweep.hpp"

namespace offload::cli {
namespace {

std::string joined_keys() {
  std::string keys;
  for (std::string_view k : scenario::parameter_keys()) {
    if (!keys.empty()) keys += ", ";
    keys += k;
  }
  return keys;
}

// The value as the parameter's type expects it; a malformed number stays a string, so the
// scenario layer reports "expected an integer, got a string".
scenario::ParameterValue typed_value(std::string_view key, const std::string& text) {
  const std::string_view type = scenario::parameter_type(key);
  if (type == "an integer") {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) return v;
  } else if (type == "a number") {
    try {
      std::size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
  }
  return text;
}

}  // namespace

std::vector<Override> parse_overrides(const std::vector<std::string>& assignments) {
  std::vector<Override> overrides;
  for (const std::string& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      throw OverrideError("--set " + a + ": expected KEY=VALUE, e.g. --set workload.job_ns=2000");
    Override o{a.substr(0, eq), a.substr(eq + 1)};
    if (!scenario::is_parameter(o.key))
      throw OverrideError("--set " + a + ": unknown parameter '" + o.key + "' (valid: " + joined_keys() + ")");
    overrides.push_back(std::move(o));
  }
  return overrides;
}

void apply_overrides(scenario::Scenario& s, const std::vector<Override>& overrides) {
  for (const Override& o : overrides) {
    for (const auto& axis : s.sweep)
      if (axis.parameter == o.key)
        throw OverrideError("--set " + o.key + "=" + o.text + ": " + s.source + " sweeps " + o.key);
    if (auto problem = scenario::apply_parameter(s, o.key, typed_value(o.key, o.text)))
      throw OverrideError("--set " + o.key + "=" + o.text + ": " + *problem);
  }
  // The loader checked the file's own values against the cross-key rules; check the result again.
  if (overrides.empty()) return;
  for (const scenario::ScenarioPoint& point : scenario::expand_sweep(s))
    if (auto problem = scenario::cross_key_problem(point.scenario))
      throw OverrideError("--set: " + s.source + ": " + problem->key + ": " + problem->message);
}

}  // namespace offload::cli
