// EmbeddedStore::FindCorrelated and FindLinkedEvents: answered from each segment's
// correlation index (correlation_index.h). Only segments whose index names a row without a
// trace id are decoded; segments written before the index existed are offered whole.
#include <algorithm>

#include "store/embedded/correlation_index.h"
#include "store/embedded/embedded_store.h"
#include "store/embedded/segment_reader.h"

namespace ddbg::store {
namespace {

void PickRows(const SpanBatch& src, const std::vector<uint32_t>& rows, SpanBatch* dst) {
  *dst = SpanBatch();
  SpanRowCopier copier(src, dst);
  for (uint32_t r : rows) copier.Copy(r);
}
void PickRows(const LogBatch& src, const std::vector<uint32_t>& rows, LogBatch* dst) {
  *dst = LogBatch();
  LogRowCopier copier(src, dst);
  for (uint32_t r : rows) copier.Copy(r);
}
void PickRows(const EventBatch& src, const std::vector<uint32_t>& rows, EventBatch* dst) {
  *dst = EventBatch();
  for (uint32_t r : rows) dst->AppendRowFrom(src, r);
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

bool AllIndexed(const std::vector<std::string>& keys) {
  const std::vector<std::string>& indexed = IndexedCorrelationKeys();
  return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
    return std::find(indexed.begin(), indexed.end(), k) != indexed.end();
  });
}

}  // namespace

template <typename Batch>
Status EmbeddedStore::LookupTerms(Signal signal, const std::vector<uint64_t>& terms,
                                  std::vector<TraceId>* traces, const BatchFn<Batch>& fn) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  CorrelationSegmentIndex index;
  Batch segment, picked;
  std::vector<uint32_t> rows;
  for (const auto& h : snapshot->segments()) {
    if (h->entry.signal != signal) continue;
    DDBG_RETURN_IF_ERROR(ReadCorrelationTerms(h->path, h->entry.file_bytes, &index));
    if (!index.present) {
      DDBG_RETURN_IF_ERROR(ReadSegment(h->path, h->entry, &segment));
      DDBG_RETURN_IF_ERROR(fn(segment));
      continue;
    }
    if (std::none_of(terms.begin(), terms.end(), [&](uint64_t t) { return index.HasTerm(t); })) {
      continue;
    }
    DDBG_RETURN_IF_ERROR(ReadCorrelationTargets(h->path, &index));
    rows.clear();
    for (uint64_t t : terms) index.Lookup(t, traces, &rows);
    if (rows.empty()) continue;
    SortUnique(&rows);
    DDBG_RETURN_IF_ERROR(ReadSegment(h->path, h->entry, &segment));
    PickRows(segment, rows, &picked);
    DDBG_RETURN_IF_ERROR(fn(picked));
  }
  SortUnique(traces);
  return Status::Ok();
}

Status EmbeddedStore::FindCorrelated(const std::vector<std::string>& keys,
                                     const std::vector<std::string>& values,
                                     std::vector<TraceId>* traces,
                                     const BatchFn<SpanBatch>& span_fn,
                                     const BatchFn<LogBatch>& log_fn) {
  if (!AllIndexed(keys)) return Store::FindCorrelated(keys, values, traces, span_fn, log_fn);
  std::vector<uint64_t> terms;
  for (const std::string& k : keys) {
    for (const std::string& v : values) terms.push_back(AttrTermHash(k, v));
  }
  DDBG_RETURN_IF_ERROR(LookupTerms(Signal::kSpans, terms, traces, span_fn));
  return LookupTerms(Signal::kLogs, terms, traces, log_fn);
}

Status EmbeddedStore::FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                                       const std::vector<std::string>& causation_ids,
                                       const std::vector<TraceId>& traces,
                                       const BatchFn<EventBatch>& fn) {
  std::vector<uint64_t> terms;
  for (const std::string& c : correlation_ids) terms.push_back(EventTermHash('c', c));
  for (const std::string& c : causation_ids) terms.push_back(EventTermHash('k', c));
  for (TraceId t : traces) terms.push_back(TraceTermHash(t));
  std::vector<TraceId> unused;
  return LookupTerms(Signal::kEvents, terms, &unused, fn);
}

}  // namespace ddbg::store
