// Section 1, the summary: what was looked at (window, scope, counts) and the focus. The top
// three hypotheses are drawn by the renderers from DebugReport::hypotheses.
#include <fmt/format.h>

#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

ReportCounts CountScope(const DebugContext& ctx) {
  ReportCounts c;
  c.spans = ctx.spans.spans;
  c.error_spans = ctx.spans.error_spans;
  for (const TraceFacts& f : ctx.spans.traces.facts()) {
    if (!f.in_scope) continue;
    ++c.traces;
    if (f.error_spans > 0) ++c.error_traces;
  }
  for (const ServiceDigest& s : ctx.spans.services) {
    if (s.in_scope && s.spans > 0) ++c.services;
  }
  c.logs = ctx.logs.logs;
  c.error_logs = ctx.logs.error_logs;
  c.events = ctx.events.events;
  return c;
}

std::string FocusText(const DebugReport& report) {
  std::string names;
  for (size_t i = 0; i < kFocusCount; ++i) {
    if (!report.focus.has(static_cast<Focus>(i))) continue;
    if (!names.empty()) names += ", ";
    names += FocusName(static_cast<Focus>(i));
  }
  if (names.empty()) return "no focus words found: every section at equal weight";
  if (report.focus_from_flag) return "focus " + names + " (from --correlation)";
  std::string words;
  for (const FocusWord& w : report.focus_words) {
    if (!words.empty()) words += ", ";
    words += fmt::format("\"{}\" → {}", w.word, FocusName(w.focus));
  }
  return "focus " + names + " (words: " + words + ")";
}

}  // namespace

Status BuildSummary(Store&, const DebugContext& ctx, DebugReport* report) {
  ReportCounts& c = report->counts;
  c = CountScope(ctx);
  Section& s = report->section(SectionId::kSummary);
  int64_t window_ns = report->window.max_ns - report->window.min_ns;
  Finding looked;
  looked.title = fmt::format("Looked at {} traces ({} spans) of {} services, {} logs and {} events "
                             "from {} to {} ({})",
                             c.traces, c.spans, c.services, c.logs, c.events,
                             FormatRfc3339(report->window.min_ns, 3),
                             FormatRfc3339(report->window.max_ns, 3), FormatDuration(window_ns));
  looked.metrics = {Metric::Count("traces", c.traces),   Metric::Count("spans", c.spans),
                    Metric::Count("services", c.services), Metric::Count("logs", c.logs),
                    Metric::Count("events", c.events),   Metric::Time("window_start", report->window.min_ns),
                    Metric::Time("window_end", report->window.max_ns)};
  s.findings.push_back(std::move(looked));
  if (c.spans == 0 && c.logs == 0 && c.events == 0) {
    s.findings.push_back(MakeFinding(
        "No telemetry in the window: ingest some with `ddbg ingest`, or widen the window",
        Severity::kWarning));
  }
  if (c.traces > 0) {
    double share = static_cast<double>(c.error_traces) / static_cast<double>(c.traces);
    Finding errors;
    errors.title = fmt::format("{} of {} traces have an error span ({:.1f}%); {} error logs",
                               c.error_traces, c.traces, share * 100, c.error_logs);
    errors.severity = share >= 0.05 ? Severity::kWarning : Severity::kInfo;
    errors.metrics = {Metric::Count("error_traces", c.error_traces),
                      Metric::Ratio("error_trace_ratio", share),
                      Metric::Count("error_spans", c.error_spans),
                      Metric::Count("error_logs", c.error_logs)};
    s.findings.push_back(std::move(errors));
  }
  s.findings.push_back(MakeFinding(FocusText(*report)));
  return Status::Ok();
}

}  // namespace ddbg::report
