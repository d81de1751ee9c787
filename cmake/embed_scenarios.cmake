# Writes OUTPUT: a C++ source defining offload::cli::embedded_suite() with the contents of
# the files listed in SCENARIOS (a ;-separated list), as raw string literals.
set(body "")
foreach(path IN LISTS SCENARIOS)
  file(READ "${path}" text)
  get_filename_component(name "${path}" NAME)
  string(APPEND body "    {\"${name}\", R\"offload_toml(${text})offload_toml\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from scenarios/*.toml by cmake/embed_scenarios.cmake; do not edit.
#include \"cli/embedded_suite.hpp\"

namespace offload::cli {
namespace {
constexpr EmbeddedScenario kSuite[] = {
${body}};
}  // namespace

std::span<const EmbeddedScenario> embedded_suite() { return kSuite; }

}  // namespace offload::cli
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
