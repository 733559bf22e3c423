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
  return true;
}

Result<TailQuery> CompileTailQuery(const std::string& query, std::vector<std::string> services,
                                   std::vector<std::string> contains) {
  TailQuery q{std::move(services), std::move(contains)};
  if (!query.empty() && query[0] == '{') {
    return Status::Unsupported(
        "LogQL queries are not connected to tail yet; use --service and --contains");
  }
  if (!query.empty()) q.contains.push_back(query);
  return q;
}

Status FollowLogs(Store& store, const TailQuery& query, size_t backlog, int interval_ms,
                  uint64_t max_polls, const std::function<bool(const LogBatch&, size_t)>& emit) {
  uint64_t seen = 0;  // rows scanned so far, in commit order
  bool first = true;
  for (uint64_t poll = 0; max_polls == 0 || poll < max_polls; ++poll) {
    if (!first) {
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
      DDBG_RETURN_IF_ERROR(store.Refresh());
    }
    uint64_t row = 0;
    bool stop = false;
    std::deque<std::pair<LogBatch, size_t>> tail;  // backlog on the first poll
    Status st = store.ScanLogs({}, [&](const LogBatch& b) {
      if (row + b.size() <= seen) {
        row += b.size();
        return Status::Ok();
      }
      for (size_t i = 0; i < b.size() && !stop; ++i, ++row) {
        if (row < seen || !query.Matches(b, i)) continue;
        if (first) {
          if (backlog == 0) continue;
          LogBatch one;
          LogRowCopier(b, &one).Copy(i);
          tail.emplace_back(std::move(one), 0);
          if (tail.size() > backlog) tail.pop_front();
        } else if (!emit(b, i)) {
          stop = true;
        }
      }
      return Status::Ok();
    });
    DDBG_RETURN_IF_ERROR(st);
    for (auto& [b, i] : tail) {
      if (!emit(b, i)) return Status::Ok();
    }
    if (stop) return Status::Ok();
    seen = row;
    first = false;
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
