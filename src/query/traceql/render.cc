// Output of trace searches: Tempo's search JSON, a terminal table, the --explain text.
#include <fmt/format.h>

#include "ddbg/traceql.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

void WriteAttr(JsonWriter& w, const ResultAttr& a) {
  w.BeginObject().Key("key").String(a.key).Key("value").BeginObject();
  switch (a.type) {
    case AttrType::kInt: w.Key("intValue").String(a.text); break;
    case AttrType::kDouble: w.Key("doubleValue").Double(a.double_value); break;
    case AttrType::kBool: w.Key("boolValue").Bool(a.int_value != 0); break;
    default: w.Key("stringValue").String(a.text); break;
  }
  w.EndObject().EndObject();
}

void WriteSpanSet(JsonWriter& w, const ResultSpanSet& set) {
  w.BeginObject().Key("spans").BeginArray();
  for (const MatchedSpan& s : set.spans) {
    w.BeginObject()
        .Key("spanID").String(SpanIdToHex(s.span_id))
        .Key("name").String(s.name)
        .Key("startTimeUnixNano").String(std::to_string(s.start_ns))
        .Key("durationNanos").String(std::to_string(s.duration_ns))
        .Key("attributes").BeginArray();
    WriteAttr(w, ResultAttr{.key = "service.name", .text = s.service});
    for (const ResultAttr& a : s.attributes) WriteAttr(w, a);
    w.EndArray().EndObject();
  }
  w.EndArray().Key("matched").Uint(set.matched);
  if (!set.attributes.empty()) {
    w.Key("attributes").BeginArray();
    for (const ResultAttr& a : set.attributes) WriteAttr(w, a);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string TempoSearchJson(const TraceSearchResult& result) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("traces").BeginArray();
  for (const TraceHit& t : result.traces) {
    w.BeginObject()
        .Key("traceID").String(TraceIdToHex(t.trace_id))
        .Key("rootServiceName").String(t.root_service.empty() ? "<root span not yet received>" : t.root_service)
        .Key("rootTraceName").String(t.root_name)
        .Key("startTimeUnixNano").String(std::to_string(t.start_ns))
        .Key("durationMs").Int(t.duration_ns / 1000000);
    if (!t.spansets.empty()) {
      w.Key("spanSet");
      WriteSpanSet(w, t.spansets[0]);
    }
    w.Key("spanSets").BeginArray();
    for (const ResultSpanSet& s : t.spansets) WriteSpanSet(w, s);
    w.EndArray().Key("spanCount").Uint(t.span_count).EndObject();
  }
  uint64_t inspected = 0;
  for (const QueryStep& s : result.explain.steps) inspected += s.rows_read;
  w.EndArray()
      .Key("metrics").BeginObject()
      .Key("inspectedSpans").String(std::to_string(inspected))
      .Key("completedJobs").Int(1).Key("totalJobs").Int(1)
      .EndObject().EndObject();
  out.push_back('\n');
  return out;
}

std::string TraceSearchTable(const TraceSearchResult& result) {
  std::string out = fmt::format("{:<32}  {:<28}  {:<24}  {:>10}  {:>5}  {:>7}\n", "TRACE ID",
                                "ROOT", "START", "DURATION", "SPANS", "MATCHED");
  for (const TraceHit& t : result.traces) {
    uint64_t matched = 0;
    for (const ResultSpanSet& s : t.spansets) matched += s.matched;
    std::string root = (t.root_service.empty() ? "?" : t.root_service) + " " + t.root_name;
    if (root.size() > 28) root = root.substr(0, 27) + "~";
    out += fmt::format("{:<32}  {:<28}  {:<24}  {:>10}  {:>5}  {:>7}\n", TraceIdToHex(t.trace_id),
                       root, FormatRfc3339(t.start_ns), FormatDuration(t.duration_ns),
                       t.span_count, matched);
    for (const ResultSpanSet& s : t.spansets) {
      for (const ResultAttr& a : s.attributes) out += fmt::format("    {} = {}\n", a.key, a.text);
      for (const MatchedSpan& sp : s.spans) {
        std::string attrs;
        for (const ResultAttr& a : sp.attributes) attrs += " " + a.key + "=" + a.text;
        out += fmt::format("    {} {} {} {}{}\n", SpanIdToHex(sp.span_id), sp.service, sp.name,
                           FormatDuration(sp.duration_ns), attrs);
      }
    }
  }
  out += fmt::format("{} traces\n", result.traces.size());
  return out;
}

std::string FormatExplain(const QueryExplain& e) {
  std::string out = e.plan + "\n";
  for (size_t i = 0; i < e.steps.size(); ++i) {
    const QueryStep& s = e.steps[i];
    out += fmt::format("{}. {}: {}\n", i + 1, s.name, s.detail);
    out += fmt::format(
        "   segments: {} considered, {} skipped by index, {} read; rows: {} read, {} checked, "
        "{} matched\n",
        s.segments, s.segments_skipped, s.segments_read, s.rows_read, s.rows_checked,
        s.rows_matched);
  }
  out += fmt::format("elapsed: {:.2f} ms\n", e.elapsed_ms);
  return out;
}

}  // namespace ddbg
