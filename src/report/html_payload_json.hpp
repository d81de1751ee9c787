// What the run and compare payloads of the HTML report share: rounded numbers, a sample list, the
// environment rows of a report. Internal to src/report (its users link nlohmann_json privately).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/report_reader.hpp"

namespace offload::report::html {

// Ordered: the payload reads in the order it is built, and golden files stay stable.
using Json = nlohmann::ordered_json;

// `value` to 5 significant digits, or null when not finite (JSON has no NaN or infinity).
// 5 digits: more than a plot or a tooltip shows, and the payload of a long run stays small.
Json rounded(double value);

// [low, high], each rounded.
Json interval(double low, double high);

// Each value rounded, in order.
Json rounded_list(const std::vector<double>& values);

// [[label, value], ...] for the page header: what a report says about where it was produced.
Json environment_rows(const ReportEnvironment& e, ReportKind kind);

}  // namespace offload::report::html
