// Section 5, from the span pass: services ranked by failed requests with the first error
// message and a trace of each, and the errors per service over the window as a timeline.
#include <algorithm>

#include <fmt/format.h>

#include "report/debug/health.h"
#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

constexpr size_t kServicesShown = 8;

Timeline ErrorTimeline(const DebugContext& ctx) {
  Timeline t;
  t.title = "failed requests per service over the window";
  t.start_ns = ctx.window.min_ns;
  t.end_ns = ctx.window.max_ns;
  for (const ServiceDigest& d : ctx.spans.services) {
    if (!d.in_scope || d.errors == 0) continue;
    for (int b = 0; b < kTimeBuckets; ++b) {
      if (d.bucket_errors[b] == 0) continue;
      t.entries.push_back({.time_ns = ctx.BucketStart(b),
                           .end_ns = ctx.BucketStart(b + 1),
                           .lane = d.name,
                           .label = fmt::format("{} of {} failed", d.bucket_errors[b],
                                                d.bucket_requests[b]),
                           .kind = "bucket",
                           .severity = ErrorRateHigh(d.bucket_errors[b], d.bucket_requests[b])
                                           ? Severity::kWarning
                                           : Severity::kNotice,
                           .count = d.bucket_errors[b]});
    }
  }
  std::stable_sort(t.entries.begin(), t.entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.time_ns < b.time_ns; });
  return t;
}

}  // namespace

Status BuildErrorSummary(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kErrors);
  std::vector<const ServiceDigest*> failing;
  for (const ServiceDigest& d : ctx.spans.services) {
    if (d.in_scope && d.errors > 0) failing.push_back(&d);
  }
  std::sort(failing.begin(), failing.end(), [](const ServiceDigest* a, const ServiceDigest* b) {
    if (a->errors != b->errors) return a->errors > b->errors;
    return a->name < b->name;
  });
  if (failing.empty()) s.findings.push_back(MakeFinding("no failed requests in the window"));
  if (failing.size() > kServicesShown) failing.resize(kServicesShown);
  for (const ServiceDigest* d : failing) {
    double rate = Share(d->errors, d->requests);
    Finding f = MakeFinding(
        fmt::format("{}: {} of {} requests failed ({:.1f}%), first: {}", d->name, d->errors,
                    d->requests, rate * 100, d->first_error_message),
        ErrorRateHigh(d->errors, d->requests) ? Severity::kCritical : Severity::kNotice,
        {Metric::Count("errors", d->errors), Metric::Count("requests", d->requests),
         Metric::Ratio("error_rate", rate), Metric::Count("error_spans", d->error_spans)});
    f.trace_ids.push_back(d->first_error_trace);
    s.findings.push_back(std::move(f));
  }
  Timeline t = ErrorTimeline(ctx);
  if (!t.entries.empty()) s.timelines.push_back(std::move(t));
  return Status::Ok();
}

}  // namespace ddbg::report
