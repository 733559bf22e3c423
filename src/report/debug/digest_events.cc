// The report's digest of the domain events of the window, a consumer of the report's one
// event scan (analyses.cc): counts per service, streams touched, and the events that share a
// correlation id with a representative trace. Each segment is digested on its own; the parts
// are merged in segment order, so the correlated events kept are the first in scan order, as
// a sequential scan keeps them.
#include <algorithm>
#include <map>
#include <mutex>

#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

constexpr size_t kMaxCorrelatedEvents = 200;

EventRef MakeEventRef(const EventColumns& c, size_t i) {
  return {.stream = std::string(c.dict[c.stream[i]]),
          .version = c.version[i],
          .type = std::string(c.dict[c.event_type[i]]),
          .time_ns = c.time_ns[i],
          .service = std::string(c.dict[c.service[i]]),
          .correlation_id = std::string(c.dict[c.correlation_id[i]])};
}

// One segment's share of the digest.
struct EventPart {
  int64_t events = 0;
  std::map<std::string, int64_t, std::less<>> per_service;
  std::vector<uint64_t> stream_hashes;  // XXH3 of each stream id of the segment (SegmentFacts)
  std::vector<EventRef> correlated;
};

EventPart DigestSegment(const DebugContext& ctx, const std::vector<std::string_view>& wanted,
                        const EventColumns& c, SegmentFacts& facts) {
  EventPart p;
  size_t n = c.dict.size();
  // Per string id of the segment, so strings are looked up once per segment, not per event.
  std::vector<int64_t*> service_count(n, nullptr);  // nullptr: not seen yet
  std::vector<uint8_t> out_of_scope(n, 0), stream_seen(n, 0);
  std::vector<int8_t> corr_match(wanted.empty() ? 0 : n, -1);  // -1 unknown, 0 no, 1 yes
  for (size_t i = 0; i < c.rows; ++i) {
    if (!ctx.window.Contains(c.time_ns[i]) || out_of_scope[c.service[i]]) continue;
    int64_t*& count = service_count[c.service[i]];
    if (count == nullptr) {
      std::string_view service = c.dict[c.service[i]];
      if (!service.empty() && !ctx.InScope(service)) {
        out_of_scope[c.service[i]] = 1;
        continue;
      }
      count = &p.per_service.try_emplace(std::string(service), 0).first->second;
    }
    ++*count;
    ++p.events;
    if (!stream_seen[c.stream[i]]) {
      stream_seen[c.stream[i]] = 1;
      p.stream_hashes.push_back(facts.StreamHash(c.stream[i]));
    }
    if (wanted.empty()) continue;
    int8_t& m = corr_match[c.correlation_id[i]];
    if (m < 0) {
      m = std::find(wanted.begin(), wanted.end(), c.dict[c.correlation_id[i]]) != wanted.end();
    }
    if (m == 1 && p.correlated.size() < kMaxCorrelatedEvents) p.correlated.push_back(MakeEventRef(c, i));
  }
  return p;
}

}  // namespace

struct EventDigestScan::Parts {
  std::mutex mu;
  std::map<size_t, EventPart> by_ordinal;
};

EventDigestScan::EventDigestScan(DebugContext* ctx)
    : ctx_(ctx), parts_(std::make_unique<Parts>()) {
  for (const RepresentativeTrace& rep : ctx->representatives) {
    wanted_.insert(wanted_.end(), rep.correlation_ids.begin(), rep.correlation_ids.end());
  }
}

EventDigestScan::~EventDigestScan() = default;

uint32_t EventDigestScan::columns() const {
  return kEventColStream | kEventColVersion | kEventColType | kEventColTime |
         kEventColCorrelation | kEventColService;
}

Status EventDigestScan::Consume(const EventColumns& c, SegmentFacts& facts) {
  EventPart part = DigestSegment(*ctx_, wanted_, c, facts);
  std::lock_guard<std::mutex> lock(parts_->mu);
  parts_->by_ordinal.emplace(c.ordinal, std::move(part));
  return Status::Ok();
}

void EventDigestScan::Finish() {
  EventDigest& d = ctx_->events;
  std::map<std::string, int64_t, std::less<>> per_service;
  HashSet64 streams;
  for (auto& [ordinal, p] : parts_->by_ordinal) {
    d.events += p.events;
    for (const auto& [service, n] : p.per_service) per_service[service] += n;
    for (uint64_t h : p.stream_hashes) streams.Insert(h);
    for (EventRef& e : p.correlated) {
      if (d.correlated.size() < kMaxCorrelatedEvents) d.correlated.push_back(std::move(e));
    }
  }
  parts_->by_ordinal.clear();
  d.streams_touched = static_cast<int64_t>(streams.size());
  d.per_service.assign(per_service.begin(), per_service.end());
  std::stable_sort(d.correlated.begin(), d.correlated.end(),
                   [](const EventRef& a, const EventRef& b) { return a.time_ns < b.time_ns; });
}

}  // namespace ddbg::report
