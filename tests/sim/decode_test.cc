// Every file the simulator writes is detected as its format and decoded by ddbg's decoders
// with zero rejections and exactly the record counts the simulation reports.
#include "ddbg/decode.h"

#include <gtest/gtest.h>

#include <set>

#include "ddbg/sim.h"
#include "sim_test_util.h"

namespace ddbg {
namespace {

using sim_test::ReadAll;
using sim_test::RunSim;
using sim_test::ScratchDir;

void ExpectDecodesExactly(const std::string& dir, const SimSummary& s) {
  ASSERT_FALSE(s.files.empty());
  uint64_t spans = 0, logs = 0, events = 0;
  std::set<std::string> formats;
  for (const SimFile& f : s.files) {
    std::string data = ReadAll(dir + "/" + f.path);
    ASSERT_EQ(data.size(), f.bytes) << f.path;
    Format format = DetectFormat(f.path, data);
    EXPECT_STREQ(FormatName(format), f.format.c_str()) << f.path;
    formats.insert(f.format);
    if (format == Format::kGroundTruth) continue;
    DecodeContext ctx(f.path);
    Status st = DecodeBuffer(format, data, ctx);
    ASSERT_TRUE(st.ok()) << f.path << ": " << st.ToString();
    ASSERT_TRUE(ctx.Finish().ok());
    EXPECT_EQ(ctx.stats.rejected, 0u)
        << f.path << ": "
        << (ctx.stats.rejections.empty() ? "" : ctx.stats.rejections[0].ToString());
    EXPECT_EQ(ctx.stats.warnings, 0u) << f.path;
    uint64_t decoded = ctx.stats.spans + ctx.stats.logs + ctx.stats.events;
    EXPECT_EQ(decoded, f.records) << f.path;
    spans += ctx.stats.spans;
    logs += ctx.stats.logs;
    events += ctx.stats.events;
  }
  EXPECT_EQ(spans, s.spans);
  EXPECT_EQ(logs, s.logs);
  EXPECT_EQ(events, s.events);
  EXPECT_EQ(formats, (std::set<std::string>{"otlp-json", "json-logs", "text-logs", "events-jsonl",
                                            "ground-truth"}));
}

TEST(SimDecode, EveryFileDecodesWithZeroRejections) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.path(), 12, 300, 21);
  ExpectDecodesExactly(dir.path(), s);
}

TEST(SimDecode, FaultyDataDecodesWithZeroRejectionsToo) {
  ScratchDir dir;
  SimSummary s =
      RunSim(dir.path(), 30, 300, 22,
             {"cascade:payment", "retry-storm:inventory,start=5m", "bad-deploy:orders,start=40m",
              "version-gap:orders", "inconsistent-state:payment"});
  ExpectDecodesExactly(dir.path(), s);
}

TEST(SimDecode, DecodedSpansKeepTheirStructure) {
  ScratchDir dir;
  SimSummary s = RunSim(dir.path(), 8, 100, 23);
  std::string data = ReadAll(dir.path() + "/traces.otlp.jsonl");
  DecodeContext ctx("traces.otlp.jsonl");
  ASSERT_TRUE(DecodeOtlpJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), s.spans);
  size_t roots = 0, errors = 0, consumers = 0;
  std::set<std::string_view> services;
  for (size_t i = 0; i < b.size(); ++i) {
    roots += b.parent_span_id[i] == 0;
    errors += b.status[i] == SpanStatus::kError;
    consumers += b.kind[i] == SpanKind::kConsumer;
    services.insert(b.dict.Get(b.service[i]));
    EXPECT_GE(b.end_ns[i], b.start_ns[i]);
  }
  EXPECT_EQ(roots, 100u);
  EXPECT_EQ(services.size(), 8u);
  EXPECT_GT(consumers, 0u);
  EXPECT_GE(errors, s.error_traces);
}

}  // namespace
}  // namespace ddbg
