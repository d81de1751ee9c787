// A scan of TOML text that skips strings and comments and counts the dots outside them
// (input_limits.hpp). It need not validate: toml++ reports syntax errors afterwards.
#include "scenario/input_limits.hpp"

namespace offload::scenario {

std::optional<LimitProblem> toml_limit_problem(std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes)
    return LimitProblem{Location{file}, "larger than " + std::to_string(kMaxScenarioBytes) + " bytes: not a scenario file"};
  std::size_t dots = 0;
  int line = 1;
  std::size_t line_start = 0;
  std::size_t i = 0;
  // Advances past the string that opens at i with `quote` ("\"", "'", "\"\"\"" or "'''"); basic
  // strings take backslash escapes. Counts the newlines of a multi-line string.
  const auto skip_string = [&](std::string_view quote) {
    const bool basic = quote[0] == '"';
    const bool multi_line = quote.size() == 3;
    for (i += quote.size(); i < text.size(); ++i) {
      if (basic && text[i] == '\\') {
        if (++i < text.size() && text[i] == '\n') {  // a multi-line string's line continuation
          ++line;
          line_start = i + 1;
        }
      } else if (text.substr(i, quote.size()) == quote) {
        i += quote.size();
        return;
      } else if (text[i] == '\n') {
        if (!multi_line) return;  // unterminated: toml++ will say so
        ++line;
        line_start = i + 1;
      }
    }
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      const std::string_view triple = c == '"' ? "\"\"\"" : "'''";
      skip_string(text.substr(i, 3) == triple ? triple : triple.substr(0, 1));
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      if (c == '\n') {
        ++line;
        line_start = i + 1;
      } else if (c == '.' && ++dots > kMaxDotsOutsideStrings) {
        return LimitProblem{Location{file, line, static_cast<int>(i - line_start + 1)},
                            "more than " + std::to_string(kMaxDotsOutsideStrings) +
                                " dotted-key parts and decimal points: nested too deep to be a scenario"};
      }
      ++i;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ops_limit_problem(const Scenario& point, std::int64_t max_ops) {
  if (point.workload.ops <= max_ops) return std::nullopt;
  return "workload.ops: " + std::to_string(point.workload.ops) + " is above the limit of " + std::to_string(max_ops) +
         " ops per batch (--max-ops raises it)";
}

}  // namespace offload::scenario
