// The one interface every report format implements, and the factory that picks one by name.
// Each format lives in its own file (table_reporter, json_reporter, markdown_reporter) and renders
// the same Report; none of them measures, decides or reorders anything.
#pragma once

#include <array>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "report/result.hpp"

namespace offload::report {

struct ReporterOptions {
  // ANSI colour for verdicts (table only). Off unless the caller turns it on: the caller decides
  // from isatty(stdout) and NO_COLOR, so reporters stay pure functions of their input.
  bool colour = false;
};

class Reporter {
 public:
  virtual ~Reporter() = default;

  // Renders the whole report to `out`. Deterministic: the same Report gives the same bytes.
  // Note: does not flush or check `out`; the caller owns the stream and its error state.
  virtual void write(const Report& report, std::ostream& out) const = 0;
};

// Defined in the reporter's own .cpp file.
std::unique_ptr<Reporter> make_table_reporter(const ReporterOptions& options);
std::unique_ptr<Reporter> make_json_reporter(const ReporterOptions& options);
std::unique_ptr<Reporter> make_markdown_reporter(const ReporterOptions& options);

// The names accepted by make_reporter, for CLI validation and help text.
inline constexpr std::array<std::string_view, 3> kReporterFormats = {"table", "json", "markdown"};

// Requires: `format` is one of kReporterFormats, otherwise std::invalid_argument naming the choices.
inline std::unique_ptr<Reporter> make_reporter(std::string_view format,
                                               const ReporterOptions& options = {}) {
  if (format == "table") return make_table_reporter(options);
  if (format == "json") return make_json_reporter(options);
  if (format == "markdown") return make_markdown_reporter(options);
  throw std::invalid_argument("unknown report format '" + std::string(format) +
                              "' (choose table, json or markdown)");
}

}  // namespace offload::report
