// Implementation of mock_backend.hpp: a workload that reports scripted timings through run_timed,
// as a driver's workload reports the timings its process measured.
#include "measure/mock_backend.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

namespace offload::measure {
namespace {

class MockWorkload final : public scenario::Workload {
 public:
  MockWorkload(std::string contender, const MockScript& script, std::uint64_t seed,
               std::vector<std::string>& samples_log)
      : contender_(std::move(contender)), script_(script), rng_(seed), samples_log_(samples_log) {}

  std::uint64_t run_batch() override { return run_timed(1)->ops; }

  std::optional<scenario::TimedBatches> run_timed(std::uint64_t batches) override {
    const double ns_per_op = script_.ns_per_op(contender_, sample_++);
    if (!(ns_per_op > 0)) throw std::runtime_error("mock backend: scripted ns per op must be > 0 for " + contender_);
    const double factor = script_.noise > 0 ? std::exp(noise_(rng_) * script_.noise) : 1.0;
    samples_log_.push_back(contender_);
    scenario::TimedBatches timed;
    timed.ops = batches * script_.ops_per_batch;
    timed.wall_ns = ns_per_op * factor * static_cast<double>(timed.ops);
    timed.cpu_ns = timed.wall_ns;
    return timed;
  }

 private:
  std::string contender_;
  const MockScript& script_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> noise_;
  std::int64_t sample_ = 0;
  std::vector<std::string>& samples_log_;
};

}  // namespace

MockBackend::MockBackend(std::string contender, const MockScript& script, std::uint64_t seed,
                         std::vector<std::string>& samples_log)
    : contender_(std::move(contender)), script_(script), seed_(seed), samples_log_(samples_log) {}

std::optional<std::string> MockBackend::unsupported(const scenario::Scenario& /*scenario*/,
                                                    const scenario::RuntimeConfig& /*runtime*/,
                                                    const strategy::Selection& /*selection*/) const {
  const auto it = script_.unsupported.find(contender_);
  if (it == script_.unsupported.end()) return std::nullopt;
  return it->second;
}

std::variant<std::unique_ptr<scenario::Workload>, std::string> MockBackend::open(
    const scenario::Scenario& /*scenario*/, const scenario::RuntimeConfig& /*runtime*/,
    const strategy::Selection& /*selection*/, PointScope* /*scope*/) {
  if (!script_.ns_per_op) throw std::runtime_error("mock backend: no ns_per_op script");
  return std::make_unique<MockWorkload>(contender_, script_, seed_, samples_log_);
}

MockBackendResolver::MockBackendResolver(MockScript script) : script_(std::move(script)) {}

std::variant<Backend*, std::string> MockBackendResolver::backend_for(const scenario::RuntimeConfig& /*runtime*/,
                                                                     std::string_view contender) {
  if (const auto it = script_.unavailable.find(contender); it != script_.unavailable.end()) return it->second;
  auto it = backends_.find(contender);
  if (it == backends_.end()) {
    const std::uint64_t seed = script_.seed + backends_.size();
    it = backends_
             .emplace(std::string(contender),
                      std::make_unique<MockBackend>(std::string(contender), script_, seed, samples_log_))
             .first;
  }
  return it->second.get();
}

}  // namespace offload::measure
