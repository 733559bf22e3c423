// The section builders of the debug report. Each reads the shared DebugContext (and the Store,
// batch by batch, when it needs more than the digests) and writes its findings and payloads
// into the report. They run in the order of kSectionBuilders (section_table.cc); a section
// may have several builders. To plug in an analysis: add its builder to that table and
// remove its line from kPendingAnalyses there.
#pragma once

#include "ddbg/debug_report.h"
#include "ddbg/span_table.h"
#include "ddbg/store.h"
#include "report/debug/debug_context.h"

namespace ddbg::report {

// A finding with its title, severity and numbers; the evidence lists are filled after.
inline Finding MakeFinding(std::string title, Severity severity = Severity::kInfo,
                           std::vector<Metric> metrics = {}) {
  Finding f;
  f.title = std::move(title);
  f.severity = severity;
  f.metrics = std::move(metrics);
  return f;
}

using SectionBuildFn = Status (*)(Store&, const DebugContext&, DebugReport*);

struct SectionBuilder {
  SectionId section;
  const char* name;  // what it adds, for readers of the table
  SectionBuildFn build;
};

Status BuildSummary(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildServiceMap(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildTraceCorrelation(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildCorrelationFlow(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildRegressions(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildProjectionLag(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildDependencyCycles(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildLatencySummary(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildCriticalPathOwnership(Store& store, const DebugContext& ctx, DebugReport* report);
// Perf outliers (perf.h) of a loaded table, added by the critical-path builder.
void AddPerfOutliers(const SpanTable& table, Section* s);
Status BuildErrorSummary(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildEventSummary(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildLogSummary(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildLogEvidence(Store& store, const DebugContext& ctx, DebugReport* report);
Status BuildHypotheses(Store& store, const DebugContext& ctx, DebugReport* report);

// The builders in run order, and the analyses not yet in this build (shown as
// "analysis not available in this build" in their section).
const std::vector<SectionBuilder>& SectionBuilders();
void AddPendingAnalyses(DebugReport* report);

}  // namespace ddbg::report
