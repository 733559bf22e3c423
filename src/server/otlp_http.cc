#include "server/otlp_http.h"

#include <httplib.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "server/server_context.h"
#include "util/json_writer.h"

namespace ddbg::server {
namespace {

enum class BodyEncoding { kProto, kJson, kOther };

BodyEncoding EncodingOf(const std::string& content_type) {
  std::string mime = content_type.substr(0, content_type.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.pop_back();
  for (char& c : mime) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mime == "application/x-protobuf" || mime == "application/protobuf") return BodyEncoding::kProto;
  if (mime == "application/json") return BodyEncoding::kJson;
  return BodyEncoding::kOther;
}

// google.rpc.Status {code = 1, message = 2}, as OTLP/HTTP error bodies carry it.
std::string RpcStatusProto(int code, const std::string& message) {
  std::string out;
  out.push_back(0x08);
  out.push_back(static_cast<char>(code));
  out.push_back(0x12);
  uint64_t n = message.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out += message;
  return out;
}

std::string JsonEscaped(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

void SendError(httplib::Response& res, BodyEncoding enc, int http_status, int rpc_code,
               const std::string& message) {
  res.status = http_status;
  if (enc == BodyEncoding::kProto) {
    res.set_content(RpcStatusProto(rpc_code, message), "application/x-protobuf");
  } else {
    res.set_content("{\"code\":" + std::to_string(rpc_code) + ",\"message\":" +
                        JsonEscaped(message) + "}\n",
                    "application/json");
  }
}

void SendSuccess(httplib::Response& res, BodyEncoding enc, bool traces, const IngestResult& r) {
  res.status = 200;
  if (enc == BodyEncoding::kProto) {
    std::string body;
    if (traces) {
      opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
      if (r.rejected > 0) {
        response.mutable_partial_success()->set_rejected_spans(static_cast<int64_t>(r.rejected));
        response.mutable_partial_success()->set_error_message(r.first_reason);
      }
      response.SerializeToString(&body);
    } else {
      opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
      if (r.rejected > 0) {
        response.mutable_partial_success()->set_rejected_log_records(
            static_cast<int64_t>(r.rejected));
        response.mutable_partial_success()->set_error_message(r.first_reason);
      }
      response.SerializeToString(&body);
    }
    res.set_content(body, "application/x-protobuf");
    return;
  }
  std::string body = "{}";
  if (r.rejected > 0) {
    body = std::string("{\"partialSuccess\":{\"") +
           (traces ? "rejectedSpans" : "rejectedLogRecords") + "\":\"" +
           std::to_string(r.rejected) + "\",\"errorMessage\":" + JsonEscaped(r.first_reason) +
           "}}";
  }
  res.set_content(body, "application/json");
}

// Reads and drops a refused body (up to the limit) so the connection stays usable.
void Drain(const httplib::ContentReader& reader, uint64_t limit) {
  uint64_t seen = 0;
  reader([&](const char*, size_t n) { return (seen += n) <= limit; });
}

void HandleExport(ServerContext& ctx, bool traces, const httplib::Request& req,
                  httplib::Response& res, const httplib::ContentReader& reader) {
  BodyEncoding enc = EncodingOf(req.get_header_value("Content-Type"));
  if (enc == BodyEncoding::kOther) {
    Drain(reader, ctx.options.max_request_bytes);
    ctx.metrics->RecordRejectedRequest("unsupported_media_type");
    SendError(res, BodyEncoding::kJson, 415, 3,
              "Content-Type must be application/x-protobuf or application/json");
    return;
  }
  std::string coding = req.get_header_value("Content-Encoding");
  if (!coding.empty() && coding != "identity" && coding != "gzip" && coding != "deflate") {
    Drain(reader, ctx.options.max_request_bytes);
    ctx.metrics->RecordRejectedRequest("unsupported_encoding");
    SendError(res, enc, 415, 3, "unsupported Content-Encoding (gzip, deflate or none): " + coding);
    return;
  }
  std::string body;
  bool too_large = false;
  bool read = reader([&](const char* data, size_t n) {
    if (body.size() + n > ctx.options.max_request_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_large || res.status == 413) {
    ctx.metrics->RecordRejectedRequest("too_large");
    SendError(res, enc, 413, 8,
              "request body exceeds " + std::to_string(ctx.options.max_request_bytes) +
                  " bytes (after decompression)");
    return;
  }
  if (!read) {
    int status = res.status == 415 ? 415 : 400;
    ctx.metrics->RecordRejectedRequest(status == 415 ? "unsupported_encoding" : "unreadable_body");
    SendError(res, enc, status, 3,
              status == 415 ? "unsupported Content-Encoding" : "request body could not be read");
    return;
  }
  WalRecordType type = traces ? (enc == BodyEncoding::kProto ? WalRecordType::kTracesProto
                                                             : WalRecordType::kTracesJson)
                              : (enc == BodyEncoding::kProto ? WalRecordType::kLogsProto
                                                             : WalRecordType::kLogsJson);
  IngestResult r = ctx.pipeline->Ingest(type, body);
  switch (r.code) {
    case IngestCode::kOk:
      SendSuccess(res, enc, traces, r);
      return;
    case IngestCode::kQueueFull:
      res.set_header("Retry-After", "1");
      SendError(res, enc, 429, 8, r.message);
      return;
    case IngestCode::kBadRequest:
      SendError(res, enc, 400, 3, r.message);
      return;
    case IngestCode::kInternal:
      SendError(res, enc, 503, 14, r.message);
      return;
  }
}

}  // namespace

void AddOtlpHttpRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Post("/v1/traces", [&ctx](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    HandleExport(ctx, true, req, res, reader);
  });
  http.Post("/v1/logs", [&ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    HandleExport(ctx, false, req, res, reader);
  });
}

}  // namespace ddbg::server
