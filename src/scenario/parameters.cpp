// The parameter table: one setter per dotted key, each checking type and range.
#include "scenario/parameters.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <utility>

namespace offload::scenario {
namespace {

using Problem = std::optional<std::string>;
constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();

constexpr std::string_view kInteger = "an integer";
constexpr std::string_view kNumber = "a number";
constexpr std::string_view kString = "a string";
constexpr std::string_view kBoolean = "a boolean";

Problem expected(std::string_view what, const ParameterValue& got) {
  return "expected " + std::string(what) + ", got " + std::string(type_name(got));
}

// An integer in [lo, hi] (hi == kNoMax: no upper bound).
Problem set_int(const ParameterValue& value, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  const auto* v = std::get_if<std::int64_t>(&value);
  if (v == nullptr) return expected(kInteger, value);
  if (*v < lo || *v > hi) {
    const std::string range = hi == kNoMax ? ">= " + std::to_string(lo)
                                           : "in " + std::to_string(lo) + ".." + std::to_string(hi);
    return "must be " + range + " (got " + std::to_string(*v) + ")";
  }
  out = *v;
  return std::nullopt;
}

// A finite number > 0; integers are accepted (`min_time_ms = 50`).
Problem set_positive(const ParameterValue& value, double& out) {
  double v = 0;
  if (const auto* i = std::get_if<std::int64_t>(&value))
    v = static_cast<double>(*i);
  else if (const auto* d = std::get_if<double>(&value))
    v = *d;
  else
    return expected(kNumber, value);
  if (!std::isfinite(v) || v <= 0)
    return "must be a finite number > 0 (got " + to_string(value) + ")";
  out = v;
  return std::nullopt;
}

// A string naming one of `Enum`'s values; the message lists them all.
template <typename Enum, std::size_t N>
Problem set_enum(const ParameterValue& value, std::string_view what, const Enum (&choices)[N],
                 Enum& out) {
  const auto* v = std::get_if<std::string>(&value);
  if (v == nullptr) return expected(kString, value);
  std::string valid;
  for (Enum choice : choices) {
    if (to_string(choice) == *v) {
      out = choice;
      return std::nullopt;
    }
    if (!valid.empty()) valid += ", ";
    valid += to_string(choice);
  }
  return "unknown " + std::string(what) + " '" + *v + "' (valid: " + valid + ")";
}

constexpr Backend kBackends[] = {Backend::kNative, Backend::kCPython, Backend::kLibuv, Backend::kAsio};
constexpr Loop kLoops[] = {Loop::kAsyncio, Loop::kUvloop};
constexpr WorkloadKind kKinds[] = {WorkloadKind::kOffload, WorkloadKind::kStateCopy,
                                   WorkloadKind::kOffloadWrap};
constexpr Job kJobs[] = {Job::kNoop, Job::kSpin, Job::kSleep, Job::kStat, Job::kRead, Job::kGil};
constexpr Concurrency kConcurrencies[] = {Concurrency::kGather, Concurrency::kSequential,
                                          Concurrency::kBounded};

struct Parameter {
  std::string_view key;
  std::string_view type;  // what the setter accepts, as its "expected ..." message says
  Problem (*apply)(Scenario&, const ParameterValue&);
};

// Ranges are the documented ones (docs/scenarios.md). A setter writes its field only when the
// value is accepted, which keeps apply_parameter's "unchanged on rejection" promise.
constexpr Parameter kParameters[] = {
    {"runtime.backend", kString,
     [](Scenario& s, const ParameterValue& v) {
       return set_enum(v, "backend", kBackends, s.runtime.backend);
     }},
    {"runtime.loop", kString,
     [](Scenario& s, const ParameterValue& v) { return set_enum(v, "loop", kLoops, s.runtime.loop); }},
    {"runtime.python", kString,
     [](Scenario& s, const ParameterValue& v) -> Problem {
       const auto* path = std::get_if<std::string>(&v);
       if (path == nullptr) return expected(kString, v);
       s.runtime.python = *path;
       return std::nullopt;
     }},
    {"runtime.gc", kBoolean,
     [](Scenario& s, const ParameterValue& v) -> Problem {
       const auto* on = std::get_if<bool>(&v);
       if (on == nullptr) return expected(kBoolean, v);
       s.runtime.gc = *on;
       return std::nullopt;
     }},
    {"runtime.workers", kInteger,
     [](Scenario& s, const ParameterValue& v) -> Problem {
       std::int64_t workers = 0;
       if (auto problem = set_int(v, 1, kNoMax, workers)) return problem;
       s.runtime.workers = workers;
       return std::nullopt;
     }},
    {"workload.kind", kString,
     [](Scenario& s, const ParameterValue& v) {
       return set_enum(v, "workload kind", kKinds, s.workload.kind);
     }},
    {"workload.job", kString,
     [](Scenario& s, const ParameterValue& v) {
       return set_enum(v, "job", kJobs, s.workload.job);
     }},
    {"workload.job_ns", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 0, kNoMax, s.workload.job_ns); }},
    {"workload.job_us", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 0, kNoMax, s.workload.job_us); }},
    // 64 MiB: the read job's file must stay in the page cache to measure offload, not the disk.
    {"workload.job_kib", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 1, 65536, s.workload.job_kib); }},
    {"workload.ops", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 1, kNoMax, s.workload.ops); }},
    {"workload.concurrency", kString,
     [](Scenario& s, const ParameterValue& v) {
       return set_enum(v, "concurrency", kConcurrencies, s.workload.concurrency);
     }},
    {"workload.limit", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 1, kNoMax, s.workload.limit); }},
    {"workload.context_vars", kInteger,
     [](Scenario& s, const ParameterValue& v) {
       return set_int(v, 0, 1024, s.workload.context_vars);
     }},
    {"workload.timeout_ms", kNumber,
     [](Scenario& s, const ParameterValue& v) -> Problem {
       double timeout_ms = 0;
       if (auto problem = set_positive(v, timeout_ms)) return problem;
       s.workload.timeout_ms = timeout_ms;
       return std::nullopt;
     }},
    {"measure.warmup", kInteger,
     [](Scenario& s, const ParameterValue& v) { return set_int(v, 0, kNoMax, s.measure.warmup); }},
    // At least 2: a spread needs two samples. At most 1000: beyond that a run is a soak test.
    {"measure.repetitions", kInteger,
     [](Scenario& s, const ParameterValue& v) {
       return set_int(v, 2, 1000, s.measure.repetitions);
     }},
    {"measure.min_time_ms", kNumber,
     [](Scenario& s, const ParameterValue& v) { return set_positive(v, s.measure.min_time_ms); }},
};

constexpr auto make_keys() {
  std::array<std::string_view, std::size(kParameters)> keys{};
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = kParameters[i].key;
  return keys;
}
constexpr auto kKeys = make_keys();

const Parameter* find(std::string_view dotted_key) {
  for (const Parameter& p : kParameters)
    if (p.key == dotted_key) return &p;
  return nullptr;
}

}  // namespace

std::span<const std::string_view> parameter_keys() { return kKeys; }

std::string_view parameter_type(std::string_view dotted_key) {
  const Parameter* parameter = find(dotted_key);
  return parameter == nullptr ? "a value" : parameter->type;
}

bool is_parameter(std::string_view dotted_key) { return find(dotted_key) != nullptr; }

std::optional<std::string> apply_parameter(Scenario& scenario, std::string_view dotted_key,
                                           const ParameterValue& value) {
  const Parameter* parameter = find(dotted_key);
  if (parameter == nullptr) return "not a parameter";
  return parameter->apply(scenario, value);
}

std::string_view type_name(const ParameterValue& value) {
  switch (value.index()) {
    case 0: return "an integer";
    case 1: return "a float";
    case 2: return "a string";
    default: return "a boolean";
  }
}

}  // namespace offload::scenario
