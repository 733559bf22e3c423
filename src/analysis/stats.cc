#include "analysis/stats.h"

#include <algorithm>
#include <cmath>

namespace ddbg::stats {

namespace {

// The position of the q-quantile (nearest rank) among n > 0 samples.
size_t QuantileRank(size_t n, double q) {
  size_t k = static_cast<size_t>(std::ceil(q * n));
  return k == 0 ? 0 : std::min(k - 1, n - 1);
}

}  // namespace

int64_t Quantile(std::vector<int64_t>* v, double q) {
  if (v->empty()) return 0;
  size_t k = QuantileRank(v->size(), q);
  std::nth_element(v->begin(), v->begin() + k, v->end());
  return (*v)[k];
}

LatencySummary Summarize(std::vector<int64_t>* v) {
  LatencySummary s;
  s.count = v->size();
  if (v->empty()) return s;
  long double sum = 0;
  for (int64_t x : *v) sum += x;
  s.mean_ns = static_cast<double>(sum / v->size());
  // Each selection only looks above the previous one (everything there is not smaller).
  size_t k50 = QuantileRank(v->size(), 0.50), k95 = QuantileRank(v->size(), 0.95),
         k99 = QuantileRank(v->size(), 0.99);
  std::nth_element(v->begin(), v->begin() + k50, v->end());
  s.p50_ns = (*v)[k50];
  std::nth_element(v->begin() + k50, v->begin() + k95, v->end());
  s.p95_ns = (*v)[k95];
  std::nth_element(v->begin() + k95, v->begin() + k99, v->end());
  s.p99_ns = (*v)[k99];
  return s;
}

double NormalUpperTail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

namespace {

// Evenly spaced order statistics of `in`: the same for any order of the samples.
void Thin(const std::vector<int64_t>& in, size_t max, std::vector<int64_t>* out) {
  out->assign(in.begin(), in.end());
  if (in.size() <= max) return;
  std::sort(out->begin(), out->end());
  double stride = static_cast<double>(in.size()) / max;
  for (size_t k = 0; k < max; ++k) (*out)[k] = (*out)[static_cast<size_t>(k * stride)];
  out->resize(max);
}

}  // namespace

double MannWhitneyGreaterP(const std::vector<int64_t>& a_in, const std::vector<int64_t>& b_in,
                           size_t max_per_side) {
  std::vector<int64_t> a, b;
  Thin(a_in, max_per_side, &a);
  Thin(b_in, max_per_side, &b);
  if (a.empty() || b.empty()) return 1.0;
  std::vector<std::pair<int64_t, uint8_t>> all;
  all.reserve(a.size() + b.size());
  for (int64_t x : a) all.emplace_back(x, 0);
  for (int64_t x : b) all.emplace_back(x, 1);
  std::sort(all.begin(), all.end());
  double rank_sum_b = 0, tie_term = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    double avg_rank = (i + 1 + j) / 2.0;
    double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      if (all[k].second) rank_sum_b += avg_rank;
    }
    i = j;
  }
  double n1 = a.size(), n2 = b.size(), n = n1 + n2;
  double u = rank_sum_b - n2 * (n2 + 1) / 2;
  double mean = n1 * n2 / 2;
  double var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) return 1.0;
  return NormalUpperTail((u - mean) / std::sqrt(var));
}

double TwoProportionGreaterP(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2) {
  if (n1 == 0 || n2 == 0) return 1.0;
  double p1 = static_cast<double>(x1) / n1, p2 = static_cast<double>(x2) / n2;
  double p = static_cast<double>(x1 + x2) / (n1 + n2);
  double se = std::sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2));
  if (se <= 0) return p2 > p1 ? 0.0 : 1.0;
  return NormalUpperTail((p2 - p1) / se);
}

double RateLowerP(uint64_t c1, double t1, uint64_t c2, double t2) {
  if (t1 <= 0 || t2 <= 0 || c1 + c2 == 0) return 1.0;
  double n = static_cast<double>(c1 + c2);
  double p0 = t2 / (t1 + t2);
  double se = std::sqrt(n * p0 * (1 - p0));
  if (se <= 0) return 1.0;
  return NormalUpperTail((n * p0 - c2) / se);
}

}  // namespace ddbg::stats
