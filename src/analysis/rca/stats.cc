#include "analysis/rca/stats.h"

#include <algorithm>
#include <cmath>

namespace ddbg::rca {

double Quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

double Moments::variance() const {
  if (n < 2) return 0;
  double m = mean();
  return std::max(0.0, (sum_sq - n * m * m) / (n - 1));
}

double WelchT(const Moments& a, const Moments& b) {
  if (a.n < 2 || b.n < 2) return 0;
  double se = std::sqrt(a.variance() / a.n + b.variance() / b.n);
  if (se <= 0) return 0;
  return (a.mean() - b.mean()) / se;
}

double TwoProportionZ(double ka, double na, double kb, double nb) {
  if (na <= 0 || nb <= 0) return 0;
  double p = (ka + kb) / (na + nb);
  double se = std::sqrt(std::max(p * (1 - p), 1e-12) * (1 / na + 1 / nb));
  return (ka / na - kb / nb) / se;
}

double PoissonZ(double observed, double expected) {
  return (observed - expected) / std::sqrt(expected + 1.0);
}

double UpperTailZ(double p) {
  p = std::clamp(p, 1e-300, 1.0);
  double lo = -40, hi = 40;
  for (int i = 0; i < 100; ++i) {
    double mid = (lo + hi) / 2;
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

namespace {

// U of `a` over `b`: pairs with a above b, ties counting half.
double MannWhitneyU(const std::vector<double>& a, std::vector<double> b) {
  std::sort(b.begin(), b.end());
  double u = 0;
  for (double x : a) {
    auto lo = std::lower_bound(b.begin(), b.end(), x);
    auto hi = std::upper_bound(lo, b.end(), x);
    u += static_cast<double>(lo - b.begin()) + 0.5 * static_cast<double>(hi - lo);
  }
  return u;
}

// P(U >= u) under the null: the coefficients of the Gaussian binomial [n1+n2 choose n1]_q,
// built as the product of (1 - q^(n2+i)) / (1 - q^i) for i = 1..n1 (each step exact).
double ExactUpperTail(size_t n1, size_t n2, double u) {
  std::vector<double> c(n1 * n2 + n1 + n2 + 1, 0.0);
  c[0] = 1;
  for (size_t i = 1; i <= n1; ++i) {
    for (size_t k = c.size(); k-- > n2 + i;) c[k] -= c[k - n2 - i];
    for (size_t k = i; k < c.size(); ++k) c[k] += c[k - i];
  }
  double total = 0, tail = 0;
  size_t from = static_cast<size_t>(std::max(0.0, std::floor(u)));
  for (size_t k = 0; k <= n1 * n2; ++k) {
    total += c[k];
    if (k >= from) tail += c[k];
  }
  return total > 0 ? tail / total : 1;
}

}  // namespace

double RankSumZ(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 0;
  double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
  double u = MannWhitneyU(a, b);
  if (n1 * n2 <= kExactRankSumCells) {
    // Below 1e-12 the tail is lost in the rounding of the coefficients (sums of terms up to
    // C(n1+n2, n1)): it is capped there, z 7.03, beyond every ramp of the signals.
    return UpperTailZ(std::max(ExactUpperTail(a.size(), b.size(), u), kMinExactTail));
  }
  return (u - n1 * n2 / 2) / std::sqrt(n1 * n2 * (n1 + n2 + 1) / 12);
}

}  // namespace ddbg::rca
