// Aggregated critical path by streaming the store, without a grouped SpanTable. One
// parallel scan (structure and links) turns each batch's kept spans into compact records
// (trace, span, parent, times, operation, kind/FOLLOWS_FROM flags) bucketed into partitions
// by trace id (trace_partitions.h). Then, partition by partition on several threads, records
// are grouped by trace (scan order inside a trace, as in the table) and each trace's duration
// is taken; the durations of all traces give the cohorts; a second pass over the grouped
// partitions finds parents exactly as the table does (the first span with the parent id),
// solves every trace's critical path and adds it to per-thread totals.
#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "analysis/dense_index.h"
#include "analysis/span_stream.h"
#include "analysis/span_table_builder.h"
#include "analysis/timing_internal.h"
#include "analysis/trace_partitions.h"
#include "ddbg/timing.h"

namespace ddbg {
namespace {
using namespace timing_internal;

enum : uint8_t { kConsumer = 1, kProducer = 2, kFollowsFrom = 4 };

// A kept span, as much of it as the critical path needs.
struct PathRec {
  uint64_t hi, lo;
  SpanId span, parent;
  int64_t start, end;
  uint32_t op;  // OpIds id
  uint8_t flags;
};

// (service, operation) -> dense id, shared by every batch; names in `strings`.
class OpIds {
 public:
  uint32_t Id(StrId service, StrId name) {
    uint64_t key = (static_cast<uint64_t>(service) << 32) | name;
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, added] = ids_.emplace(key, static_cast<uint32_t>(keys_.size()));
    if (added) keys_.push_back(key);
    return it->second;
  }
  // Only once the scan is over.
  StrId service(uint32_t op) const { return static_cast<StrId>(keys_[op] >> 32); }
  StrId name(uint32_t op) const { return static_cast<StrId>(keys_[op]); }
  SharedStrings strings;

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::vector<uint64_t> keys_;
};

// One partition's records grouped by trace, and each trace's duration (latest end minus
// earliest start).
struct GroupedPart {
  TraceGroups<PathRec> groups;
  std::vector<int64_t> duration;
};

class CriticalPathScan {
 public:
  CriticalPathScan(const AnalysisScope& scope, CriticalPathMode mode) : scope_(scope), mode_(mode) {}

  // The scan: one batch's kept spans into records, by partition.
  void Collect(const SpanBatch& b, size_t ordinal) {
    BatchStrings str(b, &ops_.strings);
    DenseIndex<uint64_t, U64Hash> batch_ops;  // batch (service, name) -> index in op_of
    std::vector<uint32_t> op_of;                   // -> op id
    uint64_t last_key = UINT64_MAX;
    uint32_t last_op = 0;
    int64_t ref_type_key = b.dict.Find("opentracing.ref_type");
    int64_t follows_from = b.dict.Find("follows_from");
    auto keep = [&](size_t i) { return scope_.time.Contains(b.start_ns[i]); };
    auto make = [&](size_t i) {
      uint64_t key = (static_cast<uint64_t>(b.service[i]) << 32) | b.name[i];
      if (key != last_key) {
        bool added = false;
        uint32_t k = batch_ops.Insert(key, &added);
        if (added) op_of.push_back(ops_.Id(str(b.service[i]), str(b.name[i])));
        last_key = key;
        last_op = op_of[k];
      }
      uint8_t flags = (b.kind[i] == SpanKind::kConsumer ? kConsumer : 0) |
                      (b.kind[i] == SpanKind::kProducer ? kProducer : 0) |
                      (FollowsFromParent(b, i, ref_type_key, follows_from) ? kFollowsFrom : 0);
      const TraceId& t = b.trace_id[i];
      int64_t start = b.start_ns[i];
      return PathRec{t.hi, t.lo, b.span_id[i], b.parent_span_id[i], start,
                     std::max(b.end_ns[i], start), last_op, flags};
    };
    parts_.Put(ordinal, PartitionRows<PathRec>(b, keep, make));
  }

  CriticalPathSummary Finish() {
    CriticalPathSummary sum;
    sum.mode = mode_;
    std::vector<GroupedPart> grouped(kTraceParts);
    {
      std::vector<GroupScratch<PathRec>> scratch(StreamWorkers());
      ParallelFor(kTraceParts, [&](size_t p, int w) { Group(p, &scratch[w], &grouped[p]); });
    }
    std::vector<int64_t> durations;
    for (const GroupedPart& g : grouped) durations.insert(durations.end(), g.duration.begin(), g.duration.end());
    sum.traces = durations.size();
    Cohorts cohorts = CohortsOf(std::move(durations), &sum);
    std::vector<PathTotals> totals(StreamWorkers(), PathTotals(mode_, cohorts));
    std::vector<Scratch> scratch(StreamWorkers());
    ParallelFor(kTraceParts, [&](size_t p, int w) {
      Solve(grouped[p], &scratch[w], &totals[w]);
      grouped[p] = GroupedPart();
    });
    for (size_t w = 1; w < totals.size(); ++w) totals[0].Add(totals[w]);
    totals[0].Finish([this](StrId id) { return ops_.strings.Get(id); }, &sum);
    return sum;
  }

 private:
  struct Scratch {
    TraceRows rows;
    ParentScratch parents;
  };

  // Partition p's records grouped by trace, and the traces' durations.
  void Group(size_t p, GroupScratch<PathRec>* scratch, GroupedPart* out) const {
    GroupByTrace(parts_, p, scratch, &out->groups);
    const TraceGroups<PathRec>& g = out->groups;
    out->duration.resize(g.traces());
    for (size_t t = 0; t < g.traces(); ++t) {
      int64_t s = INT64_MAX, e = INT64_MIN;
      for (uint32_t k = g.begin[t]; k < g.begin[t + 1]; ++k) {
        s = std::min(s, g.rows[k]->start);
        e = std::max(e, g.rows[k]->end);
      }
      out->duration[t] = e > s ? e - s : 0;
    }
  }

  // Every trace of a grouped partition into `totals`.
  void Solve(const GroupedPart& part, Scratch* s, PathTotals* totals) const {
    const TraceGroups<PathRec>& g = part.groups;
    for (size_t t = 0; t < g.traces(); ++t) {
      const PathRec* const* recs = g.rows.data() + g.begin[t];
      const uint32_t n = g.begin[t + 1] - g.begin[t];
      TraceRows& rows = s->rows;
      rows.Clear();
      CriticalPathInput& in = rows.input;
      FindTraceParents(g, t, &in.parent, &s->parents);
      for (uint32_t i = 0; i < n; ++i) {
        const PathRec& r = *recs[i];
        int32_t parent = in.parent[i];
        bool messaging = parent >= 0 && (r.flags & kConsumer) && (recs[parent]->flags & kProducer);
        in.start.push_back(r.start);
        in.end.push_back(r.end);
        in.async.push_back((r.flags & kFollowsFrom) || messaging);
        rows.service.push_back(ops_.service(r.op));
        rows.name.push_back(ops_.name(r.op));
      }
      totals->AddTrace(rows, part.duration[t]);
    }
  }

  const AnalysisScope& scope_;
  CriticalPathMode mode_;
  OpIds ops_;
  TracePartitions<PathRec> parts_;
};

}  // namespace

Result<std::optional<CriticalPathSummary>> AggregateCriticalPathsStreaming(Store& store,
                                                                           const AnalysisScope& scope,
                                                                           CriticalPathMode mode) {
  if (NeedsWholeTraces(scope)) return std::optional<CriticalPathSummary>();
  auto scan = std::make_unique<CriticalPathScan>(scope, mode);
  Status st = ScanIntoCollector(store, scope, SpanColumns::kLinks, scan.get());
  if (!st.ok()) return st;
  return std::optional<CriticalPathSummary>(scan->Finish());
}

Result<CriticalPathSummary> AggregateCriticalPaths(Store& store, const AnalysisScope& scope,
                                                   CriticalPathMode mode) {
  Result<std::optional<CriticalPathSummary>> fast = AggregateCriticalPathsStreaming(store, scope, mode);
  if (!fast.ok()) return fast.status();
  if (fast->has_value()) return std::move(**fast);
  SpanTableOptions table_options;
  table_options.error_details = false;
  Result<SpanTable> table = LoadSpanTable(store, scope, table_options);
  if (!table.ok()) return table.status();
  return AggregateCriticalPaths(*table, mode);
}

}  // namespace ddbg
