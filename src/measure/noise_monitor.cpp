#include "measure/noise_monitor.hpp"

#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace offload::measure {
namespace {

// The aggregate "cpu" line of /proc/stat: (steal, total) ticks.
std::optional<std::pair<std::uint64_t, std::uint64_t>> cpu_ticks() {
  std::ifstream stat("/proc/stat");
  std::string label;
  if (!(stat >> label) || label != "cpu") return std::nullopt;
  std::uint64_t fields[8] = {};  // user nice system idle iowait irq softirq steal
  for (auto& f : fields)
    if (!(stat >> f)) return std::nullopt;
  std::uint64_t total = 0;
  for (auto f : fields) total += f;
  return std::pair{fields[7], total};
}

double involuntary_switches() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_nivcsw);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU migrations of this process and the threads it starts from now on.
int open_migration_counter() {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_MIGRATIONS;
  attr.inherit = 1;
  attr.exclude_kernel = 0;
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

}  // namespace

NoiseMonitor::NoiseMonitor()
    : involuntary_switches_(involuntary_switches()), started_ns_(now_ns()), migrations_fd_(open_migration_counter()) {
  if (auto ticks = cpu_ticks()) {
    steal_ticks_ = ticks->first;
    total_ticks_ = ticks->second;
  }
}

NoiseMonitor::~NoiseMonitor() {
  if (migrations_fd_ >= 0) ::close(migrations_fd_);
}

NoiseReading NoiseMonitor::stop() {
  NoiseReading r;
  r.seconds = static_cast<double>(now_ns() - started_ns_) / 1e9;
  const double seconds = r.seconds > 0 ? r.seconds : 1;
  r.involuntary_switches_per_s = (involuntary_switches() - involuntary_switches_) / seconds;
  if (auto ticks = cpu_ticks(); ticks && steal_ticks_ && ticks->second > *total_ticks_)
    r.steal_fraction = static_cast<double>(ticks->first - *steal_ticks_) / static_cast<double>(ticks->second - *total_ticks_);
  std::uint64_t migrations = 0;
  if (migrations_fd_ >= 0 && ::read(migrations_fd_, &migrations, sizeof migrations) == sizeof migrations)
    r.migrations_per_s = static_cast<double>(migrations) / seconds;
  return r;
}

std::vector<std::string> noise_warnings(const NoiseReading& r) {
  std::vector<std::string> warnings;
  char text[200];
  if (r.steal_fraction && *r.steal_fraction > 0.02) {
    std::snprintf(text, sizeof text,
                  "the hypervisor stole %.1f%% of the CPU time during the run: other guests share these cores, "
                  "which widens the intervals",
                  100 * *r.steal_fraction);
    warnings.emplace_back(text);
  }
  if (r.involuntary_switches_per_s > 1000) {
    std::snprintf(text, sizeof text,
                  "%.0f involuntary context switches a second: more runnable threads than CPUs (other work, or "
                  "spinning contenders)",
                  r.involuntary_switches_per_s);
    warnings.emplace_back(text);
  }
  if (r.migrations_per_s && *r.migrations_per_s > 1000) {
    std::snprintf(text, sizeof text, "%.0f CPU migrations a second of this run's threads", *r.migrations_per_s);
    warnings.emplace_back(text);
  }
  return warnings;
}

}  // namespace offload::measure
