// Small statistics used by the rca signals: quantiles, median and MAD, Welch's t on two
// samples, a two-proportion z, a Poisson excess z and a rank-sum (Mann-Whitney) z. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace ddbg::rca {

// The q-quantile (0..1) of `v` (reordered in place); 0 for an empty vector.
double Quantile(std::vector<double>& v, double q);

struct Moments {
  double n = 0, sum = 0, sum_sq = 0;
  void Add(double x) { n += 1, sum += x, sum_sq += x * x; }
  double mean() const { return n > 0 ? sum / n : 0; }
  double variance() const;  // sample variance, 0 below two values
};

// Welch's t of a's mean above b's; 0 when either has fewer than two values.
double WelchT(const Moments& a, const Moments& b);
// z of proportion ka/na above kb/nb (pooled); 0 when a side is empty.
double TwoProportionZ(double ka, double na, double kb, double nb);
// z of an observed count above its expectation, with a floor of one on the variance.
double PoissonZ(double observed, double expected);
// z of `a` ranking above `b` (Mann-Whitney U, one-sided): the exact tail for small samples
// (|a|·|b| <= kExactRankSumCells: the U distribution from the Gaussian binomial coefficient,
// ties counted half and U rounded down, so the tail is never understated), else the normal
// approximation; the tail probability is returned as the normal z of the same tail (the
// exact tail floored at kMinExactTail, z 7.03: smaller ones are below the coefficients'
// rounding). 0 when a side is empty.
double RankSumZ(const std::vector<double>& a, const std::vector<double>& b);
inline constexpr double kExactRankSumCells = 4000;
inline constexpr double kMinExactTail = 1e-12;
// The z whose upper normal tail is `p` (clamped to [1e-300, 1]).
double UpperTailZ(double p);

}  // namespace ddbg::rca
