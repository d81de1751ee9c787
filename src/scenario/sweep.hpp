// Sweeps: a scenario's [sweep] table expanded into the points that are measured one by one.
#pragma once

#include <cstddef>
#include <vector>

#include "scenario/scenario.hpp"

namespace offload::scenario {

// The most points a sweep may have. A point costs a full comparison (every strategy, warm-up and
// repetitions), so 256 points is already hours of run time at the default measure settings.
inline constexpr std::size_t kMaxSweepPoints = 256;

// How many points `scenario.sweep` yields; saturates at kMaxSweepPoints + 1 so a huge product
// cannot overflow.
std::size_t count_sweep_points(const Scenario& scenario);

// The cartesian product of the sweep's axes, in file order: the first axis varies slowest.
// Each point is `scenario` with its values applied through apply_parameter and an empty sweep;
// `parameters` lists (dotted key, value text) in axis order. A scenario without a sweep yields
// one point with no parameters.
// Requires: each axis non-empty and at most kMaxSweepPoints points (the loader checks both);
// otherwise, or if a value is rejected, throws ScenarioError at the axis's location.
std::vector<ScenarioPoint> expand_sweep(const Scenario& scenario);

}  // namespace offload::scenario
