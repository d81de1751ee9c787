// The machine noise a run suffered, measured from its start to its end: the hypervisor's steal
// time (the share of CPU time the VM's vCPUs waited for a physical CPU, /proc/stat), this process's
// involuntary context switches (getrusage) and CPU migrations of its threads (a software perf
// counter, where the kernel allows one). High values explain wide confidence intervals.
//
// Threading: start and stop on one thread; the counters cover every thread of the process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace offload::measure {

struct NoiseReading {
  std::optional<double> steal_fraction;   // of all CPU time on the machine; nullopt: not readable
  double involuntary_switches_per_s = 0;  // this process
  std::optional<double> migrations_per_s; // this process's threads; nullopt: counter unavailable
  double seconds = 0;
};

class NoiseMonitor {
 public:
  NoiseMonitor();  // starts measuring
  ~NoiseMonitor();
  NoiseMonitor(const NoiseMonitor&) = delete;
  NoiseMonitor& operator=(const NoiseMonitor&) = delete;

  NoiseReading stop();

 private:
  std::optional<std::uint64_t> steal_ticks_;
  std::optional<std::uint64_t> total_ticks_;
  double involuntary_switches_ = 0;
  std::int64_t started_ns_ = 0;
  int migrations_fd_ = -1;
};

// Warnings for a reading that is high enough to widen intervals (steal over 2% of the CPU time,
// over 1,000 involuntary switches or migrations a second).
std::vector<std::string> noise_warnings(const NoiseReading& reading);

}  // namespace offload::measure
