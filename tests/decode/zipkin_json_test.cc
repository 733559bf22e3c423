// Zipkin v2 JSON decoding: the real traces of the Zipkin UI test data (counts established with
// jq and Python on the files), shared client/server span ids, missing timestamps and
// durations, and bad input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/span_lookup.h"

namespace ddbg {
namespace {

using testing::CountErrors;
using testing::CountWithAttr;
using testing::FindSpanHex;
using testing::ReadFile;
using testing::Rejections;
using testing::ResourceAttr;
using testing::Services;
using testing::SharedData;
using testing::SpanAttr;

std::string Lens(const std::string& name) { return SharedData("traces/zipkin-lens/" + name); }

struct LensCase {
  const char* file;
  size_t spans, services, errors, derived, no_duration, no_timestamp, roots, orphans;
};

// spans = array length; services = distinct localEndpoint.serviceName (absent counts as one);
// errors = spans with an "error" tag; derived = records whose id another record of the trace
// already holds (shared server halves and fragments); no_duration / no_timestamp as written;
// roots = spans without parentId; orphans = spans whose parentId is no span of the file.
constexpr LensCase kLensCases[] = {
    {"ascend.json", 8, 3, 0, 2, 0, 0, 1, 0},
    {"envoy.json", 1, 1, 0, 0, 0, 0, 1, 0},
    {"messaging-kafka.json", 28, 2, 3, 0, 0, 0, 1, 0},
    {"messaging.json", 4, 2, 0, 0, 0, 0, 1, 0},
    {"messaging2.json", 11, 4, 0, 0, 0, 0, 1, 6},
    {"simple-db-p6.json", 5, 1, 0, 0, 0, 0, 1, 0},
    {"skew.json", 4, 2, 0, 1, 0, 0, 1, 0},
    {"smartthings-mobile-web-install.json", 1041, 16, 2, 378, 175, 84, 1, 0},
    {"smartthings-oauth-authorization.json", 175, 8, 2, 45, 19, 0, 1, 0},
    {"yelp.json", 16, 6, 0, 3, 0, 0, 1, 0},
    {"zipkin2-chinese.json", 1, 1, 1, 0, 0, 0, 0, 1},
    {"zipkin2-client.json", 1, 1, 0, 0, 0, 0, 0, 1},
};

TEST(ZipkinJson, ReadsEveryLensTraceWithExactCounts) {
  for (const LensCase& c : kLensCases) {
    SCOPED_TRACE(c.file);
    std::string data = ReadFile(Lens(c.file));
    DecodeContext ctx(c.file);
    ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
    const SpanBatch& b = ctx.spans;
    EXPECT_EQ(ctx.stats.rejected, 0u) << Rejections(ctx);
    EXPECT_EQ(b.size(), c.spans);
    EXPECT_EQ(Services(b).size(), c.services);
    EXPECT_EQ(CountErrors(b), c.errors);
    EXPECT_EQ(CountWithAttr(b, "zipkin.shared_span_id"), c.derived);
    EXPECT_EQ(CountWithAttr(b, "zipkin.duration_missing"), c.no_duration);
    EXPECT_EQ(CountWithAttr(b, "zipkin.timestamp_missing"), c.no_timestamp);
    EXPECT_EQ(ctx.stats.warnings, c.no_duration);  // every span without a timestamp lacks both
    EXPECT_TRUE(testing::UniqueIds(b));
    size_t roots = 0, orphans = 0;
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.parent_span_id[i] == 0) {
        ++roots;
      } else {
        orphans += testing::FindSpan(b, b.parent_span_id[i]) < 0;
      }
    }
    EXPECT_EQ(roots, c.roots);
    EXPECT_EQ(orphans, c.orphans);
    for (size_t i = 0; i < b.size(); ++i) {
      EXPECT_GT(b.start_ns[i], 1'000'000'000'000'000'000) << i;  // after 2001: none left at 0
      EXPECT_GE(b.end_ns[i], b.start_ns[i]);
    }
  }
}

TEST(ZipkinJson, SharedServerHalfGetsDerivedIdUnderItsClient) {
  std::string data = ReadFile(Lens("skew.json"));
  DecodeContext ctx("skew.json");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 4u);
  // Document order: async (serviceb), post SERVER shared (serviceb), get (servicea root),
  // post CLIENT (servicea).
  int64_t client = FindSpanHex(b, "74280ae0c10d8062");
  ASSERT_EQ(client, 3);
  EXPECT_EQ(b.kind[3], SpanKind::kClient);
  EXPECT_EQ(SpanIdToHex(b.parent_span_id[3]), "bf396325699c84bf");
  EXPECT_EQ(b.dict.Get(b.service[3]), "servicea");

  EXPECT_EQ(b.kind[1], SpanKind::kServer);
  EXPECT_NE(SpanIdToHex(b.span_id[1]), "74280ae0c10d8062");
  EXPECT_EQ(b.parent_span_id[1], b.span_id[3]);
  EXPECT_EQ(SpanAttr(b, 1, "zipkin.shared_span_id"), "74280ae0c10d8062");
  EXPECT_EQ(b.dict.Get(b.service[1]), "serviceb");
  // The server's clock runs ~65 ms behind: kept as written (skew is corrected by analyses).
  EXPECT_EQ(b.start_ns[1], 1470150004008761000);
  EXPECT_EQ(b.start_ns[3], 1470150004074202000);

  // "async" runs in serviceb with parentId 74280ae0c10d8062: under the server half.
  EXPECT_EQ(SpanIdToHex(b.span_id[0]), "43210ae0c10d1234");
  EXPECT_EQ(b.parent_span_id[0], b.span_id[1]);
  EXPECT_EQ(b.kind[0], SpanKind::kInternal);  // no kind: a local span
  EXPECT_EQ(b.parent_span_id[2], 0u);
  EXPECT_EQ(ResourceAttr(b, 0, "net.host.ip"), "192.0.0.0");
}

TEST(ZipkinJson, ChildrenReportedByAnotherServiceHangUnderTheServerHalf) {
  std::string data = ReadFile(Lens("yelp.json"));
  DecodeContext ctx("yelp.json");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  // 668ed78ad94b35a1: CLIENT in "unknown" (index 14) and shared SERVER in
  // "yelp_main/api_proxy" (index 13); its children are reported by "yelp-main".
  ASSERT_EQ(b.size(), 16u);
  EXPECT_EQ(SpanIdToHex(b.span_id[14]), "668ed78ad94b35a1");
  EXPECT_EQ(b.dict.Get(b.service[13]), "yelp_main/api_proxy");
  EXPECT_EQ(b.parent_span_id[13], b.span_id[14]);
  int64_t txn = FindSpanHex(b, "241cea1aa4cb2884");
  int64_t cache = FindSpanHex(b, "e7d1a2d5a788ac81");
  ASSERT_GE(txn, 0);
  ASSERT_GE(cache, 0);
  EXPECT_EQ(b.parent_span_id[txn], b.span_id[13]);
  EXPECT_EQ(b.parent_span_id[cache], b.span_id[13]);
  // The shared root 2e8cfb154b59a41f has no client: it keeps its id and stays a root.
  EXPECT_EQ(SpanIdToHex(b.span_id[15]), "2e8cfb154b59a41f");
  EXPECT_EQ(b.parent_span_id[15], 0u);
  EXPECT_EQ(SpanAttr(b, 15, "zipkin.shared_span_id"), "<absent>");
  // mobile_api's own calls hang under its server half (index 5), not the yelp-main client.
  int64_t blt = FindSpanHex(b, "15fc03927f0f68df");
  ASSERT_GE(blt, 0);
  EXPECT_EQ(b.parent_span_id[blt], b.span_id[5]);
  EXPECT_EQ(SpanAttr(b, 5, "zipkin.shared_span_id"), "f5f268651b2a2b34");
  EXPECT_EQ(SpanAttr(b, blt, "peer.service"), "blt");
  EXPECT_EQ(SpanAttr(b, blt, "net.peer.port"), "31882");
}

TEST(ZipkinJson, EachServerAnsweringOneIdGetsItsOwnId) {
  std::string data = ReadFile(Lens("smartthings-oauth-authorization.json"));
  DecodeContext ctx("oauth");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  int64_t client = FindSpanHex(b, "9d2d35b746db84f3");
  ASSERT_GE(client, 0);
  EXPECT_EQ(b.kind[client], SpanKind::kClient);
  EXPECT_EQ(b.dict.Get(b.service[client]), "bouncer");
  std::set<SpanId> servers;
  for (size_t i = 0; i < b.size(); ++i) {
    if (SpanAttr(b, i, "zipkin.shared_span_id") != "9d2d35b746db84f3") continue;
    EXPECT_EQ(b.parent_span_id[i], b.span_id[client]);
    EXPECT_EQ(b.dict.Get(b.service[i]), "pusher");
    servers.insert(b.span_id[i]);
  }
  EXPECT_EQ(servers.size(), 5u);
}

TEST(ZipkinJson, TimestamplessFragmentStartsWithTheServerHalfOnItsHost) {
  std::string data = ReadFile(Lens("smartthings-mobile-web-install.json"));
  DecodeContext ctx("mobile");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  // Id 02c9ccc069857837: a fragment (platformapi, no timestamp, no kind), the shared SERVER
  // (platformapi) and the CLIENT (strongman), in that order.
  int64_t client = FindSpanHex(b, "02c9ccc069857837");
  ASSERT_GE(client, 0);
  EXPECT_EQ(b.dict.Get(b.service[client]), "strongman");
  int64_t fragment = -1, server = -1;
  for (size_t i = 0; i < b.size(); ++i) {
    if (SpanAttr(b, i, "zipkin.shared_span_id") != "02c9ccc069857837") continue;
    (b.kind[i] == SpanKind::kServer ? server : fragment) = static_cast<int64_t>(i);
  }
  ASSERT_GE(fragment, 0);
  ASSERT_GE(server, 0);
  EXPECT_EQ(b.parent_span_id[server], b.span_id[client]);
  EXPECT_EQ(b.parent_span_id[fragment], b.span_id[server]);
  EXPECT_EQ(b.start_ns[server], 1543549818545012000);
  EXPECT_EQ(b.end_ns[server], 1543549818545012000 + 210542000);
  EXPECT_EQ(b.start_ns[fragment], b.start_ns[server]);
  EXPECT_EQ(b.end_ns[fragment], b.start_ns[fragment]);
  EXPECT_EQ(SpanAttr(b, fragment, "zipkin.timestamp_missing"), "true");
  EXPECT_EQ(SpanAttr(b, fragment, "zipkin.duration_missing"), "true");
}

TEST(ZipkinJson, KeepsChineseTextIntact) {
  std::string data = ReadFile(Lens("zipkin2-chinese.json"));
  DecodeContext ctx("chinese");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), "4d1e00c0db9010db86154a4ba6e91385");
  EXPECT_EQ(b.dict.Get(b.name[0]), "个人信息查询");
  EXPECT_EQ(b.dict.Get(b.service[0]), "订单维护服务");
  EXPECT_EQ(b.status[0], SpanStatus::kError);
  EXPECT_EQ(b.dict.Get(b.status_message[0]), "此用户没有操作权限");
  EXPECT_EQ(SpanAttr(b, 0, "error"), "<absent>");
  EXPECT_EQ(SpanAttr(b, 0, "http.status_code"), "403");
  EXPECT_EQ(SpanAttr(b, 0, "peer.service"), "个人信息服务");
  EXPECT_EQ(SpanAttr(b, 0, "net.peer.ip"), "192.168.99.101");
  EXPECT_EQ(SpanAttr(b, 0, "net.peer.port"), "9000");
  EXPECT_EQ(ResourceAttr(b, 0, "service.name"), "订单维护服务");
  EXPECT_EQ(ResourceAttr(b, 0, "net.host.ip"), "2001:db8::c001");
  EXPECT_EQ(b.start_ns[0], 1472470996199000000);
  EXPECT_EQ(b.end_ns[0], 1472470996406000000);
}

TEST(ZipkinJson, AnnotationsBecomeEvents) {
  std::string data = ReadFile(Lens("zipkin2-client.json"));
  DecodeContext ctx("client");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.event_off.end(0) - b.event_off.begin(0), 2u);
  EXPECT_EQ(b.dict.Get(b.event_name[0]), "foo");
  EXPECT_EQ(b.event_time_ns[0], 1472470996238000000);
  EXPECT_EQ(b.dict.Get(b.event_name[1]), "bar");
  EXPECT_EQ(SpanAttr(b, 0, "clnt/finagle.version"), "6.45.0");
}

TEST(ZipkinJson, FractionalMicrosecondsKeepNanoseconds) {
  std::string data = R"([{"traceId":"1","id":"2","name":"a","timestamp":1736935200180601.5,
    "duration":1234.25,"localEndpoint":{"serviceName":"s"}},
    {"traceId":"1","id":"3","parentId":"2","timestamp":1.7369352001806e15,"duration":7}])";
  DecodeContext ctx("frac");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 2u) << Rejections(ctx);
  EXPECT_EQ(b.start_ns[0], 1736935200180601500);
  EXPECT_EQ(b.end_ns[0], 1736935200180601500 + 1234250);
  EXPECT_EQ(b.start_ns[1], 1736935200180600000);
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), "00000000000000000000000000000001");
  EXPECT_EQ(b.dict.Get(b.service[1]), "unknown_service");

  std::string real = ReadFile(SharedData("otlp-captured/proto/0001-zipkin.json"));
  DecodeContext real_ctx("0001-zipkin.json");
  ASSERT_TRUE(DecodeZipkinJson(real, real_ctx).ok());
  int64_t i = FindSpanHex(real_ctx.spans, "d20d403d68c39ccb");  // "timestamp":…150125.8
  ASSERT_GE(i, 0);
  EXPECT_EQ(real_ctx.spans.start_ns[i], 1736935203150125800);
}

TEST(ZipkinJson, MapsStatusScopeAndKind) {
  std::string data = R"([
    {"traceId":"a1","id":"1","kind":"PRODUCER","timestamp":10,"duration":1,
     "tags":{"otel.status_code":"ERROR","error":"boom","otel.scope.name":"lib",
             "otel.scope.version":"1.2","k":"v"}},
    {"traceId":"a1","id":"2","kind":"consumer","timestamp":10,"duration":1,
     "tags":{"otel.status_code":"OK"}},
    {"traceId":"a1","id":"3","kind":"SIDEWAYS","timestamp":10,"duration":1,
     "tags":{"error":""}}])";
  DecodeContext ctx("status");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.kind[0], SpanKind::kProducer);
  EXPECT_EQ(b.status[0], SpanStatus::kError);
  EXPECT_EQ(b.dict.Get(b.status_message[0]), "boom");
  EXPECT_EQ(b.dict.Get(b.scopes.name[b.scope[0]]), "lib");
  EXPECT_EQ(b.dict.Get(b.scopes.version[b.scope[0]]), "1.2");
  EXPECT_EQ(b.attr_off.end(0) - b.attr_off.begin(0), 1u);  // only "k"
  EXPECT_EQ(b.kind[1], SpanKind::kConsumer);
  EXPECT_EQ(b.status[1], SpanStatus::kOk);
  EXPECT_EQ(b.kind[2], SpanKind::kUnspecified);
  EXPECT_EQ(b.status[2], SpanStatus::kError);
  EXPECT_EQ(ctx.stats.warnings, 1u);  // the unknown kind
}

TEST(ZipkinJson, ReadsAnArrayOfTraces) {
  std::string data = R"([[{"traceId":"1","id":"1","timestamp":5,"duration":1}],
                         [{"traceId":"2","id":"1","timestamp":6,"duration":1},
                          {"traceId":"2","id":"2","parentId":"1","timestamp":6,"duration":1}]])";
  DecodeContext ctx("traces");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 3u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(ZipkinJson, RejectsBadIdsWithReasonAndPlaceAndKeepsOthers) {
  std::string data =
      "[\n"
      R"({"traceId":"abc","id":"1","timestamp":5,"duration":1},)"
      "\n"
      R"({"traceId":"abc","id":"xyz","timestamp":5,"duration":1},)"
      "\n"
      R"({"traceId":"0123456789abcdef0123456789abcdef0","id":"2","timestamp":5},)"
      "\n"
      R"({"traceId":"abc","id":"3","parentId":"3","timestamp":5,"duration":1},)"
      "\n"
      R"({"traceId":"abc","timestamp":5,"duration":1},)"
      "\n"
      R"({"traceId":"abc","id":"4","parentId":"1","timestamp":"soon","duration":1},)"
      "\n"
      R"({"traceId":"abc","id":"5","parentId":"1","timestamp":6,"duration":2})"
      "\n]";
  DecodeContext ctx("ids.json");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 2u);
  ASSERT_EQ(ctx.stats.rejected, 5u);
  const auto& r = ctx.stats.rejections;
  EXPECT_EQ(r[0].reason, "id must be 1-16 hex characters, got \"xyz\"");
  EXPECT_EQ(r[0].line, 3u);
  EXPECT_EQ(r[0].offset, data.find("{\"traceId\":\"abc\",\"id\":\"xyz\""));
  EXPECT_EQ(r[0].ToString(), "ids.json:3: id must be 1-16 hex characters, got \"xyz\"");
  EXPECT_EQ(r[1].reason,
            "traceId must be 1-32 hex characters, got 33: \"0123456789abcdef0123456789abcdef0\"");
  EXPECT_EQ(r[1].line, 4u);
  EXPECT_EQ(r[2].reason, "span is its own parent (id 0000000000000003 == parentId)");
  EXPECT_EQ(r[3].reason, "id is missing");
  EXPECT_EQ(r[4].reason, "timestamp must be microseconds since the epoch, got \"soon\"");
  EXPECT_EQ(r[4].line, 7u);
}

TEST(ZipkinJson, RejectsARepeatedSpanButKeepsPartsWithOtherTimestamps) {
  std::string data = R"([
    {"traceId":"1","id":"a","timestamp":5,"duration":1,"localEndpoint":{"serviceName":"s"}},
    {"traceId":"1","id":"a","timestamp":5,"duration":1,"localEndpoint":{"serviceName":"s"}},
    {"traceId":"1","id":"a","timestamp":9,"duration":1,"localEndpoint":{"serviceName":"s"}},
    {"traceId":"2","id":"a","timestamp":5,"duration":1,"localEndpoint":{"serviceName":"s"}}])";
  DecodeContext ctx("dup");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 3u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason,
            "duplicate span id 000000000000000a in trace 00000000000000000000000000000001 "
            "(same endpoint and timestamp as the span at byte 6)");
  EXPECT_EQ(ctx.stats.rejections[0].line, 3u);
  EXPECT_EQ(b.span_id[0], 0xau);
  EXPECT_NE(b.span_id[1], 0xau);  // a second part of the span: kept under a derived id
  EXPECT_EQ(b.parent_span_id[1], 0xau);
  EXPECT_EQ(SpanAttr(b, 1, "zipkin.shared_span_id"), "000000000000000a");
  EXPECT_EQ(b.span_id[2], 0xau);  // another trace
}

TEST(ZipkinJson, KeepsSpanWithoutDurationEndingAtItsStart) {
  std::string data = R"([{"traceId":"1","id":"2","timestamp":100,"name":"open"}])";
  DecodeContext ctx("nodur");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.end_ns[0], 100000);
  EXPECT_EQ(SpanAttr(ctx.spans, 0, "zipkin.duration_missing"), "true");
  EXPECT_EQ(ctx.stats.warnings, 1u);
}

TEST(ZipkinJson, TruncatedDocumentKeepsTheCompleteSpans) {
  std::string full = ReadFile(Lens("yelp.json"));
  // Cut inside the 5th span's name string.
  size_t cut = full.find("get_multi mobile_api_nonce") + 5;
  std::string data = full.substr(0, cut);
  DecodeContext ctx("cut.json");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 4u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason, "the input ends inside this span (truncated)");
  EXPECT_EQ(ctx.stats.rejections[0].offset, full.rfind('{', cut));

  // Cut between a key and its value: the closed-up span is not even JSON.
  size_t key_cut = full.find("\"get_multi mobile_api_nonce");
  DecodeContext ctx3("cut3.json");
  ASSERT_TRUE(DecodeZipkinJson(full.substr(0, key_cut), ctx3).ok());
  EXPECT_EQ(ctx3.spans.size(), 4u);
  ASSERT_EQ(ctx3.stats.rejected, 1u);
  EXPECT_EQ(ctx3.stats.rejections[0].reason, "the input ends inside this span (truncated)");
  EXPECT_EQ(ctx3.stats.rejections[0].offset, full.rfind('{', key_cut));

  // Cut right after a complete span: nothing half-read, the cut itself is reported.
  size_t boundary = 0;
  for (int k = 0; k < 3; ++k) boundary = full.find("\n  },", boundary) + 1;
  boundary += 3;  // after the third span's closing brace
  DecodeContext ctx2("cut2.json");
  ASSERT_TRUE(DecodeZipkinJson(full.substr(0, boundary), ctx2).ok());
  EXPECT_EQ(ctx2.spans.size(), 3u);
  ASSERT_EQ(ctx2.stats.rejected, 1u);
  EXPECT_NE(ctx2.stats.rejections[0].reason.find("truncated"), std::string::npos);
  EXPECT_EQ(ctx2.stats.rejections[0].offset, boundary);
}

TEST(ZipkinJson, BrokenStructureKeepsSpansBeforeIt) {
  std::string data = R"([{"traceId":"1","id":"2","timestamp":5,"duration":1},
    {"traceId":"1" "id":"3"},
    {"traceId":"1","id":"4","timestamp":5,"duration":1}])";
  DecodeContext ctx("broken");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_NE(ctx.stats.rejections[0].reason.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(ctx.stats.rejections[0].line, 2u);
}

TEST(ZipkinJson, NothingDecodableIsAnError) {
  const std::string inputs[] = {
      std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe", 18),
      "",
      "   \n",
      R"({"resourceSpans":[]})",
      R"([{"traceId":"1" "id":"2"}])",
      "[{\"traceId\":\"1",
  };
  for (const std::string& data : inputs) {
    DecodeContext ctx("bad");
    Status st = DecodeZipkinJson(data, ctx);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << data;
    EXPECT_EQ(ctx.spans.size(), 0u);
  }
}

TEST(ZipkinJson, ReplacesInvalidUtf8AndKeepsOffsetsOfTheInput) {
  std::string data =
      "[{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":5,\"duration\":1,"
      "\"tags\":{\"city\":\"caf\xE9\",\"ok\":\"北京\"}},\n"
      "{\"traceId\":\"1\",\"id\":\"zz\",\"timestamp\":5}]";
  DecodeContext ctx("utf8");
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(SpanAttr(ctx.spans, 0, "city"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(SpanAttr(ctx.spans, 0, "ok"), "北京");
  EXPECT_EQ(ctx.stats.warnings, 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].offset, data.find("{\"traceId\":\"1\",\"id\":\"zz\""));
  EXPECT_EQ(ctx.stats.rejections[0].line, 2u);
}

TEST(ZipkinJson, FlushesInBoundedBatchesWithValidResources) {
  std::string data = ReadFile(Lens("smartthings-mobile-web-install.json"));
  size_t flushed = 0, batches = 0;
  bool resources_ok = true;
  DecodeContext::FlushFn flush = [&](SpanBatch& spans, LogBatch&, EventBatch&) {
    ++batches;
    flushed += spans.size();
    for (size_t i = 0; i < spans.size(); ++i) {
      resources_ok &= spans.resource[i] < spans.resources.size() &&
                      spans.scope[i] < spans.scopes.size() &&
                      spans.dict.Get(spans.service[i]) ==
                          spans.dict.Get(spans.resources.service[spans.resource[i]]);
    }
    return Status::Ok();
  };
  DecodeContext ctx("mobile", flush, 16 << 10);
  ASSERT_TRUE(DecodeZipkinJson(data, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(flushed, 1041u);
  EXPECT_EQ(ctx.stats.spans, 1041u);
  EXPECT_GT(batches, 2u);
  EXPECT_TRUE(resources_ok);
}

}  // namespace
}  // namespace ddbg
