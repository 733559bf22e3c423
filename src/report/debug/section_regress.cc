// Section 4 from regress.h: each operation of the window against a baseline of the same
// length just before it (clipped to the start of the data) — latency p50/p95, error rate and
// throughput, flagged only past regress.h's thresholds and significance tests. A window that
// starts with the data has no baseline, and the section says so.
#include <fmt/format.h>

#include "ddbg/regress.h"
#include "ddbg/span_table.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kRegressionsShown = 8;
// A baseline shorter than this share of the window is too little to compare against.
constexpr double kMinBaselineShare = 0.25;

std::string Change(double relative) { return fmt::format("{:+.0f}%", relative * 100); }

std::string RowTitle(const RegressRow& r) {
  std::vector<std::string> parts;
  if (r.latency_regressed) {
    parts.push_back(fmt::format("p95 {} → {} ({}), p50 {} → {}", FormatDuration(r.baseline.p95_ns),
                                FormatDuration(r.target.p95_ns), Change(r.p95_change),
                                FormatDuration(r.baseline.p50_ns), FormatDuration(r.target.p50_ns)));
  }
  if (r.errors_regressed) {
    parts.push_back(fmt::format("error rate {:.1f}% → {:.1f}% ({:+.1f} points)", r.baseline.error_rate() * 100,
                                r.target.error_rate() * 100, r.error_points));
  }
  if (r.throughput_regressed) {
    parts.push_back(fmt::format("throughput {:.2f}/s → {:.2f}/s ({})", r.baseline.throughput_per_s,
                                r.target.throughput_per_s, Change(r.throughput_change)));
  }
  return fmt::format("regression: {} / {}: {}", r.service, r.operation, fmt::join(parts, "; "));
}

Finding RowFinding(const RegressRow& r) {
  Finding f = MakeFinding(
      RowTitle(r), Severity::kWarning,
      {Metric::Count("baseline_count", static_cast<int64_t>(r.baseline.count)),
       Metric::Count("count", static_cast<int64_t>(r.target.count)),
       Metric::Duration("baseline_p50_ns", r.baseline.p50_ns), Metric::Duration("p50_ns", r.target.p50_ns),
       Metric::Duration("baseline_p95_ns", r.baseline.p95_ns), Metric::Duration("p95_ns", r.target.p95_ns),
       Metric::Number("p95_change", r.p95_change),
       Metric::Ratio("baseline_error_rate", r.baseline.error_rate()),
       Metric::Ratio("error_rate", r.target.error_rate()),
       Metric::Rate("baseline_throughput", r.baseline.throughput_per_s),
       Metric::Rate("throughput", r.target.throughput_per_s),
       Metric::Number("latency_p", r.latency_p), Metric::Number("error_p", r.error_p),
       Metric::Number("throughput_p", r.throughput_p), Metric::Number("severity", r.severity)});
  std::vector<std::string> flags;
  if (r.latency_regressed) flags.push_back("latency");
  if (r.errors_regressed) flags.push_back("errors");
  if (r.throughput_regressed) flags.push_back("throughput");
  f.detail = fmt::format("regressed on {} (Mann-Whitney p={:.2g}, errors p={:.2g}, throughput p={:.2g})",
                         fmt::join(flags, ", "), r.latency_p, r.error_p, r.throughput_p);
  return f;
}

}  // namespace

Status BuildRegressions(Store& store, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kTiming);
  int64_t length = ctx.window.max_ns - ctx.window.min_ns;
  RegressSide target;
  target.window = ctx.window;
  target.label = "the window";
  RegressSide baseline;
  baseline.window = TimeRange{std::max(ctx.data.min_ns, ctx.window.min_ns - length), ctx.window.min_ns - 1};
  int64_t baseline_length = baseline.window.max_ns - baseline.window.min_ns;
  if (length <= 0 || baseline_length < kMinBaselineShare * static_cast<double>(length)) {
    s.findings.push_back(MakeFinding(
        "regressions: no baseline — the window starts at (or too near) the start of the data; "
        "give --since/--time-window to compare with the time before"));
    return Status::Ok();
  }
  baseline.label = fmt::format("{}..{}", FormatRfc3339(baseline.window.min_ns, 0),
                               FormatRfc3339(baseline.window.max_ns, 0));
  AnalysisScope scope;
  scope.time = TimeRange{baseline.window.min_ns, ctx.window.max_ns};
  scope.services = ctx.request.services;
  SpanTableOptions options;
  options.error_details = false;
  Result<SpanTable> table = LoadSpanTable(store, scope, options);
  if (!table.ok()) {
    s.unavailable.push_back({"per-operation regressions (regress.h)", table.status().ToString()});
    return Status::Ok();
  }
  RegressReport r = CompareSides(*table, baseline, target);
  s.findings.push_back(MakeFinding(
      fmt::format("regressions: {} of {} operations regressed in the window against the {} before it ({})",
                  r.regressions.size(), r.operations_compared, FormatDuration(baseline_length + 1), baseline.label),
      r.regressions.empty() ? Severity::kInfo : Severity::kWarning,
      {Metric::Count("regressed", static_cast<int64_t>(r.regressions.size())),
       Metric::Count("operations", static_cast<int64_t>(r.operations_compared)),
       Metric::Time("baseline_start", baseline.window.min_ns), Metric::Time("baseline_end", baseline.window.max_ns)}));
  for (size_t i = 0; i < r.regressions.size() && i < kRegressionsShown; ++i) {
    s.findings.push_back(RowFinding(r.regressions[i]));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
