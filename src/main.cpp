// offload-bench: parse, dispatch, map escaping exceptions to exit codes.
#include <exception>
#include <iostream>
#include <variant>

#include "cli/commands.hpp"
#include "cli/parser.hpp"

int main(int argc, char** argv) {
  using namespace offload::cli;
  try {
    Command command = parse_command_line(argc, argv);
    return std::visit(
        [](auto& options) -> int {
          using T = std::decay_t<decltype(options)>;
          if constexpr (std::is_same_v<T, int>) return options;
          else if constexpr (std::is_same_v<T, RunOptions>) return run_command(options);
          else if constexpr (std::is_same_v<T, AbOptions>) return ab_command(options);
          else if constexpr (std::is_same_v<T, ServeOptions>) return serve_command();
          else if constexpr (std::is_same_v<T, CompareOptions>) return compare_command(options);
          else if constexpr (std::is_same_v<T, ReportOptions>) return report_command(options);
          else if constexpr (std::is_same_v<T, ListOptions>) return list_command(options);
          else return validate_command(options);
        },
        command);
  } catch (const std::exception& e) {
    std::cerr << "offload-bench: " << e.what() << '\n';
    return kExitRunFailure;
  }
}
