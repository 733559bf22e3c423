// Helpers of the server tests: a scratch directory, an in-process `ddbg serve` on free
// loopback ports, a `ddbg serve` child process (for kill -9), HTTP clients, the captured
// real-SDK payloads under DDBG_SHARED_DATA, and OTLP protobuf requests built from scratch.
#pragma once

#include "common/scratch_dir.h"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ddbg/server.h"
#include "ddbg/store.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace ddbg::server_test {

using ::ddbg::test::ScratchDir;

using ::ddbg::test::ReadFile;

inline std::string Captured(const std::string& rel) {
  return std::string(DDBG_SHARED_DATA) + "/otlp-captured/" + rel;
}

// A free loopback port (bound, then closed; nobody listens on it).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline ServerOptions TestOptions(const std::string& data_dir) {
  ServerOptions o;
  o.data_dir = data_dir;
  o.otlp_http_port = 0;
  o.otlp_grpc_port = 0;
  o.http_port = 0;
  o.http_threads = 8;
  return o;
}

inline std::unique_ptr<httplib::Client> Client(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_read_timeout(30);
  c->set_write_timeout(30);
  return c;
}

// One span per index: trace id (0xabc, n / 4 + 1), span id n + 1 (+ `salt` << 32), all in
// service "svc-<n % 3>", named "op-<n % 5>"; 1 ms long; status error when n % 7 == 0.
inline std::string SpanRequest(uint64_t first, uint64_t count, uint64_t salt = 0,
                               int64_t t0_ns = 1700000000000000000) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  for (int svc = 0; svc < 3; ++svc) {
    auto* rs = req.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value("svc-" + std::to_string(svc));
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("test");
    for (uint64_t n = first; n < first + count; ++n) {
      if (static_cast<int>(n % 3) != svc) continue;
      auto* s = ss->add_spans();
      char tid[16] = {};
      uint64_t hi = 0xabc, lo = (salt << 32) | (n / 4 + 1);
      for (int i = 0; i < 8; ++i) {
        tid[i] = static_cast<char>(hi >> (56 - 8 * i));
        tid[8 + i] = static_cast<char>(lo >> (56 - 8 * i));
      }
      s->set_trace_id(std::string(tid, 16));
      uint64_t sid = (salt << 32) | (n + 1);
      char sb[8];
      for (int i = 0; i < 8; ++i) sb[i] = static_cast<char>(sid >> (56 - 8 * i));
      s->set_span_id(std::string(sb, 8));
      s->set_name("op-" + std::to_string(n % 5));
      s->set_kind(opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
      s->set_start_time_unix_nano(t0_ns + static_cast<int64_t>(n) * 1000);
      s->set_end_time_unix_nano(t0_ns + static_cast<int64_t>(n) * 1000 + 1000000);
      if (n % 7 == 0) {
        s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
      }
    }
  }
  return req.SerializeAsString();
}

// A `ddbg serve` child process on free ports; killed with SIGKILL or stopped with SIGTERM.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& data_dir, std::vector<std::string> extra = {})
      : ports_file_(data_dir + ".ports") {
    std::filesystem::remove(ports_file_);
    std::vector<std::string> args = {DDBG_BINARY, "serve", "--data", data_dir, "--otlp-http", "0",
                                     "--otlp-grpc", "0", "--http", "0", "--ports-file",
                                     ports_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() { Kill(SIGKILL); }
  // Waits for the ports file; false after `seconds`.
  bool WaitReady(double seconds = 20) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      std::string text = ReadFile(ports_file_);
      if (!text.empty() && text.back() == '\n') {
        otlp_http_ = Field(text, "otlp_http");
        otlp_grpc_ = Field(text, "otlp_grpc");
        http_ = Field(text, "http");
        return true;
      }
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // Sends `sig` and reaps; returns the exit status (or -1).
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  int otlp_http() const { return otlp_http_; }
  int otlp_grpc() const { return otlp_grpc_; }
  int http() const { return http_; }

 private:
  static int Field(const std::string& text, const std::string& key) {
    size_t p = text.find("\"" + key + "\":");
    return p == std::string::npos ? -1 : std::atoi(text.c_str() + p + key.size() + 3);
  }
  std::string ports_file_;
  pid_t pid_ = -1;
  int otlp_http_ = -1, otlp_grpc_ = -1, http_ = -1;
};

}  // namespace ddbg::server_test
