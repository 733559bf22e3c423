// Section 2: the service map of the affected area from the span pass — services with their
// RED figures, caller → callee edges annotated with rate, errors and latency, unhealthy ones
// flagged (health.h) and listed as findings, worst first.
#include <algorithm>

#include <fmt/format.h>

#include "report/debug/health.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

ServiceEdge MakeEdge(const DebugContext& ctx, const EdgeDigest& e, double window_s) {
  Percentiles p = PercentilesOf(e.latency);
  ServiceEdge edge{.from = ctx.spans.services[e.from].name,
                   .to = ctx.spans.services[e.to].name,
                   .calls = e.calls,
                   .errors = e.errors,
                   .rate_per_s = window_s > 0 ? static_cast<double>(e.calls) / window_s : 0,
                   .error_rate = Share(e.errors, e.calls),
                   .p50_ns = p.p50,
                   .p95_ns = p.p95,
                   .p99_ns = p.p99};
  edge.unhealthy = ErrorRateHigh(e.errors, e.calls) || TailLatencyHigh(p);
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
  std::vector<bool> shown(ctx.spans.services.size(), false);
  for (const EdgeDigest& e : ctx.spans.edges) {
    if (!ctx.spans.services[e.from].in_scope && !ctx.spans.services[e.to].in_scope) continue;
    shown[e.from] = shown[e.to] = true;
    g.edges.push_back(MakeEdge(ctx, e, window_s));
  }
  for (size_t i = 0; i < ctx.spans.services.size(); ++i) {
    const ServiceDigest& d = ctx.spans.services[i];
    if ((shown[i] || d.in_scope) && d.spans > 0) g.nodes.push_back(MakeNode(d));
  }
  std::sort(g.nodes.begin(), g.nodes.end(),
            [](const ServiceNode& a, const ServiceNode& b) { return a.name < b.name; });
  std::sort(g.edges.begin(), g.edges.end(), [](const ServiceEdge& a, const ServiceEdge& b) {
    return std::tie(a.from, a.to) < std::tie(b.from, b.to);
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
