// Resolving what a report looks at: the window (explicit, relative to the newest data, or
// around the trace asked for), the focus, then the passes over each signal.
#include "report/debug/debug_context.h"

#include <algorithm>
#include <limits>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <fmt/format.h>

#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr int64_t kMinuteNs = 60'000'000'000LL;
// Context kept around a trace asked for with --trace-id when no window is given.
constexpr int64_t kTraceContextNs = 15 * kMinuteNs;

Status ResolveWindow(Store& store, const DebugRequest& req, DebugContext* ctx) {
  if (req.has_since && req.has_until && req.until_ns < req.since_ns) {
    return Status::InvalidArgument(fmt::format("--until {} is before --since {}",
                                               FormatRfc3339(req.until_ns),
                                               FormatRfc3339(req.since_ns)));
  }
  if (req.window_ns < 0) return Status::InvalidArgument("--time-window must be positive");
  Result<TimeRange> data = store.DataTimeRange();
  if (!data.ok()) return data.status();
  ctx->data = *data;
  int64_t lo = data->min_ns, hi = data->max_ns;
  bool explicit_window = req.has_since || req.has_until || req.window_ns > 0;
  if (!req.trace_id.empty() && !explicit_window) {
    Result<SpanBatch> trace = store.GetTrace(req.trace_id);
    if (!trace.ok()) return trace.status();
    if (trace->empty()) {
      return Status::NotFound(fmt::format("trace {} is not in the store", TraceIdToHex(req.trace_id)));
    }
    lo = *std::min_element(trace->start_ns.begin(), trace->start_ns.end()) - kTraceContextNs;
    hi = *std::max_element(trace->end_ns.begin(), trace->end_ns.end()) + kTraceContextNs;
  }
  if (req.has_until) hi = req.until_ns;
  if (req.has_since) lo = req.since_ns;
  if (req.window_ns > 0) {
    if (req.has_since && !req.has_until) {
      hi = lo + req.window_ns;
    } else {
      lo = std::max(req.has_since ? lo : std::numeric_limits<int64_t>::min(), hi - req.window_ns);
    }
  }
  ctx->window = TimeRange{lo, std::max(lo, hi)};
  return Status::Ok();
}

}  // namespace

void TuneHeapForReport() {
#if defined(__GLIBC__)
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

bool DebugContext::InScope(std::string_view service) const {
  if (request.services.empty()) return true;
  return std::find(request.services.begin(), request.services.end(), service) !=
         request.services.end();
}

int DebugContext::Bucket(int64_t t) const {
  int64_t span = window.max_ns - window.min_ns + 1;
  int64_t rel = std::clamp<int64_t>(t - window.min_ns, 0, span - 1);
  return static_cast<int>(static_cast<__int128>(rel) * kTimeBuckets / span);
}

int64_t DebugContext::BucketStart(int b) const {
  int64_t span = window.max_ns - window.min_ns + 1;
  return window.min_ns + static_cast<int64_t>(static_cast<__int128>(span) * b / kTimeBuckets);
}

Status PrepareDebugContext(Store& store, const DebugRequest& request, DebugContext* ctx) {
  TuneHeapForReport();
  ctx->request = request;
  DDBG_RETURN_IF_ERROR(ResolveWindow(store, request, ctx));
  if (request.has_focus) {
    ctx->focus.add(request.focus);
  } else {
    ctx->focus = FocusFromDescription(request.description, nullptr);
  }
  ctx->clock->Lap("window and focus");
  DDBG_RETURN_IF_ERROR(DigestSpans(store, ctx));
  ctx->clock->Lap("span pass: rca window detected");
  PickRepresentativeTraces(ctx);
  // The log pass reads every log segment when its window covers the whole data (the
  // default): it then gathers the representatives' logs on its way (RunLogPass).
  ctx->representative_logs_in_log_pass =
      ctx->window.min_ns <= ctx->data.min_ns && ctx->window.max_ns >= ctx->data.max_ns;
  DDBG_RETURN_IF_ERROR(FetchRepresentativeTraces(store, ctx));
  ctx->clock->Lap("representative traces");
  return RunSharedAnalyses(store, ctx);
}

}  // namespace ddbg::report
