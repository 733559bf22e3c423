#include "analysis/trace_children.h"

#include <algorithm>

namespace ddbg {

void TraceChildren::Build(const SpanTable& table, size_t t) {
  base_ = table.begin(t);
  const uint32_t n = table.end(t) - base_;
  parent_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    int32_t p = table.parent[base_ + i];
    parent_[i] = p < 0 ? -1 : p - static_cast<int32_t>(base_);
  }
  Index(table.start_ns.data() + base_, n);
}

void TraceChildren::Build(const CriticalPathInput& trace) {
  base_ = 0;
  parent_.assign(trace.parent.begin(), trace.parent.end());
  Index(trace.start.data(), static_cast<uint32_t>(trace.size()));
}

void TraceChildren::Index(const int64_t* start, uint32_t n) {
  first_.assign(n, 0);
  count_.assign(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    if (parent_[i] >= 0) ++count_[parent_[i]];
  }
  uint32_t at = 0;
  for (uint32_t i = 0; i < n; ++i) {
    first_[i] = at;
    at += count_[i];
  }
  list_.resize(at);
  fill_.assign(n, 0);
  order_.resize(n);
  for (uint32_t i = 0; i < n; ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(), [start](uint32_t a, uint32_t b) {
    return start[a] != start[b] ? start[a] < start[b] : a < b;
  });
  for (uint32_t i : order_) {
    if (parent_[i] >= 0) list_[first_[parent_[i]] + fill_[parent_[i]]++] = i;
  }
}

int64_t TraceChildren::SelfTime(const SpanTable& table, uint32_t i) const {
  return SelfTimeOf(table.start_ns.data() + base_, table.end_ns.data() + base_, i);
}

int64_t TraceChildren::SelfTime(const CriticalPathInput& trace, uint32_t i) const {
  return SelfTimeOf(trace.start.data(), trace.end.data(), i);
}

int64_t TraceChildren::SelfTimeOf(const int64_t* start, const int64_t* end, uint32_t i) const {
  int64_t s0 = start[i], e0 = end[i];
  int64_t covered = 0, run_s = 0, run_e = 0;
  bool open = false;
  for (const uint32_t* c = begin(i); c != this->end(i); ++c) {
    int64_t s = std::max(start[*c], s0);
    int64_t e = std::min(end[*c], e0);
    if (e <= s) continue;
    if (open && s <= run_e) {
      run_e = std::max(run_e, e);
    } else {
      if (open) covered += run_e - run_s;
      run_s = s;
      run_e = e;
      open = true;
    }
  }
  if (open) covered += run_e - run_s;
  return (e0 - s0) - covered;
}

}  // namespace ddbg
