#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

void AddEvents(DecodeContext& ctx, int n) {
  for (int i = 0; i < n; ++i) {
    EventRow row;
    row.stream = ctx.events.dict.Intern("s");
    row.version = static_cast<uint64_t>(i + 1);
    ctx.events.CommitEvent(row);
  }
}

TEST(DecodeContext, RejectionToStringNamesLineOrOffset) {
  EXPECT_EQ(
      (Rejection{"traces.json", 17, 300, "spanId must be 16 hex characters, got 15"}).ToString(),
      "traces.json:17: spanId must be 16 hex characters, got 15");
  EXPECT_EQ((Rejection{"x.pb", 0, 1234, "bad field"}).ToString(), "x.pb@1234: bad field");
}

TEST(DecodeContext, KeepsAtMostTheMaximumRejectionsAndCountsTheRest) {
  DecodeContext ctx("big.log");
  const size_t n = DecodeStats::kMaxKeptRejections + 5;
  for (size_t i = 0; i < n; ++i) ctx.Reject(i + 1, 0, "bad");
  EXPECT_EQ(ctx.stats.rejected, n);
  EXPECT_EQ(ctx.stats.rejections.size(), DecodeStats::kMaxKeptRejections);
  EXPECT_EQ(ctx.stats.rejections_dropped, 5u);
  EXPECT_EQ(ctx.stats.rejections.front().source, "big.log");
  EXPECT_EQ(ctx.stats.rejections.back().line, DecodeStats::kMaxKeptRejections);
}

TEST(DecodeContext, FormatNamesRoundTrip) {
  const Format all[] = {Format::kAuto,       Format::kOtlpJson,    Format::kOtlpProto,
                        Format::kJaegerJson, Format::kZipkinJson,  Format::kJsonLogs,
                        Format::kTextLogs,   Format::kEventsJsonl, Format::kGroundTruth};
  const char* names[] = {"auto",      "otlp-json", "otlp-proto",   "jaeger-json", "zipkin-json",
                         "json-logs", "text-logs", "events-jsonl", "ground-truth"};
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_STREQ(FormatName(all[i]), names[i]);
    Format f = Format::kAuto;
    ASSERT_TRUE(ParseFormatName(names[i], &f));
    EXPECT_EQ(f, all[i]);
  }
  Format f = Format::kJsonLogs;
  EXPECT_FALSE(ParseFormatName("json", &f));
  EXPECT_FALSE(ParseFormatName("", &f));
  EXPECT_EQ(f, Format::kJsonLogs);
}

TEST(DecodeContext, FlushesPastTheByteThresholdAndCountsOnce) {
  size_t calls = 0, rows = 0;
  DecodeContext ctx(
      "e.jsonl",
      [&](SpanBatch& s, LogBatch& l, EventBatch& e) {
        ++calls;
        rows += e.size();
        EXPECT_TRUE(s.empty());
        EXPECT_TRUE(l.empty());
        return Status::Ok();
      },
      1000);
  AddEvents(ctx, 5);  // 5 * 64 bytes + dict: below 1000
  ASSERT_TRUE(ctx.MaybeFlush().ok());
  EXPECT_EQ(calls, 0u);
  EXPECT_EQ(ctx.stats.events, 0u);
  AddEvents(ctx, 20);
  ASSERT_TRUE(ctx.MaybeFlush().ok());
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(rows, 25u);
  EXPECT_EQ(ctx.stats.events, 25u);
  EXPECT_TRUE(ctx.events.empty());  // cleared even if the flush function did not
  AddEvents(ctx, 3);
  ASSERT_TRUE(ctx.Finish().ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(ctx.stats.events, 28u);
}

TEST(DecodeContext, FlushesPastTheRowLimitWhateverTheBytes) {
  size_t calls = 0;
  DecodeContext ctx(
      "e.jsonl",
      [&](SpanBatch&, LogBatch&, EventBatch&) {
        ++calls;
        return Status::Ok();
      },
      size_t{1} << 40);
  AddEvents(ctx, 256 << 10);
  ASSERT_TRUE(ctx.MaybeFlush().ok());
  EXPECT_EQ(calls, 0u);
  AddEvents(ctx, 1);
  ASSERT_TRUE(ctx.MaybeFlush().ok());
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(ctx.stats.events, (256u << 10) + 1);
}

TEST(DecodeContext, WithoutAFlushFunctionKeepsRowsAndCountsAtFinish) {
  DecodeContext ctx("e.jsonl", nullptr, 10);
  AddEvents(ctx, 50);
  ASSERT_TRUE(ctx.MaybeFlush().ok());
  EXPECT_EQ(ctx.events.size(), 50u);
  EXPECT_EQ(ctx.stats.events, 0u);
  ASSERT_TRUE(ctx.Finish().ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(ctx.stats.events, 50u);
  EXPECT_EQ(ctx.events.size(), 50u);
}

TEST(DecodeContext, AFailedFlushKeepsTheRowsAndReturnsTheError) {
  DecodeContext ctx(
      "e.jsonl", [](SpanBatch&, LogBatch&, EventBatch&) { return Status::IOError("disk full"); },
      10);
  AddEvents(ctx, 5);
  Status st = ctx.MaybeFlush();
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_EQ(ctx.events.size(), 5u);
  EXPECT_EQ(ctx.stats.events, 0u);
}

TEST(DecodeContext, DecodeBufferSkipsGroundTruthAndRefusesAuto) {
  DecodeContext ctx("ground_truth.json");
  EXPECT_TRUE(DecodeBuffer(Format::kGroundTruth, "{\"faults\":[]}", ctx).ok());
  EXPECT_TRUE(ctx.logs.empty() && ctx.spans.empty() && ctx.events.empty());
  Status st = DecodeBuffer(Format::kAuto, "{}", ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(DecodeContext, DecodeBufferDispatchesToTheLogAndEventDecoders) {
  DecodeContext text("a.log");
  ASSERT_TRUE(DecodeBuffer(Format::kTextLogs, "2024-05-01T12:00:00Z INFO hi\n", text).ok());
  EXPECT_EQ(text.logs.size(), 1u);
  DecodeContext json("a.jsonl");
  ASSERT_TRUE(DecodeBuffer(Format::kJsonLogs, "{\"ts\":1714564800,\"msg\":\"hi\"}\n", json).ok());
  EXPECT_EQ(json.logs.size(), 1u);
  DecodeContext events("e.jsonl");
  ASSERT_TRUE(
      DecodeBuffer(Format::kEventsJsonl, "{\"stream\":\"s\",\"ts\":1714564800}\n", events).ok());
  EXPECT_EQ(events.events.size(), 1u);
}

// Mutated inputs (flipped, dropped, inserted and cut bytes) never crash a decoder, and every
// rejection is accounted for.
TEST(DecodeContext, LogAndEventDecodersSurviveMutatedInput) {
  std::vector<std::string> seeds;
  for (const char* f : {"/logs/orders.jsonl", "/events/orders.jsonl", "/logs/checkout.log"}) {
    std::ifstream in(std::string(DDBG_FIXTURES) + f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    seeds.push_back(ss.str());
    ASSERT_FALSE(seeds.back().empty()) << f;
  }
  std::mt19937 rng(42);
  for (int it = 0; it < 1500; ++it) {
    std::string s = seeds[it % seeds.size()];
    for (int m = 1 + static_cast<int>(rng() % 6); m > 0 && !s.empty(); --m) {
      size_t pos = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[pos] = static_cast<char>(rng());
          break;
        case 1:
          s.erase(pos, rng() % 16);
          break;
        case 2:
          s.insert(pos, 1, "{}[]\":,\n\\ 0aZ-."[rng() % 16]);
          break;
        default:
          s.resize(pos);
          break;
      }
    }
    for (Format f : {Format::kJsonLogs, Format::kEventsJsonl, Format::kTextLogs}) {
      DecodeContext ctx("m");
      (void)DecodeBuffer(f, s, ctx);
      ASSERT_EQ(ctx.stats.rejected, ctx.stats.rejections.size() + ctx.stats.rejections_dropped);
    }
    (void)DetectFormat("m", s);
    (void)MaybeDecompress(s);
  }
}

}  // namespace
}  // namespace ddbg
