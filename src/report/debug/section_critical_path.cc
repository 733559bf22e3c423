// Section 4 from timing.h and bottlenecks.h: who owns the critical path across the window's
// traces (an even sample of at most kMaxTimingTraces, loaded once as a SpanTable) — each
// service's and operation's share at p50 and p99 with its self versus waiting time — and
// the top bottlenecks: sequential same-operation calls (N+1), wide fan-outs and gaps; then
// the perf outliers of the same table (section_perf.cc).
#include <fmt/format.h>

#include "ddbg/bottlenecks.h"
#include "ddbg/span_table.h"
#include "ddbg/timing.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kServicesShown = 8;
constexpr size_t kOperationsShown = 5;
constexpr size_t kBottlenecksShown = 5;
// A service owning this much of the slowest traces' critical path is flagged.
constexpr double kOwnerShare = 0.3;

const ServiceBreakdown* BreakdownOf(const CriticalPathSummary& sum, const std::string& service) {
  for (const ServiceBreakdown& b : sum.breakdown) {
    if (b.service == service) return &b;
  }
  return nullptr;
}

std::vector<Metric> ShareMetrics(const CriticalPathShare& c) {
  return {Metric::Ratio("share_p50", c.share_p50), Metric::Ratio("share_p99", c.share_p99),
          Metric::Ratio("share_all", c.share_all), Metric::Duration("critical_ns", c.total_ns),
          Metric::Count("traces", static_cast<int64_t>(c.traces))};
}

void AddOwners(const CriticalPathSummary& sum, Section* s) {
  for (size_t i = 0; i < sum.services.size() && i < kServicesShown; ++i) {
    const CriticalPathShare& c = sum.services[i];
    std::vector<Metric> metrics = ShareMetrics(c);
    std::string self;
    if (const ServiceBreakdown* b = BreakdownOf(sum, c.service)) {
      self = fmt::format("; its spans: {} self, {} waiting on children", FormatDuration(b->self_ns),
                         FormatDuration(b->wait_ns));
      metrics.push_back(Metric::Duration("self_ns", b->self_ns));
      metrics.push_back(Metric::Duration("wait_ns", b->wait_ns));
      metrics.push_back(Metric::Ratio("self_share", b->self_share()));
    }
    s->findings.push_back(MakeFinding(
        fmt::format("critical path: {} owns {:.1f}% at p99 ({:.1f}% at p50){}", c.service,
                    c.share_p99 * 100, c.share_p50 * 100, self),
        c.share_p99 >= kOwnerShare ? Severity::kWarning : Severity::kInfo, std::move(metrics)));
  }
  for (size_t i = 0; i < sum.operations.size() && i < kOperationsShown; ++i) {
    const CriticalPathShare& c = sum.operations[i];
    s->findings.push_back(MakeFinding(
        fmt::format("critical path: operation {} / {} owns {:.1f}% at p99 ({:.1f}% at p50)",
                    c.service, c.operation, c.share_p99 * 100, c.share_p50 * 100),
        Severity::kInfo, ShareMetrics(c)));
  }
}

void AddBottlenecks(const Bottlenecks& b, Section* s) {
  for (size_t i = 0; i < b.n_plus_one.size() && i < kBottlenecksShown; ++i) {
    const NPlusOnePattern& p = b.n_plus_one[i];
    Finding f = MakeFinding(
        fmt::format("bottleneck: {} / {} calls {} / {} sequentially {:.1f} times on average (up to "
                    "{}) in {} traces, {} together",
                    p.parent_service, p.parent_operation, p.service, p.operation, p.mean_count,
                    p.max_count, p.traces, FormatDuration(p.mean_sum_ns)),
        Severity::kNotice,
        {Metric::Count("traces", static_cast<int64_t>(p.traces)),
         Metric::Count("max_count", p.max_count), Metric::Duration("mean_sum_ns", p.mean_sum_ns)});
    for (const SiblingGroup& g : p.examples) f.trace_ids.push_back(TraceIdToHex(g.trace_id));
    s->findings.push_back(std::move(f));
  }
  for (size_t i = 0; i < b.fan_outs.size() && i < kBottlenecksShown; ++i) {
    const FanOutPattern& p = b.fan_outs[i];
    Finding f = MakeFinding(
        fmt::format("bottleneck: {} / {} fans out to {:.1f} concurrent calls on average (up to {}), "
                    "{} times",
                    p.service, p.operation, p.mean_children, p.max_children, p.occurrences),
        Severity::kInfo,
        {Metric::Count("occurrences", static_cast<int64_t>(p.occurrences)),
         Metric::Count("max_children", p.max_children)});
    for (const TraceId& id : p.examples) f.trace_ids.push_back(TraceIdToHex(id));
    s->findings.push_back(std::move(f));
  }
  for (size_t i = 0; i < b.gaps.size() && i < kBottlenecksShown; ++i) {
    const GapPattern& p = b.gaps[i];
    Finding f = MakeFinding(
        fmt::format("bottleneck: gaps no child covers inside {} / {}, {} times, up to {}", p.service,
                    p.operation, p.occurrences, FormatDuration(p.max_ns)),
        Severity::kNotice,
        {Metric::Count("occurrences", static_cast<int64_t>(p.occurrences)),
         Metric::Duration("total_ns", p.total_ns), Metric::Duration("max_ns", p.max_ns)});
    for (const Gap& g : p.examples) f.trace_ids.push_back(TraceIdToHex(g.trace_id));
    s->findings.push_back(std::move(f));
  }
}

}  // namespace

Status BuildCriticalPathOwnership(Store& /*store*/, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kTiming);
  const SharedAnalyses& a = ctx.analyses;
  if (!a.timing_error.empty()) {
    s.unavailable.push_back({"critical-path ownership (timing.h)", a.timing_error});
    return Status::Ok();
  }
  const SpanTable* table = &a.timing_table;  // loaded with the errors' traces (analyses.cc)
  size_t total = a.timing_traces_total;
  if (a.timing_traces_sampled == 0) return Status::Ok();
  CriticalPathSummary sum = AggregateCriticalPaths(*table);
  s.findings.push_back(MakeFinding(
      fmt::format("critical paths of {} traces ({} sampled of {}): trace p50 {}, p99 {}", sum.traces,
                  a.timing_traces_sampled, total, FormatDuration(sum.trace_p50_ns), FormatDuration(sum.trace_p99_ns)),
      Severity::kInfo,
      {Metric::Count("traces", static_cast<int64_t>(sum.traces)),
       Metric::Count("traces_total", static_cast<int64_t>(total)),
       Metric::Duration("p50_ns", sum.trace_p50_ns), Metric::Duration("p99_ns", sum.trace_p99_ns)}));
  AddOwners(sum, &s);
  AddBottlenecks(FindBottlenecks(*table), &s);
  AddPerfOutliers(*table, &s);
  return Status::Ok();
}

}  // namespace ddbg::report
