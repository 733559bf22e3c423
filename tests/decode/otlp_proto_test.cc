#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/otlp_proto_convert.h"
#include "decode/otlp_test_util.h"

namespace ddbg {
namespace {

using otlp_test::ReadData;
using otlp_test::Reasons;
using otlp_test::SortedLogs;
using otlp_test::SortedSpans;
using otlp_test::Summarize;
namespace trace = opentelemetry::proto::trace::v1;

Status Decode(std::string_view data, DecodeContext& ctx) {
  Status st = DecodeOtlpProto(data, ctx);
  EXPECT_TRUE(ctx.Finish().ok());
  return st;
}

std::string Name(int n, const char* kind, const char* ext) {
  return "otlp-captured/" + std::string(ext == std::string("pb") ? "proto/" : "json/") +
         (n < 10 ? "000" : "00") + std::to_string(n) + "-" + kind + "." + ext;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// A request with one resource "svc" and the spans added by the caller.
struct RequestBuilder {
  otlp::ExportTraceRequest request;
  trace::ScopeSpans* scope;
  RequestBuilder() {
    trace::ResourceSpans* rs = request.add_resource_spans();
    auto* kv = rs->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value("svc");
    scope = rs->add_scope_spans();
    scope->mutable_scope()->set_name("lib");
  }
  trace::Span* Add(const std::string& span_id, const std::string& parent = "") {
    trace::Span* s = scope->add_spans();
    s->set_trace_id(Bytes({0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d,
                           0x0e, 0x0e, 0x47, 0x36}));
    s->set_span_id(span_id);
    s->set_parent_span_id(parent);
    s->set_name("op");
    s->set_start_time_unix_nano(1000);
    s->set_end_time_unix_nano(2000);
    return s;
  }
};

TEST(OtlpProto, DecodesCapturedTracesWithExactCounts) {
  DecodeContext ctx("proto");
  for (int i = 6; i <= 10; ++i)
    ASSERT_TRUE(DecodeOtlpProto(ReadData(Name(i, "traces", "pb")), ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  // protoc --decode: 104 spans, 14 with STATUS_CODE_ERROR; 6 traces over 5 services.
  otlp_test::SpanSummary s = Summarize(ctx.spans);
  EXPECT_EQ(s.spans, 104u);
  EXPECT_EQ(s.traces, 6u);
  EXPECT_EQ(s.services, 5u);
  EXPECT_EQ(s.errors, 14u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(ctx.stats.warnings, 0u);
}

TEST(OtlpProto, GivesTheSameSpansAsJsonOfTheSameRun) {
  DecodeContext proto("proto"), json("json");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(DecodeOtlpProto(ReadData(Name(6 + i, "traces", "pb")), proto).ok());
    ASSERT_TRUE(DecodeOtlpJson(ReadData(Name(1 + i, "traces", "json")), json).ok());
  }
  ASSERT_TRUE(proto.Finish().ok());
  ASSERT_TRUE(json.Finish().ok());
  std::string why;
  EXPECT_TRUE(SameContent(SortedSpans(proto.spans), SortedSpans(json.spans), &why)) << why;
}

TEST(OtlpProto, GivesTheSameLogsAsJsonOfTheSameRun) {
  DecodeContext proto("proto"), json("json");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(DecodeOtlpProto(ReadData(Name(11 + i, "logs", "pb")), proto).ok());
    ASSERT_TRUE(DecodeOtlpJson(ReadData(Name(6 + i, "logs", "json")), json).ok());
  }
  ASSERT_TRUE(proto.Finish().ok());
  ASSERT_TRUE(json.Finish().ok());
  ASSERT_EQ(proto.logs.size(), 30u);
  EXPECT_EQ(proto.stats.rejected, 0u);
  std::string why;
  EXPECT_TRUE(SameContent(SortedLogs(proto.logs), SortedLogs(json.logs), &why)) << why;
  size_t uncorrelated = 0, kvlist = 0;
  for (size_t i = 0; i < proto.logs.size(); ++i) {
    uncorrelated += proto.logs.trace_id[i].empty();
    kvlist += proto.logs.body_type[i] == AttrType::kKvList;
  }
  EXPECT_EQ(uncorrelated, 1u);
  EXPECT_EQ(kvlist, 6u);
}

TEST(OtlpProto, DecodesGzipSharedSkewRequestLikeItsJson) {
  DecodeContext gz("gz"), json("json");
  ASSERT_TRUE(Decode(ReadData("otlp-captured/proto-gzip-shared-skew/0001-traces.pb.gz"), gz).ok());
  ASSERT_TRUE(
      DecodeOtlpJson(ReadData("otlp-captured/json-shared-skew/0001-traces.json"), json).ok());
  ASSERT_TRUE(json.Finish().ok());
  EXPECT_EQ(gz.spans.size(), 104u);
  EXPECT_EQ(gz.spans.resources.size(), 5u);
  std::string why;
  EXPECT_TRUE(SameContent(SortedSpans(gz.spans), SortedSpans(json.spans), &why)) << why;

  DecodeContext logs("gz-logs");
  ASSERT_TRUE(Decode(ReadData("otlp-captured/proto-gzip-shared-skew/0002-logs.pb.gz"), logs).ok());
  EXPECT_EQ(logs.logs.size(), 30u);
  EXPECT_EQ(logs.spans.size(), 0u);
}

TEST(OtlpProto, TruncatedProtobufIsACleanError) {
  std::string whole = ReadData(Name(6, "traces", "pb"));
  ASSERT_EQ(whole.size(), 5797u);
  DecodeContext ctx("half.pb");
  Status st = Decode(std::string_view(whole).substr(0, 2898), ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "half.pb: truncated or corrupt OTLP protobuf (2898 bytes): field 1 at offset 0 has "
            "length 5794 but only 2895 bytes remain (truncated?)");
  EXPECT_EQ(ctx.spans.size(), 0u);
}

TEST(OtlpProto, GarbageIsInvalidArgumentAndEmptyIsOk) {
  DecodeContext ctx("x.pb");
  Status st = Decode(std::string("{\"resourceSpans\":[]}"), ctx);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("corrupt OTLP protobuf"), std::string::npos) << st.message();
  DecodeContext empty("empty.pb");
  EXPECT_TRUE(Decode("", empty).ok());
  EXPECT_EQ(empty.spans.size(), 0u);
}

TEST(OtlpProto, RejectsBadSpansWithTheirPathAndKeepsOthers) {
  RequestBuilder b;
  b.Add(Bytes({1, 2, 3, 4}));
  b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 7}), Bytes({0, 0, 0, 0, 0, 0, 0, 7}));
  b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 8}))->set_trace_id(std::string(16, '\0'));
  trace::Span* late = b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 9}));
  late->set_end_time_unix_nano(500);
  b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 10}), Bytes({0, 0, 0, 0, 0, 0, 0, 9}));
  DecodeContext ctx("x.pb");
  ASSERT_TRUE(Decode(b.request.SerializeAsString(), ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 2u);
  EXPECT_EQ(ctx.spans.end_ns[0], ctx.spans.start_ns[0]);  // clipped
  EXPECT_EQ(ctx.stats.warnings, 1u);
  EXPECT_EQ(ctx.spans.parent_span_id[1], 9u);
  std::vector<std::string> want = {
      "resourceSpans[0].scopeSpans[0].spans[0]: spanId must be 8 bytes, got 4",
      "resourceSpans[0].scopeSpans[0].spans[1]: span is its own parent (parentSpanId == spanId)",
      "resourceSpans[0].scopeSpans[0].spans[2]: traceId is all zeros",
  };
  EXPECT_EQ(Reasons(ctx), want);
}

TEST(OtlpProto, RepairsInvalidUtf8InStringFields) {
  RequestBuilder b;
  b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 1}))->set_name("op-QQQQ-x");
  b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 2}));
  std::string wire = b.request.SerializeAsString();
  size_t at = wire.find("QQQQ");
  ASSERT_NE(at, std::string::npos);
  wire.replace(at, 4, "\xff\xc3(!");  // an invalid byte, then a truncated 2-byte sequence
  DecodeContext ctx("bad-utf8.pb");
  ASSERT_TRUE(Decode(wire, ctx).ok());
  ASSERT_EQ(ctx.spans.size(), 2u);
  EXPECT_EQ(ctx.spans.dict.Get(ctx.spans.name[0]), "op-\xEF\xBF\xBD\xEF\xBF\xBD(!-x");
  EXPECT_EQ(ctx.stats.warnings, 1u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
}

TEST(OtlpProto, ConvertsAParsedRequestDirectly) {
  RequestBuilder b;
  trace::Span* s = b.Add(Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  s->set_kind(trace::Span::SPAN_KIND_CONSUMER);
  s->set_flags(769);
  s->mutable_status()->set_code(trace::Status::STATUS_CODE_ERROR);
  s->mutable_status()->set_message("declined");
  auto* kv = s->add_attributes();
  kv->set_key("list");
  kv->mutable_value()->mutable_array_value()->add_values()->set_int_value(3);
  kv->mutable_value()->mutable_array_value()->add_values()->set_bytes_value(Bytes({0, 1, 2, 255}));
  auto* ev = s->add_events();
  ev->set_name("exception");
  ev->set_time_unix_nano(1500);
  DecodeContext ctx("grpc");
  ASSERT_TRUE(otlp::ConvertTraceRequest(b.request, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  const SpanBatch& sb = ctx.spans;
  ASSERT_EQ(sb.size(), 1u);
  EXPECT_EQ(sb.kind[0], SpanKind::kConsumer);
  EXPECT_EQ(sb.flags[0], 769u);
  EXPECT_EQ(sb.status[0], SpanStatus::kError);
  EXPECT_EQ(sb.dict.Get(sb.status_message[0]), "declined");
  EXPECT_EQ(otlp_test::SpanAttr(sb, 0, "list"), R"([3,"AAEC/w=="])");
  EXPECT_EQ(sb.dict.Get(sb.service[0]), "svc");
  EXPECT_EQ(sb.event_time_ns.size(), 1u);
  EXPECT_EQ(TraceIdToHex(sb.trace_id[0]), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(OtlpProto, StreamsThroughFlushesWithValidResourceRows) {
  RequestBuilder b;
  for (int i = 1; i <= 3000; ++i) {
    b.Add(Bytes({0, 0, 0, 0, 0, 0, i >> 8, i & 0xff}));
  }
  size_t flushed = 0, flushes = 0;
  bool consistent = true;
  auto flush = [&](SpanBatch& spans, LogBatch&, EventBatch&) {
    ++flushes;
    for (size_t i = 0; i < spans.size(); ++i) {
      uint32_t r = spans.resource[i];
      if (r >= spans.resources.size() || spans.scope[i] >= spans.scopes.size() ||
          spans.dict.Get(spans.service[i]) != "svc" ||
          spans.dict.Get(spans.scopes.name[spans.scope[i]]) != "lib") {
        consistent = false;
      }
    }
    flushed += spans.size();
    return Status::Ok();
  };
  DecodeContext ctx("big.pb", flush, 1);
  ASSERT_TRUE(DecodeOtlpProto(b.request.SerializeAsString(), ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_EQ(flushed, 3000u);
  EXPECT_EQ(flushes, 3u);  // after 1024 and 2048 spans, and the rest at the end
  EXPECT_TRUE(consistent);
}

}  // namespace
}  // namespace ddbg
