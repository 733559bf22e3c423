// BuildFlow: the records of one correlation id or trace id in time order, with hops, breaks
// (calls without a record on the other side, missing parents, causes never recorded),
// delays (quiet gaps longer than the threshold) and errors.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "ddbg/flow.h"
#include "flow/flow_collector.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

void FindSpanBreaks(const std::vector<FlowRecord>& records, const std::set<std::string>& services,
                    FlowReport* report) {
  std::set<std::pair<TraceId, SpanId>> spans, parents;
  for (const FlowRecord& r : records) {
    if (r.kind != FlowRecordKind::kSpan) continue;
    spans.insert({r.trace_id, r.span_id});
    parents.insert({r.trace_id, r.parent_span_id});
  }
  for (const FlowRecord& r : records) {
    if (r.kind != FlowRecordKind::kSpan) continue;
    if (r.parent_span_id != 0 && !spans.count({r.trace_id, r.parent_span_id})) {
      report->breaks.push_back({r.time_ns, r.service,
                                fmt::format("{} '{}': parent span {} has no record", r.service,
                                            r.name, SpanIdToHex(r.parent_span_id))});
    }
    if (r.span_kind == SpanKind::kClient && !r.peer.empty()) {
      const std::string& peer = r.peer;
      if (services.count(peer) && !parents.count({r.trace_id, r.span_id})) {
        report->breaks.push_back(
            {r.time_ns, r.service,
             fmt::format("{} called {} ('{}') but {} has no record of it", r.service, peer,
                         r.name, peer)});
      }
    }
  }
}

// A PRODUCER span whose message no CONSUMER span of the flow received: none is its child
// and none links to it. Flagged only when the flow holds consumer spans at all, so systems
// that do not trace their consumers are not flagged everywhere.
void FindUnconsumedMessages(const std::vector<FlowRecord>& records,
                            const std::set<std::pair<TraceId, SpanId>>& linked,
                            FlowReport* report) {
  std::set<std::pair<TraceId, SpanId>> consumed(linked);
  bool any_consumer = false;
  for (const FlowRecord& r : records) {
    if (r.kind != FlowRecordKind::kSpan || r.span_kind != SpanKind::kConsumer) continue;
    any_consumer = true;
    consumed.insert({r.trace_id, r.parent_span_id});
  }
  if (!any_consumer) return;
  for (const FlowRecord& r : records) {
    if (r.kind != FlowRecordKind::kSpan || r.span_kind != SpanKind::kProducer) continue;
    if (consumed.count({r.trace_id, r.span_id})) continue;
    report->breaks.push_back({r.time_ns, r.service,
                              fmt::format("{} published '{}' but no consumer has a record of it",
                                          r.service, r.name)});
  }
}

void FindEventBreaks(const std::vector<FlowRecord>& records,
                     const std::vector<flow::EventLink>& links,
                     const std::set<std::string>& correlations, FlowReport* report) {
  std::set<std::string> ids;
  for (const auto& l : links) ids.insert(l.event_id);
  for (const auto& l : links) {
    if (l.causation_id.empty() || ids.count(l.causation_id) || correlations.count(l.causation_id)) {
      continue;
    }
    const FlowRecord& r = records[l.record];
    report->breaks.push_back({r.time_ns, r.service,
                              fmt::format("{} ({}) was caused by event {}, which has no record",
                                          r.name, r.detail, l.causation_id)});
  }
}

void FindDelays(const std::vector<FlowRecord>& records, int64_t threshold, FlowReport* report) {
  int64_t covered = INT64_MIN;
  const FlowRecord* last = nullptr;
  for (const FlowRecord& r : records) {
    if (last != nullptr && r.time_ns - covered > threshold) {
      report->delays.push_back(
          {r.time_ns, r.service,
           fmt::format("{} of silence between {} '{}' and {} '{}'",
                       FormatDuration(r.time_ns - covered), last->service, last->name, r.service,
                       r.name)});
    }
    if (r.end_ns >= covered) {
      covered = r.end_ns;
      last = &r;
    }
  }
}

}  // namespace

const char* FlowRecordKindName(FlowRecordKind kind) {
  switch (kind) {
    case FlowRecordKind::kSpan:
      return "span";
    case FlowRecordKind::kLog:
      return "log";
    case FlowRecordKind::kEvent:
      return "event";
  }
  return "span";
}

Result<FlowReport> BuildFlow(Store& store, const std::string& id, const FlowOptions& options) {
  flow::FlowCollector collector(store, options);
  TraceId trace;
  bool is_trace = (id.size() == 32 || id.size() == 16) && ParseTraceIdHex(id, &trace);
  if (is_trace) collector.AddTrace(trace, "trace");
  collector.AddCorrelation(id);
  DDBG_RETURN_IF_ERROR(collector.Run());
  std::vector<FlowRecord>& records = collector.records();
  if (records.empty()) return Status::NotFound(fmt::format("nothing carries the id '{}'", id));

  // Chronological, keeping collection order between equal times (links stay resolvable).
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return records[a].time_ns < records[b].time_ns;
  });
  std::vector<size_t> position(records.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  std::vector<flow::EventLink> links = collector.event_links();
  for (auto& l : links) l.record = position[l.record];

  FlowReport report;
  report.id = id;
  for (size_t i : order) report.records.push_back(std::move(records[i]));
  std::set<std::string> services;
  report.start_ns = report.records.front().time_ns;
  report.end_ns = report.start_ns;
  for (size_t i = 0; i < report.records.size(); ++i) {
    const FlowRecord& r = report.records[i];
    report.end_ns = std::max(report.end_ns, r.end_ns);
    if (!r.service.empty() && services.insert(r.service).second) report.services.push_back(r.service);
    if (r.hop) report.hops.push_back(i);
    if (r.error) {
      report.errors.push_back({r.time_ns, r.service,
                               fmt::format("{} {} '{}'{}", r.service, FlowRecordKindName(r.kind),
                                           r.name, r.detail.empty() ? "" : ": " + r.detail)});
    }
  }
  Result<StoreStats> stats = store.Stats();
  std::set<std::string> known(services);
  if (stats.ok()) known.insert(stats->services.begin(), stats->services.end());
  FindSpanBreaks(report.records, known, &report);
  FindUnconsumedMessages(report.records, collector.linked_spans(), &report);
  FindEventBreaks(report.records, links, collector.correlations(), &report);
  std::stable_sort(report.breaks.begin(), report.breaks.end(),
                   [](const FlowFinding& a, const FlowFinding& b) { return a.time_ns < b.time_ns; });
  FindDelays(report.records, options.delay_threshold_ns, &report);
  for (TraceId t : collector.traces()) report.trace_ids.push_back(TraceIdToHex(t));
  report.correlation_ids.assign(collector.correlations().begin(), collector.correlations().end());
  return report;
}

}  // namespace ddbg
