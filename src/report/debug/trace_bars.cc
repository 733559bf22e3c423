#include "report/debug/trace_bars.h"

#include <algorithm>

#include "ddbg/critical_path.h"

namespace ddbg::report {
namespace {

constexpr size_t kMaxTimelineEntries = 80;

// Nodes owning a piece of the trace's critical path (critical_path.h, Jaeger's definition).
std::vector<bool> CriticalNodes(const TraceTree& tree) {
  std::vector<bool> critical(tree.nodes().size(), false);
  for (const CriticalPathSegment& seg : ComputeCriticalPath(tree).segments) {
    uint32_t n = tree.NodeOfRow(seg.row);
    if (n < critical.size()) critical[n] = true;
  }
  return critical;
}

bool ServesRequest(const SpanBatch& b, uint32_t row) {
  SpanKind k = b.kind[row];
  return b.parent_span_id[row] == 0 || k == SpanKind::kServer || k == SpanKind::kConsumer ||
         b.status[row] == SpanStatus::kError;
}

}  // namespace

CriticalPathBars MakeCriticalPathBars(const TraceTree& tree, std::string title) {
  CriticalPathBars bars;
  bars.trace_id = TraceIdToHex(tree.trace_id());
  bars.title = std::move(title);
  bars.duration_ns = tree.duration_ns();
  std::vector<bool> critical = CriticalNodes(tree);
  size_t on_path = static_cast<size_t>(std::count(critical.begin(), critical.end(), true));
  size_t optional_left = on_path < kMaxBarSegments ? kMaxBarSegments - on_path : 0;
  const SpanBatch& b = tree.batch();
  for (uint32_t n : tree.preorder()) {
    const TraceTree::Node& node = tree.node(n);
    if (node.is_placeholder()) continue;
    if (!critical[n]) {
      if (optional_left == 0) continue;
      --optional_left;
    }
    bars.segments.push_back({.service = std::string(b.dict.Get(b.service[node.row])),
                             .operation = std::string(b.dict.Get(b.name[node.row])),
                             .offset_ns = node.start_ns - tree.start_ns(),
                             .duration_ns = node.duration_ns(),
                             .self_ns = node.self_ns,
                             .depth = node.depth,
                             .critical = critical[n],
                             .error = b.status[node.row] == SpanStatus::kError});
  }
  return bars;
}

Timeline MakeTraceTimeline(const TraceTree& tree, const LogBatch& logs,
                           const std::vector<EventRef>& events, std::string title) {
  Timeline t;
  t.title = std::move(title);
  t.start_ns = tree.start_ns();
  t.end_ns = tree.end_ns();
  const SpanBatch& b = tree.batch();
  for (uint32_t n : tree.preorder()) {
    const TraceTree::Node& node = tree.node(n);
    if (node.is_placeholder() || !ServesRequest(b, node.row)) continue;
    bool error = b.status[node.row] == SpanStatus::kError;
    t.entries.push_back({.time_ns = node.start_ns,
                         .end_ns = node.end_ns,
                         .lane = std::string(b.dict.Get(b.service[node.row])),
                         .label = std::string(b.dict.Get(b.name[node.row])),
                         .kind = "span",
                         .severity = error ? Severity::kWarning : Severity::kInfo});
  }
  for (size_t i = 0; i < logs.size(); ++i) {
    uint8_t sev = logs.severity_number[i];
    t.entries.push_back({.time_ns = logs.time_ns[i],
                         .end_ns = logs.time_ns[i],
                         .lane = std::string(logs.dict.Get(logs.service[i])),
                         .label = std::string(logs.dict.Get(logs.body[i])),
                         .kind = "log",
                         .severity = sev >= 17 ? Severity::kWarning
                                     : sev >= 13 ? Severity::kNotice : Severity::kInfo});
  }
  for (const EventRef& e : events) {
    t.entries.push_back({.time_ns = e.time_ns,
                         .end_ns = e.time_ns,
                         .lane = e.service,
                         .label = e.type + " " + e.stream + " v" + std::to_string(e.version),
                         .kind = "event"});
  }
  std::stable_sort(t.entries.begin(), t.entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.time_ns < b.time_ns; });
  if (t.entries.size() > kMaxTimelineEntries) t.entries.resize(kMaxTimelineEntries);
  for (const TimelineEntry& e : t.entries) {
    t.start_ns = std::min(t.start_ns, e.time_ns);
    t.end_ns = std::max(t.end_ns, e.end_ns);
  }
  return t;
}

}  // namespace ddbg::report
