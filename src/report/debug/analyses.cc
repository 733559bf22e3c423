// The shared analyses of the report, run once after the span pass: the log pass (log_pass.cc)
// beside the one event scan (event digest, events.h integrity and cross-service consistency),
// then the second span scan — errors.h over the failing traces the span pass found (only
// those are loaded, sampled evenly past a cap), section 4's timing sample and rca.h's trace
// set — beside the event merges and the correlation flow.
#include <algorithm>

#include <memory>
#include <optional>
#include <thread>

#include "analysis/rca/trace_set.h"
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
// Threads of the event scan.
constexpr int kEventThreads = 2;

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

RcaOptions ReportRcaOptions(const DebugContext& ctx) {
  RcaOptions options;
  if (RcaWindowGiven(ctx.request)) {
    options.has_window = true;
    options.window = ctx.window;
  }
  return options;
}

void SetRca(Result<RcaReport> r, SharedAnalyses* a) {
  if (r.ok()) {
    a->rca = std::move(*r);
  } else {
    a->rca_error = r.status().ToString();
  }
}

// rca fed by the report's scans: planned in the window the shared pass detected, its trace
// set read from the second span scan's batches, its logs from the log pass when its ranges
// lie inside the report's window (else on a thread of its own during the span scan).
class SharedRca {
 public:
  SharedRca(Store& store, const DebugContext& ctx) : options_(ReportRcaOptions(ctx)) {
    Result<rca::RcaPlan> plan = rca::PlanRca(store, options_, *ctx.rca_window);
    if (!plan.ok()) {
      error_ = plan.status();
      return;
    }
    plan_ = std::move(*plan);
    // The part of its log range that holds data must lie inside the report's window.
    int64_t lo = std::max(std::min(plan_.window.min_ns, plan_.baseline.min_ns), ctx.data.min_ns);
    int64_t hi = std::min(std::max(plan_.window.max_ns, plan_.baseline.max_ns), ctx.data.max_ns);
    logs_fed_ = ctx.window.Contains(lo) && ctx.window.Contains(std::max(lo, hi));
    feed_ = std::make_unique<rca::TraceSetFeed>(store, plan_.window, plan_.baseline,
                                                options_.max_traces_per_side, logs_fed_);
    consumer_.filter = feed_->SpanFilter();
    consumer_.add = [this](const SpanBatch& b, size_t ordinal) { feed_->Add(b, ordinal); };
  }
  // The collector the report's log pass feeds; null when it reads its logs itself.
  rca::TraceSetFeed* fed_logs() { return logs_fed_ ? feed_.get() : nullptr; }
  // The scan's extra consumer; null when planning failed.
  const SpanScanConsumer* consumer() const { return feed_ ? &consumer_ : nullptr; }
  Result<RcaReport> Finish() {
    if (!feed_) return error_;
    Result<rca::TraceSet> set = feed_->Finish();
    if (!set.ok()) return set.status();
    return rca::FinishRca(options_, std::move(plan_), &*set);
  }

 private:
  RcaOptions options_;
  Status error_;
  rca::RcaPlan plan_;
  bool logs_fed_ = false;
  std::unique_ptr<rca::TraceSetFeed> feed_;
  SpanScanConsumer consumer_;
};

// The second span scan: the failing traces (for errors.h) and the timing sample (for
// section 4) as tables and, when the shared pass detected rca's window, rca's trace set.
Status RunSecondSpanScan(Store& store, DebugContext* ctx, SharedRca* shared_rca) {
  SharedAnalyses& a = ctx->analyses;
  std::vector<TraceSubset> sets(2);
  sets[0].trace_ids = FailingTraces(*ctx, &a.error_traces_total);
  a.error_traces_analyzed = sets[0].trace_ids.size();
  sets[1].trace_ids = TimingTraces(*ctx, &a.timing_traces_total);
  sets[1].options.error_details = false;
  a.timing_traces_sampled = sets[1].trace_ids.size();
  const SpanScanConsumer* also = shared_rca ? shared_rca->consumer() : nullptr;
  if (sets[0].trace_ids.empty() && sets[1].trace_ids.empty() && also == nullptr) {
    if (shared_rca) SetRca(shared_rca->Finish(), &a);
    return Status::Ok();
  }
  AnalysisScope scope;
  scope.time = ctx->window;
  StepClock::TimePoint begin = StepClock::Now();
  Result<std::vector<SpanTable>> tables = LoadSpanTablesOfTraces(store, scope, sets, also);
  ctx->clock->Part("span scan (failing and timing traces, rca's sample)", begin);
  if (shared_rca) SetRca(shared_rca->Finish(), &a);
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

// rca on its own (its window given, or detected over more than the report's window).
void RunRootCause(Store& store, DebugContext* ctx) {
  if (ctx->rca_window) return;  // done in the second span scan
  SetRca(RunRca(store, ReportRcaOptions(*ctx)), &ctx->analyses);
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

EventPass::EventPass(Store& store, DebugContext* ctx)
    : store_(store), ctx_(ctx), digest_(ctx),
      integrity_(IntegrityOptions{.now_ns = ctx->window.max_ns}),
      consistency_(ctx->analyses.consistency_rules, kMaxConsistencyEntities) {}

EventPass::~EventPass() { Join(); }

Status EventPass::Scan() {
  StepClock::TimePoint begin = StepClock::Now();
  DDBG_RETURN_IF_ERROR(
      ScanEventsShared(store_, {}, kEventThreads, {&digest_, &integrity_, &consistency_}));
  ctx_->clock->Part("event scan (digest, integrity, consistency)", begin);
  digest_.Finish();
  if (ctx_->events.events > 0) merges_ = std::thread([this, begin] { Merge(begin); });
  return Status::Ok();
}

void EventPass::Merge(StepClock::TimePoint begin) {
  SharedAnalyses& a = ctx_->analyses;
  Result<IntegrityReport> checked = integrity_.Finish(store_);
  if (checked.ok()) {
    a.integrity = std::move(*checked);
    NameStreamServices(store_, &a);
  } else {
    a.integrity_error = checked.status().ToString();
  }
  ctx_->clock->Part("integrity merged", begin);
  std::unique_ptr<Reducer> reducer = NewMergePatchReducer();
  Result<std::vector<ConsistencyReport>> c = consistency_.Finish(store_, *reducer, &a.consistency_sample);
  if (c.ok()) {
    a.inconsistent = std::move(*c);
  } else {
    a.consistency_error = c.status().ToString();
  }
  ctx_->clock->Part("consistency folded", begin);
}

void EventPass::Join() {
  if (merges_.joinable()) merges_.join();
}

Status RunSharedAnalyses(Store& store, DebugContext* ctx) {
  std::optional<SharedRca> shared_rca;
  if (ctx->rca_window) shared_rca.emplace(store, *ctx);
  rca::TraceSetFeed* rca_logs = shared_rca ? shared_rca->fed_logs() : nullptr;
  // The log pass (one thread) runs beside the event scan (two), and the second span scan
  // (two) beside the event merges and the correlation flow (one each): they write disjoint
  // parts of the context.
  Status log_status;
  std::thread log_thread([&] {
    StepClock::TimePoint begin = StepClock::Now();
    log_status = RunLogPass(store, ctx, rca_logs);
    ctx->clock->Part(rca_logs ? "log pass (digest, rules, rca's logs)" : "log pass (digest, rules)", begin);
  });
  EventPass events(store, ctx);
  Status event_status = events.Scan();
  log_thread.join();
  DDBG_RETURN_IF_ERROR(log_status);
  DDBG_RETURN_IF_ERROR(event_status);
  ctx->clock->Lap("log pass and event scan (side by side)");
  std::thread flows([&] { BuildRepresentativeFlows(store, ctx); });
  Status scanned = RunSecondSpanScan(store, ctx, shared_rca ? &*shared_rca : nullptr);
  flows.join();
  DDBG_RETURN_IF_ERROR(scanned);
  ctx->clock->Lap(rca_logs ? "second span scan: errors, timing sample, rca (event merges, flow beside)"
                           : "second span scan: errors, timing sample, rca (its logs, event merges, flow beside)");
  events.Join();
  ctx->clock->Lap("event merges: integrity, consistency");
  RunRootCause(store, ctx);
  ctx->clock->Lap("root cause (rca)");
  return Status::Ok();
}

}  // namespace ddbg::report
