// Pieces every renderer of the debug report shares: a metric's value in its unit, the one
// line of a hypothesis, and the number of lines of each list shown for a section.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ddbg/debug_report.h"

namespace ddbg::report {

// "340ms", "12.5%", "3.20/s", "2025-01-15T10:00:00.000Z", "1234".
std::string FormatMetricValue(const Metric& m);
// "1. latency in payment (POST /charge, pod-2) — confidence 82%".
std::string HypothesisLine(const Hypothesis& h);
// A finding's detail line by line (hypotheses carry one evidence item per line).
std::vector<std::string_view> DetailLines(std::string_view detail);
// The focus as "timing, causation", or "none".
std::string FocusList(const FocusSet& focus);

inline constexpr size_t kSummaryHypotheses = 3;
inline constexpr size_t kTimelineLinesShown = 20;

}  // namespace ddbg::report
