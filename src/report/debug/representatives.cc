// Choosing the traces the report shows in full: the one asked for, or the worst failing and
// the slowest requests of the window (from the per-trace facts of the span pass), ordered by
// the focus; then fetching their spans, logs and correlation ids once.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "analysis/span_stream.h"
#include "report/debug/debug_context.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

// Attribute keys that carry a correlation id (PRODUCT.md, "Correlation").
constexpr std::string_view kCorrelationKeys[] = {"correlation_id", "correlation.id",
                                                 "x-correlation-id", "request_id",
                                                 "workflow_id", "business.workflow_id"};
constexpr size_t kMaxCorrelationIds = 8;

// The indices of the k best facts by `better`, best first, among those `eligible` accepts.
template <typename Eligible, typename Better>
std::vector<uint32_t> TopK(const std::vector<TraceFacts>& facts, size_t k, Eligible eligible,
                           Better better) {
  std::vector<uint32_t> top;
  for (uint32_t i = 0; i < facts.size(); ++i) {
    if (!eligible(facts[i])) continue;
    if (top.size() == k && !better(facts[i], facts[top.back()])) continue;
    auto at = std::find_if(top.begin(), top.end(),
                           [&](uint32_t t) { return better(facts[i], facts[t]); });
    top.insert(at, i);
    if (top.size() > k) top.pop_back();
  }
  return top;
}

bool SlowerThan(const TraceFacts& a, const TraceFacts& b) {
  if (a.root_duration_ns != b.root_duration_ns) return a.root_duration_ns > b.root_duration_ns;
  return a.id < b.id;
}

bool WorseFailure(const TraceFacts& a, const TraceFacts& b) {
  if (a.error_spans != b.error_spans) return a.error_spans > b.error_spans;
  return SlowerThan(a, b);
}

void AddCorrelationIds(RepresentativeTrace& rep) {
  const SpanBatch& b = rep.spans;
  for (size_t a = 0; a < b.attrs.size() && rep.correlation_ids.size() < kMaxCorrelationIds; ++a) {
    if (b.attrs.type[a] != AttrType::kString) continue;
    std::string_view key = b.dict.Get(b.attrs.key[a]);
    if (std::find(std::begin(kCorrelationKeys), std::end(kCorrelationKeys), key) ==
        std::end(kCorrelationKeys)) {
      continue;
    }
    std::string value(b.dict.Get(static_cast<StrId>(b.attrs.value[a])));
    if (value.empty()) continue;
    if (std::find(rep.correlation_ids.begin(), rep.correlation_ids.end(), value) ==
        rep.correlation_ids.end()) {
      rep.correlation_ids.push_back(std::move(value));
    }
  }
}

RepresentativeTrace Representative(TraceId id, std::string why, bool failing) {
  RepresentativeTrace rep;
  rep.id = id;
  rep.why = std::move(why);
  rep.failing = failing;
  return rep;
}

}  // namespace

void PickRepresentativeTraces(DebugContext* ctx) {
  if (!ctx->request.trace_id.empty()) {
    ctx->representatives.push_back(Representative(ctx->request.trace_id, "asked for", false));
    return;
  }
  const std::vector<TraceFacts>& facts = ctx->spans.traces.facts();
  size_t k = ctx->request.representative_traces;
  std::vector<uint32_t> failing = TopK(
      facts, k, [](const TraceFacts& f) { return f.in_scope && f.error_spans > 0; }, WorseFailure);
  std::vector<uint32_t> slow = TopK(
      facts, k, [](const TraceFacts& f) { return f.in_scope && f.root_duration_ns >= 0; },
      SlowerThan);
  auto add = [&](RepresentativeTrace rep) {
    for (const RepresentativeTrace& r : ctx->representatives) {
      if (r.id == rep.id) return;
    }
    ctx->representatives.push_back(std::move(rep));
  };
  auto add_failing = [&] {
    for (uint32_t i : failing) {
      const TraceFacts& f = facts[i];
      add(Representative(f.id,
                         fmt::format("failing: {} error span{} of {}", f.error_spans,
                                     f.error_spans == 1 ? "" : "s", f.spans),
                         true));
    }
  };
  auto add_slow = [&] {
    for (size_t n = 0; n < slow.size(); ++n) {
      const TraceFacts& f = facts[slow[n]];
      add(Representative(
          f.id, fmt::format("slowest request #{}: {}", n + 1, FormatDuration(f.root_duration_ns)),
          f.error_spans > 0));
    }
  };
  bool slow_first = ctx->focus.has(Focus::kTiming) && !ctx->focus.has(Focus::kCausation);
  if (slow_first) {
    add_slow();
    add_failing();
  } else {
    add_failing();
    add_slow();
  }
}

namespace {

// Appends the rows of `b` that belong to each representative to its `rows`.
template <typename Batch, typename Copier>
void AddRows(const Batch& b, std::vector<RepresentativeTrace>* reps, Batch RepresentativeTrace::*rows) {
  for (RepresentativeTrace& rep : *reps) {
    if (rep.id.empty()) continue;
    std::optional<Copier> copier;  // made for the batches holding the trace only
    for (size_t i = 0; i < b.size(); ++i) {
      if (!(b.trace_id[i] == rep.id)) continue;
      if (!copier) copier.emplace(b, &(rep.*rows));
      copier->Copy(i);
    }
  }
}

// Gathers the rows of every representative from one scan of `signal`: the store prunes the
// segments holding none of the traces (as GetTrace does), so a segment holding several is
// decoded once, and each trace's rows come in segment then row order, as GetTrace returns them.
template <typename Batch, typename Copier, typename ScanFn>
Status GatherRows(std::vector<RepresentativeTrace>& reps, Batch RepresentativeTrace::*rows,
                  ScanFilter filter, ScanFn scan) {
  for (const RepresentativeTrace& rep : reps) {
    if (!rep.id.empty()) filter.trace_ids.push_back(rep.id);
  }
  if (filter.trace_ids.empty()) return Status::Ok();
  return scan(filter, [&](const Batch& b) {
    AddRows<Batch, Copier>(b, &reps, rows);
    return Status::Ok();
  });
}

}  // namespace

// The spans and the logs of the traces are each gathered by one scan (the two side by side);
// each segment holding any of them is decoded once. The first failure is returned.
Status FetchRepresentativeTraces(Store& store, DebugContext* ctx) {
  std::vector<RepresentativeTrace>& reps = ctx->representatives;
  Status status[2];
  ParallelFor(2, [&](size_t i, int) {
    if (i == 0) {
      status[0] = GatherRows<SpanBatch, SpanRowCopier>(
          reps, &RepresentativeTrace::spans, ScanFilter{},
          [&](const ScanFilter& f, const BatchFn<SpanBatch>& fn) { return store.ScanSpans(f, fn); });
    } else if (!ctx->representative_logs_in_log_pass) {
      ScanFilter bodies;  // the report shows their time, service, severity and body only
      bodies.log_columns = LogColumns::kBody;
      status[1] = GatherRows<LogBatch, LogRowCopier>(
          reps, &RepresentativeTrace::logs, std::move(bodies),
          [&](const ScanFilter& f, const BatchFn<LogBatch>& fn) { return store.ScanLogs(f, fn); });
    }
  });
  for (const Status& st : status) DDBG_RETURN_IF_ERROR(st);
  for (RepresentativeTrace& rep : reps) {
    if (rep.spans.empty()) {
      return Status::NotFound(fmt::format("trace {} is not in the store", TraceIdToHex(rep.id)));
    }
    AddCorrelationIds(rep);
  }
  return Status::Ok();
}

void AddRepresentativeLogs(const LogBatch& b, std::vector<RepresentativeTrace>* reps) {
  AddRows<LogBatch, LogRowCopier>(b, reps, &RepresentativeTrace::logs);
}

}  // namespace ddbg::report
