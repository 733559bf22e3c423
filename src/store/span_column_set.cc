// SpanColumnSet (store.h): the grouping of a segment's rows by trace id, and the default
// SegmentCursor column reads, which read the whole segment.
#include <algorithm>

#include "ddbg/store.h"

namespace ddbg {

void SpanColumnSet::GroupByTrace() {
  const std::vector<TraceId>& ids = columns.trace_id;
  traces.clear();
  for (const TraceId& id : ids) {
    if (!id.empty()) traces.push_back(id);
  }
  std::sort(traces.begin(), traces.end());
  traces.erase(std::unique(traces.begin(), traces.end()), traces.end());
  // Counting sort of the rows by the position of their trace id in `traces`.
  std::vector<uint32_t> slot(ids.size(), UINT32_MAX);
  first.assign(traces.size() + 1, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) continue;
    slot[i] = static_cast<uint32_t>(std::lower_bound(traces.begin(), traces.end(), ids[i]) - traces.begin());
    ++first[slot[i] + 1];
  }
  for (size_t k = 1; k < first.size(); ++k) first[k] += first[k - 1];
  by_trace.resize(first.back());
  std::vector<uint32_t> next(first.begin(), first.end() - 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (slot[i] != UINT32_MAX) by_trace[next[slot[i]]++] = static_cast<uint32_t>(i);
  }
}

std::pair<const uint32_t*, const uint32_t*> SpanColumnSet::RowsOf(TraceId id) const {
  auto it = std::lower_bound(traces.begin(), traces.end(), id);
  if (it == traces.end() || !(*it == id)) return {nullptr, nullptr};
  size_t k = static_cast<size_t>(it - traces.begin());
  return {by_trace.data() + first[k], by_trace.data() + first[k + 1]};
}

Result<std::shared_ptr<const SpanColumnSet>> SegmentCursor::SpanColumns(uint32_t columns) {
  auto set = std::make_shared<SpanColumnSet>();
  DDBG_RETURN_IF_ERROR(ReadSpans(&set->columns));
  set->rows = set->columns.size();
  if ((columns & kSegColTraceId) != 0) set->GroupByTrace();
  return std::shared_ptr<const SpanColumnSet>(std::move(set));
}

Result<std::shared_ptr<const LogBatch>> SegmentCursor::LogColumns(uint32_t) {
  auto batch = std::make_shared<LogBatch>();
  DDBG_RETURN_IF_ERROR(ReadLogs(batch.get()));
  return std::shared_ptr<const LogBatch>(std::move(batch));
}

}  // namespace ddbg
