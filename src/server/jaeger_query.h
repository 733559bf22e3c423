// The queries behind the Jaeger query API, over the Store interface: trace search
// (service, operation, tags, time window, duration bounds, limit) and the service
// dependency graph (services and operations: operations_index.h). Thread-safety: plain functions; the store may be shared.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg::server {

struct TraceSearch {
  std::string service;    // empty: any
  std::string operation;  // empty: any
  std::map<std::string, std::string> tags;  // all must match one span (span, then resource)
  TimeRange time;         // span start
  int64_t min_duration_ns = 0;
  int64_t max_duration_ns = 0;  // 0: no bound
  size_t limit = 20;
};

struct Operation {
  std::string name;
  std::string span_kind;  // "server", "client", … or "" when unspecified
  friend auto operator<=>(const Operation&, const Operation&) = default;
};

struct Dependency {
  std::string parent;
  std::string child;
  uint64_t call_count = 0;
};

// Trace ids of the traces with a span matching `q`, the most recent match first.
Result<std::vector<TraceId>> SearchTraceIds(Store& store, const TraceSearch& q);
// Every span of each trace, in the order of `ids`; unknown ids give no entry.
Result<std::vector<SpanBatch>> GatherTraces(Store& store, const std::vector<TraceId>& ids);
// Parent -> child service calls among spans starting in `window`.
Result<std::vector<Dependency>> FindDependencies(Store& store, const TimeRange& window);

// Parses Jaeger's `tags` parameter: a JSON object ({"http.status_code":"500"}) or logfmt
// (`error=true http.method="GET"`).
Status ParseJaegerTags(std::string_view text, std::map<std::string, std::string>* out);
// Parses a Go duration ("1.5ms", "2s", "300us", "1m", "100ns"); false on anything else.
bool ParseGoDuration(std::string_view text, int64_t* ns);

}  // namespace ddbg::server
