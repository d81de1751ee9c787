#include "cli/baselines.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace offload::cli {

bool is_baseline_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

std::filesystem::path baseline_path(std::string_view name) {
  return std::filesystem::path(kBaselineDir) / (std::string(name) + ".json");
}

}  // namespace offload::cli
