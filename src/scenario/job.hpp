// The blocking jobs a scenario offloads: noop, spin, sleep, stat, read, gil.
//
// Threading: a Job is immutable once made and called concurrently from worker threads. The
// files behind stat and read are created (and warmed into the page cache) by the constructor
// and removed by the destructor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "scenario/scenario.hpp"

namespace offload::scenario {

class JobFiles;

class JobRunner {
 public:
  // Throws std::runtime_error (one line) when the job's file cannot be prepared.
  explicit JobRunner(const WorkloadConfig& workload);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Runs the job once; returns a value derived from its work so it cannot be optimised away.
  std::int64_t operator()() const;

 private:
  Job kind_;
  std::int64_t job_ns_;
  std::int64_t job_us_;
  std::unique_ptr<JobFiles> files_;
};

// Busy-waits `ns` nanoseconds of wall time on the calling thread.
std::int64_t spin_for_ns(std::int64_t ns);

}  // namespace offload::scenario
