// The protocol, in order:
//  1. conformance probes for each strategy (before anything is timed);
//  2. calibration: one batch per strategy sizes a sample to min_time (batches per sample),
//     then `warmup` untimed samples;
//  3. `repetitions` rounds; each runs one timed sample of every strategy, in an order shuffled
//     per round, so drift and background noise fall on all strategies alike;
//  4. one counting sample per strategy with instrumentation on (locks, allocations, wake-ups,
//     peak RSS), kept out of the timed samples;
//  5. statistics per metric; each candidate against the baseline, Holm-corrected.
#include "measure/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <variant>
#include <vector>

#include "measure/cpython_backend.hpp"
#include "measure/expectations.hpp"
#include "measure/resource_usage.hpp"
#include "measure/statistics.hpp"
#include "runtime/instrumentation.hpp"
#include "scenario/workload.hpp"
#include "strategy/conformance.hpp"
#include "strategy/runtime_options.hpp"

namespace offload::measure {
namespace {

using Clock = std::chrono::steady_clock;
namespace instrumentation = runtime::instrumentation;

struct Contender {
  report::StrategyResult result;
  std::unique_ptr<scenario::Workload> workload;
  std::uint64_t batches_per_sample = 1;
};

report::Sample take_sample(scenario::Workload& workload, std::uint64_t batches) {
  report::Sample sample;
  if (auto timed = workload.run_timed(batches)) {
    return {timed->ops, timed->wall_ns, timed->cpu_ns, timed->voluntary_switches, timed->involuntary_switches,
            timed->gc_collections, timed->gc_ns};
  }
  const ResourceUsage usage_before = resource_usage_now();
  const auto start = Clock::now();
  for (std::uint64_t b = 0; b < batches; ++b) sample.ops += workload.run_batch();
  sample.wall_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  const ResourceUsage used = resource_usage_now() - usage_before;
  sample.cpu_ns = used.cpu_ns;
  sample.voluntary_switches = used.voluntary_switches;
  sample.involuntary_switches = used.involuntary_switches;
  return sample;
}

report::LatencySummary summarize_latency(const LatencyHistogram& h) {
  return {h.count(), h.value_at_quantile(0.5), h.value_at_quantile(0.9), h.value_at_quantile(0.99),
          h.value_at_quantile(0.999), static_cast<double>(h.max())};
}

std::vector<report::PhaseSummary> summarize_phases(const scenario::PhaseTimes& times) {
  std::vector<report::PhaseSummary> phases;
  if (times.count() == 0) return phases;
  for (std::size_t i = 0; i < runtime::kPhaseCount; ++i) {
    const LatencyHistogram& h = times.histogram(i);
    phases.push_back({std::string(runtime::phase_name(i)), h.value_at_quantile(0.5), h.value_at_quantile(0.99),
                      times.mean_ns(i)});
  }
  return phases;
}

report::Metric metric(std::string name, std::string unit, bool lower_is_better,
                      const std::vector<double>& values, std::uint64_t seed) {
  return {std::move(name), std::move(unit), lower_is_better, summarize(values, seed)};
}

std::vector<double> per_op(const std::vector<report::Sample>& samples, double report::Sample::*field) {
  std::vector<double> values;
  for (const auto& s : samples) values.push_back(s.*field / static_cast<double>(s.ops));
  return values;
}

void add_statistics(report::StrategyResult& r, std::uint64_t seed) {
  const auto& s = r.samples;
  std::vector<double> throughput;
  for (const auto& sample : s) throughput.push_back(1e9 * static_cast<double>(sample.ops) / sample.wall_ns);
  r.metrics.push_back(metric("ns_per_op", "ns", true, per_op(s, &report::Sample::wall_ns), seed));
  r.metrics.push_back(metric("ops_per_s", "ops/s", false, throughput, seed));
  r.metrics.push_back(metric("cpu_ns_per_op", "ns", true, per_op(s, &report::Sample::cpu_ns), seed));
  r.metrics.push_back(metric("voluntary_switches_per_op", "switches", true,
                             per_op(s, &report::Sample::voluntary_switches), seed));
  r.metrics.push_back(metric("involuntary_switches_per_op", "switches", true,
                             per_op(s, &report::Sample::involuntary_switches), seed));
  if (std::any_of(s.begin(), s.end(), [](const report::Sample& sample) { return sample.gc_collections > 0; })) {
    r.metrics.push_back(metric("gc_ns_per_op", "ns", true, per_op(s, &report::Sample::gc_ns), seed));
    r.metrics.push_back(metric("gc_collections_per_op", "collections", true,
                               per_op(s, &report::Sample::gc_collections), seed));
  }
}

// The lower-is-better metrics compared candidate vs baseline; ns_per_op is the headline.
constexpr const char* kComparedMetrics[] = {"ns_per_op", "cpu_ns_per_op"};

const report::Metric& find_metric(const report::StrategyResult& r, std::string_view name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m;
  throw std::logic_error("missing metric " + std::string(name));
}

std::vector<double> metric_values(const report::StrategyResult& r, std::string_view name) {
  if (name == "ns_per_op") return per_op(r.samples, &report::Sample::wall_ns);
  return per_op(r.samples, &report::Sample::cpu_ns);
}

void compare(report::ScenarioResult& result, const RunOptions& options) {
  const report::StrategyResult& baseline = result.strategies.front();
  struct Pending {
    report::Comparison comparison;
    std::vector<double> candidate;
    std::vector<double> baseline;
  };
  std::vector<Pending> pending;
  std::vector<double> p_values;
  for (std::size_t i = 1; i < result.strategies.size(); ++i) {
    for (const char* name : kComparedMetrics) {
      Pending p{{}, metric_values(result.strategies[i], name), metric_values(baseline, name)};
      p.comparison.candidate = result.strategies[i].strategy;
      p.comparison.baseline = baseline.strategy;
      p.comparison.metric = name;
      p.comparison.threshold = options.threshold;
      p.comparison.ratio = median(p.candidate) / median(p.baseline);
      p.comparison.p_value = mann_whitney_u_p_value(p.candidate, p.baseline);
      p_values.push_back(p.comparison.p_value);
      pending.push_back(std::move(p));
    }
  }
  // Holm step-down over every comparison of this point; each reports the threshold of its
  // rank as its alpha, and its ratio CI is taken at that level.
  const std::vector<bool> significant = holm_bonferroni(p_values, options.alpha);
  std::vector<std::size_t> by_p(p_values.size());
  std::iota(by_p.begin(), by_p.end(), 0);
  std::stable_sort(by_p.begin(), by_p.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  for (std::size_t rank = 0; rank < by_p.size(); ++rank) {
    Pending& p = pending[by_p[rank]];
    report::Comparison& c = p.comparison;
    c.alpha = holm_threshold(options.alpha, rank + 1, by_p.size());
    c.ratio_ci = bootstrap_ratio_ci(p.candidate, p.baseline, 1 - c.alpha, 2000, options.seed);
    c.verdict = decide(c.ratio_ci, significant[by_p[rank]], c.threshold);
  }
  for (Pending& p : pending) result.comparisons.push_back(std::move(p.comparison));
}


// Compared configurations share one executor only when they build the same one.
bool executors_agree(const scenario::Scenario& s) {
  for (const scenario::NamedConfig& config : s.compare.configs)
    if (strategy::executor_options(config.selection) != strategy::executor_options(s.compare.configs.front().selection) ||
        config.selection.executor != s.compare.configs.front().selection.executor)
      return false;
  return true;
}

}  // namespace

report::ScenarioResult run_point(const scenario::ScenarioPoint& point, const RunOptions& options,
                                 const ProgressCallback& progress) {
  const scenario::Scenario& s = point.scenario;
  report::ScenarioResult result;
  result.scenario = s;
  result.parameters = point.parameters;
  auto interrupted = [&] { return options.interrupted && options.interrupted->load(); };
  auto report_progress = [&](const char* phase, int repetition, double fraction) {
    if (progress) progress(Progress{phase, repetition, static_cast<int>(s.measure.repetitions), fraction});
  };

  std::vector<std::string> ids{s.compare.baseline};
  ids.insert(ids.end(), s.compare.candidates.begin(), s.compare.candidates.end());
  const bool cpython = s.runtime.backend == scenario::Backend::kCPython;
  if (cpython && options.cpython == nullptr) {
    result.skipped = options.cpython_unavailable;
    return result;
  }
  if (!cpython && !s.runtime.gc) {
    result.skipped = "runtime.gc = false applies to the cpython backend: the native runtime has no garbage collector";
    return result;
  }
  if (cpython) result.backend = options.cpython->description();
  std::vector<Contender> contenders;
  // One executor for every strategy of the point, unless the compared axis configures the
  // executor: their jobs run on the same worker threads. Declared after the contenders so it is
  // destroyed first: its destructor waits for jobs still running (one abandoned by a wait_for
  // timeout, say), whose completions then reach loops that still exist.
  // (The cpython driver shares one executor among its workloads the same way.)
  std::unique_ptr<runtime::ThreadPoolExecutor> shared_executor;
  if (!cpython && s.workload.kind == scenario::WorkloadKind::kOffload &&
      !strategy::configures_executor(s.compare.axis) && executors_agree(s)) {
    std::optional<std::size_t> workers;
    if (s.runtime.workers) workers = static_cast<std::size_t>(*s.runtime.workers);
    shared_executor = std::make_unique<runtime::ThreadPoolExecutor>(
        workers, "offload", strategy::executor_options(scenario::selection_of(s, s.compare.baseline)));
  }
  report_progress("conformance", 0, 0);
  for (const std::string& id : ids) {
    Contender c;
    c.result.strategy = id;
    c.result.selection = scenario::selection_of(s, id);
    if (cpython) {
      auto opened = options.cpython->open(s, c.result.selection);
      if (auto* reason = std::get_if<std::string>(&opened)) {
        result.skipped = id + ": " + *reason;
        return result;
      }
      c.workload = std::move(std::get<std::unique_ptr<scenario::Workload>>(opened));
      c.result.conformance = options.cpython->probe(c.result.selection);
    } else {
      for (const auto& probe : strategy::probe_conformance(c.result.selection))
        c.result.conformance.push_back({std::string(strategy::guarantee_id(probe.guarantee)), probe.passed,
                                        probe.claimed, probe.detail});
      c.workload = scenario::make_workload(s, c.result.selection, shared_executor.get());
    }
    contenders.push_back(std::move(c));
  }

  // Calibration and warm-up.
  const double min_time_ns = s.measure.min_time_ms * 1e6;
  for (Contender& c : contenders) {
    report_progress("warm-up", 0, 0);
    const report::Sample one = take_sample(*c.workload, 1);
    c.batches_per_sample = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(min_time_ns / std::max(one.wall_ns, 1.0))));
    for (std::int64_t w = 0; w < s.measure.warmup && !interrupted(); ++w) take_sample(*c.workload, c.batches_per_sample);
    if (auto* h = c.workload->latency()) h->reset();
    if (auto* h = c.workload->loop_lag()) h->reset();
  }

  std::mt19937_64 order_rng(options.seed);
  const auto total = static_cast<double>(s.measure.repetitions * static_cast<std::int64_t>(contenders.size()));
  std::vector<std::size_t> order(contenders.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t rep = 0; rep < s.measure.repetitions; ++rep) {
    std::shuffle(order.begin(), order.end(), order_rng);
    for (std::size_t i : order) {
      if (interrupted()) {
        result.complete = false;
        for (Contender& c : contenders) result.strategies.push_back(std::move(c.result));
        return result;
      }
      Contender& c = contenders[i];
      c.result.samples.push_back(take_sample(*c.workload, c.batches_per_sample));
      report_progress("repetition", static_cast<int>(rep + 1),
                      static_cast<double>(rep * static_cast<std::int64_t>(contenders.size())) / total);
    }
  }

  // Counting pass: one sample each with the counters on (the interpreter has no such counters).
  for (Contender& c : contenders) {
    report_progress("counting", 0, 1);
    if (auto* h = c.workload->latency()) c.result.latency = summarize_latency(*h);
    if (auto* h = c.workload->loop_lag()) c.result.loop_lag = summarize_latency(*h);
    if (cpython) continue;
    reset_peak_rss();
    instrumentation::set_enabled(true);
    const auto before = instrumentation::totals();
    const report::Sample sample = take_sample(*c.workload, c.batches_per_sample);
    const auto counted = instrumentation::totals() - before;
    instrumentation::set_enabled(false);
    c.result.peak_rss_kib = peak_rss_kib();
    const double ops = static_cast<double>(sample.ops);
    using instrumentation::Counter;
    c.result.counts = report::CountsPerOp{
        static_cast<double>(counted[Counter::kLockAcquisitions]) / ops,
        static_cast<double>(counted[Counter::kHeapAllocations]) / ops,
        static_cast<double>(counted[Counter::kLoopWakeupSignals]) / ops,
        static_cast<double>(counted[Counter::kLoopWakeups]) / ops,
        static_cast<double>(counted[Counter::kWorkerWakeupSignals]) / ops,
        static_cast<double>(counted[Counter::kWorkerWakeups]) / ops};
  }

  // Breakdown pass: one traced sample each, after the counting pass so neither the timed samples
  // nor the counts include the stamps.
  if (options.breakdown) {
    for (Contender& c : contenders) {
      if (interrupted() || !c.workload->set_phase_tracing(true)) continue;
      report_progress("breakdown", 0, 1);
      take_sample(*c.workload, c.batches_per_sample);
      c.workload->set_phase_tracing(false);
      c.result.breakdown = summarize_phases(*c.workload->phase_times());
    }
  }

  for (Contender& c : contenders) {
    add_statistics(c.result, options.seed);
    const Summary& ns = find_metric(c.result, "ns_per_op").summary;
    if (spread_too_wide(ns, options.threshold))
      result.warnings.push_back(c.result.strategy + ": ns/op spread (95% CI " +
                                std::to_string(static_cast<int>(std::round(100 * (ns.ci.high - ns.ci.low) / (2 * ns.median)))) +
                                "% of the median) is too wide to resolve a " +
                                std::to_string(static_cast<int>(std::round(100 * options.threshold))) + "% difference");
    result.strategies.push_back(std::move(c.result));
  }
  compare(result, options);
  result.expectations = evaluate_expectations(s, result);
  return result;
}

}  // namespace offload::measure
