#include "query/logql/metrics.h"

#include <algorithm>

#include "query/logql/line_eval.h"

namespace ddbg::logql {
namespace {

std::vector<Series> RangeAggregate(const MetricExpr& m, PointsByLabels& points, const StepGrid& g) {
  std::vector<Series> out;
  double range_s = static_cast<double>(m.range_ns) / 1e9;
  for (auto& [labels, pts] : points) {
    std::sort(pts.begin(), pts.end());
    Series s;
    s.labels = labels;
    size_t lo = 0, hi = 0;
    uint64_t bytes = 0;
    for (int64_t t = g.start_ns; t <= g.end_ns; t += g.step_ns) {
      // Window (t - range, t]: advance both ends, keeping the bytes between them.
      while (hi < pts.size() && pts[hi].first <= t) bytes += pts[hi++].second;
      while (lo < hi && pts[lo].first <= t - m.range_ns) bytes -= pts[lo++].second;
      size_t count = hi - lo;
      if (count == 0) continue;
      double v = m.function == "count_over_time"   ? static_cast<double>(count)
                 : m.function == "rate"            ? static_cast<double>(count) / range_s
                 : m.function == "bytes_over_time" ? static_cast<double>(bytes)
                                                   : static_cast<double>(bytes) / range_s;
      s.samples.push_back({t, v});
    }
    if (!s.samples.empty()) out.push_back(std::move(s));
  }
  return out;
}

LabelSet GroupLabels(const MetricExpr& m, const LabelSet& labels) {
  LabelSet out;
  for (const auto& [k, v] : labels) {
    bool listed = std::find(m.grouping.begin(), m.grouping.end(), k) != m.grouping.end();
    if (m.without ? !listed : listed) out.push_back({k, v});
  }
  return out;
}

std::vector<Series> VectorAggregate(const MetricExpr& m, const std::vector<Series>& in) {
  struct Acc {
    double v = 0;
    size_t n = 0;
  };
  std::map<LabelSet, std::map<int64_t, Acc>> groups;
  for (const Series& s : in) {
    auto& g = groups[GroupLabels(m, s.labels)];
    for (const Sample& x : s.samples) {
      Acc& a = g[x.time_ns];
      if (a.n == 0) a.v = m.function == "count" ? 0 : x.value;
      else if (m.function == "max") a.v = std::max(a.v, x.value);
      else if (m.function == "min") a.v = std::min(a.v, x.value);
      else if (m.function != "count") a.v += x.value;
      ++a.n;
    }
  }
  std::vector<Series> out;
  for (auto& [labels, by_time] : groups) {
    Series s;
    s.labels = labels;
    for (auto& [t, a] : by_time) {
      double v = m.function == "avg" ? a.v / static_cast<double>(a.n)
                 : m.function == "count" ? static_cast<double>(a.n) : a.v;
      s.samples.push_back({t, v});
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::vector<Series> EvalMetric(const MetricExpr& m, PointsByLabels& points, const StepGrid& grid) {
  if (m.kind == MetricExpr::Kind::kRange) return RangeAggregate(m, points, grid);
  return VectorAggregate(m, EvalMetric(*m.inner, points, grid));
}

std::vector<Series> AggregateRangeSeries(const MetricExpr& m, std::vector<Series> range_series) {
  if (m.kind == MetricExpr::Kind::kRange) return range_series;
  return VectorAggregate(m, AggregateRangeSeries(*m.inner, std::move(range_series)));
}

}  // namespace ddbg::logql
