// Section 4, from the span pass: end-to-end latency of the requests in the window, then the
// services ranked by p99 of the requests they serve, tails flagged (health.h).
#include <algorithm>

#include <fmt/format.h>

#include "report/debug/health.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kServicesShown = 8;

std::vector<Metric> PercentileMetrics(int64_t requests, const Percentiles& p) {
  return {Metric::Count("requests", requests), Metric::Duration("p50_ns", p.p50),
          Metric::Duration("p95_ns", p.p95), Metric::Duration("p99_ns", p.p99)};
}

}  // namespace

Status BuildLatencySummary(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kTiming);
  LatencyHistogram end_to_end;
  for (const TraceFacts& f : ctx.spans.traces.facts()) {
    if (f.in_scope && f.root_duration_ns >= 0) end_to_end.Add(f.root_duration_ns);
  }
  Percentiles e2e = PercentilesOf(end_to_end);
  s.findings.push_back(
      MakeFinding(fmt::format("End-to-end latency of {} requests: p50 {}, p95 {}, p99 {}",
                              end_to_end.total(), FormatDuration(e2e.p50), FormatDuration(e2e.p95),
                              FormatDuration(e2e.p99)),
                  TailLatencyHigh(e2e) ? Severity::kWarning : Severity::kInfo,
                  PercentileMetrics(static_cast<int64_t>(end_to_end.total()), e2e)));
  std::vector<std::pair<Percentiles, const ServiceDigest*>> ranked;
  for (const ServiceDigest& d : ctx.spans.services) {
    if (d.in_scope && d.requests > 0) ranked.emplace_back(PercentilesOf(d.latency), &d);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first.p99 != b.first.p99) return a.first.p99 > b.first.p99;
    return a.second->name < b.second->name;
  });
  if (ranked.size() > kServicesShown) ranked.resize(kServicesShown);
  for (const auto& [p, d] : ranked) {
    bool tail = TailLatencyHigh(p);
    double ratio = p.p50 > 0 ? static_cast<double>(p.p99) / static_cast<double>(p.p50) : 0.0;
    s.findings.push_back(MakeFinding(
        fmt::format("{}: p99 {} (p50 {}, {:.1f}x) over {} requests", d->name,
                    FormatDuration(p.p99), FormatDuration(p.p50), ratio, d->requests),
        tail ? Severity::kWarning : Severity::kInfo, PercentileMetrics(d->requests, p)));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
