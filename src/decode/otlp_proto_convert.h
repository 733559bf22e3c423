// OTLP/protobuf export requests: parsing bytes into the generated messages (repairing
// invalid UTF-8 in string fields, and naming the place when the bytes are truncated or
// corrupt), and converting a parsed request into the spans or logs of a DecodeContext with
// the same record rules as OTLP/JSON. The file decoder and the OTLP/HTTP and gRPC receivers
// share these. Thread-safety: plain functions; a context belongs to one thread.
#pragma once

#include <string_view>

#include "ddbg/decode.h"
#include "ddbg/status.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace ddbg::otlp {

using ExportTraceRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ExportLogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

// Parses `bytes` into *out. When the only problem is invalid UTF-8 in string fields, those
// strings are repaired (U+FFFD) and *repaired is set. A truncated or corrupt message gives
// InvalidArgument with the size and, when it can be found, the byte offset of the damage.
Status ParseTraceRequest(std::string_view bytes, ExportTraceRequest* out, bool* repaired);
Status ParseLogsRequest(std::string_view bytes, ExportLogsRequest* out, bool* repaired);

// Appends the spans (logs) of a parsed request to ctx.spans (ctx.logs). Bad records are
// rejected through ctx with their path in the request ("resourceSpans[0].scopeSpans[1].
// spans[3]: spanId must be 8 bytes, got 4"); the rest are kept. With `repaired`, records
// holding U+FFFD count as warnings. Calls ctx.MaybeFlush() between records; a non-OK status
// comes only from a failing flush.
Status ConvertTraceRequest(const ExportTraceRequest& request, DecodeContext& ctx,
                           bool repaired = false);
Status ConvertLogsRequest(const ExportLogsRequest& request, DecodeContext& ctx,
                          bool repaired = false);

}  // namespace ddbg::otlp
