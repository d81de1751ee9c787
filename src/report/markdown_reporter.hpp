// Markdown report for pull-request comments: per scenario a heading and a GitHub table with the
// same columns as the table reporter (verdicts in bold), then notes and warnings as lists, then
// the --breakdown table (p50/p99 per phase; no bars) when a strategy has one.
#pragma once

#include <string>
#include <string_view>

#include "report/reporter.hpp"

namespace offload::report {

// `text` as one GitHub table cell: '|' escaped so it cannot close the cell early, newlines
// folded so the row stays one line. Shared with the compare report's markdown.
std::string markdown_cell(std::string_view text);

class MarkdownReporter final : public Reporter {
 public:
  // Note: ReporterOptions::colour does not apply; Markdown marks verdicts in bold instead.
  void write(const Report& report, std::ostream& out) const override;
};

}  // namespace offload::report
