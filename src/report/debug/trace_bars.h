// Drawing material for one trace: its spans as bar segments with the critical path marked
// (critical_path.h), and the timeline of its spans, logs and correlated events.
#pragma once

#include <string>
#include <vector>

#include "ddbg/debug_report.h"
#include "ddbg/trace_tree.h"

namespace ddbg::report {

inline constexpr size_t kMaxBarSegments = 60;

// Segments in tree pre-order (at most kMaxBarSegments, the critical path always kept).
CriticalPathBars MakeCriticalPathBars(const TraceTree& tree, std::string title);

// Spans that serve a request (roots, server and consumer spans, errors), the trace's logs
// and `events`, sorted by time.
Timeline MakeTraceTimeline(const TraceTree& tree, const LogBatch& logs,
                           const std::vector<EventRef>& events, std::string title);

}  // namespace ddbg::report
