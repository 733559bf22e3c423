#include "sim/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ddbg::sim {
namespace {

constexpr int64_t kMinute = 60LL * 1000000000LL;
constexpr int kStormAttempts = 10;

std::string ServiceList(const Topology& t) {
  std::string out;
  size_t shown = 0;
  for (const Service& s : t.services) {
    if (s.name.rfind("svc-", 0) == 0) break;
    if (!out.empty()) out += ", ";
    out += s.name;
    ++shown;
  }
  if (shown < t.services.size()) {
    out += fmt::format(", {} … {}", t.services[shown].name, t.services.back().name);
  }
  return out;
}

std::string StreamOwners(const Topology& t) {
  std::string out;
  for (const Service& s : t.services) {
    if (!s.owns_streams) continue;
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

double DefaultMagnitude(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLatency:
      return 5.0;
    case FaultKind::kError:
      return 0.5;
    case FaultKind::kCascade:
      return 0.95;
    case FaultKind::kSlowInstance:
      return 8.0;
    case FaultKind::kInconsistentState:
      return 0.1;
    case FaultKind::kVersionGap:
      return 1.0;
    case FaultKind::kRetryStorm:
      return 0.8;
    case FaultKind::kBadDeploy:
      return 3.0;
  }
  return 1.0;
}

}  // namespace

Result<FaultPlan> FaultPlan::Resolve(const std::vector<FaultSpec>& specs, const SimOptions& options,
                                     Topology* topology) {
  FaultPlan plan;
  const int64_t range_start = options.start_ns;
  const int64_t range_end = options.start_ns + options.duration_ns;
  for (const FaultSpec& spec : specs) {
    std::string label = spec.text.empty()
                            ? fmt::format("{}:{}", FaultKindName(spec.kind), spec.service)
                            : spec.text;
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(fmt::format("fault '{}': {}", label, why));
    };
    int service = topology->FindService(spec.service);
    if (service < 0) {
      return bad(fmt::format("no service '{}' in the simulated system; services: {}", spec.service,
                             ServiceList(*topology)));
    }
    const Service& svc = topology->services[service];
    ActiveFault f;
    f.kind = spec.kind;
    f.service = service;
    f.magnitude = spec.magnitude > 0 ? spec.magnitude : DefaultMagnitude(spec.kind);
    if (spec.kind == FaultKind::kVersionGap) f.magnitude = std::max(1.0, std::round(f.magnitude));

    // The window.
    int64_t start = range_start + options.duration_ns / 3;
    start -= (start - range_start) % 1000000000LL;
    if (spec.has_start)
      start = spec.start_is_absolute ? spec.start_ns : range_start + spec.start_ns;
    if (start < range_start || start >= range_end) {
      return bad("the fault starts outside the simulated time range");
    }
    int64_t duration = spec.duration_ns;
    if (duration <= 0) {
      duration = spec.kind == FaultKind::kBadDeploy
                     ? range_end - start
                     : std::min<int64_t>(10 * kMinute, options.duration_ns / 4);
    }
    f.start_ns = start;
    f.end_ns = std::min(range_end, start + std::max<int64_t>(duration, 1));

    f.truth.kind = spec.kind;
    f.truth.service = svc.name;
    f.truth.start_ns = f.start_ns;
    f.truth.end_ns = f.end_ns;
    f.truth.magnitude = f.magnitude;

    switch (spec.kind) {
      case FaultKind::kSlowInstance: {
        const std::vector<uint32_t>& inst = svc.instances;
        uint32_t chosen = inst[0];
        if (!spec.instance.empty()) {
          bool found = false;
          bool numeric = std::all_of(spec.instance.begin(), spec.instance.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
          if (numeric && spec.instance.size() < 6) {
            size_t idx = std::stoul(spec.instance);
            if (idx < inst.size()) {
              chosen = inst[idx];
              found = true;
            }
          }
          for (uint32_t r : inst) {
            if (topology->resources[r].instance_id == spec.instance) {
              chosen = r;
              found = true;
            }
          }
          if (!found) {
            std::string ids;
            for (uint32_t r : inst) {
              if (!ids.empty()) ids += ", ";
              ids += topology->resources[r].instance_id;
            }
            return bad(fmt::format("no instance '{}' of {}; instances (or their index 0..{}): {}",
                                   spec.instance, svc.name, inst.size() - 1, ids));
          }
        }
        f.resource = chosen;
        f.truth.instance = topology->resources[chosen].instance_id;
        break;
      }
      case FaultKind::kInconsistentState:
      case FaultKind::kVersionGap:
        if (!svc.owns_streams) {
          return bad(fmt::format("service '{}' writes no event streams; {} applies to: {}",
                                 svc.name, FaultKindName(spec.kind), StreamOwners(*topology)));
        }
        f.remaining = spec.count > 0                        ? spec.count
                      : spec.kind == FaultKind::kVersionGap ? 1
                                                            : UINT32_MAX;
        break;
      case FaultKind::kBadDeploy: {
        for (const ActiveFault& other : plan.faults_) {
          if (other.kind == FaultKind::kBadDeploy && other.service == service) {
            return bad(fmt::format("only one bad-deploy per service ({})", svc.name));
          }
        }
        std::string version = spec.version.empty() ? NextMinorVersion(svc.version) : spec.version;
        if (version == svc.version) {
          return bad(fmt::format("version {} is already running on {}", version, svc.name));
        }
        f.error_rate = spec.error_rate >= 0 ? spec.error_rate : 0.1;
        f.truth.version = version;
        f.truth.previous_version = svc.version;
        f.truth.error_rate = f.error_rate;
        AddDeployedVersion(topology, service, version);
        break;
      }
      default:
        break;
    }
    plan.faults_.push_back(std::move(f));
  }
  return plan;
}

void FaultPlan::Touch(ActiveFault& f, uint64_t trace) {
  ++f.truth.affected_spans;
  if (f.last_trace != trace) {
    f.last_trace = trace;
    ++f.truth.affected_traces;
  }
}

double FaultPlan::LatencyFactor(int service, uint32_t resource, int64_t t, uint64_t trace) {
  double factor = 1.0;
  for (ActiveFault& f : faults_) {
    if (f.service != service || !f.Active(t)) continue;
    switch (f.kind) {
      case FaultKind::kLatency:
        factor *= f.magnitude;
        Touch(f, trace);
        break;
      case FaultKind::kSlowInstance:
        if (resource == f.resource) {
          factor *= f.magnitude;
          Touch(f, trace);
        }
        break;
      case FaultKind::kBadDeploy:
        factor *= f.magnitude;
        Touch(f, trace);
        break;
      default:
        break;
    }
  }
  return factor;
}

bool FaultPlan::UseNewVersion(int service, int64_t t) const {
  for (const ActiveFault& f : faults_) {
    if (f.kind == FaultKind::kBadDeploy && f.service == service && f.Active(t)) return true;
  }
  return false;
}

Injected FaultPlan::DrawFailure(int service, uint32_t resource, int64_t t, uint64_t trace,
                                Rng& rng) {
  for (ActiveFault& f : faults_) {
    if (f.service != service || !f.Active(t)) continue;
    double p = 0;
    Injected how = Injected::kNone;
    switch (f.kind) {
      case FaultKind::kError:
        p = f.magnitude;
        how = Injected::kError;
        break;
      case FaultKind::kCascade:
        p = f.magnitude;
        how = Injected::kHang;
        break;
      case FaultKind::kRetryStorm:
        p = f.magnitude;
        how = Injected::kUnavailable;
        break;
      case FaultKind::kBadDeploy:
        p = f.error_rate;
        how = Injected::kDeployError;
        break;
      default:
        continue;
    }
    if (rng.Chance(p)) {
      Touch(f, trace);
      return how;
    }
  }
  return Injected::kNone;
}

int FaultPlan::Attempts(int service, int64_t t, int configured) const {
  return RetryStorm(service, t) ? std::max(configured, kStormAttempts) : configured;
}

bool FaultPlan::RetryStorm(int service, int64_t t) const {
  for (const ActiveFault& f : faults_) {
    if (f.kind == FaultKind::kRetryStorm && f.service == service && f.Active(t)) return true;
  }
  return false;
}

bool FaultPlan::Cascading(int service, int64_t t) const {
  for (const ActiveFault& f : faults_) {
    if (f.kind == FaultKind::kCascade && f.service == service && f.Active(t)) return true;
  }
  return false;
}

ActiveFault* FaultPlan::EventFault(FaultKind kind, int service, int64_t t) {
  for (ActiveFault& f : faults_) {
    if (f.kind == kind && f.service == service && f.Active(t) && f.remaining > 0) return &f;
  }
  return nullptr;
}

}  // namespace ddbg::sim
