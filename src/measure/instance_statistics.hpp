// Paired ratios judged ACROSS process instances. Two processes of one build differ by more than
// their samples' noise: address-space layout, heap placement, huge pages and the CPUs the
// scheduler settles their threads on shift one process's speed by a few percent for its whole
// life (measured in docs/ci.md). Rounds paired inside one pair of processes cannot see that
// offset, so their interval is too narrow for a gate between two builds. Here each instance (a
// fresh pair of processes) gives one estimate, the Hodges-Lehmann centre of its rounds'
// log-ratios, and the ratio, its CI and p come from Student's t over the instances' estimates:
// the spread between instances is the noise a difference must stand out from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "measure/paired_statistics.hpp"

namespace offload::measure {

// Two-sided tail probability of Student's t with `df` degrees of freedom: P(|T| >= |t|).
// Requires: df > 0, otherwise std::invalid_argument.
double student_t_two_sided_p(double t, double df);

// The t with P(|T| >= t) = p, df degrees of freedom. Requires: 0 < p < 1, df > 0.
double student_t_critical(double p, double df);

struct InstanceComparison {
  double ratio;          // exp(mean over instances of each instance's Hodges-Lehmann log-ratio)
  Interval ratio_ci;     // exp(mean +- t(1 - alpha/2, k - 1) * sd / sqrt(k)) at confidence 1 - alpha
  double p_value;        // two-sided one-sample t test of the instances' log-ratios against 0
  std::size_t instances; // k
  std::size_t pairs;
};

// Candidate against baseline, round by round, round i taken in instance `instance[i]`.
// Requires: equal sizes, values > 0, at least two distinct instances; 0 < alpha < 1.
// Note: identical estimates in every instance give a zero-width interval and p = 0 (or 1 when
//   they are all 0).
InstanceComparison compare_by_instance(std::span<const double> candidate, std::span<const double> baseline,
                                       std::span<const std::int64_t> instance, double alpha);

}  // namespace offload::measure
