// Inline SVG drawings of the HTML report: the service map, a timeline and the bars of one
// trace. Every telemetry string is escaped with AppendHtmlEscaped; no script, no link, no
// external reference is written. Pure functions.
#pragma once

#include <string>

#include "ddbg/debug_report.h"

namespace ddbg::report {

void AppendServiceMapSvg(std::string& out, const ServiceGraph& graph);
void AppendTimelineSvg(std::string& out, const Timeline& timeline);
void AppendBarsSvg(std::string& out, const CriticalPathBars& bars);

}  // namespace ddbg::report
