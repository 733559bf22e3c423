#include "store/embedded/store_snapshot.h"

#include <algorithm>

#include "store/embedded/file_io.h"
#include "store/embedded/job_runner.h"
#include "store/embedded/segment_reader.h"

namespace ddbg::store {
namespace {
constexpr size_t kStreamSample = 20;
}  // namespace

const StoreStats& Snapshot::Stats() const {
  std::call_once(stats_once_, [this] {
    StoreStats s;
    std::vector<const std::vector<TraceId>*> traces;
    std::vector<const std::vector<std::string>*> services;
    std::vector<const std::vector<std::string>*> streams;
    TimeRange bounds = TimeBounds();
    s.min_time_ns = bounds.min_ns;
    s.max_time_ns = bounds.max_ns;
    for (const auto& h : segments_) {
      const SegmentEntry& e = h->entry;
      ++s.segments;
      s.last_segment = std::max(s.last_segment, e.seq);
      s.bytes_on_disk += e.file_bytes;
      switch (e.signal) {
        case Signal::kSpans:
          s.spans += e.rows;
          services.push_back(&e.services);
          if (h->index_status.ok()) traces.push_back(&h->index.trace_ids);
          break;
        case Signal::kLogs:
          s.logs += e.rows;
          services.push_back(&e.services);
          break;
        case Signal::kEvents:
          s.events += e.rows;
          if (h->index_status.ok()) streams.push_back(&h->index.streams);
          break;
      }
    }
    s.bytes_on_disk += fixed_bytes_;
    s.traces = CountDistinctTraceIds(traces);
    s.services = UnionStrings(services);
    s.streams = UnionStrings(streams, kStreamSample, &s.streams_sample);
    stats_ = std::move(s);
  });
  return stats_;
}

TimeRange Snapshot::TimeBounds() const {
  TimeRange r{0, 0};
  bool any = false;
  for (const auto& h : segments_) {
    const SegmentEntry& e = h->entry;
    if (e.rows == 0 || (e.min_time_ns == 0 && e.max_time_ns == 0)) continue;
    r.min_ns = any ? std::min(r.min_ns, e.min_time_ns) : e.min_time_ns;
    r.max_ns = any ? std::max(r.max_ns, e.max_time_ns) : e.max_time_ns;
    any = true;
  }
  return r;
}

std::vector<std::shared_ptr<const SegmentHandle>> BuildHandles(const std::string& dir,
                                                               const Manifest& manifest,
                                                               const Snapshot* previous) {
  std::map<uint64_t, std::shared_ptr<const SegmentHandle>> known;
  if (previous != nullptr) {
    for (const auto& h : previous->segments()) known[h->entry.seq] = h;
  }
  std::vector<std::shared_ptr<const SegmentHandle>> out;
  std::vector<std::shared_ptr<SegmentHandle>> fresh;  // their indexes still to read
  out.reserve(manifest.segments.size());
  for (const SegmentEntry& e : manifest.segments) {
    auto it = known.find(e.seq);
    if (it != known.end() && it->second->entry.signal == e.signal) {
      out.push_back(it->second);
      continue;
    }
    auto h = std::make_shared<SegmentHandle>();
    h->entry = e;
    h->path = JoinPath(dir, e.FileName());
    fresh.push_back(h);
    out.push_back(std::move(h));
  }
  // Opening a store of a hundred segments reads (and checks) every index: on all cores.
  RunJobs(fresh.size(), DefaultWorkerCount(), [&fresh](size_t i, int) {
    SegmentHandle& h = *fresh[i];
    h.index_status = ReadSegmentIndex(h.path, h.entry, &h.index);
  });
  return out;
}

bool MayMatch(const SegmentHandle& h, const ScanFilter& filter) {
  const SegmentEntry& e = h.entry;
  if (e.seq <= filter.after_segment) return false;
  if (!filter.time.unbounded() && !filter.time.Contains(0) &&
      !filter.time.Overlaps(e.min_time_ns, e.max_time_ns)) {
    return false;
  }
  if (!filter.services.empty() && !SortedHasAny(e.services, filter.services)) return false;
  if (!h.index_status.ok()) return true;
  if (!filter.trace_ids.empty() && e.signal != Signal::kEvents &&
      !h.index.HasAnyTrace(filter.trace_ids)) {
    return false;
  }
  if (!filter.streams.empty() && e.signal == Signal::kEvents &&
      !h.index.HasAnyStream(filter.streams)) {
    return false;
  }
  return true;
}

}  // namespace ddbg::store
