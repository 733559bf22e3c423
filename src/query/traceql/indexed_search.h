// Span-level TraceQL answered from the posting lists: when the only span filter is a
// conjunction of equalities the index holds exactly (span and resource attributes with
// string, int or bool literals, service, name) and there is no pipeline, a segment's
// matching rows are the AND of the terms' posting lists — no attribute is read. Only the
// structure columns of the segments holding matches are read (trace and span ids, parent,
// times, service, name), through SegmentCursor::SpanColumns (cached across queries by the
// embedded store's query cache): the matches' traces, then each result trace's spans for
// its root, bounds and span count. The results equal the general plan's (tests/query).
// Thread-safety: plain functions.
#pragma once

#include <vector>

#include "ddbg/store.h"
#include "ddbg/traceql.h"
#include "query/traceql/ast.h"

namespace ddbg::traceql {

// Whether IndexedSearch / IndexedTraceIds can answer `q`.
bool IndexAnswers(const Query& q);

// The matching traces (at most options.limit, 0: all; with a limit, the first found in
// store order, as the general plan picks them), in the general plan's order before its
// final sort. False (nothing done) when a segment has no posting lists.
Result<bool> IndexedSearch(Store& store, const Query& q, const TraceSearchOptions& options,
                           TraceSearchResult* out);
// The distinct matching trace ids in store order, at most `limit` (0: all). False when a
// segment has no posting lists.
Result<bool> IndexedTraceIds(Store& store, const Query& q, const ScanFilter& scope, size_t limit,
                             std::vector<TraceId>* out);

}  // namespace ddbg::traceql
