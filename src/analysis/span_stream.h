// Streaming span analyses: aggregates computed batch by batch while the store is scanned on
// several threads, without a grouped SpanTable. SharedStrings gives strings of every batch
// one id space (BatchStrings memoizes a batch's ids into it); ScanIntoAccumulators hands
// each scanning thread its own accumulator and returns them all for a final merge.
// Thread-safety: SharedStrings is safe to use from several threads; BatchStrings and an
// accumulator belong to one thread at a time.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ddbg/analysis_scope.h"
#include "ddbg/model.h"
#include "ddbg/store.h"
#include "ddbg/string_dict.h"

namespace ddbg {

// Threads of a streaming scan (and of the per-partition work that follows it).
inline int StreamWorkers() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

// Calls fn(i, worker) for every i in [0, n) on up to StreamWorkers() threads (worker in
// [0, StreamWorkers()) names the thread, for per-thread state), items taken one at a time
// so items of very different cost balance out.
template <typename Fn>
void ParallelFor(size_t n, Fn fn) {
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i, worker);
  };
  int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(StreamWorkers()), n));
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(run, w);
  run(0);
  for (std::thread& th : threads) th.join();
}

// Strings -> dense ids shared by every batch; id 0 is "" (kEmptyStr).
class SharedStrings {
 public:
  StrId Intern(std::string_view s) {
    std::lock_guard<std::mutex> lock(mu_);
    return dict_.Intern(s);
  }
  // Only once no thread interns any more.
  std::string_view Get(StrId id) const { return dict_.Get(id); }
  size_t size() const { return dict_.size(); }

 private:
  std::mutex mu_;
  StringDict dict_;
};

// One batch's StrId -> SharedStrings id, looked up once per distinct string.
class BatchStrings {
 public:
  BatchStrings(const SpanBatch& b, SharedStrings* shared)
      : b_(b), shared_(shared), map_(b.dict.size(), kUnmapped) {}
  StrId operator()(StrId id) {
    StrId& m = map_[id];
    if (m == kUnmapped) m = shared_->Intern(b_.dict.Get(id));
    return m;
  }

 private:
  static constexpr StrId kUnmapped = 0xffffffffu;
  const SpanBatch& b_;
  SharedStrings* shared_;
  std::vector<StrId> map_;
};

// Whether the scope selects whole traces (--services, --where): streaming analyses see
// spans batch by batch, so they leave such scopes to a SpanTable.
inline bool NeedsWholeTraces(const AnalysisScope& scope) {
  return !scope.where.empty() || !scope.services.empty();
}

inline ScanFilter StreamFilter(const AnalysisScope& scope, SpanColumns columns) {
  ScanFilter filter = scope.ToScanFilter();
  filter.span_columns = columns;
  return filter;
}

// Batch (service, operation, instance) ids -> accumulator index, direct-mapped: spans of a
// batch share few such triples, so most rows skip the shared strings and the key index.
class BatchKeyCache {
 public:
  template <typename IndexFn>
  uint32_t Get(StrId service, StrId name, StrId instance, IndexFn index_of) {
    uint32_t h = (service * 0x9E3779B1u) ^ (name * 0x85EBCA77u) ^ (instance * 0xC2B2AE3Du);
    Slot& s = slots_[(h ^ (h >> 15)) & (kSlots - 1)];
    if (s.service != service || s.name != name || s.instance != instance) {
      s = {service, name, instance, index_of()};
    }
    return s.index;
  }

 private:
  static constexpr size_t kSlots = 1024;
  struct Slot {
    StrId service = 0xffffffffu, name = 0, instance = 0;
    uint32_t index = 0;
  };
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
};

// Scans the scope's spans (those column groups) on StreamWorkers() threads, calling
// collector->Collect(batch, ordinal) for every batch (from several threads at once).
template <typename Collector>
Status ScanIntoCollector(Store& store, const AnalysisScope& scope, SpanColumns columns,
                         Collector* collector) {
  return store.ScanSpansParallel(StreamFilter(scope, columns), StreamWorkers(),
                                 [collector](const SpanBatch& b, size_t n) {
                                   collector->Collect(b, n);
                                   return Status::Ok();
                                 });
}

// Scans the scope's spans (those column groups) on StreamWorkers() threads, calling
// add(batch, &acc) with an accumulator no other thread holds at that moment. Returns every
// accumulator used.
template <typename Acc, typename AddFn>
Result<std::vector<std::unique_ptr<Acc>>> ScanIntoAccumulators(Store& store,
                                                                const AnalysisScope& scope,
                                                                SpanColumns columns, AddFn add) {
  const ScanFilter filter = StreamFilter(scope, columns);
  std::mutex mu;
  std::vector<std::unique_ptr<Acc>> all;
  std::vector<Acc*> free;
  Status st = store.ScanSpansParallel(filter, StreamWorkers(), [&](const SpanBatch& b, size_t) {
    Acc* acc = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (free.empty()) {
        all.push_back(std::make_unique<Acc>());
        acc = all.back().get();
      } else {
        acc = free.back();
        free.pop_back();
      }
    }
    add(b, acc);
    std::lock_guard<std::mutex> lock(mu);
    free.push_back(acc);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return all;
}

// Service instance of each resource of `b` (service.instance.id, else host.name, else
// k8s.pod.name), as batch string ids; kEmptyStr when the resource has none.
std::vector<StrId> ResourceInstances(const SpanBatch& b);

}  // namespace ddbg
