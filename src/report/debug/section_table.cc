// The one table of section builders, and the one list of analyses the report cannot run yet.
// When an analysis lands (topology.h, critical_path.h, errors.h, rca.h, logmine.h, flow.h…),
// add its builder to kSectionBuilders and delete its line from kPendingAnalyses.
#include <array>

#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

struct PendingAnalysis {
  SectionId section;
  const char* analysis;
};

// Every analysis of the issue is wired in; the list stays for the next one.
constexpr std::array<PendingAnalysis, 0> kPendingAnalyses{};

constexpr const char* kNotInThisBuild = "analysis not available in this build";

}  // namespace

const std::vector<SectionBuilder>& SectionBuilders() {
  static const std::vector<SectionBuilder> kSectionBuilders = {
      {SectionId::kTopology, "service map", BuildServiceMap},
      {SectionId::kTopology, "dependency cycles (topology.h)", BuildDependencyCycles},
      {SectionId::kCorrelation, "trace correlation", BuildTraceCorrelation},
      {SectionId::kCorrelation, "correlation flow with breaks and delays (flow.h)", BuildCorrelationFlow},
      {SectionId::kTiming, "latency summary", BuildLatencySummary},
      {SectionId::kTiming, "critical-path ownership, bottlenecks and perf outliers (timing.h, bottlenecks.h, perf.h)",
       BuildCriticalPathOwnership},
      {SectionId::kTiming, "per-operation regressions against the window before (regress.h)", BuildRegressions},
      {SectionId::kErrors, "error summary", BuildErrorSummary},
      {SectionId::kState, "event summary", BuildEventSummary},
      {SectionId::kState, "projection lag (events.h)", BuildProjectionLag},
      {SectionId::kLogs, "log summary", BuildLogSummary},
      {SectionId::kLogs, "log rule hits, new and spiking templates (log_rules.h, log_patterns.h)",
       BuildLogEvidence},
      {SectionId::kHypotheses, "ranked hypotheses (rca.h, errors.h, events.h)", BuildHypotheses},
      // The summary reads what the other sections found, so it runs last.
      {SectionId::kSummary, "summary", BuildSummary},
  };
  return kSectionBuilders;
}

void AddPendingAnalyses(DebugReport* report) {
  for (const PendingAnalysis& p : kPendingAnalyses) {
    report->section(p.section).unavailable.push_back({p.analysis, kNotInThisBuild});
  }
}

}  // namespace ddbg::report
