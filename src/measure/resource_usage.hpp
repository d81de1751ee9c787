// Process resource usage around a sample: CPU time, context switches, peak RSS.
//
// Threading: process-wide readings (every thread's CPU time counts, workers included);
// callable from any thread.
#pragma once

#include <cstdint>

namespace offload::measure {

struct ResourceUsage {
  double cpu_ns = 0;  // user + system, all threads of the process
  double voluntary_switches = 0;
  double involuntary_switches = 0;

  ResourceUsage operator-(const ResourceUsage& earlier) const {
    return {cpu_ns - earlier.cpu_ns, voluntary_switches - earlier.voluntary_switches,
            involuntary_switches - earlier.involuntary_switches};
  }
};

ResourceUsage resource_usage_now();

// Resets the process's RSS high-water mark (Linux /proc/self/clear_refs); false when the
// kernel does not allow it, in which case peak_rss_kib() is the peak since the process began.
bool reset_peak_rss();
// The RSS high-water mark in KiB (VmHWM), 0 when unknown.
double peak_rss_kib();

}  // namespace offload::measure
