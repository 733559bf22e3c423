// Children of every span of one SpanTable trace, in start order, with local (in-trace)
// indexes; buffers are reused from trace to trace. Thread-safety: one per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "ddbg/critical_path.h"
#include "ddbg/span_table.h"

namespace ddbg {

class TraceChildren {
 public:
  // Indexes the trace `t` of `table`; local index i is table row begin(t) + i.
  void Build(const SpanTable& table, size_t t);
  // Indexes one trace given as local arrays (parents are local indexes).
  void Build(const CriticalPathInput& trace);
  uint32_t size() const { return static_cast<uint32_t>(first_.size()); }
  uint32_t base() const { return base_; }
  const uint32_t* begin(uint32_t i) const { return list_.data() + first_[i]; }
  const uint32_t* end(uint32_t i) const { return list_.data() + first_[i] + count_[i]; }
  uint32_t count(uint32_t i) const { return count_[i]; }
  // Local parent index, or -1.
  int32_t parent(uint32_t i) const { return parent_[i]; }
  // Duration minus the union of the children's intervals clipped to the span.
  int64_t SelfTime(const SpanTable& table, uint32_t i) const;
  int64_t SelfTime(const CriticalPathInput& trace, uint32_t i) const;

 private:
  void Index(const int64_t* start, uint32_t n);  // after parent_ is filled
  int64_t SelfTimeOf(const int64_t* start, const int64_t* end, uint32_t i) const;

  uint32_t base_ = 0;
  std::vector<uint32_t> first_, count_, list_, fill_, order_;
  std::vector<int32_t> parent_;
};

}  // namespace ddbg
