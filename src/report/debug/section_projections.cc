// Section 6 from events.h: the lag of each projection whose checkpoint the request carries
// (`--checkpoints FILE`) behind the newest event in the store — time and events behind, and
// its health (warning past 5 minutes, critical past 30, or never processed). Without
// checkpoints the section says that none are configured rather than guessing.
#include <fmt/format.h>

#include <climits>

#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

Severity HealthSeverity(ProjectionHealth h) {
  switch (h) {
    case ProjectionHealth::kHealthy:
      return Severity::kInfo;
    case ProjectionHealth::kWarning:
      return Severity::kWarning;
    case ProjectionHealth::kCritical:
      return Severity::kCritical;
  }
  return Severity::kInfo;
}

Finding LagFinding(const ProjectionLag& p) {
  bool never = p.lag_ns == INT64_MAX;
  std::string lag = never ? "never processed" : fmt::format("{} behind", FormatDuration(p.lag_ns));
  Finding f = MakeFinding(fmt::format("projection {}: {}, {}, {} events behind", p.checkpoint.projection,
                                      ProjectionHealthName(p.health), lag, p.events_behind),
                          HealthSeverity(p.health),
                          {Metric::Count("events_behind", static_cast<int64_t>(p.events_behind)),
                           Metric::Count("position", static_cast<int64_t>(p.checkpoint.position))});
  if (!never) {
    f.metrics.push_back(Metric::Duration("lag_ns", p.lag_ns));
    f.metrics.push_back(Metric::Time("last_processed", p.checkpoint.last_processed_ns));
  }
  if (!p.checkpoint.last_event_id.empty()) f.detail = "last event id " + p.checkpoint.last_event_id;
  return f;
}

}  // namespace

Status BuildProjectionLag(Store& store, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kState);
  if (!ctx.request.has_checkpoints) {
    s.findings.push_back(MakeFinding(
        "projection lag: no checkpoints configured (give --checkpoints FILE with each projection's "
        "last processed time to see how far each lags behind the events)"));
    return Status::Ok();
  }
  Result<ProjectionLagReport> r = ComputeProjectionLag(store, ctx.request.checkpoints);
  if (!r.ok()) {
    s.unavailable.push_back({"projection lag (events.h)", r.status().ToString()});
    return Status::Ok();
  }
  size_t unhealthy = 0;
  for (const ProjectionLag& p : r->projections) unhealthy += p.health != ProjectionHealth::kHealthy;
  s.findings.push_back(MakeFinding(
      fmt::format("projection lag: {} of {} projections behind the newest event ({}, {} events in the store)",
                  unhealthy, r->projections.size(), FormatRfc3339(r->head_ns), r->head_events),
      unhealthy ? Severity::kWarning : Severity::kInfo,
      {Metric::Count("projections", static_cast<int64_t>(r->projections.size())),
       Metric::Count("unhealthy", static_cast<int64_t>(unhealthy)), Metric::Time("head", r->head_ns)}));
  for (const ProjectionLag& p : r->projections) s.findings.push_back(LagFinding(p));
  return Status::Ok();
}

}  // namespace ddbg::report
