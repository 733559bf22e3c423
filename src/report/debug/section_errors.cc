// Section 5, from the span pass: services ranked by failed requests with the first error
// message and a trace of each, and the errors per service over the window as a timeline.
// Then from the shared error analysis (errors.h): originating errors by service/operation,
// how many errors only propagated, one cascade as a timeline, retry storms, timeout
// clusters and the top error groups.
#include <algorithm>

#include <fmt/format.h>

#include "report/debug/health.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kServicesShown = 8;
constexpr size_t kOriginsShown = 5;
constexpr size_t kGroupsShown = 5;
constexpr size_t kPatternsShown = 5;

void AddExamples(const std::vector<TraceId>& ids, Finding* f) {
  for (const TraceId& id : ids) f->trace_ids.push_back(TraceIdToHex(id));
}

void AddOrigins(const SharedAnalyses& a, Section* s) {
  const ErrorAnalysis& e = a.errors;
  uint64_t propagated = e.error_spans > e.traces_with_errors ? e.error_spans - e.traces_with_errors : 0;
  s->findings.push_back(MakeFinding(
      fmt::format("{} error spans in {} failing traces ({} analyzed of {}): {} originating, {} "
                  "propagated or secondary",
                  e.error_spans, e.traces_with_errors, a.error_traces_analyzed,
                  a.error_traces_total, e.traces_with_errors, propagated),
      Severity::kInfo,
      {Metric::Count("error_spans", static_cast<int64_t>(e.error_spans)),
       Metric::Count("originating", static_cast<int64_t>(e.traces_with_errors)),
       Metric::Count("propagated", static_cast<int64_t>(propagated)),
       Metric::Count("traces_analyzed", static_cast<int64_t>(a.error_traces_analyzed))}));
  for (size_t i = 0; i < e.origins.size() && i < kOriginsShown; ++i) {
    const ErrorCount& o = e.origins[i];
    Finding f = MakeFinding(
        fmt::format("errors originate in {}: {} of {} analyzed traces", o.key, o.origins,
                    e.traces_with_errors),
        i == 0 ? Severity::kWarning : Severity::kNotice,
        {Metric::Count("origins", static_cast<int64_t>(o.origins)), Metric::Time("first", o.first_ns),
         Metric::Time("last", o.last_ns)});
    AddExamples(o.examples, &f);
    s->findings.push_back(std::move(f));
  }
}

// Of the analyzed traces whose error starts at the most common origin, the first whose error
// propagated furthest, as a timeline of its failures.
void AddCascadeTimeline(const ErrorAnalysis& e, Section* s) {
  const TraceErrors* best = nullptr;
  for (const TraceErrors& te : e.per_trace) {
    if (!e.origins.empty() && e.origins.front().key != te.origin.service + " / " + te.origin.operation) continue;
    if (best == nullptr || te.propagated.size() > best->propagated.size()) best = &te;
  }
  if (best == nullptr) return;
  Timeline t;
  t.title = fmt::format("error cascade of trace {}", TraceIdToHex(best->trace_id));
  std::vector<ErrorSpan> cascade = best->Cascade();
  for (const ErrorSpan& sp : cascade) {
    bool origin = sp.span_id == best->origin.span_id;
    t.entries.push_back({.time_ns = sp.end_ns,
                         .end_ns = sp.end_ns,
                         .lane = sp.service,
                         .label = fmt::format("{}{}: {}", origin ? "origin " : "", sp.operation,
                                              sp.message.empty() ? sp.type : sp.message),
                         .kind = "span",
                         .severity = origin ? Severity::kCritical : Severity::kWarning});
  }
  t.start_ns = cascade.front().start_ns;
  t.end_ns = cascade.back().end_ns;
  s->timelines.push_back(std::move(t));
}

std::string Joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

void AddCascadePatterns(const ErrorAnalysis& e, Section* s) {
  for (size_t i = 0; i < e.cascades.size() && i < kPatternsShown; ++i) {
    const CascadePattern& c = e.cascades[i];
    if (c.services.size() < 2) continue;
    Finding f = MakeFinding(fmt::format("cascade {} in {} traces", Joined(c.services, " → "), c.traces),
                            Severity::kNotice, {Metric::Count("traces", static_cast<int64_t>(c.traces))});
    f.trace_ids.push_back(TraceIdToHex(c.example));
    s->findings.push_back(std::move(f));
  }
}

void AddRetriesAndTimeouts(const ErrorAnalysis& e, Section* s) {
  for (size_t i = 0; i < e.retries.size() && i < kPatternsShown; ++i) {
    const RetryPattern& r = e.retries[i];
    std::string served_by =
        r.target_service.empty() || r.target_service == r.service ? "" : " (served by " + r.target_service + ")";
    Finding f = MakeFinding(
        fmt::format("retry storm: {} / {} retried {} / {}{} {} times in {} traces (up to {} attempts)",
                    r.parent_service, r.parent_operation, r.service, r.operation, served_by, r.retries,
                    r.traces, r.max_attempts),
        Severity::kWarning,
        {Metric::Count("retries", static_cast<int64_t>(r.retries)),
         Metric::Count("traces", static_cast<int64_t>(r.traces)),
         Metric::Count("max_attempts", r.max_attempts)});
    AddExamples(r.examples, &f);
    s->findings.push_back(std::move(f));
  }
  for (size_t i = 0; i < e.timeouts.size() && i < kPatternsShown; ++i) {
    const TimeoutCluster& c = e.timeouts[i];
    Finding f = MakeFinding(
        fmt::format("timeout cluster: {} / {} fails at {} in {} of {} failures", c.service, c.operation,
                    FormatDuration(c.value_ns), c.count, c.errors),
        Severity::kWarning,
        {Metric::Duration("value_ns", c.value_ns), Metric::Count("count", static_cast<int64_t>(c.count)),
         Metric::Count("errors", static_cast<int64_t>(c.errors))});
    AddExamples(c.examples, &f);
    s->findings.push_back(std::move(f));
  }
}

void AddErrorGroups(const ErrorAnalysis& e, Section* s) {
  for (size_t i = 0; i < e.groups.size() && i < kGroupsShown; ++i) {
    const ErrorCount& g = e.groups[i];
    Finding f = MakeFinding(
        fmt::format("error group {} {}: \"{}\" {} times ({} originating)", g.service,
                    g.type.empty() ? "(no type)" : g.type, g.template_text, g.errors, g.origins),
        Severity::kNotice,
        {Metric::Count("errors", static_cast<int64_t>(g.errors)),
         Metric::Count("origins", static_cast<int64_t>(g.origins)), Metric::Time("first", g.first_ns),
         Metric::Time("last", g.last_ns)});
    AddExamples(g.examples, &f);
    s->findings.push_back(std::move(f));
  }
}

void AddErrorAnalysis(const SharedAnalyses& a, Section* s) {
  if (a.errors.traces_with_errors == 0) return;
  AddOrigins(a, s);
  AddCascadeTimeline(a.errors, s);
  AddCascadePatterns(a.errors, s);
  AddRetriesAndTimeouts(a.errors, s);
  AddErrorGroups(a.errors, s);
}

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
  AddErrorAnalysis(ctx.analyses, &s);
  return Status::Ok();
}

}  // namespace ddbg::report
