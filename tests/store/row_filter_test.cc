// Row-filtered span scans (ScanFilter::span_rows): the batches hold exactly the rows a full
// read filtered afterwards holds — same dictionary, resources and scopes, the kept rows in
// stored order with their attributes, events and links — on format 2 segments written
// here and on the format 1 fixture, for parallel scans, projections, no row and every row.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ddbg/store.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_reader.h"
#include "store/embedded/segment_writer.h"
#include "store/store_test_util.h"

namespace ddbg {
namespace {

using store_test::BitDiff;
using store_test::MakeSpans;
using store_test::ScratchDir;

// Keeps the rows whose trace id's low word satisfies `pred`.
template <typename Pred>
TraceRowFilter KeepTraces(Pred pred) {
  return [pred](const TraceId* ids, size_t n, uint8_t* keep) {
    for (size_t i = 0; i < n; ++i) keep[i] = pred(ids[i]) ? 1 : 0;
  };
}

void CopyAttrs(const AttrColumns& from, uint32_t begin, uint32_t end, AttrColumns* to) {
  for (uint32_t a = begin; a < end; ++a) to->Add(from.key[a], from.type[a], from.value[a]);
}

// The kept rows of `b` (the same string, resource and scope ids), built through the model's
// own append API, independently of the reader.
SpanBatch RowsOf(const SpanBatch& b, const TraceRowFilter& filter) {
  std::vector<uint8_t> keep(b.size(), 0);
  filter(b.trace_id.data(), b.size(), keep.data());
  SpanBatch out;
  out.dict = b.dict;
  out.resources = b.resources;
  out.scopes = b.scopes;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!keep[i]) continue;
    CopyAttrs(b.attrs, b.attr_off.begin(i), b.attr_off.end(i), &out.attrs);
    for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
      CopyAttrs(b.event_attrs, b.event_attr_off.begin(e), b.event_attr_off.end(e), &out.event_attrs);
      out.CommitEvent(b.event_time_ns[e], b.event_name[e]);
    }
    for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
      CopyAttrs(b.link_attrs, b.link_attr_off.begin(l), b.link_attr_off.end(l), &out.link_attrs);
      out.CommitLink(b.link_trace_id[l], b.link_span_id[l], b.link_trace_state[l]);
    }
    out.CommitSpan(b.Row(i));
    out.service.back() = b.service[i];
  }
  return out;
}

// Every batch of a parallel scan, by ordinal.
std::vector<SpanBatch> ScanAll(Store& s, const ScanFilter& filter, int workers) {
  std::map<size_t, SpanBatch> got;
  std::mutex mu;
  Status st = s.ScanSpansParallel(filter, workers, [&](const SpanBatch& b, size_t n) {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(got.emplace(n, b).second) << "ordinal " << n << " twice";
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<SpanBatch> out;
  for (auto& [n, b] : got) {
    EXPECT_EQ(n, out.size()) << "an ordinal is missing";
    out.push_back(std::move(b));
  }
  return out;
}

// Scans with and without `rows` (on 1 and 2 workers) and compares batch by batch; returns
// the number of rows kept.
size_t ExpectFilteredEqualsFullFiltered(Store& s, ScanFilter filter, const TraceRowFilter& rows) {
  size_t kept = 0;
  for (int workers : {1, 2}) {
    filter.span_rows = nullptr;
    std::vector<SpanBatch> full = ScanAll(s, filter, workers);
    filter.span_rows = rows;
    std::vector<SpanBatch> part = ScanAll(s, filter, workers);
    EXPECT_EQ(full.size(), part.size());
    kept = 0;
    for (size_t k = 0; k < std::min(full.size(), part.size()); ++k) {
      SpanBatch want = RowsOf(full[k], rows);
      if (part[k].empty()) {
        EXPECT_TRUE(want.empty()) << "batch " << k;
        continue;
      }
      EXPECT_EQ(BitDiff(want, part[k]), "") << "batch " << k << ", " << workers << " workers";
      kept += part[k].size();
    }
  }
  return kept;
}

class RowFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedStoreOptions options;
    options.max_rows_per_segment = 400;
    auto s = OpenEmbeddedStore(dir_.path(), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    // Three-span traces, then one-span traces (kept rows then lie apart from each other).
    ASSERT_TRUE(store_->AppendSpans(MakeSpans(1000, 0x5000, 1'700'000'000'000'000'000)).ok());
    ASSERT_TRUE(store_->AppendSpans(MakeSpans(600, 0x9000, 1'700'000'100'000'000'000, 1)).ok());
  }
  ScratchDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RowFilterTest, KeptRowsEqualAFullReadFilteredAfterwards) {
  size_t kept = ExpectFilteredEqualsFullFiltered(
      *store_, {}, KeepTraces([](TraceId t) { return t.lo % 3 == 1 || t.lo % 7 == 0; }));
  EXPECT_GT(kept, 300u);
  EXPECT_LT(kept, 1000u);
}

TEST_F(RowFilterTest, SingleScatteredRowsAndProjections) {
  auto rows = KeepTraces([](TraceId t) { return t.lo % 11 == 4; });
  for (SpanColumns columns : {SpanColumns::kStructure, SpanColumns::kLinks,
                              SpanColumns::kAttributes | SpanColumns::kEvents, SpanColumns::kAll}) {
    ScanFilter filter;
    filter.span_columns = columns;
    EXPECT_GT(ExpectFilteredEqualsFullFiltered(*store_, filter, rows), 100u);
  }
}

TEST_F(RowFilterTest, EveryRowKeptEqualsTheFullRead) {
  auto all = KeepTraces([](TraceId) { return true; });
  EXPECT_EQ(ExpectFilteredEqualsFullFiltered(*store_, {}, all), 1600u);
  ScanFilter filter;
  filter.span_rows = all;
  std::vector<SpanBatch> part = ScanAll(*store_, filter, 2);
  std::vector<SpanBatch> full = ScanAll(*store_, {}, 2);
  ASSERT_EQ(part.size(), full.size());
  for (size_t k = 0; k < full.size(); ++k) EXPECT_EQ(BitDiff(full[k], part[k]), "") << k;
}

TEST_F(RowFilterTest, NoRowKeptGivesEmptyBatchesForEveryOrdinal) {
  ScanFilter filter;
  filter.span_rows = KeepTraces([](TraceId) { return false; });
  std::vector<SpanBatch> part = ScanAll(*store_, filter, 2);
  EXPECT_EQ(part.size(), 5u);  // 1600 rows in segments of at most 400
  for (const SpanBatch& b : part) EXPECT_TRUE(b.empty());
  size_t calls = 0;
  ASSERT_TRUE(store_->ScanSpans(filter, [&](const SpanBatch& b) {
    ++calls;
    EXPECT_TRUE(b.empty());
    return Status::Ok();
  }).ok());
  EXPECT_EQ(calls, 5u);
}

TEST_F(RowFilterTest, SegmentCursorsIgnoreTheRowFilter) {
  ScanFilter filter;
  filter.span_rows = KeepTraces([](TraceId) { return false; });
  uint64_t rows = 0;
  ASSERT_TRUE(store_->ForEachSpanSegment(filter, [&](SegmentCursor& c) -> Result<bool> {
    SpanBatch b;
    DDBG_RETURN_IF_ERROR(c.ReadSpans(&b));
    rows += b.size();
    return true;
  }).ok());
  EXPECT_EQ(rows, 1600u);
}

TEST(RowFilter, FormatVersion1Fixture) {
  EmbeddedStoreOptions options;
  options.create_if_missing = false;
  options.read_only = true;
  auto s = OpenEmbeddedStore(std::string(DDBG_FIXTURES) + "/store-v1", options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<SpanBatch> full = ScanAll(**s, {}, 1);
  ASSERT_EQ(full.size(), 1u);
  ASSERT_EQ(full[0].size(), 16u);
  // Every other distinct trace of the fixture.
  std::vector<TraceId> traces = full[0].trace_id;
  std::sort(traces.begin(), traces.end());
  traces.erase(std::unique(traces.begin(), traces.end()), traces.end());
  ASSERT_GE(traces.size(), 2u);
  std::vector<TraceId> wanted;
  for (size_t i = 0; i < traces.size(); i += 2) wanted.push_back(traces[i]);
  auto rows = KeepTraces([wanted](TraceId t) {
    return std::find(wanted.begin(), wanted.end(), t) != wanted.end();
  });
  size_t kept = ExpectFilteredEqualsFullFiltered(**s, {}, rows);
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, 16u);
  ScanFilter structure;
  structure.span_columns = SpanColumns::kStructure;
  EXPECT_EQ(ExpectFilteredEqualsFullFiltered(**s, structure, rows), kept);
}

// A row-filtered read of a damaged segment reports Corruption naming the file (or, when the
// damage lies in an index chunk it leaves to its readers, gives the undamaged rows); it
// never crashes.
TEST(RowFilter, FlippedBytesAreCaughtByAFilteredRead) {
  ScratchDir dir;
  SpanBatch in = MakeSpans(12, 0x10, 5);
  Result<store::WrittenSegment> w = store::WriteSegment(dir.Sub("s"), in, {});
  ASSERT_TRUE(w.ok());
  TraceRowFilter rows = KeepTraces([](TraceId t) { return t.lo % 2 == 1; });
  store::SegmentReadOptions options;
  options.row_filter = &rows;
  SpanBatch want;
  ASSERT_TRUE(store::ReadSegment(dir.Sub("s"), w->entry, &want, options).ok());
  ASSERT_EQ(want.size(), 6u);
  size_t caught = 0, flipped = 0;
  store_test::ForEachFlippedByte(dir.Sub("s"), dir.Sub("bad"), [&](size_t i, const std::string& path) {
    ++flipped;
    SpanBatch out;
    Status st = store::ReadSegment(path, w->entry, &out, options);
    if (st.ok()) {
      EXPECT_EQ(BitDiff(want, out), "") << "byte " << i;
      return;
    }
    ++caught;
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "byte " << i << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  });
  EXPECT_GT(caught, flipped / 2);
}

TEST(RowFilter, KeepRowsCopiesTheKeptRowsForOtherBackends) {
  SpanBatch b = MakeSpans(30, 0x100, 1'000'000'000);
  ScanFilter filter;
  SpanBatch scratch;
  EXPECT_EQ(&KeepRows(filter, b, &scratch), &b);
  filter.span_rows = KeepTraces([](TraceId t) { return t.lo % 2 == 0; });
  const SpanBatch& kept = KeepRows(filter, b, &scratch);
  SpanBatch want = RowsOf(b, filter.span_rows);
  ASSERT_EQ(kept.size(), want.size());
  EXPECT_EQ(kept.span_id, want.span_id);
  EXPECT_EQ(kept.trace_id, want.trace_id);
  EXPECT_EQ(kept.attrs.size(), want.attrs.size());
  EXPECT_EQ(kept.event_time_ns, want.event_time_ns);
  EXPECT_EQ(kept.link_span_id, want.link_span_id);
}

}  // namespace
}  // namespace ddbg
