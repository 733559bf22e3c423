// Following a store's log records as they arrive (`ddbg logs tail`), and the time windows
// of the logs commands. TailQuery is the one place a tail query string becomes a filter:
// today a service list and substring filters; LogQL plugs in here when it exists.
// Thread-safety: functions of their arguments.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ddbg/store.h"

namespace ddbg::logs {

struct TailQuery {
  std::vector<std::string> services;  // empty: any
  std::vector<std::string> contains;  // every one must occur in the body
  bool Matches(const LogBatch& batch, size_t row) const;
};

// Builds the filter of `logs tail [QUERY]`: QUERY is a substring to look for (LogQL
// selectors are refused with a clear error until the LogQL engine is connected here).
Result<TailQuery> CompileTailQuery(const std::string& query, std::vector<std::string> services,
                                   std::vector<std::string> contains);

// Polls `store` every `interval_ms`, calling `emit` for each record appended after the call
// started (the last `backlog` existing records first). Stops when `emit` returns false or
// `max_polls` polls were made (0: never).
Status FollowLogs(Store& store, const TailQuery& query, size_t backlog, int interval_ms,
                  uint64_t max_polls, const std::function<bool(const LogBatch&, size_t)>& emit);

// A time bound: RFC 3339 / ISO-8601 / epoch text, or a duration before `now_ns` ("15m",
// "2h", "1d", "30s").
bool ParseTimeBound(std::string_view text, int64_t now_ns, int64_t* ns);
// "START..END" with bounds as above; END may be empty (now).
bool ParseTimeWindow(std::string_view text, int64_t now_ns, TimeRange* out);

}  // namespace ddbg::logs
