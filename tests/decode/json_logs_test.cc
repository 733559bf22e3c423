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

std::string Text(const LogBatch& b, StrId id) { return std::string(b.dict.Get(id)); }

// "key=value" for each attribute of record i, in order.
std::vector<std::string> Attrs(const LogBatch& b, size_t i) {
  std::vector<std::string> out;
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    out.push_back(Text(b, b.attrs.key[a]) + "=" + b.attrs.ValueText(b.dict, a) + ":" +
                  AttrTypeName(b.attrs.type[a]));
  }
  return out;
}

TEST(JsonLogs, ReadsFieldNameVariantsAndEpochUnits) {
  std::string data = ReadAll(std::string(DDBG_FIXTURES) + "/logs/orders.jsonl");
  DecodeContext ctx("fixtures/orders.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  const LogBatch& logs = ctx.logs;
  ASSERT_EQ(logs.size(), 8u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(ctx.stats.warnings, 0u);

  const int64_t times[] = {1714564800000000000, 1714564801500000000, 1714564802000000000,
                           1714564803000000000, 1714564804000000000, 1714564805000000000,
                           1714564806250000000, 1714564807000123000};
  const char* bodies[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
  const uint8_t severities[] = {9, 13, 17, 5, 9, 18, 13, 17};
  const char* levels[] = {"info", "WARN", "error", "DEBUG", "INFO", "Error", "warning", "error"};
  const char* services[] = {"pay", "pay", "orders", "orders", "orders", "orders", "orders", "svc"};
  for (size_t i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(logs.time_ns[i], times[i]);
    EXPECT_EQ(logs.observed_ns[i], times[i]);
    EXPECT_EQ(Text(logs, logs.body[i]), bodies[i]);
    EXPECT_EQ(logs.body_type[i], AttrType::kString);
    EXPECT_EQ(logs.severity_number[i], severities[i]);
    EXPECT_EQ(Text(logs, logs.severity_text[i]), levels[i]);
    EXPECT_EQ(Text(logs, logs.service[i]), services[i]);
  }
  EXPECT_EQ(TraceIdToHex(logs.trace_id[0]), "3a9a4f8456454e6641a5562067649405");
  EXPECT_EQ(SpanIdToHex(logs.span_id[0]), "d9fe973684707c5c");
  EXPECT_EQ(logs.trace_id[1], logs.trace_id[0]);  // upper-case hex accepted
  EXPECT_TRUE(logs.trace_id[2].empty());
  EXPECT_EQ(TraceIdToHex(logs.trace_id[7]), "0000000000000000a03ee8fff1dcd9b9");
  EXPECT_EQ(SpanIdToHex(logs.span_id[7]), "0102030405060708");

  // Everything else is kept as typed attributes; nested objects are flattened with dots.
  EXPECT_EQ(Attrs(logs, 0), std::vector<std::string>{"user=bob:string"});
  EXPECT_TRUE(Attrs(logs, 1).empty());
  EXPECT_EQ(Attrs(logs, 3), std::vector<std::string>{"stream=stdout:string"});
  EXPECT_EQ(Attrs(logs, 6), std::vector<std::string>{"logger=com.x.Y:string"});
  EXPECT_EQ(Attrs(logs, 7),
            (std::vector<std::string>{"log.logger=x:string", "http.status=500:int",
                                      "http.method=GET:string", "tags=[\"a\",\"b\"]:array",
                                      "ok=true:bool", "ratio=0.5:double", "none=:empty"}));

  // One resource per service, each carrying service.name.
  ASSERT_EQ(logs.resources.size(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    ASSERT_EQ(logs.resources.attr_off.end(r) - logs.resources.attr_off.begin(r), 1u);
    uint32_t a = logs.resources.attr_off.begin(r);
    EXPECT_EQ(Text(logs, logs.resources.attrs.key[a]), "service.name");
    EXPECT_EQ(logs.resources.attrs.value[a], logs.resources.service[r]);
  }
  EXPECT_EQ(logs.resource[0], logs.resource[1]);
  EXPECT_EQ(logs.resource[2], logs.resource[6]);
}

TEST(JsonLogs, RejectsMalformedLinesWithTheirNumberAndKeepsTheOthers) {
  std::string data =
      "{\"time\":\"2024-05-01T12:00:00Z\",\"msg\":\"one\"}\n"
      "\n"
      "{\"time\":\"2024-05-01T12:00:01Z\",\"msg\":\"broken\"\n"
      "[1,2,3]\n"
      "{\"time\":\"yesterday\",\"msg\":\"bad time\"}\n"
      "{\"time\":\"2024-05-01T12:00:02Z\",\"msg\":\"two\"}\r\n";
  DecodeContext ctx("app.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 2u);
  EXPECT_EQ(Text(ctx.logs, ctx.logs.body[1]), "two");
  ASSERT_EQ(ctx.stats.rejected, 3u);
  const auto& r = ctx.stats.rejections;
  EXPECT_EQ(r[0].line, 3u);
  EXPECT_EQ(r[0].offset, 45u);
  EXPECT_EQ(r[0].ToString().substr(0, 27), "app.jsonl:3: not valid JSON");
  EXPECT_EQ(r[1].line, 4u);
  EXPECT_EQ(r[1].reason, "a log record must be a JSON object");
  EXPECT_EQ(r[2].line, 5u);
  EXPECT_EQ(r[2].reason, "cannot read timestamp \"yesterday\" in field \"time\"");
}

TEST(JsonLogs, MissingTimestampBorrowsThePreviousOrIsRejected) {
  std::string data =
      "{\"msg\":\"first has none\"}\n"
      "{\"ts\":1714564800,\"msg\":\"timed\"}\n"
      "{\"msg\":\"later has none\"}\n";
  DecodeContext ctx("app.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 2u);
  EXPECT_EQ(ctx.logs.time_ns[1], 1714564800000000000);
  EXPECT_EQ(ctx.stats.warnings, 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].line, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason.substr(0, 44),
            "no timestamp field (looked for timestamp, @t");
}

TEST(JsonLogs, ReplacesInvalidUtf8AndWarns) {
  std::string data = "{\"ts\":1714564800,\"msg\":\"caf\xe9 ok\"}\n";
  DecodeContext ctx("app.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(Text(ctx.logs, ctx.logs.body[0]), "caf\xef\xbf\xbd ok");
  EXPECT_EQ(ctx.stats.warnings, 1u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(JsonLogs, KeepsStructuredBodiesAndResourceObjects) {
  std::string data =
      "{\"time\":\"2024-05-01T12:00:00Z\",\"body\":{\"order\":7,\"items\":[1,2]},"
      "\"resource\":{\"service.name\":\"shop\",\"host\":{\"name\":\"h1\"}}}\n"
      "{\"time\":\"2024-05-01T12:00:01Z\",\"body\":[1,\"x\"],"
      "\"resource\":{\"service.name\":\"shop\",\"host\":{\"name\":\"h1\"}}}\n"
      "{\"time\":\"2024-05-01T12:00:02Z\",\"body\":\"s\","
      "\"resource\":{\"service.name\":\"shop\",\"host\":{\"name\":\"h2\"}}}\n";
  DecodeContext ctx("app.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  const LogBatch& logs = ctx.logs;
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_EQ(Text(logs, logs.body[0]), "{\"order\":7,\"items\":[1,2]}");
  EXPECT_EQ(logs.body_type[0], AttrType::kKvList);
  EXPECT_EQ(Text(logs, logs.body[1]), "[1,\"x\"]");
  EXPECT_EQ(logs.body_type[1], AttrType::kArray);
  EXPECT_EQ(Text(logs, logs.service[2]), "shop");
  ASSERT_EQ(logs.resources.size(), 2u);  // h1 and h2
  EXPECT_EQ(logs.resource[0], logs.resource[1]);
  EXPECT_NE(logs.resource[1], logs.resource[2]);
  uint32_t a = logs.resources.attr_off.begin(0);
  ASSERT_EQ(logs.resources.attr_off.end(0) - a, 2u);
  EXPECT_EQ(Text(logs, logs.resources.attrs.key[a]), "service.name");
  EXPECT_EQ(Text(logs, logs.resources.attrs.key[a + 1]), "host.name");
  EXPECT_EQ(logs.resources.attrs.ValueText(logs.dict, a + 1), "h1");
  EXPECT_TRUE(Attrs(logs, 0).empty());
}

TEST(JsonLogs, ReadsDatadogDecimalIdsAndKeepsBadIdsAsAttributes) {
  std::string data =
      "{\"ts\":1714564800,\"msg\":\"a\",\"dd.trace_id\":\"1234\",\"dd.span_id\":5678}\n"
      "{\"ts\":1714564800,\"msg\":\"b\",\"trace_id\":\"not-hex\"}\n";
  DecodeContext ctx("app.jsonl");
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 2u);
  EXPECT_EQ(ctx.logs.trace_id[0].lo, 1234u);
  EXPECT_EQ(ctx.logs.span_id[0], 5678u);
  EXPECT_TRUE(ctx.logs.trace_id[1].empty());
  EXPECT_EQ(Attrs(ctx.logs, 1), std::vector<std::string>{"trace_id=not-hex:string"});
  EXPECT_EQ(ctx.stats.warnings, 1u);
}

TEST(JsonLogs, FailsWhenNoLineIsJson) {
  DecodeContext ctx("x.json");
  Status st = DecodeJsonLogs(std::string("\x01\x02garbage\nmore garbage\n"), ctx);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(ctx.stats.rejected, 2u);
}

TEST(JsonLogs, RecommitsResourcesAfterAFlush) {
  std::string data;
  for (int i = 0; i < 500; ++i) {
    data += "{\"ts\":" + std::to_string(1714564800 + i) + ",\"msg\":\"m\",\"service\":\"s" +
            std::to_string(i % 3) + "\"}\n";
  }
  size_t rows = 0;
  DecodeContext ctx(
      "app.jsonl",
      [&](SpanBatch&, LogBatch& logs, EventBatch&) {
        rows += logs.size();
        for (size_t i = 0; i < logs.size(); ++i) {
          EXPECT_LT(logs.resource[i], logs.resources.size());
          const int64_t k = (logs.time_ns[i] / 1000000000 - 1714564800) % 3;
          EXPECT_EQ(logs.dict.Get(logs.service[i]), k == 0 ? "s0" : k == 1 ? "s1" : "s2");
        }
        return Status::Ok();
      },
      2048);
  ASSERT_TRUE(DecodeJsonLogs(data, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(rows, 500u);
  EXPECT_EQ(ctx.stats.logs, 500u);
}

}  // namespace
}  // namespace ddbg
