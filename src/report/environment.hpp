// Collecting the Environment of a run from the machine: host, CPU, caches, frequency scaling,
// kernel, compiler, build, date and load. Linux sources (/proc, /sys); missing ones leave defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "report/result.hpp"

namespace offload::report {

// Reads the machine now. Never throws for a missing or unreadable source: the field keeps its
// default ("" or 0), since a report without a cache size is still a report.
// Note: caches are those of cpu0 (as Google Benchmark does); cpu_scaling_enabled is true when
//   cpu0 has a cpufreq governor other than "performance". Version, git revision and build type come
//   from the compile definitions OFFLOAD_VERSION, OFFLOAD_GIT_REVISION and OFFLOAD_BUILD_TYPE
//   ("unknown" when not defined; git_revision "" then, as Environment documents).
Environment collect_environment();

// Parsers of /sys formats, exposed for tests.
// "32K" -> 32768, "1M" -> 1048576, "512" -> 512; -1 when unparsable.
std::int64_t parse_cache_size(std::string_view text);
// Number of CPUs in a cpulist ("0-3,8,10-11" -> 7); 0 when unparsable.
int count_cpu_list(std::string_view text);

// "2024-05-01T12:34:56Z" for a time_t (UTC).
std::string iso_date_utc(std::int64_t unix_seconds);

}  // namespace offload::report
