// The protocol, in order (PointRunner's steps):
//  1. open: each contender's backend opens its workload and runs its conformance probes (before
//     anything is timed); a contender no backend can run skips the point with the reason;
//  2. calibrate: one batch per contender sizes a sample to min_time (batches per sample), then
//     `warmup` untimed samples;
//  3. rounds: each takes one timed sample of every contender, in an order balanced across rounds
//     (ABBA for two contenders, shuffled per round otherwise), so drift and background noise fall
//     on all alike and each round pairs its samples. Fixed: `repetitions` rounds. Adaptive: until
//     every candidate's paired ns/op ratio is known to +-precision, or the time budget runs out;
//  4. count: one sample per contender with this process's instrumentation on (the model only);
//  5. breakdown (--breakdown): traced samples, every fourth round and at least three per contender;
//  6. statistics per metric; each candidate against the baseline, paired round by round,
//     Holm-corrected over the point's comparisons.
#include "measure/runner.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <variant>
#include <vector>

#include "measure/backend.hpp"
#include "measure/backend_pool.hpp"
#include "measure/expectations.hpp"
#include "measure/paired_statistics.hpp"
#include "measure/resource_usage.hpp"
#include "measure/sampling.hpp"
#include "measure/statistics.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::measure {
namespace {

using Clock = std::chrono::steady_clock;
namespace instrumentation = runtime::instrumentation;

// The lower-is-better metrics compared candidate vs baseline; ns_per_op is the headline.
constexpr const char* kComparedMetrics[] = {"ns_per_op", "cpu_ns_per_op"};

struct Contender {
  report::StrategyResult result;
  scenario::RuntimeConfig runtime;
  Backend* backend = nullptr;
  std::unique_ptr<scenario::Workload> workload;
  std::uint64_t batches_per_sample = 1;
  // --breakdown: one entry per traced sample, interleaved with the timed rounds.
  std::vector<double> traced_ns_per_op;
  std::vector<std::array<double, runtime::kPhaseCount>> phase_p50, phase_p99, phase_mean;
};

// Rounds between traced samples (--breakdown), and the fewest traced samples per strategy.
constexpr std::int64_t kTraceEvery = 4;
constexpr std::size_t kMinTracedSamples = 3;

// What the stamps of one traced op cost: kStampCount reads of the steady clock, timed here.
double clock_reads_ns_per_op() {
  constexpr int kReads = 100'000;
  const auto start = Clock::now();
  std::int64_t sink = 0;
  for (int i = 0; i < kReads; ++i) sink += Clock::now().time_since_epoch().count() & 1;
  const double ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  return (ns + static_cast<double>(sink & 0)) / kReads * static_cast<double>(runtime::kStampCount);
}

report::LatencySummary summarize_latency(const LatencyHistogram& h) {
  return {h.count(), h.value_at_quantile(0.5), h.value_at_quantile(0.9), h.value_at_quantile(0.99),
          h.value_at_quantile(0.999), static_cast<double>(h.max())};
}

std::vector<double> per_op(const std::vector<report::Sample>& samples, double report::Sample::*field) {
  std::vector<double> values;
  for (const auto& s : samples) values.push_back(s.*field / static_cast<double>(s.ops));
  return values;
}

std::vector<double> metric_values(const report::StrategyResult& r, std::string_view name) {
  return per_op(r.samples, name == "ns_per_op" ? &report::Sample::wall_ns : &report::Sample::cpu_ns);
}

report::Metric metric(std::string name, std::string unit, bool lower_is_better, const std::vector<double>& values,
                      std::uint64_t seed) {
  return {std::move(name), std::move(unit), lower_is_better, summarize(values, seed)};
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
    r.metrics.push_back(
        metric("gc_collections_per_op", "collections", true, per_op(s, &report::Sample::gc_collections), seed));
  }
}

// The widest relative half-width among the candidates' ns/op ratios, paired round by round, at
// confidence 1 - alpha: what adaptive sampling drives down.
double headline_precision(const std::vector<Contender>& contenders, double alpha) {
  double widest = 0;
  const std::vector<double> baseline = metric_values(contenders.front().result, "ns_per_op");
  for (std::size_t i = 1; i < contenders.size(); ++i) {
    const PairedComparison c = compare_paired(metric_values(contenders[i].result, "ns_per_op"), baseline, alpha);
    widest = std::max(widest, relative_half_width(c.ratio, c.ratio_ci));
  }
  return widest;
}

// Every candidate against the baseline on each compared metric, paired round by round; Holm's
// step-down over the point's comparisons, each CI at the level of its rank.
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
      p.comparison.paired = true;
      p.comparison.pairs = p.candidate.size();
      const PairedComparison at_alpha = compare_paired(p.candidate, p.baseline, options.alpha);
      p.comparison.ratio = at_alpha.ratio;
      p.comparison.p_value = at_alpha.p_value;
      p_values.push_back(at_alpha.p_value);
      pending.push_back(std::move(p));
    }
  }
  const std::vector<bool> significant = holm_bonferroni(p_values, options.alpha);
  std::vector<std::size_t> by_p(p_values.size());
  std::iota(by_p.begin(), by_p.end(), 0);
  std::stable_sort(by_p.begin(), by_p.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  for (std::size_t rank = 0; rank < by_p.size(); ++rank) {
    Pending& p = pending[by_p[rank]];
    report::Comparison& c = p.comparison;
    c.alpha = holm_threshold(options.alpha, rank + 1, by_p.size());
    c.ratio_ci = compare_paired(p.candidate, p.baseline, c.alpha).ratio_ci;
    c.unpaired_ratio_ci = bootstrap_ratio_ci(p.candidate, p.baseline, 1 - c.alpha, 2000, options.seed);
    c.verdict = decide(c.ratio_ci, significant[by_p[rank]], c.threshold);
  }
  for (Pending& p : pending) result.comparisons.push_back(std::move(p.comparison));
}

// One scenario point through the protocol's steps; each step is a member under a screen.
class PointRunner {
 public:
  PointRunner(const scenario::ScenarioPoint& point, const RunOptions& options, const ProgressCallback& progress)
      : s_(point.scenario), options_(options), progress_(progress), order_rng_(options.seed) {
    result_.scenario = s_;
    result_.parameters = point.parameters;
  }

  report::ScenarioResult run() {
    if (!open()) return std::move(result_);
    calibrate();
    if (!run_rounds()) return finish_partial();
    count();
    trace_breakdown();
    summarize_results();
    return std::move(result_);
  }

 private:
  bool interrupted() const { return options_.interrupted && options_.interrupted->load(); }

  void report_progress(const char* phase, int round, double fraction) const {
    if (progress_) progress_(Progress{phase, round, static_cast<int>(planned_rounds_), fraction});
  }

  // Step 1: backends, workloads and probes. False when the point is skipped.
  bool open() {
    if (!options_.backends) own_backends_ = std::make_unique<BackendPool>(BackendPoolOptions{});
    BackendResolver& resolver = options_.backends ? *options_.backends : *own_backends_;
    std::vector<std::string> ids{s_.compare.baseline};
    ids.insert(ids.end(), s_.compare.candidates.begin(), s_.compare.candidates.end());
    for (const std::string& id : ids) {
      Contender c;
      c.result.strategy = id;
      c.result.selection = scenario::selection_of(s_, id);
      c.runtime = scenario::runtime_of(s_, id);
      auto found = resolver.backend_for(c.runtime, id);
      if (auto* reason = std::get_if<std::string>(&found)) return skip(*reason);  // It names the backend.
      c.backend = std::get<Backend*>(found);
      if (auto reason = c.backend->unsupported(s_, c.runtime, c.result.selection)) return skip(id + ": " + *reason);
      c.result.backend = c.backend->description();
      contenders_.push_back(std::move(c));
    }
    begin_point_scopes();
    report_progress("conformance", 0, 0);
    for (Contender& c : contenders_) {
      auto opened = c.backend->open(s_, c.runtime, c.result.selection, scopes_[c.backend].get());
      if (auto* reason = std::get_if<std::string>(&opened)) return skip(c.result.strategy + ": " + *reason);
      c.workload = std::move(std::get<std::unique_ptr<scenario::Workload>>(opened));
      c.result.conformance = c.backend->probe(c.result.selection);
    }
    result_.backend = contenders_.front().result.backend;
    return true;
  }

  bool skip(std::string reason) {
    result_.skipped = std::move(reason);
    return false;
  }

  // Each backend's shared resources for its contenders of this point.
  void begin_point_scopes() {
    std::map<Backend*, std::vector<strategy::Selection>> selections;
    for (const Contender& c : contenders_) selections[c.backend].push_back(c.result.selection);
    for (auto& [backend, list] : selections) scopes_[backend] = backend->begin_point(s_, list);
  }

  // Step 2.
  void calibrate() {
    const double min_time_ns = s_.measure.min_time_ms * 1e6;
    for (Contender& c : contenders_) {
      report_progress("warm-up", 0, 0);
      const report::Sample one = take_sample(*c.workload, 1);
      c.batches_per_sample = std::max<std::uint64_t>(
          1, static_cast<std::uint64_t>(std::ceil(min_time_ns / std::max(one.wall_ns, 1.0))));
      for (std::int64_t w = 0; w < s_.measure.warmup && !interrupted(); ++w) take_sample(*c.workload, c.batches_per_sample);
      if (auto* h = c.workload->latency()) h->reset();
      if (auto* h = c.workload->loop_lag()) h->reset();
    }
  }

  // The fewest rounds whose smallest signed-rank p can pass the strictest Holm threshold.
  std::int64_t rounds_for_a_verdict() const {
    const std::size_t comparisons = (contenders_.size() - 1) * std::size(kComparedMetrics);
    return static_cast<std::int64_t>(min_pairs_for(options_.alpha / static_cast<double>(std::max<std::size_t>(1, comparisons))));
  }

  // Step 3. False when interrupted.
  bool run_rounds() {
    const bool adaptive = options_.precision.has_value() && contenders_.size() > 1 && !options_.fewest_rounds;
    const std::int64_t min_rounds = options_.fewest_rounds ? rounds_for_a_verdict()
                                    : adaptive            ? std::max(options_.min_rounds, rounds_for_a_verdict())
                                                          : s_.measure.repetitions;
    planned_rounds_ = min_rounds;
    const auto started = Clock::now();
    const auto budget = std::chrono::duration<double>(options_.max_time_s);
    std::vector<std::size_t> order(contenders_.size());
    std::iota(order.begin(), order.end(), 0);
    for (std::int64_t round = 0;; ++round) {
      if (round >= min_rounds) {
        if (!adaptive) {
          result_.stopped_by = options_.fewest_rounds ? "fewest rounds for a verdict" : "fixed rounds";
          break;
        }
        result_.precision = headline_precision(contenders_, options_.alpha);
        if (result_.precision <= *options_.precision) {
          result_.stopped_by = "precision";
          break;
        }
        if (Clock::now() - started >= budget) {
          result_.stopped_by = "time budget";
          break;
        }
        if (round >= options_.max_rounds) {
          result_.stopped_by = "round limit";
          break;
        }
        planned_rounds_ = round + 1;
      }
      next_order(order, round);
      for (std::size_t i : order) {
        if (interrupted()) return false;
        Contender& c = contenders_[i];
        c.result.samples.push_back(take_sample(*c.workload, c.batches_per_sample));
        report_progress("repetition", static_cast<int>(round + 1),
                        static_cast<double>(round) / static_cast<double>(std::max<std::int64_t>(planned_rounds_, 1)));
      }
      if (options_.breakdown && round % kTraceEvery == kTraceEvery - 1)
        for (std::size_t i : order) trace_one(contenders_[i]);
    }
    result_.rounds = static_cast<std::int64_t>(contenders_.front().result.samples.size());
    if (adaptive) result_.target_precision = *options_.precision;
    return true;
  }

  // Two contenders alternate ABBA (AB, BA, BA, AB, ...), so neither always goes first and a linear
  // drift cancels over every four rounds; more contenders are shuffled per round.
  void next_order(std::vector<std::size_t>& order, std::int64_t round) {
    if (order.size() == 2) {
      const bool swapped = (round % 4 == 1) || (round % 4 == 2);
      order = swapped ? std::vector<std::size_t>{1, 0} : std::vector<std::size_t>{0, 1};
      return;
    }
    std::shuffle(order.begin(), order.end(), order_rng_);
  }

  report::ScenarioResult finish_partial() {
    result_.complete = false;
    for (Contender& c : contenders_) result_.strategies.push_back(std::move(c.result));
    return std::move(result_);
  }

  // Step 4: one sample each with the counters on, kept out of the timed samples.
  void count() {
    for (Contender& c : contenders_) {
      report_progress("counting", 0, 1);
      if (auto* h = c.workload->latency()) c.result.latency = summarize_latency(*h);
      if (auto* h = c.workload->loop_lag()) c.result.loop_lag = summarize_latency(*h);
      if (!c.backend->counts_in_process()) continue;
      reset_peak_rss();
      instrumentation::set_enabled(true);
      const auto before = instrumentation::totals();
      const report::Sample sample = take_sample(*c.workload, c.batches_per_sample);
      const auto counted = instrumentation::totals() - before;
      instrumentation::set_enabled(false);
      c.result.peak_rss_kib = peak_rss_kib();
      const double ops = static_cast<double>(sample.ops);
      using instrumentation::Counter;
      c.result.counts = report::CountsPerOp{static_cast<double>(counted[Counter::kLockAcquisitions]) / ops,
                                            static_cast<double>(counted[Counter::kHeapAllocations]) / ops,
                                            static_cast<double>(counted[Counter::kLoopWakeupSignals]) / ops,
                                            static_cast<double>(counted[Counter::kLoopWakeups]) / ops,
                                            static_cast<double>(counted[Counter::kWorkerWakeupSignals]) / ops,
                                            static_cast<double>(counted[Counter::kWorkerWakeups]) / ops};
    }
  }

  // One traced sample of `c`, kept apart from the timed samples (the stamps cost clock reads).
  void trace_one(Contender& c) {
    if (!c.workload->set_phase_tracing(true)) return;
    const report::Sample sample = take_sample(*c.workload, c.batches_per_sample);
    c.workload->set_phase_tracing(false);
    const scenario::PhaseTimes& times = *c.workload->phase_times();
    if (times.count() > 0) {
      c.traced_ns_per_op.push_back(sample.ns_per_op());
      auto& p50 = c.phase_p50.emplace_back();
      auto& p99 = c.phase_p99.emplace_back();
      auto& mean = c.phase_mean.emplace_back();
      for (std::size_t i = 0; i < runtime::kPhaseCount; ++i) {
        p50[i] = times.histogram(i).value_at_quantile(0.5);
        p99[i] = times.histogram(i).value_at_quantile(0.99);
        mean[i] = times.mean_ns(i);
      }
    }
    c.workload->phase_times_reset();
  }

  // Step 5: traced samples were interleaved with the rounds; top each strategy up to the fewest
  // that give a phase median a CI, then summarize.
  void trace_breakdown() {
    if (!options_.breakdown) return;
    const double overhead_ns = clock_reads_ns_per_op();
    for (Contender& c : contenders_) {
      for (std::size_t n = c.traced_ns_per_op.size(); n < kMinTracedSamples && !interrupted(); ++n) {
        report_progress("breakdown", 0, 1);
        trace_one(c);
      }
      if (c.traced_ns_per_op.empty()) continue;
      for (std::size_t i = 0; i < runtime::kPhaseCount; ++i) {
        std::vector<double> p50, p99, mean;
        for (std::size_t k = 0; k < c.traced_ns_per_op.size(); ++k) {
          p50.push_back(c.phase_p50[k][i]);
          p99.push_back(c.phase_p99[k][i]);
          mean.push_back(c.phase_mean[k][i]);
        }
        c.result.breakdown.push_back({std::string(runtime::phase_name(i)), median(p50), median(p99),
                                      measure::mean(mean), bootstrap_ci(p50, 0.95, 2000, options_.seed)});
      }
      c.result.traced_ns_per_op = median(c.traced_ns_per_op);
      c.result.tracing_overhead_ns = overhead_ns;
    }
  }

  // A breakdown whose traced ops ran at another speed than the timed ones (beyond the stamps'
  // own cost and the timed median's CI) describes other ops: say so.
  void warn_about_breakdown(const report::StrategyResult& r) {
    if (r.traced_ns_per_op <= 0) return;
    const Summary& timed = r.metrics.front().summary;  // ns_per_op
    const double allowed = r.tracing_overhead_ns + (timed.ci.high - timed.ci.low) / 2;
    const double difference = r.traced_ns_per_op - timed.median;
    if (std::fabs(difference) <= allowed) return;
    char text[240];
    std::snprintf(text, sizeof text,
                  "%s: the traced samples ran at %.0f ns/op against %.0f ns/op timed, a difference beyond the "
                  "stamps' cost (%.0f ns/op) and the timed median's CI: read its breakdown with care",
                  r.strategy.c_str(), r.traced_ns_per_op, timed.median, r.tracing_overhead_ns);
    result_.warnings.push_back(text);
  }

  // Step 6.
  void summarize_results() {
    for (Contender& c : contenders_) {
      add_statistics(c.result, options_.seed);
      warn_about_breakdown(c.result);
      result_.strategies.push_back(std::move(c.result));
    }
    if (result_.strategies.size() > 1) {
      compare(result_, options_);
      warn_about_precision();
    }
    result_.expectations = evaluate_expectations(s_, result_);
  }

  void warn_about_precision() {
    if (result_.target_precision == 0 || result_.stopped_by == "precision") return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "stopped on the %s after %lld rounds with the ns/op ratio known to +-%.1f%%, short of the "
                  "+-%.1f%% asked (--precision, --max-time)",
                  result_.stopped_by.c_str(), static_cast<long long>(result_.rounds), 100 * result_.precision,
                  100 * result_.target_precision);
    result_.warnings.push_back(text);
  }

  const scenario::Scenario& s_;
  const RunOptions& options_;
  const ProgressCallback& progress_;
  std::mt19937_64 order_rng_;
  report::ScenarioResult result_;
  std::int64_t planned_rounds_ = 0;
  std::unique_ptr<BackendPool> own_backends_;  // when the caller gave none: outlives the workloads
  std::vector<Contender> contenders_;
  // Declared after the contenders, so destroyed before their workloads (NativeBackend's executor).
  std::map<Backend*, std::unique_ptr<PointScope>> scopes_;
};

}  // namespace

report::ScenarioResult run_point(const scenario::ScenarioPoint& point, const RunOptions& options,
                                 const ProgressCallback& progress) {
  return PointRunner(point, options, progress).run();
}

}  // namespace offload::measure
