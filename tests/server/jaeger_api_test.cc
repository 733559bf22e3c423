// The Jaeger query API over the live store: search by service, operation, tags, time and
// duration with a limit; operations; dependencies; and the parameter parsers.
#include <gtest/gtest.h>

#include "server/jaeger_query.h"
#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

size_t Traces(const std::string& body) {
  size_t n = 0;
  for (size_t p = body.find("\"processes\""); p != std::string::npos; p = body.find("\"processes\"", p + 1)) ++n;
  return n;
}

constexpr char kCallTree[] = R"({"resourceSpans":[
 {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"front"}}]},
  "scopeSpans":[{"spans":[{"traceId":"000000000000000000000000000000aa","spanId":"00000000000000a1",
   "name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000050000000",
   "attributes":[{"key":"http.status_code","value":{"intValue":"500"}}],"status":{"code":2}}]}]},
 {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"back"}}]},
  "scopeSpans":[{"spans":[{"traceId":"000000000000000000000000000000aa","spanId":"00000000000000a2",
   "parentSpanId":"00000000000000a1","name":"query","kind":3,
   "startTimeUnixNano":"1700000000001000000","endTimeUnixNano":"1700000000002000000"},
   {"traceId":"000000000000000000000000000000aa","spanId":"00000000000000a3",
   "parentSpanId":"00000000000000a1","name":"query","kind":3,
   "startTimeUnixNano":"1700000000003000000","endTimeUnixNano":"1700000000004000000"}]}]}]})";

class JaegerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Server::Start(TestOptions(dir_.Sub("data")));
    ASSERT_TRUE(s.ok());
    server_ = std::move(s).value();
    auto otlp = Client(server_->ports().otlp_http);
    // 200 spans in 50 traces of svc-0..2, starting at 1700000000 s + n µs.
    ASSERT_EQ(otlp->Post("/v1/traces", SpanRequest(0, 200), "application/x-protobuf")->status, 200);
    ASSERT_EQ(otlp->Post("/v1/traces", kCallTree, "application/json")->status, 200);
    query_ = Client(server_->ports().http);
  }
  std::string Get(const std::string& path) {
    auto res = query_->Get(path);
    EXPECT_TRUE(res && res->status == 200) << path << ": " << (res ? res->body : "");
    return res ? res->body : "";
  }
  ScratchDir dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> query_;
};

TEST_F(JaegerApi, SearchFiltersByServiceOperationTagsTimeAndDuration) {
  // svc-1 spans: n % 3 == 1; traces n / 4: every trace has one -> 50 traces.
  EXPECT_EQ(Traces(Get("/api/traces?service=svc-1&limit=100")), 50u);
  EXPECT_EQ(Traces(Get("/api/traces?service=svc-1&limit=7")), 7u);
  // op-2 on svc-1: n % 15 == 7 -> n = 7, 22, …, 187: 13 spans in 13 traces.
  EXPECT_EQ(Traces(Get("/api/traces?service=svc-1&operation=op-2&limit=100")), 13u);
  // error=true: n % 7 == 0 among n < 200 -> 29 spans in distinct traces (n/4 differs),
  // plus the call tree's failed GET /.
  EXPECT_EQ(Traces(Get("/api/traces?tags=%7B%22error%22%3A%22true%22%7D&limit=100")), 30u);
  EXPECT_EQ(Traces(Get("/api/traces?tags=http.status_code%3D500&limit=100")), 1u);
  // Start window: n in [0, 40) µs after t0 -> traces 0..9, and the call tree (starts at t0).
  EXPECT_EQ(Traces(Get("/api/traces?start=1700000000000000&end=1700000000000039&limit=100")), 11u);
  EXPECT_EQ(Traces(Get("/api/traces?minDuration=40ms&limit=100")), 1u);  // GET / (50 ms)
  EXPECT_EQ(Traces(Get("/api/traces?maxDuration=1.5ms&service=back&limit=100")), 1u);
  EXPECT_EQ(Traces(Get("/api/traces?service=nobody")), 0u);
}

TEST_F(JaegerApi, TraceServicesOperationsAndDependencies) {
  std::string trace = Get("/api/traces/aa");
  EXPECT_EQ(Traces(trace), 1u);
  EXPECT_NE(trace.find(R"("references":[{"refType":"CHILD_OF","traceID":"00000000000000aa","spanID":"00000000000000a1"}])"),
            std::string::npos) << trace;
  EXPECT_NE(trace.find(R"("processes":{"p1":{"serviceName":"front")"), std::string::npos);
  EXPECT_EQ(query_->Get("/api/traces/bb")->status, 404);
  EXPECT_EQ(Get("/api/services"),
            R"({"data":["back","front","svc-0","svc-1","svc-2"],"total":5,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(Get("/api/services/back/operations"),
            R"({"data":["query"],"total":1,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(Get("/api/operations?service=front&spanKind=server"),
            R"({"data":[{"name":"GET /","spanKind":"server"}],"total":1,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(Get("/api/dependencies?endTs=1700000001000&lookback=10000"),
            R"({"data":[{"parent":"front","child":"back","callCount":2}],"total":1,"limit":0,"offset":0,"errors":null})");
}

TEST_F(JaegerApi, TraceQLAndLogQLEndpointsAnswerInTempoAndLokiShapes) {
  // The call tree is the only trace with a front span calling back twice.
  std::string tempo = Get("/api/traceql?q=%7B%20resource.service.name%20%3D%20%22front%22%20%7D%20%3E%3E%20%7B%20name%20%3D%20%22query%22%20%7D&limit=10");
  EXPECT_NE(tempo.find(R"("traceID":"000000000000000000000000000000aa")"), std::string::npos) << tempo;
  EXPECT_NE(tempo.find(R"("rootServiceName":"front")"), std::string::npos) << tempo;
  EXPECT_EQ(tempo.find("\"traceID\"", tempo.find("\"traceID\"") + 1), std::string::npos) << tempo;
  std::string none = Get("/api/traceql?q=%7B%20name%20%3D%20%22nothing%22%20%7D");
  EXPECT_NE(none.find(R"("traces":[])"), std::string::npos) << none;
  std::string loki = Get("/api/logql?query=%7Bservice%3D%22front%22%7D");
  EXPECT_NE(loki.find(R"("status":"success")"), std::string::npos) << loki;
  EXPECT_NE(loki.find(R"("resultType":"streams")"), std::string::npos) << loki;
  EXPECT_EQ(query_->Get("/api/traceql?q=%7B%20name%20%3D")->status, 400);
  EXPECT_EQ(query_->Get("/api/logql?query=%7Bservice%3D")->status, 400);
  EXPECT_EQ(query_->Get("/api/traceql")->status, 400);
}

TEST(JaegerParams, GoDurationsAndTagSyntaxes) {
  int64_t ns = 0;
  EXPECT_TRUE(server::ParseGoDuration("1.5ms", &ns));
  EXPECT_EQ(ns, 1500000);
  EXPECT_TRUE(server::ParseGoDuration("1m30s", &ns));
  EXPECT_EQ(ns, 90000000000);
  EXPECT_TRUE(server::ParseGoDuration("250us", &ns));
  EXPECT_EQ(ns, 250000);
  EXPECT_FALSE(server::ParseGoDuration("fast", &ns));
  EXPECT_FALSE(server::ParseGoDuration("10", &ns));
  std::map<std::string, std::string> tags;
  ASSERT_TRUE(server::ParseJaegerTags(R"(error=true http.method="GET /x")", &tags).ok());
  EXPECT_EQ(tags.at("error"), "true");
  EXPECT_EQ(tags.at("http.method"), "GET /x");
  tags.clear();
  ASSERT_TRUE(server::ParseJaegerTags(R"({"a":"1","b":2})", &tags).ok());
  EXPECT_EQ(tags.at("b"), "2");
  EXPECT_FALSE(server::ParseJaegerTags("novalue", &tags).ok());
}

}  // namespace
}  // namespace ddbg::server_test
