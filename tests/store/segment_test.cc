// The segment file and its column codecs, below the Store interface.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "store/embedded/column_codec.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_reader.h"
#include "store/embedded/segment_writer.h"
#include "store/store_test_util.h"

namespace ddbg::store {
namespace {

using store_test::BitDiff;
using store_test::ContentDiff;
using store_test::ScratchDir;

template <typename Batch>
void RoundTrip(const Batch& in, Batch* out, int threads = 0) {
  ScratchDir dir;
  std::string path = dir.Sub("seg");
  SegmentWriteOptions w;
  w.threads = threads;
  Result<WrittenSegment> written = WriteSegment(path, in, w);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->entry.rows, in.size());
  EXPECT_EQ(written->entry.file_bytes, FileSize(path).value());
  SegmentReadOptions r;
  r.threads = threads;
  Status st = ReadSegment(path, written->entry, out, r);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST(ColumnCodec, IntegerEncodingsRoundTripExtremeValues) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> v = {0, kMax, kMin, -1, 1, kMin, kMax, 1700000000000000000};
  std::vector<int64_t> base = {kMax, kMin, kMax, 0, 0, 5, -5, 1};
  std::string enc;
  PutDeltas(v, &enc);
  std::vector<int64_t> back;
  ASSERT_TRUE(GetDeltas(enc, v.size(), &back));
  EXPECT_EQ(back, v);
  enc.clear();
  PutDiffs(v, base, &enc);
  ASSERT_TRUE(GetDiffs(enc, base, &back));
  EXPECT_EQ(back, v);
  std::vector<uint32_t> u = {0, 0xffffffffu, 7, 0x80u};
  enc.clear();
  PutVarints32(u.data(), u.size(), &enc);
  std::vector<uint32_t> uback;
  ASSERT_TRUE(GetVarints32(enc, u.size(), &uback));
  EXPECT_EQ(uback, u);
  // One value short, one too many, and a truncated varint are all rejected.
  EXPECT_FALSE(GetVarints32(enc, u.size() - 1, &uback));
  EXPECT_FALSE(GetVarints32(enc, u.size() + 1, &uback));
  EXPECT_FALSE(GetVarints32(std::string_view(enc).substr(0, enc.size() - 1), u.size(), &uback));
}

// Span and log segments renumber string ids (the two-part dictionary): a read gives the same
// strings in every row, in the same order; event segments read back bit-exact.
// Runs of one-byte varints are decoded eight at a time; mixed runs, every length around the
// block size and damaged input must decode exactly as value-by-value decoding would.
TEST(ColumnCodec, VarintRunsOfEveryLengthRoundTrip) {
  for (size_t n = 0; n < 40; ++n) {
    std::vector<uint32_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = i % 11 == 10 ? 300u + static_cast<uint32_t>(i) : i % 7;
    std::string enc;
    PutVarints32(v.data(), v.size(), &enc);
    std::vector<uint32_t> back;
    ASSERT_TRUE(GetVarints32(enc, n, &back)) << n;
    EXPECT_EQ(back, v) << n;
    if (n == 0) continue;
    EXPECT_FALSE(GetVarints32(enc, n - 1, &back)) << n;  // a byte left over
    EXPECT_FALSE(GetVarints32(enc + std::string(1, '\x01'), n, &back)) << n;
    std::string cut = enc;
    cut.back() = static_cast<char>(0x81);  // the last varint runs off the end
    EXPECT_FALSE(GetVarints32(cut, n, &back)) << n;
  }
}

// Values of every bit length (varints of 1 to 10 bytes), also at the end of the input
// where fewer than 8 bytes remain.
TEST(ColumnCodec, VarintsOfEveryLengthRoundTrip) {
  std::vector<uint64_t> v;
  for (int bits = 0; bits <= 64; ++bits) {
    uint64_t top = bits == 0 ? 0 : bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    v.push_back(top);
    v.push_back(top >> 1 | (bits > 0 ? uint64_t{1} << (bits - 1) : 0));
  }
  for (size_t n = 0; n <= v.size(); ++n) {
    std::vector<uint64_t> in(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
    std::reverse(in.begin(), in.end());
    std::string enc;
    PutVarints64(in.data(), in.size(), &enc);
    std::vector<uint64_t> back;
    ASSERT_TRUE(GetVarints64(enc, in.size(), &back)) << n;
    EXPECT_EQ(back, in) << n;
  }
  std::vector<int64_t> starts = {1700000000000000000, 1700000000000001234, 1699999999999000000,
                                 1700000000123456789, -5, 0};
  std::string enc;
  PutDeltas(starts, &enc);
  std::vector<int64_t> back;
  ASSERT_TRUE(GetDeltas(enc, starts.size(), &back));
  EXPECT_EQ(back, starts);
}

// zstd is kept only when it saves at least 1/8 of the bytes: random bytes with a few
// repeats (zstd saves a little) are stored as they are; repetitive bytes are compressed.
TEST(ColumnCodec, CompressionIsKeptOnlyWhenItSavesAnEighth) {
  ColumnCompressor compressor(3);
  std::string random(64 * 1024, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < random.size(); ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    random[i] = static_cast<char>(i % 16 == 0 ? 0 : x);  // 1 byte in 16 is predictable
  }
  std::string stored;
  EXPECT_EQ(compressor.Compress(random, &stored), Codec::kNone);
  EXPECT_EQ(stored, random);
  std::string repetitive;
  for (int i = 0; i < 4096; ++i) repetitive += "checkout-" + std::to_string(i % 7);
  EXPECT_EQ(compressor.Compress(repetitive, &stored), Codec::kZstd);
  EXPECT_LT(stored.size(), repetitive.size() / 8);
}

TEST(Segment, SpanBatchRoundTripsInContent) {
  SpanBatch in = store_test::MakeSpans(200, 0x5000, 1700000000000000000);
  // A span whose resource index is past the table, as the model tolerates.
  SpanRow odd;
  odd.trace_id = TraceId{1, 2};
  odd.span_id = 9;
  odd.resource = 77;
  odd.start_ns = std::numeric_limits<int64_t>::min();
  odd.end_ns = std::numeric_limits<int64_t>::max();
  in.CommitSpan(odd);
  in.dict.Intern("interned but never referenced");
  for (int threads : {1, 2}) {
    SpanBatch out;
    RoundTrip(in, &out, threads);
    EXPECT_EQ(ContentDiff(in, out), "") << "threads " << threads;
  }
}

TEST(Segment, LogBatchRoundTripsInContentWithTemplates) {
  LogBatch in = store_test::MakeLogs(300, 0x7000, 1700000000000000000);
  LogBatch out;
  RoundTrip(in, &out);
  EXPECT_EQ(ContentDiff(in, out), "");
  EXPECT_EQ(out.template_id[6], 2u);
  EXPECT_EQ(out.param_off.end(5) - out.param_off.begin(5), 2u);
}

TEST(Segment, EventBatchRoundTripsBitExactWithPayloads) {
  EventBatch in = store_test::MakeEvents(100, 1700000000000000000);
  in.version[3] = std::numeric_limits<uint64_t>::max();
  EventBatch out;
  RoundTrip(in, &out);
  EXPECT_EQ(BitDiff(in, out), "");
  EXPECT_EQ(out.dict.Get(out.payload[2]), "{\"amount\":6,\"note\":\"x\\ny\"}");
}

TEST(Segment, BigAndBinaryStringsRoundTrip) {
  SpanBatch in = store_test::MakeSpans(3, 0x10, 1000);
  std::string big(10 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) ^ (i >> 9));
  std::string binary("\x00\x01\xfe\xff\x00", 5);
  in.attrs.Add(in.dict.Intern("payload"), AttrType::kBytes, in.dict.Intern(big));
  in.attrs.AddString(in.dict.Intern("bin"), in.dict.Intern(binary));
  in.CommitSpan(in.Row(0));
  SpanBatch out;
  RoundTrip(in, &out);
  EXPECT_EQ(ContentDiff(in, out), "");
  EXPECT_EQ(out.dict.Get(static_cast<StrId>(out.attrs.value[out.attrs.size() - 2])), big);
  EXPECT_EQ(out.dict.Get(static_cast<StrId>(out.attrs.value.back())), binary);
}

TEST(Segment, IndexHoldsSortedDistinctTraceIdsAndServices) {
  ScratchDir dir;
  SpanBatch in = store_test::MakeSpans(10, 0x900, 0, 3, {"b-svc", "a-svc"});
  in.CommitSpan(SpanRow{});  // a span without a trace id is not indexed
  Result<WrittenSegment> w = WriteSegment(dir.Sub("s"), in, {});
  ASSERT_TRUE(w.ok());
  SegmentIndex index;
  ASSERT_TRUE(ReadSegmentIndex(dir.Sub("s"), w->entry, &index).ok());
  std::vector<TraceId> want = {{9, 0x900}, {9, 0x901}, {9, 0x902}, {9, 0x903}};
  EXPECT_EQ(index.trace_ids, want);
  EXPECT_EQ(index.services, (std::vector<std::string>{"a-svc", "b-svc"}));
  EXPECT_EQ(w->entry.services, index.services);
  // Bounds cover the known times; 0 (the span at t0 = 0 and the empty row) means unknown.
  int64_t lo = 0;
  for (int64_t t : in.start_ns) {
    if (t != 0 && (lo == 0 || t < lo)) lo = t;
  }
  EXPECT_EQ(w->entry.min_time_ns, lo);
  EXPECT_EQ(w->entry.max_time_ns, 10 * 1000000);
}

TEST(Segment, MalformedBatchIsRejectedBeforeWriting) {
  ScratchDir dir;
  SpanBatch in = store_test::MakeSpans(4, 1, 0);
  in.name[2] = static_cast<StrId>(in.dict.size() + 5);
  Result<WrittenSegment> w = WriteSegment(dir.Sub("s"), in, {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("name"), std::string::npos) << w.status().message();
  EXPECT_FALSE(PathExists(dir.Sub("s")));
}

// Flips each byte of the segment of `in` in turn: every damage is reported by a full read.
template <typename Batch>
void ExpectEveryFlippedByteCaught(const Batch& in) {
  ScratchDir dir;
  Result<WrittenSegment> w = WriteSegment(dir.Sub("s"), in, {});
  ASSERT_TRUE(w.ok());
  store_test::ForEachFlippedByte(dir.Sub("s"), dir.Sub("bad"), [&](size_t i, const std::string& path) {
    Batch out;
    Status st = ReadSegment(path, w->entry, &out);
    // Every byte, reserved ones included, is covered by some checksum.
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "byte " << i << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  });
}

TEST(Segment, EveryFlippedByteIsCaughtAndNothingCrashes) {
  ExpectEveryFlippedByteCaught(store_test::MakeEvents(20, 5));
  // Span segments have two dictionary chunks; a full read checks both.
  ExpectEveryFlippedByteCaught(store_test::MakeSpans(6, 0x10, 5));
}

}  // namespace
}  // namespace ddbg::store
