// getrusage(RUSAGE_SELF) and /proc/self for the per-sample process readings.
#include "measure/resource_usage.hpp"

#include <sys/resource.h>

#include <fstream>
#include <string>

namespace offload::measure {

ResourceUsage resource_usage_now() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1e9 + static_cast<double>(tv.tv_usec) * 1e3; };
  return {ns(usage.ru_utime) + ns(usage.ru_stime), static_cast<double>(usage.ru_nvcsw),
          static_cast<double>(usage.ru_nivcsw)};
}

bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  if (!clear_refs) return false;
  clear_refs << "5";
  return static_cast<bool>(clear_refs.flush());
}

double peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

}  // namespace offload::measure
