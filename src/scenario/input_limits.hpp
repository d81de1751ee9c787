// Limits on a scenario file's text, checked before it is parsed: toml++ recurses once per
// dotted-key part, so a key of ~30,000 parts overflows the stack (measured: 8 MiB stack, ASan).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace offload::scenario {

// A scenario file is a few KiB; 1 MiB leaves room for long sweeps and comments.
inline constexpr std::size_t kMaxScenarioBytes = 1 << 20;
// Dots outside strings and comments: dotted-key parts and decimal points. The shipped scenarios
// have fewer than 20; table depth is at most this plus toml++'s own limit of 256 nested arrays
// and inline tables, far below the depth that overflows the stack.
inline constexpr std::size_t kMaxDotsOutsideStrings = 4096;

struct LimitProblem {
  Location at;  // line 0: the whole file
  std::string message;
};

// workload.ops of one point, by default: the largest shipped burst (burst_naive_vs_optimized.toml)
// holds 1,000,000 ops in one gather, ~2 GB on its naive side; ten times that would exhaust a
// typical machine's memory. `run --max-ops` raises it.
inline constexpr std::int64_t kDefaultMaxOps = 1'000'000;

// "workload.ops: 5000000 is above the limit of 1000000 ops per batch (--max-ops raises it)" when
// `point` (one sweep point) has more ops than `max_ops`, else nullopt.
std::optional<std::string> ops_limit_problem(const Scenario& point, std::int64_t max_ops);

// The first limit `toml_text` exceeds, or nullopt. Never parses the text.
std::optional<LimitProblem> toml_limit_problem(std::string_view toml_text, const std::string& file);

}  // namespace offload::scenario
