// Loading a SpanTable: stored batches are read and turned into chunks on several threads
// (ScanSpansParallel), reading only the column groups the table needs, and merged in scan
// order (see span_table_builder.h).
#include "ddbg/span_table.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "analysis/span_table_builder.h"

namespace ddbg {

int64_t SpanTable::TraceStart(size_t t) const {
  int64_t s = INT64_MAX;
  for (uint32_t r = begin(t); r < end(t); ++r) s = std::min(s, start_ns[r]);
  return s;
}

int64_t SpanTable::TraceDuration(size_t t) const {
  int64_t s = INT64_MAX, e = INT64_MIN;
  for (uint32_t r = begin(t); r < end(t); ++r) {
    s = std::min(s, start_ns[r]);
    e = std::max(e, end_ns[r]);
  }
  return e > s ? e - s : 0;
}

uint32_t SpanTable::RootRow(size_t t) const {
  uint32_t best = begin(t);
  bool found = false;
  for (uint32_t r = begin(t); r < end(t); ++r) {
    if (parent[r] != kNoParent) continue;
    if (!found || start_ns[r] < start_ns[best]) best = r;
    found = true;
  }
  return best;
}

SpanColumns SpanTableOptions::Columns() const {
  SpanColumns c = SpanColumns::kLinks;  // FOLLOWS_FROM children and messaging links
  if (!group_attribute.empty()) c = c | SpanColumns::kAttributes;
  if (error_details) c = c | SpanColumns::kAttributes | SpanColumns::kEvents | SpanColumns::kDetails;
  return c;
}

namespace {

// Chunks arrive in any order from the scan's threads; each is merged as soon as every
// earlier one has been, so at most a few chunks wait at a time.
class OrderedMerge {
 public:
  explicit OrderedMerge(SpanTableMerger* merger) : merger_(merger) {}

  // An empty chunk, reused from an earlier batch when one is free (keeps its capacity).
  std::unique_ptr<SpanChunk> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<SpanChunk>();
    std::unique_ptr<SpanChunk> c = std::move(free_.back());
    free_.pop_back();
    return c;
  }

  void Add(size_t ordinal, std::unique_ptr<SpanChunk> chunk) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(ordinal, std::move(chunk));
    while (!pending_.empty() && pending_.begin()->first == next_) {
      std::unique_ptr<SpanChunk> c = std::move(pending_.begin()->second);
      pending_.erase(pending_.begin());
      merger_->Merge(*c);
      c->Clear();
      free_.push_back(std::move(c));
      ++next_;
    }
  }

 private:
  SpanTableMerger* merger_;
  std::mutex mu_;
  std::map<size_t, std::unique_ptr<SpanChunk>> pending_;
  std::vector<std::unique_ptr<SpanChunk>> free_;
  size_t next_ = 0;
};

// The row filter of a scan for the traces of `sets` and for `also`: a row is kept when its
// trace is in a subset or `also`'s own row filter keeps it (each consumer still filters
// its own rows). Null when `also` wants every row.
TraceRowFilter RowsOfTraces(const std::vector<const std::vector<TraceId>*>& sets,
                            const SpanScanConsumer* also) {
  if (also && !also->filter.span_rows) return nullptr;
  auto wanted = std::make_shared<TraceIndexMap>();
  bool added = false;
  for (const std::vector<TraceId>* set : sets) {
    for (const TraceId& id : *set) wanted->Insert(id, &added);
  }
  TraceRowFilter also_rows = also ? also->filter.span_rows : nullptr;
  return [wanted, also_rows](const TraceId* ids, size_t n, uint8_t* keep) {
    if (also_rows) also_rows(ids, n, keep);
    // Rows of a trace mostly come together: the set is asked once per run of a trace.
    TraceId last;
    uint8_t last_wanted = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i == 0 || !(ids[i] == last)) {
        last = ids[i];
        last_wanted = wanted->Find(last) >= 0 ? 1 : 0;
      }
      keep[i] |= last_wanted;
    }
  };
}

int ScanWorkers() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u)); }

Result<SpanTable> LoadSpanTableOf(Store& store, const AnalysisScope& scope,
                                  const std::vector<TraceId>* ids,
                                  const SpanTableOptions& options) {
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) return stats.status();
  SpanChunkBuilder builder(options, &scope, ids);
  SpanTableMerger merger(scope.services, ids ? 0 : stats->spans);
  OrderedMerge ordered(&merger);
  ScanFilter filter = scope.ToScanFilter();
  filter.span_columns = options.Columns();
  if (ids) {
    filter.trace_ids = *ids;
    filter.span_rows = RowsOfTraces({ids}, nullptr);
  }
  Status st = store.ScanSpansParallel(filter, ScanWorkers(), [&](const SpanBatch& b, size_t n) {
    std::unique_ptr<SpanChunk> chunk = ordered.Take();
    builder.Build(b, chunk.get());
    ordered.Add(n, std::move(chunk));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return merger.Finish();
}

}  // namespace

Result<SpanTable> LoadSpanTable(Store& store, const AnalysisScope& scope,
                                const SpanTableOptions& options) {
  auto where = ResolveWhere(store, scope);
  if (!where.ok()) return where.status();
  return LoadSpanTableOf(store, scope, where->has_value() ? &**where : nullptr, options);
}

Result<SpanTable> LoadSpanTableOfTraces(Store& store, const AnalysisScope& scope,
                                        const std::vector<TraceId>& trace_ids,
                                        const SpanTableOptions& options) {
  return LoadSpanTableOf(store, scope, &trace_ids, options);
}

Result<std::vector<SpanTable>> LoadSpanTablesOfTraces(Store& store, const AnalysisScope& scope,
                                                      const std::vector<TraceSubset>& sets,
                                                      const SpanScanConsumer* also) {
  std::vector<std::unique_ptr<SpanChunkBuilder>> builders;
  std::vector<std::unique_ptr<SpanTableMerger>> mergers;
  std::vector<std::unique_ptr<OrderedMerge>> ordered;
  ScanFilter filter = scope.ToScanFilter();
  filter.span_columns = SpanColumns::kStructure;
  for (const TraceSubset& set : sets) {
    builders.push_back(std::make_unique<SpanChunkBuilder>(set.options, &scope, &set.trace_ids));
    mergers.push_back(std::make_unique<SpanTableMerger>(scope.services, 0));
    ordered.push_back(std::make_unique<OrderedMerge>(mergers.back().get()));
    filter.span_columns = filter.span_columns | set.options.Columns();
    filter.trace_ids.insert(filter.trace_ids.end(), set.trace_ids.begin(), set.trace_ids.end());
  }
  if (also) {
    filter.trace_ids.clear();
    filter.time.min_ns = std::min(filter.time.min_ns, also->filter.time.min_ns);
    filter.time.max_ns = std::max(filter.time.max_ns, also->filter.time.max_ns);
    filter.span_columns = filter.span_columns | also->filter.span_columns;
  }
  std::vector<const std::vector<TraceId>*> subsets;
  for (const TraceSubset& set : sets) subsets.push_back(&set.trace_ids);
  filter.span_rows = RowsOfTraces(subsets, also);
  Status st = store.ScanSpansParallel(filter, ScanWorkers(), [&](const SpanBatch& b, size_t n) {
    if (also) also->add(b, n);
    for (size_t k = 0; k < sets.size(); ++k) {
      std::unique_ptr<SpanChunk> chunk = ordered[k]->Take();
      builders[k]->Build(b, chunk.get());
      ordered[k]->Add(n, std::move(chunk));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<SpanTable> tables;
  for (auto& m : mergers) tables.push_back(m->Finish());
  return tables;
}

SpanTable SpanTableFromBatches(const std::vector<const SpanBatch*>& batches,
                               const SpanTableOptions& options) {
  SpanChunkBuilder builder(options, nullptr, nullptr);
  SpanTableMerger merger({}, 0);
  SpanChunk chunk;
  for (const SpanBatch* b : batches) {
    chunk = SpanChunk();
    builder.Build(*b, &chunk);
    merger.Merge(chunk);
  }
  return merger.Finish();
}

}  // namespace ddbg
