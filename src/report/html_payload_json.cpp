// Shared pieces of the HTML report's payloads (html_payload_json.hpp).
#include "report/html_payload_json.hpp"

#include <cmath>

#include <fmt/format.h>

namespace offload::report::html {

Json rounded(double value) {
  if (!std::isfinite(value)) return nullptr;
  return std::stod(fmt::format("{:.5g}", value));
}

Json interval(double low, double high) { return Json::array({rounded(low), rounded(high)}); }

Json rounded_list(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(rounded(v));
  return out;
}

Json environment_rows(const ReportEnvironment& e, ReportKind kind) {
  Json rows = Json::array();
  const auto add = [&](const char* label, const std::string& value) {
    if (!value.empty()) rows.push_back({label, value});
  };
  add("Format", std::string(to_string(kind)));
  add("CPU", e.cpu_model);
  if (e.num_cpus > 0) add("CPUs", std::to_string(e.num_cpus));
  add("Host", e.host);
  std::string build = e.build_type;
  if (!e.compiler.empty()) build += (build.empty() ? "" : ", ") + e.compiler;
  add("Build", build);
  std::string harness = e.harness_version;
  if (!e.git_revision.empty()) harness += " (" + e.git_revision + ")";
  add(kind == ReportKind::kOffloadBench ? "offload-bench" : "Executable",
      kind == ReportKind::kOffloadBench ? harness : e.executable);
  add("Date", e.date);
  return rows;
}

}  // namespace offload::report::html
