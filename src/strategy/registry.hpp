// The strategy axes and their strategies: stable ids, one-line descriptions and the guarantees
// each keeps. Ids are the same in scenario files, on the command line and in reports.
//
// Threading: immutable tables; safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace offload::strategy {

// A property a conformance probe checks (see conformance.hpp).
enum class Guarantee {
  kContextPropagation,  // a ContextVar set by the caller is visible inside the job
  kJobIsolation,        // a ContextVar set by one job is invisible to the next job on that thread
  kExceptionTransfer,   // an exception raised by the job is raised at the await
  kCancellationTransfer,  // cancelling the awaiting side cancels a job that has not started
};
inline constexpr Guarantee kAllGuarantees[] = {
    Guarantee::kContextPropagation, Guarantee::kJobIsolation, Guarantee::kExceptionTransfer,
    Guarantee::kCancellationTransfer};
std::string_view guarantee_id(Guarantee g);

struct StrategyInfo {
  std::string_view id;
  std::string_view description;
  // What the strategy claims to keep; a probe failing a claimed guarantee is a bug, a probe
  // failing an unclaimed one is the documented price of the strategy.
  std::span<const Guarantee> guarantees;
};

struct AxisInfo {
  std::string_view id;
  std::string_view description;
  std::string_view default_strategy;  // CPython's behaviour: the faithful model.
  std::span<const StrategyInfo> strategies;
};

std::span<const AxisInfo> axes();
const AxisInfo* find_axis(std::string_view id);
const StrategyInfo* find_strategy(const AxisInfo& axis, std::string_view id);
// "a, b, c": the valid choices, for error messages.
std::string axis_ids();
std::string strategy_ids(const AxisInfo& axis);

// One strategy per axis: what a run executes. Defaults are CPython's.
struct Selection {
  std::string offload = "copy_context_partial";
  std::string state_copy = "per_field_locks";
  std::string executor = "shared_default";
  std::string wakeup = "per_call";
  std::string completion = "chained_futures";
  std::string worker_idle = "park";
  std::string signal = "always";
  std::string loop_idle = "park";
  std::string gather = "tasks";
  std::string pool_locks = "cpython";
  std::string allocator = "malloc";

  // Sets the strategy of `axis`; Requires: both ids valid (checked by the scenario loader).
  void set(std::string_view axis, std::string_view strategy);
  std::string_view get(std::string_view axis) const;
};

}  // namespace offload::strategy
