// Loading scenario files: TOML in, a fully validated Scenario out, or one ScenarioError that
// says where (file:line:column), which key, and what is wrong. docs/scenarios.md is the user
// reference; the format in brief:
//
//   name = "state_copy_end_to_end"   # required, [a-z0-9_-]+
//   description = "..."              # required, non-empty
//   reference = "CPython gh-134173"  # required (may be "")
//   [runtime]                        # optional
//   workers = 2                      #   int >= 1; default CPython's min(32, cores + 4)
//   [workload]                       # optional
//   kind = "offload"                 #   offload | state_copy | offload_wrap   (offload)
//   job = "noop"                     #   noop | spin | sleep | stat | read | gil (noop)
//   job_ns = 1000                    #   int >= 0, spin and gil (1000)
//   job_us = 50                      #   int >= 0, sleep (50)
//   job_kib = 4                      #   int 1..65536, read (4)
//   ops = 1000                       #   int >= 1, operations per batch (1000)
//   concurrency = "gather"           #   gather | sequential | bounded (gather)
//   limit = 16                       #   int >= 1, bounded (16)
//   context_vars = 0                 #   int 0..1024 (0)
//   timeout_ms = 100.0               #   number > 0: wait_for around each call (none)
//   [compare]                        # required
//   axis = "state_copy"              #   a strategy axis id
//   baseline = "per_field_locks"     #   a strategy of that axis
//   candidates = ["snapshot"]        #   >= 1 distinct strategies of that axis, != baseline
//   [strategies]                     # optional: axis id = strategy id, for axes not compared
//   [sweep]                          # optional: "dotted.parameter" = [values...]; cartesian
//                                    #   product in file order, at most 256 points
//   [measure]                        # optional
//   warmup = 1                       #   int >= 0 (1)
//   repetitions = 10                 #   int 2..1000 (10)
//   min_time_ms = 50.0               #   number > 0 (50)
//   [[expect]]                       # optional, repeatable: one claim on the results each
//   faster = "snapshot"              #   a candidate is faster than the baseline (or no_slower =,
//   by = 0.30                        #   at_most = with counter and value, conforms =); by in [0, 1)
//   metric = "ns_per_op"             #   ns_per_op | cpu_ns_per_op (ns_per_op)
//
// Cross-key rules (cross_key_problem below): kind state_copy needs compare.axis state_copy;
// kind offload_wrap needs compare.axis offload; compare.axis executor or config needs kind
// offload; timeout_ms cannot go with a gather that some contender runs batched. Every sweep
// point must obey them too.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace offload::scenario {

// A scenario that cannot be loaded. what() is one line:
//   "FILE:LINE:COLUMN: KEY: MESSAGE"  a value or key that is wrong
//   "FILE:LINE:COLUMN: MESSAGE"       a TOML syntax error (toml++'s description)
//   "FILE: MESSAGE"                   the file itself ("cannot open: No such file or directory")
class ScenarioError : public std::runtime_error {
 public:
  // `location.line == 0` means "no position"; an empty `key` means "not about one key".
  ScenarioError(Location location, std::string key, std::string message);

  const Location& location() const { return location_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }

 private:
  Location location_;
  std::string key_;
  std::string message_;
};

// A broken cross-key rule: the key to blame and why.
struct RuleProblem {
  std::string key;  // a dotted parameter key, e.g. "workload.kind"
  std::string message;
};
// The first cross-key rule `scenario` (one sweep point, or a scenario without a sweep) breaks.
// The loader applies it to every point of a file; --set overrides are checked with it again.
std::optional<RuleProblem> cross_key_problem(const Scenario& scenario);

// Reads and validates `path`; errors name the file as `path` is spelled.
Scenario load_scenario_file(const std::filesystem::path& path);

// Validates `toml_text` as if it had been read from a file named `source_name` (the built-in
// suite uses "<embedded>/x.toml").
Scenario load_scenario_string(std::string_view toml_text, std::string source_name);

// The *.toml files directly inside `dir`, sorted by file name. Throws ScenarioError if `dir`
// cannot be listed.
std::vector<std::filesystem::path> find_scenario_files(const std::filesystem::path& dir);

}  // namespace offload::scenario
