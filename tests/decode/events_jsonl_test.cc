#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Text(const EventBatch& b, StrId id) { return std::string(b.dict.Get(id)); }

TEST(EventsJsonl, AcceptsCommonSpellingsAndRejectsIncompleteEvents) {
  std::string data = ReadAll(std::string(DDBG_FIXTURES) + "/events/orders.jsonl");
  DecodeContext ctx("orders.jsonl");
  ASSERT_TRUE(DecodeEventsJsonl(data, ctx).ok());
  const EventBatch& ev = ctx.events;
  ASSERT_EQ(ev.size(), 4u);

  EXPECT_EQ(Text(ev, ev.stream[0]), "order-1");
  EXPECT_EQ(ev.version[0], 1u);
  EXPECT_EQ(Text(ev, ev.event_id[0]), "e1");
  EXPECT_EQ(Text(ev, ev.event_type[0]), "OrderPlaced");
  EXPECT_EQ(ev.time_ns[0], 1714564800000000000);
  EXPECT_EQ(Text(ev, ev.payload[0]), "{\"total\":42.5,\"items\":[1,2]}");  // compact
  EXPECT_EQ(Text(ev, ev.metadata[0]), "{\"correlation_id\":\"c-1\"}");
  EXPECT_EQ(Text(ev, ev.correlation_id[0]), "c-1");  // found inside metadata
  EXPECT_EQ(Text(ev, ev.causation_id[0]), "");
  EXPECT_EQ(Text(ev, ev.service[0]), "orders");

  EXPECT_EQ(Text(ev, ev.stream[1]), "order-1");
  EXPECT_EQ(ev.version[1], 2u);  // from a numeric string
  EXPECT_EQ(Text(ev, ev.event_type[1]), "OrderPaid");
  EXPECT_EQ(ev.time_ns[1], 1714564801000000000);             // epoch milliseconds
  EXPECT_EQ(Text(ev, ev.payload[1]), "{\"amount\": 42.5}");  // a JSON string kept as written
  EXPECT_EQ(Text(ev, ev.correlation_id[1]), "c-1");
  EXPECT_EQ(Text(ev, ev.causation_id[1]), "e1");

  EXPECT_EQ(ev.version[2], 3u);
  EXPECT_EQ(Text(ev, ev.event_id[2]), "7");
  EXPECT_EQ(ev.time_ns[2], 1714564802500000000);
  EXPECT_EQ(Text(ev, ev.payload[2]), "not json at all");  // kept raw for integrity checks
  EXPECT_EQ(Text(ev, ev.correlation_id[2]), "c-1");
  EXPECT_EQ(Text(ev, ev.causation_id[2]), "e2");
  EXPECT_EQ(Text(ev, ev.service[2]), "shipping");

  EXPECT_EQ(Text(ev, ev.stream[3]), "order-2");
  EXPECT_EQ(ev.version[3], 0u);  // none given
  EXPECT_EQ(Text(ev, ev.payload[3]), "");

  ASSERT_EQ(ctx.stats.rejected, 4u);
  const auto& r = ctx.stats.rejections;
  EXPECT_EQ(r[0].line, 4u);
  EXPECT_EQ(r[0].reason,
            "no stream id (looked for stream, stream_id, streamId, aggregate_id, aggregateId, "
            "aggregate, stream_name, streamName)");
  EXPECT_EQ(r[1].line, 6u);
  EXPECT_EQ(r[1].reason, "version must be a non-negative integer, got \"-1\"");
  EXPECT_EQ(r[2].line, 7u);
  EXPECT_EQ(r[2].reason.substr(0, 42), "no timestamp field (looked for timestamp, ");
  EXPECT_EQ(r[3].line, 8u);
  EXPECT_EQ(r[3].ToString().substr(0, 29), "orders.jsonl:8: not valid JSO");
}

TEST(EventsJsonl, FirstListedSpellingWinsWhateverTheOrder) {
  std::string data =
      "{\"aggregate_id\":\"agg\",\"stream\":\"s\",\"seq\":9,\"version\":4,"
      "\"ts\":\"2024-05-01T12:00:00Z\"}\n";
  DecodeContext ctx("e.jsonl");
  ASSERT_TRUE(DecodeEventsJsonl(data, ctx).ok());
  ASSERT_EQ(ctx.events.size(), 1u);
  EXPECT_EQ(Text(ctx.events, ctx.events.stream[0]), "s");
  EXPECT_EQ(ctx.events.version[0], 4u);
}

TEST(EventsJsonl, NumericStreamIdsAndPayloadScalarsAreKeptAsText) {
  std::string data =
      "{\"stream_id\":42,\"version\":1,\"time\":1714564800,\"payload\":null}\n"
      "{\"stream_id\":\"x\",\"version\":2,\"time\":1714564800,\"payload\":[1,{\"a\":true}]}\n";
  DecodeContext ctx("e.jsonl");
  ASSERT_TRUE(DecodeEventsJsonl(data, ctx).ok());
  ASSERT_EQ(ctx.events.size(), 2u);
  EXPECT_EQ(Text(ctx.events, ctx.events.stream[0]), "42");
  EXPECT_EQ(Text(ctx.events, ctx.events.payload[0]), "null");
  EXPECT_EQ(Text(ctx.events, ctx.events.payload[1]), "[1,{\"a\":true}]");
}

TEST(EventsJsonl, FailsWhenNoLineIsAJsonObject) {
  DecodeContext ctx("e.jsonl");
  EXPECT_FALSE(DecodeEventsJsonl("garbage\n[1]\n", ctx).ok());
  EXPECT_EQ(ctx.stats.rejected, 2u);
  EXPECT_EQ(ctx.events.size(), 0u);
}

TEST(EventsJsonl, StreamsThroughFlushes) {
  std::string data;
  for (int i = 1; i <= 300; ++i) {
    data += "{\"stream\":\"s\",\"version\":" + std::to_string(i) +
            ",\"time\":1714564800,\"payload\":{\"i\":" + std::to_string(i) + "}}\n";
  }
  uint64_t next_version = 1;
  DecodeContext ctx(
      "e.jsonl",
      [&](SpanBatch&, LogBatch&, EventBatch& ev) {
        for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev.version[i], next_version++);
        return Status::Ok();
      },
      1024);
  ASSERT_TRUE(DecodeEventsJsonl(data, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(next_version, 301u);
  EXPECT_EQ(ctx.stats.events, 300u);
}

}  // namespace
}  // namespace ddbg
