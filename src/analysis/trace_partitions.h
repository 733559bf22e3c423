// Spans bucketed by trace id without a global table: while the store is scanned, each
// batch's kept rows become small records counting-sorted into kTraceParts partitions by a
// hash of their trace id; once the scan is done every partition holds whole traces (from
// any batch, in scan order) and can be solved on its own, on any thread, with working sets
// that fit in cache. Used by the streaming topology and the streaming critical path.
// Thread-safety: Put() may be called from several threads; ForPart() once Put()s are done.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "analysis/span_table_builder.h"
#include "ddbg/model.h"

namespace ddbg {

constexpr size_t kTraceParts = 256;

inline uint64_t MixBits(uint64_t h) {
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 32);
}
inline size_t TracePartOf(TraceId t) { return MixBits(t.lo ^ (t.hi * 0x9E3779B97F4A7C15ull)) >> 56; }

// One batch's records, counting-sorted by partition: partition p is [begin[p], begin[p+1]).
template <typename Rec>
struct PartitionedBatch {
  std::unique_ptr<Rec[]> recs;
  std::vector<uint32_t> begin;
};

// The rows of `b` for which keep(i), as make(i) records, by partition of their trace.
template <typename Rec, typename KeepFn, typename MakeFn>
PartitionedBatch<Rec> PartitionRows(const SpanBatch& b, KeepFn keep, MakeFn make) {
  constexpr uint16_t kDropped = 0xffff;
  PartitionedBatch<Rec> out;
  std::vector<uint16_t> part(b.size());
  out.begin.assign(kTraceParts + 1, 0);
  for (size_t i = 0; i < b.size(); ++i) {
    part[i] = keep(i) ? static_cast<uint16_t>(TracePartOf(b.trace_id[i])) : kDropped;
    if (part[i] != kDropped) ++out.begin[part[i] + 1];
  }
  for (size_t p = 1; p <= kTraceParts; ++p) out.begin[p] += out.begin[p - 1];
  out.recs.reset(new Rec[out.begin[kTraceParts]]);
  std::vector<uint32_t> next(out.begin.begin(), out.begin.end() - 1);
  for (size_t i = 0; i < b.size(); ++i) {
    if (part[i] != kDropped) out.recs[next[part[i]]++] = make(i);
  }
  return out;
}

// Records that carry their trace id as `hi`/`lo`, by partition of that trace (stable).
template <typename Rec>
PartitionedBatch<Rec> PartitionRecords(const std::vector<Rec>& recs) {
  PartitionedBatch<Rec> out;
  out.begin.assign(kTraceParts + 1, 0);
  std::vector<uint8_t> part(recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    part[i] = static_cast<uint8_t>(TracePartOf({recs[i].hi, recs[i].lo}));
    ++out.begin[part[i] + 1];
  }
  for (size_t p = 1; p <= kTraceParts; ++p) out.begin[p] += out.begin[p - 1];
  out.recs.reset(new Rec[recs.size()]);
  std::vector<uint32_t> next(out.begin.begin(), out.begin.end() - 1);
  for (size_t i = 0; i < recs.size(); ++i) out.recs[next[part[i]]++] = recs[i];
  return out;
}

struct ParentScratch {
  std::vector<SpanId> ids, parent_ids;
  std::vector<std::pair<SpanId, uint32_t>> index;
};

// Every batch's partitioned records, by batch ordinal (scan order).
template <typename Rec>
class TracePartitions {
 public:
  void Put(size_t ordinal, PartitionedBatch<Rec> batch) {
    auto owned = std::make_unique<PartitionedBatch<Rec>>(std::move(batch));
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_.size() <= ordinal) batches_.resize(ordinal + 1);
    batches_[ordinal] = std::move(owned);
  }
  size_t PartSize(size_t p) const {
    size_t n = 0;
    for (const auto& b : batches_) n += b ? b->begin[p + 1] - b->begin[p] : 0;
    return n;
  }
  // fn(record) for every record of partition p, in scan order.
  template <typename Fn>
  void ForPart(size_t p, Fn fn) const {
    for (const auto& b : batches_) {
      if (!b) continue;
      for (uint32_t k = b->begin[p]; k < b->begin[p + 1]; ++k) fn(b->recs[k]);
    }
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<PartitionedBatch<Rec>>> batches_;
};

// One partition's records grouped by trace: traces in first-appearance order, records of a
// trace in scan order (as a SpanTable groups rows), so per-trace answers match the table's.
template <typename Rec>
struct TraceGroups {
  std::vector<const Rec*> rows;   // trace by trace
  std::vector<uint32_t> begin;    // trace k: rows [begin[k], begin[k+1])
  size_t traces() const { return begin.size() - 1; }
};

// Buffers of GroupByTrace, reused from partition to partition; afterwards `traces` maps
// each trace id of the partition to its trace index.
template <typename Rec>
struct GroupScratch {
  TraceIndexMap traces;
  std::vector<uint32_t> row_trace;
  std::vector<const Rec*> flat;
};

// Groups partition p of `parts`.
template <typename Rec>
void GroupByTrace(const TracePartitions<Rec>& parts, size_t p, GroupScratch<Rec>* s,
                  TraceGroups<Rec>* out) {
  s->traces.Clear();
  s->row_trace.clear();
  s->flat.clear();
  const Rec* last = nullptr;  // records of a trace mostly come together
  uint32_t last_trace = 0;
  bool added = false;
  parts.ForPart(p, [&](const Rec& r) {
    if (!last || last->lo != r.lo || last->hi != r.hi) last_trace = s->traces.Insert({r.hi, r.lo}, &added);
    last = &r;
    s->row_trace.push_back(last_trace);
    s->flat.push_back(&r);
  });
  out->begin.assign(s->traces.size() + 1, 0);
  for (uint32_t t : s->row_trace) ++out->begin[t + 1];
  for (size_t k = 1; k < out->begin.size(); ++k) out->begin[k] += out->begin[k - 1];
  std::vector<uint32_t> next(out->begin.begin(), out->begin.end() - 1);
  out->rows.resize(s->flat.size());
  for (size_t i = 0; i < s->flat.size(); ++i) out->rows[next[s->row_trace[i]]++] = s->flat[i];
}

// Parents inside trace t of `groups` (the first record with the parent's span id, as the
// SpanTable resolves them): parent[i] is a local index or -1. `scratch` is reused.
template <typename Rec>
void FindTraceParents(const TraceGroups<Rec>& groups, size_t t, std::vector<int32_t>* parent,
                      ParentScratch* scratch) {
  const Rec* const* recs = groups.rows.data() + groups.begin[t];
  const uint32_t n = groups.begin[t + 1] - groups.begin[t];
  scratch->ids.resize(n);
  scratch->parent_ids.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    scratch->ids[i] = recs[i]->span;
    scratch->parent_ids[i] = recs[i]->parent;
  }
  parent->resize(n);
  FindParents(scratch->ids.data(), scratch->parent_ids.data(), n, parent->data(), &scratch->index);
}

// Whether a link of row i to its parent says FOLLOWS_FROM (`ref_type_key` and
// `follows_from` are the batch's ids of "opentracing.ref_type" and "follows_from", or -1).
inline bool FollowsFromParent(const SpanBatch& b, size_t i, int64_t ref_type_key,
                              int64_t follows_from) {
  if (ref_type_key < 0) return false;
  for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
    if (b.link_trace_id[l] != b.trace_id[i] || b.link_span_id[l] != b.parent_span_id[i]) continue;
    for (uint32_t a = b.link_attr_off.begin(l); a < b.link_attr_off.end(l); ++a) {
      if (b.link_attrs.key[a] == ref_type_key &&
          b.link_attrs.value[a] == static_cast<uint64_t>(follows_from)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace ddbg
