// LogQL metric evaluation: range aggregations (count_over_time, rate, bytes_over_time,
// bytes_rate) over the points of each label set, sampled every step, and vector
// aggregations (sum, avg, max, min, count by/without labels) over those series.
// Thread-safety: plain functions.
#pragma once

#include <map>
#include <vector>

#include "ddbg/logql.h"
#include "query/logql/ast.h"

namespace ddbg::logql {

// The matching lines of one label set: (time, bytes), in any order.
using Points = std::vector<std::pair<int64_t, uint64_t>>;
using PointsByLabels = std::map<LabelSet, Points>;

struct StepGrid {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 1;
};

// Evaluates the metric expression; `points` are the lines of its innermost log expression.
std::vector<Series> EvalMetric(const MetricExpr& m, PointsByLabels& points, const StepGrid& grid);
// The vector aggregations of `m` over the series of its innermost range aggregation.
std::vector<Series> AggregateRangeSeries(const MetricExpr& m, std::vector<Series> range_series);

}  // namespace ddbg::logql
