// The queries of the CLI answered by a running `ddbg serve` instead of a local store: each
// mirrors the library function the command calls with --data (SearchTraceQL, EvalLogQL,
// Store::Stats/GetTrace/GetTraceLogs) and returns the same result, read from the server's
// lossless endpoints (docs/http-api.md, "The CLI over HTTP").
// Thread-safety: as ServerClient (one per thread).
#pragma once

#include <string_view>

#include "client/server_client.h"
#include "ddbg/logql.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"

namespace ddbg::client {

// GET /api/traceql?format=ddbg
Result<TraceSearchResult> RemoteSearchTraceQL(ServerClient& server, std::string_view traceql,
                                              const TraceSearchOptions& options);
// GET /api/logql?format=ddbg
Result<LogQueryResult> RemoteEvalLogQL(ServerClient& server, std::string_view logql,
                                       const LogQueryOptions& options);
// GET /api/stats
Result<StoreStats> RemoteStats(ServerClient& server);
// GET /api/traces/{id}/otlp; an empty batch when the server does not know the trace.
Result<SpanBatch> RemoteGetTrace(ServerClient& server, TraceId id);
// GET /api/traces/{id}/logs
Result<LogBatch> RemoteGetTraceLogs(ServerClient& server, TraceId id);

}  // namespace ddbg::client
