// --html OUT.html (html_output.hpp).
#include "cli/html_output.hpp"

#include <exception>
#include <iostream>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/html_report.hpp"

namespace offload::cli {

int write_html_report(const std::string& path, const std::string& title, const std::string& payload_json) {
  try {
    report::write_file_atomically(path, report::html_page(title, payload_json));
  } catch (const std::exception& e) {
    std::cerr << "offload-bench: --html: " << e.what() << '\n';
    return kExitRunFailure;
  }
  std::cerr << "offload-bench: HTML report written to " << path << '\n';
  return kExitOk;
}

}  // namespace offload::cli
