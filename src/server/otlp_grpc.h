// The OTLP/gRPC receiver: opentelemetry.proto.collector.{trace,logs}.v1 Export, through the
// same ingest pipeline as OTLP/HTTP. Answers INVALID_ARGUMENT for undecodable requests,
// RESOURCE_EXHAUSTED when the ingest queue is full, UNAUTHENTICATED without the token, and
// partial_success when records were rejected. Thread-safety: gRPC's own threads.
#pragma once

#include <memory>
#include <string>

#include "ddbg/status.h"

namespace ddbg::server {

struct ServerContext;

class OtlpGrpcReceiver {
 public:
  virtual ~OtlpGrpcReceiver() = default;
  // Binds `listen`:`port` (0: any free port) and starts serving.
  static Result<std::unique_ptr<OtlpGrpcReceiver>> Start(ServerContext& ctx,
                                                         const std::string& listen, int port);
  virtual int port() const = 0;
  virtual void Shutdown() = 0;
};

}  // namespace ddbg::server
