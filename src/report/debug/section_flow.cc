// Section 3 from flow.h: the correlation flow of the first representative trace — its spans, logs
// and the domain events sharing its trace or correlation ids (following causation ids), merged
// in time order — with the flow's breaks (a call nobody served, an event whose cause is
// missing), delays (quiet gaps longer than a second) and errors; one finding per flow, one per
// break and delay, and a timeline of the flow's hops with its breaks and delays marked.
#include <fmt/format.h>

#include "ddbg/flow.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

// Flows built: the representatives come in focus order, so this is the trace the focus
// points to first (the worst failing, or the slowest). Each flow is a pass over the events
// (0.1 s on 125k events), so the other representatives keep their correlated events only.
constexpr size_t kMaxFlows = 1;
constexpr size_t kFindingsPerKind = 5;  // breaks, delays shown one by one per flow
constexpr size_t kEventsShown = 10;
constexpr size_t kMaxFlowEntries = 200;

struct RecordCounts {
  int64_t spans = 0, logs = 0, events = 0;
};

RecordCounts CountRecords(const FlowReport& f) {
  RecordCounts c;
  for (const FlowRecord& r : f.records) {
    if (r.kind == FlowRecordKind::kSpan) ++c.spans;
    if (r.kind == FlowRecordKind::kLog) ++c.logs;
    if (r.kind == FlowRecordKind::kEvent) ++c.events;
  }
  return c;
}

// An event record as evidence; its detail reads "<stream> v<version>".
EventRef EventOf(const FlowRecord& r) {
  EventRef e;
  e.type = r.name;
  e.time_ns = r.time_ns;
  e.service = r.service;
  size_t v = r.detail.rfind(" v");
  e.stream = v == std::string::npos ? r.detail : r.detail.substr(0, v);
  if (v != std::string::npos) e.version = std::strtoull(r.detail.c_str() + v + 2, nullptr, 10);
  return e;
}

Severity FlowSeverity(const FlowReport& f) {
  if (!f.breaks.empty() || !f.errors.empty()) return Severity::kWarning;
  return f.delays.empty() ? Severity::kInfo : Severity::kNotice;
}

Finding FlowFindingOf(const FlowReport& f, const RepresentativeTrace& rep) {
  RecordCounts c = CountRecords(f);
  int64_t duration = f.end_ns - f.start_ns;
  Finding out = MakeFinding(
      fmt::format("flow of {} ({}): {} spans, {} logs, {} events through {} over {}: {} breaks, {} "
                  "delays, {} errors",
                  f.id, rep.why, c.spans, c.logs, c.events, fmt::join(f.services, " → "),
                  FormatDuration(duration), f.breaks.size(), f.delays.size(), f.errors.size()),
      FlowSeverity(f),
      {Metric::Count("spans", c.spans), Metric::Count("logs", c.logs), Metric::Count("events", c.events),
       Metric::Count("hops", static_cast<int64_t>(f.hops.size())),
       Metric::Count("breaks", static_cast<int64_t>(f.breaks.size())),
       Metric::Count("delays", static_cast<int64_t>(f.delays.size())),
       Metric::Count("errors", static_cast<int64_t>(f.errors.size())),
       Metric::Count("traces", static_cast<int64_t>(f.trace_ids.size())),
       Metric::Count("correlation_ids", static_cast<int64_t>(f.correlation_ids.size())),
       Metric::Duration("duration_ns", duration), Metric::Time("start", f.start_ns)});
  out.trace_ids = f.trace_ids;
  for (const FlowRecord& r : f.records) {
    if (r.kind == FlowRecordKind::kEvent && out.events.size() < kEventsShown) out.events.push_back(EventOf(r));
  }
  if (!f.correlation_ids.empty()) {
    out.detail = fmt::format("correlation ids: {}", fmt::join(f.correlation_ids, ", "));
  }
  return out;
}

void AddFlowFindings(const char* what, Severity severity, const std::vector<FlowFinding>& items,
                     const FlowReport& f, Section* s) {
  for (size_t i = 0; i < items.size() && i < kFindingsPerKind; ++i) {
    const FlowFinding& x = items[i];
    Finding out = MakeFinding(fmt::format("flow {} in {}: {}", what, x.service.empty() ? "(unknown)" : x.service, x.what),
                              severity,
                              {Metric::Time("at", x.time_ns), Metric::Duration("offset_ns", x.time_ns - f.start_ns)});
    out.detail = fmt::format("in the flow of {}", f.id);
    s->findings.push_back(std::move(out));
  }
}

void AddMarks(const char* kind, const std::vector<FlowFinding>& items, Timeline* t) {
  for (const FlowFinding& x : items) {
    t->entries.push_back({.time_ns = x.time_ns, .end_ns = x.time_ns, .lane = x.service,
                          .label = fmt::format("{}: {}", kind, x.what), .kind = kind,
                          .severity = Severity::kWarning});
  }
}

// The hops (entries into a service: server spans, roots, events), then breaks and delays.
Timeline FlowTimeline(const FlowReport& f) {
  Timeline t;
  t.title = fmt::format("flow of {}: hops, breaks and delays", f.id);
  t.start_ns = f.start_ns;
  t.end_ns = f.end_ns;
  for (size_t i : f.hops) {
    const FlowRecord& r = f.records[i];
    if (t.entries.size() >= kMaxFlowEntries) break;
    t.entries.push_back({.time_ns = r.time_ns, .end_ns = r.end_ns, .lane = r.service,
                         .label = r.name, .kind = FlowRecordKindName(r.kind),
                         .severity = r.error ? Severity::kWarning : Severity::kInfo});
  }
  AddMarks("break", f.breaks, &t);
  AddMarks("delay", f.delays, &t);
  std::stable_sort(t.entries.begin(), t.entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.time_ns < b.time_ns; });
  return t;
}

}  // namespace

void BuildRepresentativeFlows(Store& store, DebugContext* ctx) {
  FlowOptions options;
  // The trace's own spans and logs, and the events naming its trace or correlation ids: a
  // scan of every span and log for correlation attributes would cost a pass over the store.
  // One round: the trace, the events naming it or its correlation ids, and their traces.
  options.scan_attributes = false;
  options.max_rounds = 1;
  for (const RepresentativeTrace& rep : ctx->representatives) {
    if (ctx->analyses.flows.size() == kMaxFlows) break;
    ctx->analyses.flows.emplace_back(rep.id, BuildFlow(store, TraceIdToHex(rep.id), options));
  }
}

Status BuildCorrelationFlow(Store& store, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kCorrelation);
  for (size_t i = 0; i < ctx.analyses.flows.size(); ++i) {
    const auto& [id, flow] = ctx.analyses.flows[i];
    if (!flow.ok()) {
      s.unavailable.push_back({fmt::format("correlation flow of {} (flow.h)", TraceIdToHex(id)),
                               flow.status().ToString()});
      continue;
    }
    s.findings.push_back(FlowFindingOf(*flow, ctx.representatives[i]));
    AddFlowFindings("break", Severity::kWarning, flow->breaks, *flow, &s);
    AddFlowFindings("delay", Severity::kNotice, flow->delays, *flow, &s);
    s.timelines.push_back(FlowTimeline(*flow));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
