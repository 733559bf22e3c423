#include "server/otlp_grpc.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "server/auth.h"
#include "server/server_context.h"

namespace ddbg::server {
namespace {

namespace trace_v1 = opentelemetry::proto::collector::trace::v1;
namespace logs_v1 = opentelemetry::proto::collector::logs::v1;

grpc::Status CheckToken(ServerContext& ctx, grpc::ServerContext* call) {
  if (ctx.options.token.empty()) return grpc::Status::OK;
  auto it = call->client_metadata().find("authorization");
  std::string_view value;
  if (it != call->client_metadata().end()) value = std::string_view(it->second.data(), it->second.size());
  if (BearerTokenMatches(value, ctx.options.token)) return grpc::Status::OK;
  ctx.metrics->RecordRejectedRequest("unauthorized");
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or wrong bearer token");
}

// Runs a parsed request through the pipeline (the WAL keeps its serialised bytes).
template <typename Request>
grpc::Status Ingest(ServerContext& ctx, grpc::ServerContext* call, const Request& request,
                    WalRecordType type, IngestResult* r) {
  grpc::Status auth = CheckToken(ctx, call);
  if (!auth.ok()) return auth;
  std::string bytes;
  request.SerializeToString(&bytes);
  *r = ctx.pipeline->Ingest(type, bytes);
  switch (r->code) {
    case IngestCode::kOk:
      return grpc::Status::OK;
    case IngestCode::kQueueFull:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, r->message);
    case IngestCode::kBadRequest:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, r->message);
    case IngestCode::kInternal:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, r->message);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown ingest outcome");
}

class TraceService final : public trace_v1::TraceService::Service {
 public:
  explicit TraceService(ServerContext& ctx) : ctx_(ctx) {}
  grpc::Status Export(grpc::ServerContext* call, const trace_v1::ExportTraceServiceRequest* req,
                      trace_v1::ExportTraceServiceResponse* resp) override {
    IngestResult r;
    grpc::Status st = Ingest(ctx_, call, *req, WalRecordType::kTracesProto, &r);
    if (st.ok() && r.rejected > 0) {
      resp->mutable_partial_success()->set_rejected_spans(static_cast<int64_t>(r.rejected));
      resp->mutable_partial_success()->set_error_message(r.first_reason);
    }
    return st;
  }

 private:
  ServerContext& ctx_;
};

class LogsService final : public logs_v1::LogsService::Service {
 public:
  explicit LogsService(ServerContext& ctx) : ctx_(ctx) {}
  grpc::Status Export(grpc::ServerContext* call, const logs_v1::ExportLogsServiceRequest* req,
                      logs_v1::ExportLogsServiceResponse* resp) override {
    IngestResult r;
    grpc::Status st = Ingest(ctx_, call, *req, WalRecordType::kLogsProto, &r);
    if (st.ok() && r.rejected > 0) {
      resp->mutable_partial_success()->set_rejected_log_records(static_cast<int64_t>(r.rejected));
      resp->mutable_partial_success()->set_error_message(r.first_reason);
    }
    return st;
  }

 private:
  ServerContext& ctx_;
};

class GrpcReceiver final : public OtlpGrpcReceiver {
 public:
  explicit GrpcReceiver(ServerContext& ctx) : traces_(ctx), logs_(ctx) {}
  int port() const override { return port_; }
  void Shutdown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_.reset();
  }
  ~GrpcReceiver() override { Shutdown(); }

  TraceService traces_;
  LogsService logs_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = -1;
};

}  // namespace

Result<std::unique_ptr<OtlpGrpcReceiver>> OtlpGrpcReceiver::Start(ServerContext& ctx,
                                                                  const std::string& listen,
                                                                  int port) {
  auto r = std::make_unique<GrpcReceiver>(ctx);
  grpc::ServerBuilder builder;
  std::string address = listen + ":" + std::to_string(port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &r->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<uint64_t>(ctx.options.max_request_bytes, INT32_MAX)));
  builder.RegisterService(&r->traces_);
  builder.RegisterService(&r->logs_);
  r->server_ = builder.BuildAndStart();
  if (!r->server_ || r->port_ <= 0) {
    return Status::IOError("cannot listen for OTLP/gRPC on " + address);
  }
  return std::unique_ptr<OtlpGrpcReceiver>(std::move(r));
}

}  // namespace ddbg::server
