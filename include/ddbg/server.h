// `ddbg serve`: receives OTLP over HTTP and gRPC into a crash-safe live store (write-ahead
// log, group commit, background sealing into the embedded store) and answers the Jaeger
// query API, Prometheus /metrics and health checks. See docs/http-api.md.
// Thread-safety: Start() once; Stop() from any thread (idempotent); the server runs its own
// threads between the two.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ddbg/status.h"

namespace ddbg {

struct ServerOptions {
  std::string data_dir = "./ddbg-data";
  std::string listen = "127.0.0.1";
  int otlp_http_port = 4318;  // 0: any free port; -1: disabled
  int otlp_grpc_port = 4317;  // 0: any free port; -1: disabled
  int http_port = 16686;      // query API, /metrics, health; 0: any free port; -1: disabled
  std::string token;          // when not empty, every endpoint but health needs this bearer token
  uint64_t max_request_bytes = 16ull << 20;  // after decompression
  uint64_t max_queue_bytes = 256ull << 20;   // admitted and not yet acknowledged
  uint64_t max_head_bytes = 1ull << 30;      // acknowledged and not yet sealed
  int http_threads = 32;
  uint64_t cache_bytes = 1ull << 30;  // decoded segments kept for queries (trace lookups)
  // Posting tables and column projections kept for repeated TraceQL/LogQL/search queries.
  uint64_t query_cache_bytes = 1ull << 30;
};

// The ports actually bound (useful with port 0).
struct ServerPorts {
  int otlp_http = -1;
  int otlp_grpc = -1;
  int http = -1;
};

class Server {
 public:
  virtual ~Server() = default;
  // Opens the store, replays the WAL, binds every listener and starts serving. Fails when
  // the store cannot be opened or a port cannot be bound.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);

  virtual ServerPorts ports() const = 0;
  // Records replayed from the WAL at start.
  virtual uint64_t replayed() const = 0;
  // Stops accepting, waits for requests in flight, seals everything acknowledged into the
  // store and closes the WAL.
  virtual Status Stop() = 0;
};

// Reads a bearer token from a file (first line, surrounding whitespace removed); an empty
// token is an error.
Result<std::string> ReadTokenFile(const std::string& path);

}  // namespace ddbg
