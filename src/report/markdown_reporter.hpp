// Markdown report for pull-request comments: per scenario a heading and a GitHub table with the
// same columns as the table reporter (verdicts in bold), then notes and warnings as lists.
#pragma once

#include "report/reporter.hpp"

namespace offload::report {

class MarkdownReporter final : public Reporter {
 public:
  // Note: ReporterOptions::colour does not apply; Markdown marks verdicts in bold instead.
  void write(const Report& report, std::ostream& out) const override;
};

}  // namespace offload::report
