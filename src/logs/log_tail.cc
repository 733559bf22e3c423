#include "logs/log_tail.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <thread>

#include <fmt/format.h>

#include "util/time_parse.h"

namespace ddbg::logs {

bool TailQuery::Matches(const LogBatch& b, size_t i) const {
  if (!services.empty() &&
      std::find(services.begin(), services.end(), b.dict.Get(b.service[i])) == services.end()) {
    return false;
  }
  std::string_view body = b.dict.Get(b.body[i]);
  for (const std::string& c : contains) {
    if (body.find(c) == std::string_view::npos) return false;
  }
  return !logql || logql->Matches(b, i);
}

Result<TailQuery> CompileTailQuery(const std::string& query, std::vector<std::string> services,
                                   std::vector<std::string> contains) {
  TailQuery q{std::move(services), std::move(contains), std::nullopt};
  if (!query.empty() && query[0] == '{') {
    Result<LogRowMatcher> m = LogRowMatcher::Compile(query);
    if (!m.ok()) return Status::InvalidArgument("QUERY: " + m.status().message());
    q.logql = std::move(m).value();
  } else if (!query.empty()) {
    q.contains.push_back(query);
  }
  return q;
}

Result<bool> LogFollower::ShowBacklog(const ScanFilter& filter, bool count_rows,
                                      const TailFn& emit) {
  std::deque<LogBatch> tail;  // one record each
  if (backlog_ > 0 || count_rows) {
    DDBG_RETURN_IF_ERROR(store_->ScanLogs(filter, [&](const LogBatch& b) {
      rows_seen_ += b.size();
      for (size_t i = 0; i < b.size() && backlog_ > 0; ++i) {
        if (!query_.Matches(b, i)) continue;
        tail.emplace_back();
        LogRowCopier(b, &tail.back()).Copy(i);
        if (tail.size() > backlog_) tail.pop_front();
      }
      return Status::Ok();
    }));
  }
  for (const LogBatch& one : tail) {
    if (!emit(one, 0)) return false;
  }
  return true;
}

// The snapshot read by Stats() is the one ScanLogs() reads next: a store opened by the
// follower changes its snapshot only on Refresh(), which happens before both.
Result<bool> LogFollower::Poll(const TailFn& emit) {
  if (!first_) DDBG_RETURN_IF_ERROR(store_->Refresh());
  Result<StoreStats> stats = store_->Stats();
  if (!stats.ok()) return stats.status();
  ScanFilter filter;
  filter.services = query_.services;
  filter.after_segment = after_segment_;
  bool numbered = stats->last_segment != 0;
  if (numbered) after_segment_ = stats->last_segment;
  if (first_) {
    first_ = false;
    return ShowBacklog(filter, /*count_rows=*/!numbered, emit);
  }
  uint64_t row = 0;
  bool more = true;
  DDBG_RETURN_IF_ERROR(store_->ScanLogs(filter, [&](const LogBatch& b) {
    for (size_t i = 0; i < b.size() && more; ++i, ++row) {
      if (row >= rows_seen_ && query_.Matches(b, i)) more = emit(b, i);
    }
    return Status::Ok();
  }));
  rows_seen_ = numbered ? 0 : std::max(rows_seen_, row);
  return more;
}

Status FollowLogs(Store& store, const TailQuery& query, size_t backlog, int interval_ms,
                  uint64_t max_polls, const TailFn& emit) {
  LogFollower follower(store, query, backlog);
  for (uint64_t poll = 0; max_polls == 0 || poll < max_polls; ++poll) {
    if (poll > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    Result<bool> more = follower.Poll(emit);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
  }
  return Status::Ok();
}

bool ParseTimeBound(std::string_view text, int64_t now_ns, int64_t* ns) {
  if (text.empty()) return false;
  char unit = text.back();
  int64_t per = unit == 's' ? 1'000'000'000LL : unit == 'm' ? 60'000'000'000LL
              : unit == 'h' ? 3'600'000'000'000LL : unit == 'd' ? 86'400'000'000'000LL : 0;
  if (per != 0) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (ec == std::errc() && p == text.data() + text.size() - 1 && n >= 0) {
      *ns = now_ns - n * per;
      return true;
    }
  }
  return ParseTimestampText(text, ns);
}

bool ParseTimeWindow(std::string_view text, int64_t now_ns, TimeRange* out) {
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) return false;
  std::string_view end = text.substr(dots + 2);
  if (!ParseTimeBound(text.substr(0, dots), now_ns, &out->min_ns)) return false;
  out->max_ns = now_ns;
  if (!end.empty() && !ParseTimeBound(end, now_ns, &out->max_ns)) return false;
  return out->min_ns <= out->max_ns;
}

}  // namespace ddbg::logs
