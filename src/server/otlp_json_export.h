// Spans and log records written back as OTLP/JSON requests (ExportTraceServiceRequest /
// ExportLogsServiceRequest, the protobuf JSON mapping: hex ids, nanosecond times as
// strings). What ddbg's own trace endpoints send, so a client (`ddbg trace --server`) reads
// a trace with every field the store keeps, through the OTLP/JSON decoder. Arrays, maps
// and bytes attribute values are written as their text (stringValue); everything else
// round-trips exactly. Thread-safety: plain functions.
#pragma once

#include <string>

#include "ddbg/model.h"

namespace ddbg::server {

// {"resourceSpans":[…]}: one resourceSpans per resource, one scopeSpans per scope used.
std::string SpansToOtlpJson(const SpanBatch& spans);
// {"resourceLogs":[…]}
std::string LogsToOtlpJson(const LogBatch& logs);

}  // namespace ddbg::server
