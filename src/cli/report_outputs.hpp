// The report files of `run`: --out PATH (or a new results/<suite>-<timestamp>.json) and
// --save-baseline NAME. Checked before the run, so a long run cannot end in a write that was
// never possible; written after it, and a failed write keeps the report elsewhere and says where.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "report/output_file.hpp"

namespace offload::cli {

class ReportOutputs {
 public:
  // Resolves and checks every output of `options` for a run of `suite`.
  // Throws: report::OutputError (one line naming the path) when one cannot be written, or when
  //   --save-baseline names an existing baseline without --force.
  static ReportOutputs check(const RunOptions& options, const std::string& suite);

  // Writes `json` to every output, one stderr line each ("report written to ...").
  // `json_on_stdout`: stdout already shows this report, so a failed write need not repeat it.
  // Returns false if any write failed; the message names the path and the error, and the report
  //   was then kept in a new file under the temp directory (named on stderr) or, failing that, on
  //   stdout.
  bool write(std::string_view json, bool partial, bool json_on_stdout) const;

  // True when the run writes no report file.
  bool empty() const { return targets_.empty() && !default_target_; }

 private:
  // A default report name that no other run has taken: results/<suite>-<timestamp>.json,
  // "-2", "-3"... appended if needed. Throws report::OutputError.
  std::filesystem::path write_new_default(std::string_view json) const;
  void keep_elsewhere(std::string_view json, bool json_on_stdout) const;

  std::vector<report::OutputTarget> targets_;
  std::optional<report::OutputTarget> default_target_;  // the first candidate name, checked
  std::string suite_;
  std::string stamp_;  // UTC, to the microsecond: 20261202T163000.123456Z
};

}  // namespace offload::cli
