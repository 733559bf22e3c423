// Critical path of a trace: the chain of work that determined its end-to-end latency.
// Jaeger's definition (default): walk back from the end of the root through the
// last-finishing child, recursively; on returning to a parent, continue with the child that
// finished before the returning child started; self-time segments fill the rest. Children
// are clipped to their parent, children wholly outside it are dropped, and FOLLOWS_FROM /
// CONSUMER-of-PRODUCER (asynchronous) children are not blocking and are left out.
// CRISP's variant (Uber, ATC '22) is an option: asynchronous children count, ties in end
// time go to the later-listed child, and a small overlap between siblings (clock skew) still
// counts as "happened before". Thread-safety: pure functions; a solver per thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/trace_tree.h"

namespace ddbg {

enum class CriticalPathMode : uint8_t { kJaeger = 0, kCrisp = 1 };
const char* CriticalPathModeName(CriticalPathMode mode);  // "jaeger", "crisp"

// One trace as parallel arrays: node i has [start[i], end[i]), parent index or -1, and
// whether it is an asynchronous (non-blocking) child of its parent.
struct CriticalPathInput {
  std::vector<int64_t> start;
  std::vector<int64_t> end;
  std::vector<int32_t> parent;
  std::vector<uint8_t> async;
  void Clear();
  size_t size() const { return start.size(); }
};

// A piece of time on the critical path owned by one node (its self time at that moment).
struct CriticalPathPiece {
  uint32_t node = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// Computes critical paths, reusing its buffers between traces.
class CriticalPathSolver {
 public:
  // Pieces of every root's critical path (roots: nodes with parent -1), in time order.
  void Solve(const CriticalPathInput& in, CriticalPathMode mode,
             std::vector<CriticalPathPiece>* out);

 private:
  void Prepare(const CriticalPathInput& in, CriticalPathMode mode);
  void WalkJaeger(uint32_t root, std::vector<CriticalPathPiece>* out);
  void WalkCrisp(uint32_t root, std::vector<CriticalPathPiece>* out);
  void CrispPath(uint32_t node, std::vector<uint32_t>* path);
  bool CrispHappensBefore(uint32_t parent, uint32_t before, uint32_t later) const;

  std::vector<uint32_t> first_, count_, children_;
  std::vector<int64_t> start_, end_;  // after clipping to the parent
  std::vector<uint8_t> alive_;
  std::vector<int32_t> parent_;
  std::vector<uint32_t> order_, fill_;
};

struct CriticalPathSegment {
  uint32_t row = 0;  // batch row of the span
  SpanId span_id = 0;
  std::string_view service;
  std::string_view operation;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

struct CriticalPath {
  TraceId trace_id;
  CriticalPathMode mode = CriticalPathMode::kJaeger;
  std::vector<CriticalPathSegment> segments;  // in time order
  int64_t total_ns = 0;                       // sum of segment lengths
};

// The critical path of one trace, on the tree's (clock-skew adjusted) times.
CriticalPath ComputeCriticalPath(const TraceTree& tree,
                                 CriticalPathMode mode = CriticalPathMode::kJaeger);

// True when span `row` of `batch` is a FOLLOWS_FROM child of its parent (a link to the
// parent carrying opentracing.ref_type = follows_from).
bool IsFollowsFromChild(const SpanBatch& batch, size_t row);

}  // namespace ddbg
