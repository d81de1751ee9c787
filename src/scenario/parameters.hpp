// The parameters a scenario sets under [runtime], [workload] and [measure], and the one function
// that applies a value to one. Plain keys and sweep values both go through apply_parameter, so a
// value valid in [workload] is valid in [sweep] and a sweep point is built exactly like a file.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace offload::scenario {

// Every parameter's dotted key, in documentation order: "runtime.workers", "workload.kind", ...
// These are also exactly the keys [sweep] accepts.
std::span<const std::string_view> parameter_keys();

// What a parameter takes, for "expected X, got Y": "an integer", "a number" or "a string".
// Requires: is_parameter(dotted_key).
std::string_view parameter_type(std::string_view dotted_key);

bool is_parameter(std::string_view dotted_key);

// Sets parameter `dotted_key` of `scenario` to `value`, checking type and range.
// Returns why the value is rejected (one line, without the key), or nullopt once it is set;
// on rejection `scenario` is unchanged.
// Requires: is_parameter(dotted_key).
[[nodiscard]] std::optional<std::string> apply_parameter(Scenario& scenario,
                                                         std::string_view dotted_key,
                                                         const ParameterValue& value);

// "an integer", "a float", "a string", "a boolean": for "expected X, got Y" messages.
std::string_view type_name(const ParameterValue& value);

}  // namespace offload::scenario
