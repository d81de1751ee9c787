// Markdown report: renders build_scenario_table's cells (table_reporter.hpp) as GitHub tables, and
// build_breakdown_table's (phase_breakdown.hpp) as one more under a point that has a breakdown.
#include "report/markdown_reporter.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "report/phase_breakdown.hpp"
#include "report/table_reporter.hpp"

namespace offload::report {

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n') out += ' ';
    else out += ch;
  }
  return out;
}

namespace {

std::string render(const Cell& cell) {
  if (cell.emphasis == 0) return markdown_cell(cell.text);
  return "**" + markdown_cell(cell.text.substr(0, cell.emphasis)) + "**" +
         markdown_cell(cell.text.substr(cell.emphasis));
}

// One GitHub table: the headers, the alignment row (numbers right), then one line per row.
void write_table(std::ostream& out, const std::vector<Column>& columns) {
  out << '|';
  for (const auto& c : columns) out << ' ' << markdown_cell(c.header) << " |";
  out << "\n|";
  for (const auto& c : columns) out << (c.right_aligned ? " ---: |" : " --- |");
  out << '\n';
  const std::size_t rows = columns.empty() ? 0 : columns.front().cells.size();
  for (std::size_t row = 0; row < rows; ++row) {
    out << '|';
    for (const auto& c : columns) out << ' ' << render(c.cells[row]) << " |";
    out << '\n';
  }
}

}  // namespace

void MarkdownReporter::write(const Report& report, std::ostream& out) const {
  out << "# offload-bench: " << markdown_cell(report.suite) << "\n\n";
  if (report.partial)
    out << "> **Partial run**: interrupted; only the scenarios below completed.\n\n";
  for (const auto& line : environment_lines(report.environment)) out << markdown_cell(line) << "  \n";

  for (const auto& scenario : report.scenarios) {
    const ScenarioTable t = build_scenario_table(scenario);
    out << "\n## " << markdown_cell(t.name);
    if (!t.point.empty()) out << " (" << markdown_cell(t.point) << ')';
    out << "\n\n";
    if (!t.reference.empty()) out << "Reference: " << markdown_cell(t.reference) << "\n\n";
    if (!scenario.skipped.empty()) {
      out << "Skipped: " << markdown_cell(scenario.skipped) << '\n';
      continue;
    }
    if (scenario.backend != "native") out << "On " << markdown_cell(scenario.backend) << "\n\n";

    write_table(out, t.columns);
    if (!t.expectations.empty() || !t.notes.empty() || !t.warnings.empty()) out << '\n';
    // Only a failure is bold: it is what a reader of a CI summary must not miss.
    for (const auto& e : t.expectations)
      out << "- expect: " << (e.tone == Tone::kBad ? render(e) : markdown_cell(e.text)) << '\n';
    for (const auto& note : t.notes) out << "- " << markdown_cell(note) << '\n';
    for (const auto& warning : t.warnings) out << "- **warning**: " << markdown_cell(warning) << '\n';
    if (const BreakdownTable breakdown = build_breakdown_table(scenario); !breakdown.empty()) {
      out << "\nBreakdown per offload phase (traced samples interleaved with the timed rounds; p50: median of their medians):\n\n";
      write_table(out, breakdown.columns);
    }
  }

  if (!report.warnings.empty()) out << "\n## Warnings\n\n";
  for (const auto& warning : report.warnings) out << "- " << markdown_cell(warning) << '\n';
}

std::unique_ptr<Reporter> make_markdown_reporter(const ReporterOptions& /*options*/) {
  return std::make_unique<MarkdownReporter>();
}

}  // namespace offload::report
