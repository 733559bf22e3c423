// Building a SpanTable in two steps so the expensive one runs on several threads:
// SpanChunkBuilder turns one stored batch into a SpanChunk (its rows' columns with strings in
// a small chunk-local dictionary) independently of every other batch; SpanTableMerger then
// appends chunks in scan order (remapping the few distinct strings and trace ids, copying
// columns) and Finish() groups rows by trace and resolves parents.
// Thread-safety: a SpanChunkBuilder is immutable after construction and may build chunks
// from several threads at once; a SpanTableMerger is used by one thread at a time.
#pragma once

#include <optional>
#include <vector>

#include "analysis/dense_index.h"
#include "ddbg/span_table.h"

namespace ddbg {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const {
    uint64_t h = t.lo * 0x9E3779B97F4A7C15ull ^ (t.hi + 0x632BE59BD9B4E019ull + (t.lo >> 7));
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

// Trace id -> dense index (0, 1, 2… in insertion order).
using TraceIndexMap = DenseIndex<TraceId, TraceIdHash>;

// One batch's kept rows. `rows.trace_id` lists the chunk's traces in first-seen order,
// `row_trace` gives each row's index into it; string ids refer to `rows.dict`; `rows.parent`
// and `rows.trace_begin` are unused.
struct SpanChunk {
  SpanTable rows;
  std::vector<uint32_t> row_trace;
  void Clear();  // empties every column, keeping capacity for the next batch
};

class SpanChunkBuilder {
 public:
  // `scope` (time range) and `where_ids` (trace ids) filter rows; either may be null.
  SpanChunkBuilder(const SpanTableOptions& options, const AnalysisScope* scope,
                   const std::vector<TraceId>* where_ids);
  void Build(const SpanBatch& batch, SpanChunk* out) const;

 private:
  const SpanTableOptions& options_;
  const AnalysisScope* scope_;
  std::optional<TraceIndexMap> where_;  // flat: asked once per run of a trace's rows
};

// Parents inside one trace of n rows: parent[i] is the row of the first span whose id is
// parent_ids[i], or kNoParent when there is none (or it is row i itself). `index` is scratch.
void FindParents(const SpanId* ids, const SpanId* parent_ids, uint32_t n, int32_t* parent,
                 std::vector<std::pair<SpanId, uint32_t>>* index);

class SpanTableMerger {
 public:
  // `services`: keep only traces touching one of them (empty: all). `expected_rows` sizes
  // the columns up front (an upper bound is fine: unused capacity is never touched).
  SpanTableMerger(std::vector<std::string> services, size_t expected_rows);
  void Merge(const SpanChunk& chunk);
  SpanTable Finish();

 private:
  uint32_t GlobalTrace(TraceId id);
  void Regroup(const std::vector<uint8_t>& keep, SpanTable* out);

  std::vector<std::string> services_;
  SpanTable t_;
  std::vector<uint32_t> row_trace_;
  TraceIndexMap trace_index_;
  uint32_t last_row_trace_ = 0;
  bool grouped_ = true;  // every trace's rows are contiguous so far
  std::vector<StrId> str_map_;
  std::vector<uint32_t> trace_map_;
};

}  // namespace ddbg
