// GetTrace / GetTraceLogs with the decoded-segment cache (EmbeddedStoreOptions::cache_bytes)
// give exactly what the uncached store gives: warmed by appends, filled by reads, under
// eviction, across reopen, for traces spread over segments.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "ddbg/store.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::BitDiff;
using store_test::ScratchDir;

std::unique_ptr<Store> Open(const std::string& dir, size_t cache_bytes) {
  EmbeddedStoreOptions options;
  options.cache_bytes = cache_bytes;
  options.max_rows_per_segment = 40;  // several segments per append
  Result<std::unique_ptr<Store>> s = OpenEmbeddedStore(dir, options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// Three appends of overlapping trace ranges, so traces are spread over segments.
void Fill(Store& s) {
  for (int64_t k = 0; k < 3; ++k) {
    SpanBatch spans = store_test::MakeSpans(100, 0x300 + static_cast<uint64_t>(k) * 10, k * 1000000000);
    for (SpanId& id : spans.span_id) id += static_cast<uint64_t>(k) << 32;
    ASSERT_TRUE(s.AppendSpans(spans).ok());
    ASSERT_TRUE(s.AppendLogs(store_test::MakeLogs(90, 0x300 + static_cast<uint64_t>(k) * 10, k)).ok());
  }
}

void ExpectSameLookups(Store& cached, Store& plain) {
  for (uint64_t t = 0x2f0; t < 0x360; ++t) {
    TraceId id{3, t};
    Result<SpanBatch> a = cached.GetTrace(id);
    Result<SpanBatch> b = plain.GetTrace(id);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
    EXPECT_EQ(BitDiff(*a, *b), "") << std::hex << t;
    Result<LogBatch> la = cached.GetTraceLogs(id);
    Result<LogBatch> lb = plain.GetTraceLogs(id);
    ASSERT_TRUE(la.ok() && lb.ok());
    EXPECT_EQ(BitDiff(*la, *lb), "") << std::hex << t;
  }
}

TEST(TraceCache, WarmedByAppendsSameAsUncached) {
  ScratchDir dir;
  auto writer = Open(dir.path(), 64 << 20);
  Fill(*writer);
  auto plain = Open(dir.path(), 0);
  Result<SpanBatch> some = plain->GetTrace(TraceId{3, 0x310});
  ASSERT_TRUE(some.ok());
  EXPECT_GT(some->size(), 3u);  // spread over appends
  ExpectSameLookups(*writer, *plain);
  ExpectSameLookups(*writer, *plain);  // second round: every segment cached
}

TEST(TraceCache, FilledByReadsAndUnderEvictionSameAsUncached) {
  ScratchDir dir;
  {
    auto writer = Open(dir.path(), 0);
    Fill(*writer);
  }
  auto plain = Open(dir.path(), 0);
  auto roomy = Open(dir.path(), 64 << 20);
  ExpectSameLookups(*roomy, *plain);
  ExpectSameLookups(*roomy, *plain);
  // A budget for about one segment: entries are evicted all the time, answers stay right.
  auto tight = Open(dir.path(), 40 << 10);
  ExpectSameLookups(*tight, *plain);
  // A budget below one segment caches nothing and still answers.
  auto tiny = Open(dir.path(), 64);
  ExpectSameLookups(*tiny, *plain);
}

// Lookups from several threads at once, with a budget that keeps evicting: every answer
// is still the uncached one.
TEST(TraceCache, ConcurrentLookupsUnderEvictionSameAsUncached) {
  ScratchDir dir;
  {
    auto writer = Open(dir.path(), 0);
    Fill(*writer);
  }
  auto plain = Open(dir.path(), 0);
  std::vector<SpanBatch> expected;
  for (uint64_t t = 0x2f0; t < 0x360; ++t) expected.push_back(*plain->GetTrace(TraceId{3, t}));
  auto tight = Open(dir.path(), 40 << 10);
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < expected.size(); ++i) {
          size_t j = (i * 7 + static_cast<size_t>(k) * 13) % expected.size();
          Result<SpanBatch> got = tight->GetTrace(TraceId{3, 0x2f0 + j});
          wrong[static_cast<size_t>(k)] += !got.ok() || BitDiff(*got, expected[j]) != "";
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(TraceCache, DamagedSegmentIsReportedNotCached) {
  ScratchDir dir;
  auto writer = Open(dir.path(), 0);
  ASSERT_TRUE(writer->AppendSpans(store_test::MakeSpans(6, 0x700, 0)).ok());
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().filename().string().rfind("spans-", 0) == 0) file = e.path().string();
  }
  ASSERT_FALSE(file.empty());
  std::filesystem::resize_file(file, 100);
  auto cached = Open(dir.path(), 64 << 20);
  for (int round = 0; round < 2; ++round) {
    Result<SpanBatch> t = cached->GetTrace(TraceId{7, 0x700});
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace ddbg
