// /api/services and the operations endpoints answer from the incremental operations index:
// while spans stream in (and the sealer moves them from the head into segments at its own
// pace), every acknowledged span's service and operation are listed, nothing twice.
#include <gtest/gtest.h>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

// One span of service "round-<k>" named "op-<k>" (kind server), trace k + 1.
std::string RoundRequest(int k) {
  char trace[33];
  std::snprintf(trace, sizeof(trace), "%032x", k + 1);
  return std::string(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"round-)") +
         std::to_string(k) + R"("}}]},"scopeSpans":[{"spans":[{"traceId":")" + trace +
         R"(","spanId":"00000000000000a1","name":"op-)" + std::to_string(k) +
         R"(","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"}]}]}]})";
}

std::string Services(int rounds) {
  std::vector<std::string> names;
  for (int k = 0; k < rounds; ++k) names.push_back("round-" + std::to_string(k));
  std::sort(names.begin(), names.end());
  std::string data;
  for (const std::string& n : names) data += (data.empty() ? "\"" : ",\"") + n + "\"";
  return R"({"data":[)" + data + R"(],"total":)" + std::to_string(rounds) +
         R"(,"limit":0,"offset":0,"errors":null})";
}

std::string Body(httplib::Client& c, const std::string& path) {
  auto res = c.Get(path);
  return res && res->status == 200 ? res->body : "HTTP error on " + path;
}

TEST(OperationsIndex, ServicesAndOperationsStayRightWhileIngesting) {
  ScratchDir dir;
  auto server = Server::Start(TestOptions(dir.Sub("data")));
  ASSERT_TRUE(server.ok());
  auto otlp = Client((*server)->ports().otlp_http);
  auto query = Client((*server)->ports().http);
  constexpr int kRounds = 60;
  for (int k = 0; k < kRounds; ++k) {
    auto res = otlp->Post("/v1/traces", RoundRequest(k), "application/json");
    ASSERT_TRUE(res && res->status == 200) << k;
    ASSERT_EQ(Body(*query, "/api/services"), Services(k + 1)) << "after round " << k;
    EXPECT_EQ(Body(*query, "/api/services/round-" + std::to_string(k) + "/operations"),
              R"({"data":["op-)" + std::to_string(k) + R"("],"total":1,"limit":0,"offset":0,"errors":null})");
    if (k % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let seals run
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // everything sealed
  EXPECT_EQ(Body(*query, "/api/services"), Services(kRounds));
  EXPECT_EQ(Body(*query, "/api/operations?service=round-7"),
            R"({"data":[{"name":"op-7","spanKind":"server"}],"total":1,"limit":0,"offset":0,"errors":null})");
  std::string all = Body(*query, "/api/operations");
  EXPECT_NE(all.find(R"("total":60,)"), std::string::npos) << all;
  // A restarted server reads the sealed segments once and lists the same.
  ASSERT_TRUE((*server)->Stop().ok());
  server->reset();
  auto again = Server::Start(TestOptions(dir.Sub("data")));
  ASSERT_TRUE(again.ok());
  auto query2 = Client((*again)->ports().http);
  EXPECT_EQ(Body(*query2, "/api/services"), Services(kRounds));
}

}  // namespace
}  // namespace ddbg::server_test
