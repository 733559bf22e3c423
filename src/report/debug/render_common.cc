#include "report/debug/render_common.h"

#include <fmt/format.h>

#include "util/time_format.h"

namespace ddbg::report {

std::string FormatMetricValue(const Metric& m) {
  switch (m.unit) {
    case MetricUnit::kCount: return std::to_string(m.int_value);
    case MetricUnit::kDurationNs: return FormatDuration(m.int_value);
    case MetricUnit::kRatio: return fmt::format("{:.1f}%", m.value * 100);
    case MetricUnit::kPerSecond: return fmt::format("{:.2f}/s", m.value);
    case MetricUnit::kTimeNs: return FormatRfc3339(m.int_value, 3);
    case MetricUnit::kNumber: return fmt::format("{:.4g}", m.value);
  }
  return "";
}

std::string HypothesisLine(const Hypothesis& h) {
  std::string where = h.service;
  if (!h.operation.empty() || !h.instance.empty()) {
    where += " (" + h.operation;
    if (!h.operation.empty() && !h.instance.empty()) where += ", ";
    where += h.instance + ")";
  }
  return fmt::format("{}. {} in {} — confidence {:.0f}%", h.rank, h.kind, where,
                     h.confidence * 100);
}

std::string FocusList(const FocusSet& focus) {
  std::string out;
  for (size_t i = 0; i < kFocusCount; ++i) {
    if (!focus.has(static_cast<Focus>(i))) continue;
    if (!out.empty()) out += ", ";
    out += FocusName(static_cast<Focus>(i));
  }
  return out.empty() ? "none" : out;
}

std::vector<std::string_view> DetailLines(std::string_view detail) {
  std::vector<std::string_view> lines;
  while (!detail.empty()) {
    size_t nl = detail.find('\n');
    lines.push_back(detail.substr(0, nl));
    if (nl == std::string_view::npos) break;
    detail.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace ddbg::report
