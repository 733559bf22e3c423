// FlowCollector: the rounds that gather a correlation flow's spans, logs and events.
#include "flow/flow_collector.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/metadata_trace.h"

namespace ddbg::flow {
namespace {

std::vector<StrId> FindAll(const StringDict& dict, const std::vector<std::string>& texts) {
  std::vector<StrId> ids;
  for (const std::string& t : texts) {
    int64_t id = dict.Find(t);
    if (id >= 0) ids.push_back(static_cast<StrId>(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool Has(const std::vector<StrId>& sorted, StrId id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

// The trace id an event's metadata names ("trace_id" or "traceId"), empty when none.
}  // namespace

void FlowCollector::AddTrace(TraceId id, const char* via) {
  if (id.empty() || !traces_.insert(id).second) return;
  pending_traces_.emplace_back(id, via);
  changed_ = true;
}

void FlowCollector::AddCorrelation(const std::string& id) {
  if (!id.empty() && correlations_.insert(id).second) changed_ = true;
}

Status FlowCollector::Run() {
  for (int round = 0; round < options_.max_rounds && changed_; ++round) {
    changed_ = false;
    DDBG_RETURN_IF_ERROR(FetchTraces());
    if (options_.scan_attributes) DDBG_RETURN_IF_ERROR(ScanAttributes());
    DDBG_RETURN_IF_ERROR(ScanEvents());
  }
  return FetchTraces();
}

void FlowCollector::LearnCorrelations(const StringDict& dict, const AttrColumns& attrs,
                                      uint32_t begin, uint32_t end) {
  for (uint32_t a = begin; a < end; ++a) {
    if (attrs.type[a] != AttrType::kString) continue;
    std::string_view key = dict.Get(attrs.key[a]);
    for (const std::string& k : options_.correlation_keys) {
      if (key == k) AddCorrelation(std::string(dict.Get(static_cast<StrId>(attrs.value[a]))));
    }
  }
}

void FlowCollector::AddSpans(const SpanBatch& b, const std::vector<size_t>& rows,
                             const char* via) {
  for (size_t i : rows) {
    if (!seen_spans_.insert({b.trace_id[i], b.span_id[i]}).second) continue;
    FlowRecord r;
    r.kind = FlowRecordKind::kSpan;
    r.time_ns = b.start_ns[i];
    r.end_ns = b.end_ns[i];
    r.service = b.dict.Get(b.service[i]);
    r.name = b.dict.Get(b.name[i]);
    r.trace_id = b.trace_id[i];
    r.span_id = b.span_id[i];
    r.parent_span_id = b.parent_span_id[i];
    r.span_kind = b.kind[i];
    r.error = b.status[i] == SpanStatus::kError;
    r.detail = b.dict.Get(b.status_message[i]);
    r.via = via;
    r.hop = r.span_kind == SpanKind::kServer || r.span_kind == SpanKind::kConsumer ||
            r.parent_span_id == 0;
    // A peer.service attribute is kept to find calls that have no record on the other side.
    bool in_resource = false;
    int64_t peer = b.FindAttr(i, "peer.service", &in_resource);
    if (peer >= 0 && !in_resource) r.peer = b.attrs.ValueText(b.dict, peer);
    records_.push_back(std::move(r));
    LearnCorrelations(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i));
    for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
      linked_spans_.insert({b.link_trace_id[l], b.link_span_id[l]});
      AddTrace(b.link_trace_id[l], "link");
    }
  }
}

void FlowCollector::AddLog(const LogBatch& b, size_t i, const char* via) {
  std::string key = fmt::format("{}|{}|{}", b.time_ns[i], b.service[i] ? b.dict.Get(b.service[i]) : "",
                                b.dict.Get(b.body[i]));
  if (!seen_logs_.insert(std::move(key)).second) return;
  FlowRecord r;
  r.kind = FlowRecordKind::kLog;
  r.time_ns = r.end_ns = b.time_ns[i];
  r.service = b.dict.Get(b.service[i]);
  r.name = b.dict.Get(b.body[i]);
  r.trace_id = b.trace_id[i];
  r.span_id = b.span_id[i];
  r.error = b.severity_number[i] >= 17;
  r.detail = SeverityShortName(b.severity_number[i]);
  r.via = via;
  records_.push_back(std::move(r));
}

Status FlowCollector::FetchTraces() {
  std::vector<std::pair<TraceId, const char*>> todo;
  todo.swap(pending_traces_);
  for (const auto& [id, via] : todo) {
    Result<SpanBatch> spans = store_.GetTrace(id);
    if (!spans.ok()) return spans.status();
    std::vector<size_t> rows(spans->size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    AddSpans(*spans, rows, via);
    Result<LogBatch> logs = store_.GetTraceLogs(id);
    if (!logs.ok()) return logs.status();
    for (size_t i = 0; i < logs->size(); ++i) AddLog(*logs, i, via);
  }
  return Status::Ok();
}

bool FlowCollector::MatchesCorrelation(const StringDict& dict, const AttrColumns& attrs,
                                       uint32_t begin, uint32_t end,
                                       const std::vector<StrId>& keys,
                                       const std::vector<StrId>& values) const {
  for (uint32_t a = begin; a < end; ++a) {
    if (attrs.type[a] == AttrType::kString && Has(values, static_cast<StrId>(attrs.value[a])) &&
        Has(keys, attrs.key[a])) {
      return true;
    }
  }
  return false;
}

Status FlowCollector::ScanAttributes() {
  // Ids looked up in an earlier round found all they carry then (the store is a snapshot).
  std::vector<std::string> ids;
  for (const std::string& c : correlations_) {
    if (looked_up_.insert(c).second) ids.push_back(c);
  }
  if (ids.empty()) return Status::Ok();
  // The store's correlation index gives the traces carrying an id (fetched next round)
  // and the batches holding the other carrying rows.
  std::vector<TraceId> traces;
  auto span_fn = [&](const SpanBatch& b) {
    std::vector<StrId> values = FindAll(b.dict, ids);
    std::vector<StrId> keys = FindAll(b.dict, options_.correlation_keys);
    if (values.empty() || keys.empty()) return Status::Ok();
    std::vector<size_t> rows;
    for (size_t i = 0; i < b.size(); ++i) {
      if (MatchesCorrelation(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i), keys,
                             values)) {
        rows.push_back(i);
        AddTrace(b.trace_id[i], "correlation");
      }
    }
    AddSpans(b, rows, "correlation");
    return Status::Ok();
  };
  auto log_fn = [&](const LogBatch& b) {
    std::vector<StrId> values = FindAll(b.dict, ids);
    std::vector<StrId> keys = FindAll(b.dict, options_.correlation_keys);
    if (values.empty() || keys.empty()) return Status::Ok();
    for (size_t i = 0; i < b.size(); ++i) {
      if (MatchesCorrelation(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i), keys,
                             values)) {
        AddLog(b, i, "correlation");
        AddTrace(b.trace_id[i], "correlation");
      }
    }
    return Status::Ok();
  };
  DDBG_RETURN_IF_ERROR(
      store_.FindCorrelated(options_.correlation_keys, ids, &traces, span_fn, log_fn));
  for (TraceId t : traces) AddTrace(t, "correlation");
  return Status::Ok();
}

Status FlowCollector::ScanEvents() {
  std::vector<std::string> corr(correlations_.begin(), correlations_.end());
  std::vector<std::string> causes(event_ids_.begin(), event_ids_.end());
  causes.insert(causes.end(), corr.begin(), corr.end());
  std::vector<TraceId> traces(traces_.begin(), traces_.end());
  return store_.FindLinkedEvents(corr, causes, traces, [&](const EventBatch& b) {
    std::vector<StrId> corr_ids = FindAll(b.dict, corr);
    std::vector<StrId> cause_ids = FindAll(b.dict, causes);
    for (size_t i = 0; i < b.size(); ++i) {
      const char* via = nullptr;
      if (Has(corr_ids, b.correlation_id[i])) {
        via = "correlation";
      } else if (Has(cause_ids, b.causation_id[i])) {
        via = "causation";
      } else if (!traces.empty()) {
        TraceId t = MetadataTrace(b.dict.Get(b.metadata[i]));
        if (!t.empty() && std::binary_search(traces.begin(), traces.end(), t)) via = "trace";
      }
      if (via == nullptr) continue;
      std::string stream(b.dict.Get(b.stream[i]));
      std::string event_id(b.dict.Get(b.event_id[i]));
      if (!seen_events_.insert(fmt::format("{}|{}|{}", stream, b.version[i], event_id)).second) {
        continue;
      }
      if (!event_id.empty() && event_ids_.insert(event_id).second) changed_ = true;
      AddCorrelation(std::string(b.dict.Get(b.correlation_id[i])));
      TraceId t = MetadataTrace(b.dict.Get(b.metadata[i]));
      AddTrace(t, "event");
      FlowRecord r;
      r.kind = FlowRecordKind::kEvent;
      r.time_ns = r.end_ns = b.time_ns[i];
      r.service = b.dict.Get(b.service[i]);
      r.name = b.dict.Get(b.event_type[i]);
      r.trace_id = t;
      r.detail = fmt::format("{} v{}", stream, b.version[i]);
      r.via = via;
      r.hop = true;
      // Keep the ids that link events, to find causation breaks.
      r.span_id = 0;
      records_.push_back(std::move(r));
      event_links_.push_back({records_.size() - 1, event_id,
                              std::string(b.dict.Get(b.causation_id[i]))});
    }
    return Status::Ok();
  });
}

}  // namespace ddbg::flow
