// The default column projection and correlation lookups of the Store interface, for
// backends without indexes: each scanned batch is offered whole (callers filter rows).
#include "ddbg/store.h"

namespace ddbg {
namespace {

void Take(uint32_t columns, uint32_t bit, const std::vector<StrId>& from,
          std::vector<StrId>* to) {
  if ((columns & bit) != 0) *to = from;
}

void FillFromBatch(const EventBatch& b, uint32_t cols, EventColumns* out) {
  out->rows = b.size();
  out->dict.resize(b.dict.size());
  for (size_t i = 0; i < b.dict.size(); ++i) out->dict[i] = b.dict.Get(static_cast<StrId>(i));
  Take(cols, kEventColStream, b.stream, &out->stream);
  Take(cols, kEventColId, b.event_id, &out->event_id);
  Take(cols, kEventColType, b.event_type, &out->event_type);
  Take(cols, kEventColPayload, b.payload, &out->payload);
  Take(cols, kEventColMetadata, b.metadata, &out->metadata);
  Take(cols, kEventColCorrelation, b.correlation_id, &out->correlation_id);
  Take(cols, kEventColCausation, b.causation_id, &out->causation_id);
  Take(cols, kEventColService, b.service, &out->service);
  if ((cols & kEventColVersion) != 0) out->version = b.version;
  if ((cols & kEventColTime) != 0) out->time_ns = b.time_ns;
}

}  // namespace

Status Store::ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                               const EventColumnsFn& fn) {
  size_t ordinal = 0;
  return ScanEvents(filter, [&](const EventBatch& b) {
    EventColumns cols;
    cols.ordinal = ordinal++;
    FillFromBatch(b, scan.columns, &cols);
    return fn(cols);
  });
}

const std::vector<std::string>& IndexedCorrelationKeys() {
  static const std::vector<std::string> keys = {
      "correlation_id",   "correlation.id",          "x-correlation-id", "correlationId",
      "request_id",       "business.correlation_id", "workflow_id",      "business.workflow_id",
      "workflow.id",      "request.id",              "x-request-id"};
  return keys;
}

Status Store::FindCorrelated(const std::vector<std::string>& keys,
                             const std::vector<std::string>& values, std::vector<TraceId>* traces,
                             const BatchFn<SpanBatch>& span_fn, const BatchFn<LogBatch>& log_fn) {
  DDBG_RETURN_IF_ERROR(ScanSpans({}, span_fn));
  return ScanLogs({}, log_fn);
}

Status Store::FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                               const std::vector<std::string>& causation_ids,
                               const std::vector<TraceId>& traces,
                               const BatchFn<EventBatch>& fn) {
  return ScanEvents({}, fn);
}

}  // namespace ddbg
