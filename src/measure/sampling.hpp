// One timed sample of a workload: whole batches back to back. A workload that runs elsewhere (a
// driver process) times itself; one in this process is timed here around its batches.
//
// Threading: the calling thread runs the batches.
#pragma once

#include <cstdint>

#include "report/result.hpp"
#include "scenario/workload.hpp"

namespace offload::measure {

// Wall time (steady clock), this process's CPU time and context switches (getrusage) around
// `batches` batches, or the workload's own timing when it has one.
report::Sample take_sample(scenario::Workload& workload, std::uint64_t batches);

}  // namespace offload::measure
