// A real scraper: Debian's Prometheus, started on loopback, scrapes the server's /metrics
// and a PromQL query over its HTTP API returns the number of spans sent.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

TEST(Prometheus, ScrapesMetricsAndPromQLReturnsTheSpanCount) {
  ASSERT_EQ(::system("command -v prometheus > /dev/null"), 0)
      << "install Debian's prometheus (scripts/install-deps.sh)";
  ScratchDir dir;
  auto server = Server::Start(TestOptions(dir.Sub("data")));
  ASSERT_TRUE(server.ok());
  auto otlp = Client((*server)->ports().otlp_http);
  ASSERT_EQ(otlp->Post("/v1/traces", SpanRequest(0, 300), "application/x-protobuf")->status, 200);
  ASSERT_EQ(otlp->Post("/v1/traces", SpanRequest(300, 33), "application/x-protobuf")->status, 200);

  std::ofstream(dir.Sub("prometheus.yml"))
      << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      << "scrape_configs:\n  - job_name: ddbg\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << (*server)->ports().http << "']\n";
  int prom_port = FreePort();
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    std::string config = "--config.file=" + dir.Sub("prometheus.yml");
    std::string storage = "--storage.tsdb.path=" + dir.Sub("tsdb");
    std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(prom_port);
    ::execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  httplib::Client prom("127.0.0.1", prom_port);
  std::string last;
  bool found = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (!found && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto res = prom.Get("/api/v1/query?query=sum(ddbg_spans_total)");
    if (!res) continue;
    last = res->body;
    found = last.find("\"333\"]") != std::string::npos;
  }
  // The per-operation series is there too: svc-0/op-0 is n % 15 == 0 below 333: 23 spans.
  auto one = prom.Get(
      "/api/v1/query?query=ddbg_spans_total%7Bservice%3D%22svc-0%22%2Coperation%3D%22op-0%22%7D");
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(found) << last;
  ASSERT_TRUE(one);
  EXPECT_NE(one->body.find("\"23\"]"), std::string::npos) << one->body;
}

}  // namespace
}  // namespace ddbg::server_test
