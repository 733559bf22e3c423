// FlowCollector: gathers the records of one correlation flow from a Store in rounds. Each
// round fetches the traces learnt so far (trace index), looks up spans and logs carrying
// the correlation ids new this round (the store's correlation index, or a scan skipping
// batches whose dictionary lacks every id), and finds events by correlation id, causation
// id and trace id; the ids found on the way (a span's correlation attribute, a link's
// trace, an event's correlation id) feed the next round.
// Thread-safety: one collector per thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ddbg/flow.h"

namespace ddbg::flow {

// An event's own id and the id it names as its cause.
struct EventLink {
  size_t record = 0;
  std::string event_id;
  std::string causation_id;
};

class FlowCollector {
 public:
  FlowCollector(Store& store, const FlowOptions& options) : store_(store), options_(options) {}

  void AddTrace(TraceId id, const char* via);
  void AddCorrelation(const std::string& id);
  Status Run();

  std::vector<FlowRecord>& records() { return records_; }
  const std::set<TraceId>& traces() const { return traces_; }
  const std::set<std::string>& correlations() const { return correlations_; }
  const std::set<std::string>& event_ids() const { return event_ids_; }
  const std::vector<EventLink>& event_links() const { return event_links_; }
  // (trace, span) named by the links of the spans collected: consumers link to producers.
  const std::set<std::pair<TraceId, SpanId>>& linked_spans() const { return linked_spans_; }

 private:
  Status FetchTraces();
  Status ScanAttributes();
  Status ScanEvents();
  bool MatchesCorrelation(const StringDict& dict, const AttrColumns& attrs, uint32_t begin,
                          uint32_t end, const std::vector<StrId>& keys,
                          const std::vector<StrId>& values) const;
  void AddSpans(const SpanBatch& b, const std::vector<size_t>& rows, const char* via);
  void AddLog(const LogBatch& b, size_t i, const char* via);
  void LearnCorrelations(const StringDict& dict, const AttrColumns& attrs, uint32_t begin,
                         uint32_t end);

  Store& store_;
  const FlowOptions& options_;
  std::vector<FlowRecord> records_;
  std::set<TraceId> traces_;
  std::vector<std::pair<TraceId, const char*>> pending_traces_;
  std::set<std::string> correlations_;
  std::set<std::string> looked_up_;  // correlation ids already looked up in spans and logs
  std::set<std::string> event_ids_;
  std::set<std::pair<TraceId, SpanId>> seen_spans_;
  std::set<std::string> seen_logs_;
  std::set<std::string> seen_events_;
  std::vector<EventLink> event_links_;
  std::set<std::pair<TraceId, SpanId>> linked_spans_;
  bool changed_ = false;
};

}  // namespace ddbg::flow
