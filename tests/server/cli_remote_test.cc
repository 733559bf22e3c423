// The CLI against a running server (`--server URL`): a real `ddbg serve` child process on
// a free loopback port holds simulated traces, logs and events (ingested into its data
// directory before it starts) plus spans sent to it over OTLP/HTTP; `ddbg trace`, `query`,
// `search`, `logs query` and `stats` then print the same with --server as with --data on
// the same directory. Also: bearer tokens (--token-file, DDBG_TOKEN, wrong, missing), a
// refused connection, a server error, a timeout, and the commands that refuse --server.
#include <gtest/gtest.h>

#include "e2e/cli_util.h"
#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

using ddbg_e2e::CmdResult;
using ddbg_e2e::Ddbg;
using ddbg_e2e::Shell;

// The first whitespace-separated word of line `n` (0-based) of `text`.
std::string Word(const std::string& text, int n) {
  std::istringstream in(text);
  std::string line;
  for (int i = 0; i <= n; ++i) std::getline(in, line);
  return line.substr(0, line.find(' '));
}

class CliRemote : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    data_ = dir_->Sub("data");
    ASSERT_EQ(Ddbg("simulate --out " + dir_->Sub("in") + " --traces 40 --seed 11").exit_code, 0);
    ASSERT_EQ(Ddbg("ingest -q --data " + data_ + " " + dir_->Sub("in")).exit_code, 0);
    serve_ = new ServeProcess(data_);
    ASSERT_TRUE(serve_->WaitReady());
    url_ = "http://127.0.0.1:" + std::to_string(serve_->http());
    // 60 spans in 15 traces (trace ids 0xabc…01 … 0f) through OTLP/HTTP.
    auto otlp = Client(serve_->otlp_http());
    auto res = otlp->Post("/v1/traces", SpanRequest(0, 60), "application/x-protobuf");
    ASSERT_TRUE(res && res->status == 200);
    // Wait until the server sealed them, so --data on its directory sees them too.
    int64_t want = ddbg_e2e::JsonInt(Ddbg("stats --format json --data " + data_).out, "spans") + 60;
    for (int i = 0; i < 200; ++i) {
      if (ddbg_e2e::JsonInt(Ddbg("stats --format json --data " + data_).out, "spans") == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(ddbg_e2e::JsonInt(Ddbg("stats --format json --data " + data_).out, "spans"), want);
  }
  static void TearDownTestSuite() {
    delete serve_;
    delete dir_;
  }
  // Runs `args` with --data and with --server; both must exit with `code` and print the
  // same (something).
  static void ExpectSame(const std::string& args, int code = 0) {
    CmdResult local = Ddbg(args + " --data " + data_);
    CmdResult remote = Ddbg(args + " --server " + url_);
    EXPECT_EQ(local.exit_code, code) << args << "\n" << local.out;
    EXPECT_EQ(remote.exit_code, code) << args << "\n" << remote.out;
    EXPECT_EQ(remote.out, local.out) << args;
    EXPECT_GT(local.out.size(), 20u) << args;
  }
  static ScratchDir* dir_;
  static std::string data_;
  static std::string url_;
  static ServeProcess* serve_;
};
ScratchDir* CliRemote::dir_ = nullptr;
std::string CliRemote::data_;
std::string CliRemote::url_;
ServeProcess* CliRemote::serve_ = nullptr;

TEST_F(CliRemote, TraceQueriesSearchAndLogsPrintAsWithData) {
  // A simulated trace that has log records, and one sent over OTLP.
  std::string by_trace = Ddbg("logs query '{service=~\".+\"}' --by-trace --limit 0 --data " + data_).out;
  std::string with_logs = Word(by_trace.substr(by_trace.find("trace ") + 6), 0);
  ASSERT_EQ(with_logs.size(), 32u) << by_trace;
  for (const std::string& id : {with_logs, std::string("0000000000000abc0000000000000003")}) {
    ExpectSame("trace " + id + " --no-color --width 120");
    ExpectSame("trace " + id + " --format json");
  }
  EXPECT_NE(Ddbg("trace " + with_logs + " --no-color --server " + url_).out.find("▸"), std::string::npos);
  ExpectSame("query '{ status = error }' --limit 0");
  ExpectSame("query '{ resource.service.name = \"svc-1\" } | count() > 1' --format json --spss 0");
  ExpectSame("query '{ span.http.status_code >= 400 }' --since 2025-01-15T10:10:00Z --until "
             "2025-01-15T10:40:00Z");
  ExpectSame("search 'service=checkout AND minDuration=1ms' --limit 5");
  ExpectSame("logs query '{service=~\".+\"}' --limit 0");
  ExpectSame("logs query '{service=~\".+\"} |= \"error\"' --by-trace --format json");
  std::string hour = " --since 2025-01-15T10:00:00Z --until 2025-01-15T11:00:00Z";
  ExpectSame("logs query 'sum by (service) (count_over_time({service=~\".+\"}[5m]))' --step 10m" + hour);
  ExpectSame("logs query 'sum by (level) (rate({service=~\".+\"}[10m]))' --format json" + hour);
  // Errors the server finds read as they do locally.
  ExpectSame("logs query 'sum(count_over_time({service=~\".+\"}[1m]))' --step 1s", 1);
}

TEST_F(CliRemote, StatsMatchesTheDataDirectory) {
  std::string local = Ddbg("stats --format json --data " + data_).out;
  std::string remote = Ddbg("--server " + url_ + " stats --format json").out;  // option first
  std::string data_field = "\"data\":\"" + data_ + "\"";
  ASSERT_NE(local.find(data_field), std::string::npos) << local;
  local.replace(local.find(data_field), data_field.size(), "\"data\":\"" + url_ + "\"");
  EXPECT_EQ(remote, local);
  EXPECT_EQ(ddbg_e2e::JsonInt(remote, "traces"), 40 + 15);
}

TEST_F(CliRemote, UnknownTraceAndBadQueryFailLikeWithData) {
  CmdResult r = Ddbg("trace 00000000000000000000000000000bad --server " + url_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("trace 00000000000000000000000000000bad not found in " + url_),
            std::string::npos) << r.out;
  r = Ddbg("query '{ status = }' --server " + url_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, Ddbg("query '{ status = }' --data " + data_).out);
}

TEST_F(CliRemote, CommandsThatNeedTheStoreRefuseServer) {
  for (const char* args : {"rca", "topology", "logs patterns", "serve"}) {
    CmdResult r = Ddbg(std::string(args) + " --server " + url_);
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("does not work with --server"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--data DIR"), std::string::npos) << r.out;
  }
  CmdResult slowest = Ddbg("trace --slowest --server " + url_);
  EXPECT_EQ(slowest.exit_code, 1);
  EXPECT_NE(slowest.out.find("--data DIR"), std::string::npos) << slowest.out;
  CmdResult both = Ddbg("stats --data " + data_ + " --server " + url_);
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_NE(both.out.find("not both"), std::string::npos) << both.out;
  EXPECT_NE(Ddbg("trace --help").out.find("--server URL"), std::string::npos);
  EXPECT_NE(Ddbg("rca --help").out.find("does not work with --server"), std::string::npos);
}

TEST(CliRemoteErrors, RefusedConnectionFailsClearly) {
  CmdResult r = Ddbg("stats --server http://127.0.0.1:" + std::to_string(FreePort()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("cannot connect to http://127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is `ddbg serve` running"), std::string::npos) << r.out;
  r = Ddbg("query '{ }' --server https://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("https is not supported"), std::string::npos) << r.out;
}

TEST(CliRemoteErrors, BearerTokenFromFileOrEnvironment) {
  ScratchDir dir;
  std::string token_file = dir.Sub("token");
  std::ofstream(token_file) << "t0ken-for-cli\n";
  std::ofstream(dir.Sub("wrong")) << "not-the-token\n";
  ServeProcess serve(dir.Sub("data"), {"--token-file", token_file});
  ASSERT_TRUE(serve.WaitReady());
  std::string server = " --server http://127.0.0.1:" + std::to_string(serve.http());
  CmdResult missing = Ddbg("stats" + server);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("401"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("--token-file"), std::string::npos) << missing.out;
  EXPECT_EQ(Ddbg("stats --token-file " + dir.Sub("wrong") + server).exit_code, 1);
  CmdResult with_file = Ddbg("stats --format json --token-file " + token_file + server);
  EXPECT_EQ(with_file.exit_code, 0) << with_file.out;
  EXPECT_EQ(ddbg_e2e::JsonInt(with_file.out, "spans"), 0);
  CmdResult with_env = Shell("DDBG_TOKEN=t0ken-for-cli " + std::string(DDBG_BINARY) +
                             " query '{ }'" + server);
  EXPECT_EQ(with_env.exit_code, 0) << with_env.out;
  EXPECT_NE(with_env.out.find("0 traces"), std::string::npos) << with_env.out;
  CmdResult no_file = Ddbg("stats --token-file " + dir.Sub("absent") + server);
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_NE(no_file.out.find("cannot read the token file"), std::string::npos) << no_file.out;
}

// A stand-in server on loopback whose /api/stats fails with 500 and whose /api/traceql
// answers too late: the CLI reports both and exits 1.
TEST(CliRemoteErrors, ServerErrorsAndTimeouts) {
  httplib::Server http;
  http.Get("/api/stats", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content(R"({"data":null,"errors":[{"code":500,"msg":"disk on fire"}]})",
                    "application/json");
  });
  http.Get("/api/traceql", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("{}", "application/json");
  });
  int port = http.bind_to_any_port("127.0.0.1");
  std::thread t([&] { http.listen_after_bind(); });
  while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string server = " --server http://127.0.0.1:" + std::to_string(port);
  CmdResult five = Ddbg("stats" + server);
  EXPECT_EQ(five.exit_code, 1);
  EXPECT_NE(five.out.find("answered 500 (server error): disk on fire"), std::string::npos) << five.out;
  CmdResult slow = Ddbg("query '{ }' --server-timeout 0.5" + server);
  EXPECT_EQ(slow.exit_code, 1);
  EXPECT_NE(slow.out.find("within 0.5 s"), std::string::npos) << slow.out;
  http.stop();
  t.join();
}

}  // namespace
}  // namespace ddbg::server_test
