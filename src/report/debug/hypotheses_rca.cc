// Hypotheses from the root-cause ranking (rca.h): suspects grouped by service, each group's
// fault kind read from its evidence and from the error analysis (errors.h) of the window:
// a service.version suspect → bad-deploy; an instance suspect → slow-instance; errors that
// originate in the service → retry-storm when its callers repeat failed calls, cascade when
// it fails by timing out and the failure climbs across two or more services, else error;
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

const RetryPattern* RetriesInto(const ErrorAnalysis& e, const std::string& service) {
  const RetryPattern* best = nullptr;
  for (const RetryPattern& r : e.retries) {
    if (r.service == service && (best == nullptr || r.retries > best->retries)) best = &r;
  }
  return best;
}

// The widest cascade starting in `service` and how many failing traces start there with a
// timeout rather than an error status.
const CascadePattern* CascadeFrom(const ErrorAnalysis& e, const std::string& service) {
  const CascadePattern* best = nullptr;
  for (const CascadePattern& c : e.cascades) {
    if (c.services.empty() || c.services.front() != service) continue;
    if (best == nullptr || c.traces > best->traces) best = &c;
  }
  return best;
}

size_t DistinctServices(const CascadePattern& c) {
  std::vector<std::string> s = c.services;
  std::sort(s.begin(), s.end());
  return static_cast<size_t>(std::unique(s.begin(), s.end()) - s.begin());
}

uint64_t TimeoutOrigins(const ErrorAnalysis& e, const std::string& service) {
  uint64_t n = 0;
  for (const TimeoutCluster& t : e.timeouts) {
    if (t.service == service) n += t.count;
  }
  for (const TraceErrors& t : e.per_trace) n += t.origin_is_timeout && t.origin.service == service;
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

// Reads the error-family kind (retry-storm, cascade, error) of a group whose errors
// originate in its service, with the figures behind the choice.
std::string ErrorKind(const SuspectGroup& g, const ErrorAnalysis& e, Hypothesis* h) {
  if (const RetryPattern* r = RetriesInto(e, g.service)) {
    double per_trace = r->traces ? static_cast<double>(r->retries) / r->traces : 0;
    h->evidence.push_back(fmt::format(
        "{} {} retried {} {}: {} retries in {} failing traces ({:.1f} per trace), up to {} "
        "attempts", r->parent_service, r->parent_operation, r->service, r->operation,
        r->retries, r->traces, per_trace, r->max_attempts));
    if (per_trace >= kStormRetriesPerTrace) return "retry-storm";
  }
  const CascadePattern* c = CascadeFrom(e, g.service);
  uint64_t timeouts = TimeoutOrigins(e, g.service);
  if (c != nullptr) {
    h->evidence.push_back(fmt::format("errors climb {} in {} traces", fmt::join(c->services, " → "),
                                      c->traces));
  }
  if (timeouts > 0) h->evidence.push_back(fmt::format("{} failures of {} are timeouts", timeouts, g.service));
  if (c != nullptr && DistinctServices(*c) >= 3 && timeouts > 0) return "cascade";
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
