// Section 2: the service map of the affected area from the span pass — services with their
// RED figures, caller → callee edges (the pass's topology.h edges: parents found across
// batches, messaging edges apart) annotated with rate, errors and latency, unhealthy ones
// flagged (health.h) and listed as findings, worst first.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "ddbg/topology.h"
#include "report/debug/health.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

ServiceEdge MakeEdge(const TopologyEdge& e, double window_s) {
  Percentiles p{e.p50_ns, e.p95_ns, e.p99_ns};
  auto calls = static_cast<int64_t>(e.calls), errors = static_cast<int64_t>(e.errors);
  ServiceEdge edge{.from = e.parent,
                   .to = e.child,
                   .calls = calls,
                   .errors = errors,
                   .rate_per_s = window_s > 0 ? static_cast<double>(calls) / window_s : 0,
                   .error_rate = Share(errors, calls),
                   .p50_ns = p.p50,
                   .p95_ns = p.p95,
                   .p99_ns = p.p99,
                   .messaging = e.messaging};
  edge.unhealthy = ErrorRateHigh(errors, calls) || TailLatencyHigh(p);
  return edge;
}

ServiceNode MakeNode(const ServiceDigest& s) {
  Percentiles p = PercentilesOf(s.latency);
  return {.name = s.name,
          .requests = s.requests,
          .errors = s.errors,
          .p50_ns = p.p50,
          .p95_ns = p.p95,
          .p99_ns = p.p99,
          .unhealthy = ErrorRateHigh(s.errors, s.requests) || TailLatencyHigh(p)};
}

Finding EdgeFinding(const ServiceEdge& e) {
  Finding f;
  f.title = fmt::format("{} → {}: {} calls, {:.1f}% errors, p50 {} p99 {}", e.from, e.to, e.calls,
                        e.error_rate * 100, FormatDuration(e.p50_ns), FormatDuration(e.p99_ns));
  f.severity = e.error_rate >= 0.05 ? Severity::kCritical : Severity::kWarning;
  f.metrics = {Metric::Count("calls", e.calls),        Metric::Count("errors", e.errors),
               Metric::Ratio("error_rate", e.error_rate), Metric::Rate("rate_per_s", e.rate_per_s),
               Metric::Duration("p50_ns", e.p50_ns),   Metric::Duration("p95_ns", e.p95_ns),
               Metric::Duration("p99_ns", e.p99_ns)};
  return f;
}

}  // namespace

Status BuildServiceMap(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kTopology);
  ServiceGraph& g = s.graph;
  double window_s = static_cast<double>(ctx.window.max_ns - ctx.window.min_ns) / 1e9;
  std::set<std::string_view> shown;
  if (ctx.topology) {
    for (const TopologyEdge& e : ctx.topology->edges) {
      if (!ctx.InScope(e.parent) && !ctx.InScope(e.child)) continue;
      shown.insert(e.parent);
      shown.insert(e.child);
      g.edges.push_back(MakeEdge(e, window_s));
    }
  }
  for (const ServiceDigest& d : ctx.spans.services) {
    if ((shown.count(d.name) || d.in_scope) && d.spans > 0) g.nodes.push_back(MakeNode(d));
  }
  std::sort(g.nodes.begin(), g.nodes.end(),
            [](const ServiceNode& a, const ServiceNode& b) { return a.name < b.name; });
  std::sort(g.edges.begin(), g.edges.end(), [](const ServiceEdge& a, const ServiceEdge& b) {
    return std::tie(a.from, a.to, a.messaging) < std::tie(b.from, b.to, b.messaging);
  });
  s.findings.push_back(
      MakeFinding(fmt::format("{} services and {} caller → callee edges in the window",
                              g.nodes.size(), g.edges.size()),
                  Severity::kInfo,
                  {Metric::Count("services", static_cast<int64_t>(g.nodes.size())),
                   Metric::Count("edges", static_cast<int64_t>(g.edges.size()))}));
  std::vector<const ServiceEdge*> unhealthy;
  for (const ServiceEdge& e : g.edges) {
    if (e.unhealthy) unhealthy.push_back(&e);
  }
  std::sort(unhealthy.begin(), unhealthy.end(), [](const ServiceEdge* a, const ServiceEdge* b) {
    if (a->error_rate != b->error_rate) return a->error_rate > b->error_rate;
    return a->p99_ns > b->p99_ns;
  });
  for (const ServiceEdge* e : unhealthy) s.findings.push_back(EdgeFinding(*e));
  return Status::Ok();
}

}  // namespace ddbg::report
