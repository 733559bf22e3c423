// The per-segment index loaded at Open(): the sorted distinct trace ids of a span or log
// segment (so GetTrace opens only the segments holding the trace) and the sorted distinct
// streams of an event segment, plus the helpers that build, probe and merge these lists.
// A SegmentIndex is immutable once built and may be shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"

namespace ddbg::store {

struct SegmentIndex {
  std::vector<TraceId> trace_ids;     // spans and logs: sorted, distinct, non-zero
  std::vector<std::string> streams;   // events: sorted, distinct
  std::vector<std::string> services;  // sorted, distinct (also in the manifest)

  bool HasTrace(TraceId id) const;
  bool HasAnyTrace(const std::vector<TraceId>& ids) const;
  bool HasAnyStream(const std::vector<std::string>& wanted) const;
};

// Sorted distinct non-zero ids of a column.
std::vector<TraceId> DistinctTraceIds(const std::vector<TraceId>& ids);
// Sorted distinct strings named by `ids` (which must be valid in `dict`).
std::vector<std::string> DistinctStrings(const StringDict& dict, const std::vector<StrId>& ids);
// True when some string of `wanted` is in the sorted list.
bool SortedHasAny(const std::vector<std::string>& sorted, const std::vector<std::string>& wanted);

// Distinct ids over several sorted distinct lists (merged, not copied; a list that is not
// strictly increasing is sorted first).
uint64_t CountDistinctTraceIds(const std::vector<const std::vector<TraceId>*>& lists);
// Sorted union of several sorted distinct lists.
std::vector<std::string> UnionStrings(const std::vector<const std::vector<std::string>*>& lists);
// The number of distinct strings of the lists; *first receives the smallest `keep`, in order.
uint64_t UnionStrings(const std::vector<const std::vector<std::string>*>& lists, size_t keep,
                      std::vector<std::string>* first);

}  // namespace ddbg::store
