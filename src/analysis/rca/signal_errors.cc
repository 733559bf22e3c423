// Error-origin signal: in each failing trace the originating error is the one errors.h finds
// (AnalyzeTraceErrors: down from the outermost failing span through the earliest failing
// child, or through a child that used its parent's whole budget); the errors above it only
// propagate it. rca adds one rule of its own: an origin that gave up while a child was still
// running (a client timeout whose callee kept going) is blamed on that child, and one whose
// error log names another service it could not reach is blamed on that service. Services are
// blamed by their share of the window's origins beyond what their baseline rate explains.
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"
#include "ddbg/errors.h"

namespace ddbg::rca {
namespace {

// The span that caused the error at `origin`: itself, or the child that outlived it (the
// call it timed out on), followed down.
uint32_t Culprit(const TraceSet& set, const RcaTrace& tr, uint32_t origin) {
  for (int depth = 0; depth < 64; ++depth) {
    const RcaSpan& o = set.spans[origin];
    int64_t end = o.start_ns + o.duration_ns;
    int64_t latest = end + 1000000;  // children ending more than 1ms later
    uint32_t next = origin;
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& c = set.spans[s];
      if (c.parent < 0 || tr.span_begin + static_cast<uint32_t>(c.parent) != origin) continue;
      int64_t c_end = c.start_ns + c.duration_ns;
      if (c_end > latest) latest = c_end, next = s;
    }
    if (next == origin) return origin;
    origin = next;
  }
  return origin;
}

// One trace of the set as a SpanTable (the input of errors.h): structure, times and error
// status only; table row i is set span tr.span_begin + i.
void FillTable(const TraceSet& set, const RcaTrace& tr, SpanTable* t) {
  uint32_t n = tr.span_count();
  t->trace_id.assign(1, tr.id);
  t->trace_begin = {0, n};
  t->span_id.resize(n);
  t->parent_span_id.assign(n, 0);
  t->parent.resize(n);
  t->service.assign(n, kEmptyStr);
  t->name.assign(n, kEmptyStr);
  t->instance.assign(n, kEmptyStr);
  t->group.assign(n, kEmptyStr);
  t->error_type.assign(n, kEmptyStr);
  t->error_message.assign(n, kEmptyStr);
  t->kind.assign(n, SpanKind::kUnspecified);
  t->async.assign(n, 0);
  t->status.resize(n);
  t->start_ns.resize(n);
  t->end_ns.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const RcaSpan& sp = set.spans[tr.span_begin + i];
    t->span_id[i] = i + 1;
    t->parent[i] = sp.parent;
    t->status[i] = sp.error ? SpanStatus::kError : SpanStatus::kUnset;
    t->start_ns[i] = sp.start_ns;
    t->end_ns[i] = sp.start_ns + sp.duration_ns;
  }
}

struct Origins {
  double window = 0, baseline = 0;          // origins
  double window_spans = 0, baseline_spans = 0;
  std::unordered_map<StrId, double> ops;    // window origins per operation
};

}  // namespace

std::vector<Finding> ErrorOriginSignal(const TraceSet& set) {
  std::unordered_map<StrId, Origins> by_service;
  SpanTable table;
  for (const RcaTrace& tr : set.traces) {
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      Origins& o = by_service[set.spans[s].service];
      (tr.in_window ? o.window_spans : o.baseline_spans) += 1;
    }
    if (!tr.error) continue;
    FillTable(set, tr, &table);
    bool has_errors = false;
    TraceErrors te = AnalyzeTraceErrors(table, 0, &has_errors);
    if (!has_errors) continue;
    const RcaSpan& culprit = set.spans[Culprit(set, tr, tr.span_begin + te.origin.row)];
    // An origin that failed to reach another service (its error names it) is that
    // service's when it is to blame, no one's when neither side is shown to be.
    if (culprit.peer_failure != kEmptyStr && !culprit.peer_blamed) continue;
    StrId blamed = culprit.peer_failure != kEmptyStr ? culprit.peer_failure : culprit.service;
    Origins& o = by_service[blamed];
    (tr.in_window ? o.window : o.baseline) += 1;
    if (tr.in_window) o.ops[culprit.operation] += 1;
  }
  double total_excess = 0;
  std::unordered_map<StrId, std::pair<double, double>> excess;  // service -> (excess, z)
  for (const auto& [service, o] : by_service) {
    double expected = o.baseline_spans > 0 ? o.baseline / o.baseline_spans * o.window_spans : 0;
    double z = PoissonZ(o.window, expected);
    double ex = o.window - expected;
    if (z < 3 || ex <= 0) continue;
    excess[service] = {ex, z};
    total_excess += ex;
  }
  std::vector<Finding> out;
  for (const auto& [service, ez] : excess) {
    const Origins& o = by_service[service];
    double share = ez.first / total_excess;
    Finding f;
    f.service = service;
    f.z = ez.second;
    f.strength = share * Ramp(ez.second, 3, 8);
    StrId top_op = kEmptyStr;
    double top = 0;
    for (const auto& [op, n] : o.ops) {
      if (n > top) top = n, top_op = op;
    }
    f.operation = top_op;
    f.summary = fmt::format("originates {:.0f} errors in the window ({:.0f} expected from the "
                            "baseline), {:.0f}% of the excess; most at {}",
                            o.window, o.window - ez.first, share * 100, set.Name(top_op));
    f.figures = {{"origins", o.window},
                 {"expected", o.window - ez.first},
                 {"baseline_origins", o.baseline},
                 {"z", ez.second},
                 {"share_of_excess_origins", share}};
    f.traces = ExampleTraces(set, 3, [&](uint32_t s) {
      const RcaSpan& sp = set.spans[s];
      return sp.service == service && sp.error && !sp.error_below;
    });
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ddbg::rca
