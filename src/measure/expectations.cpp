// Expectations checked against a point's results; the rules are in expectations.hpp.
#include "measure/expectations.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace offload::measure {
namespace {

using report::Comparison;
using report::ExpectationResult;
using report::ScenarioResult;
using report::StrategyResult;
using Outcome = ExpectationResult::Outcome;
using Kind = scenario::Expectation::Kind;

const StrategyResult* find_strategy(const ScenarioResult& r, std::string_view id) {
  for (const StrategyResult& s : r.strategies)
    if (s.strategy == id) return &s;
  return nullptr;
}

const Comparison* find_comparison(const ScenarioResult& r, std::string_view candidate,
                                  std::string_view metric) {
  for (const Comparison& c : r.comparisons)
    if (c.candidate == candidate && c.metric == metric) return &c;
  return nullptr;
}

// Whether Holm's step-down rejected `target`. The runner records each comparison's rank
// threshold as its `alpha`; a hypothesis is rejected when it and every one ranked before it
// (by p, ties in input order, as holm_bonferroni) are at or below their thresholds.
bool holm_significant(const std::vector<Comparison>& all, const Comparison& target) {
  std::vector<std::size_t> by_p(all.size());
  std::iota(by_p.begin(), by_p.end(), 0);
  std::stable_sort(by_p.begin(), by_p.end(),
                   [&](std::size_t a, std::size_t b) { return all[a].p_value < all[b].p_value; });
  for (std::size_t i : by_p) {
    if (!(all[i].p_value <= all[i].alpha)) return false;
    if (&all[i] == &target) return true;
  }
  return false;
}

// The smallest two-sided p the exact U test can give with n and m samples: both samples
// completely separated, 2 / C(n + m, n). With 3 and 3 (--quick) that is 0.1; ties switch to
// the normal approximation, whose floor is lower but still far above a Holm-corrected 0.05.
double smallest_p_value(std::size_t n, std::size_t m) {
  double combinations = 1;
  for (std::size_t i = 1; i <= std::min(n, m); ++i)
    combinations = combinations * static_cast<double>(n + m - std::min(n, m) + i) /
                   static_cast<double>(i);
  return std::min(1.0, 2 / combinations);
}

std::string p_text(double p) {
  return p < 0.001 ? std::string("p<0.001") : fmt::format("p={:.3f}", p);
}

// "ratio 0.48 [0.47, 0.49] p<0.001: 52% faster"
std::string ratio_text(const Comparison& c) {
  std::string change;
  const double percent = std::round(std::abs(1 - c.ratio) * 100);
  if (percent == 0) change = "no change";
  else change = fmt::format("{:.0f}% {}", percent, c.ratio < 1 ? "faster" : "slower");
  return fmt::format("ratio {:.2f} [{:.2f}, {:.2f}] {}: {}", c.ratio, c.ratio_ci.low,
                     c.ratio_ci.high, p_text(c.p_value), change);
}

// A count as short as it can be while still telling it apart from the bound it is held to.
std::string count_text(double value, double bound) {
  for (int digits = 4; digits < 17; ++digits) {
    std::string text = fmt::format("{:.{}g}", value, digits);
    if (value == bound || text != fmt::format("{:.{}g}", bound, digits)) return text;
  }
  return fmt::format("{}", value);
}

std::string percent_text(double fraction) { return fmt::format("{:g}%", fraction * 100); }

std::string describe(const scenario::Expectation& x, const scenario::Scenario& s) {
  switch (x.kind) {
    case Kind::kFaster:
      return fmt::format("{} {}faster than {} on {}", x.strategy,
                         x.value > 0 ? "at least " + percent_text(x.value) + " " : "",
                         s.compare.baseline, x.metric);
    case Kind::kNoSlower:
      return fmt::format("{} no slower than {} on {}", x.strategy, s.compare.baseline, x.metric);
    case Kind::kAtMost:
      return fmt::format("{} {} per op <= {:g}", x.strategy, x.metric, x.value);
    case Kind::kConforms:
      return fmt::format("{} keeps every guarantee it claims", x.strategy);
  }
  return "unknown expectation";
}

struct Judgement {
  Outcome outcome;
  std::string detail;
};

Judgement inconclusive(std::string detail) { return {Outcome::kInconclusive, std::move(detail)}; }

Judgement judge_faster(const scenario::Expectation& x, const ScenarioResult& r,
                       const Comparison& c) {
  const double bound = 1 - x.value;
  if (!std::isfinite(c.ratio_ci.low) || !std::isfinite(c.ratio_ci.high))
    return inconclusive(fmt::format("no finite ratio CI ({})", ratio_text(c)));
  const bool significant = holm_significant(r.comparisons, c);
  const std::string evidence = ratio_text(c);
  const std::string bound_text = fmt::format("{:g}", bound);
  if (c.ratio_ci.high < bound && significant) return {Outcome::kPassed, evidence};
  if (c.ratio_ci.low > bound && (x.value > 0 || significant))
    return {Outcome::kFailed, evidence + "; the whole CI is above " + bound_text};
  if (c.ratio_ci.low > bound)
    return inconclusive(evidence + "; the CI is above 1 but the difference is not significant (" +
                        p_text(c.p_value) + fmt::format(" > alpha {:.3g})", c.alpha));
  if (c.ratio_ci.high >= bound) return inconclusive(evidence + "; the CI straddles " + bound_text);
  // The CI is below the bound, but the U test does not support a difference.
  std::string why = fmt::format("; the CI is below {} but the difference is not significant "
                                "({} > alpha {:.3g})",
                                bound_text, p_text(c.p_value), c.alpha);
  const StrategyResult* candidate = find_strategy(r, c.candidate);
  const StrategyResult* baseline = find_strategy(r, c.baseline);
  if (candidate != nullptr && baseline != nullptr) {
    const std::size_t n = candidate->samples.size(), m = baseline->samples.size();
    const double floor = smallest_p_value(n, m);
    if (floor > c.alpha)
      why += fmt::format(
          ": {} and {} samples are too few (the exact U test's smallest p is {:.3g})", n, m, floor);
  }
  return inconclusive(evidence + why);
}

Judgement judge_no_slower(const Comparison& c) {
  if (c.verdict == Verdict::kSlower)
    return {Outcome::kFailed,
            ratio_text(c) + fmt::format("; the verdict is slower (threshold {})",
                                        percent_text(c.threshold))};
  return {Outcome::kPassed, ratio_text(c) + (c.verdict == Verdict::kFaster
                                                 ? std::string()
                                                 : ", no significant slow-down")};
}

Judgement judge_at_most(const scenario::Expectation& x, const StrategyResult& s) {
  if (!s.counts) return inconclusive("no counting pass recorded for " + s.strategy);
  const report::CountsPerOp& c = *s.counts;
  const std::pair<std::string_view, double> counts[] = {
      {"lock_acquisitions", c.lock_acquisitions},
      {"heap_allocations", c.heap_allocations},
      {"loop_wakeup_signals", c.loop_wakeup_signals},
      {"loop_wakeups", c.loop_wakeups},
      {"worker_wakeup_signals", c.worker_wakeup_signals},
      {"worker_wakeups", c.worker_wakeups}};
  for (const auto& [name, value] : counts) {
    if (name != x.metric) continue;
    const std::string text = count_text(value, x.value) + " per op";
    if (value > x.value)
      return {Outcome::kFailed, text + ", over the bound by " + count_text(value - x.value, 0)};
    return {Outcome::kPassed, text};
  }
  return inconclusive("unknown counter " + x.metric);
}

Judgement judge_conforms(const StrategyResult& s) {
  if (s.conformance.empty()) return inconclusive("no conformance probes recorded");
  std::string broken, leaks;
  std::size_t kept = 0;
  for (const report::ConformanceCheck& check : s.conformance) {
    const std::string item =
        check.guarantee + (check.detail.empty() ? "" : " (" + check.detail + ")");
    if (check.passed) kept += check.claimed ? 1 : 0;
    else if (check.claimed) broken += (broken.empty() ? "" : "; ") + item;
    else leaks += (leaks.empty() ? "" : "; ") + item;
  }
  const std::string unclaimed =
      leaks.empty() ? "" : "; does not keep, and does not claim: " + leaks;
  if (!broken.empty()) return {Outcome::kFailed, "broken: " + broken + unclaimed};
  return {Outcome::kPassed, fmt::format("all {} claimed guarantees kept{}", kept, unclaimed)};
}

Judgement judge(const scenario::Expectation& x, const ScenarioResult& r) {
  if (!r.complete) return inconclusive("the run stopped inside this scenario");
  const StrategyResult* s = find_strategy(r, x.strategy);
  if (s == nullptr) return inconclusive("no results for " + x.strategy);
  switch (x.kind) {
    case Kind::kFaster:
    case Kind::kNoSlower: {
      const Comparison* c = find_comparison(r, x.strategy, x.metric);
      if (c == nullptr) return inconclusive("no comparison of " + x.strategy + " on " + x.metric);
      return x.kind == Kind::kFaster ? judge_faster(x, r, *c) : judge_no_slower(*c);
    }
    case Kind::kAtMost: return judge_at_most(x, *s);
    case Kind::kConforms: return judge_conforms(*s);
  }
  return inconclusive("unknown expectation");
}

}  // namespace

std::vector<ExpectationResult> evaluate_expectations(const scenario::Scenario& scenario,
                                                     const ScenarioResult& result) {
  std::vector<ExpectationResult> out;
  for (const scenario::Expectation& x : scenario.expectations) {
    Judgement j = judge(x, result);
    out.push_back({describe(x, scenario), j.outcome, std::move(j.detail)});
  }
  return out;
}

bool any_expectation_failed(const report::Report& report) {
  for (const ScenarioResult& r : report.scenarios)
    for (const ExpectationResult& e : r.expectations)
      if (e.outcome == Outcome::kFailed) return true;
  return false;
}

}  // namespace offload::measure
