// The command line, with CLI11. Validation of values CLI11 can check (choices, ranges) lives
// here; scenario-level validation belongs to the scenario loader.
#include "cli/parser.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/baselines.hpp"
#include "cli/commands.hpp"

#ifndef OFFLOAD_VERSION
#define OFFLOAD_VERSION "unknown"
#endif

namespace offload::cli {

// The options `run` and `ab` share: what to run, how long, and where the report goes.
void add_run_options(CLI::App* cmd, RunOptions& run) {
  cmd->add_option("scenarios", run.paths, "Scenario files or directories (default: the built-in suite)");
  cmd->add_option("--filter", run.filter, "Only scenario points whose name matches this regex (name/param=value/...)");
  cmd->add_flag("--quick", run.quick,
                "Smoke run: each scenario's [quick] size, 5 ms samples, the fewest rounds that can reach a "
                "verdict, at most 0.25 s a point");
  cmd->add_option("--precision", run.precision,
                  "Run rounds until every ns/op ratio's 95% CI is within +-this fraction (default 0.03); "
                  "0: the scenarios' fixed repetitions")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-time", run.max_time_s, "Seconds of rounds a point may take to reach --precision (default 3)")
      ->check(CLI::Range(0.01, 86400.0));
  cmd->add_option("--time-budget", run.time_budget_s,
                  "Seconds for the whole run: each point gets at most its share of what is left")
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--driver-timeout", run.driver_timeout_s,
                  "Seconds a backend driver may take to answer one request before it is killed (default 120)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_flag("--breakdown", run.breakdown,
                "Time each offload phase (submit → worker start → job end → published → loop woken → "
                "state copied → resumed) in traced samples every fourth round (at least 3 per strategy), apart from the timed ones; end-to-end offload "
                "scenarios only");
  cmd->add_option("--repetitions", run.repetitions,
                  "Exactly N interleaved rounds per point (overrides the scenario; no adaptive sampling)")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--seed", run.seed, "Seed for the strategy order and the bootstrap");
  cmd->add_option("--out", run.out,
                  "Report file (default: a new results/<suite>-<UTC timestamp>.json); a device, a FIFO or "
                  "'-' (stdout) is written in place, a symlink is followed");
  cmd->add_flag("--no-out", run.no_out, "Do not write a report file");
  cmd->add_option("--format", run.format, "What stdout shows")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  cmd->add_flag("--quiet,-q", run.quiet, "No progress line on stderr");
  cmd->add_option("--alpha", run.alpha, "Significance level, Holm-corrected per scenario point")
      ->check(CLI::Range(1e-6, 0.5));
  cmd->add_option("--threshold", run.threshold, "Smallest change reported as faster/slower (0.02 = 2%)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--set", run.set, "Override a scenario parameter, e.g. --set workload.job_ns=2000 (repeatable)");
  cmd->add_option("--save-baseline", run.save_baseline,
                  "Also keep the report as results/baselines/NAME.json (for compare --baseline NAME)")
      ->check(CLI::Validator(
          [](std::string& name) {
            return is_baseline_name(name) ? std::string() : "a baseline name is letters, digits, '_', '-' or '.'";
          },
          "NAME"));
  cmd->add_flag("--force", run.force, "Let --save-baseline replace an existing baseline of that name");
  cmd->add_option("--max-ops", run.max_ops,
                  "Refuse scenario points with more workload.ops than this (default 1000000: a gather holds "
                  "every op in memory)")
      ->check(CLI::PositiveNumber);
}

Command parse_command_line(int argc, char** argv) {
  CLI::App app{"offload-bench: measure what offloading a small job from an event loop to a thread pool costs"};
  app.set_version_flag("--version", std::string("offload-bench ") + OFFLOAD_VERSION);
  app.require_subcommand(1);
  app.footer(R"(Examples:
  offload-bench run                          the built-in suite, table on stdout, JSON in results/
  offload-bench run --quick                  a smoke run of the suite
  offload-bench run --quick --check scenarios/ci   the CI gate: exit 1 if an expectation fails
  offload-bench run scenarios/state_copy_micro.toml --format markdown
  offload-bench run --filter 'to_thread.*gather' --repetitions 20
  offload-bench list strategies
  offload-bench validate scenarios/*.toml
  offload-bench run --save-baseline main     then, after a change:
  offload-bench compare --baseline main results/default-<timestamp>.json
  offload-bench run --quick --html r.html    plots of the run in one self-contained HTML page
  offload-bench report results/*.json --html r.html

Two builds, one interleaved run (CI gating without drift between reports):
  offload-bench ab --base main-build/ --new pr-build/ scenarios/ci

Exit codes (run, compare and every other command):
  0    success
  1    a regression (compare) or a failed expectation (run --check)
  2    a usage or input error: bad option, scenario or report file, unusable --out path
  3    a failure while running: a scenario point failed, a report could not be written
  130  stopped by SIGINT, 143 stopped by SIGTERM (the completed scenarios are kept, marked partial))");

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run scenarios and compare their strategies");
  add_run_options(run_cmd, run);
  run_cmd->add_flag("--check", run.check, "Exit 1 when an [[expect]] of a scenario fails with statistical support");
  run_cmd->add_option("--backend", run.backend,
                      "Run every scenario on this backend: native (the model), cpython (the real asyncio, "
                      "through python3), libuv or asio (their drivers); a sweep over runtime.backend narrows to it")
      ->check(CLI::IsMember({"native", "cpython", "libuv", "asio"}));
  run_cmd->add_option("--python", run.python, "Interpreter for the cpython backend (default: python3 on PATH)");
  run_cmd->add_option("--html", run.html, "Also write the report as one self-contained HTML page of plots");

  AbOptions ab;
  CLI::App* ab_cmd = app.add_subcommand(
      "ab", "Two builds of offload-bench in one interleaved run (ABBA), each strategy judged from paired rounds; "
            "exit 1 on a regression");
  ab_cmd->add_option("--base", ab.base, "The base build: an offload-bench binary or a build directory")->required();
  ab_cmd->add_option("--new", ab.candidate, "The new build: an offload-bench binary or a build directory")->required();
  ab_cmd->add_option("--fail-on", ab.fail_on, "What makes the exit code 1")
      ->check(CLI::IsMember({"regression", "any-change", "never"}));
  add_run_options(ab_cmd, ab.run);

  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "Serve this build's model over the driver protocol on stdin/stdout (what ab starts)");
  serve_cmd->group("");  // For ab's use, not a person's.

  CompareOptions compare;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare", "Compare two reports (offload-bench or Google Benchmark JSON); exit 1 on a regression");
  compare_cmd->add_option("reports", compare.reports, "BASE.json NEW.json, or NEW.json with --baseline")
      ->expected(1, 2);
  compare_cmd->add_option("--baseline", compare.baseline, "Use results/baselines/NAME.json as BASE");
  compare_cmd->add_option("--alpha", compare.alpha, "Family-wise significance level (Holm-corrected)")
      ->check(CLI::Range(1e-6, 0.5));
  compare_cmd->add_option("--threshold", compare.threshold, "Smallest change that counts (0.05 = 5%)")
      ->check(CLI::Range(0.0, 1.0));
  compare_cmd->add_option("--metric-threshold", compare.metric_thresholds,
                          "Per-metric threshold, e.g. cpu_ns_per_op=0.10 (repeatable)");
  compare_cmd->add_option("--metric", compare.metrics,
                          "Metrics to compare (default ns_per_op, cpu_ns_per_op; also heap_allocations_per_op, "
                          "lock_acquisitions_per_op, wakeups_per_op)");
  compare_cmd->add_option("--format", compare.format, "Output format")
      ->check(CLI::IsMember({"table", "markdown", "json"}));
  compare_cmd->add_option("--fail-on", compare.fail_on, "What makes the exit code 1")
      ->check(CLI::IsMember({"regression", "any-change", "never"}));
  compare_cmd->add_option("--seed", compare.seed, "Seed for the bootstrap");
  compare_cmd->add_option("--max-report-mib", compare.max_report_mib,
                          "Refuse a report larger than this many MiB (default 64: it is read whole into memory)")
      ->check(CLI::Range(1, 1 << 20));
  compare_cmd->add_option("--html", compare.html, "Also write the comparison as one self-contained HTML page of plots");

  ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Draw reports (offload-bench or Google Benchmark JSON) as one self-contained HTML page");
  report_cmd->add_option("reports", report.reports, "JSON reports")->required();
  report_cmd->add_option("--html", report.html, "The HTML page to write")->required();

  ListOptions list;
  CLI::App* list_cmd = app.add_subcommand("list", "List built-in scenarios, strategies and jobs");
  list_cmd->add_option("what", list.what, "all, scenarios, strategies or jobs")
      ->check(CLI::IsMember({"all", "scenarios", "strategies", "jobs"}));

  ValidateOptions validate;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files without running them");
  validate_cmd->add_option("files", validate.files, "Scenario files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (run_cmd->parsed()) return run;
  if (ab_cmd->parsed()) return ab;
  if (serve_cmd->parsed()) return ServeOptions{};
  if (compare_cmd->parsed()) {
    const std::size_t wanted = compare.baseline.empty() ? 2 : 1;
    if (compare.reports.size() != wanted) {
      std::cerr << "offload-bench compare: expected " << (wanted == 2 ? "BASE.json NEW.json" : "NEW.json with --baseline")
                << ", got " << compare.reports.size() << " report(s)\n";
      return kExitUsage;
    }
    return compare;
  }
  if (report_cmd->parsed()) return report;
  if (list_cmd->parsed()) return list;
  return validate;
}

}  // namespace offload::cli
