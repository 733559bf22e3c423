// Section 6 from the event pass: domain events per service and the streams they touched.
#include <fmt/format.h>

#include "report/debug/sections.h"

namespace ddbg::report {

Status BuildEventSummary(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kState);
  const EventDigest& d = ctx.events;
  Finding f = MakeFinding(fmt::format("{} domain events in {} streams from {} services", d.events,
                                      d.streams_touched, d.per_service.size()),
                          Severity::kInfo,
                          {Metric::Count("events", d.events),
                           Metric::Count("streams", d.streams_touched)});
  for (const auto& [service, count] : d.per_service) {
    f.metrics.push_back(Metric::Count("events." + (service.empty() ? "unknown" : service), count));
  }
  s.findings.push_back(std::move(f));
  return Status::Ok();
}

}  // namespace ddbg::report
