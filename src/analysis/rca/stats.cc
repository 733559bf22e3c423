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

}  // namespace ddbg::rca
