// A backend whose timings are scripted, for deterministic tests of the runner, the statistics and
// the reporters: each contender's ns per op is a function of the contender and of its sample
// index, times optional log-normal noise from a seeded PRNG. Nothing is run and no clock is read.
//
// Threading: the runner's thread only (as every Backend); the resolver owns its backends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "measure/backend.hpp"

namespace offload::measure {

struct MockScript {
  // ns per op of contender `contender`'s sample number `sample` (0-based over every sample its
  // workload takes: calibration, warm-up and counting samples included). Requires: > 0.
  std::function<double(std::string_view contender, std::int64_t sample)> ns_per_op;
  // Each sample's time is multiplied by exp(N(0, noise)): 0.01 is about +-1% per sample.
  double noise = 0;
  // Seeds the noise; contender i of a point (in the order the runner resolves them) draws from
  // its own generator seeded with seed + i, so its noise does not depend on the order of samples.
  std::uint64_t seed = 1;
  std::uint64_t ops_per_batch = 1000;
  // Contender -> why the backend cannot run it (Backend::unsupported): the point is skipped.
  std::map<std::string, std::string, std::less<>> unsupported;
  // Contender -> why no backend is available for it (BackendResolver::backend_for).
  std::map<std::string, std::string, std::less<>> unavailable;
};

// One contender's scripted backend (the resolver makes one per contender, so each knows whose
// timings it plays). Appends the contender's name to `samples_log` at every sample it times.
class MockBackend final : public Backend {
 public:
  MockBackend(std::string contender, const MockScript& script, std::uint64_t seed,
              std::vector<std::string>& samples_log);

  std::string_view id() const override { return "mock"; }
  std::string description() const override { return "mock"; }
  std::optional<std::string> unsupported(const scenario::Scenario& scenario, const scenario::RuntimeConfig& runtime,
                                         const strategy::Selection& selection) const override;
  std::variant<std::unique_ptr<scenario::Workload>, std::string> open(const scenario::Scenario& scenario,
                                                                      const scenario::RuntimeConfig& runtime,
                                                                      const strategy::Selection& selection,
                                                                      PointScope* scope) override;
  std::vector<report::ConformanceCheck> probe(const strategy::Selection& /*selection*/) override { return {}; }

 private:
  std::string contender_;
  const MockScript& script_;
  std::uint64_t seed_;
  std::vector<std::string>& samples_log_;
};

// Resolves every contender to its own MockBackend, or to the script's `unavailable` reason.
class MockBackendResolver final : public BackendResolver {
 public:
  explicit MockBackendResolver(MockScript script);
  // Its backends refer to its script and log: it stays where it was made.
  MockBackendResolver(const MockBackendResolver&) = delete;
  MockBackendResolver& operator=(const MockBackendResolver&) = delete;

  std::variant<Backend*, std::string> backend_for(const scenario::RuntimeConfig& runtime,
                                                  std::string_view contender) override;

  // The contender of every timed sample, in the order taken (across points).
  const std::vector<std::string>& samples_log() const { return samples_log_; }

 private:
  MockScript script_;
  std::vector<std::string> samples_log_;
  std::map<std::string, std::unique_ptr<MockBackend>, std::less<>> backends_;
};

}  // namespace offload::measure
