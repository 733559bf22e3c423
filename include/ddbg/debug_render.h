// Renderers of the Distributed Debug Report (debug_report.h): terminal text, Markdown, JSON
// (the stable schema of docs/debug-report.md) and one self-contained HTML file (inline CSS and
// SVG; no script, font or request leaves the page). Every string that came from telemetry is
// escaped for its output through util/escape.h.
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string>

#include "ddbg/debug_report.h"

namespace ddbg {

struct DebugTextOptions {
  bool color = false;  // ANSI colours: the caller decides (a terminal, no --no-color)
  int width = 100;     // columns, for the bars
};

std::string RenderDebugText(const DebugReport& report, const DebugTextOptions& options);
std::string RenderDebugMarkdown(const DebugReport& report);
std::string RenderDebugJson(const DebugReport& report);  // one object, ends with "\n"
std::string RenderDebugHtml(const DebugReport& report);

}  // namespace ddbg
