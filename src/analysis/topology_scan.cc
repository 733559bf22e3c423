// Topology by streaming the store, without a grouped SpanTable. One parallel scan
// (structure and links) turns each batch's kept spans into compact records (trace, span,
// parent, service, kind/status/FOLLOWS_FROM flags, latency) bucketed into partitions by
// trace id (trace_partitions.h), and links to other traces into probe records of the linked
// trace's partition. Then each partition is grouped by trace on its own (threads take
// partitions), so parents written in any batch (each service's spans are written in their
// own batches) and link targets are found inside their trace. Semantics match
// ComputeTopology(SpanTable): rows outside the time range are ignored, the parent is the
// first span with the parent id in the same trace, FOLLOWS_FROM / CONSUMER-of-PRODUCER
// edges are messaging, links to other traces add messaging edges (to the last span with the
// linked id). Values too large for a 40-byte record make the caller use the table.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "analysis/span_stream.h"
#include "analysis/span_table_builder.h"
#include "analysis/topology_collector.h"
#include "analysis/topology_internal.h"
#include "analysis/trace_partitions.h"
#include "ddbg/topology.h"

namespace ddbg {
namespace {
using namespace topology_internal;

constexpr uint32_t kNone = 0xffffffffu;
// Service names -> dense ids shared by every batch of both passes.
class ServiceIds {
 public:
  // The batch's StrId -> global id map, filled for the services its rows use.
  std::vector<uint32_t> MapBatch(const SpanBatch& b) {
    std::vector<uint32_t> map(b.dict.size(), kNone);
    std::lock_guard<std::mutex> lock(mu_);
    for (StrId s : b.service) {
      if (map[s] != kNone) continue;
      auto [it, added] = ids_.emplace(std::string(b.dict.Get(s)), names_.size());
      if (added) names_.push_back(it->first);
      map[s] = it->second;
    }
    return map;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

// Accumulated counts of some batches.
struct Counts {
  std::unordered_map<uint64_t, EdgeAcc> edges;
  std::vector<uint64_t> requests, errors;
  std::vector<uint8_t> seen;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  EdgeAcc* last_edge = nullptr;
  uint64_t last_key = 0;

  void Service(uint32_t svc) {
    if (svc >= seen.size()) {
      seen.resize(svc + 1, 0);
      requests.resize(svc + 1, 0);
      errors.resize(svc + 1, 0);
    }
    seen[svc] = 1;
  }
  void Edge(uint32_t from, uint32_t to, bool messaging, bool error, int64_t latency) {
    uint64_t key = EdgeKey(from, to, messaging);
    if (!last_edge || key != last_key) {
      last_edge = &edges[key];  // references into an unordered_map stay valid
      last_key = key;
    }
    EdgeAcc& e = *last_edge;
    ++e.calls;
    e.errors += error;
    e.latency.push_back(latency);
  }
  void MergeInto(Counts* to) const {
    for (const auto& [key, acc] : edges) {
      EdgeAcc& e = to->edges[key];
      e.calls += acc.calls;
      e.errors += acc.errors;
      e.latency.insert(e.latency.end(), acc.latency.begin(), acc.latency.end());
    }
    for (uint32_t s = 0; s < seen.size(); ++s) {
      if (!seen[s]) continue;
      to->Service(s);
      to->requests[s] += requests[s];
      to->errors[s] += errors[s];
    }
    to->lo = std::min(to->lo, lo);
    to->hi = std::max(to->hi, hi);
  }
};

enum : uint8_t { kError = 1, kConsumer = 2, kProducer = 4, kFollowsFrom = 8 };

// A kept span, as much of it as the topology needs, in 40 bytes (record writes are a large
// part of the scan's cost): latency (< 2^48 ns, 78 h), service id (< 4096) and flags packed.
struct SpanRec {
  uint64_t hi, lo;
  SpanId span, parent;
  uint64_t packed;  // latency << 16 | service << 4 | flags
  int64_t latency() const { return static_cast<int64_t>(packed >> 16); }
  uint32_t svc() const { return static_cast<uint32_t>(packed >> 4) & 0xfff; }
  uint8_t flags() const { return packed & 0xf; }
  // False when the values do not fit (the caller then uses the SpanTable).
  static bool Fits(int64_t latency, uint32_t svc) { return latency < (int64_t{1} << 48) && svc < 4096; }
};
// A link from a span (svc, error, latency) to a span of another trace.
struct LinkRec {
  uint64_t hi, lo;
  SpanId span;
  int64_t latency;
  uint32_t svc;
  uint8_t flags;
};

}  // namespace

class TopologyScan {
 public:
  explicit TopologyScan(const AnalysisScope& scope) : scope_(scope) {}

  // The scan: one batch's kept spans and cross-trace links into records, by partition.
  void Collect(const SpanBatch& b, size_t ordinal) {
    std::vector<uint32_t> svc = services_.MapBatch(b);
    int64_t ref_type_key = b.dict.Find("opentracing.ref_type");
    int64_t follows_from = b.dict.Find("follows_from");
    Counts c;
    std::vector<LinkRec> links;
    auto keep = [&](size_t i) { return scope_.time.Contains(b.start_ns[i]); };
    auto make = [&](size_t i) {
      int64_t start = b.start_ns[i];
      int64_t end = std::max(b.end_ns[i], start);
      uint32_t s = svc[b.service[i]];
      c.Service(s);
      c.lo = std::min(c.lo, start);
      c.hi = std::max(c.hi, end);
      uint8_t flags = (b.status[i] == SpanStatus::kError ? kError : 0) |
                      (b.kind[i] == SpanKind::kConsumer ? kConsumer : 0) |
                      (b.kind[i] == SpanKind::kProducer ? kProducer : 0) |
                      (FollowsFromParent(b, i, ref_type_key, follows_from) ? kFollowsFrom : 0);
      const TraceId& t = b.trace_id[i];
      for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
        const TraceId& lt = b.link_trace_id[l];
        if (lt != t) links.push_back({lt.hi, lt.lo, b.link_span_id[l], end - start, s, flags});
      }
      if (!SpanRec::Fits(end - start, s)) too_large_ = true;
      uint64_t packed = static_cast<uint64_t>(end - start) << 16 | s << 4 | flags;
      return SpanRec{t.hi, t.lo, b.span_id[i], b.parent_span_id[i], packed};
    };
    spans_.Put(ordinal, PartitionRows<SpanRec>(b, keep, make));
    links_.Put(ordinal, PartitionRecords(links));
    std::lock_guard<std::mutex> lock(mu_);
    c.MergeInto(&total_);
  }

  // Whether some span's latency or service id did not fit its record.
  bool too_large() const { return too_large_.load(); }

  // After the scan: every partition, on StreamWorkers() threads.
  void Resolve() {
    std::vector<Counts> counts(StreamWorkers());
    std::vector<Scratch> scratch(StreamWorkers());  // reused: no allocation per partition
    ParallelFor(kTraceParts, [&](size_t p, int w) { ResolvePart(p, &counts[w], &scratch[w]); });
    for (const Counts& c : counts) c.MergeInto(&total_);
  }

  Topology Finish() {
    Topology topo;
    topo.traces = traces_.load();
    topo.window_ns = total_.hi > total_.lo ? total_.hi - total_.lo : 0;
    double seconds = topo.window_ns > 0 ? topo.window_ns / 1e9 : 0;
    const std::vector<std::string>& names = services_.names();
    for (uint32_t s = 0; s < total_.seen.size(); ++s) {
      if (total_.seen[s]) {
        topo.services.push_back(MakeService(names[s], total_.requests[s], total_.errors[s], seconds));
      }
    }
    // Each edge's percentiles select among its calls' latencies: edges on StreamWorkers().
    std::vector<std::pair<uint64_t, EdgeAcc*>> accs;
    for (auto& [key, acc] : total_.edges) accs.emplace_back(key, &acc);
    topo.edges.resize(accs.size());
    ParallelFor(accs.size(), [&](size_t i, int) {
      auto [key, acc] = accs[i];
      topo.edges[i] = MakeEdge(names[EdgeParent(key)], names[EdgeChild(key)], key, acc);
    });
    FinishGraph(&topo);
    return topo;
  }

 private:
  struct Scratch {
    GroupScratch<SpanRec> group;
    TraceGroups<SpanRec> groups;
    std::vector<int32_t> parent;
    ParentScratch parents;
  };

  // Partition p grouped by trace: parents as the table finds them (the first span with the
  // parent id), and links to the last span with the linked id (as the table's lookup).
  void ResolvePart(size_t p, Counts* c, Scratch* s) {
    const TraceGroups<SpanRec>& g = s->groups;
    GroupByTrace(spans_, p, &s->group, &s->groups);
    traces_ += g.traces();
    for (size_t t = 0; t < g.traces(); ++t) {
      const SpanRec* const* recs = g.rows.data() + g.begin[t];
      FindTraceParents(g, t, &s->parent, &s->parents);
      for (uint32_t i = 0; i < s->parent.size(); ++i) {
        const SpanRec& r = *recs[i];
        const SpanRec* parent = s->parent[i] < 0 ? nullptr : recs[s->parent[i]];
        const uint32_t svc = r.svc();
        const uint8_t flags = r.flags();
        c->Service(svc);
        bool error = flags & kError;
        if (parent && parent->svc() == svc) continue;
        ++c->requests[svc];
        c->errors[svc] += error;
        if (!parent) continue;
        bool async = ((parent->flags() & kProducer) && (flags & kConsumer)) || (flags & kFollowsFrom);
        c->Edge(parent->svc(), svc, async, error, r.latency());
      }
    }
    links_.ForPart(p, [&](const LinkRec& l) {
      int64_t t = s->group.traces.Find({l.hi, l.lo});
      if (t < 0) return;
      const SpanRec* target = nullptr;
      for (uint32_t k = g.begin[t]; k < g.begin[t + 1]; ++k) {
        if (g.rows[k]->span == l.span) target = g.rows[k];
      }
      if (target && target->svc() != l.svc) c->Edge(target->svc(), l.svc, true, l.flags & kError, l.latency);
    });
  }

  const AnalysisScope& scope_;
  ServiceIds services_;
  std::mutex mu_;
  Counts total_;
  TracePartitions<SpanRec> spans_;
  TracePartitions<LinkRec> links_;
  std::atomic<uint64_t> traces_{0};
  std::atomic<bool> too_large_{false};
};

TopologyCollector::TopologyCollector(const AnalysisScope& scope)
    : scan_(std::make_unique<TopologyScan>(scope)) {}
TopologyCollector::~TopologyCollector() = default;
void TopologyCollector::Collect(const SpanBatch& b, size_t ordinal) { scan_->Collect(b, ordinal); }

std::optional<Topology> TopologyCollector::Finish() {
  if (scan_->too_large()) return std::nullopt;
  scan_->Resolve();
  return scan_->Finish();
}

Result<std::optional<Topology>> ComputeTopologyStreaming(Store& store, const AnalysisScope& scope) {
  if (NeedsWholeTraces(scope)) return std::optional<Topology>();
  TopologyCollector collector(scope);
  Status st = ScanIntoCollector(store, scope, TopologyCollector::kColumns, &collector);
  if (!st.ok()) return st;
  return collector.Finish();
}

Result<Topology> ComputeTopology(Store& store, const AnalysisScope& scope) {
  Result<std::optional<Topology>> fast = ComputeTopologyStreaming(store, scope);
  if (!fast.ok()) return fast.status();
  if (fast->has_value()) return std::move(**fast);
  return ComputeTopologyFromTable(store, scope);
}

}  // namespace ddbg
