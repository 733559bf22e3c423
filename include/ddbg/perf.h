// Performance report per operation and instance: executions, mean/p50/p95/p99 latency,
// error rate and throughput; instances much slower or more error-prone than their peers on
// the same operation (significance-tested); and plain-language recommendations derived
// from those numbers. Thread-safety: pure functions over an immutable table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ddbg/span_table.h"

namespace ddbg {

enum class PerfGroupBy : uint8_t { kOperation, kService, kInstance, kAttribute };

struct PerfOptions {
  PerfGroupBy by = PerfGroupBy::kOperation;  // kAttribute: the table's `group` column
  std::string attribute;  // kAttribute: its key (service.version…), when loading from a store
  uint64_t min_executions = 20;  // rows with fewer are not compared for outliers
  double slow_factor = 1.5;      // p95 this many times the peers' median p95
  double error_points = 5.0;     // error rate this many points above the peers'
  double alpha = 0.001;          // significance level of the outlier tests
};

struct PerfRow {
  std::string service, operation;  // operation empty when grouped by service/instance
  std::string instance;            // instance, or the attribute value; empty otherwise
  uint64_t executions = 0;
  uint64_t errors = 0;
  double mean_ns = 0;
  int64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;
  double throughput_per_s = 0;
  double error_rate() const { return executions ? static_cast<double>(errors) / executions : 0; }
};

struct PerfOutlier {
  std::string service, operation, instance;
  std::string metric;  // "latency" or "error rate"
  double value = 0;    // p95 ns or error rate
  double peers = 0;    // the peers' median p95 or pooled error rate
  double p_value = 1;
};

struct PerfReport {
  int64_t window_ns = 0;
  std::vector<PerfRow> rows;  // by service, operation, instance
  std::vector<PerfOutlier> outliers;
  std::vector<std::string> recommendations;
};

// Rows sorted by service, operation and instance.
PerfReport ComputePerf(const SpanTable& table, const PerfOptions& options = {});

// The same report by streaming the store batch by batch (no grouped SpanTable), or nullopt
// when the scope needs whole traces (--services, --where) or `by` is kAttribute.
Result<std::optional<PerfReport>> ComputePerfStreaming(Store& store, const AnalysisScope& scope,
                                                       const PerfOptions& options = {});
// Streaming when possible, else from a loaded SpanTable.
Result<PerfReport> ComputePerf(Store& store, const AnalysisScope& scope,
                               const PerfOptions& options = {});

}  // namespace ddbg
