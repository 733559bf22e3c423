// TraceTree: the span tree of one trace, built from a SpanBatch — parent/child links, roots,
// orphans grouped under placeholder nodes, broken parent cycles, duplicate span ids, Zipkin
// shared CLIENT/SERVER spans, clock-skew adjustment (Jaeger's algorithm) and self time.
// A tree refers to its batch by pointer: the batch must outlive the tree and stay unchanged.
// Thread-safety: immutable after BuildTraceTree; share it read-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"

namespace ddbg {

struct TraceTreeOptions {
  // The trace to build. Empty: the trace of the batch's first row. Rows of other traces are
  // skipped and counted in TraceTree::other_trace_rows().
  TraceId trace_id;
  // Shift children whose timing is impossible relative to a parent on another host/service
  // (Jaeger's clock-skew adjuster; a CONSUMER child or PRODUCER parent is asynchronous and is
  // only kept from starting before its parent).
  bool adjust_clock_skew = true;
  // Deltas larger than this (absolute, ns) are not applied but still reported as skipped;
  // 0 means no limit.
  int64_t max_skew_adjust_ns = 0;
};

// Why a span is not where its parent id says it should be, or is missing from the tree.
enum class TraceIssueKind : uint8_t {
  kOrphan,       // parent id not present in the trace: attached under a placeholder
  kCycle,        // parent links form a cycle; the span was detached and attached as orphan
  kDuplicateId,  // a second span with an id already used: left out of the tree
};
const char* TraceIssueKindName(TraceIssueKind kind);  // "orphan", "cycle", "duplicate-id"

struct TraceIssue {
  TraceIssueKind kind = TraceIssueKind::kOrphan;
  uint32_t row = 0;  // batch row of the span concerned
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  // Cycle: every span id of the cycle in parent order, starting with span_id. Else empty.
  std::vector<SpanId> cycle;
};

// One clock-skew shift applied (or refused) at `node`; every descendant on the same host
// inherits the shift silently.
struct SkewAdjustment {
  uint32_t node = 0;
  int64_t delta_ns = 0;  // added to start, end and event times of the subtree
  bool applied = true;   // false when |delta| exceeded max_skew_adjust_ns
  std::string reason;    // "starts 65.46ms before its parent", "ends 251.04ms after its parent"
};

class TraceTree {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  enum class Placeholder : uint8_t {
    kNone = 0,           // a real span
    kMissingParent = 1,  // groups spans whose parent id is not in the trace
    kBrokenCycle = 2,    // groups spans detached to break a parent cycle
  };

  struct Node {
    uint32_t row = kNone;      // batch row; kNone for a placeholder
    uint32_t parent = kNone;   // node index; kNone for top-level nodes
    uint32_t first_child = 0;  // children are child_index()[first_child, +child_count)
    uint32_t child_count = 0;
    uint32_t depth = 0;
    Placeholder placeholder = Placeholder::kNone;
    bool shared_server = false;  // the SERVER half of a Zipkin shared span id
    SpanId span_id = 0;          // for a kMissingParent placeholder: the missing parent id
    int64_t start_ns = 0;        // after skew adjustment; placeholder: earliest child start
    int64_t end_ns = 0;          // after skew adjustment; placeholder: latest child end
    int64_t self_ns = 0;         // duration minus the union of children clipped to the span
    int64_t skew_ns = 0;         // shift applied to this span (own or inherited)
    int64_t duration_ns() const { return end_ns - start_ns; }
    bool is_placeholder() const { return placeholder != Placeholder::kNone; }
  };

  const SpanBatch& batch() const { return *batch_; }
  TraceId trace_id() const { return trace_id_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  // Children of a node, sorted by (adjusted) start time, then batch row.
  const uint32_t* children_begin(uint32_t i) const {
    return child_index_.data() + nodes_[i].first_child;
  }
  const uint32_t* children_end(uint32_t i) const {
    return children_begin(i) + nodes_[i].child_count;
  }
  // Top-level nodes (roots and placeholders) sorted by start time.
  const std::vector<uint32_t>& roots() const { return roots_; }
  // Every node in depth-first pre-order (the order a waterfall prints).
  const std::vector<uint32_t>& preorder() const { return preorder_; }
  // Node of a batch row; kNone for rows not in the tree (duplicates, other traces).
  uint32_t NodeOfRow(uint32_t row) const;
  const std::vector<TraceIssue>& issues() const { return issues_; }
  const std::vector<SkewAdjustment>& skew_adjustments() const { return skew_; }
  size_t span_count() const { return span_count_; }  // real spans in the tree
  size_t other_trace_rows() const { return other_trace_rows_; }
  int64_t start_ns() const { return start_ns_; }  // earliest adjusted start
  int64_t end_ns() const { return end_ns_; }      // latest adjusted end
  int64_t duration_ns() const { return end_ns_ - start_ns_; }
  // Distinct service names of the spans in the tree, sorted.
  std::vector<std::string_view> Services() const;
  // The key that says two spans ran on the same clock: resource host.id, host.ip,
  // host.name, ip, hostname or net.host.ip (Zipkin's ipv4); the service name when none is set.
  std::string_view HostKey(uint32_t row) const;

 private:
  friend class TraceTreeBuilder;
  const SpanBatch* batch_ = nullptr;
  TraceId trace_id_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> child_index_;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> preorder_;
  std::vector<uint32_t> row_to_node_;
  std::vector<TraceIssue> issues_;
  std::vector<SkewAdjustment> skew_;
  std::vector<StrId> host_key_;  // per resource of the batch
  size_t span_count_ = 0;
  size_t other_trace_rows_ = 0;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
};

// Builds the tree of one trace of `batch` (see TraceTreeOptions::trace_id). Never fails: bad
// links become issues. An empty batch gives an empty tree.
TraceTree BuildTraceTree(const SpanBatch& batch, const TraceTreeOptions& options = {});

// "12ns", "850µs" / "850us" (ascii), "12.34ms", "1.234s", "2m03s": the shortest readable form.
std::string FormatDurationNs(int64_t ns, bool ascii = false);

}  // namespace ddbg
