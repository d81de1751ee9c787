// What runs a contender's batches: the model in this process, or a driver process (CPython,
// libuv, Boost.Asio, another offload-bench build). The runner keeps one measurement protocol and
// asks a Backend for workloads and conformance probes; each backend says what it cannot run,
// and the point is skipped with that reason. No backend-specific branch lives in the runner.
//
// Threading: the runner's thread uses backends and their workloads, one call at a time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "report/result.hpp"
#include "scenario/scenario.hpp"
#include "scenario/workload.hpp"
#include "strategy/registry.hpp"

namespace offload::measure {

// What the workloads of one point share on one backend (the model: one executor), kept by the
// runner until the point ends and destroyed before the workloads.
class PointScope {
 public:
  virtual ~PointScope() = default;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "native", "cpython", "libuv", "asio", "build".
  virtual std::string_view id() const = 0;
  // What reports name as measured: "native", "CPython 3.11.7 (/usr/bin/python3.11)", "libuv 1.44.2".
  virtual std::string description() const = 0;

  // Why this backend cannot run contender `selection` of `scenario` on `runtime`; nullopt when it can.
  virtual std::optional<std::string> unsupported(const scenario::Scenario& scenario,
                                                 const scenario::RuntimeConfig& runtime,
                                                 const strategy::Selection& selection) const = 0;

  // Resources shared by this backend's contenders of one point; null when there are none.
  virtual std::unique_ptr<PointScope> begin_point(const scenario::Scenario& /*scenario*/,
                                                  std::span<const strategy::Selection> /*selections*/) {
    return nullptr;
  }

  // The workload of one contender, or why the backend cannot run it (the point is skipped).
  // Throws std::runtime_error when the backend fails (a driver that died, say).
  virtual std::variant<std::unique_ptr<scenario::Workload>, std::string> open(
      const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime,
      const strategy::Selection& selection, PointScope* scope) = 0;

  // The conformance probes this backend can run for `selection`; a guarantee it has no notion of
  // is left out (the table shows n/a).
  virtual std::vector<report::ConformanceCheck> probe(const strategy::Selection& selection) = 0;

  // Whether this process's instrumentation sees the work (locks, allocations, wake-ups per op):
  // only the model's. Other backends' counts are absent from reports, never 0.
  virtual bool counts_in_process() const { return false; }
};

// Finds the backend a contender runs on, starting it on first use.
class BackendResolver {
 public:
  virtual ~BackendResolver() = default;
  // The backend for `runtime` (contender `contender` of the point), or why it is unavailable.
  virtual std::variant<Backend*, std::string> backend_for(const scenario::RuntimeConfig& runtime,
                                                          std::string_view contender) = 0;
};

}  // namespace offload::measure
