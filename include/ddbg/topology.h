// Service topology: the dependency graph derived from cross-service parent/child edges
// (and links to spans of other traces, for messaging), with per-edge call counts, error
// rates and latency percentiles, per-service degrees and request/error rates, and the
// circular dependencies (strongly connected components of more than one service).
// Thread-safety: pure functions over immutable inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ddbg/analysis_scope.h"
#include "ddbg/span_table.h"

namespace ddbg {

struct TopologyEdge {
  std::string parent;  // the calling service
  std::string child;   // the called service
  bool messaging = false;  // asynchronous: a FOLLOWS_FROM/CONSUMER child or a link
  uint64_t calls = 0;
  uint64_t errors = 0;  // child spans with error status
  int64_t p50_ns = 0;   // latency of the child spans
  int64_t p95_ns = 0;
  int64_t p99_ns = 0;
  double error_rate() const { return calls ? static_cast<double>(errors) / calls : 0; }
};

struct TopologyService {
  std::string name;
  uint32_t in_degree = 0;   // distinct callers
  uint32_t out_degree = 0;  // distinct callees
  uint64_t requests = 0;    // entry spans: roots and children of another service
  uint64_t errors = 0;      // entry spans with error status
  double request_rate_per_s = 0;
  double error_rate() const { return requests ? static_cast<double>(errors) / requests : 0; }
};

struct Topology {
  uint64_t traces = 0;
  int64_t window_ns = 0;  // time spanned by the spans analysed
  std::vector<TopologyService> services;  // by name
  std::vector<TopologyEdge> edges;        // by calls, descending
  // Each circular dependency: the services of one strongly connected component (sorted),
  // and one concrete loop through them ("a", "b", "c", "a").
  struct Cycle {
    std::vector<std::string> services;
    std::vector<std::string> loop;
  };
  std::vector<Cycle> cycles;
};

Topology ComputeTopology(const SpanTable& table);
// From the store: streams it (ComputeTopologyStreaming) when the scope allows, else loads
// a SpanTable (ComputeTopologyFromTable). Both give the same topology.
Result<Topology> ComputeTopology(Store& store, const AnalysisScope& scope);
Result<Topology> ComputeTopologyFromTable(Store& store, const AnalysisScope& scope);
// One parallel scan into compact per-span records partitioned by trace id, then each
// partition grouped by trace and resolved on its own; no grouped table. nullopt for a
// --where or --services scope (trace-level filters), or when a span lasts 78 hours or more
// or there are more than 4096 services (compact records cannot hold them).
Result<std::optional<Topology>> ComputeTopologyStreaming(Store& store, const AnalysisScope& scope);

// A dependency as Jaeger's /api/dependencies reports it.
struct DependencyLink {
  std::string parent;
  std::string child;
  uint64_t calls = 0;
};
// Builds a topology (degrees, cycles) from a dependency list; latencies and errors unknown.
Topology TopologyFromDependencies(const std::vector<DependencyLink>& links);
// Parses Jaeger's dependency JSON: [{"parent","child","callCount"}] (or {"data":[...]}).
Result<std::vector<DependencyLink>> ParseJaegerDependencies(std::string_view json);

}  // namespace ddbg
