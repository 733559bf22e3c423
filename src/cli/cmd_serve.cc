// `ddbg serve`: runs the OTLP receivers, the Jaeger-compatible query API and /metrics over
// a data directory until SIGTERM or SIGINT, then flushes everything and exits.
#include <signal.h>

#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "ddbg/server.h"

namespace ddbg::cli {
namespace {

struct ServeFlags {
  std::string token_file;
  std::string ports_file;
  uint64_t cache_mb = 1024;
  uint64_t query_cache_mb = 1024;
};

void WritePortsFile(const std::string& path, const ServerPorts& p) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << fmt::format("{{\"otlp_http\":{},\"otlp_grpc\":{},\"http\":{}}}\n", p.otlp_http,
                       p.otlp_grpc, p.http);
  }
  std::rename(tmp.c_str(), path.c_str());
}

void RunServe(ServerOptions options, const ServeFlags& flags) {
  if (!flags.token_file.empty()) {
    auto token = ReadTokenFile(flags.token_file);
    if (!token.ok()) {
      fmt::print(stderr, "ddbg serve: {}\n", token.status().message());
      SetExitCode(1);
      return;
    }
    options.token = *token;
  }
  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  auto server = Server::Start(options);
  if (!server.ok()) {
    fmt::print(stderr, "ddbg serve: {}\n", server.status().ToString());
    SetExitCode(1);
    return;
  }
  ServerPorts p = (*server)->ports();
  fmt::print("ddbg serve: data {} (replayed {} records from the write-ahead log)\n",
             options.data_dir, (*server)->replayed());
  if (p.otlp_http > 0) fmt::print("  OTLP/HTTP  http://{}:{}/v1/traces, /v1/logs\n", options.listen, p.otlp_http);
  if (p.otlp_grpc > 0) fmt::print("  OTLP/gRPC  {}:{}\n", options.listen, p.otlp_grpc);
  if (p.http > 0) fmt::print("  query API  http://{}:{}/api/traces, /metrics\n", options.listen, p.http);
  std::fflush(stdout);
  if (!flags.ports_file.empty()) WritePortsFile(flags.ports_file, p);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  fmt::print("ddbg serve: stopping (signal {}), sealing what was acknowledged\n", sig);
  std::fflush(stdout);
  Status st = (*server)->Stop();
  if (!st.ok()) {
    fmt::print(stderr, "ddbg serve: shutdown: {}\n", st.ToString());
    SetExitCode(1);
  }
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<ServerOptions>();
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Receive OTLP over HTTP and gRPC into the store (crash-safe: acknowledged means durable), "
      "and serve the Jaeger query API, Prometheus /metrics and health checks.");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--listen", options->listen, "address to bind")->capture_default_str();
  cmd->add_option("--otlp-http", options->otlp_http_port,
                  "OTLP/HTTP port (0: any free port, -1: off)")->capture_default_str();
  cmd->add_option("--otlp-grpc", options->otlp_grpc_port,
                  "OTLP/gRPC port (0: any free port, -1: off)")->capture_default_str();
  cmd->add_option("--http", options->http_port,
                  "query API, /metrics and health port (0: any free port, -1: off)")
      ->capture_default_str();
  cmd->add_option("--token-file", flags->token_file,
                  "file holding a bearer token every endpoint but health requires");
  cmd->add_option("--max-request-bytes", options->max_request_bytes,
                  "largest request body accepted, after decompression")->capture_default_str();
  cmd->add_option("--max-queue-bytes", options->max_queue_bytes,
                  "request bytes in flight before answering 429 / RESOURCE_EXHAUSTED")
      ->capture_default_str();
  cmd->add_option("--cache-mb", flags->cache_mb,
                  "memory for decoded segments that trace lookups read (0: no cache)")
      ->capture_default_str();
  cmd->add_option("--query-cache-mb", flags->query_cache_mb,
                  "memory for posting lists and columns that repeated queries read (0: no cache)")
      ->capture_default_str();
  cmd->add_option("--ports-file", flags->ports_file,
                  "write the bound ports as JSON to this file once listening");
  cmd->callback([options, flags, &global] {
    options->data_dir = global.data_dir;
    options->cache_bytes = flags->cache_mb << 20;
    options->query_cache_bytes = flags->query_cache_mb << 20;
    RunServe(*options, *flags);
  });
}

}  // namespace ddbg::cli
