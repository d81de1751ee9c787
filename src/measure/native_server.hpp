// The model served over the driver protocol (`offload-bench serve`): how `offload-bench ab` runs
// two builds of the harness side by side, each build's model in its own child process, samples
// interleaved round by round. Each open builds the scenario from the protocol's workload object
// (the same parameters a scenario file sets, checked the same way) and the workload from
// scenario::make_workload; each sample is timed here, as the in-process runner times it.
//
// Threading: protocol::serve calls it from one thread; each workload's loop runs on that thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "measure/native_backend.hpp"
#include "protocol/server.hpp"

namespace offload::measure {

class NativeServer final : public protocol::DriverServer {
 public:
  // `description` names the build in reports, e.g. "offload-bench 0.1.0 (3f2a1c9) at /ci/new/offload-bench".
  explicit NativeServer(std::string description);
  ~NativeServer() override;

  protocol::Hello hello() override;
  protocol::WorkloadId open(const protocol::WorkloadSpec& workload, const protocol::StrategySelection& selection) override;
  protocol::Sample sample(protocol::WorkloadId id, std::int64_t batches) override;
  std::vector<protocol::Probe> probe(const protocol::StrategySelection& selection) override;
  void close(protocol::WorkloadId id) override;

 private:
  std::string description_;
  NativeBackend backend_;
  std::map<protocol::WorkloadId, std::unique_ptr<scenario::Workload>> workloads_;
  protocol::WorkloadId next_id_ = 1;
};

}  // namespace offload::measure
