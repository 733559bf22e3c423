// Hypotheses from the event analyses: streams with version gaps name the service that
// opened them (version-gap); entities whose services disagree name the service holding
// the minority value in most disagreements (inconsistent-state), each entity's blame split
// among the services holding minority values. Confidence grows with the number of streams
// or entities affected; a store without such issues adds nothing.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/debug/hypotheses.h"

namespace ddbg::report {
namespace {

// Confidence of a structural event finding: certain that something is wrong, less certain
// which service is to blame, so it starts at 0.6 and grows with each affected item.
double ItemConfidence(size_t items) { return std::min(0.95, 0.6 + 0.07 * static_cast<double>(items)); }

std::string StreamService(const SharedAnalyses& a, const std::string& stream) {
  for (const auto& [s, service] : a.stream_services) {
    if (s == stream) return service;
  }
  return "";
}

void AddVersionGaps(const SharedAnalyses& a, std::vector<Hypothesis>* out) {
  std::map<std::string, std::vector<const IntegrityIssue*>> by_service;
  for (const IntegrityIssue& i : a.integrity.examples) {
    if (i.kind != IntegrityIssueKind::kVersionGap) continue;
    by_service[StreamService(a, i.stream)].push_back(&i);
  }
  for (const auto& [service, issues] : by_service) {
    Hypothesis h;
    h.kind = "version-gap";
    h.service = service;
    h.confidence = ItemConfidence(issues.size());
    h.evidence.push_back(fmt::format("{} of {} streams have version gaps ({} gaps in all)",
                                     issues.size(), a.integrity.streams,
                                     a.integrity.count(IntegrityIssueKind::kVersionGap)));
    for (const IntegrityIssue* i : issues) {
      if (h.evidence.size() >= 6) break;
      h.evidence.push_back(fmt::format("stream {} at v{}: {}", i->stream, i->version, i->detail));
    }
    out->push_back(std::move(h));
  }
}

// Services holding a value fewer services hold; on a tie every holder.
std::vector<std::string> MinorityHolders(const Disagreement& d) {
  std::map<std::string, std::vector<std::string>> holders;
  for (const auto& [service, value] : d.values) holders[value].push_back(service);
  size_t fewest = SIZE_MAX;
  for (const auto& [value, services] : holders) fewest = std::min(fewest, services.size());
  std::vector<std::string> out;
  for (const auto& [value, services] : holders) {
    if (services.size() == fewest) out.insert(out.end(), services.begin(), services.end());
  }
  return out;
}

// Inconsistent entities whose disagreement began inside the window, and how many the rest of
// the data would predict for a window of that length (some disagreement is the system's
// normal: a declined payment, a late cancellation).
double ExpectedInconsistent(const DebugContext& ctx, size_t* in_window) {
  const SharedAnalyses& a = ctx.analyses;
  size_t outside = 0;
  for (const ConsistencyReport& r : a.inconsistent) {
    ctx.window.Contains(DisagreedSince(r)) ? ++*in_window : ++outside;
  }
  double window = static_cast<double>(ctx.window.max_ns - ctx.window.min_ns);
  double rest = std::max(1.0, static_cast<double>(ctx.data.max_ns - ctx.data.min_ns) - window);
  if (outside == 0) return 0;
  return static_cast<double>(outside) * window / rest;
}

void AddInconsistencies(const DebugContext& ctx, std::vector<Hypothesis>* out) {
  const SharedAnalyses& a = ctx.analyses;
  size_t in_window = 0;
  double expected = ExpectedInconsistent(ctx, &in_window);
  if (static_cast<double>(in_window) < 2 * expected + 1) return;  // no more than usual
  std::map<std::string, std::vector<const ConsistencyReport*>> blamed;
  std::map<std::string, double> blame;  // each entity's one unit split among its suspects
  for (const ConsistencyReport& r : a.inconsistent) {
    if (!ctx.window.Contains(DisagreedSince(r))) continue;
    std::vector<std::string> services;
    for (const Disagreement& d : r.disagreements) {
      for (std::string& s : MinorityHolders(d)) services.push_back(std::move(s));
    }
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    for (const std::string& s : services) {
      blamed[s].push_back(&r);
      blame[s] += 1.0 / static_cast<double>(services.size());
    }
  }
  for (const auto& [service, reports] : blamed) {
    Hypothesis h;
    h.kind = "inconsistent-state";
    h.service = service;
    // Blame shared with the other parties of a disagreement (two services each holding
    // their own value, or three) is split: nothing says which of them is wrong.
    double share = blame[service] / static_cast<double>(std::max<size_t>(1, in_window));
    h.confidence = ItemConfidence(reports.size()) * share;
    h.evidence.push_back(fmt::format("{} holds a minority value in {} of {} inconsistent entities of the "
                                     "window ({:.1f} expected from the rest of the data); its share of the "
                                     "blame {:.0f}%", service, reports.size(), in_window, expected, 100 * share));
    for (const ConsistencyReport* r : reports) {
      if (h.evidence.size() >= 6) break;
      for (const Disagreement& d : r->disagreements) {
        std::string values;
        for (const auto& [s, v] : d.values) values += fmt::format("{}{}={}", values.empty() ? "" : ", ", s, v);
        h.evidence.push_back(fmt::format("{} {}: {}", r->entity, d.field, values));
      }
    }
    out->push_back(std::move(h));
  }
}

}  // namespace

void AddEventHypotheses(const DebugContext& ctx, std::vector<Hypothesis>* out) {
  AddVersionGaps(ctx.analyses, out);
  AddInconsistencies(ctx, out);
}

}  // namespace ddbg::report
