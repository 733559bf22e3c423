#include "store/embedded/trace_index.h"

#include <algorithm>

namespace ddbg::store {

bool SegmentIndex::HasTrace(TraceId id) const {
  return std::binary_search(trace_ids.begin(), trace_ids.end(), id);
}

bool SegmentIndex::HasAnyTrace(const std::vector<TraceId>& ids) const {
  for (const TraceId& id : ids) {
    if (HasTrace(id)) return true;
  }
  return false;
}

bool SegmentIndex::HasAnyStream(const std::vector<std::string>& wanted) const {
  return SortedHasAny(streams, wanted);
}

std::vector<TraceId> DistinctTraceIds(const std::vector<TraceId>& ids) {
  // Spans of one trace usually arrive together: dropping repeats of the previous id first
  // makes the sort much smaller.
  std::vector<TraceId> out;
  TraceId prev;
  for (const TraceId& id : ids) {
    if (id == prev || id.empty()) continue;
    out.push_back(id);
    prev = id;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  out.shrink_to_fit();
  return out;
}

std::vector<std::string> DistinctStrings(const StringDict& dict, const std::vector<StrId>& ids) {
  std::vector<bool> seen(dict.size(), false);
  std::vector<std::string> out;
  for (StrId id : ids) {
    if (seen[id]) continue;
    seen[id] = true;
    out.emplace_back(dict.Get(id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool SortedHasAny(const std::vector<std::string>& sorted, const std::vector<std::string>& wanted) {
  for (const std::string& w : wanted) {
    if (std::binary_search(sorted.begin(), sorted.end(), w)) return true;
  }
  return false;
}

uint64_t CountDistinctTraceIds(const std::vector<const std::vector<TraceId>*>& lists) {
  if (lists.empty()) return 0;
  if (lists.size() == 1) return lists[0]->size();
  size_t total = 0;
  for (const auto* l : lists) total += l->size();
  std::vector<TraceId> all;
  all.reserve(total);
  for (const auto* l : lists) all.insert(all.end(), l->begin(), l->end());
  std::sort(all.begin(), all.end());
  return static_cast<uint64_t>(std::unique(all.begin(), all.end()) - all.begin());
}

std::vector<std::string> UnionStrings(const std::vector<const std::vector<std::string>*>& lists) {
  std::vector<std::string> all;
  for (const auto* l : lists) all.insert(all.end(), l->begin(), l->end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace ddbg::store
