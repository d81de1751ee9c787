// Sweep expansion: an odometer over the axes, last axis fastest.
#include "scenario/sweep.hpp"

#include <string>
#include <utility>

#include "scenario/parameters.hpp"
#include "scenario/scenario_loader.hpp"

namespace offload::scenario {
namespace {

std::string sweep_key(const SweepAxis& axis) { return "sweep.\"" + axis.parameter + "\""; }

}  // namespace

std::size_t count_sweep_points(const Scenario& scenario) {
  std::size_t points = 1;
  for (const SweepAxis& axis : scenario.sweep) {
    points *= axis.values.size();
    if (points > kMaxSweepPoints) return kMaxSweepPoints + 1;
  }
  return points;
}

std::vector<ScenarioPoint> expand_sweep(const Scenario& scenario) {
  for (const SweepAxis& axis : scenario.sweep)
    if (axis.values.empty()) throw ScenarioError(axis.location, sweep_key(axis), "no values");
  const std::size_t total = count_sweep_points(scenario);
  if (total > kMaxSweepPoints) {
    throw ScenarioError(scenario.sweep.front().location, "sweep",
                        "more than " + std::to_string(kMaxSweepPoints) + " points");
  }

  Scenario base = scenario;
  base.sweep.clear();
  std::vector<ScenarioPoint> points;
  points.reserve(total);
  std::vector<std::size_t> index(scenario.sweep.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    ScenarioPoint point{base, {}};
    for (std::size_t a = 0; a < scenario.sweep.size(); ++a) {
      const SweepAxis& axis = scenario.sweep[a];
      const ParameterValue& value = axis.values[index[a]];
      if (!is_parameter(axis.parameter))
        throw ScenarioError(axis.location, sweep_key(axis), "not a sweepable parameter");
      if (auto problem = apply_parameter(point.scenario, axis.parameter, value))
        throw ScenarioError(axis.location, sweep_key(axis), *problem);
      point.parameters.emplace_back(axis.parameter, to_string(value));
    }
    points.push_back(std::move(point));
    // Advance the odometer: the last axis turns fastest, carrying into the one before it.
    for (std::size_t a = index.size(); a-- > 0;) {
      if (++index[a] < scenario.sweep[a].values.size()) break;
      index[a] = 0;
    }
  }
  return points;
}

}  // namespace offload::scenario
