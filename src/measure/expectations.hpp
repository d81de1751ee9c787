// In-run expectations: a scenario's [[expect]] claims checked against the same run's results,
// so CI can gate on ratios within one run (they hold on slow or noisy machines) without a
// stored baseline. Pure functions of the result; nothing is measured here.
//
// The rule throughout: a claim FAILS only with statistical support against it, PASSES only with
// support for it, and is INCONCLUSIVE otherwise (shown, but not a failure for `run --check`).
//   faster by N    passed: the comparison is significant (Holm) and the ratio CI's high end is
//                  below 1 - N; failed: the whole CI is above 1 - N (for N = 0 the comparison
//                  must also be significant: the test of ratio 1 is the U test); else inconclusive.
//   no_slower      failed: the comparison's verdict is slower (measure::decide, at the run's
//                  threshold); passed otherwise.
//   at_most        exact: the counting pass's count per op against the bound.
//   conforms       failed: a guarantee the strategy claims was not kept. Unclaimed ones (a leak
//                  by design) are listed in the detail but do not fail.
#pragma once

#include <vector>

#include "report/result.hpp"
#include "scenario/scenario.hpp"

namespace offload::measure {

// One ExpectationResult per `scenario.expectations`, in order.
// Requires: `result` is the result of a point of `scenario` (the runner passes the point's
//   scenario). An incomplete result, or one missing a comparison, count or probe, gives
//   kInconclusive for the expectations that need it.
std::vector<report::ExpectationResult> evaluate_expectations(const scenario::Scenario& scenario,
                                                             const report::ScenarioResult& result);

// True when some expectation of some scenario in `report` failed: `run --check` exits 1 then.
bool any_expectation_failed(const report::Report& report);

}  // namespace offload::measure
