// Small statistics used by the trace analyses: percentiles of latency samples, the
// Mann-Whitney U test on two latency samples and the two-proportion z test on error counts.
// Pure functions; inputs may be reordered in place where noted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ddbg::stats {

// The q-quantile (0..1, nearest rank) of `v`, reordering it; 0 when empty.
int64_t Quantile(std::vector<int64_t>* v, double q);

struct LatencySummary {
  uint64_t count = 0;
  double mean_ns = 0;
  int64_t p50_ns = 0;
  int64_t p95_ns = 0;
  int64_t p99_ns = 0;
};
// Summary of `v` (reordered).
LatencySummary Summarize(std::vector<int64_t>* v);

// One-sided p-value that `b` tends to be larger than `a` (Mann-Whitney U, normal
// approximation with tie correction). A side with more than `max_per_side` samples is
// thinned to that many evenly spaced order statistics, so the answer is deterministic and
// does not depend on the order of the samples. 1 when either side is empty.
double MannWhitneyGreaterP(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                           size_t max_per_side = 20000);

// One-sided p-value that the proportion x2/n2 exceeds x1/n1 (pooled two-proportion z test).
double TwoProportionGreaterP(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

// One-sided p-value that rate c2/t2 is lower than c1/t1 (counts over exposure times),
// conditional binomial test with the normal approximation.
double RateLowerP(uint64_t c1, double t1, uint64_t c2, double t2);

// Upper tail of the standard normal distribution.
double NormalUpperTail(double z);

}  // namespace ddbg::stats
