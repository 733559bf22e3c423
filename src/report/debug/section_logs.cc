// Section 7 from the log pass: log records per service with their ERROR and WARN counts
// and the first error records of each service.
#include <algorithm>

#include <fmt/format.h>

#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

constexpr size_t kServicesShown = 8;

}  // namespace

Status BuildLogSummary(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kLogs);
  const LogDigest& d = ctx.logs;
  s.findings.push_back(
      MakeFinding(fmt::format("{} log records, {} at ERROR or worse", d.logs, d.error_logs),
                  Severity::kInfo,
                  {Metric::Count("logs", d.logs), Metric::Count("error_logs", d.error_logs)}));
  std::vector<const LogDigestService*> loud;
  for (const LogDigestService& l : d.services) {
    if (l.error_logs > 0) loud.push_back(&l);
  }
  std::sort(loud.begin(), loud.end(), [](const LogDigestService* a, const LogDigestService* b) {
    if (a->error_logs != b->error_logs) return a->error_logs > b->error_logs;
    return a->name < b->name;
  });
  if (loud.size() > kServicesShown) loud.resize(kServicesShown);
  for (const LogDigestService* l : loud) {
    Finding f = MakeFinding(fmt::format("{}: {} ERROR and {} WARN of {} log records", l->name,
                                        l->error_logs, l->warn_logs, l->logs),
                            Severity::kNotice,
                            {Metric::Count("error_logs", l->error_logs),
                             Metric::Count("warn_logs", l->warn_logs), Metric::Count("logs", l->logs)});
    f.logs = l->error_examples;
    s.findings.push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
