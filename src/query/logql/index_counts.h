// Metric queries without a line pipeline (`count_over_time({service=~".+"} [1m])`, rate)
// counted from the label posting lists and the time column only: per segment, the rows of
// each (service, level) stream come from the service and severity postings, and only the
// time_ns column is read, never the bodies or the dictionary. A segment whose postings do
// not cover every row exactly once (no index, over-long service names) is read whole and
// evaluated row by row instead. Thread-safety: plain functions.
#pragma once

#include <vector>

#include "ddbg/logql.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"
#include "query/logql/ast.h"
#include "query/logql/metrics.h"

namespace ddbg::logql {

// Whether CountFromIndex can answer the range aggregation `range` on `grid`: no pipeline
// stages, a selector on service and level labels only, count_over_time or rate, and a range
// that is a whole number of steps.
bool CountableFromIndex(const MetricExpr& range, const StepGrid& grid);

// The range aggregation's series (as RangeAggregate would give them from every matching
// line) over the lines with times in `scan`.
Status CountFromIndex(Store& store, const MetricExpr& range, const StepGrid& grid,
                      const TimeRange& scan, QueryStep* step, std::vector<Series>* out);

}  // namespace ddbg::logql
