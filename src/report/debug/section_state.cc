// Section 6 from the event pass: domain events per service and the streams they touched.
// Then from the shared event analyses (events.h): stream integrity issues by kind with
// examples and the service that wrote each stream, and the entities whose services disagree
// with the disagreeing field and each service's value.
#include <fmt/format.h>

#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

constexpr size_t kExamplesPerKind = 3;
constexpr size_t kEntitiesShown = 5;

std::string StreamWriter(const SharedAnalyses& a, const std::string& stream) {
  for (const auto& [s, service] : a.stream_services) {
    if (s == stream) return service;
  }
  return "";
}

void AddIntegrity(const SharedAnalyses& a, Section* s) {
  if (!a.integrity_error.empty()) {
    s->unavailable.push_back({"stream integrity (events.h)", a.integrity_error});
    return;
  }
  const IntegrityReport& r = a.integrity;
  if (r.total() == 0) {
    s->findings.push_back(MakeFinding(
        fmt::format("no integrity issues in {} events of {} streams", r.events, r.streams)));
    return;
  }
  for (int k = 0; k < static_cast<int>(std::size(r.counts)); ++k) {
    if (r.counts[k] == 0) continue;
    auto kind = static_cast<IntegrityIssueKind>(k);
    Finding f = MakeFinding(fmt::format("{} integrity issues of kind {} in {} streams", r.counts[k],
                                        IntegrityIssueKindName(kind), r.streams),
                            Severity::kWarning,
                            {Metric::Count(IntegrityIssueKindName(kind), static_cast<int64_t>(r.counts[k]))});
    for (const IntegrityIssue& i : r.examples) {
      if (i.kind != kind || f.events.size() >= kExamplesPerKind) continue;
      EventRef ref;
      ref.stream = i.stream;
      ref.version = i.version;
      ref.service = StreamWriter(a, i.stream);
      f.events.push_back(std::move(ref));
      f.detail += fmt::format("{}{} v{}: {}", f.detail.empty() ? "" : "; ", i.stream, i.version, i.detail);
    }
    s->findings.push_back(std::move(f));
  }
}

std::string ServiceValues(const Disagreement& d) {
  std::string out;
  for (const auto& [service, value] : d.values) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", service, value);
  return out;
}

void AddInconsistent(const DebugContext& ctx, Section* s) {
  const SharedAnalyses& a = ctx.analyses;
  if (!a.consistency_error.empty()) {
    s->unavailable.push_back({"cross-service state consistency (events.h)", a.consistency_error});
    return;
  }
  size_t in_window = 0;
  for (const ConsistencyReport& r : a.inconsistent) in_window += ctx.window.Contains(DisagreedSince(r));
  const ConsistencySample& sample = a.consistency_sample;
  bool sampled = sample.checked < sample.entities;
  std::string of_sample =
      sampled ? fmt::format("; {} of {} entities seen by two or more services checked, sampled by entity hash",
                            sample.checked, sample.entities)
              : "";
  Finding f = MakeFinding(
      fmt::format("{} entities whose services disagree ({} began disagreeing in the window{})", a.inconsistent.size(),
                  in_window, of_sample),
      a.inconsistent.empty() ? Severity::kInfo : Severity::kNotice,
      {Metric::Count("inconsistent_entities", static_cast<int64_t>(a.inconsistent.size())),
       Metric::Count("in_window", static_cast<int64_t>(in_window))});
  if (sampled) {
    f.metrics.push_back(Metric::Count("entities_checked", static_cast<int64_t>(sample.checked)));
    f.metrics.push_back(Metric::Count("entities_shared", static_cast<int64_t>(sample.entities)));
  }
  s->findings.push_back(std::move(f));
  size_t shown = 0;
  for (const ConsistencyReport& r : a.inconsistent) {
    if (shown >= kEntitiesShown) break;
    if (!ctx.window.Contains(DisagreedSince(r)) || r.disagreements.empty()) continue;
    ++shown;
    const Disagreement& d = r.disagreements.front();
    Finding f = MakeFinding(fmt::format("{}: services disagree on {}: {}", r.entity, d.field, ServiceValues(d)),
                            Severity::kWarning,
                            {Metric::Time("at", r.at_ns), Metric::Time("since", d.since_ns),
                             Metric::Count("fields", static_cast<int64_t>(r.disagreements.size()))});
    for (size_t i = 1; i < r.disagreements.size(); ++i) {
      f.detail += fmt::format("{}{}: {}", f.detail.empty() ? "" : "; ", r.disagreements[i].field,
                              ServiceValues(r.disagreements[i]));
    }
    s->findings.push_back(std::move(f));
  }
}

}  // namespace

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
  AddIntegrity(ctx.analyses, &s);
  AddInconsistent(ctx, &s);
  return Status::Ok();
}

}  // namespace ddbg::report
