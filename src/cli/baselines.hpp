// Named baselines: reports kept under results/baselines/<name>.json, so "did my change slow it
// down" is `run --save-baseline main` on the old build and `compare --baseline main NEW.json`.
#pragma once

#include <filesystem>
#include <string_view>

namespace offload::cli {

inline constexpr std::string_view kBaselineDir = "results/baselines";

// Letters, digits, '_', '-', '.'; not empty, not starting with '.'.
bool is_baseline_name(std::string_view name);

std::filesystem::path baseline_path(std::string_view name);

}  // namespace offload::cli
