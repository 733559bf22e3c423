// OTLP/HTTP into an in-process server, read back through the Jaeger API: captured real-SDK
// payloads (protobuf, JSON, gzip + chunked, several services in one request), partial
// success, intValue as a string, and the RED metrics that result.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

struct ManifestTrace {
  std::string id;
  uint64_t spans;
};

std::vector<ManifestTrace> ManifestTraces(const std::string& dir) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(ReadFile(Captured(dir + "/manifest.json")));
  std::vector<ManifestTrace> out;
  for (auto t : parser.parse(text)["traces"].get_array()) {
    out.push_back({std::string(t["trace_id"].get_string().value()),
                   static_cast<uint64_t>(t["spans"].get_int64().value())});
  }
  return out;
}

size_t CountOf(const std::string& body, const std::string& needle) {
  size_t n = 0;
  for (size_t p = body.find(needle); p != std::string::npos; p = body.find(needle, p + 1)) ++n;
  return n;
}

class OtlpHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Server::Start(TestOptions(dir_.Sub("data")));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    otlp_ = Client(server_->ports().otlp_http);
    query_ = Client(server_->ports().http);
  }
  int PostFiles(const std::string& dir, const std::string& kind, const std::string& ext,
                const std::string& content_type) {
    int posted = 0;
    for (auto& e : std::filesystem::directory_iterator(Captured(dir))) {
      std::string name = e.path().filename();
      if (!name.ends_with("-" + kind + "." + ext)) continue;
      auto res = otlp_->Post("/v1/" + kind, ReadFile(e.path()), content_type);
      EXPECT_TRUE(res && res->status == 200) << name << ": " << (res ? res->body : "no answer");
      ++posted;
    }
    return posted;
  }
  // Every manifest trace is found by id with its span count.
  void ExpectManifestTraces(const std::string& dir) {
    for (const ManifestTrace& t : ManifestTraces(dir)) {
      auto res = query_->Get("/api/traces/" + t.id);
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << t.id;
      EXPECT_EQ(CountOf(res->body, "\"operationName\":"), t.spans) << t.id;
    }
  }
  std::string Metrics() { return query_->Get("/metrics")->body; }

  ScratchDir dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> otlp_;
  std::unique_ptr<httplib::Client> query_;
};

TEST_F(OtlpHttp, CapturedProtobufTracesAndLogsAreFoundThroughTheJaegerApi) {
  EXPECT_EQ(PostFiles("proto", "traces", "pb", "application/x-protobuf"), 5);
  EXPECT_EQ(PostFiles("proto", "logs", "pb", "application/x-protobuf"), 5);
  ExpectManifestTraces("proto");
  std::string services = query_->Get("/api/services")->body;
  EXPECT_NE(services.find("\"checkout\""), std::string::npos);
  EXPECT_NE(services.find("\"payment\""), std::string::npos);
  std::string m = Metrics();
  EXPECT_NE(m.find("ddbg_ingested_records_total{signal=\"spans\"} 104\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("ddbg_ingested_records_total{signal=\"logs\"} 0\n"), std::string::npos);
}

TEST_F(OtlpHttp, CapturedJsonRequestsAreAccepted) {
  EXPECT_EQ(PostFiles("json", "traces", "json", "application/json"), 5);
  EXPECT_EQ(PostFiles("json", "logs", "json", "application/json"), 5);
  ExpectManifestTraces("json");
}

TEST_F(OtlpHttp, GzipChunkedMultiServiceRequestIsAccepted) {
  // One gzip body carrying all five services, sent chunked without Content-Length.
  for (auto& e : std::filesystem::directory_iterator(Captured("proto-gzip-shared-skew"))) {
    std::string name = e.path().filename();
    if (!name.ends_with(".pb.gz") || name.find("traces") == std::string::npos) continue;
    std::string gz = ReadFile(e.path());
    httplib::Headers h = {{"Content-Encoding", "gzip"}};
    auto res = otlp_->Post(
        "/v1/traces", h,
        [gz](size_t offset, httplib::DataSink& sink) {
          sink.write(gz.data() + offset, std::min<size_t>(1000, gz.size() - offset));
          if (offset + 1000 >= gz.size()) sink.done();
          return true;
        },
        "application/x-protobuf");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  ExpectManifestTraces("proto-gzip-shared-skew");
}

TEST_F(OtlpHttp, BadRecordsGivePartialSuccessAndIntValueMayBeAString) {
  std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},
    "scopeSpans":[{"spans":[
     {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"ok",
      "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000",
      "attributes":[{"key":"n","value":{"intValue":"42"}}]},
     {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"11121314","name":"short id",
      "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"}]}]}]})";
  auto res = otlp_->Post("/v1/traces", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("\"rejectedSpans\":\"1\""), std::string::npos) << res->body;
  auto trace = query_->Get("/api/traces/0102030405060708090a0b0c0d0e0f10");
  ASSERT_EQ(trace->status, 200);
  EXPECT_NE(trace->body.find(R"({"key":"n","type":"int64","value":42})"), std::string::npos)
      << trace->body;
  EXPECT_NE(Metrics().find("ddbg_rejected_records_total{signal=\"spans\",reason=\"invalid_record\"} 1"),
            std::string::npos);
}

TEST_F(OtlpHttp, RedMetricsCountSpansErrorsAndDurations) {
  auto res = otlp_->Post("/v1/traces", SpanRequest(0, 105), "application/x-protobuf");
  ASSERT_EQ(res->status, 200);
  std::string m = Metrics();
  // svc-0/op-0 is n % 15 == 0: n = 0, 15, …, 90 (7 spans); of these only n = 0 has n % 7 == 0.
  EXPECT_NE(m.find("ddbg_spans_total{service=\"svc-0\",operation=\"op-0\"} 7\n"), std::string::npos) << m;
  EXPECT_NE(m.find("ddbg_span_errors_total{service=\"svc-0\",operation=\"op-0\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("ddbg_span_duration_seconds_bucket{service=\"svc-0\",operation=\"op-0\",le=\"0.001\"} 7\n"),
            std::string::npos);
  EXPECT_NE(m.find("ddbg_query_duration_seconds"), std::string::npos);
}

TEST_F(OtlpHttp, DataIsDurableAcrossAGracefulRestart) {
  ASSERT_EQ(otlp_->Post("/v1/traces", SpanRequest(0, 40), "application/x-protobuf")->status, 200);
  ASSERT_TRUE(server_->Stop().ok());
  server_.reset();
  SetUp();
  auto res = query_->Get("/api/traces/0000000000000abc0000000000000001");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(CountOf(res->body, "\"operationName\":"), 4u);
  auto store = OpenEmbeddedStore(dir_.Sub("data"), {.read_only = true});
  EXPECT_EQ((*store)->Stats()->spans, 40u);  // sealed into segments by the shutdown
}

}  // namespace
}  // namespace ddbg::server_test
