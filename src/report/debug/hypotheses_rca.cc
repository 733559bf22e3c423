// Hypotheses from the root-cause ranking (rca.h): suspects grouped by service, each group's
// fault kind read from its evidence and from the error analysis (errors.h) of the window:
// a service.version suspect → bad-deploy; an instance suspect → slow-instance; errors that
// originate in the service → cascade when its callers time out waiting on it and the
// failure climbs across three or more services, retry-storm when its callers repeat failed
// calls to it, else error;
// self time and spectrum evidence → latency.
#include <fmt/format.h>

#include <algorithm>

#include "report/debug/hypotheses.h"

namespace ddbg::report {
namespace {

// A suspect with this share of its group's confidence or more sets the group's kind.
constexpr double kKindShare = 0.5;
// Retries per failing trace from which the callers' retrying is the story (a retry storm).
constexpr double kStormRetriesPerTrace = 1.5;
// Share of a service's failing traces where its callers timed out waiting on it from which
// the failure is a timeout cascade.
constexpr double kCascadeTimedOutShare = 0.5;
// A cascade path is common when it holds at least 1/N of the service's failing traces.
constexpr uint64_t kCommonCascadeShareInverse = 20;

struct SuspectGroup {
  std::string service;
  std::vector<const RcaSuspect*> suspects;  // in rank order
  double confidence = 0;
};

std::vector<SuspectGroup> GroupByService(const RcaReport& rca) {
  std::vector<SuspectGroup> groups;
  for (const RcaSuspect& s : rca.suspects) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const SuspectGroup& g) { return g.service == s.service; });
    if (it == groups.end()) {
      groups.push_back({s.service, {}, 0});
      it = groups.end() - 1;
    }
    it->suspects.push_back(&s);
    it->confidence = std::max(it->confidence, s.confidence);
  }
  return groups;
}

double SignalScore(const SuspectGroup& g, std::string_view signal) {
  double best = 0;
  for (const RcaSuspect* s : g.suspects) {
    for (const RcaEvidence& e : s->evidence) {
      if (e.signal == signal) best = std::max(best, e.score);
    }
  }
  return best;
}

// A suspect of `kind` (and attribute prefix) carrying at least half its group's confidence.
const RcaSuspect* FindSuspect(const SuspectGroup& g, std::string_view kind, std::string_view prefix = "") {
  for (const RcaSuspect* s : g.suspects) {
    if (s->kind != kind || s->confidence < kKindShare * g.confidence) continue;
    if (!prefix.empty() && !s->attribute.starts_with(prefix)) continue;
    return s;
  }
  return nullptr;
}

// The retried calls served by `service` (or made by it when no callee is known), most
// retries first.
const RetryPattern* RetriesInto(const ErrorAnalysis& e, const std::string& service) {
  const RetryPattern* best = nullptr;
  for (const RetryPattern& r : e.retries) {
    const std::string& target = r.target_service.empty() ? r.service : r.target_service;
    if (target == service && (best == nullptr || r.retries > best->retries)) best = &r;
  }
  return best;
}

// The cascades that start in one service, together.
struct CascadesFrom {
  uint64_t traces = 0;
  uint64_t callers_timed_out = 0;
  const CascadePattern* largest = nullptr;  // most traces
  const CascadePattern* widest = nullptr;   // most distinct services, among the common ones
};

size_t DistinctServices(const CascadePattern& c) {
  std::vector<std::string> s = c.services;
  std::sort(s.begin(), s.end());
  return static_cast<size_t>(std::unique(s.begin(), s.end()) - s.begin());
}

CascadesFrom CascadesStartingIn(const ErrorAnalysis& e, const std::string& service) {
  CascadesFrom out;
  for (const CascadePattern& c : e.cascades) {
    if (c.services.empty() || c.services.front() != service) continue;
    out.traces += c.traces;
    out.callers_timed_out += c.callers_timed_out;
    if (out.largest == nullptr || c.traces > out.largest->traces) out.largest = &c;
  }
  for (const CascadePattern& c : e.cascades) {
    bool common = c.traces * kCommonCascadeShareInverse >= out.traces && c.traces >= 2;
    if (c.services.empty() || c.services.front() != service || !common) continue;
    if (out.widest == nullptr || DistinctServices(c) > DistinctServices(*out.widest)) out.widest = &c;
  }
  return out;
}

// Failures originating in `service` whose error group reads as a timeout.
uint64_t TimeoutOrigins(const ErrorAnalysis& e, const std::string& service) {
  uint64_t n = 0;
  for (const ErrorCount& g : e.groups) {
    bool timed_out = g.template_text.find("timed out") != std::string::npos ||
                     g.template_text.find("timeout") != std::string::npos ||
                     g.type.find("Timeout") != std::string::npos;
    if (g.service == service && timed_out) n += g.origins;
  }
  return n;
}

void AddRcaEvidence(const SuspectGroup& g, Hypothesis* h) {
  for (const RcaSuspect* s : g.suspects) {
    std::string who = s->kind == "service" ? s->service
                      : s->kind == "operation" ? s->service + " " + s->operation
                      : s->kind == "instance"  ? s->service + " " + s->instance
                                               : s->service + " " + s->attribute;
    for (const RcaEvidence& e : s->evidence) {
      h->evidence.push_back(fmt::format("rca {} ({}, confidence {:.2f}): {}", e.signal, who,
                                        s->confidence, e.summary));
    }
    if (h->evidence.size() >= 6) break;
  }
}

// Reads the error-family kind of a group whose errors originate in its service, with the
// figures behind the choice: cascade when its callers time out waiting on it in most of the
// traces it fails and the failure climbs across three or more services; retry-storm when
// its callers repeat failed calls to it many times per trace; else error.
std::string ErrorKind(const SuspectGroup& g, const ErrorAnalysis& e, Hypothesis* h) {
  CascadesFrom c = CascadesStartingIn(e, g.service);
  if (c.widest != nullptr) {
    h->evidence.push_back(fmt::format("errors climb {} in {} traces ({} failing traces start in {})",
                                      fmt::join(c.widest->services, " → "), c.widest->traces, c.traces,
                                      g.service));
  }
  double timed_out = c.traces ? static_cast<double>(c.callers_timed_out) / c.traces : 0;
  if (c.callers_timed_out > 0) {
    h->evidence.push_back(fmt::format("callers gave up waiting on {} (timed out) in {} of those {} traces ({:.0f}%)",
                                      g.service, c.callers_timed_out, c.traces, 100 * timed_out));
  }
  if (uint64_t timeouts = TimeoutOrigins(e, g.service)) {
    h->evidence.push_back(fmt::format("{} failures originating in {} are timeouts", timeouts, g.service));
  }
  if (timed_out >= kCascadeTimedOutShare && c.widest != nullptr && DistinctServices(*c.widest) >= 3) {
    return "cascade";
  }
  if (const RetryPattern* r = RetriesInto(e, g.service)) {
    double per_trace = r->traces ? static_cast<double>(r->retries) / r->traces : 0;
    h->evidence.push_back(fmt::format(
        "{} {} retried {} {} (served by {}): {} retries in {} failing traces ({:.1f} per trace), up to {} "
        "attempts", r->parent_service, r->parent_operation, r->service, r->operation, g.service,
        r->retries, r->traces, per_trace, r->max_attempts));
    if (per_trace >= kStormRetriesPerTrace) return "retry-storm";
  }
  return "error";
}

Hypothesis FromGroup(const SuspectGroup& g, const ErrorAnalysis& errors) {
  Hypothesis h;
  h.service = g.service;
  h.confidence = g.confidence;
  for (const RcaSuspect* s : g.suspects) {
    if (s->kind == "operation" && h.operation.empty()) h.operation = s->operation;
  }
  if (const RcaSuspect* v = FindSuspect(g, "attribute", "service.version=")) {
    h.kind = "bad-deploy";
    h.evidence.push_back(fmt::format("{} {} is over-represented in the anomalous spans", g.service, v->attribute));
  } else if (const RcaSuspect* i = FindSuspect(g, "instance")) {
    h.kind = "slow-instance";
    h.instance = i->instance;
  } else if (SignalScore(g, "errors") > 0 && SignalScore(g, "errors") >= SignalScore(g, "selftime")) {
    h.kind = ErrorKind(g, errors, &h);
  } else {
    h.kind = "latency";
  }
  AddRcaEvidence(g, &h);
  return h;
}

}  // namespace

void AddRcaHypotheses(const DebugContext& ctx, std::vector<Hypothesis>* out) {
  for (const SuspectGroup& g : GroupByService(ctx.analyses.rca)) {
    out->push_back(FromGroup(g, ctx.analyses.errors));
  }
}

}  // namespace ddbg::report
