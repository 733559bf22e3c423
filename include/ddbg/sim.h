// The simulator behind `ddbg simulate`: generates the telemetry of a realistic multi-service
// shop (traces as OTLP JSON, logs in three formats, domain events as JSONL) over a simulated
// time range, with injectable faults and a ground_truth.json describing them. Output is a
// pure function of the options: the same options give the same bytes on every run.
// Thread-safety: Simulate() keeps no global state; concurrent calls must use distinct dirs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"

namespace ddbg {

enum class FaultKind : uint8_t {
  kLatency = 0,        // the service's own work (self time, its database calls) is slower
  kError,              // the service fails a share of its requests; callers see the errors
  kCascade,            // the service hangs; callers time out, retry and fail up to the root
  kSlowInstance,       // one instance of the service is slow, the others are healthy
  kInconsistentState,  // the service's events disagree with another service's events
  kVersionGap,         // a stream of the service skips a version number
  kRetryStorm,         // the service returns transient errors; callers retry many times
  kBadDeploy,          // a new service.version that is slower and fails more
};
const char* FaultKindName(FaultKind kind);  // "latency", "slow-instance", …
bool ParseFaultKindName(std::string_view name, FaultKind* out);

// One fault as given on the command line: KIND:SERVICE[,key=value...]. Unset optional
// fields take defaults when the simulation resolves the fault against its time range.
struct FaultSpec {
  FaultKind kind = FaultKind::kLatency;
  std::string service;
  // Start of the window: an offset from the simulated start, or an absolute time.
  bool has_start = false;
  bool start_is_absolute = false;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;  // 0: the default for the kind
  double magnitude = 0;     // 0: the default for the kind (latency multiplier or error rate)
  double error_rate = -1;   // bad-deploy only; < 0: the default
  std::string instance;     // slow-instance: service.instance.id or index; empty: first
  std::string version;      // bad-deploy: the new service.version; empty: next minor
  uint32_t count = 0;       // version-gap / inconsistent-state: streams or entities (0: default)
  std::string text;         // the spec as given, for messages
};

// Parses "latency:payment,start=20m,duration=10m,magnitude=5". Keys: start (offset such as
// 20m or 1h30m, or RFC 3339), duration, magnitude, instance, version, error_rate, count.
// Unknown kinds, unknown keys, keys that do not apply to the kind and malformed values are
// InvalidArgument errors naming the spec and the accepted values.
Result<FaultSpec> ParseFaultSpec(std::string_view text);
// "90s", "20m", "1h30m", "500ms", "2h" → nanoseconds (> 0).
Result<int64_t> ParseSimDuration(std::string_view text);

struct SimOptions {
  std::string out_dir;
  int services = 8;  // 3 … 500
  uint64_t traces = 1000;
  uint64_t seed = 1;
  int64_t start_ns = 1736935200LL * 1000000000LL;  // 2025-01-15T10:00:00Z
  int64_t duration_ns = 3600LL * 1000000000LL;     // 1h
  std::vector<FaultSpec> faults;
};

// A fault as applied, with its window clipped to the simulated range (ground truth).
struct SimFault {
  FaultKind kind = FaultKind::kLatency;
  std::string service;
  std::string instance;          // slow-instance only
  std::string version;           // bad-deploy only
  std::string previous_version;  // bad-deploy only
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  double magnitude = 0;
  double error_rate = 0;              // bad-deploy only
  std::vector<std::string> streams;   // version-gap / inconsistent-state: affected streams
  std::vector<std::string> entities;  // the order (or trade) ids behind those streams
  uint64_t affected_traces = 0;       // traces in which the fault changed something
  uint64_t affected_spans = 0;
  uint64_t affected_events = 0;
};

struct SimFile {
  std::string path;      // relative to out_dir: "traces.otlp.jsonl", "logs/payment.log", …
  std::string format;    // "otlp-json", "json-logs", "text-logs", "events-jsonl", "ground-truth"
  uint64_t records = 0;  // spans, log records or events in the file
  uint64_t bytes = 0;
};

struct SimSummary {
  std::vector<std::string> services;  // the generated topology, entry service first
  uint64_t traces = 0;
  uint64_t error_traces = 0;  // traces whose root span has error status
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t events = 0;
  uint64_t streams = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<SimFile> files;
  std::vector<SimFault> faults;
};

// The service names a topology of `count` services has, in order: frontend, checkout,
// payment, inventory, orders, shipping, notification, users, catalog, pricing, …, then
// svc-N. Stable: the first k names never depend on the count.
std::vector<std::string> SimServiceNames(int count);

// Generates the system into options.out_dir (created when missing; files of the same names
// are overwritten). Fails with InvalidArgument for bad options (a fault naming a service
// that does not exist lists the services that do) and IOError when a file cannot be written.
Status Simulate(const SimOptions& options, SimSummary* summary);

}  // namespace ddbg
