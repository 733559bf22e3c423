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

namespace {

// Each list strictly increasing, as segment indexes are written; a list that is not (a damaged
// or foreign index) is replaced by a sorted distinct copy kept in *copies.
template <typename T>
std::vector<const std::vector<T>*> StrictlySorted(const std::vector<const std::vector<T>*>& lists,
                                                 std::vector<std::vector<T>>* copies) {
  std::vector<const std::vector<T>*> out;
  copies->reserve(lists.size());
  for (const std::vector<T>* l : lists) {
    auto not_increasing = [](const T& a, const T& b) { return !(a < b); };
    if (std::adjacent_find(l->begin(), l->end(), not_increasing) == l->end()) {
      out.push_back(l);
      continue;
    }
    std::vector<T>& c = copies->emplace_back(*l);
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    out.push_back(&c);
  }
  return out;
}

// Calls emit(v) once for every distinct value of the lists, in ascending order: a k-way merge
// (no copy of the values, O(n log k) comparisons) instead of sorting their concatenation.
template <typename T, typename Emit>
void MergeDistinct(const std::vector<const std::vector<T>*>& lists, Emit emit) {
  std::vector<std::vector<T>> copies;
  using Cursor = std::pair<const T*, const T*>;  // next, end
  std::vector<Cursor> heap;
  for (const std::vector<T>* l : StrictlySorted(lists, &copies)) {
    if (!l->empty()) heap.emplace_back(l->data(), l->data() + l->size());
  }
  auto later = [](const Cursor& a, const Cursor& b) { return *b.first < *a.first; };
  std::make_heap(heap.begin(), heap.end(), later);
  const T* last = nullptr;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Cursor& c = heap.back();
    if (last == nullptr || *last < *c.first) {
      last = c.first;
      emit(*c.first);
    }
    if (++c.first == c.second) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), later);
    }
  }
}

}  // namespace

uint64_t CountDistinctTraceIds(const std::vector<const std::vector<TraceId>*>& lists) {
  uint64_t n = 0;
  MergeDistinct(lists, [&n](const TraceId&) { ++n; });
  return n;
}

uint64_t UnionStrings(const std::vector<const std::vector<std::string>*>& lists, size_t keep,
                      std::vector<std::string>* first) {
  uint64_t n = 0;
  first->clear();
  MergeDistinct(lists, [&](const std::string& v) {
    if (n++ < keep) first->push_back(v);
  });
  return n;
}

std::vector<std::string> UnionStrings(const std::vector<const std::vector<std::string>*>& lists) {
  std::vector<std::string> all;
  UnionStrings(lists, SIZE_MAX, &all);
  return all;
}

}  // namespace ddbg::store
