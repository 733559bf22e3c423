// A real client: the OpenTelemetry JS SDK (tests/server/js, one pinned release line) sends
// traces over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC, and logs over protobuf and
// JSON, to a `ddbg serve` child with a bearer token. Every span is then found by id through
// the Jaeger API and through `ddbg trace`, and every log record in the store.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

constexpr char kJsDir[] = DDBG_SOURCE_DIR "/tests/server/js";

std::string RunCommand(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

TEST(JsClient, OpenTelemetryJsSpansAndLogsAreFoundByIdThroughJaegerApiAndCli) {
  ASSERT_TRUE(std::filesystem::exists(std::string(kJsDir) + "/node_modules/@opentelemetry/sdk-trace-base"))
      << "run scripts/install-deps.sh (it runs npm ci in tests/server/js)";
  ScratchDir dir;
  std::string data = dir.Sub("data");
  std::ofstream(dir.Sub("token")) << "js-token-123\n";
  ServeProcess serve(data, {"--token-file", dir.Sub("token")});
  ASSERT_TRUE(serve.WaitReady());
  int code = -1;
  std::string sent = RunCommand("node " + std::string(kJsDir) + "/send.js " +
                             std::to_string(serve.otlp_http()) + " " +
                             std::to_string(serve.otlp_grpc()) + " js-token-123",
                         &code);
  ASSERT_EQ(code, 0) << sent;
  simdjson::dom::parser parser;
  simdjson::padded_string text(sent);
  simdjson::dom::element doc = parser.parse(text);
  httplib::Client query("127.0.0.1", serve.http());
  query.set_bearer_token_auth("js-token-123");
  std::set<std::string> vias;
  std::set<std::string> trace_ids;
  size_t spans = 0;
  for (auto s : doc["spans"].get_array()) {
    std::string trace_id(s["traceId"].get_string().value());
    std::string span_id(s["spanId"].get_string().value());
    vias.emplace(s["via"].get_string().value());
    trace_ids.insert(trace_id);
    auto res = query.Get("/api/traces/" + trace_id);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << trace_id;
    EXPECT_NE(res->body.find("\"spanID\":\"" + span_id + "\""), std::string::npos) << span_id;
    ++spans;
  }
  EXPECT_EQ(spans, 12u);
  EXPECT_EQ(vias, (std::set<std::string>{"proto", "json", "grpc"}));
  // The CLI reads the same data directory while the server runs (sealed within a second).
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  for (const std::string& id : trace_ids) {
    std::string out = RunCommand(std::string(DDBG_BINARY) + " trace --format json --data " + data + " " + id, &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find(id), std::string::npos);
  }
  EXPECT_EQ(serve.Kill(SIGTERM), 0);
  auto store = OpenEmbeddedStore(data, {.read_only = true});
  ASSERT_TRUE(store.ok());
  size_t logs = 0;
  for (auto l : doc["logs"].get_array()) {
    TraceId id;
    ASSERT_TRUE(ParseTraceIdHex(l["traceId"].get_string().value(), &id));
    LogBatch got = *(*store)->GetTraceLogs(id);
    bool found = false;
    for (size_t i = 0; i < got.size(); ++i) found |= got.dict.Get(got.body[i]) == l["body"].get_string().value();
    EXPECT_TRUE(found) << l["body"].get_string().value();
    ++logs;
  }
  EXPECT_EQ(logs, 4u);
}

}  // namespace
}  // namespace ddbg::server_test
