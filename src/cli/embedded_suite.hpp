// The default scenario suite, compiled into the binary (generated from scenarios/*.toml by
// CMake) so `offload-bench run` works from any directory.
#pragma once

#include <span>
#include <string_view>

namespace offload::cli {

struct EmbeddedScenario {
  std::string_view file_name;  // e.g. "state_copy_micro.toml"
  std::string_view toml;
};

std::span<const EmbeddedScenario> embedded_suite();

}  // namespace offload::cli
