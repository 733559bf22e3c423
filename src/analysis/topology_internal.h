// Pieces shared by the two ways of computing a Topology: from a SpanTable (topology.cc)
// and by streaming the store without one (topology_scan.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/topology.h"

namespace ddbg::topology_internal {

// One edge's counts and child latencies (for percentiles).
struct EdgeAcc {
  uint64_t calls = 0, errors = 0;
  std::vector<int64_t> latency;
};

inline uint64_t EdgeKey(uint32_t parent, uint32_t child, bool messaging) {
  return (static_cast<uint64_t>(parent) << 33) | (static_cast<uint64_t>(child) << 1) |
         (messaging ? 1 : 0);
}
inline uint32_t EdgeParent(uint64_t key) { return static_cast<uint32_t>(key >> 33); }
inline uint32_t EdgeChild(uint64_t key) { return static_cast<uint32_t>((key >> 1) & 0xffffffffu); }

// The edge's summary (reorders acc->latency).
TopologyEdge MakeEdge(std::string parent, std::string child, uint64_t key, EdgeAcc* acc);
TopologyService MakeService(std::string name, uint64_t requests, uint64_t errors, double seconds);
// Degrees and cycles from the edges (services must already list every endpoint); sorts
// services by name and edges by calls.
void FinishGraph(Topology* topo);
// Keeps only the neighbourhood of the scope's services (all when none is listed).
void KeepScopeEdges(const AnalysisScope& scope, Topology* topo);

}  // namespace ddbg::topology_internal
