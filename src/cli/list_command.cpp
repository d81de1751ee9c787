// `offload-bench list`: the built-in scenarios, the strategy axes, the jobs.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/scenario_sources.hpp"
#include "scenario/sweep.hpp"
#include "strategy/registry.hpp"

namespace offload::cli {
namespace {

constexpr std::pair<std::string_view, std::string_view> kJobs[] = {
    {"noop", "returns at once: the offload machinery alone"},
    {"spin", "job_ns nanoseconds of CPU work"},
    {"sleep", "blocks job_us microseconds (a blocking call that releases the GIL)"},
    {"stat", "stat() of a file in the page cache (gh-134173's use case)"},
    {"read", "open + read job_kib KiB + close of a cached file"},
    {"gil", "job_ns of CPU work holding one process-wide lock: a model of the GIL"},
};

void list_scenarios() {
  std::cout << "Built-in scenarios (run with: offload-bench run --filter NAME):\n";
  const auto suite = load_suite({}).scenarios;
  std::size_t width = 0;
  for (const auto& s : suite) width = std::max(width, s.name.size());
  for (const auto& s : suite) {
    std::cout << fmt::format("  {:<{}} {} points, {}: {} vs {}\n", s.name, width, scenario::count_sweep_points(s),
                             s.compare.axis, s.compare.baseline, fmt::join(s.compare.candidates, ", "));
    std::cout << fmt::format("  {:<{}} {}\n", "", width, s.description);
    if (!s.reference.empty()) std::cout << fmt::format("  {:<{}} reference: {}\n", "", width, s.reference);
  }
}

void list_strategies() {
  std::cout << "Strategy axes ([compare] axis) and strategies (default first: CPython's behaviour):\n";
  for (const auto& axis : strategy::axes()) {
    std::cout << fmt::format("  {}: {}\n", axis.id, axis.description);
    for (const auto& s : axis.strategies) {
      std::cout << fmt::format("    {:<22} {}\n", s.id, s.description);
      std::vector<std::string_view> kept;
      for (auto g : s.guarantees) kept.push_back(strategy::guarantee_id(g));
      std::cout << fmt::format("    {:<22} keeps: {}\n", "", fmt::join(kept, ", "));
    }
  }
}

void list_jobs() {
  std::cout << "Jobs ([workload] job):\n";
  for (const auto& [id, description] : kJobs) std::cout << fmt::format("  {:<8} {}\n", id, description);
}

}  // namespace

int list_command(const ListOptions& options) {
  const bool all = options.what == "all";
  if (all || options.what == "scenarios") list_scenarios();
  if (all) std::cout << '\n';
  if (all || options.what == "strategies") list_strategies();
  if (all) std::cout << '\n';
  if (all || options.what == "jobs") list_jobs();
  return kExitOk;
}

}  // namespace offload::cli
