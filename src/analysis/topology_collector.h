// The streaming topology (topology_scan.cc) as a collector another pass can feed: a caller
// that already scans the spans (the debug report's shared span pass, with at least
// TopologyCollector::kColumns) hands it every batch instead of letting ComputeTopology scan
// the store again. Thread-safety: Collect may be called from several threads at once;
// Finish once the scan is done.
#pragma once

#include <memory>
#include <optional>

#include "ddbg/analysis_scope.h"
#include "ddbg/model.h"
#include "ddbg/store.h"
#include "ddbg/topology.h"

namespace ddbg {

class TopologyScan;

class TopologyCollector {
 public:
  static constexpr SpanColumns kColumns = SpanColumns::kLinks;
  // `scope` must outlive the collector; scopes selecting whole traces (services, where)
  // are not streamed (ComputeTopology).
  explicit TopologyCollector(const AnalysisScope& scope);
  ~TopologyCollector();
  void Collect(const SpanBatch& b, size_t ordinal);
  // The topology; nullopt when some value did not fit the streaming records (then
  // ComputeTopology, which falls back to a SpanTable).
  std::optional<Topology> Finish();

 private:
  std::unique_ptr<TopologyScan> scan_;
};

}  // namespace ddbg
