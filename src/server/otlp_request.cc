#include "server/otlp_request.h"

#include "ddbg/decode.h"
#include "decode/otlp_proto_convert.h"

namespace ddbg::server {

bool IsTraces(WalRecordType type) {
  return type == WalRecordType::kTracesProto || type == WalRecordType::kTracesJson;
}

namespace {

Status DecodeProto(WalRecordType type, std::string_view body, DecodeContext& ctx) {
  bool repaired = false;
  if (IsTraces(type)) {
    otlp::ExportTraceRequest request;
    DDBG_RETURN_IF_ERROR(otlp::ParseTraceRequest(body, &request, &repaired));
    return otlp::ConvertTraceRequest(request, ctx, repaired);
  }
  otlp::ExportLogsRequest request;
  DDBG_RETURN_IF_ERROR(otlp::ParseLogsRequest(body, &request, &repaired));
  return otlp::ConvertLogsRequest(request, ctx, repaired);
}

}  // namespace

Result<DecodedRequest> DecodeOtlpRequest(WalRecordType type, std::string_view body) {
  DecodeContext ctx(IsTraces(type) ? "traces request" : "logs request");
  bool proto = type == WalRecordType::kTracesProto || type == WalRecordType::kLogsProto;
  Status st = proto ? DecodeProto(type, body, ctx) : DecodeOtlpJson(body, ctx);
  if (!st.ok()) return Status::InvalidArgument(st.message());
  DecodedRequest out;
  // A logs body sent to /v1/traces (or the reverse) holds no record of the right kind.
  if (IsTraces(type)) {
    out.spans = std::move(ctx.spans);
    out.rejected = ctx.stats.rejected + ctx.logs.size();
  } else {
    out.logs = std::move(ctx.logs);
    out.rejected = ctx.stats.rejected + ctx.spans.size();
  }
  if (!ctx.stats.rejections.empty()) {
    out.first_reason = ctx.stats.rejections.front().ToString();
  } else if (out.rejected > 0) {
    out.first_reason = IsTraces(type) ? "log records sent to the traces endpoint"
                                      : "spans sent to the logs endpoint";
  }
  return out;
}

}  // namespace ddbg::server
