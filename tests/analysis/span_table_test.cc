// SpanTable built from interleaved batches, and the critical path on a hand-built trace with
// an asynchronous child that outlives the root and a clock-skewed child.
#include <gtest/gtest.h>

#include "analysis/analysis_test_util.h"
#include "ddbg/critical_path.h"
#include "ddbg/span_table.h"
#include "ddbg/timing.h"

namespace ddbg {
namespace {

using analysis_test::AddHandTrace;

TEST(SpanTable, InterleavedBatchesAreGroupedByTraceWithParents) {
  SpanBatch a, b;
  AddHandTrace(&a, {0, 1}, {{1, 0, "front", "GET", 0, 10}});
  AddHandTrace(&a, {0, 2}, {{5, 0, "front", "GET", 0, 10}});
  AddHandTrace(&b, {0, 1}, {{2, 1, "db", "query", 1, 5}});
  AddHandTrace(&b, {0, 2}, {{6, 5, "db", "query", 2, 4}});
  SpanTable t = SpanTableFromBatches({&a, &b});
  ASSERT_EQ(t.traces(), 2u);
  for (size_t tr = 0; tr < 2; ++tr) {
    ASSERT_EQ(t.end(tr) - t.begin(tr), 2u);
    uint32_t root = t.RootRow(tr);
    uint32_t child = root == t.begin(tr) ? root + 1 : root - 1;
    EXPECT_EQ(t.parent[child], static_cast<int32_t>(root));
    EXPECT_EQ(t.str(t.service[child]), "db");
  }
}

TEST(SpanTable, CriticalPathSkipsAsyncChildAndClipsSkewedChild) {
  SpanBatch b;
  AddHandTrace(&b, {0, 7}, {
                               {1, 0, "api", "A", 0, 100, false, SpanKind::kServer},
                               {2, 1, "api", "B", 10, 40},
                               {5, 2, "cache", "E", 5, 20},  // skewed: starts before B
                               {3, 1, "db", "C", 50, 90},
                               {4, 1, "api", "P", 92, 95, false, SpanKind::kProducer},
                               {6, 4, "worker", "D", 96, 200, false, SpanKind::kConsumer},
                           });
  SpanTable t = SpanTableFromBatches({&b});
  CriticalPathSolver solver;
  CriticalPathInput input;
  std::vector<CriticalPathPiece> pieces;
  TraceCriticalPath(t, 0, CriticalPathMode::kJaeger, &solver, &input, &pieces);
  std::string got;
  for (const CriticalPathPiece& p : pieces) {
    uint32_t row = t.begin(0) + p.node;
    got += std::string(t.str(t.name[row])) + "[" + std::to_string((p.start_ns - t.start_ns[t.RootRow(0)]) / 1000000) +
           "," + std::to_string((p.end_ns - t.start_ns[t.RootRow(0)]) / 1000000) + "] ";
  }
  EXPECT_EQ(got, "A[0,10] E[10,20] B[20,40] A[40,50] C[50,90] A[90,92] P[92,95] A[95,100] ");
}

}  // namespace
}  // namespace ddbg
