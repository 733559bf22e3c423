// The report's one pass over the spans of the window: counts, per-service RED (requests,
// errors, latency histogram, per-bucket counts), caller → callee edges from cross-service
// parent links inside each batch, and per-trace facts. Batch-local state (resource → service
// map, span-id table) is reused across batches; nothing is allocated per span.
#include <cstring>

#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

class SpanDigester {
 public:
  explicit SpanDigester(DebugContext* ctx) : ctx_(ctx), d_(ctx->spans) {}

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
  DebugContext* ctx_;
  SpanDigest& d_;
  std::vector<uint32_t> res_to_svc_;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  std::vector<uint32_t> edge_index_;
  size_t edge_dim_ = 0;
};

}  // namespace

Status DigestSpans(Store& store, DebugContext* ctx) {
  SpanDigester digester(ctx);
  ScanFilter filter;
  filter.time = ctx->window;
  filter.span_columns = SpanColumns::kDetails;  // the digest reads no attribute, event or link
  return store.ScanSpans(filter, [&](const SpanBatch& b) { return digester.Add(b); });
}

}  // namespace ddbg::report
