// The sources of the report's root-cause hypotheses (section 8): the root-cause ranking
// read through the error analysis (hypotheses_rca.cc) and the event analyses
// (hypotheses_events.cc). Each appends unranked hypotheses; BuildHypotheses ranks them.
#pragma once

#include <vector>

#include "ddbg/debug_report.h"
#include "report/debug/debug_context.h"

namespace ddbg::report {

void AddRcaHypotheses(const DebugContext& ctx, std::vector<Hypothesis>* out);
// version-gap from stream integrity, inconsistent-state from cross-service consistency.
void AddEventHypotheses(const DebugContext& ctx, std::vector<Hypothesis>* out);
// One recommendation per hypothesis that follows from its kind and figures.
std::string RecommendationFor(const Hypothesis& h, const DebugContext& ctx);

}  // namespace ddbg::report
