// The report's one pass over the domain events of the window: counts per service, streams
// touched, and the events that share a correlation id with a representative trace.
#include <algorithm>
#include <map>

#include <xxhash.h>

#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

constexpr size_t kMaxCorrelatedEvents = 200;

EventRef MakeEventRef(const EventBatch& b, size_t i) {
  return {.stream = std::string(b.dict.Get(b.stream[i])),
          .version = b.version[i],
          .type = std::string(b.dict.Get(b.event_type[i])),
          .time_ns = b.time_ns[i],
          .service = std::string(b.dict.Get(b.service[i])),
          .correlation_id = std::string(b.dict.Get(b.correlation_id[i]))};
}

}  // namespace

Status DigestEvents(Store& store, DebugContext* ctx) {
  EventDigest& d = ctx->events;
  std::vector<std::string_view> wanted;
  for (const RepresentativeTrace& rep : ctx->representatives) {
    wanted.insert(wanted.end(), rep.correlation_ids.begin(), rep.correlation_ids.end());
  }
  std::map<std::string, int64_t, std::less<>> per_service;
  HashSet64 streams;  // XXH3 of each stream id
  // Per StrId of the current batch, so strings are looked up once per batch, not per event.
  std::vector<int64_t*> service_count;  // nullptr: not seen yet
  std::vector<uint8_t> out_of_scope, stream_seen;
  std::vector<int8_t> corr_match;  // -1 unknown, 0 no, 1 yes
  ScanFilter filter;
  filter.time = ctx->window;
  Status st = store.ScanEvents(filter, [&](const EventBatch& b) {
    size_t n = b.dict.size();
    service_count.assign(n, nullptr);
    out_of_scope.assign(n, 0);
    stream_seen.assign(n, 0);
    corr_match.assign(wanted.empty() ? 0 : n, -1);
    for (size_t i = 0; i < b.size(); ++i) {
      if (!ctx->window.Contains(b.time_ns[i]) || out_of_scope[b.service[i]]) continue;
      int64_t*& count = service_count[b.service[i]];
      if (count == nullptr) {
        std::string_view service = b.dict.Get(b.service[i]);
        if (!service.empty() && !ctx->InScope(service)) {
          out_of_scope[b.service[i]] = 1;
          continue;
        }
        auto it = per_service.find(service);
        if (it == per_service.end()) it = per_service.emplace(std::string(service), 0).first;
        count = &it->second;
      }
      ++*count;
      ++d.events;
      if (!stream_seen[b.stream[i]]) {
        stream_seen[b.stream[i]] = 1;
        std::string_view stream = b.dict.Get(b.stream[i]);
        streams.Insert(XXH3_64bits(stream.data(), stream.size()));
      }
      if (wanted.empty()) continue;
      int8_t& m = corr_match[b.correlation_id[i]];
      if (m < 0) {
        m = std::find(wanted.begin(), wanted.end(), b.dict.Get(b.correlation_id[i])) !=
            wanted.end();
      }
      if (m == 1 && d.correlated.size() < kMaxCorrelatedEvents) {
        d.correlated.push_back(MakeEventRef(b, i));
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  d.streams_touched = static_cast<int64_t>(streams.size());
  d.per_service.assign(per_service.begin(), per_service.end());
  std::stable_sort(d.correlated.begin(), d.correlated.end(),
                   [](const EventRef& a, const EventRef& b) { return a.time_ns < b.time_ns; });
  return Status::Ok();
}

}  // namespace ddbg::report
