// The recommendation that follows from each kind of hypothesis, with its figures.
#include <fmt/format.h>

#include "report/debug/hypotheses.h"

namespace ddbg::report {
namespace {

std::string FirstEvidence(const Hypothesis& h) { return h.evidence.empty() ? "" : " (" + h.evidence.front() + ")"; }

}  // namespace

std::string RecommendationFor(const Hypothesis& h, const DebugContext&) {
  const std::string& s = h.service;
  std::string op = h.operation.empty() ? "" : " " + h.operation;
  if (h.kind == "bad-deploy") {
    return fmt::format("Roll back the latest deploy of {} and compare its version with the previous one{}", s, FirstEvidence(h));
  }
  if (h.kind == "slow-instance") {
    return fmt::format("Take {} of {} out of rotation and inspect its host; the other instances are healthy{}", h.instance, s, FirstEvidence(h));
  }
  if (h.kind == "retry-storm") {
    return fmt::format("Cap the retries of calls to {}{} (backoff with jitter, a retry budget){}", s, op, FirstEvidence(h));
  }
  if (h.kind == "cascade") {
    return fmt::format("Put a shorter timeout and a circuit breaker on calls to {}, then find why it hangs{}", s, FirstEvidence(h));
  }
  if (h.kind == "error") {
    return fmt::format("Fix the errors {}{} originates; its callers only propagate them{}", s, op, FirstEvidence(h));
  }
  if (h.kind == "latency") {
    return fmt::format("Profile {}{}: its own work (self time, its database calls) slowed down{}", s, op, FirstEvidence(h));
  }
  if (h.kind == "version-gap") {
    return fmt::format("Find the lost events of the streams {} writes (publisher outbox, dropped messages) before rebuilding projections{}", s, FirstEvidence(h));
  }
  if (h.kind == "inconsistent-state") {
    return fmt::format("Reconcile the entities where {} disagrees with the other services and check how it derives amounts and outcomes{}", s, FirstEvidence(h));
  }
  return fmt::format("Investigate {}{}{}", s, op, FirstEvidence(h));
}

}  // namespace ddbg::report
