#include "report/analysis_tables.h"

#include <fmt/format.h>

#include <map>

#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

std::string Ids(const std::vector<TraceId>& ids) {
  std::string s;
  for (const TraceId& id : ids) {
    if (!s.empty()) s.push_back(' ');
    s.append(TraceIdToHex(id));
  }
  return s;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string Quoted(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o + "\"";
}

}  // namespace

std::vector<ReportTable> TopologyTables(const Topology& topo) {
  ReportTable edges{"Dependencies (caller -> callee)", "edges",
                    {"parent", "child", "kind", "calls", "errors", "error_rate", "p50", "p95", "p99"}};
  for (const TopologyEdge& e : topo.edges) {
    edges.Row().Text(e.parent).Text(e.child).Text(e.messaging ? "async" : "sync").Int(e.calls)
        .Int(e.errors).Percent(e.error_rate()).Duration(e.p50_ns).Duration(e.p95_ns).Duration(e.p99_ns);
  }
  ReportTable services{"Services", "services",
                       {"service", "in_degree", "out_degree", "requests", "requests_per_s", "error_rate"}};
  for (const TopologyService& s : topo.services) {
    services.Row().Text(s.name).Int(s.in_degree).Int(s.out_degree).Int(s.requests)
        .Num(s.request_rate_per_s, 2).Percent(s.error_rate());
  }
  ReportTable cycles{"Circular dependencies", "cycles", {"services", "size", "loop"}};
  cycles.note = "no circular dependencies";
  for (const auto& c : topo.cycles) {
    cycles.Row().Text(Join(c.services, ",")).Int(c.services.size()).Text(Join(c.loop, " -> "));
  }
  return {edges, services, cycles};
}

std::string TopologyDot(const Topology& topo) {
  std::string out = "digraph services {\n  rankdir=LR;\n  node [shape=box];\n";
  std::map<std::string, bool> in_cycle;
  for (const auto& c : topo.cycles) {
    for (const auto& s : c.services) in_cycle[s] = true;
  }
  for (const TopologyService& s : topo.services) {
    out += "  " + Quoted(s.name) + (in_cycle.count(s.name) ? " [color=red];\n" : ";\n");
  }
  for (const TopologyEdge& e : topo.edges) {
    std::string label = std::to_string(e.calls);
    if (e.errors) label += fmt::format(" ({:.1f}% err)", e.error_rate() * 100);
    if (e.p99_ns) label += " p99 " + FormatDurationNs(e.p99_ns, true);
    out += "  " + Quoted(e.parent) + " -> " + Quoted(e.child) + " [label=" + Quoted(label) +
           (e.messaging ? ", style=dashed" : "") + "];\n";
  }
  return out + "}\n";
}

std::string TopologyMermaid(const Topology& topo) {
  std::map<std::string, std::string> id;
  std::string out = "graph LR\n";
  for (size_t i = 0; i < topo.services.size(); ++i) {
    id[topo.services[i].name] = "s" + std::to_string(i);
    std::string label;
    for (char c : topo.services[i].name) label += c == '"' ? '\'' : c;
    out += "  s" + std::to_string(i) + "[\"" + label + "\"]\n";
  }
  for (const TopologyEdge& e : topo.edges) {
    std::string label = std::to_string(e.calls);
    if (e.errors) label += fmt::format(" / {:.1f}% err", e.error_rate() * 100);
    out += "  " + id[e.parent] + (e.messaging ? " -.->|" : " -->|") + label + "| " + id[e.child] + "\n";
  }
  return out;
}

std::vector<ReportTable> CriticalPathTables(const CriticalPath& cp) {
  ReportTable t{"Critical path of " + TraceIdToHex(cp.trace_id) + " (" +
                    CriticalPathModeName(cp.mode) + ", total " + FormatDurationNs(cp.total_ns, true) + ")",
                "segments", {"start", "duration", "service", "operation", "span"}};
  int64_t t0 = cp.segments.empty() ? 0 : cp.segments.front().start_ns;
  for (const CriticalPathSegment& s : cp.segments) {
    t.Row().Text("+" + FormatDurationNs(s.start_ns - t0, true)).Duration(s.end_ns - s.start_ns)
        .Text(std::string(s.service)).Text(std::string(s.operation)).Text(SpanIdToHex(s.span_id));
  }
  return {t};
}

std::string CriticalPathJson(const CriticalPath& cp) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("traceID").String(TraceIdToHex(cp.trace_id));
  w.Key("mode").String(CriticalPathModeName(cp.mode)).Key("segments").BeginArray();
  for (const CriticalPathSegment& s : cp.segments) {
    w.BeginObject().Key("spanID").String(SpanIdToHex(s.span_id)).Key("service").String(s.service);
    w.Key("operation").String(s.operation).Key("startUnixNano").Int(s.start_ns);
    w.Key("endUnixNano").Int(s.end_ns).EndObject();
  }
  w.EndArray().EndObject();
  return out + "\n";
}

std::vector<ReportTable> CriticalPathSummaryTables(const CriticalPathSummary& sum) {
  std::string head = fmt::format(" ({} traces; p50 {}, p99 {}; cohorts: {} around p50, {} at p99+)",
                                 sum.traces, FormatDurationNs(sum.trace_p50_ns, true),
                                 FormatDurationNs(sum.trace_p99_ns, true), sum.p50_cohort, sum.p99_cohort);
  ReportTable svc{"Critical-path share by service" + head, "services",
                  {"service", "share_p99", "share_p50", "share_all", "traces", "cp_time"}};
  for (const auto& s : sum.services) {
    svc.Row().Text(s.service).Percent(s.share_p99).Percent(s.share_p50).Percent(s.share_all)
        .Int(s.traces).Duration(s.total_ns);
  }
  ReportTable ops{"Critical-path share by operation", "operations",
                  {"service", "operation", "share_p99", "share_p50", "share_all", "traces"}};
  for (const auto& s : sum.operations) {
    ops.Row().Text(s.service).Text(s.operation).Percent(s.share_p99).Percent(s.share_p50)
        .Percent(s.share_all).Int(s.traces);
  }
  ReportTable br{"Latency breakdown per service (self time vs waiting on children)", "breakdown",
                 {"service", "spans", "total", "self", "waiting", "self_share"}};
  for (const auto& b : sum.breakdown) {
    br.Row().Text(b.service).Int(b.spans).Duration(b.total_ns).Duration(b.self_ns)
        .Duration(b.wait_ns).Percent(b.self_share());
  }
  return {svc, ops, br};
}

std::vector<ReportTable> BottleneckTables(const Bottlenecks& b) {
  ReportTable ops{fmt::format("Operations by contribution to end-to-end latency ({} traces)", b.traces),
                  "operations", {"service", "operation", "cp_share", "cp_time", "traces"}};
  for (const auto& o : b.operations) {
    ops.Row().Text(o.service).Text(o.operation).Percent(o.share_all).Duration(o.total_ns).Int(o.traces);
  }
  ReportTable n1{"Sequential same-operation calls (N+1)", "n_plus_one",
                 {"parent", "calls", "traces", "max_count", "mean_count", "mean_time", "example"}};
  n1.note = "no N+1 call chains";
  for (const auto& p : b.n_plus_one) {
    const SiblingGroup& g = p.examples.front();
    n1.Row().Text(p.parent_service + " " + p.parent_operation).Text(p.service + " " + p.operation)
        .Int(p.traces).Int(p.max_count).Num(p.mean_count, 1).Duration(p.mean_sum_ns)
        .Text(fmt::format("{} span {} ({} calls, wall {}, sum {})", TraceIdToHex(g.trace_id),
                          SpanIdToHex(g.parent_span_id), g.count, FormatDurationNs(g.wall_ns, true),
                          FormatDurationNs(g.sum_ns, true)));
  }
  ReportTable fan{"Wide fan-outs", "fan_outs", {"parent", "occurrences", "max_children", "mean_children", "examples"}};
  fan.note = "no wide fan-outs";
  for (const auto& f : b.fan_outs) {
    fan.Row().Text(f.service + " " + f.operation).Int(f.occurrences).Int(f.max_children)
        .Num(f.mean_children, 1).Text(Ids(f.examples));
  }
  ReportTable gaps{"Gaps (time inside a span covered by no child)", "gaps",
                   {"span", "occurrences", "total", "max", "example"}};
  gaps.note = "no gaps";
  for (const auto& g : b.gaps) {
    const Gap& e = g.examples.front();
    gaps.Row().Text(g.service + " " + g.operation).Int(g.occurrences).Duration(g.total_ns)
        .Duration(g.max_ns).Text(fmt::format("{} span {} gap {}", TraceIdToHex(e.trace_id),
                                             SpanIdToHex(e.span_id), FormatDurationNs(e.end_ns - e.start_ns, true)));
  }
  return {ops, n1, fan, gaps};
}

namespace {

ReportTable CountTable(std::string title, std::string key, std::string column,
                       const std::vector<ErrorCount>& rows) {
  ReportTable t{std::move(title), std::move(key), {column, "errors", "originating", "first_seen", "last_seen", "examples"}};
  for (const ErrorCount& c : rows) {
    t.Row().Text(c.key).Int(c.errors).Int(c.origins).Text(FormatRfc3339(c.first_ns, 3))
        .Text(FormatRfc3339(c.last_ns, 3)).Text(Ids(c.examples));
  }
  return t;
}

}  // namespace

std::vector<ReportTable> ErrorTables(const ErrorAnalysis& e) {
  ReportTable sum{"Summary", "summary", {"traces", "with_errors", "failing", "error_spans"}};
  sum.Row().Int(e.traces).Int(e.traces_with_errors).Int(e.failing_traces).Int(e.error_spans);
  ReportTable origins = CountTable("Originating errors (service / operation)", "origins", "origin", e.origins);
  ReportTable traces{"Failing traces: origin vs propagated", "traces",
                     {"trace", "origin", "origin_kind", "message", "propagated", "cascade"}};
  for (const TraceErrors& t : e.per_trace) {
    std::vector<std::string> prop, cascade;
    for (const ErrorSpan& p : t.propagated) prop.push_back(p.service + " " + p.operation);
    for (const ErrorSpan& c : t.Cascade()) {
      cascade.push_back(fmt::format("+{} {}", FormatDurationNs(c.end_ns - t.origin.start_ns, true), c.service));
    }
    traces.Row().Text(TraceIdToHex(t.trace_id)).Text(t.origin.service + " " + t.origin.operation + " " +
                                                     SpanIdToHex(t.origin.span_id))
        .Text(t.origin_is_timeout ? "timeout (status ok)" : "error").Text(t.origin.message)
        .Text(Join(prop, "; ")).Text(Join(cascade, " -> "));
  }
  ReportTable cascades{"Cascades (origin service first)", "cascades", {"path", "traces", "callers_timed_out", "example"}};
  for (const auto& c : e.cascades) {
    cascades.Row().Text(Join(c.services, " -> ")).Int(c.traces).Int(c.callers_timed_out)
        .Text(TraceIdToHex(c.example));
  }
  ReportTable retries{"Retries after errors", "retries",
                      {"parent", "call", "traces", "retries", "max_attempts", "examples"}};
  retries.note = "no retries after errors";
  for (const auto& r : e.retries) {
    std::string call = r.service + " " + r.operation;
    if (!r.target_service.empty() && r.target_service != r.service) call += " -> " + r.target_service;
    retries.Row().Text(r.parent_service + " " + r.parent_operation).Text(call)
        .Int(r.traces).Int(r.retries).Int(r.max_attempts).Text(Ids(r.examples));
  }
  ReportTable timeouts{"Timeout clusters (failing durations piling up at one value)", "timeouts",
                       {"service", "operation", "value", "count", "failing", "examples"}};
  timeouts.note = "no timeout clusters";
  for (const auto& t : e.timeouts) {
    timeouts.Row().Text(t.service).Text(t.operation).Duration(t.value_ns).Int(t.count).Int(t.errors)
        .Text(Ids(t.examples));
  }
  ReportTable groups{"Error groups (service, type, message template)", "groups",
                     {"service", "type", "template", "errors", "originating", "first_seen", "last_seen", "examples"}};
  for (const ErrorCount& c : e.groups) {
    groups.Row().Text(c.service).Text(c.type).Text(c.template_text).Int(c.errors).Int(c.origins)
        .Text(FormatRfc3339(c.first_ns, 3)).Text(FormatRfc3339(c.last_ns, 3)).Text(Ids(c.examples));
  }
  return {sum, origins, traces, cascades, retries, timeouts, groups,
          CountTable("Errors by 5-minute window", "by_window", "window", e.by_window),
          CountTable("Errors by service", "by_service", "service", e.by_service),
          CountTable("Errors by instance", "by_instance", "instance", e.by_instance)};
}

std::vector<ReportTable> PerfTables(const PerfReport& p) {
  ReportTable rows{"Performance", "rows",
                   {"service", "operation", "instance", "executions", "mean", "p50", "p95", "p99",
                    "error_rate", "throughput_per_s"}};
  for (const PerfRow& r : p.rows) {
    rows.Row().Text(r.service).Text(r.operation).Text(r.instance).Int(r.executions)
        .Duration(static_cast<int64_t>(r.mean_ns)).Duration(r.p50_ns).Duration(r.p95_ns)
        .Duration(r.p99_ns).Percent(r.error_rate()).Num(r.throughput_per_s, 2);
  }
  ReportTable out{"Outliers among instances", "outliers",
                  {"service", "operation", "instance", "metric", "value", "peers", "p_value"}};
  out.note = "no instance stands out from its peers";
  for (const PerfOutlier& o : p.outliers) {
    bool lat = o.metric == "latency";
    out.Row().Text(o.service).Text(o.operation).Text(o.instance).Text(o.metric)
        .Text(lat ? FormatDurationNs(static_cast<int64_t>(o.value), true) : fmt::format("{:.1f}%", o.value * 100))
        .Text(lat ? FormatDurationNs(static_cast<int64_t>(o.peers), true) : fmt::format("{:.1f}%", o.peers * 100))
        .Num(o.p_value, 6);
  }
  ReportTable rec{"Recommendations", "recommendations", {"recommendation"}};
  rec.note = "nothing to recommend";
  for (const std::string& r : p.recommendations) rec.Row().Text(r);
  return {rows, out, rec};
}

std::vector<ReportTable> RegressTables(const RegressReport& r) {
  std::vector<std::string> cols = {"service", "operation", "base_n", "target_n", "base_p50", "target_p50",
                                   "p50_change", "base_p95", "target_p95", "p95_change",
                                   "base_err", "target_err", "err_points", "throughput_change",
                                   "latency_p", "error_p", "findings"};
  auto fill = [&](ReportTable& t, const std::vector<RegressRow>& rows) {
    for (const RegressRow& x : rows) {
      std::vector<std::string> f;
      if (x.latency_regressed) f.push_back("latency");
      if (x.errors_regressed) f.push_back("errors");
      if (x.throughput_regressed) f.push_back("throughput");
      t.Row().Text(x.service).Text(x.operation).Int(x.baseline.count).Int(x.target.count)
          .Duration(x.baseline.p50_ns).Duration(x.target.p50_ns).Percent(x.p50_change)
          .Duration(x.baseline.p95_ns).Duration(x.target.p95_ns).Percent(x.p95_change)
          .Percent(x.baseline.error_rate()).Percent(x.target.error_rate()).Num(x.error_points, 1)
          .Percent(x.throughput_change).Num(x.latency_p, 6).Num(x.error_p, 6).Text(Join(f, ","));
    }
  };
  ReportTable reg{fmt::format("Regressions: {} -> {} ({} operations compared)", r.baseline_label,
                              r.target_label, r.operations_compared),
                  "regressions", cols};
  reg.note = "no significant regression";
  fill(reg, r.regressions);
  return {reg};
}

}  // namespace ddbg
