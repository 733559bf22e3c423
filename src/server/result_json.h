// ddbg's own lossless JSON for query results and store statistics: what /api/traceql and
// /api/logql answer with `format=ddbg` and what /api/stats answers, and the parsers the
// remote CLI (`--server URL`) reads them back with, so a command prints exactly what it
// prints over a local store (nanosecond times, attribute types and texts, trace ids of log
// lines, the metric step, the --explain plan). Shapes are in docs/http-api.md.
// Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>

#include "ddbg/logql.h"
#include "ddbg/status.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"

namespace ddbg::server {

std::string TraceSearchResultJson(const TraceSearchResult& r);
Result<TraceSearchResult> ParseTraceSearchResultJson(std::string_view json);

std::string LogQueryResultJson(const LogQueryResult& r);
Result<LogQueryResult> ParseLogQueryResultJson(std::string_view json);

std::string StoreStatsJson(const StoreStats& s);
Result<StoreStats> ParseStoreStatsJson(std::string_view json);

}  // namespace ddbg::server
