// Hypotheses from the event analyses: streams with version gaps name the service that
// opened them (version-gap); entities whose services disagree name the service holding
// the minority value in most disagreements (inconsistent-state; for the status field the
// minority outcome, completed or aborted), each entity's blame split among the services
// holding minority values, and none to entities written by failing requests (those are
// the failures' consequences). Confidence grows with the number of streams
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

// What a value means for the comparison: for the status field its outcome ("completed",
// "aborted") — "captured" and "shipped" agree — and nothing for an in-progress value, which
// takes no side; any other field's value as it is.
std::string Side(const ConsistencyRules& rules, const Disagreement& d, const std::string& value) {
  if (d.field != rules.status_field) return value;
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (in(rules.completed)) return "completed";
  if (in(rules.aborted)) return "aborted";
  return "";
}

// Services on a side fewer services take; on a tie every one of them.
std::vector<std::string> MinorityHolders(const ConsistencyRules& rules, const Disagreement& d) {
  std::map<std::string, std::vector<std::string>> holders;
  for (const auto& [service, value] : d.values) {
    std::string side = Side(rules, d, value);
    if (!side.empty()) holders[side].push_back(service);
  }
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

// Whether a request that wrote the entity's events failed (a trace of the window with an
// error span).
bool WrittenByFailingRequest(const DebugContext& ctx, const ConsistencyReport& r) {
  for (TraceId t : r.trace_ids) {
    const TraceFacts* f = ctx.spans.traces.Find(t);
    if (f != nullptr && f->error_spans > 0) return true;
  }
  return false;
}

void AddInconsistencies(const DebugContext& ctx, std::vector<Hypothesis>* out) {
  const SharedAnalyses& a = ctx.analyses;
  size_t in_window = 0;
  double expected = ExpectedInconsistent(ctx, &in_window);
  if (static_cast<double>(in_window) < 2 * expected + 1) return;  // no more than usual
  std::map<std::string, std::vector<const ConsistencyReport*>> blamed;
  // Each entity's one unit of blame split among its suspects; none for an entity written by
  // a failing request (a saga a failure left half done is that failure's consequence).
  std::map<std::string, double> blame;
  size_t after_failures = 0;
  for (const ConsistencyReport& r : a.inconsistent) {
    if (!ctx.window.Contains(DisagreedSince(r))) continue;
    bool failed = WrittenByFailingRequest(ctx, r);
    after_failures += failed;
    std::vector<std::string> services;
    for (const Disagreement& d : r.disagreements) {
      for (std::string& s : MinorityHolders(a.consistency_rules, d)) services.push_back(std::move(s));
    }
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    for (const std::string& s : services) {
      blamed[s].push_back(&r);
      blame[s] += failed ? 0.0 : 1.0 / static_cast<double>(services.size());
    }
  }
  for (const auto& [service, reports] : blamed) {
    if (blame[service] <= 0) continue;
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
    if (after_failures > 0) {
      h.evidence.push_back(fmt::format("{} of the {} entities were written by failing requests (not blamed: "
                                       "consequences of those failures)", after_failures, in_window));
    }
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
