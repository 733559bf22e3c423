// Following a store's log records as they arrive (`ddbg logs tail`), and the time windows
// of the logs commands. TailQuery is the one place a tail query string becomes a filter: a
// LogQL log query (`{service="api"} |= "error" | json | status >= 500`) or plain text the
// body must contain, plus --service and --contains. A LogFollower reads only the segments
// committed since its previous poll (ScanFilter::after_segment).
// Thread-safety: a LogFollower is used by one thread; the functions are of their arguments.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ddbg/logql.h"
#include "ddbg/store.h"

namespace ddbg::logs {

struct TailQuery {
  std::vector<std::string> services;  // empty: any
  std::vector<std::string> contains;  // every one must occur in the body
  std::optional<LogRowMatcher> logql;  // when the query is LogQL
  bool Matches(const LogBatch& batch, size_t row) const;
};

// Builds the filter of `logs tail [QUERY]`: QUERY is a LogQL log query when it starts with
// '{', else a substring the body must contain. A malformed LogQL query gives
// InvalidArgument naming the line and column.
Result<TailQuery> CompileTailQuery(const std::string& query, std::vector<std::string> services,
                                   std::vector<std::string> contains);

// Called for each record to show; returns false to stop following.
using TailFn = std::function<bool(const LogBatch&, size_t)>;

class LogFollower {
 public:
  LogFollower(Store& store, TailQuery query, size_t backlog)
      : store_(&store), query_(std::move(query)), backlog_(backlog) {}

  // One poll. The first shows the last `backlog` matching records already stored; each
  // later one refreshes the store's snapshot and shows the matching records of the segments
  // committed since the previous poll (stores that do not number segments are rescanned,
  // skipping the rows already seen). False when `emit` asked to stop.
  Result<bool> Poll(const TailFn& emit);

 private:
  Result<bool> ShowBacklog(const ScanFilter& filter, bool count_rows, const TailFn& emit);

  Store* store_;
  TailQuery query_;
  size_t backlog_;
  bool first_ = true;
  uint64_t after_segment_ = 0;  // StoreStats::last_segment at the previous poll
  uint64_t rows_seen_ = 0;      // stores without segment numbers: rows scanned so far
};

// Polls `store` every `interval_ms` with a LogFollower until `emit` returns false or
// `max_polls` polls were made (0: never).
Status FollowLogs(Store& store, const TailQuery& query, size_t backlog, int interval_ms,
                  uint64_t max_polls, const TailFn& emit);

// A time bound: RFC 3339 / ISO-8601 / epoch text, or a duration before `now_ns` ("15m",
// "2h", "1d", "30s").
bool ParseTimeBound(std::string_view text, int64_t now_ns, int64_t* ns);
// "START..END" with bounds as above; END may be empty (now).
bool ParseTimeWindow(std::string_view text, int64_t now_ns, TimeRange* out);

}  // namespace ddbg::logs
