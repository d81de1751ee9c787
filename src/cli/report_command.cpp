// `offload-bench report FILE.json... --html OUT.html`: one HTML page of plots for reports already
// written (ours, native or cpython, complete or partial, or Google Benchmark's).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/html_output.hpp"
#include "report/html_report.hpp"

namespace offload::cli {

int report_command(const ReportOptions& options) {
  std::vector<report::ReportText> reports;
  std::string title = "offload-bench report:";
  for (const std::string& path : options.reports) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
      std::cerr << "offload-bench: " << path << ": cannot read: "
                << (errno != 0 ? std::strerror(errno) : "I/O error") << '\n';
      return kExitUsage;
    }
    reports.push_back({path, std::move(text)});
    title += " " + path;
  }
  std::string payload;
  try {
    payload = report::html_run_payload(reports);
  } catch (const report::ReportError& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitUsage;
  }
  return write_html_report(options.html, title, payload);
}

}  // namespace offload::cli
