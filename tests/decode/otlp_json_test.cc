#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "ddbg/decode.h"
#include "decode/otlp_test_util.h"

namespace ddbg {
namespace {

using otlp_test::ReadData;
using otlp_test::Reasons;
using otlp_test::SortedSpans;
using otlp_test::SpanAttr;
using otlp_test::Summarize;

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

// One span object; `extra` is appended inside the object (start it with a comma).
std::string Span(std::string_view span_id, std::string_view extra = "",
                 std::string_view trace_id = kTrace, std::string_view parent = "") {
  std::string s =
      R"({"traceId":")" + std::string(trace_id) + R"(","spanId":")" + std::string(span_id) + R"(")";
  if (!parent.empty()) s += R"(,"parentSpanId":")" + std::string(parent) + R"(")";
  s += R"(,"name":"op","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000")";
  s += extra;
  s += "}";
  return s;
}

// A one-line export request holding `spans` under service `service`.
std::string Request(const std::vector<std::string>& spans, std::string_view service = "svc") {
  std::string s = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
                  R"("value":{"stringValue":")" +
                  std::string(service) +
                  R"("}}]},"scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[)";
  for (size_t i = 0; i < spans.size(); ++i) s += (i ? "," : "") + spans[i];
  return s + "]}]}]}";
}

std::string LogRequest(const std::vector<std::string>& logs) {
  std::string s = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",)"
                  R"("value":{"stringValue":"svc"}}]},"scopeLogs":[{"logRecords":[)";
  for (size_t i = 0; i < logs.size(); ++i) s += (i ? "," : "") + logs[i];
  return s + "]}]}]}";
}

Status Decode(std::string_view data, DecodeContext& ctx) {
  Status st = DecodeOtlpJson(data, ctx);
  EXPECT_TRUE(ctx.Finish().ok());
  return st;
}

TEST(OtlpJson, DecodesCapturedTracesWithExactCounts) {
  DecodeContext ctx("json");
  for (int i = 1; i <= 5; ++i) {
    std::string data = ReadData("otlp-captured/json/000" + std::to_string(i) + "-traces.json");
    ASSERT_TRUE(DecodeOtlpJson(data, ctx).ok());
  }
  ASSERT_TRUE(ctx.Finish().ok());
  // jq: 104 spans, 6 traces, 5 services, 14 spans with status.code 2.
  otlp_test::SpanSummary s = Summarize(ctx.spans);
  EXPECT_EQ(s.spans, 104u);
  EXPECT_EQ(s.traces, 6u);
  EXPECT_EQ(s.services, 5u);
  EXPECT_EQ(s.errors, 14u);
  EXPECT_EQ(ctx.stats.spans, 104u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(ctx.stats.warnings, 0u);
}

TEST(OtlpJson, DecodesSharedSkewRequestWithFiveResources) {
  DecodeContext ctx("skew");
  ASSERT_TRUE(Decode(ReadData("otlp-captured/json-shared-skew/0001-traces.json"), ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 104u);
  EXPECT_EQ(ctx.spans.resources.size(), 5u);
  EXPECT_EQ(Summarize(ctx.spans).services, 5u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  // The first span of the request: frontend "render cart", an internal span with flags 257.
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.service[0]), "frontend");
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.scopes.name[ctx.spans.scope[0]]), "shop.frontend");
}

TEST(OtlpJson, DecodesCapturedLogsWithKvlistBodyAndEventName) {
  DecodeContext ctx("logs");
  for (int i = 6; i <= 10; ++i) {
    std::string name = i < 10 ? "000" + std::to_string(i) : "00" + std::to_string(i);
    ASSERT_TRUE(DecodeOtlpJson(ReadData("otlp-captured/json/" + name + "-logs.json"), ctx).ok());
  }
  ASSERT_TRUE(ctx.Finish().ok());
  const LogBatch& b = ctx.logs;
  ASSERT_EQ(b.size(), 30u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  size_t uncorrelated = 0, kvlist = 0, named = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.body_type[i] == AttrType::kKvList) ++kvlist;
    if (b.event_name[i] != kEmptyStr) ++named;
    if (!b.trace_id[i].empty()) continue;
    ++uncorrelated;
    EXPECT_EQ(b.dict.Get(b.body[i]), "checkout service started");
    EXPECT_EQ(b.dict.Get(b.event_name[i]), "service.start");
    EXPECT_EQ(b.dict.Get(b.service[i]), "checkout");
    EXPECT_EQ(b.span_id[i], 0u);
    EXPECT_EQ(b.severity_number[i], 9);
  }
  EXPECT_EQ(uncorrelated, 1u);
  EXPECT_EQ(kvlist, 6u);
  EXPECT_EQ(named, 5u);
  // The first inventory log of trace 3a9a4f84…: a kvlist body with a nested array.
  bool found = false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.body_type[i] != AttrType::kKvList) continue;
    if (TraceIdToHex(b.trace_id[i]) != "3a9a4f8456454e6641a5562067649405") continue;
    found = true;
    EXPECT_EQ(b.dict.Get(b.body[i]),
              R"({"message":"stock reserved","skus":["SKU-163","SKU-104","SKU-928"],)"
              R"("order_id":"ord-3cd1qk"})");
  }
  EXPECT_TRUE(found);
}

TEST(OtlpJson, JsonLinesAndCombinedDocumentGiveSameSpans) {
  DecodeContext lines("lines"), combined("combined");
  ASSERT_TRUE(
      Decode(ReadData("traces/jaeger-ui/formats/otlp2jaeger-multi-in.json.txt"), lines).ok());
  ASSERT_TRUE(
      Decode(ReadData("traces/jaeger-ui/formats/otlp2jaeger-multi-in-combined.json"), combined)
          .ok());
  EXPECT_EQ(lines.spans.size(), 4u);
  EXPECT_EQ(lines.stats.rejected, 0u);
  EXPECT_EQ(combined.stats.rejected, 0u);
  std::string why;
  EXPECT_TRUE(SameContent(SortedSpans(lines.spans), SortedSpans(combined.spans), &why)) << why;
  // The root "main" has parentSpanId "" in the file.
  EXPECT_EQ(Summarize(lines.spans).roots, 1u);
}

TEST(OtlpJson, KeepsBothCopiesOfADuplicatedSpan) {
  DecodeContext ctx("jaeger-testdata");
  ASSERT_TRUE(Decode(ReadData("traces/jaeger-testdata/formats/otlp2jaeger-in.json"), ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(TraceIdToHex(b.trace_id[i]), "83a9efd15c1c98a977e0711cc93ee28b");
    EXPECT_EQ(SpanIdToHex(b.span_id[i]), "e127af99e3b3e074");
    EXPECT_EQ(SpanIdToHex(b.parent_span_id[i]), "909541b92cf05311");
    EXPECT_EQ(b.dict.Get(b.service[i]), "telemetrygen");
    EXPECT_EQ(b.kind[i], SpanKind::kServer);
    EXPECT_EQ(b.end_ns[i] - b.start_ns[i], 123000);
    EXPECT_EQ(SpanAttr(b, i, "net.peer.ip"), "1.2.3.4");
  }
}

TEST(OtlpJson, DecodesRcaTracesAndLogsWithoutRejections) {
  // Counted with jq on the files: 328,848 spans (the README's 179,170 is out of date), 4,483
  // traces, 28 services, 4,590 roots; 172,722 log records, 45 with a negative timeUnixNano.
  DecodeContext traces("traces.otlp.jsonl.gz");
  ASSERT_TRUE(Decode(ReadData("rca/trainticket-2023-01-29/traces.otlp.jsonl.gz"), traces).ok());
  otlp_test::SpanSummary s = Summarize(traces.spans);
  EXPECT_EQ(s.spans, 328848u);
  EXPECT_EQ(s.traces, 4483u);
  EXPECT_EQ(s.services, 28u);
  EXPECT_EQ(s.roots, 4590u);
  EXPECT_EQ(traces.stats.rejected, 0u);
  EXPECT_EQ(traces.stats.warnings, 0u);

  DecodeContext logs("logs.otlp.jsonl.gz");
  ASSERT_TRUE(Decode(ReadData("rca/trainticket-2023-01-29/logs.otlp.jsonl.gz"), logs).ok());
  EXPECT_EQ(logs.logs.size(), 172722u);
  EXPECT_EQ(logs.stats.rejected, 0u);
  EXPECT_EQ(logs.stats.warnings, 45u);  // the negative times read as unknown (0)
}

TEST(OtlpJson, RejectsMalformedAndTruncatedLinesAndKeepsOthers) {
  std::string good1 = Request({Span("00f067aa0ba902b1")});
  std::string good2 = Request({Span("00f067aa0ba902b2")});
  std::string malformed = R"({"resourceSpans":[{"resource":{}},,]})";
  std::string truncated = good1.substr(0, good1.size() / 2);
  DecodeContext ctx("x.jsonl");
  ASSERT_TRUE(Decode(good1 + "\n" + malformed + "\n\n" + good2 + "\n" + truncated, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 2u);
  ASSERT_EQ(ctx.stats.rejected, 2u);
  EXPECT_EQ(ctx.stats.rejections[0].line, 2u);
  EXPECT_EQ(ctx.stats.rejections[0].reason.rfind("malformed JSON: ", 0), 0u)
      << ctx.stats.rejections[0].reason;
  EXPECT_EQ(ctx.stats.rejections[1].line, 5u);
  EXPECT_EQ(ctx.stats.rejections[1].reason.rfind("malformed JSON: ", 0), 0u);
}

TEST(OtlpJson, RejectsBadFirstLineAndKeepsTheRest) {
  std::string good = Request({Span("00f067aa0ba902b1")});
  DecodeContext ctx("x.jsonl");
  ASSERT_TRUE(Decode("ceId\":\"abc\"}]}]}]}\n" + good + "\n", ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].line, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason, "not JSON: the line starts with byte 0x63");
}

TEST(OtlpJson, RepairsInvalidUtf8AndCountsTheRecord) {
  std::string bad =
      Span("00f067aa0ba902b1", R"(,"attributes":[{"key":"k","value":{"stringValue":"a)"
                               "\xff\xfe"
                               R"(b"}}])");
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({bad, Span("00f067aa0ba902b2")}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 2u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(ctx.stats.warnings, 1u);
  EXPECT_EQ(SpanAttr(ctx.spans, 0, "k"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
}

TEST(OtlpJson, RepairsUnpairedSurrogateEscape) {
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({Span("00f067aa0ba902b1", R"(,"traceState":"x\ud800y")")}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.trace_state[0]), "x\xEF\xBF\xBDy");
  EXPECT_EQ(ctx.stats.warnings, 1u);
}

TEST(OtlpJson, RejectsBadIdsWithReasonsAndKeepsOthers) {
  std::vector<std::string> spans = {
      Span("00f067aa0ba902b"),                                   // 15 hex characters
      Span("00f067aa0ba902b1", "", "S/kvNXezTaajzpKdDg5HNg=="),  // base64, not hex
      Span("00f067aa0ba902b1", "", "4bf92f3577b34da6a3ce929d0e0e47zz"),
      Span("00f067aa0ba902b1", "", "00000000000000000000000000000000"),
      Span("0000000000000000"),
      Span("00f067aa0ba902b1", "", kTrace, "00f067aa"),
      Span("00f067aa0ba902b9"),  // the good one
  };
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request(spans), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(SpanIdToHex(ctx.spans.span_id[0]), "00f067aa0ba902b9");
  std::vector<std::string> want = {
      "spanId must be 16 hex characters, got 15",
      "traceId must be 32 hex characters, got 24",
      "traceId is not hex: \"4bf92f3577b34da6a3ce929d0e0e47zz\"",
      "traceId is all zeros",
      "spanId is all zeros",
      "parentSpanId must be 16 hex characters, got 8",
  };
  EXPECT_EQ(Reasons(ctx), want);
  for (const Rejection& r : ctx.stats.rejections) EXPECT_EQ(r.line, 1u);
}

TEST(OtlpJson, RejectsSpanThatIsItsOwnParent) {
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({Span("00f067aa0ba902b1", "", kTrace, "00f067aa0ba902b1"),
                              Span("00f067aa0ba902b2", "", kTrace, "00f067aa0ba902b1")}),
                     ctx)
                  .ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].reason, "span is its own parent (parentSpanId == spanId)");
}

TEST(OtlpJson, ClipsEndBeforeStartAndCountsAWarning) {
  std::string span = R"({"traceId":")" + std::string(kTrace) +
                     R"(","spanId":"00f067aa0ba902b1","startTimeUnixNano":"5000",)"
                     R"("endTimeUnixNano":"4000"})";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({span}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.start_ns[0], 5000);
  EXPECT_EQ(ctx.spans.end_ns[0], 5000);
  EXPECT_EQ(ctx.stats.warnings, 1u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(OtlpJson, KeepsATenMegabyteAttributeValueIntact) {
  std::string big(10 << 20, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::string span =
      Span("00f067aa0ba902b1",
           R"(,"attributes":[{"key":"big","value":{"stringValue":")" + big + R"("}}])");
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({span}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_TRUE(SpanAttr(ctx.spans, 0, "big") == big);
}

TEST(OtlpJson, EmptyInputIsOkWithNothing) {
  for (std::string_view input : {std::string_view(""), std::string_view(" \n\r\n\t\n")}) {
    DecodeContext ctx("empty");
    EXPECT_TRUE(Decode(input, ctx).ok());
    EXPECT_EQ(ctx.spans.size() + ctx.logs.size(), 0u);
    EXPECT_EQ(ctx.stats.rejected, 0u);
  }
}

TEST(OtlpJson, BinaryGarbageIsInvalidArgument) {
  std::string garbage("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\n\x01\x02{\x80", 16);
  DecodeContext ctx("blob.json");
  Status st = Decode(garbage, ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not OTLP JSON"), std::string::npos) << st.message();
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(OtlpJson, NonOtlpJsonIsInvalidArgument) {
  DecodeContext ctx("jaeger.json");
  Status st = Decode(R"({"data":[{"traceID":"abc","spans":[]}]})", ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "jaeger.json:1: not OTLP JSON: no resourceSpans or resourceLogs (first member "
            "\"data\")");
}

TEST(OtlpJson, TruncatedPrettyDocumentIsInvalidArgument) {
  std::string doc = ReadData("traces/jaeger-testdata/formats/otlp2jaeger-in.json");
  DecodeContext ctx("cut.json");
  Status st = Decode(doc.substr(0, doc.size() / 2), ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("malformed JSON"), std::string::npos) << st.message();
}

TEST(OtlpJson, AcceptsNumbersAsStringsAndEnumsByName) {
  std::string span =
      R"({"traceId":")" + std::string(kTrace) +
      R"(","spanId":"00f067aa0ba902b1","name":"n","kind":"SPAN_KIND_CLIENT",)"
      R"("startTimeUnixNano":1000,"endTimeUnixNano":"3000","flags":257,)"
      R"("traceState":"k=v","status":{"code":"STATUS_CODE_ERROR","message":"boom"},)"
      R"("attributes":[{"key":"a","value":{"intValue":"42"}},)"
      R"({"key":"b","value":{"intValue":42}},{"key":"c","value":{"intValue":"-7"}}]})";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({span}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  const SpanBatch& b = ctx.spans;
  EXPECT_EQ(b.kind[0], SpanKind::kClient);
  EXPECT_EQ(b.start_ns[0], 1000);
  EXPECT_EQ(b.end_ns[0], 3000);
  EXPECT_EQ(b.flags[0], 257u);
  EXPECT_EQ(b.dict.Get(b.trace_state[0]), "k=v");
  EXPECT_EQ(b.status[0], SpanStatus::kError);
  EXPECT_EQ(b.dict.Get(b.status_message[0]), "boom");
  for (uint32_t a = b.attr_off.begin(0); a < b.attr_off.end(0); ++a) {
    EXPECT_EQ(b.attrs.type[a], AttrType::kInt);
  }
  EXPECT_EQ(SpanAttr(b, 0, "a"), "42");
  EXPECT_EQ(SpanAttr(b, 0, "b"), "42");
  EXPECT_EQ(SpanAttr(b, 0, "c"), "-7");
}

TEST(OtlpJson, StoresNestedValuesAsCompactJsonAndBytesRaw) {
  std::string attrs =
      R"(,"attributes":[)"
      R"({"key":"map","value":{"kvlistValue":{"values":[{"key":"n","value":{"intValue":"1"}},)"
      R"({"key":"l","value":{"arrayValue":{"values":[{"doubleValue":1.5},{"boolValue":true},)"
      R"({"bytesValue":"AAEC/w=="},{}]}}},{"key":"q","value":{"stringValue":"a\"b"}}]}}},)"
      R"({"key":"raw","value":{"bytesValue":"AAEC/w=="}},)"
      R"({"key":"d","value":{"doubleValue":"NaN"}},)"
      R"({"key":"none","value":{}}])";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({Span("00f067aa0ba902b1", attrs)}), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  const SpanBatch& b = ctx.spans;
  uint32_t a = b.attr_off.begin(0);
  ASSERT_EQ(b.attr_off.end(0) - a, 4u);
  EXPECT_EQ(b.attrs.type[a], AttrType::kKvList);
  EXPECT_EQ(b.attrs.ValueText(b.dict, a), R"({"n":1,"l":[1.5,true,"AAEC/w==",null],"q":"a\"b"})");
  EXPECT_EQ(b.attrs.type[a + 1], AttrType::kBytes);
  EXPECT_EQ(b.dict.Get(static_cast<StrId>(b.attrs.value[a + 1])),
            std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(b.attrs.type[a + 2], AttrType::kDouble);
  EXPECT_EQ(b.attrs.ValueText(b.dict, a + 2), "NaN");
  EXPECT_EQ(b.attrs.type[a + 3], AttrType::kEmpty);
}

TEST(OtlpJson, DecodesEventsLinksAndScope) {
  std::string extra =
      R"(,"events":[{"timeUnixNano":"1500","name":"exception","attributes":[)"
      R"({"key":"exception.message","value":{"stringValue":"x"}}]}],)"
      R"("links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)"
      R"("traceState":"a=b","attributes":[{"key":"l","value":{"boolValue":false}}]}])";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(Request({Span("00f067aa0ba902b1", extra)}), ctx).ok());
  const SpanBatch& b = ctx.spans;
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b.event_off.end(0) - b.event_off.begin(0), 1u);
  EXPECT_EQ(b.event_time_ns[0], 1500);
  EXPECT_EQ(b.dict.Get(b.event_name[0]), "exception");
  EXPECT_EQ(b.event_attrs.ValueText(b.dict, b.event_attr_off.begin(0)), "x");
  ASSERT_EQ(b.link_off.end(0) - b.link_off.begin(0), 1u);
  EXPECT_EQ(TraceIdToHex(b.link_trace_id[0]), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(SpanIdToHex(b.link_span_id[0]), "b7ad6b7169203331");
  EXPECT_EQ(b.dict.Get(b.link_trace_state[0]), "a=b");
  EXPECT_EQ(b.link_attrs.ValueText(b.dict, b.link_attr_off.begin(0)), "false");
  EXPECT_EQ(b.dict.Get(b.scopes.name[b.scope[0]]), "lib");
  EXPECT_EQ(b.dict.Get(b.scopes.version[b.scope[0]]), "1.0");
}

TEST(OtlpJson, RejectsSpanWithBadLinkId) {
  std::string extra = R"(,"links":[{"traceId":")" + std::string(kTrace) + R"(","spanId":"b7ad"}])";
  DecodeContext ctx("x");
  ASSERT_TRUE(
      Decode(Request({Span("00f067aa0ba902b1", extra), Span("00f067aa0ba902b2")}), ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.link_span_id.size(), 0u);  // the rejected span's link is discarded
  EXPECT_EQ(Reasons(ctx),
            std::vector<std::string>{"links[].spanId must be 16 hex characters, got 4"});
}

TEST(OtlpJson, UsesUnknownServiceWithoutServiceName) {
  std::string req =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + Span("00f067aa0ba902b1") + "]}]}]}";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(req, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.service[0]), "unknown_service");
}

TEST(OtlpJson, AcceptsSnakeCaseMemberNames) {
  std::string req = R"({"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":")" +
                    std::string(kTrace) +
                    R"(","span_id":"00f067aa0ba902b1","start_time_unix_nano":"7",)"
                    R"("end_time_unix_nano":"9"}]}]}]})";
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(req, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 1u);
  EXPECT_EQ(ctx.spans.end_ns[0], 9);
}

TEST(OtlpJson, DecodesLogRecordFields) {
  std::vector<std::string> logs = {
      R"({"timeUnixNano":"100","observedTimeUnixNano":"150",)"
      R"("severityNumber":"SEVERITY_NUMBER_WARN","severityText":"Warning",)"
      R"("body":{"kvlistValue":{"values":[{"key":"m","value":{"stringValue":"hi"}}]}},)"
      R"("traceId":")" +
          std::string(kTrace) +
          R"(","spanId":"00f067aa0ba902b1","flags":1,)"
          R"("eventName":"shop.x","attributes":[{"key":"k","value":{"intValue":3}}]})",
      R"({"observedTimeUnixNano":"200","severityText":"ERROR","body":{"stringValue":"plain"},)"
      R"("traceId":"","spanId":""})",
      R"({"timeUnixNano":"300","body":{"intValue":"42"}})",
  };
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(LogRequest(logs), ctx).ok());
  const LogBatch& b = ctx.logs;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.time_ns[0], 100);
  EXPECT_EQ(b.observed_ns[0], 150);
  EXPECT_EQ(b.severity_number[0], 13);
  EXPECT_EQ(b.dict.Get(b.severity_text[0]), "Warning");
  EXPECT_EQ(b.body_type[0], AttrType::kKvList);
  EXPECT_EQ(b.dict.Get(b.body[0]), R"({"m":"hi"})");
  EXPECT_EQ(TraceIdToHex(b.trace_id[0]), kTrace);
  EXPECT_EQ(SpanIdToHex(b.span_id[0]), "00f067aa0ba902b1");
  EXPECT_EQ(b.flags[0], 1u);
  EXPECT_EQ(b.dict.Get(b.event_name[0]), "shop.x");
  EXPECT_EQ(b.attr_off.end(0) - b.attr_off.begin(0), 1u);
  // No time: the observed time stands in; the severity comes from the text.
  EXPECT_EQ(b.time_ns[1], 200);
  EXPECT_EQ(b.severity_number[1], 17);
  EXPECT_TRUE(b.trace_id[1].empty());
  EXPECT_EQ(b.dict.Get(b.body[1]), "plain");
  EXPECT_EQ(b.body_type[2], AttrType::kInt);
  EXPECT_EQ(b.dict.Get(b.body[2]), "42");
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(OtlpJson, RejectsLogWithMalformedIdsAndKeepsOthers) {
  std::vector<std::string> logs = {
      R"({"timeUnixNano":"1","body":{"stringValue":"a"},"traceId":"abc"})",
      R"({"timeUnixNano":"2","body":{"stringValue":"b"},"traceId":")" + std::string(kTrace) +
          R"(","spanId":"xyz0000000000000"})",
      R"({"timeUnixNano":"3","body":{"stringValue":"c"}})",
  };
  DecodeContext ctx("x");
  ASSERT_TRUE(Decode(LogRequest(logs), ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(ctx.logs.dict.Get(ctx.logs.body[0]), "c");
  std::vector<std::string> want = {"traceId must be 32 hex characters, got 3",
                                   "spanId is not hex: \"xyz0000000000000\""};
  EXPECT_EQ(Reasons(ctx), want);
}

TEST(OtlpJson, PlacesRejectionInPrettyDocumentAtItsLine) {
  std::string doc = "{\n \"resourceSpans\": [{\n  \"scopeSpans\": [{\n   \"spans\": [\n    " +
                    Span("00f067aa0ba902b1") + ",\n    " + Span("00f067aa0ba902b") + "\n" +
                    "   ]\n  }]\n }]\n}\n";
  DecodeContext ctx("pretty.json");
  ASSERT_TRUE(Decode(doc, ctx).ok());
  EXPECT_EQ(ctx.spans.size(), 1u);
  ASSERT_EQ(ctx.stats.rejected, 1u);
  EXPECT_EQ(ctx.stats.rejections[0].line, 6u);
  EXPECT_EQ(ctx.stats.rejections[0].ToString(),
            "pretty.json:6: spanId must be 16 hex characters, got 15");
}

TEST(OtlpJson, AcceptsAJsonArrayOfRequests) {
  std::string input(1, '[');
  input += Request({Span("00f067aa0ba902b1")});
  input += ',';
  input += Request({Span("00f067aa0ba902b2")}, "other");
  input += ']';
  DecodeContext ctx("array.json");
  ASSERT_TRUE(Decode(input, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 2u);
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.service[1]), "other");
}

TEST(OtlpJson, ReportsMetricsAsUnsupported) {
  DecodeContext ctx("m.json");
  ASSERT_TRUE(Decode(R"({"resourceMetrics":[]})", ctx).ok());
  EXPECT_EQ(Reasons(ctx),
            std::vector<std::string>{"resourceMetrics: only OTLP traces and logs are supported"});
}

TEST(OtlpJson, StreamsThroughFlushesWithValidResourceRows) {
  std::string one = ReadData("otlp-captured/json-shared-skew/0001-traces.json");
  while (!one.empty() && one.back() == '\n') one.pop_back();
  std::string input;
  for (int i = 0; i < 30; ++i) input += one + "\n";
  size_t flushed = 0, flushes = 0;
  bool consistent = true;
  auto flush = [&](SpanBatch& spans, LogBatch&, EventBatch&) {
    ++flushes;
    for (size_t i = 0; i < spans.size(); ++i) {
      uint32_t r = spans.resource[i];
      if (r >= spans.resources.size() || spans.scope[i] >= spans.scopes.size() ||
          spans.service[i] != spans.resources.service[r]) {
        consistent = false;
      }
    }
    flushed += spans.size();
    return Status::Ok();
  };
  DecodeContext ctx("many.jsonl", flush, 1);  // flush at every chance
  ASSERT_TRUE(DecodeOtlpJson(input, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(flushed, 30u * 104u);
  EXPECT_EQ(ctx.stats.spans, 30u * 104u);
  EXPECT_GT(flushes, 30u);  // some flushes happened inside a request
  EXPECT_TRUE(consistent);
}

}  // namespace
}  // namespace ddbg
