// The report's one shared pass over the spans of the window, on StreamWorkers() threads:
// each batch is digested on its own — counts, per-service RED (requests, errors, latency
// histogram, per-bucket counts), per-trace facts — and the batch digests are merged in scan
// order, so first-seen orders are those of a sequential scan. The same batches feed the
// streaming topology (section 2's caller → callee edges and cycles: parents are found across
// batches there) and rca's anomaly-window series, which would otherwise each scan the spans
// again.
#include <map>
#include <memory>
#include <mutex>

#include "analysis/span_stream.h"
#include "analysis/topology_collector.h"
#include "ddbg/topology.h"
#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

class SpanDigester {
 public:
  SpanDigester(const DebugContext* ctx, SpanDigest* d) : ctx_(ctx), d_(*d) {}

  Status Add(const SpanBatch& b) {
    MapServices(b);
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

  static constexpr uint32_t kNoRow = 0xffffffffu;
  const DebugContext* ctx_;
  SpanDigest& d_;
  std::vector<uint32_t> res_to_svc_;
};

// Appends the digest of a later batch: services by name, traces by id.
class DigestMerger {
 public:
  explicit DigestMerger(SpanDigest* into) : d_(*into) {}

  void Merge(const SpanDigest& part) {
    d_.spans += part.spans;
    d_.error_spans += part.error_spans;
    if (part.min_ns != 0 && (d_.min_ns == 0 || part.min_ns < d_.min_ns)) d_.min_ns = part.min_ns;
    d_.max_ns = std::max(d_.max_ns, part.max_ns);
    for (const ServiceDigest& s : part.services) MergeService(s);
    for (const TraceFacts& f : part.traces.facts()) MergeTrace(f);
  }

 private:
  void MergeService(const ServiceDigest& p) {
    uint32_t s = 0;
    while (s < d_.services.size() && d_.services[s].name != p.name) ++s;
    if (s == d_.services.size()) {
      d_.services.push_back(p);
      return;
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
  if (!ctx->topology) {  // a span of 78 hours or more, or over 4096 services: from a table
    Result<Topology> t = ComputeTopologyFromTable(store, scope);
    if (!t.ok()) return t.status();
    ctx->topology = std::move(*t);
  }
  ctx->clock->Lap("span pass: topology resolved");
  if (series) ctx->rca_window = series->Merged().Detect(RcaFallbackWindowNs());
  return Status::Ok();
}

}  // namespace ddbg::report
