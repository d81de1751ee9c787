// A backend whose batches run in a driver process (docs/driver_protocol.md): CPython's asyncio,
// libuv, Boost.Asio, or another offload-bench build's `serve`. The driver times its own samples;
// this side turns them into the runner's samples and latency histogram.
//
// Threading: the runner's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/driver_client.hpp"
#include "measure/backend.hpp"

namespace offload::measure {

// How to start one kind of driver, and what it implements.
struct DriverSpec {
  std::string id;                   // "cpython", "libuv", "asio", "build"
  std::string name;                 // starts its error messages: "libuv driver"
  std::vector<std::string> argv;    // argv[0]: the executable's path
  // The strategy axes the driver implements; every other axis must stay at its default (the
  // driver's own behaviour). Empty: every axis (another build of the model).
  std::vector<std::string> axes;
  // libuv reads UV_THREADPOOL_SIZE once per process: one driver per runtime.workers value.
  bool process_per_workers = false;
  // runtime.gc = false is refused here ("no garbage collector") unless the driver has a collector
  // to turn off (CPython) or judges the request itself (another build's serve).
  bool forwards_gc = false;
  // Checks hello's answer; returns why this driver cannot serve (too old an interpreter), or "".
  std::function<std::string(const protocol::Hello&)> accept;
  backend::DriverDeadlines deadlines;
};

class DriverBackend final : public Backend {
 public:
  // Starts the first driver and checks its hello. Throws std::runtime_error, one line, when it
  // cannot start or is not acceptable: the caller skips this backend's points with that reason.
  explicit DriverBackend(DriverSpec spec);
  ~DriverBackend() override;

  std::string_view id() const override { return spec_.id; }
  std::string description() const override { return description_; }
  std::optional<std::string> unsupported(const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime,
                                         const strategy::Selection& selection) const override;
  std::variant<std::unique_ptr<scenario::Workload>, std::string> open(const scenario::Scenario& scenario,
                                                                      const scenario::RuntimeConfig& runtime,
                                                                      const strategy::Selection& selection,
                                                                      PointScope* scope) override;
  std::vector<report::ConformanceCheck> probe(const strategy::Selection& selection) override;

 private:
  std::unique_ptr<backend::DriverClient> start();
  backend::DriverClient& client_for(const scenario::RuntimeConfig& runtime);
  backend::DriverClient& any_client();
  protocol::StrategySelection forwarded(const strategy::Selection& selection) const;

  DriverSpec spec_;
  std::string description_;
  // The drivers, keyed by runtime.workers (0: unset) when process_per_workers, else all under 0.
  std::map<std::int64_t, std::unique_ptr<backend::DriverClient>> clients_;
  // The driver the constructor started, until the first workload claims it.
  std::unique_ptr<backend::DriverClient> spare_;
};

// The workload fields a driver needs, from the scenario and the contender's runtime: the one
// place the scenario model turns into the protocol's workload object.
protocol::WorkloadSpec workload_spec(const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime);

}  // namespace offload::measure
