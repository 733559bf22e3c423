// The shared analyses of the report, run once after the digests: errors.h over the failing
// traces the span pass found (only those are loaded, sampled evenly past a cap), rca.h on
// the window, and events.h integrity and cross-service consistency.
#include <algorithm>

#include "ddbg/span_table.h"
#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

// Failing traces whose spans are loaded for the error analysis; more are sampled evenly.
constexpr size_t kMaxErrorTraces = 4000;
// Integrity examples whose stream is looked up to name its service.
constexpr size_t kMaxStreamLookups = 20;

bool ExplicitWindow(const DebugRequest& r) { return r.has_since || r.has_until || r.window_ns > 0; }

std::vector<TraceId> FailingTraces(const DebugContext& ctx, uint64_t* total) {
  std::vector<TraceId> all;
  for (const TraceFacts& f : ctx.spans.traces.facts()) {
    if (f.error_spans > 0 && f.in_scope) all.push_back(f.id);
  }
  *total = all.size();
  return SampleEvenly(std::move(all), kMaxErrorTraces);
}

Status RunErrorAnalysis(Store& store, DebugContext* ctx) {
  SharedAnalyses& a = ctx->analyses;
  std::vector<TraceId> ids = FailingTraces(*ctx, &a.error_traces_total);
  a.error_traces_analyzed = ids.size();
  if (ids.empty()) return Status::Ok();
  AnalysisScope scope;
  scope.time = ctx->window;
  Result<SpanTable> table = LoadSpanTableOfTraces(store, scope, ids);
  if (!table.ok()) return table.status();
  ErrorOptions options;
  options.max_traces = 10;
  a.errors = AnalyzeErrors(*table, options);
  return Status::Ok();
}

void RunRootCause(Store& store, DebugContext* ctx) {
  RcaOptions options;
  if (ExplicitWindow(ctx->request)) {
    options.has_window = true;
    options.window = ctx->window;
  }
  Result<RcaReport> r = RunRca(store, options);
  if (r.ok()) {
    ctx->analyses.rca = std::move(*r);
  } else {
    ctx->analyses.rca_error = r.status().ToString();
  }
}

// The service that wrote the events of each stream with an integrity issue: the writer of
// its first event (the service that opened the stream).
void NameStreamServices(Store& store, SharedAnalyses* a) {
  for (const IntegrityIssue& issue : a->integrity.examples) {
    if (a->stream_services.size() >= kMaxStreamLookups) break;
    bool known = std::any_of(a->stream_services.begin(), a->stream_services.end(),
                             [&](const auto& p) { return p.first == issue.stream; });
    if (known) continue;
    Result<std::vector<StreamEvent>> events = LoadStream(store, issue.stream);
    if (!events.ok() || events->empty()) continue;
    a->stream_services.emplace_back(issue.stream, events->front().service);
  }
}

void RunEventAnalyses(Store& store, DebugContext* ctx) {
  SharedAnalyses& a = ctx->analyses;
  if (ctx->events.events == 0) return;
  IntegrityOptions io;
  io.now_ns = ctx->window.max_ns;
  Result<IntegrityReport> integrity = CheckIntegrity(store, io);
  if (integrity.ok()) {
    a.integrity = std::move(*integrity);
    NameStreamServices(store, &a);
  } else {
    a.integrity_error = integrity.status().ToString();
  }
  std::unique_ptr<Reducer> reducer = NewMergePatchReducer();
  Result<std::vector<ConsistencyReport>> c = CheckAllConsistency(store, a.consistency_rules, *reducer);
  if (c.ok()) {
    a.inconsistent = std::move(*c);
  } else {
    a.consistency_error = c.status().ToString();
  }
}

}  // namespace

std::vector<TraceId> SampleEvenly(std::vector<TraceId> all, size_t cap) {
  if (all.size() <= cap) return all;
  std::vector<TraceId> sample;
  sample.reserve(cap);
  for (size_t i = 0; i < cap; ++i) sample.push_back(all[i * all.size() / cap]);
  return sample;
}

int64_t DisagreedSince(const ConsistencyReport& r) {
  int64_t since = r.at_ns;
  for (const Disagreement& d : r.disagreements) since = std::min(since, d.since_ns);
  return since;
}

Status RunSharedAnalyses(Store& store, DebugContext* ctx) {
  DDBG_RETURN_IF_ERROR(RunErrorAnalysis(store, ctx));
  RunRootCause(store, ctx);
  RunEventAnalyses(store, ctx);
  return Status::Ok();
}

}  // namespace ddbg::report
