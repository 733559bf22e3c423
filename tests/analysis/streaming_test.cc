// The streaming (partitioned) aggregated critical path and topology against the SpanTable
// ones on hand-built traces whose spans are split over two stored batches (each service
// writes its own): messaging children (CONSUMER of a PRODUCER: not blocking in Jaeger mode,
// on the path in CRISP mode), a span id repeated inside a trace (the first one is the
// parent), a parent that was never recorded, and a time range that cuts traces.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "analysis_test_util.h"
#include "ddbg/store.h"
#include "ddbg/timing.h"
#include "ddbg/topology.h"

namespace ddbg {
namespace {

using analysis_test::AddHandTrace;
using analysis_test::HandSpan;

constexpr int64_t kBase = 1700000000000000000LL;
constexpr int64_t kMs = 1000000;

class HandStore {
 public:
  HandStore() {
    char tmpl[] = "/tmp/ddbg-streaming-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto store = OpenEmbeddedStore(dir_);
    EXPECT_TRUE(store.ok());
    store_ = std::move(*store);
    SpanBatch front, worker;
    for (uint64_t k = 0; k < 60; ++k) {
      TraceId t{0xabc, k + 1};
      int64_t at = kBase + static_cast<int64_t>(k) * 1000 * kMs;
      int64_t end = 100 + static_cast<int64_t>(k % 7) * 10;
      AddHandTrace(&front, t, {{1, 0, "frontend", "GET /", 0, end, false, SpanKind::kServer},
                               {2, 1, "frontend", "publish", 10, 60, false, SpanKind::kProducer}}, at);
      AddHandTrace(&worker, t, {{3, 2, "worker", "consume", 20, 55, false, SpanKind::kConsumer},
                                {4, 1, "worker", "db", 65, 95, false, SpanKind::kClient},
                                {4, 1, "worker", "dup", 96, end - 1},
                                {6, 4, "worker", "query", 70, 90},
                                {7, 999, "worker", "orphan", 5, 8}}, at);
    }
    EXPECT_TRUE(store_->AppendSpans(front).ok());
    EXPECT_TRUE(store_->AppendSpans(worker).ok());
  }
  ~HandStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

bool HasOperation(const CriticalPathSummary& s, const std::string& op) {
  return std::any_of(s.operations.begin(), s.operations.end(),
                     [&](const CriticalPathShare& x) { return x.operation == op; });
}

void ExpectSameSummary(const CriticalPathSummary& a, const CriticalPathSummary& b) {
  EXPECT_EQ(std::tie(a.traces, a.trace_p50_ns, a.trace_p99_ns, a.p50_cohort, a.p99_cohort),
            std::tie(b.traces, b.trace_p50_ns, b.trace_p99_ns, b.p50_cohort, b.p99_cohort));
  auto same = [](const std::vector<CriticalPathShare>& x, const std::vector<CriticalPathShare>& y) {
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(std::tie(x[i].service, x[i].operation, x[i].traces, x[i].total_ns, x[i].share_p50, x[i].share_p99),
                std::tie(y[i].service, y[i].operation, y[i].traces, y[i].total_ns, y[i].share_p50, y[i].share_p99));
    }
  };
  same(a.services, b.services);
  same(a.operations, b.operations);
  ASSERT_EQ(a.breakdown.size(), b.breakdown.size());
  for (size_t i = 0; i < a.breakdown.size(); ++i) {
    EXPECT_EQ(std::tie(a.breakdown[i].service, a.breakdown[i].spans, a.breakdown[i].total_ns, a.breakdown[i].self_ns),
              std::tie(b.breakdown[i].service, b.breakdown[i].spans, b.breakdown[i].total_ns, b.breakdown[i].self_ns));
  }
}

CriticalPathSummary FromTable(Store& store, const AnalysisScope& scope, CriticalPathMode mode) {
  SpanTableOptions options;
  options.error_details = false;
  Result<SpanTable> table = LoadSpanTable(store, scope, options);
  EXPECT_TRUE(table.ok());
  return AggregateCriticalPaths(*table, mode);
}

TEST(StreamingCriticalPath, MessagingDuplicatesAndCutTracesAsTheSpanTable) {
  HandStore h;
  AnalysisScope whole, cut;
  cut.time.min_ns = kBase + 5 * kMs;  // drops the first trace's root and orphan
  for (const AnalysisScope* scope : {&whole, &cut}) {
    for (CriticalPathMode mode : {CriticalPathMode::kJaeger, CriticalPathMode::kCrisp}) {
      auto fast = AggregateCriticalPathsStreaming(h.store(), *scope, mode);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_TRUE(fast->has_value());
      ExpectSameSummary(**fast, FromTable(h.store(), *scope, mode));
    }
  }
  // Known answers on the whole range: 60 traces; the consumer is not blocking in Jaeger
  // mode, is on CRISP's path; "query" hangs under the first span with id 4 ("db").
  CriticalPathSummary jaeger = **AggregateCriticalPathsStreaming(h.store(), whole);
  CriticalPathSummary crisp = **AggregateCriticalPathsStreaming(h.store(), whole, CriticalPathMode::kCrisp);
  EXPECT_EQ(jaeger.traces, 60u);
  EXPECT_FALSE(HasOperation(jaeger, "consume"));
  EXPECT_TRUE(HasOperation(crisp, "consume"));
  EXPECT_TRUE(HasOperation(jaeger, "query"));
  auto db = std::find_if(jaeger.operations.begin(), jaeger.operations.end(),
                         [](const CriticalPathShare& s) { return s.operation == "db"; });
  ASSERT_NE(db, jaeger.operations.end());
  EXPECT_EQ(db->total_ns, 60 * 10 * kMs);  // 65-70 and 90-95 in each trace
}

// The topology too: the repeated span id no longer needs the table (first span wins).
TEST(StreamingTopology, RepeatedSpanIdsAndMessagingAsTheSpanTable) {
  HandStore h;
  AnalysisScope whole, cut;
  cut.time.min_ns = kBase + 5 * kMs;
  for (const AnalysisScope* scope : {&whole, &cut}) {
    auto fast = ComputeTopologyStreaming(h.store(), *scope);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    ASSERT_TRUE(fast->has_value());
    Result<Topology> slow = ComputeTopologyFromTable(h.store(), *scope);
    ASSERT_TRUE(slow.ok());
    const Topology& a = **fast;
    EXPECT_EQ(std::tie(a.traces, a.window_ns), std::tie(slow->traces, slow->window_ns));
    ASSERT_EQ(a.services.size(), slow->services.size());
    for (size_t i = 0; i < a.services.size(); ++i) {
      EXPECT_EQ(std::tie(a.services[i].name, a.services[i].requests, a.services[i].errors),
                std::tie(slow->services[i].name, slow->services[i].requests, slow->services[i].errors));
    }
    ASSERT_EQ(a.edges.size(), slow->edges.size());
    for (size_t i = 0; i < a.edges.size(); ++i) {
      const TopologyEdge &x = a.edges[i], &y = slow->edges[i];
      EXPECT_EQ(std::tie(x.parent, x.child, x.messaging, x.calls, x.p50_ns, x.p99_ns),
                std::tie(y.parent, y.child, y.messaging, y.calls, y.p50_ns, y.p99_ns));
    }
  }
  // frontend -> worker: "db", "dup" and the messaging "consume" (publish is the producer).
  Topology t = **ComputeTopologyStreaming(h.store(), whole);
  uint64_t sync_calls = 0, messaging_calls = 0;
  for (const TopologyEdge& e : t.edges) {
    if (e.parent != "frontend" || e.child != "worker") continue;
    (e.messaging ? messaging_calls : sync_calls) += e.calls;
  }
  EXPECT_EQ(sync_calls, 120u);
  EXPECT_EQ(messaging_calls, 60u);
}

// A span longer than a topology record holds (78 h) leaves the answer to the SpanTable.
TEST(StreamingTopology, HugeLatencyFallsBackToTheSpanTable) {
  char tmpl[] = "/tmp/ddbg-streaming-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  {
    auto store = OpenEmbeddedStore(dir);
    ASSERT_TRUE(store.ok());
    SpanBatch b;
    constexpr int64_t k100h = 100LL * 3600 * 1000;
    AddHandTrace(&b, TraceId{1, 2}, {{1, 0, "batch", "nightly", 0, k100h, false, SpanKind::kServer},
                                     {2, 1, "db", "scan", 10, k100h - 10, false, SpanKind::kServer}});
    ASSERT_TRUE((*store)->AppendSpans(b).ok());
    auto fast = ComputeTopologyStreaming(**store, {});
    ASSERT_TRUE(fast.ok());
    EXPECT_FALSE(fast->has_value());
    Result<Topology> t = ComputeTopology(**store, {});
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->edges.size(), 1u);
    EXPECT_EQ(t->edges[0].p50_ns, (k100h - 20) * kMs);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ddbg
