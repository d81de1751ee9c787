// toml++ adapters for the scenario loader.
#include "scenario/toml_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>

namespace offload::scenario {

Location location_of(const toml::source_region& region, const std::string& file,
                     const Location& fallback) {
  if (region.begin.line == 0) return fallback;
  return Location{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::vector<TomlEntry> entries_in_file_order(const toml::table& table, const std::string& file,
                                             const Location& table_at) {
  std::vector<TomlEntry> entries;
  entries.reserve(table.size());
  for (auto&& [key, node] : table) {
    const Location key_at = location_of(key.source(), file, table_at);
    entries.push_back(
        TomlEntry{std::string(key.str()), &node, key_at, location_of(node.source(), file, key_at)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const TomlEntry& a, const TomlEntry& b) {
    return std::tie(a.key_at.line, a.key_at.column) < std::tie(b.key_at.line, b.key_at.column);
  });
  return entries;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::optional<ParameterValue> scalar_value(const toml::node& node) {
  if (const auto* v = node.as_integer())
    return ParameterValue{std::in_place_type<std::int64_t>, v->get()};
  if (const auto* v = node.as_floating_point())
    return ParameterValue{std::in_place_type<double>, v->get()};
  if (const auto* v = node.as_string())
    return ParameterValue{std::in_place_type<std::string>, v->get()};
  if (const auto* v = node.as_boolean()) return ParameterValue{std::in_place_type<bool>, v->get()};
  return std::nullopt;
}

}  // namespace offload::scenario
