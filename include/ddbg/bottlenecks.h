// Bottlenecks: operations ranked by their share of end-to-end (critical-path) latency, and
// the shapes that waste time — sequential same-operation sibling calls (N+1), wide
// fan-outs, and gaps (time inside a parent that no child covers, between two children).
// Thread-safety: pure functions over an immutable table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/span_table.h"
#include "ddbg/timing.h"

namespace ddbg {

struct BottleneckOptions {
  uint32_t min_repeats = 5;   // siblings of one operation needed to call a group N+1
  uint32_t min_fanout = 10;   // concurrent children for a wide fan-out
  double min_gap_share = 0.2; // a gap must cover this share of its parent…
  int64_t min_gap_ns = 1000000;  // …and last at least this long
  size_t examples = 3;
};

// Siblings of one operation (service + name) under one parent.
struct SiblingGroup {
  TraceId trace_id;
  SpanId parent_span_id = 0;
  std::string parent_service, parent_operation;
  std::string service, operation;
  uint32_t count = 0;
  uint32_t overlapping_pairs = 0;  // adjacent pairs (in start order) that overlap
  int64_t wall_ns = 0;             // first start to last end
  int64_t sum_ns = 0;              // sum of durations
  bool sequential() const { return overlapping_pairs == 0; }
};

struct Gap {
  TraceId trace_id;
  SpanId span_id = 0;
  std::string service, operation;
  int64_t start_ns = 0, end_ns = 0;
  int64_t parent_duration_ns = 0;
};

// A pattern seen in many traces, with the number of traces and examples.
struct NPlusOnePattern {
  std::string parent_service, parent_operation, service, operation;
  uint64_t traces = 0;
  uint32_t max_count = 0;
  double mean_count = 0;
  int64_t mean_sum_ns = 0;  // time the calls take together, per occurrence
  std::vector<SiblingGroup> examples;
};
struct FanOutPattern {
  std::string service, operation;  // the parent
  uint64_t occurrences = 0;
  uint32_t max_children = 0;
  double mean_children = 0;
  std::vector<TraceId> examples;
};
struct GapPattern {
  std::string service, operation;
  uint64_t occurrences = 0;
  int64_t total_ns = 0;
  int64_t max_ns = 0;
  std::vector<Gap> examples;
};

struct Bottlenecks {
  uint64_t traces = 0;
  std::vector<CriticalPathShare> operations;  // by share of critical-path time
  std::vector<NPlusOnePattern> n_plus_one;    // by traces affected
  std::vector<FanOutPattern> fan_outs;
  std::vector<GapPattern> gaps;
};

// Every group of at least `min_repeats` same-operation siblings in trace `t`, N+1 or not.
std::vector<SiblingGroup> FindSiblingGroups(const SpanTable& table, size_t t,
                                            uint32_t min_repeats);
Bottlenecks FindBottlenecks(const SpanTable& table, const BottleneckOptions& options = {});

}  // namespace ddbg
