// Report outputs of `run` (report_outputs.hpp): default names that never collide, baselines that
// are not overwritten by accident, and a report that survives a failed write.
#include "cli/report_outputs.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "cli/baselines.hpp"
#include "report/atomic_file.hpp"

namespace offload::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kResultsDir = "results";

// Two runs in one second must not share a name: microseconds, and link(2)'s create-if-absent in
// write_new_default for two in one microsecond.
std::string utc_stamp() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%S", &utc);
  return fmt::format("{}.{:06}Z", text, us % 1000000);
}

// "<dir>/<stem>.json" for n == 1, "<dir>/<stem>-<n>.json" after.
fs::path numbered(const fs::path& dir, const std::string& stem, int n) {
  return dir / (n == 1 ? stem + ".json" : fmt::format("{}-{}.json", stem, n));
}

}  // namespace

ReportOutputs ReportOutputs::check(const RunOptions& options, const std::string& suite) {
  ReportOutputs outputs;
  outputs.suite_ = suite;
  outputs.stamp_ = utc_stamp();
  if (!options.no_out) {
    if (options.out.empty())
      outputs.default_target_ = report::check_output_path(numbered(kResultsDir, suite + "-" + outputs.stamp_, 1));
    else
      outputs.targets_.push_back(report::check_output_path(options.out));
  }
  if (!options.save_baseline.empty()) {
    report::OutputTarget baseline = report::check_output_path(baseline_path(options.save_baseline), options.force);
    if (baseline.kind != report::OutputKind::kFile)
      throw report::OutputError("cannot write " + baseline.named.string() + ": a baseline must be a regular file");
    outputs.targets_.push_back(std::move(baseline));
  }
  return outputs;
}

fs::path ReportOutputs::write_new_default(std::string_view json) const {
  const fs::path dir = default_target_->resolved.parent_path();
  const std::string stem = suite_ + "-" + stamp_;
  for (int n = 1; n <= 100; ++n) {
    report::OutputTarget target = *default_target_;
    target.named = target.resolved = numbered(dir, stem, n);
    target.replace_existing = false;
    try {
      report::write_output(target, json);
      return target.named;
    } catch (const report::OutputError&) {
      if (!fs::exists(target.resolved)) throw;  // a real failure, not a name taken
    }
  }
  throw report::OutputError("cannot write " + numbered(dir, stem, 1).string() + ": 100 runs took this name");
}

void ReportOutputs::keep_elsewhere(std::string_view json, bool json_on_stdout) const {
  std::error_code ec;
  const fs::path temp_dir = fs::temp_directory_path(ec);
  if (!ec) {
    report::OutputTarget kept{numbered(temp_dir, "offload-bench-" + suite_ + "-" + stamp_, 1), {},
                              report::OutputKind::kFile, false};
    kept.resolved = kept.named;
    try {
      report::write_output(kept, json);
      std::cerr << "offload-bench: the report is kept in " << kept.named.string() << '\n';
      return;
    } catch (const report::OutputError& e) {
      std::cerr << "offload-bench: " << e.what() << '\n';
    }
  }
  if (json_on_stdout) {
    std::cerr << "offload-bench: the report is on stdout\n";
    return;
  }
  std::cerr << "offload-bench: the report follows on stdout\n";
  std::cout << json;
  std::cout.flush();
}

bool ReportOutputs::write(std::string_view json, bool partial, bool json_on_stdout) const {
  bool ok = true;
  const auto written = [&](const fs::path& path) {
    std::cerr << "offload-bench: report written to " << path.string() << (partial ? " (partial)" : "") << '\n';
  };
  if (default_target_) {
    try {
      written(write_new_default(json));
    } catch (const report::OutputError& e) {
      std::cerr << "offload-bench: " << e.what() << '\n';
      ok = false;
    }
  }
  for (const report::OutputTarget& target : targets_) {
    try {
      report::write_output(target, json);
      if (target.kind != report::OutputKind::kStdout) written(target.named);
    } catch (const report::OutputError& e) {
      std::cerr << "offload-bench: " << e.what() << '\n';
      ok = false;
    }
  }
  if (!ok) keep_elsewhere(json, json_on_stdout);
  return ok;
}

}  // namespace offload::cli
