// Bad requests: garbage, wrong content types, truncated protobuf, a gzip bomb, a 100 MB
// body, missing or wrong tokens and path traversal on every route each get the right
// status; the server stays up and nothing valid is lost.
#include <gtest/gtest.h>
#include <zlib.h>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

constexpr char kToken[] = "s3cret-token";

std::string Gzip(const std::string& raw) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, raw.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class BadRequests : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o = TestOptions(dir_.Sub("data"));
    o.token = kToken;
    o.max_request_bytes = 4 << 20;
    auto s = Server::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    otlp_ = Client(server_->ports().otlp_http);
    query_ = Client(server_->ports().http);
    for (auto* c : {otlp_.get(), query_.get()}) c->set_bearer_token_auth(kToken);
  }
  int Post(const std::string& path, const std::string& body, const std::string& type,
           httplib::Headers h = {}) {
    auto res = otlp_->Post(path, h, body, type);
    return res ? res->status : -1;
  }
  int GetStatus(httplib::Client& c, const std::string& path) {
    auto res = c.Get(path);
    return res ? res->status : -1;
  }
  // The valid request sent before and after the abuse is all there.
  void ExpectValidDataIntact() {
    auto res = query_->Get("/api/traces/0000000000000abc0000000000000001");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(GetStatus(*query_, "/api/traces/0000000000000abc0000000000000002"), 200);
  }

  ScratchDir dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> otlp_;
  std::unique_ptr<httplib::Client> query_;
};

TEST_F(BadRequests, UndecodableBodiesAndWrongTypesAreRefused) {
  ASSERT_EQ(Post("/v1/traces", SpanRequest(0, 4), "application/x-protobuf"), 200);
  std::string valid = SpanRequest(4, 8);
  EXPECT_EQ(Post("/v1/traces", "\xff\xff\xff\xff garbage", "application/x-protobuf"), 400);
  EXPECT_EQ(Post("/v1/traces", valid.substr(0, valid.size() / 2), "application/x-protobuf"), 400);
  EXPECT_EQ(Post("/v1/traces", "{not json", "application/json"), 400);
  EXPECT_EQ(Post("/v1/logs", "[1,2,3]", "application/json"), 400);
  EXPECT_EQ(Post("/v1/traces", valid, "text/plain"), 415);
  EXPECT_EQ(Post("/v1/traces", valid, "application/x-protobuf", {{"Content-Encoding", "br2"}}), 415);
  EXPECT_EQ(Post("/v1/traces", "not gzip", "application/x-protobuf", {{"Content-Encoding", "gzip"}}), 400);
  ASSERT_EQ(Post("/v1/traces", valid, "application/x-protobuf"), 200);
  ExpectValidDataIntact();
}

TEST_F(BadRequests, OversizedBodiesAndGzipBombsGet413) {
  ASSERT_EQ(Post("/v1/traces", SpanRequest(0, 8), "application/x-protobuf"), 200);
  std::string bomb = Gzip(std::string(200 << 20, '\0'));  // 200 MB of zeros in ~200 KB
  ASSERT_LT(bomb.size(), 1u << 20);
  EXPECT_EQ(Post("/v1/traces", bomb, "application/x-protobuf", {{"Content-Encoding", "gzip"}}), 413);
  EXPECT_EQ(Post("/v1/traces", std::string(100 << 20, 'x'), "application/x-protobuf"), 413);
  // The same 100 MB, chunked without Content-Length.
  auto res = otlp_->Post(
      "/v1/logs",
      [](size_t offset, httplib::DataSink& sink) {
        static const std::string block(1 << 20, 'y');
        sink.write(block.data(), block.size());
        if (offset + block.size() >= (100u << 20)) sink.done();
        return true;
      },
      "application/json");
  EXPECT_TRUE(!res || res->status == 413);
  EXPECT_NE(query_->Get("/metrics")->body.find("ddbg_rejected_requests_total{reason=\"too_large\"}"),
            std::string::npos);
  ExpectValidDataIntact();
}

TEST_F(BadRequests, EveryEndpointButHealthNeedsTheToken) {
  ASSERT_EQ(Post("/v1/traces", SpanRequest(0, 8), "application/x-protobuf"), 200);
  for (const char* token : {"", "wrong-token", "s3cret-token-but-longer"}) {
    for (auto* c : {otlp_.get(), query_.get()}) {
      httplib::Client bare("127.0.0.1", c == otlp_.get() ? server_->ports().otlp_http
                                                         : server_->ports().http);
      if (*token) bare.set_bearer_token_auth(token);
      for (const char* path : {"/api/services", "/api/traces?service=svc-0", "/metrics",
                               "/api/traces/0000000000000abc0000000000000001", "/api/dependencies"}) {
        EXPECT_EQ(GetStatus(bare, path), 401) << path << " token '" << token << "'";
      }
      auto post = bare.Post("/v1/traces", SpanRequest(100, 4), "application/x-protobuf");
      EXPECT_EQ(post ? post->status : -1, 401);
      EXPECT_EQ(GetStatus(bare, "/healthz"), 200);
      EXPECT_EQ(GetStatus(bare, "/readyz"), 200);
    }
  }
  // The refused request left nothing behind.
  EXPECT_EQ(GetStatus(*query_, "/api/traces/0000000000000abc0000000000000019"), 404);
  ExpectValidDataIntact();
}

TEST_F(BadRequests, PathTraversalAndMalformedParametersNeverReachAFile) {
  ASSERT_EQ(Post("/v1/traces", SpanRequest(0, 8), "application/x-protobuf"), 200);
  for (const char* path :
       {"/api/traces/..%2F..%2Fetc%2Fpasswd", "/api/traces/../../etc/passwd",
        "/api/services/..%2F..%2Fetc%2Fpasswd/operations", "/api/traces/%2e%2e",
        "/../../etc/passwd", "/api/../../../etc/passwd", "/v1/../../etc/passwd",
        "/api/traces/zzzz", "/api/traces/0123456789abcdef0123456789abcdef0"}) {
    int status = GetStatus(*query_, path);
    EXPECT_TRUE(status == 400 || status == 404) << path << " -> " << status;
  }
  EXPECT_EQ(GetStatus(*query_, "/api/traces?start=yesterday"), 400);
  EXPECT_EQ(GetStatus(*query_, "/api/traces?minDuration=fast"), 400);
  EXPECT_EQ(GetStatus(*query_, "/api/traces?tags=%7Bbroken"), 400);
  EXPECT_EQ(GetStatus(*query_, "/api/traces?limit=-3"), 400);
  EXPECT_EQ(GetStatus(*query_, "/api/dependencies?endTs=soon"), 400);
  EXPECT_EQ(Post("/v1/../v1/traces", SpanRequest(8, 8), "application/x-protobuf") / 100, 4);
  EXPECT_EQ(GetStatus(*query_, "/api/traceql?q=%7B%7D"), 200);
  EXPECT_EQ(GetStatus(*query_, "/api/traceql?q=%7Bbroken"), 400);
  EXPECT_EQ(GetStatus(*query_, "/api/logql?query=%7Bbroken"), 400);
  ExpectValidDataIntact();
}

}  // namespace
}  // namespace ddbg::server_test
