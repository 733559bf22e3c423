// Segment-by-segment reads of one stream: summaries, and the tail a fold from a snapshot
// needs.
#include "events/stream_segments.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace ddbg::events {
namespace {

constexpr uint32_t kAllEventColumns = ~0u;

// The dictionary id of `stream` in a segment, or -1 when the segment does not have it.
int64_t FindString(const std::vector<std::string_view>& dict, std::string_view s) {
  for (size_t i = 1; i < dict.size(); ++i) {
    if (dict[i] == s) return static_cast<int64_t>(i);
  }
  return -1;
}

// A stream event with where it is stored, so equal (version, time) keep commit order.
struct PlacedEvent {
  uint64_t segment = 0;
  size_t row = 0;
  StreamEvent event;
};

bool StreamOrder(const PlacedEvent& a, const PlacedEvent& b) {
  const StreamEvent& x = a.event;
  const StreamEvent& y = b.event;
  if (x.version != y.version) return x.version < y.version;
  if (x.time_ns != y.time_ns) return x.time_ns < y.time_ns;
  return a.segment != b.segment ? a.segment < b.segment : a.row < b.row;
}

StreamEvent MakeEvent(const EventColumns& c, size_t i, const std::string& stream) {
  StreamEvent e;
  e.stream = stream;
  e.version = c.version[i];
  e.time_ns = c.time_ns[i];
  e.event_id = c.dict[c.event_id[i]];
  e.type = c.dict[c.event_type[i]];
  e.payload = c.dict[c.payload[i]];
  e.metadata = c.dict[c.metadata[i]];
  e.correlation_id = c.dict[c.correlation_id[i]];
  e.causation_id = c.dict[c.causation_id[i]];
  e.service = c.dict[c.service[i]];
  return e;
}

// The stream's rows of one segment after `after_version`, sorted, up to and including the
// first one later than t: a row after it follows it in the stream's order too, so no fold
// up to t reaches it.
void TakeSegmentTail(const EventColumns& c, const std::string& stream, uint64_t after_version,
                     int64_t t, std::vector<PlacedEvent>* out) {
  int64_t id = FindString(c.dict, stream);
  if (id < 0) return;
  struct Key {
    uint64_t version;
    int64_t time;
    size_t row;
    bool operator<(const Key& o) const {
      return version != o.version ? version < o.version
             : time != o.time     ? time < o.time
                                  : row < o.row;
    }
  };
  std::vector<Key> keys;
  for (size_t i = 0; i < c.rows; ++i) {
    if (c.stream[i] == static_cast<StrId>(id) && c.version[i] > after_version) {
      keys.push_back({c.version[i], c.time_ns[i], i});
    }
  }
  if (!std::is_sorted(keys.begin(), keys.end())) std::sort(keys.begin(), keys.end());
  for (const Key& k : keys) {
    out->push_back({c.segment, k.row, MakeEvent(c, k.row, stream)});
    if (k.time > t) break;
  }
}

}  // namespace

Status SummarizeSegments(Store& store, const std::string& stream, uint64_t after,
                         std::map<uint64_t, SegmentSummary>* out, bool* numbered) {
  *numbered = true;
  ScanFilter filter;
  filter.streams = {stream};
  filter.after_segment = after;
  EventColumnScan scan;
  scan.columns = kEventColStream | kEventColVersion | kEventColTime;
  return store.ScanEventColumns(filter, scan, [&](EventColumns& c) {
    int64_t id = FindString(c.dict, stream);
    if (id < 0) return Status::Ok();
    if (c.segment == 0) *numbered = false;
    SegmentSummary s;
    for (size_t i = 0; i < c.rows; ++i) {
      if (c.stream[i] == static_cast<StrId>(id)) s.Add(c.version[i], c.time_ns[i]);
    }
    if (s.events > 0) (*out)[c.segment] = s;
    return Status::Ok();
  });
}

Result<FoldTail> ReadFoldTail(Store& store, const std::string& stream,
                              const std::map<uint64_t, SegmentSummary>& segments,
                              uint64_t after_version, int64_t t) {
  FoldTail tail;
  std::set<uint64_t> read;
  TimeRange times{INT64_MAX, INT64_MIN};
  for (const auto& [seq, s] : segments) {
    if (s.max_version <= after_version) continue;
    if (s.min_time > t && s.min_version > after_version) {
      tail.version_bound = std::min(tail.version_bound, s.min_version);
      continue;
    }
    read.insert(seq);
    times.min_ns = std::min(times.min_ns, s.min_time);
    times.max_ns = std::max(times.max_ns, s.max_time);
  }
  tail.segments_read = read.size();
  if (read.empty()) return tail;
  ScanFilter filter;
  filter.streams = {stream};
  filter.time = times;
  filter.after_segment = *read.begin() - 1;
  EventColumnScan scan;
  scan.columns = kAllEventColumns;
  scan.threads = read.size() > 1 ? 2 : 1;
  std::mutex mu;
  std::vector<PlacedEvent> placed;
  size_t delivered = 0;
  Status st = store.ScanEventColumns(filter, scan, [&](EventColumns& c) {
    if (read.count(c.segment) == 0) return Status::Ok();
    std::vector<PlacedEvent> part;
    TakeSegmentTail(c, stream, after_version, t, &part);
    std::lock_guard<std::mutex> l(mu);
    ++delivered;
    std::move(part.begin(), part.end(), std::back_inserter(placed));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  tail.complete = delivered == read.size();
  // Sorting positions, not the events (each holds ten strings).
  std::vector<size_t> order(placed.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto before = [&](size_t a, size_t b) { return StreamOrder(placed[a], placed[b]); };
  if (!std::is_sorted(order.begin(), order.end(), before)) {
    std::sort(order.begin(), order.end(), before);
  }
  tail.events.reserve(placed.size());
  for (size_t i : order) tail.events.push_back(std::move(placed[i].event));
  return tail;
}

}  // namespace ddbg::events
