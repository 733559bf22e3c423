// Section 2 from topology.h: the circular dependencies among the services of the window
// (strongly connected components of more than one service), each with one concrete loop;
// or a finding saying there are none.
#include <fmt/format.h>

#include "ddbg/topology.h"
#include "report/debug/sections.h"

namespace ddbg::report {
namespace {

std::string Joined(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

}  // namespace

Status BuildDependencyCycles(Store&, const DebugContext& ctx, DebugReport* report) {
  Section& s = report->section(SectionId::kTopology);
  if (!ctx.topology) return Status::Ok();  // no span pass (nothing in the window)
  const std::vector<Topology::Cycle>& cycles = ctx.topology->cycles;
  if (cycles.empty()) {
    s.findings.push_back(MakeFinding(
        fmt::format("no dependency cycles among {} services", ctx.topology->services.size()), Severity::kInfo,
        {Metric::Count("cycles", 0)}));
    return Status::Ok();
  }
  for (const Topology::Cycle& c : cycles) {
    Finding f = MakeFinding(fmt::format("dependency cycle: {}", Joined(c.loop, " → ")), Severity::kNotice,
                            {Metric::Count("services", static_cast<int64_t>(c.services.size()))});
    f.detail = "services in the cycle: " + Joined(c.services, ", ");
    s.findings.push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace ddbg::report
