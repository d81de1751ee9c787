// The model, in this process: workloads from scenario::make_workload, probes from
// strategy::probe_conformance, and the counting pass of this process's instrumentation.
//
// Threading: the runner's thread only.
#pragma once

#include "measure/backend.hpp"

namespace offload::measure {

class NativeBackend final : public Backend {
 public:
  std::string_view id() const override { return "native"; }
  std::string description() const override { return "native"; }
  std::optional<std::string> unsupported(const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime,
                                         const strategy::Selection& selection) const override;
  // One executor for every contender of the point, unless the compared axis configures the
  // executor or the contenders build different ones: their jobs then run on the same worker threads.
  std::unique_ptr<PointScope> begin_point(const scenario::Scenario& scenario,
                                          std::span<const strategy::Selection> selections) override;
  std::variant<std::unique_ptr<scenario::Workload>, std::string> open(const scenario::Scenario& scenario,
                                                                      const scenario::RuntimeConfig& runtime,
                                                                      const strategy::Selection& selection,
                                                                      PointScope* scope) override;
  std::vector<report::ConformanceCheck> probe(const strategy::Selection& selection) override;
  bool counts_in_process() const override { return true; }
};

}  // namespace offload::measure
