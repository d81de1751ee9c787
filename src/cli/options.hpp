// Plain option structs, one per subcommand, filled by the CLI11 parser (cli/parser.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace offload::cli {

struct RunOptions {
  std::vector<std::string> paths;  // scenario files or directories; empty: the built-in suite
  std::string filter;              // ECMAScript regex over "<scenario>/<param=value>..."
  bool quick = false;              // smoke run: 3 repetitions, 1 warm-up, short samples
  std::optional<std::int64_t> repetitions;
  std::uint64_t seed = 1;
  std::string out;                 // report path; "" = results/<suite>-<UTC timestamp>.json
  bool no_out = false;             // do not write a report file
  std::string format = "table";    // what stdout shows
  bool quiet = false;              // no progress line
  double alpha = 0.05;
  double threshold = 0.02;
  std::vector<std::string> set;    // KEY=VALUE parameter overrides, applied to every scenario
  std::string save_baseline;       // also keep the report as results/baselines/<name>.json
};

struct ListOptions {
  std::string what = "all";  // all | scenarios | strategies | jobs
};

struct ValidateOptions {
  std::vector<std::string> files;
};

}  // namespace offload::cli
