// Expectations against synthetic results: each outcome needs the evidence its rule names, a
// claim fails only with statistical support, and counts and conformance are checked exactly.
#include "measure/expectations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace offload::measure {
namespace {

using report::Comparison;
using report::ExpectationResult;
using report::ScenarioResult;
using Outcome = ExpectationResult::Outcome;
using Kind = scenario::Expectation::Kind;

scenario::Expectation expect(Kind kind, std::string strategy, std::string metric = "ns_per_op",
                             double value = 0) {
  return {kind, std::move(strategy), std::move(metric), value, {"ci.toml", 20, 1}};
}

// per_field_locks (baseline) and snapshot, `samples` timed samples each, every guarantee kept.
ScenarioResult result(std::size_t samples = 20) {
  ScenarioResult r;
  r.scenario.name = "state_copy_micro";
  r.scenario.workload.kind = scenario::WorkloadKind::kStateCopy;
  r.scenario.compare = {"state_copy", "per_field_locks", {"snapshot"}, {}};
  for (const char* id : {"per_field_locks", "snapshot"}) {
    report::StrategyResult s;
    s.strategy = id;
    s.samples.assign(samples, report::Sample{1000, 50000, 50000, 0, 0});
    s.counts = report::CountsPerOp{std::string(id) == "snapshot" ? 0.0 : 4.0, 1, 0, 0, 0, 0};
    for (const char* g : {"context_propagation", "job_isolation", "exception_transfer"})
      s.conformance.push_back({g, true, true, ""});
    r.strategies.push_back(std::move(s));
  }
  return r;
}

Comparison comparison(double ratio, double low, double high, double p,
                      Verdict verdict = Verdict::kNoDifference, std::string metric = "ns_per_op",
                      double alpha = 0.025) {
  return {"snapshot", "per_field_locks", std::move(metric), ratio, {low, high}, p, alpha, 0.02,
          verdict};
}

// The one result of checking `x` against `r`.
ExpectationResult check(const scenario::Expectation& x, ScenarioResult r) {
  r.scenario.expectations = {x};
  const std::vector<ExpectationResult> out = evaluate_expectations(r.scenario, r);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? ExpectationResult{} : out.front();
}

ExpectationResult faster(double by, const Comparison& c, std::size_t samples = 20) {
  ScenarioResult r = result(samples);
  r.comparisons = {c};
  return check(expect(Kind::kFaster, "snapshot", "ns_per_op", by), r);
}

TEST(Expectations, FasterPassesWhenSignificantAndTheWholeCiIsBelowTheBound) {
  const ExpectationResult e = faster(0.3, comparison(0.48, 0.47, 0.49, 1e-5, Verdict::kFaster));
  EXPECT_EQ(e.outcome, Outcome::kPassed);
  EXPECT_EQ(e.description, "snapshot at least 30% faster than per_field_locks on ns_per_op");
  EXPECT_EQ(e.detail, "ratio 0.48 [0.47, 0.49] p<0.001: 52% faster");
}

TEST(Expectations, FasterFailsWhenTheWholeCiIsAboveTheBound) {
  const ExpectationResult e = faster(0.3, comparison(0.95, 0.93, 0.97, 1e-4, Verdict::kFaster));
  EXPECT_EQ(e.outcome, Outcome::kFailed);
  EXPECT_EQ(e.detail, "ratio 0.95 [0.93, 0.97] p<0.001: 5% faster; the whole CI is above 0.7");
}

// The CI alone is the test against a bound other than 1: "not 30% faster" needs no U test.
TEST(Expectations, FasterByAFractionFailsOnTheCiEvenWithoutSignificance) {
  const ExpectationResult e = faster(0.3, comparison(1.0, 0.97, 1.03, 0.9));
  EXPECT_EQ(e.outcome, Outcome::kFailed);
  EXPECT_EQ(e.detail, "ratio 1.00 [0.97, 1.03] p=0.900: no change; the whole CI is above 0.7");
}

// With N = 0 the bound is 1, which is what the U test tests: failing needs it too.
TEST(Expectations, JustFasterFailsOnlyWhenSignificantlySlower) {
  const ExpectationResult weak = faster(0, comparison(1.05, 1.01, 1.09, 0.2));
  EXPECT_EQ(weak.outcome, Outcome::kInconclusive);
  EXPECT_NE(weak.detail.find("not significant"), std::string::npos) << weak.detail;
  const ExpectationResult strong = faster(0, comparison(1.05, 1.01, 1.09, 0.001, Verdict::kSlower));
  EXPECT_EQ(strong.outcome, Outcome::kFailed);
  EXPECT_EQ(strong.description, "snapshot faster than per_field_locks on ns_per_op");
  EXPECT_EQ(strong.detail, "ratio 1.05 [1.01, 1.09] p=0.001: 5% slower; the whole CI is above 1");
}

TEST(Expectations, FasterIsInconclusiveWhenTheCiStraddlesTheBound) {
  const ExpectationResult e = faster(0.3, comparison(0.72, 0.65, 0.78, 1e-5, Verdict::kFaster));
  EXPECT_EQ(e.outcome, Outcome::kInconclusive);
  EXPECT_EQ(e.detail, "ratio 0.72 [0.65, 0.78] p<0.001: 28% faster; the CI straddles 0.7");
}

// --quick takes 3 samples: the exact U test cannot go below p = 0.1, and the detail says so.
TEST(Expectations, FasterWithoutSignificanceIsInconclusiveAndSaysWhySamplesAreTooFew) {
  const ExpectationResult e = faster(0.2, comparison(0.48, 0.47, 0.49, 0.1), 3);
  EXPECT_EQ(e.outcome, Outcome::kInconclusive);
  EXPECT_EQ(e.detail,
            "ratio 0.48 [0.47, 0.49] p=0.100: 52% faster; the CI is below 0.8 but the difference "
            "is not significant (p=0.100 > alpha 0.025): 3 and 3 samples are too few (the exact U "
            "test's smallest p is 0.1)");
}

// Holm's step-down stops at the first hypothesis it keeps: a later p under its own threshold
// is still not significant.
TEST(Expectations, SignificanceFollowsHolmsStepDown) {
  ScenarioResult r = result();
  r.comparisons = {comparison(0.9, 0.85, 0.95, 0.03, Verdict::kNoDifference, "ns_per_op", 0.025),
                   comparison(0.5, 0.45, 0.55, 0.04, Verdict::kNoDifference, "cpu_ns_per_op",
                              0.05)};
  const ExpectationResult e = check(expect(Kind::kFaster, "snapshot", "cpu_ns_per_op", 0.2), r);
  EXPECT_EQ(e.outcome, Outcome::kInconclusive);
  r.comparisons[0].p_value = 0.01;
  EXPECT_EQ(check(expect(Kind::kFaster, "snapshot", "cpu_ns_per_op", 0.2), r).outcome,
            Outcome::kPassed);
}

TEST(Expectations, NoSlowerFailsOnlyOnASlowerVerdict) {
  ScenarioResult r = result();
  r.comparisons = {comparison(1.12, 1.09, 1.15, 0.004, Verdict::kSlower)};
  const auto x = expect(Kind::kNoSlower, "snapshot");
  const ExpectationResult slower = check(x, r);
  EXPECT_EQ(slower.outcome, Outcome::kFailed);
  EXPECT_EQ(slower.description, "snapshot no slower than per_field_locks on ns_per_op");
  EXPECT_EQ(slower.detail,
            "ratio 1.12 [1.09, 1.15] p=0.004: 12% slower; the verdict is slower (threshold 2%)");
  // Slower-looking but not significant: not a failure.
  r.comparisons = {comparison(1.05, 0.99, 1.11, 0.3)};
  const ExpectationResult unsure = check(x, r);
  EXPECT_EQ(unsure.outcome, Outcome::kPassed);
  EXPECT_EQ(unsure.detail, "ratio 1.05 [0.99, 1.11] p=0.300: 5% slower, no significant slow-down");
}

TEST(Expectations, AtMostComparesTheCountExactly) {
  const ScenarioResult r = result();
  const ExpectationResult zero =
      check(expect(Kind::kAtMost, "snapshot", "lock_acquisitions", 0), r);
  EXPECT_EQ(zero.outcome, Outcome::kPassed);
  EXPECT_EQ(zero.description, "snapshot lock_acquisitions per op <= 0");
  EXPECT_EQ(zero.detail, "0 per op");
  EXPECT_EQ(check(expect(Kind::kAtMost, "per_field_locks", "lock_acquisitions", 4), r).outcome,
            Outcome::kPassed);
  const ExpectationResult over =
      check(expect(Kind::kAtMost, "per_field_locks", "lock_acquisitions", 3.99), r);
  EXPECT_EQ(over.outcome, Outcome::kFailed);
  EXPECT_EQ(over.detail, "4 per op, over the bound by 0.01");

  // A hair over the bound fails, and the detail shows enough digits to see why.
  ScenarioResult hair = result();
  hair.strategies[1].counts->heap_allocations = 1.0000001;
  const ExpectationResult e = check(expect(Kind::kAtMost, "snapshot", "heap_allocations", 1), hair);
  EXPECT_EQ(e.outcome, Outcome::kFailed);
  EXPECT_EQ(e.detail.rfind("1.0000001 per op", 0), 0u) << e.detail;
}

TEST(Expectations, ConformsFailsOnABrokenClaimedGuaranteeAndNamesIt) {
  ScenarioResult r = result();
  r.strategies[1].conformance[1] = {"job_isolation", false, true, "next job saw var=1"};
  const ExpectationResult e = check(expect(Kind::kConforms, "snapshot"), r);
  EXPECT_EQ(e.outcome, Outcome::kFailed);
  EXPECT_EQ(e.description, "snapshot keeps every guarantee it claims");
  EXPECT_EQ(e.detail, "broken: job_isolation (next job saw var=1)");
}

// skip_empty_context leaks job isolation by design and does not claim it: not a failure, but
// the detail keeps the leak visible.
TEST(Expectations, ConformsPassesWithAnUnclaimedLeakAndShowsIt) {
  ScenarioResult r = result();
  r.strategies[1].conformance[1] = {"job_isolation", false, false, "next job saw var=1"};
  const ExpectationResult e = check(expect(Kind::kConforms, "snapshot"), r);
  EXPECT_EQ(e.outcome, Outcome::kPassed);
  EXPECT_EQ(e.detail,
            "all 2 claimed guarantees kept; does not keep, and does not claim: job_isolation "
            "(next job saw var=1)");
}

TEST(Expectations, MissingEvidenceIsInconclusiveNeverAFailure) {
  ScenarioResult incomplete = result();
  incomplete.complete = false;
  EXPECT_EQ(check(expect(Kind::kConforms, "snapshot"), incomplete).outcome,
            Outcome::kInconclusive);
  const ScenarioResult no_comparisons = result();
  const ExpectationResult e = check(expect(Kind::kNoSlower, "snapshot"), no_comparisons);
  EXPECT_EQ(e.outcome, Outcome::kInconclusive);
  EXPECT_EQ(e.detail, "no comparison of snapshot on ns_per_op");
  ScenarioResult no_counts = result();
  no_counts.strategies[1].counts.reset();
  no_counts.strategies[1].conformance.clear();
  EXPECT_EQ(check(expect(Kind::kAtMost, "snapshot", "heap_allocations", 1), no_counts).outcome,
            Outcome::kInconclusive);
  EXPECT_EQ(check(expect(Kind::kConforms, "snapshot"), no_counts).outcome, Outcome::kInconclusive);
}

TEST(Expectations, OneResultPerExpectationInOrderAndAnyFailedFindsAFailure) {
  report::Report report;
  ScenarioResult r = result();
  r.comparisons = {comparison(0.48, 0.47, 0.49, 1e-5, Verdict::kFaster)};
  r.scenario.expectations = {expect(Kind::kConforms, "per_field_locks"),
                             expect(Kind::kFaster, "snapshot", "ns_per_op", 0.6),
                             expect(Kind::kAtMost, "snapshot", "lock_acquisitions", 0)};
  r.expectations = evaluate_expectations(r.scenario, r);
  ASSERT_EQ(r.expectations.size(), 3u);
  EXPECT_EQ(r.expectations[0].outcome, Outcome::kPassed);
  EXPECT_EQ(r.expectations[1].outcome, Outcome::kFailed);
  EXPECT_EQ(r.expectations[2].outcome, Outcome::kPassed);
  report.scenarios.push_back(r);
  EXPECT_TRUE(any_expectation_failed(report));
  report.scenarios[0].expectations[1].outcome = Outcome::kInconclusive;
  EXPECT_FALSE(any_expectation_failed(report));
}

}  // namespace
}  // namespace offload::measure
