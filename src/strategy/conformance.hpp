// Conformance probes: before a strategy is measured, small offloads check the guarantees an
// offload must keep (strategy::Guarantee) and record what was observed.
//
// Threading: each probe runs its own EventLoop on the calling thread; call from a thread with
// no running loop.
#pragma once

#include <string>
#include <vector>

#include "strategy/registry.hpp"

namespace offload::strategy {

struct ProbeResult {
  Guarantee guarantee;
  bool passed = false;
  bool claimed = false;  // the strategies on every axis claim this guarantee
  std::string detail;    // what was observed
};

// Runs every probe with `selection`'s strategies (through offload_batch when its gather is
// batched, as the workload runs a gather then). Jobs go to a one-worker executor where the
// selection allows it, so consecutive jobs share a worker thread.
std::vector<ProbeResult> probe_conformance(const Selection& selection);

// True when `g` is claimed by the selected strategy on every axis.
bool claims(const Selection& selection, Guarantee g);

}  // namespace offload::strategy
