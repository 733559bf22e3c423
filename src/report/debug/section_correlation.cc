// Section 3: the representative traces (the one asked for, or the worst failing and slowest
// of the window) with their trees, critical-path bars, correlated logs (Store::GetTraceLogs)
// and the domain events sharing their correlation ids, lined up on one timeline.
#include <fmt/format.h>

#include "ddbg/trace_tree.h"
#include "report/debug/sections.h"
#include "report/debug/trace_bars.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kLogsPerTrace = 5;
constexpr size_t kEventsPerTrace = 10;

// Log examples of a trace: errors and warnings first, then the rest in time order.
std::vector<LogExample> TraceLogExamples(const LogBatch& logs) {
  std::vector<LogExample> out;
  for (int pass = 0; pass < 2 && out.size() < kLogsPerTrace; ++pass) {
    for (size_t i = 0; i < logs.size() && out.size() < kLogsPerTrace; ++i) {
      bool loud = logs.severity_number[i] >= 13;
      if (loud == (pass == 0)) out.push_back(MakeLogExample(logs, i));
    }
  }
  return out;
}

std::vector<EventRef> TraceEvents(const DebugContext& ctx, const RepresentativeTrace& rep) {
  std::vector<EventRef> out;
  for (const EventRef& e : ctx.events.correlated) {
    if (out.size() == kEventsPerTrace) break;
    for (const std::string& id : rep.correlation_ids) {
      if (e.correlation_id == id) {
        out.push_back(e);
        break;
      }
    }
  }
  return out;
}

Finding TraceFinding(const TraceTree& tree, const RepresentativeTrace& rep) {
  const SpanBatch& b = tree.batch();
  int64_t errors = 0;
  for (size_t i = 0; i < b.size(); ++i) errors += b.status[i] == SpanStatus::kError;
  std::string root = "(no root)";
  if (!tree.roots().empty() && !tree.node(tree.roots()[0]).is_placeholder()) {
    uint32_t row = tree.node(tree.roots()[0]).row;
    root = fmt::format("{} {}", b.dict.Get(b.service[row]), b.dict.Get(b.name[row]));
  }
  Finding f;
  f.title = fmt::format("{}: {} took {} across {} services, {} spans, {} errors", rep.why, root,
                        FormatDuration(tree.duration_ns()), tree.Services().size(),
                        tree.span_count(), errors);
  f.severity = rep.failing ? Severity::kWarning : Severity::kNotice;
  f.metrics = {Metric::Duration("duration_ns", tree.duration_ns()),
               Metric::Count("spans", static_cast<int64_t>(tree.span_count())),
               Metric::Count("error_spans", errors),
               Metric::Count("services", static_cast<int64_t>(tree.Services().size())),
               Metric::Time("start", tree.start_ns())};
  f.trace_ids.push_back(TraceIdToHex(rep.id));
  return f;
}

}  // namespace

Status BuildTraceCorrelation(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kCorrelation);
  if (ctx.representatives.empty()) {
    s.findings.push_back(MakeFinding("no traces in the window"));
    return Status::Ok();
  }
  for (const RepresentativeTrace& rep : ctx.representatives) {
    TraceTree tree = BuildTraceTree(rep.spans, {.trace_id = rep.id});
    Finding f = TraceFinding(tree, rep);
    f.logs = TraceLogExamples(rep.logs);
    f.events = TraceEvents(ctx, rep);
    std::string hex = TraceIdToHex(rep.id);
    s.bars.push_back(MakeCriticalPathBars(tree, fmt::format("{} ({})", hex, rep.why)));
    s.timelines.push_back(MakeTraceTimeline(tree, rep.logs, f.events,
                                            fmt::format("{}: spans, logs and events", hex)));
    s.findings.push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
