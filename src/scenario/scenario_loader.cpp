// Scenario loading: TOML text in, a validated Scenario out. Checks run in a fixed order and the
// first failure is thrown: top-level keys, the header strings, [runtime], [workload], [measure],
// [compare], [strategies], [sweep], [[expect]], then the cross-key rules on every sweep point.
#include "scenario/scenario_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include <toml++/toml.h>

#include "scenario/parameters.hpp"
#include "scenario/sweep.hpp"
#include "scenario/toml_reader.hpp"
#include "strategy/registry.hpp"

namespace offload::scenario {
namespace {

// Newlines in user text (a key, a string value) would break the one-line what() promise.
std::string one_line(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

std::string format_error(const Location& location, const std::string& key,
                         const std::string& message) {
  std::string out = location.file;
  if (location.line > 0)
    out += ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return one_line(out + message);
}

constexpr std::string_view kTopLevelKeys[] = {"name",     "description", "reference",  "runtime",
                                              "workload", "compare",     "strategies", "sweep",
                                              "measure",  "expect",      "config",     "quick"};
constexpr std::string_view kCompareKeys[] = {"axis", "baseline", "candidates"};
constexpr std::string_view kParameterTables[] = {"runtime", "workload", "measure"};

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The parameter names of one table: "workload" -> kind, job, ...
std::vector<std::string_view> names_in(std::string_view table) {
  std::vector<std::string_view> names;
  for (std::string_view key : parameter_keys())
    if (key.size() > table.size() && key.starts_with(table) && key[table.size()] == '.')
      names.push_back(key.substr(table.size() + 1));
  return names;
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// [[expect]]: one kind key (in Expectation::Kind's order) names the strategy; `metric` and
// `counter` name what the runner compares (ns_per_op, cpu_ns_per_op) and what the counting pass
// counts (report::CountsPerOp's fields).
using Kind = Expectation::Kind;
constexpr Kind kKinds[] = {Kind::kFaster, Kind::kNoSlower, Kind::kAtMost, Kind::kConforms};
constexpr std::string_view kKindKeys[] = {"faster", "no_slower", "at_most", "conforms"};
constexpr std::string_view kExpectKeys[] = {"faster", "no_slower", "at_most", "conforms",
                                            "by",     "metric",    "counter", "value"};
constexpr std::string_view kExpectMetrics[] = {"ns_per_op", "cpu_ns_per_op"};
constexpr std::string_view kExpectCounters[] = {
    "lock_acquisitions", "heap_allocations",      "loop_wakeup_signals",
    "loop_wakeups",      "worker_wakeup_signals", "worker_wakeups"};

// The keys `kind` takes besides its own.
std::vector<std::string_view> options_of(Kind kind) {
  switch (kind) {
    case Kind::kFaster: return {"by", "metric"};
    case Kind::kNoSlower: return {"metric"};
    case Kind::kAtMost: return {"counter", "value"};
    case Kind::kConforms: break;
  }
  return {};
}

bool contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// One document's validation. Holds the scenario being built and where each plain key was set,
// so cross-key errors can point at the value that caused them.
class Loader {
 public:
  Loader(const toml::table& root, std::string file)
      : root_(root),
        file_(std::move(file)),
        root_at_(location_of(root.source(), file_, Location{file_, 1, 1})),
        top_(entries_in_file_order(root_, file_, root_at_)) {}

  Scenario load() {
    scenario_.source = file_;
    check_keys(top_, "", kTopLevelKeys);
    read_header();
    for (std::string_view table : kParameterTables) read_parameters(table);
    read_compare();
    read_strategies();
    read_configs();
    read_sweep();
    read_quick();
    read_expect();
    check_rules();
    return std::move(scenario_);
  }

 private:
  [[noreturn]] void fail(const Location& at, std::string key, std::string message) const {
    throw ScenarioError(at, std::move(key), std::move(message));
  }

  static const TomlEntry* find(const std::vector<TomlEntry>& entries, std::string_view key) {
    for (const TomlEntry& e : entries)
      if (e.key == key) return &e;
    return nullptr;
  }

  // Every key of a table must be one of `valid`; `prefix` is the table's dotted path.
  void check_keys(const std::vector<TomlEntry>& entries, std::string_view prefix,
                  std::span<const std::string_view> valid) const {
    for (const TomlEntry& e : entries) {
      if (std::find(valid.begin(), valid.end(), e.key) != valid.end()) continue;
      // A [table] is pointed at by its header, a key = value by its key.
      const bool is_table = e.value->is_table();
      fail(is_table ? e.value_at : e.key_at, std::string(prefix) + e.key,
           std::string(is_table ? "unknown table" : "unknown key") + " (valid: " + join(valid) +
               ")");
    }
  }

  // A top-level table, or nullptr when it is absent and optional.
  const toml::table* table(std::string_view key, bool required, Location& at) const {
    const TomlEntry* e = find(top_, key);
    if (e == nullptr) {
      if (required) fail(root_at_, std::string(key), "required table is missing");
      return nullptr;
    }
    if (!e->value->is_table())
      fail(e->value_at, std::string(key),
           "expected a table, got " + std::string(type_name(*e->value)));
    at = e->value_at;
    return e->value->as_table();
  }

  std::string string_value(const TomlEntry& e, const std::string& key) const {
    const auto* s = e.value->as_string();
    if (s == nullptr)
      fail(e.value_at, key, "expected a string, got " + std::string(type_name(*e.value)));
    return s->get();
  }

  std::string required_string(const std::vector<TomlEntry>& entries, std::string_view prefix,
                              std::string_view key, const Location& table_at) const {
    const std::string dotted = std::string(prefix) + std::string(key);
    const TomlEntry* e = find(entries, key);
    if (e == nullptr) fail(table_at, dotted, "required key is missing");
    return string_value(*e, dotted);
  }

  void read_header() {
    scenario_.name = required_string(top_, "", "name", root_at_);
    if (!is_valid_name(scenario_.name))
      fail(find(top_, "name")->value_at, "name",
           "must be non-empty and use only a-z, 0-9, '_' and '-' (got " +
               in_quotes(scenario_.name) + ")");
    scenario_.description = required_string(top_, "", "description", root_at_);
    if (scenario_.description.empty())
      fail(find(top_, "description")->value_at, "description", "must not be empty");
    scenario_.reference = required_string(top_, "", "reference", root_at_);
  }

  // [runtime], [workload], [measure]: every key goes through apply_parameter.
  void read_parameters(std::string_view name) {
    Location at;
    const toml::table* t = table(name, false, at);
    if (t == nullptr) return;
    const auto entries = entries_in_file_order(*t, file_, at);
    const std::string prefix = std::string(name) + ".";
    check_keys(entries, prefix, names_in(name));
    for (const TomlEntry& e : entries) {
      const std::string key = prefix + e.key;
      const std::optional<ParameterValue> value = scalar_value(*e.value);
      if (!value)
        fail(e.value_at, key,
             "expected " + std::string(parameter_type(key)) + ", got " +
                 std::string(type_name(*e.value)));
      if (auto problem = apply_parameter(scenario_, key, *value)) fail(e.value_at, key, *problem);
      set_at_[key] = e.value_at;
    }
  }

  const strategy::StrategyInfo& strategy_of(const strategy::AxisInfo& axis, const toml::node& node,
                                            const Location& node_at, const std::string& key) const {
    const auto* s = node.as_string();
    if (s == nullptr)
      fail(node_at, key, "expected a strategy id string, got " + std::string(type_name(node)));
    const strategy::StrategyInfo* info = strategy::find_strategy(axis, s->get());
    if (info == nullptr)
      fail(node_at, key,
           "unknown strategy " + in_quotes(s->get()) + " on axis " + in_quotes(axis.id) +
               " (valid: " + strategy::strategy_ids(axis) + ")");
    return *info;
  }

  void read_compare() {
    Location at;
    const toml::table& t = *table("compare", true, at);
    const auto entries = entries_in_file_order(t, file_, at);
    check_keys(entries, "compare.", kCompareKeys);
    CompareConfig& compare = scenario_.compare;

    compare.axis = required_string(entries, "compare.", "axis", at);
    const TomlEntry& axis_entry = *find(entries, "axis");
    set_at_["compare.axis"] = axis_entry.value_at;
    if (compare.axis == kConfigAxis) return read_compared_configs(entries, at);
    const strategy::AxisInfo* axis = strategy::find_axis(compare.axis);
    if (axis == nullptr)
      fail(axis_entry.value_at, "compare.axis",
           "unknown axis " + in_quotes(compare.axis) + " (valid: " + strategy::axis_ids() + ", " +
               std::string(kConfigAxis) + ")");

    const TomlEntry* baseline = find(entries, "baseline");
    if (baseline == nullptr) fail(at, "compare.baseline", "required key is missing");
    compare.baseline = std::string(
        strategy_of(*axis, *baseline->value, baseline->value_at, "compare.baseline").id);

    const TomlEntry* candidates = find(entries, "candidates");
    if (candidates == nullptr) fail(at, "compare.candidates", "required key is missing");
    const toml::array* list = candidates->value->as_array();
    if (list == nullptr)
      fail(candidates->value_at, "compare.candidates",
           "expected an array of strategy ids, got " + std::string(type_name(*candidates->value)));
    if (list->empty())
      fail(candidates->value_at, "compare.candidates", "needs at least one strategy");
    for (const toml::node& node : *list) {
      const Location node_at = location_of(node.source(), file_, candidates->value_at);
      const std::string id(strategy_of(*axis, node, node_at, "compare.candidates").id);
      if (id == compare.baseline)
        fail(node_at, "compare.candidates",
             in_quotes(id) + " is the baseline; a candidate must differ from it");
      if (std::find(compare.candidates.begin(), compare.candidates.end(), id) !=
          compare.candidates.end())
        fail(node_at, "compare.candidates", "duplicate candidate " + in_quotes(id));
      compare.candidates.push_back(id);
    }
  }

  // compare.axis = "config": baseline and candidates name [config.<name>] tables, read later by
  // read_configs(), which checks that each is defined.
  void read_compared_configs(const std::vector<TomlEntry>& entries, const Location& at) {
    CompareConfig& compare = scenario_.compare;
    auto name_of = [&](const toml::node& node, const Location& node_at, const char* key) {
      const auto* s = node.as_string();
      if (s == nullptr || !is_valid_name(s->get()))
        fail(node_at, key, "expected a configuration name (a-z, 0-9, _ or -), got " + std::string(type_name(node)));
      configs_named_at_.push_back({s->get(), node_at, key});
      return s->get();
    };
    const TomlEntry* baseline = find(entries, "baseline");
    if (baseline == nullptr) fail(at, "compare.baseline", "required key is missing");
    compare.baseline = name_of(*baseline->value, baseline->value_at, "compare.baseline");
    const TomlEntry* candidates = find(entries, "candidates");
    if (candidates == nullptr) fail(at, "compare.candidates", "required key is missing");
    const toml::array* list = candidates->value->as_array();
    if (list == nullptr || list->empty())
      fail(candidates->value_at, "compare.candidates", "expected a non-empty array of configuration names");
    for (const toml::node& node : *list) {
      const Location node_at = location_of(node.source(), file_, candidates->value_at);
      std::string name = name_of(node, node_at, "compare.candidates");
      if (name == compare.baseline || std::find(compare.candidates.begin(), compare.candidates.end(), name) !=
                                          compare.candidates.end())
        fail(node_at, "compare.candidates", "configuration " + in_quotes(name) + " is compared twice");
      compare.candidates.push_back(std::move(name));
    }
  }

  // [config.<name>]: one table per compared configuration, axis = strategy on top of
  // [strategies]. Only with compare.axis = "config", and every compared name defined.
  void read_configs() {
    Location at;
    const toml::table* t = table("config", false, at);
    const bool comparing = scenario_.compare.axis == kConfigAxis;
    if (t != nullptr && !comparing)
      fail(at, "config", "[config.<name>] tables need compare.axis = \"config\"");
    if (!comparing) return;
    for (const TomlEntry& c : t ? entries_in_file_order(*t, file_, at) : std::vector<TomlEntry>{}) {
      const std::string prefix = "config." + c.key;
      const toml::table* body = c.value->as_table();
      if (body == nullptr) fail(c.value_at, prefix, "expected a table of axis = strategy");
      NamedConfig config{c.key, scenario_.fixed, {}, {}, {}};
      for (const TomlEntry& e : entries_in_file_order(*body, file_, c.value_at)) {
        const std::string key = prefix + "." + e.key;
        if (e.key == "backend" || e.key == "loop" || e.key == "python") {
          read_config_runtime(config, e, key);
          continue;
        }
        const strategy::AxisInfo* axis = strategy::find_axis(e.key);
        if (axis == nullptr)
          fail(e.key_at, key, "unknown axis (valid: " + strategy::axis_ids() + "; or backend, loop, python)");
        config.selection.set(axis->id, strategy_of(*axis, *e.value, e.value_at, key).id);
      }
      scenario_.compare.configs.push_back(std::move(config));
    }
    for (const ConfigReference& named : configs_named_at_) {
      const auto& configs = scenario_.compare.configs;
      if (std::none_of(configs.begin(), configs.end(), [&](const NamedConfig& c) { return c.name == named.name; }))
        fail(named.at, named.key, "configuration " + in_quotes(named.name) + " has no [config." + named.name + "] table");
    }
  }

  // A [config.<name>] key that picks the runtime the configuration runs on (backend, loop,
  // python): checked as the runtime.<key> parameter is, kept as the configuration's override.
  void read_config_runtime(NamedConfig& config, const TomlEntry& e, const std::string& key) {
    Scenario probe = scenario_;
    const std::string parameter = "runtime." + e.key;
    const std::optional<ParameterValue> value = scalar_value(*e.value);
    if (!value)
      fail(e.value_at, key,
           "expected " + std::string(parameter_type(parameter)) + ", got " + std::string(type_name(*e.value)));
    if (auto problem = apply_parameter(probe, parameter, *value)) fail(e.value_at, key, *problem);
    if (e.key == "backend") config.backend = probe.runtime.backend;
    if (e.key == "loop") config.loop = probe.runtime.loop;
    if (e.key == "python") config.python = probe.runtime.python;
  }

  // [strategies]: the fixed choice on axes not compared.
  void read_strategies() {
    Location at;
    const toml::table* t = table("strategies", false, at);
    if (t == nullptr) return;
    for (const TomlEntry& e : entries_in_file_order(*t, file_, at)) {
      const std::string key = "strategies." + e.key;
      const strategy::AxisInfo* axis = strategy::find_axis(e.key);
      if (axis == nullptr)
        fail(e.key_at, key, "unknown axis (valid: " + strategy::axis_ids() + ")");
      if (axis->id == scenario_.compare.axis)
        fail(e.key_at, key,
             "axis " + in_quotes(axis->id) + " is compared in [compare]; it cannot also be fixed");
      scenario_.fixed.set(axis->id, strategy_of(*axis, *e.value, e.value_at, key).id);
    }
  }

  // [quick]: how the scenario shrinks for `run --quick`, as "dotted.key" = value overrides
  // (e.g. "workload.ops" = 20000), each checked as --set would check it.
  void read_quick() {
    Location at;
    const toml::table* t = table("quick", false, at);
    if (t == nullptr) return;
    Scenario scratch = scenario_;
    for (const TomlEntry& e : entries_in_file_order(*t, file_, at)) {
      const std::string key = "quick.\"" + e.key + "\"";
      if (!is_parameter(e.key))
        fail(e.key_at, key, "not a parameter (valid: " + join(parameter_keys()) + ")");
      const std::optional<ParameterValue> value = scalar_value(*e.value);
      if (!value)
        fail(e.value_at, key,
             "expected " + std::string(parameter_type(e.key)) + ", got " + std::string(type_name(*e.value)));
      if (auto problem = apply_parameter(scratch, e.key, *value)) fail(e.value_at, key, *problem);
      scenario_.quick.emplace_back(e.key, *value);
    }
  }

  void read_sweep() {
    Location at;
    const toml::table* t = table("sweep", false, at);
    if (t == nullptr) return;
    std::size_t points = 1;
    for (const TomlEntry& e : entries_in_file_order(*t, file_, at)) {
      const std::string key = "sweep.\"" + e.key + "\"";
      if (e.value->is_table())
        fail(e.key_at, "sweep." + e.key,
             "expected an array; write the parameter as one quoted key, e.g. "
             "\"workload.ops\" = [100, 1000]");
      if (!is_parameter(e.key))
        fail(e.key_at, key, "not a sweepable parameter (valid: " + join(parameter_keys()) + ")");
      if (auto set = set_at_.find(e.key); set != set_at_.end())
        fail(e.key_at, key,
             "also set at line " + std::to_string(set->second.line) +
                 "; a parameter is either fixed or swept");
      const toml::array* list = e.value->as_array();
      if (list == nullptr)
        fail(e.value_at, key,
             "expected an array of values, got " + std::string(type_name(*e.value)));
      if (list->empty()) fail(e.value_at, key, "empty array: give at least one value");

      // Checked before the values so a huge array is refused without being scanned.
      points *= list->size();
      if (points > kMaxSweepPoints)
        fail(e.value_at, key,
             "the sweep reaches " + std::to_string(points) + " points here; the limit is " +
                 std::to_string(kMaxSweepPoints));

      SweepAxis axis{e.key, {}, e.value_at};
      Scenario scratch = scenario_;  // each value is applied to it, then discarded
      for (const toml::node& node : *list) {
        const Location node_at = location_of(node.source(), file_, e.value_at);
        const std::optional<ParameterValue> value = scalar_value(node);
        if (!value)
          fail(node_at, key,
               "expected " + std::string(parameter_type(e.key)) + ", got " +
                   std::string(type_name(node)));
        if (auto problem = apply_parameter(scratch, e.key, *value)) fail(node_at, key, *problem);
        if (std::find(axis.values.begin(), axis.values.end(), *value) != axis.values.end())
          fail(node_at, key, "duplicate value " + to_string(*value));
        axis.values.push_back(*value);
      }
      scenario_.sweep.push_back(std::move(axis));
    }
  }

  // [[expect]]: claims about this scenario's results, checked by measure/expectations.hpp.
  void read_expect() {
    const TomlEntry* e = find(top_, "expect");
    if (e == nullptr) return;
    const toml::array* list = e->value->as_array();
    if (list == nullptr || !(list->empty() || list->is_array_of_tables()))
      fail(e->value_at, "expect",
           "expected an array of tables ([[expect]]), got " + std::string(type_name(*e->value)));
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& node = *list->get(i);
      scenario_.expectations.push_back(
          read_expectation(*node.as_table(), "expect[" + std::to_string(i) + "]",
                           location_of(node.source(), file_, e->value_at)));
    }
  }

  // One [[expect]] table, checked in order: unknown keys, exactly one kind key, keys that kind
  // does not take, the strategy, then the kind's own keys.
  Expectation read_expectation(const toml::table& t, const std::string& prefix,
                               const Location& at) const {
    const auto entries = entries_in_file_order(t, file_, at);
    check_keys(entries, prefix + ".", kExpectKeys);
    const TomlEntry* kind = nullptr;
    for (const TomlEntry& e : entries) {
      if (!contains(kKindKeys, e.key)) continue;
      if (kind != nullptr)
        fail(e.key_at, prefix + "." + e.key,
             "one claim per [[expect]], and this one already has " + in_quotes(kind->key) +
                 " (write another [[expect]])");
      kind = &e;
    }
    if (kind == nullptr) fail(at, prefix, "needs exactly one of " + join(kKindKeys));
    Expectation x;
    x.location = at;
    x.kind = kKinds[std::find(std::begin(kKindKeys), std::end(kKindKeys), kind->key) -
                    std::begin(kKindKeys)];
    const std::vector<std::string_view> options = options_of(x.kind);
    for (const TomlEntry& e : entries)
      if (&e != kind && !contains(options, e.key))
        fail(e.key_at, prefix + "." + e.key,
             "not used by " + kind->key +
                 (options.empty() ? std::string(" (it takes no other key)")
                                  : " (it takes " + join(options) + ")"));
    x.strategy = expected_strategy(*kind, prefix + "." + kind->key, x.kind);

    const auto choice = [&](std::string_view key, std::span<const std::string_view> valid) {
      const TomlEntry* e = find(entries, key);
      const std::string dotted = prefix + "." + std::string(key);
      if (e == nullptr)
        fail(at, dotted, "required by " + kind->key + " (valid: " + join(valid) + ")");
      std::string value = string_value(*e, dotted);
      if (!contains(valid, value))
        fail(e->value_at, dotted, "unknown " + std::string(key) + " " + in_quotes(value) +
                                      " (valid: " + join(valid) + ")");
      return value;
    };
    // A number in [0, upper) (`open`) or [0, upper]; `rule` says so when it is not.
    const auto number_in = [&](std::string_view key, double upper, bool open, std::string rule) {
      const TomlEntry* e = find(entries, key);
      const std::string dotted = prefix + "." + std::string(key);
      if (e == nullptr) fail(at, dotted, "required by " + kind->key + ": " + rule);
      const std::optional<ParameterValue> v = scalar_value(*e->value);
      const auto* i = v ? std::get_if<std::int64_t>(&*v) : nullptr;
      const auto* d = v ? std::get_if<double>(&*v) : nullptr;
      if (i == nullptr && d == nullptr)
        fail(e->value_at, dotted, "expected a number, got " + std::string(type_name(*e->value)));
      const double value = i != nullptr ? static_cast<double>(*i) : *d;
      if (!(value >= 0 && (open ? value < upper : value <= upper)))
        fail(e->value_at, dotted, "must be " + rule + " (got " + to_string(*v) + ")");
      return value;
    };
    if (x.kind == Kind::kFaster || x.kind == Kind::kNoSlower) {
      if (find(entries, "metric") != nullptr) x.metric = choice("metric", kExpectMetrics);
    }
    if (x.kind == Kind::kFaster && find(entries, "by") != nullptr)
      x.value = number_in("by", 1, true, "a fraction in [0, 1), e.g. 0.30 for at least 30% faster");
    if (x.kind == Kind::kAtMost) {
      x.metric = choice("counter", kExpectCounters);
      x.value = number_in("value", std::numeric_limits<double>::max(), false,
                         "a finite count per op >= 0");
    }
    return x;
  }

  // The strategy an [[expect]] names: faster / no_slower compare a candidate with the baseline;
  // at_most / conforms take either.
  std::string expected_strategy(const TomlEntry& e, const std::string& key, Kind kind) const {
    std::string id = string_value(e, key);
    const CompareConfig& compare = scenario_.compare;
    const auto& candidates = compare.candidates;
    const bool candidate = std::find(candidates.begin(), candidates.end(), id) != candidates.end();
    const bool needs_candidate = kind == Kind::kFaster || kind == Kind::kNoSlower;
    if (candidate || (!needs_candidate && id == compare.baseline)) return id;
    std::string valid = needs_candidate ? "" : compare.baseline;
    for (const std::string& c : candidates) valid += (valid.empty() ? "" : ", ") + c;
    if (id == compare.baseline)
      fail(e.value_at, key,
           in_quotes(id) + " is the baseline; " + e.key + " needs a candidate (valid: " + valid +
               ")");
    fail(e.value_at, key,
         in_quotes(id) + " is not compared in this scenario (valid: " + valid + ")");
  }

  void check_rules() const {
    for (const ScenarioPoint& point : expand_sweep(scenario_)) {
      const std::optional<RuleProblem> problem = cross_key_problem(point.scenario);
      if (!problem) continue;
      for (const SweepAxis& axis : scenario_.sweep) {
        if (axis.parameter != problem->key) continue;
        std::string values;
        for (const auto& [key, value] : point.parameters)
          values += (values.empty() ? "" : ", ") + key + "=" + value;
        fail(axis.location, "sweep.\"" + problem->key + "\"",
             problem->message + " (at sweep point " + values + ")");
      }
      const auto set = set_at_.find(problem->key);
      fail(set != set_at_.end() ? set->second : set_at_.at("compare.axis"), problem->key, problem->message);
    }
  }

  const toml::table& root_;
  std::string file_;
  Location root_at_;
  std::vector<TomlEntry> top_;
  Scenario scenario_;
  std::map<std::string, Location, std::less<>> set_at_;  // dotted key -> where its value is
  struct ConfigReference {
    std::string name;
    Location at;
    std::string key;  // compare.baseline or compare.candidates
  };
  std::vector<ConfigReference> configs_named_at_;  // compared config names, checked by read_configs
};

}  // namespace

std::optional<RuleProblem> cross_key_problem(const Scenario& s) {
  // Blamed on workload.kind, the key that picks what is measured.
  const auto kind_problem = [](std::string message) { return RuleProblem{"workload.kind", std::move(message)}; };
  const std::string kind(to_string(s.workload.kind));
  const std::string& axis = s.compare.axis;
  if (s.workload.kind == WorkloadKind::kStateCopy && axis != "state_copy")
    return kind_problem("kind 'state_copy' measures the state_copy axis, but compare.axis is " + in_quotes(axis));
  if (s.workload.kind == WorkloadKind::kOffloadWrap && axis != "offload")
    return kind_problem("kind 'offload_wrap' measures the offload axis, but compare.axis is " + in_quotes(axis));
  if (axis == kConfigAxis && s.workload.kind != WorkloadKind::kOffload)
    return kind_problem("compare.axis 'config' needs kind 'offload' (the micro kinds measure one axis)");
  if (axis == "executor" && s.workload.kind != WorkloadKind::kOffload)
    return kind_problem("compare.axis 'executor' needs kind 'offload' (" + in_quotes(kind) + " runs no executor)");
  if (s.workload.timeout_ms && s.workload.concurrency == Concurrency::kGather) {
    std::vector<std::string> contenders{s.compare.baseline};
    contenders.insert(contenders.end(), s.compare.candidates.begin(), s.compare.candidates.end());
    for (const std::string& id : contenders)
      if (selection_of(s, id).gather == "batched")
        return RuleProblem{"workload.timeout_ms",
                           "gather 'batched' (" + in_quotes(id) +
                               ") awaits a gather's ops as one batch: there is no per-op await for wait_for"};
  }
  return std::nullopt;
}

ScenarioError::ScenarioError(Location location, std::string key, std::string message)
    : std::runtime_error(format_error(location, key, message)),
      location_(std::move(location)),
      key_(std::move(key)),
      message_(std::move(message)) {}

Scenario load_scenario_string(std::string_view toml_text, std::string source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    throw ScenarioError(location_of(e.source(), source_name, Location{source_name, 1, 1}), "",
                        std::string(e.description()));
  }
  return Loader(root, std::move(source_name)).load();
}

Scenario load_scenario_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  const auto cannot = [&](const char* what) {
    return ScenarioError(Location{name}, "", std::string(what) + ": " + std::strerror(errno));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) throw cannot("cannot open");
  std::string text;
  char buffer[16384];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) throw cannot("cannot read");
  return load_scenario_string(text, name);
}

std::vector<std::filesystem::path> find_scenario_files(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw ScenarioError(Location{dir.string()}, "", "cannot open: " + ec.message());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it) {
    std::error_code type_ec;
    if (entry.path().extension() == ".toml" && entry.is_regular_file(type_ec))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return files;
}

}  // namespace offload::scenario
