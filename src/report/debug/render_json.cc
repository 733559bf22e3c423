// The JSON form of the debug report: the stable schema "ddbg.debug-report/1" documented in
// docs/debug-report.md. Keys are camelCase; every list is present (empty when nothing).
#include "ddbg/debug_render.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

void WriteMetric(JsonWriter& w, const Metric& m) {
  w.BeginObject().Key("key").String(m.key).Key("unit").String(MetricUnitName(m.unit));
  w.Key("value");
  if (m.is_integer()) {
    w.Int(m.int_value);
  } else {
    w.Double(m.value);
  }
  w.EndObject();
}

void WriteLog(JsonWriter& w, const LogExample& l) {
  w.BeginObject()
      .Key("time").String(FormatRfc3339(l.time_ns, 9))
      .Key("service").String(l.service)
      .Key("severity").String(l.severity)
      .Key("body").String(l.body)
      .Key("traceId").String(l.trace_id)
      .Key("spanId").String(l.span_id)
      .EndObject();
}

void WriteEvent(JsonWriter& w, const EventRef& e) {
  w.BeginObject()
      .Key("stream").String(e.stream)
      .Key("version").Uint(e.version)
      .Key("type").String(e.type)
      .Key("time").String(FormatRfc3339(e.time_ns, 9))
      .Key("service").String(e.service)
      .Key("correlationId").String(e.correlation_id)
      .EndObject();
}

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.BeginObject().Key("title").String(f.title).Key("severity").String(SeverityName(f.severity));
  w.Key("detail").String(f.detail).Key("metrics").BeginArray();
  for (const Metric& m : f.metrics) WriteMetric(w, m);
  w.EndArray().Key("traceIds").BeginArray();
  for (const std::string& id : f.trace_ids) w.String(id);
  w.EndArray().Key("logs").BeginArray();
  for (const LogExample& l : f.logs) WriteLog(w, l);
  w.EndArray().Key("events").BeginArray();
  for (const EventRef& e : f.events) WriteEvent(w, e);
  w.EndArray().EndObject();
}

void WriteLatency(JsonWriter& w, int64_t p50, int64_t p95, int64_t p99) {
  w.Key("p50Ns").Int(p50).Key("p95Ns").Int(p95).Key("p99Ns").Int(p99);
}

void WriteGraph(JsonWriter& w, const ServiceGraph& g) {
  w.BeginObject().Key("nodes").BeginArray();
  for (const ServiceNode& n : g.nodes) {
    w.BeginObject().Key("name").String(n.name).Key("requests").Int(n.requests);
    w.Key("errors").Int(n.errors);
    WriteLatency(w, n.p50_ns, n.p95_ns, n.p99_ns);
    w.Key("unhealthy").Bool(n.unhealthy).EndObject();
  }
  w.EndArray().Key("edges").BeginArray();
  for (const ServiceEdge& e : g.edges) {
    w.BeginObject().Key("from").String(e.from).Key("to").String(e.to);
    w.Key("kind").String(e.messaging ? "async" : "sync").Key("calls").Int(e.calls);
    w.Key("errors").Int(e.errors).Key("ratePerSecond").Double(e.rate_per_s);
    w.Key("errorRate").Double(e.error_rate);
    WriteLatency(w, e.p50_ns, e.p95_ns, e.p99_ns);
    w.Key("unhealthy").Bool(e.unhealthy).EndObject();
  }
  w.EndArray().EndObject();
}

void WriteTimeline(JsonWriter& w, const Timeline& t) {
  w.BeginObject().Key("title").String(t.title);
  w.Key("start").String(FormatRfc3339(t.start_ns, 9)).Key("end").String(FormatRfc3339(t.end_ns, 9));
  w.Key("entries").BeginArray();
  for (const TimelineEntry& e : t.entries) {
    w.BeginObject()
        .Key("time").String(FormatRfc3339(e.time_ns, 9))
        .Key("durationNs").Int(e.end_ns - e.time_ns)
        .Key("lane").String(e.lane)
        .Key("label").String(e.label)
        .Key("kind").String(e.kind)
        .Key("severity").String(SeverityName(e.severity))
        .Key("count").Int(e.count)
        .EndObject();
  }
  w.EndArray().EndObject();
}

void WriteBars(JsonWriter& w, const CriticalPathBars& b) {
  w.BeginObject().Key("traceId").String(b.trace_id).Key("title").String(b.title);
  w.Key("durationNs").Int(b.duration_ns).Key("segments").BeginArray();
  for (const BarSegment& s : b.segments) {
    w.BeginObject()
        .Key("service").String(s.service)
        .Key("operation").String(s.operation)
        .Key("offsetNs").Int(s.offset_ns)
        .Key("durationNs").Int(s.duration_ns)
        .Key("selfNs").Int(s.self_ns)
        .Key("depth").Uint(s.depth)
        .Key("critical").Bool(s.critical)
        .Key("error").Bool(s.error)
        .EndObject();
  }
  w.EndArray().EndObject();
}

void WriteSection(JsonWriter& w, const Section& s) {
  w.BeginObject().Key("id").String(SectionKey(s.id)).Key("title").String(SectionTitle(s.id));
  w.Key("focused").Bool(s.focused).Key("findings").BeginArray();
  for (const Finding& f : s.findings) WriteFinding(w, f);
  w.EndArray().Key("unavailable").BeginArray();
  for (const Unavailable& u : s.unavailable) {
    w.BeginObject().Key("analysis").String(u.analysis).Key("reason").String(u.reason).EndObject();
  }
  w.EndArray().Key("graph");
  if (s.graph.empty()) {
    w.Null();
  } else {
    WriteGraph(w, s.graph);
  }
  w.Key("timelines").BeginArray();
  for (const Timeline& t : s.timelines) WriteTimeline(w, t);
  w.EndArray().Key("bars").BeginArray();
  for (const CriticalPathBars& b : s.bars) WriteBars(w, b);
  w.EndArray().EndObject();
}

void WriteHypotheses(JsonWriter& w, const std::vector<Hypothesis>& hypotheses) {
  w.Key("hypotheses").BeginArray();
  for (const Hypothesis& h : hypotheses) {
    w.BeginObject()
        .Key("rank").Int(h.rank)
        .Key("kind").String(h.kind)
        .Key("service").String(h.service)
        .Key("operation").String(h.operation)
        .Key("instance").String(h.instance)
        .Key("confidence").Double(h.confidence)
        .Key("evidence").BeginArray();
    for (const std::string& e : h.evidence) w.String(e);
    w.EndArray().EndObject();
  }
  w.EndArray();
}

void WriteHeader(JsonWriter& w, const DebugReport& r) {
  w.Key("schema").String("ddbg.debug-report/1").Key("description").String(r.description);
  w.Key("focus").BeginArray();
  for (size_t i = 0; i < kFocusCount; ++i) {
    if (r.focus.has(static_cast<Focus>(i))) w.String(FocusName(static_cast<Focus>(i)));
  }
  w.EndArray().Key("focusSource").String(r.focus_from_flag ? "flag" : "description");
  w.Key("focusWords").BeginArray();
  for (const FocusWord& fw : r.focus_words) {
    w.BeginObject().Key("word").String(fw.word).Key("focus").String(FocusName(fw.focus)).EndObject();
  }
  w.EndArray().Key("window").BeginObject();
  w.Key("start").String(FormatRfc3339(r.window.min_ns, 9)).Key("end").String(FormatRfc3339(r.window.max_ns, 9));
  w.Key("startUnixNano").Int(r.window.min_ns).Key("endUnixNano").Int(r.window.max_ns).EndObject();
  w.Key("services").BeginArray();
  for (const std::string& s : r.services) w.String(s);
  w.EndArray().Key("traceId").String(r.trace_id);
  const ReportCounts& c = r.counts;
  w.Key("counts").BeginObject()
      .Key("traces").Int(c.traces).Key("spans").Int(c.spans)
      .Key("errorSpans").Int(c.error_spans).Key("errorTraces").Int(c.error_traces)
      .Key("logs").Int(c.logs).Key("errorLogs").Int(c.error_logs)
      .Key("events").Int(c.events).Key("services").Int(c.services)
      .EndObject();
}

}  // namespace

std::string RenderDebugJson(const DebugReport& report) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteHeader(w, report);
  w.Key("sections").BeginArray();
  for (const Section& s : report.sections) WriteSection(w, s);
  w.EndArray();
  WriteHypotheses(w, report.hypotheses);
  w.Key("recommendations").BeginArray();
  for (const std::string& r : report.recommendations) w.String(r);
  w.EndArray().EndObject();
  out += '\n';
  return out;
}

}  // namespace ddbg
