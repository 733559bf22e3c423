// Section 8: the ranked root-cause hypotheses (from rca.h read through errors.h, and from
// the event analyses) with their evidence, and the recommendations that follow from the
// confident ones. The hypotheses are the report's `hypotheses` list (every renderer shows
// them in this section); the section's own findings only say when none is confident.
#include <fmt/format.h>

#include <algorithm>

#include "report/debug/hypotheses.h"
#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

// Hypotheses above this confidence get a recommendation.
constexpr double kConfident = 0.5;
constexpr size_t kMaxHypotheses = 10;

}  // namespace

Status BuildHypotheses(Store&, const DebugContext& ctx, DebugReport* report) {
  std::vector<Hypothesis> all;
  AddRcaHypotheses(ctx, &all);
  AddEventHypotheses(ctx, &all);
  std::stable_sort(all.begin(), all.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.confidence > b.confidence; });
  if (all.size() > kMaxHypotheses) all.resize(kMaxHypotheses);
  Section& section = report->section(SectionId::kHypotheses);
  for (size_t i = 0; i < all.size(); ++i) {
    all[i].rank = static_cast<int>(i + 1);
    if (all[i].confidence > kConfident) report->recommendations.push_back(RecommendationFor(all[i], ctx));
  }
  if (!ctx.analyses.rca_error.empty()) section.unavailable.push_back({"root-cause ranking (rca)", ctx.analyses.rca_error});
  if (all.empty() || all.front().confidence <= kConfident) {
    section.findings.push_back(MakeFinding("no confident root-cause hypothesis: nothing in the window stands "
                                           "out against its baseline"));
  }
  report->hypotheses = std::move(all);
  return Status::Ok();
}

}  // namespace ddbg::report
