// LoadStream: the events of one stream copied out of the store, in version order.
#include <fmt/format.h>

#include <algorithm>

#include "ddbg/events.h"

namespace ddbg {

StreamEvent StreamEventAt(const EventBatch& b, size_t i) {
  StreamEvent e;
  e.stream = b.dict.Get(b.stream[i]);
  e.version = b.version[i];
  e.event_id = b.dict.Get(b.event_id[i]);
  e.type = b.dict.Get(b.event_type[i]);
  e.time_ns = b.time_ns[i];
  e.payload = b.dict.Get(b.payload[i]);
  e.metadata = b.dict.Get(b.metadata[i]);
  e.correlation_id = b.dict.Get(b.correlation_id[i]);
  e.causation_id = b.dict.Get(b.causation_id[i]);
  e.service = b.dict.Get(b.service[i]);
  return e;
}

Result<std::vector<StreamEvent>> LoadStream(Store& store, const std::string& stream,
                                            TimeRange time) {
  std::vector<StreamEvent> out;
  ScanFilter filter;
  filter.time = time;
  filter.streams = {stream};
  Status st = store.ScanEvents(filter, [&](const EventBatch& b) {
    int64_t id = b.dict.Find(stream);
    if (id < 0) return Status::Ok();
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.stream[i] != static_cast<StrId>(id) || !time.Contains(b.time_ns[i])) continue;
      out.push_back(StreamEventAt(b, i));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (out.empty()) return Status::NotFound(fmt::format("stream '{}' has no events", stream));
  std::stable_sort(out.begin(), out.end(), [](const StreamEvent& a, const StreamEvent& b) {
    bool av = a.version != 0, bv = b.version != 0;
    if (av && bv && a.version != b.version) return a.version < b.version;
    return a.time_ns < b.time_ns;
  });
  return out;
}

}  // namespace ddbg
