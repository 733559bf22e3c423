// The per-segment step every planner shares: ask the segment's index which rows may match,
// skip the segment when none may, else read its rows and visit the candidates in row order,
// counting segments and rows for --explain. Thread-safety: uses the caller's cursor, batch
// and step.
#pragma once

#include <vector>

#include "ddbg/traceql.h"
#include "query/index_expr.h"

namespace ddbg::query {

inline Status ReadRows(SegmentCursor& seg, SpanBatch* batch) { return seg.ReadSpans(batch); }
inline Status ReadRows(SegmentCursor& seg, LogBatch* batch) { return seg.ReadLogs(batch); }

// Calls row(r) for each candidate row r of the segment (every row when the index cannot
// narrow), in increasing order, until it returns false. read() is called once, unless the
// index rules the segment out, and returns the segment's rows (Result<const Batch*>).
// Returns false when row() stopped the visit.
// `prefetch(r)` (optional) is called a few candidates ahead of row(r), so that a caller
// reading scattered memory per row can overlap the misses.
struct NoPrefetch {
  void operator()(uint32_t) const {}
};
template <typename ReadFn, typename RowFn, typename PrefetchFn = NoPrefetch>
Result<bool> VisitCandidates(SegmentCursor& seg, const IndexExpr& index, QueryStep* step,
                             ReadFn&& read, RowFn&& row, PrefetchFn&& prefetch = {}) {
  ++step->segments;
  Result<std::optional<Roaring>> narrowed = EvalIndex(index, seg);
  if (!narrowed.ok()) return narrowed.status();
  if (narrowed->has_value() && (*narrowed)->isEmpty()) {
    ++step->segments_skipped;
    return true;
  }
  auto batch = read();
  if (!batch.ok()) return batch.status();
  const size_t rows = (*batch)->size();
  ++step->segments_read;
  step->rows_read += rows;
  auto visit = [&](uint32_t r) {
    ++step->rows_checked;
    return row(r);
  };
  if (narrowed->has_value()) {
    constexpr size_t kAhead = 8;
    std::vector<uint32_t> candidates((*narrowed)->cardinality());
    (*narrowed)->toUint32Array(candidates.data());
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i] >= rows) break;
      if (i + kAhead < candidates.size() && candidates[i + kAhead] < rows) prefetch(candidates[i + kAhead]);
      if (!visit(candidates[i])) return false;
    }
    return true;
  }
  for (uint32_t r = 0; r < rows; ++r) {
    if (!visit(r)) return false;
  }
  return true;
}

// VisitCandidates over the whole segment read into *batch (untouched when the index rules
// the segment out).
template <typename Batch, typename RowFn>
Result<bool> VisitCandidateRows(SegmentCursor& seg, const IndexExpr& index, Batch* batch,
                                QueryStep* step, RowFn&& row) {
  auto read = [&]() -> Result<const Batch*> {
    DDBG_RETURN_IF_ERROR(ReadRows(seg, batch));
    return static_cast<const Batch*>(batch);
  };
  return VisitCandidates(seg, index, step, read, std::forward<RowFn>(row));
}

}  // namespace ddbg::query
