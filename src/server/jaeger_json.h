// Renders spans in the JSON shape of the Jaeger query API (/api/traces, /api/traces/{id}):
// one object per trace with "spans" (microsecond times, references, tags, logs) and
// "processes", as the Jaeger UI and Grafana's Jaeger data source read them.
// Thread-safety: plain functions.
#pragma once

#include <string>

#include "ddbg/model.h"
#include "util/json_writer.h"

namespace ddbg::server {

// Jaeger's trace id text: 16 hex digits when the high half is zero, else 32.
std::string JaegerTraceIdHex(TraceId id);

// Writes one trace object: {"traceID", "spans": [...], "processes": {...}, "warnings"}.
// `trace` holds the spans of one trace (any order).
void WriteJaegerTrace(const SpanBatch& trace, JsonWriter& w);

// Writes the envelope {"data": <data>, "total", "limit", "offset", "errors": null}.
std::string JaegerEnvelope(const std::string& data_json, size_t total);
// {"data": null, "total": 0, …, "errors": [{"code": code, "msg": msg}]}
std::string JaegerError(int code, const std::string& msg);

}  // namespace ddbg::server
