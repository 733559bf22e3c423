// The fault plan: the faults of a simulation resolved against its topology and time range
// (defaults filled, windows clipped, services and instances checked), and the questions the
// generators ask while producing data ("how much slower is this span?", "does this request
// fail, and how?"). Each fault also accumulates its ground truth (affected traces, streams).
// Thread-safety: one plan per simulation, used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/sim.h"
#include "ddbg/status.h"
#include "sim/rng.h"
#include "sim/topology.h"

namespace ddbg::sim {

// How an injected fault makes a request fail.
enum class Injected : uint8_t {
  kNone,
  kError,        // fails fast with the service's characteristic error (error fault)
  kDeployError,  // fails fast with an error of the new release (bad-deploy)
  kHang,         // waits seconds for a pooled resource, then fails (cascade)
  kUnavailable,  // transient UNAVAILABLE / 503 (retry-storm)
};

struct ActiveFault {
  FaultKind kind;
  int service = -1;
  uint32_t resource = UINT32_MAX;  // slow-instance: the slow instance
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  double magnitude = 0;
  double error_rate = 0;
  uint32_t remaining = 0;  // version-gap / inconsistent-state: streams or entities left
  uint64_t last_trace = UINT64_MAX;
  SimFault truth;
  bool Active(int64_t t) const { return t >= start_ns && t < end_ns; }
};

class FaultPlan {
 public:
  // Resolves the specs; adds the instances of bad-deploy versions to the topology.
  static Result<FaultPlan> Resolve(const std::vector<FaultSpec>& specs, const SimOptions& options,
                                   Topology* topology);

  bool empty() const { return faults_.empty(); }
  std::vector<ActiveFault>& faults() { return faults_; }
  const std::vector<ActiveFault>& faults() const { return faults_; }

  // Multiplier of the own work of `service` on `resource` at time t (1 when healthy).
  double LatencyFactor(int service, uint32_t resource, int64_t t, uint64_t trace);
  // Whether requests to `service` at time t go to the instances of a bad deploy.
  bool UseNewVersion(int service, int64_t t) const;
  // Whether the request fails because of a fault, and how. Draws from `rng` only for
  // services with an active fault, so healthy services consume the same draws always.
  Injected DrawFailure(int service, uint32_t resource, int64_t t, uint64_t trace, Rng& rng);
  // Attempts a caller makes against `service` at time t (retry storms raise it).
  int Attempts(int service, int64_t t, int configured) const;
  bool RetryStorm(int service, int64_t t) const;
  bool Cascading(int service, int64_t t) const;
  // The first active event fault of `kind` on `service` at t with entities left, or null.
  ActiveFault* EventFault(FaultKind kind, int service, int64_t t);
  // Counts a span changed by fault f in trace `trace`.
  static void Touch(ActiveFault& f, uint64_t trace);

 private:
  std::vector<ActiveFault> faults_;
};

}  // namespace ddbg::sim
