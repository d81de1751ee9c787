// --html OUT.html of run, compare and report: the page written atomically, one line on stderr.
#pragma once

#include <string>

namespace offload::cli {

// Writes html_page(title, payload_json) to `path` (temp + rename) and says so on stderr.
// Returns: kExitOk, or kExitRunFailure (an I/O error) after a one-line error naming the path.
int write_html_report(const std::string& path, const std::string& title, const std::string& payload_json);

}  // namespace offload::cli
