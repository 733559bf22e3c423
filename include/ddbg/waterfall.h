// The trace view: a TraceTree rendered as a terminal waterfall (indented tree, start offset,
// duration, self time, a duration bar, errors, span events, orphans and clock-skew notes)
// or as JSON. Rendering reads the tree and its batch only; every span-supplied string is
// sanitised (control characters never reach the terminal) or JSON-escaped.
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string>

#include "ddbg/trace_tree.h"

namespace ddbg {

struct WaterfallOptions {
  int width = 100;          // total columns of a line
  bool ascii = false;       // ASCII only: '-' bars, |- tree glyphs, "us"
  bool color = false;       // ANSI colours (the caller decides: a terminal and no --no-color)
  bool show_events = true;  // span events as lines under their span
  size_t max_events = 20;   // per span; the rest is summarised as "… N more events"
  // Log records of the trace (Store::GetTraceLogs), shown under the span whose id they
  // carry, in time order; records of no span of the tree are counted after the tree.
  const LogBatch* logs = nullptr;
  size_t max_logs = 20;  // per span
};

// The terminal form; ends with a newline.
std::string RenderWaterfallText(const TraceTree& tree, const WaterfallOptions& options);

// {"traceID","services","spanCount","durationNs","startUnixNano","skewAdjustments":[…],
//  "issues":[…],"spans":[{"spanID","parentSpanID","service","operation","kind",
//  "startUnixNano","durationNs","selfNs","depth","status","statusMessage","attributes":{…},
//  "events":[…],"adjustedNs","orphan"}]} with spans in tree order. startUnixNano and event
// times are after skew adjustment; adjustedNs is the shift that was applied. Ends with "\n".
std::string RenderWaterfallJson(const TraceTree& tree);

}  // namespace ddbg
