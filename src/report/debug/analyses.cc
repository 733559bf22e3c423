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
// Traces of the window whose critical paths section 4 aggregates; more are sampled evenly.
constexpr size_t kMaxTimingTraces = 20000;
// Entities (seen by two or more services) whose consistency is checked; more are sampled.
constexpr size_t kMaxConsistencyEntities = 20000;
// Integrity examples whose stream is looked up to name its service.
constexpr size_t kMaxStreamLookups = 20;

std::vector<TraceId> FailingTraces(const DebugContext& ctx, uint64_t* total) {
  std::vector<TraceId> all;
  for (const TraceFacts& f : ctx.spans.traces.facts()) {
    if (f.error_spans > 0 && f.in_scope) all.push_back(f.id);
  }
  *total = all.size();
  return SampleEvenly(std::move(all), kMaxErrorTraces);
}

std::vector<TraceId> TimingTraces(const DebugContext& ctx, uint64_t* total) {
  std::vector<TraceId> all;
  for (const TraceFacts& f : ctx.spans.traces.facts()) {
    if (f.in_scope) all.push_back(f.id);
  }
  *total = all.size();
  return SampleEvenly(std::move(all), kMaxTimingTraces);
}

// The failing traces (for errors.h) and the timing sample (for section 4) in one scan.
Status RunErrorAnalysis(Store& store, DebugContext* ctx) {
  SharedAnalyses& a = ctx->analyses;
  std::vector<TraceSubset> sets(2);
  sets[0].trace_ids = FailingTraces(*ctx, &a.error_traces_total);
  a.error_traces_analyzed = sets[0].trace_ids.size();
  sets[1].trace_ids = TimingTraces(*ctx, &a.timing_traces_total);
  sets[1].options.error_details = false;
  a.timing_traces_sampled = sets[1].trace_ids.size();
  if (sets[0].trace_ids.empty() && sets[1].trace_ids.empty()) return Status::Ok();
  AnalysisScope scope;
  scope.time = ctx->window;
  Result<std::vector<SpanTable>> tables = LoadSpanTablesOfTraces(store, scope, sets);
  if (!tables.ok()) {
    a.timing_error = tables.status().ToString();
    return tables.status();
  }
  a.timing_table = std::move((*tables)[1]);
  if (sets[0].trace_ids.empty()) return Status::Ok();
  ErrorOptions options;
  options.max_traces = 10;
  a.errors = AnalyzeErrors((*tables)[0], options);
  return Status::Ok();
}

void RunRootCause(Store& store, DebugContext* ctx) {
  RcaOptions options;
  if (RcaWindowGiven(ctx->request)) {
    options.has_window = true;
    options.window = ctx->window;
  }
  Result<RcaReport> r = ctx->rca_window ? rca::RunRcaInWindow(store, options, *ctx->rca_window)
                                        : RunRca(store, options);
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
  ctx->clock->Lap("event integrity");
  if (integrity.ok()) {
    a.integrity = std::move(*integrity);
    NameStreamServices(store, &a);
  } else {
    a.integrity_error = integrity.status().ToString();
  }
  ctx->clock->Lap("integrity streams' services");
  std::unique_ptr<Reducer> reducer = NewMergePatchReducer();
  Result<std::vector<ConsistencyReport>> c = CheckConsistencySample(
      store, a.consistency_rules, *reducer, kMaxConsistencyEntities, &a.consistency_sample);
  if (c.ok()) {
    a.inconsistent = std::move(*c);
  } else {
    a.consistency_error = c.status().ToString();
  }
}

}  // namespace

bool RcaWindowGiven(const DebugRequest& r) { return r.has_since || r.has_until || r.window_ns > 0; }

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
  ctx->clock->Lap("errors analysis and timing sample (one scan)");
  RunRootCause(store, ctx);
  ctx->clock->Lap("root cause (rca)");
  RunEventAnalyses(store, ctx);
  ctx->clock->Lap("event consistency");
  return Status::Ok();
}

}  // namespace ddbg::report
