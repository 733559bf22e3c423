// Metric queries without a line pipeline (`count_over_time({service=~".+"} [1m])`, rate)
// counted from three columns: time_ns, service and severity_number (never the bodies or the
// dictionary: the service of each service id comes from the service posting lists), read
// through SegmentCursor::LogColumns (cached across queries by the embedded store's query
// cache). A segment whose service postings do not cover every row (no index, over-long
// service names) is read whole and evaluated row by row instead. Thread-safety: plain
// functions.
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
