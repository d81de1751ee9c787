// JSON report (layout in json_reporter.hpp): Google Benchmark's context and benchmarks, then ours.
#include "report/json_reporter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <variant>

#include <nlohmann/json.hpp>

namespace offload::report {
namespace {

// Ordered: keys appear in the order written, so the file reads like the struct it documents.
using Json = nlohmann::ordered_json;

// JSON has no NaN or infinity; a missing value is null.
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string_view verdict_id(measure::Verdict v) {
  switch (v) {
    case measure::Verdict::kFaster: return "faster";
    case measure::Verdict::kSlower: return "slower";
    case measure::Verdict::kNoDifference: return "no_difference";
  }
  return "no_difference";
}

Json context_json(const Report& report) {
  const Environment& e = report.environment;
  Json caches = Json::array();
  for (const auto& c : e.caches)
    caches.push_back({{"type", c.type}, {"level", c.level}, {"size", c.size_bytes},
                      {"num_sharing", c.num_sharing}});
  std::string gb_build_type = e.build_type;  // GB writes "release" / "debug"
  std::transform(gb_build_type.begin(), gb_build_type.end(), gb_build_type.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return {
      {"date", e.date},
      {"host_name", e.host},
      {"executable", "offload-bench"},
      {"num_cpus", e.num_cpus},
      {"mhz_per_cpu", std::isfinite(e.mhz_per_cpu) ? std::llround(e.mhz_per_cpu) : 0},
      {"cpu_scaling_enabled", e.cpu_scaling_enabled},
      {"caches", caches},
      {"load_avg", {number(e.load_average[0]), number(e.load_average[1]), number(e.load_average[2])}},
      {"library_build_type", gb_build_type},
      {"json_schema_version", 1},  // GB's own schema version, for GB's tools
      {"schema_version", report.schema_version},
      {"harness_version", e.harness_version},
      {"git_revision", e.git_revision},
      {"kernel", e.kernel},
      {"compiler", e.compiler},
      {"cpu_model", e.cpu_model},
      {"build_type", e.build_type},
      {"suite", report.suite},
      {"partial", report.partial},
  };
}

std::string run_name(const ScenarioResult& r, const StrategyResult& s) {
  std::string name = r.scenario.name;
  for (const auto& [key, value] : r.parameters) {
    const auto dot = key.rfind('.');
    name += "/" + (dot == std::string::npos ? key : key.substr(dot + 1)) + "=" + value;
  }
  return name + "/" + s.strategy;
}

struct Aggregates {
  double mean, median, stddev, cv;
};

// GB's aggregates: sample stddev (n - 1), and n = 1 gives 0 spread.
Aggregates aggregate(std::vector<double> v) {
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  const double median = v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  const double stddev = v.size() > 1 ? std::sqrt(ss / (n - 1)) : 0;
  return {mean, median, stddev, mean != 0 ? stddev / mean : 0};
}

// GB entries of one scenario point x strategy; `family`/`instance` number runs as GB does:
// a family is a scenario x strategy, its instances the sweep points.
void add_benchmarks(Json& out, const ScenarioResult& r, const StrategyResult& s, int family,
                    int instance) {
  const std::string name = run_name(r, s);
  const auto n = static_cast<std::int64_t>(s.samples.size());
  const auto entry = [&](std::string entry_name, std::string_view run_type) {
    return Json{{"name", std::move(entry_name)}, {"family_index", family},
                {"per_family_instance_index", instance}, {"run_name", name},
                {"run_type", run_type}, {"repetitions", n}};
  };
  std::vector<double> real, cpu, rate;
  std::uint64_t total_ops = 0;
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    const Sample& sample = s.samples[i];
    const double ops = static_cast<double>(sample.ops);
    real.push_back(sample.wall_ns / ops);
    cpu.push_back(sample.cpu_ns / ops);
    rate.push_back(ops * 1e9 / sample.wall_ns);
    total_ops += sample.ops;
    Json e = entry(name, "iteration");
    e["repetition_index"] = i;
    e["threads"] = 1;
    e["iterations"] = sample.ops;
    e["real_time"] = number(real.back());
    e["cpu_time"] = number(cpu.back());
    e["time_unit"] = "ns";
    e["items_per_second"] = number(rate.back());
    out.push_back(std::move(e));
  }
  if (s.samples.empty()) return;
  const Aggregates a_real = aggregate(real), a_cpu = aggregate(cpu), a_rate = aggregate(rate);
  const struct {
    const char* id;
    double Aggregates::*field;
  } kinds[] = {{"mean", &Aggregates::mean}, {"median", &Aggregates::median},
               {"stddev", &Aggregates::stddev}, {"cv", &Aggregates::cv}};
  for (const auto& kind : kinds) {
    Json e = entry(name + "_" + kind.id, "aggregate");
    e["threads"] = 1;
    e["aggregate_name"] = kind.id;
    e["aggregate_unit"] = std::string_view(kind.id) == "cv" ? "percentage" : "time";
    // Samples run whole batches until min_time, so their op counts differ: GB's per-run
    // iteration count becomes the mean ops per sample.
    e["iterations"] = (total_ops + s.samples.size() / 2) / s.samples.size();
    e["real_time"] = number(a_real.*kind.field);
    e["cpu_time"] = number(a_cpu.*kind.field);
    e["time_unit"] = "ns";
    e["items_per_second"] = number(a_rate.*kind.field);
    out.push_back(std::move(e));
  }
}

Json selection_json(const strategy::Selection& selection) {
  Json out = Json::object();
  for (const auto& axis : strategy::axes()) out[std::string(axis.id)] = selection.get(axis.id);
  return out;
}

// The [[expect]] entries as written: the kind's key names the strategy, then the keys it takes.
Json expect_json(const std::vector<scenario::Expectation>& expectations) {
  using Kind = scenario::Expectation::Kind;
  Json out = Json::array();
  for (const auto& x : expectations) {
    Json e = {{std::string(scenario::to_string(x.kind)), x.strategy}};
    if (x.kind == Kind::kFaster) e["by"] = number(x.value);
    if (x.kind == Kind::kFaster || x.kind == Kind::kNoSlower) e["metric"] = x.metric;
    if (x.kind == Kind::kAtMost) {
      e["counter"] = x.metric;
      e["value"] = number(x.value);
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string_view outcome_id(ExpectationResult::Outcome outcome) {
  switch (outcome) {
    case ExpectationResult::Outcome::kPassed: return "passed";
    case ExpectationResult::Outcome::kFailed: return "failed";
    case ExpectationResult::Outcome::kInconclusive: return "inconclusive";
  }
  return "inconclusive";
}

Json compare_json(const scenario::CompareConfig& c) {
  Json out = {{"axis", c.axis}, {"baseline", c.baseline}, {"candidates", c.candidates}};
  if (!c.configs.empty()) {
    Json configs = Json::object();
    for (const auto& config : c.configs) {
      Json body = selection_json(config.selection);
      if (config.backend) body["backend"] = scenario::to_string(*config.backend);
      if (config.loop) body["loop"] = scenario::to_string(*config.loop);
      if (config.python) body["python"] = *config.python;
      configs[config.name] = std::move(body);
    }
    out["configs"] = std::move(configs);
  }
  return out;
}

Json scenario_json(const scenario::Scenario& s) {
  const auto& w = s.workload;
  Json sweep = Json::array();
  for (const auto& axis : s.sweep) {
    Json values = Json::array();
    for (const auto& v : axis.values)
      std::visit([&](const auto& x) {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, double>) values.push_back(number(x));
        else values.push_back(x);
      }, v);
    sweep.push_back({{"parameter", axis.parameter}, {"values", values},
                     {"location", {{"file", axis.location.file}, {"line", axis.location.line},
                                   {"column", axis.location.column}}}});
  }
  return {
      {"name", s.name}, {"description", s.description}, {"reference", s.reference},
      {"source", s.source},
      {"runtime", {{"backend", scenario::to_string(s.runtime.backend)},
                   {"loop", scenario::to_string(s.runtime.loop)},
                   {"workers", s.runtime.workers ? Json(*s.runtime.workers) : Json(nullptr)},
                   {"gc", s.runtime.gc}}},
      {"workload", {{"kind", scenario::to_string(w.kind)}, {"job", scenario::to_string(w.job)},
                    {"job_ns", w.job_ns}, {"job_us", w.job_us}, {"job_kib", w.job_kib},
                    {"ops", w.ops}, {"concurrency", scenario::to_string(w.concurrency)},
                    {"limit", w.limit}, {"context_vars", w.context_vars},
                    {"timeout_ms", w.timeout_ms ? number(*w.timeout_ms) : Json(nullptr)}}},
      {"compare", compare_json(s.compare)},
      {"measure", {{"warmup", s.measure.warmup}, {"repetitions", s.measure.repetitions},
                   {"min_time_ms", number(s.measure.min_time_ms)}}},
      {"fixed", selection_json(s.fixed)},
      {"sweep", sweep},
      {"expect", expect_json(s.expectations)},
  };
}

Json latency_json(const std::optional<LatencySummary>& l) {
  if (!l) return nullptr;
  return {{"count", l->count}, {"p50", number(l->p50)}, {"p90", number(l->p90)},
          {"p99", number(l->p99)}, {"p999", number(l->p999)}, {"max", number(l->max)}};
}

Json strategy_json(const StrategyResult& s) {
  Json samples = Json::array();
  for (const auto& x : s.samples) {
    Json sample = {{"ops", x.ops}, {"wall_ns", number(x.wall_ns)}, {"cpu_ns", number(x.cpu_ns)},
                   {"voluntary_switches", number(x.voluntary_switches)},
                   {"involuntary_switches", number(x.involuntary_switches)}};
    // Only the cpython backend runs a collector; native samples read exactly as before.
    if (x.gc_collections > 0 || x.gc_ns > 0) {
      sample["gc_collections"] = number(x.gc_collections);
      sample["gc_ns"] = number(x.gc_ns);
    }
    samples.push_back(std::move(sample));
  }
  Json metrics = Json::array();
  for (const auto& m : s.metrics) {
    const auto& sm = m.summary;
    metrics.push_back({{"name", m.name}, {"unit", m.unit}, {"lower_is_better", m.lower_is_better},
                       {"summary", {{"n", sm.n}, {"median", number(sm.median)},
                                    {"mean", number(sm.mean)}, {"stddev", number(sm.stddev)},
                                    {"cv", number(sm.cv)}, {"min", number(sm.min)},
                                    {"max", number(sm.max)},
                                    {"ci", {number(sm.ci.low), number(sm.ci.high)}}}}});
  }
  Json counts = nullptr;
  if (s.counts) {
    const CountsPerOp& c = *s.counts;
    counts = {{"lock_acquisitions", number(c.lock_acquisitions)},
              {"heap_allocations", number(c.heap_allocations)},
              {"loop_wakeup_signals", number(c.loop_wakeup_signals)},
              {"loop_wakeups", number(c.loop_wakeups)},
              {"worker_wakeup_signals", number(c.worker_wakeup_signals)},
              {"worker_wakeups", number(c.worker_wakeups)}};
  }
  Json conformance = Json::array();
  for (const auto& c : s.conformance)
    conformance.push_back({{"guarantee", c.guarantee}, {"passed", c.passed},
                           {"claimed", c.claimed}, {"detail", c.detail}});
  Json out = {{"strategy", s.strategy}, {"backend", s.backend}, {"selection", selection_json(s.selection)},
              {"samples", samples}, {"metrics", metrics}, {"latency", latency_json(s.latency)},
              {"loop_lag", latency_json(s.loop_lag)}, {"counts", counts},
              {"peak_rss_kib", number(s.peak_rss_kib)}, {"conformance", conformance}};
  // Only when traced (--breakdown): a report without it reads exactly as before the option.
  if (!s.breakdown.empty()) {
    Json breakdown = Json::array();
    for (const auto& p : s.breakdown)
      breakdown.push_back({{"phase", p.phase}, {"p50_ns", number(p.p50)},
                           {"p99_ns", number(p.p99)}, {"mean_ns", number(p.mean)}});
    out["breakdown"] = std::move(breakdown);
  }
  return out;
}

Json result_json(const ScenarioResult& r) {
  Json parameters = Json::object();
  for (const auto& [key, value] : r.parameters) parameters[key] = value;
  Json strategies = Json::array();
  for (const auto& s : r.strategies) strategies.push_back(strategy_json(s));
  Json comparisons = Json::array();
  for (const auto& c : r.comparisons)
    comparisons.push_back({{"candidate", c.candidate}, {"baseline", c.baseline},
                           {"metric", c.metric}, {"paired", c.paired}, {"pairs", c.pairs},
                           {"ratio", number(c.ratio)},
                           {"ratio_ci", {number(c.ratio_ci.low), number(c.ratio_ci.high)}},
                           {"p_value", number(c.p_value)}, {"alpha", number(c.alpha)},
                           {"threshold", number(c.threshold)},
                           {"verdict", verdict_id(c.verdict)}});
  Json expectations = Json::array();
  for (const auto& e : r.expectations)
    expectations.push_back({{"description", e.description}, {"outcome", outcome_id(e.outcome)},
                            {"detail", e.detail}});
  Json out = {{"scenario", scenario_json(r.scenario)}, {"parameters", parameters},
              {"backend", r.backend}, {"complete", r.complete}, {"strategies", strategies},
              {"comparisons", comparisons}, {"expectations", expectations},
              {"warnings", r.warnings}, {"rounds", r.rounds}, {"stopped_by", r.stopped_by},
              {"precision", number(r.precision)}, {"target_precision", number(r.target_precision)}};
  if (!r.skipped.empty()) out["skipped"] = r.skipped;
  return out;
}

}  // namespace

void JsonReporter::write(const Report& report, std::ostream& out) const {
  Json benchmarks = Json::array();
  std::map<std::string, std::pair<int, int>> families;  // scenario/strategy -> (index, instances)
  for (const auto& r : report.scenarios) {
    for (const auto& s : r.strategies) {
      const auto it = families.try_emplace(r.scenario.name + "/" + s.strategy,
                                           static_cast<int>(families.size()), 0).first;
      add_benchmarks(benchmarks, r, s, it->second.first, it->second.second++);
    }
  }
  Json scenarios = Json::array();
  for (const auto& r : report.scenarios) scenarios.push_back(result_json(r));
  const Json doc = {{"context", context_json(report)}, {"benchmarks", benchmarks},
                    {"scenarios", scenarios}, {"warnings", report.warnings}};
  // error_handler_t::replace: a stray invalid UTF-8 byte in a name must not lose the whole report.
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::unique_ptr<Reporter> make_json_reporter(const ReporterOptions& /*options*/) {
  return std::make_unique<JsonReporter>();
}

}  // namespace offload::report
