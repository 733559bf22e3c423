// Log query results grouped by trace: the grouping and its table and JSON renderings.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ddbg/logql.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

void AddLine(const LogQueryResult& r, size_t i, TraceLogGroup* g) {
  const LogLine& l = r.lines[i];
  if (g->lines.empty() || l.time_ns < g->first_ns) g->first_ns = l.time_ns;
  if (g->lines.empty() || l.time_ns > g->last_ns) g->last_ns = l.time_ns;
  g->lines.push_back(i);
  for (const auto& [k, v] : l.labels) {
    if (k == "service" && std::find(g->services.begin(), g->services.end(), v) == g->services.end()) {
      g->services.push_back(v);
    }
  }
}

std::string Joined(const std::vector<std::string>& xs) {
  std::string out;
  for (const std::string& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

void WriteValues(JsonWriter& w, const LogQueryResult& r, const TraceLogGroup& g) {
  w.Key("values").BeginArray();
  for (size_t i : g.lines) {
    const LogLine& l = r.lines[i];
    w.BeginObject().Key("timeUnixNano").String(std::to_string(l.time_ns)).Key("labels").BeginObject();
    for (const auto& [k, v] : l.labels) w.Key(k).String(v);
    w.EndObject().Key("line").String(l.line).EndObject();
  }
  w.EndArray();
}

}  // namespace

std::vector<TraceLogGroup> GroupLinesByTrace(const LogQueryResult& r) {
  std::vector<TraceLogGroup> groups;
  std::map<TraceId, size_t> index;
  TraceLogGroup untraced;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    TraceId id = r.lines[i].trace_id;
    if (id.empty()) {
      AddLine(r, i, &untraced);
      continue;
    }
    auto [it, inserted] = index.try_emplace(id, groups.size());
    if (inserted) groups.emplace_back().trace_id = id;
    AddLine(r, i, &groups[it->second]);
  }
  if (!untraced.lines.empty()) groups.push_back(std::move(untraced));
  for (TraceLogGroup& g : groups) {
    std::stable_sort(g.lines.begin(), g.lines.end(),
                     [&r](size_t a, size_t b) { return r.lines[a].time_ns < r.lines[b].time_ns; });
  }
  return groups;
}

std::string LogsByTraceTable(const LogQueryResult& r) {
  std::string out;
  size_t traces = 0;
  for (const TraceLogGroup& g : GroupLinesByTrace(r)) {
    std::string head = g.trace_id.empty() ? "(no trace)" : "trace " + TraceIdToHex(g.trace_id);
    traces += !g.trace_id.empty();
    out += fmt::format("{}  {} line{}  {}  {} .. {} ({})\n", head, g.lines.size(),
                       g.lines.size() == 1 ? "" : "s", Joined(g.services), FormatRfc3339(g.first_ns),
                       FormatRfc3339(g.last_ns), FormatDuration(g.last_ns - g.first_ns));
    for (size_t i : g.lines) {
      const LogLine& l = r.lines[i];
      out += fmt::format("  {}  {}  {}\n", FormatRfc3339(l.time_ns), FormatLabels(l.labels), l.line);
    }
  }
  out += fmt::format("{} lines in {} traces\n", r.lines.size(), traces);
  return out;
}

std::string LogsByTraceJson(const LogQueryResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("traces").BeginArray();
  const TraceLogGroup* untraced = nullptr;
  std::vector<TraceLogGroup> groups = GroupLinesByTrace(r);
  for (const TraceLogGroup& g : groups) {
    if (g.trace_id.empty()) {
      untraced = &g;
      continue;
    }
    w.BeginObject().Key("traceID").String(TraceIdToHex(g.trace_id)).Key("lines").Uint(g.lines.size());
    w.Key("services").BeginArray();
    for (const std::string& s : g.services) w.String(s);
    w.EndArray()
        .Key("startTimeUnixNano").String(std::to_string(g.first_ns))
        .Key("endTimeUnixNano").String(std::to_string(g.last_ns));
    WriteValues(w, r, g);
    w.EndObject();
  }
  w.EndArray().Key("untraced").BeginObject();
  WriteValues(w, r, untraced != nullptr ? *untraced : TraceLogGroup());
  w.EndObject().EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace ddbg
