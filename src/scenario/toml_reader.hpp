// Reading a parsed TOML table for the scenario loader: entries in file order with their
// locations, scalar values as ParameterValue, and type names for messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "scenario/scenario.hpp"

namespace offload::scenario {

// `region`'s start in `file`, or `fallback` when toml++ recorded no position.
Location location_of(const toml::source_region& region, const std::string& file,
                     const Location& fallback);

// One key = value of a table.
struct TomlEntry {
  std::string key;
  const toml::node* value = nullptr;
  Location key_at;    // where the key is written
  Location value_at;  // where its value starts
};

// The entries of `table` in the order they appear in the file. toml++ keeps a table sorted by
// key; file order is what a reader expects for "the first error" and for a sweep's axes.
std::vector<TomlEntry> entries_in_file_order(const toml::table& table, const std::string& file,
                                             const Location& table_at);

// "an integer", "an array", "a table", ...: for "expected X, got Y" messages.
std::string_view type_name(const toml::node& node);

// A string, integer, float or boolean as a ParameterValue; nullopt for arrays, tables, dates.
std::optional<ParameterValue> scalar_value(const toml::node& node);

}  // namespace offload::scenario
