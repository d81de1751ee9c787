// `offload-bench ab --base BUILD --new BUILD [SCENARIOS]`: two builds of offload-bench measured in
// one interleaved run. Each build serves its model as a child process (`offload-bench serve`);
// every strategy of every scenario point becomes a point of two contenders, `base` and `new`,
// sampled in ABBA order round after round, so drift between minutes falls on both alike, and
// judged from the paired per-round ratios. Two copies of one build at different paths are two
// processes like any others: an A/A run measures exactly what an A/B run does.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <tuple>

#include "backend/driver_client.hpp"
#include "cli/commands.hpp"
#include "measure/driver_backend.hpp"

namespace offload::cli {
namespace {

namespace fs = std::filesystem;

// BUILD: an offload-bench binary, or a directory holding one (itself, src/ of a build tree, bin/
// of an install). "" when there is none.
std::string find_build(const std::string& build) {
  std::error_code ec;
  const fs::path path(build);
  const fs::path candidates[] = {path, path / "offload-bench", path / "src" / "offload-bench", path / "bin" / "offload-bench"};
  for (const fs::path& c : candidates)
    if (fs::is_regular_file(c, ec) && ::access(c.c_str(), X_OK) == 0) return fs::absolute(c, ec).string();
  return "";
}

measure::DriverSpec build_spec(const std::string& role, const std::string& binary,
                               const backend::DriverDeadlines& deadlines) {
  measure::DriverSpec spec;
  spec.id = "build";
  spec.name = role + " build (" + binary + ")";
  spec.argv = {binary, "serve"};
  spec.deadlines = deadlines;
  spec.forwards_gc = true;
  return spec;  // No axes listed: a build of the model implements every axis.
}

// Contender "base" runs on the base build, "new" on the new one; only the model's points apply.
class BuildResolver final : public measure::BackendResolver {
 public:
  BuildResolver(measure::Backend& base, measure::Backend& candidate) : base_(base), new_(candidate) {}
  std::variant<measure::Backend*, std::string> backend_for(const scenario::RuntimeConfig& runtime,
                                                           std::string_view contender) override {
    if (runtime.backend != scenario::Backend::kNative)
      return "ab compares two builds of the model; a " + std::string(scenario::to_string(runtime.backend)) +
             " contender is not part of it";
    return contender == "base" ? &base_ : &new_;
  }

 private:
  measure::Backend& base_;
  measure::Backend& new_;
};

// One point per strategy of `point`: that strategy on the base build against it on the new one.
std::vector<scenario::ScenarioPoint> split_by_strategy(scenario::ScenarioPoint point) {
  const scenario::Scenario& s = point.scenario;
  std::vector<std::string> ids{s.compare.baseline};
  ids.insert(ids.end(), s.compare.candidates.begin(), s.compare.candidates.end());
  std::vector<scenario::ScenarioPoint> pairs;
  for (const std::string& id : ids) {
    scenario::ScenarioPoint pair = point;
    scenario::Scenario& p = pair.scenario;
    const strategy::Selection selection = scenario::selection_of(s, id);
    p.runtime = scenario::runtime_of(s, id);
    p.compare = {std::string(scenario::kConfigAxis), "base", {"new"},
                 {{"base", selection, {}, {}, {}}, {"new", selection, {}, {}, {}}}};
    p.expectations.clear();  // They name the scenario's strategies, not the builds.
    pair.parameters.emplace_back("strategy", id);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

bool regressed(const report::Report& r, bool any_change) {
  for (const report::ScenarioResult& point : r.scenarios)
    for (const report::Comparison& c : point.comparisons)
      if (c.verdict == measure::Verdict::kSlower || (any_change && c.verdict == measure::Verdict::kFaster)) return true;
  return false;
}

}  // namespace

int ab_command(const AbOptions& options) {
  const std::string base = find_build(options.base);
  const std::string candidate = find_build(options.candidate);
  for (const auto& [flag, given, found] : {std::tuple{"--base", options.base, base}, {"--new", options.candidate, candidate}}) {
    if (found.empty()) {
      std::cerr << "offload-bench: ab " << flag << " " << given
                << ": no offload-bench binary there (give the binary, or a build directory holding src/offload-bench)\n";
      return kExitUsage;
    }
  }
  backend::DriverDeadlines deadlines;
  if (options.run.driver_timeout_s)
    deadlines.request = std::chrono::milliseconds(std::llround(*options.run.driver_timeout_s * 1000));
  std::unique_ptr<measure::DriverBackend> base_backend;
  std::unique_ptr<measure::DriverBackend> new_backend;
  try {
    base_backend = std::make_unique<measure::DriverBackend>(build_spec("base", base, deadlines));
    new_backend = std::make_unique<measure::DriverBackend>(build_spec("new", candidate, deadlines));
  } catch (const std::exception& e) {
    std::cerr << "offload-bench: ab: " << e.what() << '\n';
    return kExitRunFailure;
  }
  std::cerr << "offload-bench: ab: base " << base_backend->description() << "\n"
            << "offload-bench: ab: new  " << new_backend->description() << '\n';
  BuildResolver resolver(*base_backend, *new_backend);
  RunPlan plan;
  plan.reshape = split_by_strategy;
  plan.backends = &resolver;
  plan.gate = [&options](const report::Report& r) {
    if (options.fail_on == "never") return kExitOk;
    if (!regressed(r, options.fail_on == "any-change")) return kExitOk;
    std::cerr << "offload-bench: ab: the new build " << (options.fail_on == "any-change" ? "changed" : "regressed")
              << " (see the verdicts above)\n";
    return kExitCheckFailed;
  };
  return execute_run(options.run, plan);
}

}  // namespace offload::cli
