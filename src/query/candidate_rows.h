// The per-segment step every planner shares: ask the segment's index which rows may match,
// skip the segment when none may, else read its rows and visit the candidates in row order,
// counting segments and rows for --explain. Thread-safety: uses the caller's cursor, batch
// and step.
#pragma once

#include "ddbg/traceql.h"
#include "query/index_expr.h"

namespace ddbg::query {

inline Status ReadRows(SegmentCursor& seg, SpanBatch* batch) { return seg.ReadSpans(batch); }
inline Status ReadRows(SegmentCursor& seg, LogBatch* batch) { return seg.ReadLogs(batch); }

// Calls row(r) for each candidate row r of the segment (every row when the index cannot
// narrow), in increasing order, until it returns false. *batch holds the segment's rows
// afterwards (untouched when the index rules the segment out). Returns false when row()
// stopped the visit.
template <typename Batch, typename RowFn>
Result<bool> VisitCandidateRows(SegmentCursor& seg, const IndexExpr& index, Batch* batch,
                                QueryStep* step, RowFn&& row) {
  ++step->segments;
  Result<std::optional<Roaring>> narrowed = EvalIndex(index, seg);
  if (!narrowed.ok()) return narrowed.status();
  if (narrowed->has_value() && (*narrowed)->isEmpty()) {
    ++step->segments_skipped;
    return true;
  }
  DDBG_RETURN_IF_ERROR(ReadRows(seg, batch));
  ++step->segments_read;
  step->rows_read += batch->size();
  auto visit = [&](uint32_t r) {
    ++step->rows_checked;
    return row(r);
  };
  if (narrowed->has_value()) {
    for (uint32_t r : **narrowed) {
      if (r >= batch->size()) break;
      if (!visit(r)) return false;
    }
    return true;
  }
  for (uint32_t r = 0; r < batch->size(); ++r) {
    if (!visit(r)) return false;
  }
  return true;
}

}  // namespace ddbg::query
