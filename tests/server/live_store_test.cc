// The live store's head: a trace is found in the head by its index (rows of any chunk, in
// LSN order, whatever order the chunks arrived in), exactly once across a seal, together
// with what the store already holds; planners see store segments and head chunks.
#include <gtest/gtest.h>

#include "ddbg/logql.h"
#include "ddbg/traceql.h"
#include "server/live_store.h"
#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

using server::LiveStore;

// Spans (trace lo, span id) of service "svc", one log record per span with its ids.
struct Rows {
  std::shared_ptr<SpanBatch> spans = std::make_shared<SpanBatch>();
  std::shared_ptr<LogBatch> logs = std::make_shared<LogBatch>();
};

Rows Make(const std::vector<std::pair<uint64_t, SpanId>>& ids) {
  Rows r;
  uint32_t res = r.spans->CommitResource(r.spans->dict.Intern("svc"));
  uint32_t lres = r.logs->CommitResource(r.logs->dict.Intern("svc"));
  for (const auto& [lo, span] : ids) {
    SpanRow row;
    row.trace_id = TraceId{1, lo};
    row.span_id = span;
    row.resource = res;
    row.name = r.spans->dict.Intern("op");
    row.start_ns = 1000 + static_cast<int64_t>(span);
    row.end_ns = row.start_ns + 10;
    r.spans->CommitSpan(row);
    LogRow log;
    log.time_ns = row.start_ns;
    log.resource = lres;
    log.trace_id = row.trace_id;
    log.span_id = span;
    log.body = r.logs->dict.Intern("line " + std::to_string(span));
    r.logs->CommitLog(log);
  }
  return r;
}

std::vector<SpanId> SpanIds(const SpanBatch& b) { return b.span_id; }
std::vector<SpanId> LogSpanIds(const LogBatch& b) { return b.span_id; }

// Without and with the decoded-segment cache and the query cache (two readers swapped at
// each seal, sharing both).
class LiveStoreHead : public ::testing::TestWithParam<uint64_t> {};

TEST_P(LiveStoreHead, TraceLookupUsesTheHeadIndexAcrossSeals) {
  ScratchDir dir;
  auto opened = LiveStore::Open(dir.Sub("data"), GetParam(), GetParam());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LiveStore& store = **opened;
  Rows second = Make({{7, 3}, {8, 4}, {7, 5}});
  Rows first = Make({{7, 1}, {9, 2}});
  store.AddToHead(2, second.spans, second.logs);  // arrives before LSN 1
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{3, 5}));
  store.AddToHead(1, first.spans, first.logs);
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5}));
  EXPECT_EQ(LogSpanIds(*store.GetTraceLogs(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5}));
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 9})), (std::vector<SpanId>{2}));
  EXPECT_TRUE(store.GetTrace(TraceId{1, 6})->empty());

  ASSERT_EQ(*store.Seal(), 2u);
  EXPECT_EQ(store.Head().spans, 0u);
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5}));

  Rows third = Make({{7, 6}, {8, 7}});
  store.AddToHead(3, third.spans, third.logs);
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5, 6}));
  EXPECT_EQ(LogSpanIds(*store.GetTraceLogs(TraceId{1, 8})), (std::vector<SpanId>{4, 7}));

  // Planners: the store's segments, then the head chunk.
  uint64_t rows = 0, segments = 0;
  ASSERT_TRUE(store.ForEachSpanSegment({}, [&](SegmentCursor& c) -> Result<bool> {
    rows += c.rows();
    ++segments;
    return true;
  }).ok());
  EXPECT_EQ(rows, 7u);
  EXPECT_GE(segments, 2u);
  ASSERT_EQ(*store.Seal(), 3u);
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 8})), (std::vector<SpanId>{4, 7}));
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5, 6}));
  // A fourth seal: with the cache, the reader swapped in now missed seal 3 while standby.
  Rows fourth = Make({{7, 8}});
  store.AddToHead(4, fourth.spans, fourth.logs);
  ASSERT_EQ(*store.Seal(), 4u);
  EXPECT_EQ(SpanIds(*store.GetTrace(TraceId{1, 7})), (std::vector<SpanId>{1, 3, 5, 6, 8}));
  EXPECT_EQ(LogSpanIds(*store.GetTraceLogs(TraceId{1, 8})), (std::vector<SpanId>{4, 7}));
  EXPECT_EQ(store.Stats()->spans, 8u);
}

std::set<uint64_t> TraceLos(const Result<std::vector<TraceId>>& ids) {
  std::set<uint64_t> out;
  for (TraceId id : *ids) out.insert(id.lo);
  return out;
}

uint64_t LinesMatching(Store& store, const std::string& logql) {
  LogQueryOptions o;
  o.limit = 0;
  auto r = EvalLogQL(store, logql, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->lines.size() : 0;
}

// Queries asked again after each seal (the readers swapped, the query cache filled by the
// other reader) see every sealed segment and the head, never a stale answer.
TEST_P(LiveStoreHead, RepeatedQueriesSeeEverySealAcrossReaderSwaps) {
  ScratchDir dir;
  auto opened = LiveStore::Open(dir.Sub("data"), GetParam(), GetParam());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LiveStore& store = **opened;
  const std::string traceql = "{ resource.service.name = \"svc\" && name = \"op\" }";
  std::set<uint64_t> expected;
  uint64_t lines = 0;
  for (uint64_t lsn = 1; lsn <= 4; ++lsn) {
    Rows r = Make({{10 + lsn, 2 * lsn}, {20 + lsn, 2 * lsn + 1}});
    store.AddToHead(lsn, r.spans, r.logs);
    expected.insert({10 + lsn, 20 + lsn});
    lines += 2;
    EXPECT_EQ(TraceLos(FindTraceIds(store, traceql, {}, 0)), expected) << "head " << lsn;
    ASSERT_EQ(*store.Seal(), lsn);
    for (int again = 0; again < 2; ++again) {
      EXPECT_EQ(TraceLos(FindTraceIds(store, traceql, {}, 0)), expected) << "seal " << lsn;
      EXPECT_EQ(LinesMatching(store, "{service=\"svc\"} |= \"line\""), lines) << "seal " << lsn;
    }
  }
  EXPECT_EQ(LinesMatching(store, "{service=\"svc\"} |= \"line 9\""), 1u);
}

INSTANTIATE_TEST_SUITE_P(Cache, LiveStoreHead, ::testing::Values(0, 64ull << 20));

}  // namespace
}  // namespace ddbg::server_test
