// `offload-bench run`: load and validate every scenario, run each sweep point, print the
// report, write the JSON (cli/report_outputs.hpp). SIGINT or SIGTERM stops between samples and
// keeps what completed, marked partial; a second one ends the process at once (cli/signals.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <variant>

#include "cli/commands.hpp"
#include "cli/html_output.hpp"
#include "cli/overrides.hpp"
#include "cli/progress.hpp"
#include "cli/report_outputs.hpp"
#include "cli/scenario_sources.hpp"
#include "cli/signals.hpp"
#include "measure/backend_pool.hpp"
#include "measure/expectations.hpp"
#include "measure/noise_monitor.hpp"
#include "measure/runner.hpp"
#include "report/environment.hpp"
#include "report/html_report.hpp"
#include "report/reporter.hpp"
#include "scenario/input_limits.hpp"
#include "scenario/parameters.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/sweep.hpp"

namespace offload::cli {
namespace {

std::string point_label(const scenario::ScenarioPoint& point) {
  std::string label = point.scenario.name;
  for (const auto& [key, value] : point.parameters) {
    const auto dot = key.rfind('.');
    label += "/" + (dot == std::string::npos ? key : key.substr(dot + 1)) + "=" + value;
  }
  return label;
}

// --quick: enough to see every scenario and strategy work end to end. The scenario's own [quick]
// overrides shrink it (a million-op burst to 20,000 ops); samples last at most 5 ms after one
// warm-up. The rounds stay at the fewest that can still reach a verdict (the runner's minimum).
void apply_quick(scenario::Scenario& s) {
  for (const auto& [key, value] : s.quick)
    if (auto problem = scenario::apply_parameter(s, key, value))
      throw OverrideError(s.source + ": quick." + key + ": " + *problem);
  scenario::MeasureConfig& m = s.measure;
  m.warmup = std::min<std::int64_t>(m.warmup, 1);
  m.min_time_ms = std::min(m.min_time_ms, 5.0);
}

void add_machine_warnings(report::Report& r) {
  const auto& env = r.environment;
  if (env.num_cpus > 0 && env.load_average[0] > 0.5 * env.num_cpus)
    r.warnings.push_back(fmt::format("load average {:.2f} on {} CPUs at the start: other work may add noise",
                                     env.load_average[0], env.num_cpus));
  if (env.cpu_scaling_enabled)
    r.warnings.push_back("CPU frequency scaling is enabled: timings may drift");
}

// --backend: the scenario runs on that backend only; a sweep over runtime.backend narrows to it.
void run_on_backend(scenario::Scenario& s, const std::string& backend) {
  std::erase_if(s.sweep, [](const scenario::SweepAxis& axis) { return axis.parameter == "runtime.backend"; });
  if (auto problem = scenario::apply_parameter(s, "runtime.backend", backend))
    throw OverrideError("--backend " + backend + ": " + *problem);
}

// One line per backend that could not start, with how many points it cost (each point's own
// `skipped` field says so too).
void report_unavailable_backends(const report::Report& r) {
  std::map<std::string, int> skipped;
  for (const report::ScenarioResult& point : r.scenarios)
    if (point.skipped.find("backend unavailable: ") != std::string::npos) ++skipped[point.skipped];
  for (const auto& [reason, points] : skipped)
    std::cerr << "offload-bench: " << reason << "; skipped its " << points << " point" << (points == 1 ? "" : "s") << '\n';
}

// A point's share of the time: --max-time, or less when a --time-budget for the whole run would
// otherwise be overrun by the points still to come.
double point_time_budget(const RunOptions& options, std::chrono::steady_clock::time_point suite_started,
                         std::size_t points_left) {
  double budget = options.max_time_s;
  if (options.time_budget_s > 0) {
    const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - suite_started).count();
    budget = std::min(budget, std::max(0.0, options.time_budget_s - spent) / static_cast<double>(points_left));
  }
  return budget;
}

}  // namespace

int run_command(const RunOptions& options) {
  backend::DriverDeadlines deadlines;
  if (options.driver_timeout_s) deadlines.request = std::chrono::milliseconds(std::llround(*options.driver_timeout_s * 1000));
  measure::BackendPool backends({options.python, deadlines});
  RunPlan plan;
  plan.backends = &backends;
  if (options.check)
    plan.gate = [](const report::Report& r) {
      if (!measure::any_expectation_failed(r)) return kExitOk;
      std::cerr << "offload-bench: --check: an expectation failed (see FAIL above)\n";
      return kExitCheckFailed;
    };
  return execute_run(options, plan);
}

int execute_run(const RunOptions& options, const RunPlan& plan) {
  LoadedSuite suite;
  std::optional<std::regex> filter;
  try {
    suite = load_suite(options.paths);
    const std::vector<Override> overrides = parse_overrides(options.set);
    for (scenario::Scenario& s : suite.scenarios) {
      if (options.quick) apply_quick(s);
      apply_overrides(s, overrides);
      if (!options.backend.empty()) run_on_backend(s, options.backend);
    }
    if (!options.filter.empty()) filter.emplace(options.filter, std::regex::ECMAScript);
  } catch (const scenario::ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return kExitUsage;
  } catch (const OverrideError& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::regex_error& e) {
    std::cerr << "offload-bench: --filter: invalid regex '" << options.filter << "': " << e.what() << '\n';
    return kExitUsage;
  }

  std::vector<scenario::ScenarioPoint> points;
  for (scenario::Scenario& s : suite.scenarios) {
    if (options.repetitions) s.measure.repetitions = *options.repetitions;
    for (auto& expanded : scenario::expand_sweep(s))
      for (auto& point : plan.reshape ? plan.reshape(std::move(expanded)) : std::vector{std::move(expanded)})
        if (!filter || std::regex_search(point_label(point), *filter)) points.push_back(std::move(point));
  }
  for (const scenario::ScenarioPoint& point : points) {
    if (auto problem = scenario::ops_limit_problem(point.scenario, options.max_ops)) {
      std::cerr << point.scenario.source << ": " << point_label(point) << ": " << *problem << '\n';
      return kExitUsage;
    }
  }
  if (points.empty()) {
    std::cerr << "offload-bench: no scenario matches --filter '" << options.filter << "'\n";
    return kExitUsage;
  }

  ReportOutputs outputs;
  try {
    outputs = ReportOutputs::check(options, suite.name);
  } catch (const report::OutputError& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitUsage;
  }

  report::Report result;
  result.suite = suite.name;
  result.environment = report::collect_environment();
  add_machine_warnings(result);

  install_stop_handlers();
  measure::RunOptions run_options;
  run_options.backends = plan.backends;
  // Fixed rounds when asked for (--repetitions, or --precision 0); adaptive otherwise.
  if (options.repetitions || options.precision <= 0) run_options.precision.reset();
  else run_options.precision = options.precision;
  run_options.fewest_rounds = options.quick;
  run_options.seed = options.seed;
  run_options.alpha = options.alpha;
  run_options.threshold = options.threshold;
  run_options.interrupted = &stop_requested();
  run_options.breakdown = options.breakdown;

  int exit_code = kExitOk;
  measure::NoiseMonitor noise;
  {
    ProgressLine progress(!options.quiet && ::isatty(STDERR_FILENO), points.size());
    const auto suite_started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < points.size() && !stop_requested().load(); ++i) {
      progress.start_point(i, point_label(points[i]));
      run_options.max_time_s = point_time_budget(options, suite_started, points.size() - i);
      try {
        report::ScenarioResult r = measure::run_point(points[i], run_options,
                                                      [&](const measure::Progress& p) { progress.update(p); });
        if (r.complete) result.scenarios.push_back(std::move(r));
      } catch (const std::exception& e) {
        progress.clear();
        const std::string failure = point_label(points[i]) + ": " + e.what();
        std::cerr << "offload-bench: " << points[i].scenario.source << ": " << failure << '\n';
        // The point is recorded as failed and the run goes on; it ends with the run-failure code.
        report::ScenarioResult failed;
        failed.scenario = points[i].scenario;
        failed.parameters = points[i].parameters;
        failed.skipped = "failed: " + std::string(e.what());
        result.scenarios.push_back(std::move(failed));
        exit_code = kExitRunFailure;
      }
    }
  }
  result.partial = stop_requested().load();
  const measure::NoiseReading reading = noise.stop();
  result.environment.steal_fraction = reading.steal_fraction.value_or(-1);
  result.environment.involuntary_switches_per_s = reading.involuntary_switches_per_s;
  result.environment.migrations_per_s = reading.migrations_per_s.value_or(-1);
  for (std::string& warning : measure::noise_warnings(reading)) result.warnings.push_back(std::move(warning));
  report_unavailable_backends(result);
  if (stop_requested().load()) std::cerr << "offload-bench: interrupted; keeping the completed scenarios\n";

  report::ReporterOptions reporter_options;
  reporter_options.colour = options.format == "table" && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  report::make_reporter(options.format, reporter_options)->write(result, std::cout);
  std::cout.flush();

  bool written = true;
  if (!outputs.empty()) {
    std::ostringstream json;
    report::make_reporter("json")->write(result, json);
    written = outputs.write(json.str(), result.partial, options.format == "json");
  }
  if (!options.html.empty()) {
    std::ostringstream json;
    report::make_reporter("json")->write(result, json);
    const std::string source = "run of " + suite.name;
    if (const int code = write_html_report(options.html, "offload-bench run: " + source,
                                           report::html_run_payload({{source, json.str()}}));
        code != kExitOk)
      return code;
  }
  if (stop_requested().load()) return stop_exit_code();
  if (!written) return kExitRunFailure;
  if (exit_code == kExitOk && plan.gate) return plan.gate(result);
  return exit_code;
}

}  // namespace offload::cli
