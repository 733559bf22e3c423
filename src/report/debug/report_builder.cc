// BuildDebugReport: prepare the shared context (window, focus, one pass per signal), mark
// the focused sections, run every section builder of the table, note what is not available.
#include <fmt/format.h>

#include "report/debug/sections.h"

namespace ddbg {
namespace {

constexpr const char* kSectionKeys[kSectionCount] = {
    "summary", "topology", "correlation", "timing", "errors", "state", "logs", "hypotheses"};
constexpr const char* kSectionTitles[kSectionCount] = {
    "Summary",
    "Service topology and dependency map",
    "Trace correlation",
    "Timing analysis",
    "Errors and cascades",
    "Cross-service state reconstruction",
    "Log evidence",
    "Root-cause hypotheses and recommendations"};

// Which sections each focus points at.
void MarkFocusedSections(DebugReport* report) {
  auto mark = [&](SectionId id) { report->section(id).focused = true; };
  if (report->focus.has(Focus::kTiming)) {
    mark(SectionId::kTiming);
    mark(SectionId::kCorrelation);
  }
  if (report->focus.has(Focus::kCausation)) {
    mark(SectionId::kErrors);
    mark(SectionId::kLogs);
  }
  if (report->focus.has(Focus::kDependency)) mark(SectionId::kTopology);
  if (report->focus.has(Focus::kFlow)) {
    mark(SectionId::kState);
    mark(SectionId::kCorrelation);
  }
}

}  // namespace

const char* SectionKey(SectionId id) { return kSectionKeys[static_cast<size_t>(id)]; }
const char* SectionTitle(SectionId id) { return kSectionTitles[static_cast<size_t>(id)]; }

const char* SeverityName(Severity severity) {
  static constexpr const char* kNames[] = {"info", "notice", "warning", "critical"};
  return kNames[static_cast<size_t>(severity)];
}

const char* MetricUnitName(MetricUnit unit) {
  static constexpr const char* kNames[] = {"count",    "duration_ns", "ratio",
                                           "per_second", "time_ns",   "number"};
  return kNames[static_cast<size_t>(unit)];
}

Result<DebugReport> BuildDebugReport(Store& inner, const DebugRequest& request) {
  // Rows are counted (and steps timed) only when asked for.
  report::CountingStore counting(inner);
  bool timed = request.timings || report::TimingsFromEnv();
  Store& store = timed ? static_cast<Store&>(counting) : inner;
  report::StepClock clock(timed ? &counting : nullptr);
  report::DebugContext ctx;
  ctx.clock = &clock;
  DDBG_RETURN_IF_ERROR(report::PrepareDebugContext(store, request, &ctx));
  DebugReport out;
  out.description = request.description;
  out.focus = ctx.focus;
  out.focus_from_flag = request.has_focus;
  if (!request.has_focus) FocusFromDescription(request.description, &out.focus_words);
  out.window = ctx.window;
  out.services = request.services;
  if (!request.trace_id.empty()) out.trace_id = TraceIdToHex(request.trace_id);
  for (size_t i = 0; i < kSectionCount; ++i) out.sections[i].id = static_cast<SectionId>(i);
  MarkFocusedSections(&out);
  report::AddPendingAnalyses(&out);
  for (const report::SectionBuilder& b : report::SectionBuilders()) {
    DDBG_RETURN_IF_ERROR(b.build(store, ctx, &out));
    clock.Lap(std::string_view(b.name).substr(0, std::string_view(b.name).find(" (")));
  }
  clock.Total();
  return out;
}

}  // namespace ddbg
