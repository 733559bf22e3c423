// A store written by the code before the two-part dictionary (segment format version 1),
// checked in as tests/fixtures/store-v1. It was made by main's `ddbg ingest` of
// tests/fixtures/report/hostile.otlp.jsonl, report/hostile-logs.jsonl, logs/checkout.log
// and events/orders.jsonl (16 spans, 9 logs, 4 events). This version must read it whole
// and projected, and give the same content when it writes the batches again as version 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ddbg/store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_format.h"
#include "store/embedded/segment_reader.h"
#include "store/embedded/segment_writer.h"
#include "store/store_test_util.h"

namespace ddbg::store {
namespace {

using store_test::ContentDiff;
using store_test::ScratchDir;

const std::string kStore = std::string(DDBG_FIXTURES) + "/store-v1";

std::unique_ptr<Store> OpenFixture() {
  EmbeddedStoreOptions options;
  options.create_if_missing = false;
  options.read_only = true;
  auto s = OpenEmbeddedStore(kStore, options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

template <typename Batch>
std::vector<Batch> Scan(Store& s, const ScanFilter& filter) {
  std::vector<Batch> out;
  auto keep = [&out](const Batch& b) {
    out.push_back(b);
    return Status::Ok();
  };
  Status st;
  if constexpr (std::is_same_v<Batch, SpanBatch>) st = s.ScanSpans(filter, keep);
  if constexpr (std::is_same_v<Batch, LogBatch>) st = s.ScanLogs(filter, keep);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// Writes `in` as a version 2 segment and reads it back whole.
template <typename Batch>
Batch RewriteAsVersion2(const Batch& in) {
  ScratchDir dir;
  Result<WrittenSegment> w = WriteSegment(dir.Sub("seg"), in, {});
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  Batch out;
  if (w.ok()) EXPECT_TRUE(ReadSegment(dir.Sub("seg"), w->entry, &out).ok());
  return out;
}

TEST(FormatV1, SegmentsOfTheFixtureAreVersion1) {
  for (const char* name : {"spans-000000000001.seg", "logs-000000000002.seg",
                           "logs-000000000003.seg", "events-000000000004.seg"}) {
    std::string head;
    ASSERT_TRUE(ReadFileRange(kStore + "/" + name, 0, kSegmentHeaderBytes, &head).ok()) << name;
    ASSERT_EQ(head.size(), kSegmentHeaderBytes);
    EXPECT_EQ(GetFixed32(head.data() + 8), 1u) << name;
  }
}

TEST(FormatV1, SpansReadWholeAndProjectedAndRewriteEqualInContent) {
  auto s = OpenFixture();
  ASSERT_NE(s, nullptr);
  std::vector<SpanBatch> full = Scan<SpanBatch>(*s, {});
  ASSERT_EQ(full.size(), 1u);
  const SpanBatch& b = full[0];
  ASSERT_EQ(b.size(), 16u);
  EXPECT_EQ(b.dict.Get(b.name[0]), "<script>alert(1)</script>");
  EXPECT_EQ(b.dict.Get(b.service[0]), "\"><img src=x onerror=alert(2)>");
  EXPECT_EQ(b.dict.Get(b.status_message[0]),
            "<iframe src=\"https://example.com/x\"></iframe> & \x1b[31mred");
  EXPECT_EQ(ContentDiff(b, RewriteAsVersion2(b)), "");

  ScanFilter structure;
  structure.span_columns = SpanColumns::kStructure;
  std::vector<SpanBatch> part = Scan<SpanBatch>(*s, structure);
  ASSERT_EQ(part.size(), 1u);
  EXPECT_EQ(part[0].name, b.name);  // version 1: one dictionary, the same ids
  EXPECT_EQ(part[0].status_message, std::vector<StrId>(16, kEmptyStr));
  EXPECT_TRUE(part[0].attrs.key.empty());

  Result<SpanBatch> trace = s->GetTrace(TraceId{0, 0xabc0});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->size(), 4u);
}

TEST(FormatV1, LogsAndEventsRead) {
  auto s = OpenFixture();
  ASSERT_NE(s, nullptr);
  std::vector<LogBatch> full = Scan<LogBatch>(*s, {});
  ASSERT_EQ(full.size(), 2u);
  size_t rows = 0;
  bool found_body = false;
  for (const LogBatch& b : full) {
    rows += b.size();
    EXPECT_EQ(ContentDiff(b, RewriteAsVersion2(b)), "");
    for (size_t i = 0; i < b.size(); ++i) {
      found_body |= b.dict.Get(b.body[i]).find("payment failed") != std::string_view::npos;
    }
  }
  EXPECT_EQ(rows, 9u);
  EXPECT_TRUE(found_body);
  ScanFilter structure;
  structure.log_columns = LogColumns::kStructure;
  for (const LogBatch& b : Scan<LogBatch>(*s, structure)) {
    EXPECT_EQ(b.body, std::vector<StrId>(b.size(), kEmptyStr));
  }
  Result<StoreStats> stats = s->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->spans, 16u);
  EXPECT_EQ(stats->logs, 9u);
  EXPECT_EQ(stats->events, 4u);
  size_t events = 0;
  ASSERT_TRUE(s->ScanEvents({}, [&](const EventBatch& e) {
                 events += e.size();
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(events, 4u);
}

}  // namespace
}  // namespace ddbg::store
