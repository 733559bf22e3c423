// Jaeger JSON decoding: Jaeger's own conversions, the Jaeger UI's test traces (critical path
// cases, self-time shapes, a real Pyroscope trace), the CRISP fixtures, and bad input. Counts
// were established with jq on the files.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/span_lookup.h"

namespace ddbg {
namespace {

using testing::CountErrors;
using testing::FindSpanHex;
using testing::ReadFile;
using testing::Rejections;
using testing::ResourceAttr;
using testing::Services;
using testing::SharedData;
using testing::SpanAttr;
using testing::SpanAttrType;

size_t RootCount(const SpanBatch& b) {
  size_t n = 0;
  for (size_t i = 0; i < b.size(); ++i) n += b.parent_span_id[i] == 0;
  return n;
}

size_t EventCount(const SpanBatch& b, size_t i) {
  return b.event_off.end(i) - b.event_off.begin(i);
}
size_t LinkCount(const SpanBatch& b, size_t i) { return b.link_off.end(i) - b.link_off.begin(i); }

TEST(JaegerJson, ReadsJaegersOwnOtlpConversionAndRejectsTheRepeatedSpan) {
  std::string data = ReadFile(SharedData("traces/jaeger-testdata/formats/otlp2jaeger-out.json"));
  DecodeContext ctx("otlp2jaeger-out.json");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  // The file holds the same span twice (as its OTLP input does).
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason,
            "duplicate span id e127af99e3b3e074 in trace 83a9efd15c1c98a977e0711cc93ee28b "
            "(first at byte 98)");
  EXPECT_EQ(ctx.stats.rejections[0].line, 45u);
  EXPECT_EQ(ctx.stats.rejections[0].offset, 1184u);
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), "83a9efd15c1c98a977e0711cc93ee28b");
  EXPECT_EQ(SpanIdToHex(b.span_id[0]), "e127af99e3b3e074");
  EXPECT_EQ(SpanIdToHex(b.parent_span_id[0]), "909541b92cf05311");
  EXPECT_EQ(b.dict.Get(b.name[0]), "okey-dokey-0");
  EXPECT_EQ(b.kind[0], SpanKind::kServer);
  EXPECT_EQ(b.status[0], SpanStatus::kUnset);
  EXPECT_EQ(b.start_ns[0], 1706678909209712000);
  EXPECT_EQ(b.end_ns[0], 1706678909209835000);
  EXPECT_EQ(b.dict.Get(b.service[0]), "telemetrygen");
  EXPECT_EQ(ResourceAttr(b, 0, "service.name"), "telemetrygen");
  EXPECT_EQ(b.dict.Get(b.scopes.name[b.scope[0]]), "telemetrygen");
  EXPECT_EQ(b.attr_off.end(0) - b.attr_off.begin(0), 2u);
  EXPECT_EQ(SpanAttr(b, 0, "net.peer.ip"), "1.2.3.4");
  EXPECT_EQ(SpanAttr(b, 0, "peer.service"), "telemetrygen-client");
}

TEST(JaegerJson, ReadsABareSpanListWithInlineProcesses) {
  std::string data = ReadFile(SharedData("traces/jaeger-testdata/formats/trace_success.json"));
  DecodeContext ctx("trace_success.json");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 2u) << Rejections(ctx);
  EXPECT_EQ(ctx.stats.warnings, 0u);
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), "00000000000000002be38093ead7a083");
  EXPECT_EQ(SpanIdToHex(b.parent_span_id[0]), "492770a15935810f");
  EXPECT_EQ(b.parent_span_id[1], b.span_id[0]);
  EXPECT_EQ(b.kind[0], SpanKind::kServer);
  EXPECT_EQ(b.kind[1], SpanKind::kClient);
  EXPECT_EQ(b.status[0], SpanStatus::kUnset);
  EXPECT_EQ(b.status[1], SpanStatus::kError);  // {"key":"error","type":"bool","value":"true"}
  EXPECT_EQ(SpanAttr(b, 1, "error"), "<absent>");
  EXPECT_EQ(b.flags[0], 1u);
  EXPECT_EQ(b.dict.Get(b.service[0]), "16af988c443cff37");
  EXPECT_EQ(b.dict.Get(b.service[1]), "3c220036602f839e");
  EXPECT_EQ(b.end_ns[0] - b.start_ns[0], 267037000);
}

TEST(JaegerJson, ReadsDataAsASingleObject) {
  std::string data = ReadFile(SharedData("traces/jaeger-ui/real/ride-sharing-app-pyroscope.json"));
  DecodeContext ctx("ride-sharing");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 4u) << Rejections(ctx);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), "84b3fad94c6112edd6af3347d06f6f1d");
  EXPECT_EQ(RootCount(b), 1u);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(b.parent_span_id[i], b.span_id[i - 1]) << i;
  EXPECT_EQ(Services(b), (std::set<std::string>{"load-generator", "ride-sharing-app"}));
  EXPECT_EQ(SpanAttr(b, 1, "http.status_code"), "200");
  EXPECT_EQ(SpanAttrType(b, 1, "http.status_code"), AttrType::kInt);
  EXPECT_EQ(b.attr_off.end(1) - b.attr_off.begin(1), 7u);  // 10 tags minus kind and scope
  EXPECT_EQ(b.attr_off.end(0) - b.attr_off.begin(0), 6u);
  EXPECT_EQ(b.dict.Get(b.scopes.name[b.scope[1]]),
            "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp");
  EXPECT_EQ(b.dict.Get(b.scopes.version[b.scope[1]]), "semver:0.27.0");
  EXPECT_EQ(SpanAttr(b, 0, "pyroscope.profile.id"), "487f03177ef9cf89");
  EXPECT_EQ(b.end_ns[0] - b.start_ns[0], 1181596000);
}

// The traces of the Jaeger UI's critical-path cases, extracted from the cases file. Their ids
// are not hex ("span-X", "trace-123"): kept under hashed ids, text in jaeger.span_id.
TEST(JaegerJson, ReadsCriticalPathCasesWithNonHexIds) {
  std::string file =
      ReadFile(SharedData("traces/jaeger-ui/critical-path/jaeger-ui-critical-path-cases.json"));
  simdjson::dom::parser parser;
  simdjson::dom::object cases = parser.parse(file)["cases"].get_object().value();
  const std::map<std::string, size_t> kSpans = {{"test1", 3}, {"test2", 3}, {"test3", 2},
                                                {"test4", 3}, {"test5", 3}, {"test6", 3},
                                                {"test7", 3}, {"test8", 2}, {"test9", 2}};
  size_t seen = 0;
  for (auto [name, value] : cases) {
    SCOPED_TRACE(std::string(name));
    ++seen;
    simdjson::dom::element trace = value["trace"];
    std::string text = simdjson::minify(trace);
    DecodeContext ctx{std::string(name)};
    ASSERT_TRUE(DecodeJaegerJson(text, ctx).ok());
    const SpanBatch& b = ctx.spans;
    EXPECT_EQ(ctx.stats.rejected, 0u) << Rejections(ctx);
    ASSERT_EQ(b.size(), kSpans.at(std::string(name)));
    EXPECT_EQ(RootCount(b), 1u);
    // Every span's parent is the span its first reference names.
    std::map<std::string, SpanId> ids;
    for (size_t i = 0; i < b.size(); ++i) {
      std::string text_id = SpanAttr(b, i, "jaeger.span_id");
      ids[text_id == "<absent>" ? SpanIdToHex(b.span_id[i]) : text_id] = b.span_id[i];
    }
    size_t i = 0;
    for (simdjson::dom::element span : trace["spans"].get_array()) {
      simdjson::dom::array refs = span["references"].get_array();
      if (refs.size() == 0) {
        EXPECT_EQ(b.parent_span_id[i], 0u);
      } else {
        std::string parent(std::string_view(refs.at(0)["spanID"]));
        EXPECT_EQ(b.parent_span_id[i], ids[parent]) << parent;
      }
      ++i;
    }
  }
  EXPECT_EQ(seen, 9u);
}

TEST(JaegerJson, FollowsFromParentIsAlsoKeptAsALink) {
  std::string file =
      ReadFile(SharedData("traces/jaeger-ui/critical-path/jaeger-ui-critical-path-cases.json"));
  simdjson::dom::parser parser;
  std::string text = simdjson::minify(parser.parse(file)["cases"]["test5"]["trace"]);
  DecodeContext ctx("test5");
  ASSERT_TRUE(DecodeJaegerJson(text, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(SpanAttr(b, 0, "jaeger.span_id"), "span-A");
  EXPECT_EQ(SpanAttr(b, 0, "jaeger.trace_id"), "trace-abc");
  EXPECT_EQ(b.kind[0], SpanKind::kProducer);  // span.kind without a type
  EXPECT_EQ(b.kind[1], SpanKind::kConsumer);
  EXPECT_EQ(b.parent_span_id[1], b.span_id[0]);
  ASSERT_EQ(LinkCount(b, 1), 1u);
  uint32_t link = b.link_off.begin(1);
  EXPECT_EQ(b.link_span_id[link], b.span_id[0]);
  EXPECT_EQ(b.link_trace_id[link], b.trace_id[1]);
  ASSERT_EQ(b.link_attr_off.end(link) - b.link_attr_off.begin(link), 1u);
  uint32_t a = b.link_attr_off.begin(link);
  EXPECT_EQ(b.dict.Get(b.link_attrs.key[a]), "opentracing.ref_type");
  EXPECT_EQ(b.link_attrs.ValueText(b.dict, a), "follows_from");
  EXPECT_EQ(LinkCount(b, 2), 0u);  // a CHILD_OF parent is not repeated as a link
  EXPECT_EQ(b.start_ns[1], 10000);
  EXPECT_EQ(ctx.stats.warnings, 3u);  // each span's id was hashed
}

struct ShapeCase {
  const char* file;
  size_t spans, services, rejected;
};

TEST(JaegerJson, ReadsSelfTimeShapes) {
  const ShapeCase kCases[] = {
      {"spanAmongEachOtherGroupedAndSpans.json", 17, 2, 0},
      {"spanLongerAsParent.json", 8, 2, 0},
      {"spansAmongEachOther.json", 12, 2, 0},
      {"spansAmongEachOtherGrouped.json", 15, 2, 0},
      {"testTrace.json", 11, 2, 0},
      {"testTraceNormal.json", 5, 2, 0},
      // Two spans share id 2dc4b796e2127e32: the second is rejected.
      {"traceWithMultipleSpansWithTheSameValueInDifferentTags.json", 3, 1, 1},
      {"traceWithOverlappingChildren.json", 3, 2, 0},
      {"traceWithOverlappingChildrenLongerThanParent.json", 4, 2, 0},
      {"traceWithSingleChildLongerThanParentAndStartsAfterParent.json", 2, 2, 0},
      {"traceWithThreeShortChildren.json", 4, 2, 0},
      {"traceWithThreeShortOverlappingChildren.json", 4, 2, 0},
      {"traceWithTwoChildrenStartedAtTraceStart.json", 3, 2, 0},
      {"traceWithTwoNonOverlappingChildren.json", 3, 2, 0},
  };
  for (const ShapeCase& c : kCases) {
    SCOPED_TRACE(c.file);
    std::string data =
        ReadFile(SharedData(std::string("traces/jaeger-ui/self-time-shapes/") + c.file));
    DecodeContext ctx(c.file);
    ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
    EXPECT_EQ(ctx.spans.size(), c.spans);
    EXPECT_EQ(Services(ctx.spans).size(), c.services);
    EXPECT_EQ(ctx.stats.rejected, c.rejected) << Rejections(ctx);
    EXPECT_TRUE(testing::UniqueIds(ctx.spans));
  }
}

struct CrispCase {
  const char* file;
  size_t spans, errors, services;
};

TEST(JaegerJson, ReadsCrispFixtures) {
  const CrispCase kCases[] = {
      {"1.json", 1, 0, 1},
      {"2.json", 2, 0, 2},
      {"3.json", 2, 0, 2},
      {"4.json", 3, 0, 3},
      {"5.json", 4, 0, 2},
      {"6.json", 4, 0, 4},
      {"7.json", 3, 0, 3},
      {"8.json", 3, 0, 3},
      {"9.json", 4, 0, 4},
      {"10.json", 4, 0, 4},
      {"11.json", 2, 1, 2},
      {"12.json", 4, 0, 4},
      {"13.json", 4, 0, 4},
      {"14.json", 4, 0, 4},
      {"15.json", 7, 1, 7},
      {"16.json", 7, 1, 7},
      {"17.json", 4, 1, 4},
      {"18.json", 9, 1, 9},
      {"19.json", 4, 0, 4},
      {"20.json", 4, 0, 4},
      {"21.json", 4, 0, 4},
      {"22.json", 4, 0, 2},
      {"23.json", 9, 0, 3},
      {"24.json", 9, 0, 3},
      {"25.json", 9, 0, 3},
      {"26.json", 7, 0, 3},
      {"err_pattern1/err1.json", 2, 2, 2},
      {"err_pattern1/err2.json", 2, 2, 2},
      {"err_pattern2/err1.json", 2, 1, 2},
      {"err_pattern2/err2.json", 2, 1, 2},
      {"err_pattern3/err1.json", 3, 2, 3},
      {"err_pattern3/err2.json", 3, 2, 3},
      {"err_pattern4/err1.json", 3, 1, 3},
      {"err_pattern4/err2.json", 3, 2, 3},
  };
  for (const CrispCase& c : kCases) {
    SCOPED_TRACE(c.file);
    std::string data =
        ReadFile(SharedData(std::string("traces/crisp-critical-path/test_cases/") + c.file));
    DecodeContext ctx(c.file);
    ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
    const SpanBatch& b = ctx.spans;
    EXPECT_EQ(ctx.stats.rejected, 0u) << Rejections(ctx);
    EXPECT_EQ(b.size(), c.spans);
    EXPECT_EQ(CountErrors(b), c.errors);
    EXPECT_EQ(Services(b).size(), c.services);
    EXPECT_EQ(RootCount(b), 1u);
  }
}

TEST(JaegerJson, MapsTagsLogsAndReferences) {
  std::string data = R"({"data":[{"traceID":"00000000000000010000000000000002","spans":[
    {"traceID":"00000000000000010000000000000002","spanID":"a","operationName":"root",
     "references":[],"startTime":1000,"duration":10.5,"flags":3,"processID":"p1",
     "tags":[{"key":"s","type":"string","value":"x"},{"key":"b","type":"bool","value":false},
             {"key":"i","type":"int64","value":"-42"},{"key":"f","type":"float64","value":1.5},
             {"key":"bin","type":"binary","value":"AAEC"},{"key":"n","value":7},
             {"key":"otel.status_code","type":"string","value":"OK"},
             {"key":"otel.status_description","type":"string","value":"fine"},
             {"key":"otel.scope.name","type":"string","value":"lib"},
             {"key":"otel.scope.version","type":"string","value":"2"},
             {"key":"w3c.tracestate","type":"string","value":"k=v"},
             {"key":"error","type":"bool","value":false}],
     "logs":[{"timestamp":1001,"fields":[{"key":"event","type":"string","value":"retry"},
                                         {"key":"attempt","type":"int64","value":2}]},
             {"timestamp":1002,"fields":[{"key":"message","type":"string","value":"hi"}]}]},
    {"spanID":"b","operationName":"child","startTime":1001,"duration":1,"processID":"p2",
     "references":[{"refType":"CHILD_OF","spanID":"a"},
                   {"refType":"CHILD_OF","traceID":"00000000000000010000000000000002","spanID":"c"},
                   {"refType":"FOLLOWS_FROM","traceID":"ff","spanID":"d"}]},
    {"spanID":"c","operationName":"legacy","startTime":1002,"duration":1,"processID":"p9",
     "parentSpanID":"a","references":null}],
   "processes":{"p1":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"h1"},
                                                  {"key":"pid","type":"int64","value":12}]},
                "p2":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"h1"},
                                                  {"key":"pid","type":"int64","value":12}]}}}]})";
  DecodeContext ctx("tags");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 3u) << Rejections(ctx);
  EXPECT_EQ(b.trace_id[0], (TraceId{1, 2}));
  EXPECT_EQ(b.end_ns[0] - b.start_ns[0], 10500);
  EXPECT_EQ(b.flags[0], 3u);
  EXPECT_EQ(SpanAttrType(b, 0, "s"), AttrType::kString);
  EXPECT_EQ(SpanAttr(b, 0, "b"), "false");
  EXPECT_EQ(SpanAttrType(b, 0, "b"), AttrType::kBool);
  EXPECT_EQ(SpanAttr(b, 0, "i"), "-42");
  EXPECT_EQ(SpanAttrType(b, 0, "i"), AttrType::kInt);
  EXPECT_EQ(SpanAttr(b, 0, "f"), "1.5");
  EXPECT_EQ(SpanAttrType(b, 0, "f"), AttrType::kDouble);
  EXPECT_EQ(SpanAttrType(b, 0, "bin"), AttrType::kBytes);
  EXPECT_EQ(SpanAttr(b, 0, "bin"), std::string("\x00\x01\x02", 3));
  EXPECT_EQ(SpanAttrType(b, 0, "n"), AttrType::kInt);
  EXPECT_EQ(SpanAttr(b, 0, "error"), "false");  // error=false stays an attribute
  EXPECT_EQ(SpanAttr(b, 0, "otel.status_code"), "<absent>");
  EXPECT_EQ(b.attr_off.end(0) - b.attr_off.begin(0), 7u);
  EXPECT_EQ(b.status[0], SpanStatus::kOk);
  EXPECT_EQ(b.dict.Get(b.status_message[0]), "fine");
  EXPECT_EQ(b.dict.Get(b.scopes.name[b.scope[0]]), "lib");
  EXPECT_EQ(b.dict.Get(b.trace_state[0]), "k=v");
  ASSERT_EQ(EventCount(b, 0), 2u);
  EXPECT_EQ(b.dict.Get(b.event_name[0]), "retry");
  EXPECT_EQ(b.event_time_ns[0], 1001000);
  EXPECT_EQ(b.event_attr_off.end(0) - b.event_attr_off.begin(0), 1u);
  EXPECT_EQ(b.dict.Get(b.event_name[1]), "");
  EXPECT_EQ(b.dict.Get(b.event_attrs.key[b.event_attr_off.begin(1)]), "message");
  // Identical processes share one resource.
  EXPECT_EQ(b.resource[0], b.resource[1]);
  EXPECT_EQ(ResourceAttr(b, 0, "pid"), "12");
  EXPECT_EQ(ResourceAttr(b, 0, "service.name"), "svc");
  // Span b: the first CHILD_OF is the parent; the other references become links.
  EXPECT_EQ(b.parent_span_id[1], 0xau);
  ASSERT_EQ(LinkCount(b, 1), 2u);
  uint32_t l = b.link_off.begin(1);
  EXPECT_EQ(b.link_span_id[l], 0xcu);
  EXPECT_EQ(b.link_attrs.ValueText(b.dict, b.link_attr_off.begin(l)), "child_of");
  EXPECT_EQ(b.link_trace_id[l + 1], (TraceId{0, 0xff}));
  EXPECT_EQ(b.link_attrs.ValueText(b.dict, b.link_attr_off.begin(l + 1)), "follows_from");
  // Span c: legacy parentSpanID; its process p9 is missing.
  EXPECT_EQ(b.parent_span_id[2], 0xau);
  EXPECT_EQ(b.dict.Get(b.service[2]), "unknown_service");
  EXPECT_EQ(ctx.stats.warnings, 1u);
}

TEST(JaegerJson, HashesNonHexIdsAndRejectsBrokenOnes) {
  std::string data =
      "[\n"
      R"({"traceID":"t-1","spanID":"xyz","operationName":"a","startTime":5,"duration":1},)"
      "\n"
      R"({"traceID":"t-1","spanID":"","startTime":5,"duration":1},)"
      "\n"
      R"({"traceID":"t-1","spanID":"0123456789abcdef0","startTime":5,"duration":1},)"
      "\n"
      "{\"traceID\":\"t-1\",\"spanID\":\"a\\u0001\",\"startTime\":5,\"duration\":1},\n"
      R"({"traceID":"t-1","spanID":"1","parentSpanID":"1","startTime":5,"duration":1},)"
      "\n"
      R"({"traceID":"t-1","spanID":"xyz","startTime":6,"duration":1},)"
      "\n"
      R"({"traceID":"t-1","spanID":"2","duration":1},)"
      "\n"
      R"({"traceID":"t-1","spanID":"3","parentSpanID":"xyz","startTime":"x"},)"
      "\n"
      R"({"traceID":"t-1","spanID":"4","parentSpanID":"xyz","startTime":7})"
      "\n]";
  DecodeContext ctx("ids.json");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 2u) << Rejections(ctx);
  EXPECT_EQ(SpanAttr(b, 0, "jaeger.span_id"), "xyz");
  EXPECT_EQ(SpanAttr(b, 0, "jaeger.trace_id"), "t-1");
  EXPECT_EQ(b.parent_span_id[1], b.span_id[0]);
  EXPECT_EQ(b.end_ns[1], b.start_ns[1]);  // no duration
  EXPECT_EQ(ctx.stats.warnings, 2u);
  std::vector<std::string> reasons;
  for (const Rejection& r : ctx.stats.rejections) reasons.push_back(r.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "spanID is missing",
                         "spanID must be 1-16 hex characters, got 17: \"0123456789abcdef0\"",
                         "spanID must be 1-16 hex characters, got \"a\\x01\"",
                         "span is its own parent (spanID 0000000000000001 == parent)",
                         "duplicate span id " + SpanIdToHex(b.span_id[0]) + " in trace " +
                             TraceIdToHex(b.trace_id[0]) + " (first at byte 2)",
                         "startTime is missing",
                         "startTime must be microseconds since the epoch, got \"x\"",
                     }));
  EXPECT_EQ(ctx.stats.rejections[0].line, 3u);
  EXPECT_EQ(ctx.stats.rejections[6].line, 9u);
}

TEST(JaegerJson, TruncatedDocumentKeepsTheCompleteSpans) {
  std::string full = ReadFile(SharedData("traces/jaeger-ui/formats/oltp2jaeger-multi-out.json"));
  // Cut inside the third span. The processes table at the end is lost, but these spans (the
  // UI's shape) also carry their process inline.
  size_t third = full.find("\"spanID\": \"49b8e9efa1e8a3b1\",\n          \"operationName\"");
  ASSERT_NE(third, std::string::npos);
  std::string data = full.substr(0, third + 20);
  DecodeContext ctx("cut.json");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 2u);
  EXPECT_EQ(Services(ctx.spans), (std::set<std::string>{"example-trace"}));
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason, "the input ends inside this span (truncated)");
  EXPECT_EQ(ctx.stats.rejections[0].offset, full.rfind("{\n          \"traceID\"", third));
}

TEST(JaegerJson, NothingDecodableIsAnError) {
  const std::string inputs[] = {
      std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xfe", 12),
      "",
      "42",
      R"({"resourceSpans":[{"scopeSpans":[]}]})",
      R"({"data":[{"traceID":"1","spans":[{"spanID" "2"}]}]})",
      R"({"data":[{"traceID":"1","spans":[{"spanID":"2","startTime":)",
  };
  for (const std::string& data : inputs) {
    DecodeContext ctx("bad");
    EXPECT_EQ(DecodeJaegerJson(data, ctx).code(), StatusCode::kInvalidArgument) << data;
    EXPECT_EQ(ctx.spans.size(), 0u);
  }
  DecodeContext empty("empty");
  EXPECT_TRUE(DecodeJaegerJson(R"({"data":[],"total":0,"errors":null})", empty).ok());
}

TEST(JaegerJson, ReplacesInvalidUtf8InTagValues) {
  std::string data =
      "[{\"traceID\":\"1\",\"spanID\":\"2\",\"startTime\":5,\"duration\":1,"
      "\"process\":{\"serviceName\":\"\xE4\xB8\xAD\xE6\x96\x87\"},"
      "\"tags\":[{\"key\":\"v\",\"type\":\"string\",\"value\":\"a\xC3\x28z\"}]}]";
  DecodeContext ctx("utf8");
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(SpanAttr(ctx.spans, 0, "v"), "a\xEF\xBF\xBD(z");
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.service[0]), "中文");
  EXPECT_EQ(ctx.stats.warnings, 1u);
}

TEST(JaegerJson, FlushesInBoundedBatchesWithValidResources) {
  std::string data = R"({"data":[)";
  for (int t = 1; t <= 40; ++t) {
    if (t > 1) data += ",";
    data += R"({"traceID":")" + std::to_string(t) + R"(","spans":[)";
    for (int s = 1; s <= 50; ++s) {
      if (s > 1) data += ",";
      data += R"({"spanID":")" + std::to_string(s) + R"(","operationName":"op","startTime":)" +
              std::to_string(1000 + s) + R"(,"duration":5,"processID":"p)" + std::to_string(s % 3) +
              R"(","tags":[{"key":"k","value":"v"}]})";
    }
    data += R"(],"processes":{"p0":{"serviceName":"a"},"p1":{"serviceName":"b"},)"
            R"("p2":{"serviceName":"c","tags":[{"key":"zone","value":"z1"}]}}})";
  }
  data += "]}";
  size_t flushed = 0, batches = 0;
  bool ok = true;
  DecodeContext::FlushFn flush = [&](SpanBatch& spans, LogBatch&, EventBatch&) {
    ++batches;
    flushed += spans.size();
    for (size_t i = 0; i < spans.size(); ++i) {
      std::string service(spans.dict.Get(spans.service[i]));
      ok &= spans.resource[i] < spans.resources.size() && spans.scope[i] < spans.scopes.size();
      ok &= (service == "c") == (ResourceAttr(spans, i, "zone") == "z1");
    }
    return Status::Ok();
  };
  DecodeContext ctx("flush", flush, 32 << 10);
  ASSERT_TRUE(DecodeJaegerJson(data, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(flushed, 2000u);
  EXPECT_GT(batches, 2u);
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace ddbg
