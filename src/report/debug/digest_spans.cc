// The report's one shared pass over the spans of the window, on StreamWorkers() threads:
// each batch is digested on its own — counts, per-service RED (requests, errors, latency
// histogram, per-bucket counts), caller → callee edges from cross-service parent links
// inside the batch, per-trace facts — and the batch digests are merged in scan order, so
// first-seen orders are those of a sequential scan. The same batches feed the streaming
// topology (section 2's cycles) and rca's anomaly-window series, which would otherwise
// each scan the spans again.
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "analysis/span_stream.h"
#include "analysis/topology_collector.h"
#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

class SpanDigester {
 public:
  SpanDigester(const DebugContext* ctx, SpanDigest* d) : ctx_(ctx), d_(*d) {}

  Status Add(const SpanBatch& b) {
    MapServices(b);
    IndexSpanIds(b);
    uint32_t last_trace = 0;
    TraceId last_id;
    bool have_last = false;
    for (size_t i = 0; i < b.size(); ++i) {
      int64_t start = b.start_ns[i];
      if (!ctx_->window.Contains(start)) continue;
      uint32_t svc = res_to_svc_[b.resource[i]];
      if (!have_last || !(b.trace_id[i] == last_id)) {
        last_id = b.trace_id[i];
        last_trace = d_.traces.IndexOf(last_id);
        have_last = true;
      }
      AddSpan(b, i, svc, d_.traces[last_trace]);
    }
    return Status::Ok();
  }

 private:
  void AddSpan(const SpanBatch& b, size_t i, uint32_t svc, TraceFacts& trace) {
    ServiceDigest& s = d_.services[svc];
    int64_t start = b.start_ns[i];
    int64_t dur = b.end_ns[i] - start;
    bool error = b.status[i] == SpanStatus::kError;
    bool root = b.parent_span_id[i] == 0;
    ++s.spans;
    ++trace.spans;
    if (s.in_scope) {
      trace.in_scope = true;
      ++d_.spans;
      if (d_.min_ns == 0 || start < d_.min_ns) d_.min_ns = start;
      if (start > d_.max_ns) d_.max_ns = start;
    }
    if (error) {
      ++s.error_spans;
      ++trace.error_spans;
      if (s.in_scope) ++d_.error_spans;
    }
    if (root) {
      trace.root_start_ns = start;
      trace.root_duration_ns = dur;
      trace.root_error = error;
    }
    SpanKind k = b.kind[i];
    if (root || k == SpanKind::kServer || k == SpanKind::kConsumer) {
      AddRequest(b, i, s, start, dur, error);
    }
    if (!root) AddEdge(b, i, svc, dur, error);
  }

  void AddRequest(const SpanBatch& b, size_t i, ServiceDigest& s, int64_t start, int64_t dur,
                  bool error) {
    ++s.requests;
    s.latency.Add(dur);
    int bucket = ctx_->Bucket(start);
    ++s.bucket_requests[bucket];
    if (!error) return;
    ++s.errors;
    ++s.bucket_errors[bucket];
    if (s.first_error_trace.empty()) {
      s.first_error_message = b.dict.Get(b.status_message[i]);
      s.first_error_trace = TraceIdToHex(b.trace_id[i]);
    }
  }

  void AddEdge(const SpanBatch& b, size_t i, uint32_t svc, int64_t dur, bool error) {
    uint32_t parent_row = FindRow(b, b.trace_id[i], b.parent_span_id[i]);
    if (parent_row == kNoRow) return;
    uint32_t from = res_to_svc_[b.resource[parent_row]];
    if (from == svc) return;
    EdgeDigest& e = Edge(from, svc);
    ++e.calls;
    if (error) ++e.errors;
    e.latency.Add(dur);
  }

  void MapServices(const SpanBatch& b) {
    res_to_svc_.resize(b.resources.size());
    for (size_t r = 0; r < b.resources.size(); ++r) {
      std::string_view name = b.dict.Get(b.resources.service[r]);
      uint32_t found = kNoRow;
      for (uint32_t s = 0; s < d_.services.size(); ++s) {
        if (d_.services[s].name == name) {
          found = s;
          break;
        }
      }
      if (found == kNoRow) {
        found = static_cast<uint32_t>(d_.services.size());
        ServiceDigest& s = d_.services.emplace_back();
        s.name = name;
        s.in_scope = ctx_->InScope(name);
      }
      res_to_svc_[r] = found;
    }
  }

  static uint64_t HashSpan(SpanId id) {
    uint64_t h = id * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 31);
  }

  void IndexSpanIds(const SpanBatch& b) {
    size_t cap = 16;
    while (cap < b.size() * 2) cap <<= 1;
    slots_.assign(cap, kNoRow);
    mask_ = cap - 1;
    for (size_t i = 0; i < b.size(); ++i) {
      size_t h = HashSpan(b.span_id[i]) & mask_;
      while (slots_[h] != kNoRow) h = (h + 1) & mask_;
      slots_[h] = static_cast<uint32_t>(i);
    }
  }

  uint32_t FindRow(const SpanBatch& b, TraceId trace, SpanId id) const {
    for (size_t h = HashSpan(id) & mask_; slots_[h] != kNoRow; h = (h + 1) & mask_) {
      uint32_t r = slots_[h];
      if (b.span_id[r] == id && b.trace_id[r] == trace) return r;
    }
    return kNoRow;
  }

  EdgeDigest& Edge(uint32_t from, uint32_t to) {
    size_t n = d_.services.size();
    if (n > edge_dim_) {
      size_t dim = std::max<size_t>(64, edge_dim_);
      while (dim < n) dim *= 2;
      std::vector<uint32_t> grown(dim * dim, kNoRow);
      for (size_t f = 0; f < edge_dim_; ++f) {
        std::memcpy(&grown[f * dim], &edge_index_[f * edge_dim_], edge_dim_ * sizeof(uint32_t));
      }
      edge_index_.swap(grown);
      edge_dim_ = dim;
    }
    uint32_t& slot = edge_index_[from * edge_dim_ + to];
    if (slot == kNoRow) {
      slot = static_cast<uint32_t>(d_.edges.size());
      EdgeDigest& e = d_.edges.emplace_back();
      e.from = from;
      e.to = to;
    }
    return d_.edges[slot];
  }

  static constexpr uint32_t kNoRow = 0xffffffffu;
  const DebugContext* ctx_;
  SpanDigest& d_;
  std::vector<uint32_t> res_to_svc_;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  std::vector<uint32_t> edge_index_;
  size_t edge_dim_ = 0;
};

// Appends the digest of a later batch: services and edges by name, traces by id.
class DigestMerger {
 public:
  explicit DigestMerger(SpanDigest* into) : d_(*into) {}

  void Merge(const SpanDigest& part) {
    d_.spans += part.spans;
    d_.error_spans += part.error_spans;
    if (part.min_ns != 0 && (d_.min_ns == 0 || part.min_ns < d_.min_ns)) d_.min_ns = part.min_ns;
    d_.max_ns = std::max(d_.max_ns, part.max_ns);
    std::vector<uint32_t> svc(part.services.size());
    for (size_t s = 0; s < part.services.size(); ++s) svc[s] = MergeService(part.services[s]);
    for (const EdgeDigest& e : part.edges) MergeEdge(e, svc[e.from], svc[e.to]);
    for (const TraceFacts& f : part.traces.facts()) MergeTrace(f);
  }

 private:
  uint32_t MergeService(const ServiceDigest& p) {
    uint32_t s = 0;
    while (s < d_.services.size() && d_.services[s].name != p.name) ++s;
    if (s == d_.services.size()) {
      d_.services.push_back(p);
      return s;
    }
    ServiceDigest& m = d_.services[s];
    m.spans += p.spans;
    m.requests += p.requests;
    m.errors += p.errors;
    m.error_spans += p.error_spans;
    m.latency.Merge(p.latency);
    for (int b = 0; b < kTimeBuckets; ++b) {
      m.bucket_requests[b] += p.bucket_requests[b];
      m.bucket_errors[b] += p.bucket_errors[b];
    }
    if (m.first_error_trace.empty()) {
      m.first_error_message = p.first_error_message;
      m.first_error_trace = p.first_error_trace;
    }
    return s;
  }

  void MergeEdge(const EdgeDigest& p, uint32_t from, uint32_t to) {
    uint64_t key = static_cast<uint64_t>(from) << 32 | to;
    auto [it, added] = edge_index_.try_emplace(key, d_.edges.size());
    if (added) {
      EdgeDigest& e = d_.edges.emplace_back(p);
      e.from = from;
      e.to = to;
      return;
    }
    EdgeDigest& e = d_.edges[it->second];
    e.calls += p.calls;
    e.errors += p.errors;
    e.latency.Merge(p.latency);
  }

  void MergeTrace(const TraceFacts& p) {
    TraceFacts& t = d_.traces[d_.traces.IndexOf(p.id)];
    t.spans += p.spans;
    t.error_spans += p.error_spans;
    t.in_scope = t.in_scope || p.in_scope;
    if (p.root_duration_ns >= 0) {
      t.root_start_ns = p.root_start_ns;
      t.root_duration_ns = p.root_duration_ns;
      t.root_error = p.root_error;
    }
  }

  SpanDigest& d_;
  std::map<uint64_t, uint32_t> edge_index_;
};

// Batch digests arrive from the scan's threads in any order; each is merged once every
// earlier one has been.
class OrderedDigests {
 public:
  explicit OrderedDigests(SpanDigest* into) : merger_(into) {}
  void Add(size_t ordinal, std::unique_ptr<SpanDigest> part) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(ordinal, std::move(part));
    while (!pending_.empty() && pending_.begin()->first == next_) {
      merger_.Merge(*pending_.begin()->second);
      pending_.erase(pending_.begin());
      ++next_;
    }
  }

 private:
  std::mutex mu_;
  DigestMerger merger_;
  std::map<size_t, std::unique_ptr<SpanDigest>> pending_;
  size_t next_ = 0;
};

// rca's anomaly-window series, one per scan thread (taken and given back per batch).
class SeriesPerThread {
 public:
  explicit SeriesPerThread(TimeRange range) : range_(range) {}
  void Add(const SpanBatch& b) {
    std::unique_ptr<rca::WindowSeries> s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.empty()) {
        s = std::make_unique<rca::WindowSeries>(range_);
      } else {
        s = std::move(free_.back());
        free_.pop_back();
      }
    }
    s->Add(b);
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(s));
  }
  rca::WindowSeries Merged() const {
    rca::WindowSeries all(range_);
    for (const auto& s : free_) all.Merge(*s);
    return all;
  }

 private:
  TimeRange range_;
  std::mutex mu_;
  std::vector<std::unique_ptr<rca::WindowSeries>> free_;
};

// The range rca would detect its window in, when the pass covers it (the report's window is
// the whole data); nullopt: rca is given the window, or detects over more than the pass reads.
Result<std::optional<TimeRange>> SharedDetectionRange(Store& store, const DebugContext& ctx) {
  if (RcaWindowGiven(ctx.request)) return std::optional<TimeRange>();
  Result<TimeRange> range = rca::DetectionRange(store, TimeRange{});
  if (!range.ok()) return range.status();
  bool covered = range->min_ns >= ctx.window.min_ns && range->max_ns <= ctx.window.max_ns;
  return covered ? std::optional<TimeRange>(*range) : std::nullopt;
}

}  // namespace

Status DigestSpans(Store& store, DebugContext* ctx) {
  Result<std::optional<TimeRange>> rca_range = SharedDetectionRange(store, *ctx);
  if (!rca_range.ok()) return rca_range.status();
  std::optional<SeriesPerThread> series;
  if (rca_range->has_value()) series.emplace(**rca_range);
  AnalysisScope scope;
  scope.time = ctx->window;
  TopologyCollector topology(scope);
  OrderedDigests digests(&ctx->spans);
  ScanFilter filter;
  filter.time = ctx->window;
  // The digest reads no attribute or event; the topology reads links.
  filter.span_columns = SpanColumns::kDetails | TopologyCollector::kColumns;
  Status st = store.ScanSpansParallel(filter, StreamWorkers(), [&](const SpanBatch& b, size_t n) {
    auto part = std::make_unique<SpanDigest>();
    SpanDigester(ctx, part.get()).Add(b);
    digests.Add(n, std::move(part));
    topology.Collect(b, n);
    if (series) series->Add(b);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  ctx->clock->Lap("span pass: scan, digest, topology records");
  ctx->topology = topology.Finish();
  ctx->clock->Lap("span pass: topology resolved");
  if (series) ctx->rca_window = series->Merged().Detect(RcaFallbackWindowNs());
  return Status::Ok();
}

}  // namespace ddbg::report
