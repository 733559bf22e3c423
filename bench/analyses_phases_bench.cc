// Where the time of a trace analysis goes, on an existing store (DDBG_BENCH_STORE, e.g. the
// store bench/analyses_bench.sh builds): the bare span scan (read, decompress, decode and
// check every segment), the SpanTable load (scan + table build), and each analysis on an
// already loaded table. Each runs once (a 1M-trace store takes seconds per pass).
//   DDBG_BENCH_STORE=/tmp/ddbg-analyses-bench/store build/analyses_phases_bench
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <memory>

#include "ddbg/critical_path.h"
#include "ddbg/perf.h"
#include "ddbg/regress.h"
#include "ddbg/span_table.h"
#include "ddbg/store.h"
#include "ddbg/timing.h"
#include "ddbg/topology.h"

namespace {

using namespace ddbg;

Store& BenchStore() {
  static std::unique_ptr<Store> store = [] {
    const char* dir = std::getenv("DDBG_BENCH_STORE");
    EmbeddedStoreOptions options;
    options.create_if_missing = false;
    options.read_only = true;
    auto s = OpenEmbeddedStore(dir != nullptr ? dir : "/tmp/ddbg-analyses-bench/store", options);
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return *store;
}

SpanTableOptions Lean() {
  SpanTableOptions options;
  options.error_details = false;
  return options;
}

const SpanTable& Table() {
  static SpanTable table = *LoadSpanTable(BenchStore(), AnalysisScope{}, Lean());
  return table;
}

void BM_ScanSpans(benchmark::State& state, SpanColumns columns) {
  for (auto _ : state) {
    uint64_t rows = 0;
    ScanFilter filter;
    filter.span_columns = columns;
    Status st = BenchStore().ScanSpans(filter, [&](const SpanBatch& b) {
      rows += b.size();
      return Status::Ok();
    });
    if (!st.ok()) state.SkipWithError(st.message().c_str());
    state.counters["spans"] = static_cast<double>(rows);
  }
}
BENCHMARK_CAPTURE(BM_ScanSpans, all_columns, SpanColumns::kAll)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ScanSpans, structure_only, SpanColumns::kStructure)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The floor of the streaming analyses: the same scan on 2 threads, doing nothing per batch.
void BM_ScanSpansParallel(benchmark::State& state, SpanColumns columns) {
  for (auto _ : state) {
    std::atomic<uint64_t> rows{0};
    ScanFilter filter;
    filter.span_columns = columns;
    Status st = BenchStore().ScanSpansParallel(filter, 2, [&](const SpanBatch& b, size_t) {
      rows += b.size();
      return Status::Ok();
    });
    if (!st.ok()) state.SkipWithError(st.message().c_str());
    state.counters["spans"] = static_cast<double>(rows.load());
  }
}
BENCHMARK_CAPTURE(BM_ScanSpansParallel, structure_only, SpanColumns::kStructure)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ScanSpansParallel, structure_and_links, SpanColumns::kLinks)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
// The debug report's two span scans: the digest's columns, and every column.
BENCHMARK_CAPTURE(BM_ScanSpansParallel, details_and_links, SpanColumns::kDetails | SpanColumns::kLinks)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ScanSpansParallel, all_columns, SpanColumns::kAll)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
// What the attributes cost in the second scan.
BENCHMARK_CAPTURE(BM_ScanSpansParallel, all_but_attributes,
                  SpanColumns::kDetails | SpanColumns::kLinks | SpanColumns::kEvents)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same with a row filter (ScanFilter::span_rows) keeping the traces of one in
// `one_in` trace-id hashes: the debug report's second scan keeps about 1 row in 11.
void BM_ScanSpansParallelRows(benchmark::State& state, SpanColumns columns, uint64_t one_in) {
  for (auto _ : state) {
    std::atomic<uint64_t> rows{0};
    ScanFilter filter;
    filter.span_columns = columns;
    filter.span_rows = [one_in](const TraceId* ids, size_t n, uint8_t* keep) {
      for (size_t i = 0; i < n; ++i) {
        keep[i] = ((ids[i].lo ^ ids[i].hi) * 0x9e3779b97f4a7c15ull >> 32) % one_in == 0;
      }
    };
    Status st = BenchStore().ScanSpansParallel(filter, 2, [&](const SpanBatch& b, size_t) {
      rows += b.size();
      return Status::Ok();
    });
    if (!st.ok()) state.SkipWithError(st.message().c_str());
    state.counters["spans"] = static_cast<double>(rows.load());
  }
}
BENCHMARK_CAPTURE(BM_ScanSpansParallelRows, all_columns_1_in_10, SpanColumns::kAll, 10)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ScanSpansParallelRows, all_columns_every_row, SpanColumns::kAll, 1)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadSpanTable(benchmark::State& state, bool error_details) {
  SpanTableOptions options;
  options.error_details = error_details;
  for (auto _ : state) {
    auto t = LoadSpanTable(BenchStore(), AnalysisScope{}, options);
    state.counters["spans"] = static_cast<double>(t->spans());
  }
}
BENCHMARK_CAPTURE(BM_LoadSpanTable, lean, false)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_LoadSpanTable, with_error_details, true)
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Topology(benchmark::State& state) {
  const SpanTable& t = Table();
  for (auto _ : state) benchmark::DoNotOptimize(ComputeTopology(t));
}
BENCHMARK(BM_Topology)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CriticalPathAggregate(benchmark::State& state) {
  const SpanTable& t = Table();
  for (auto _ : state) benchmark::DoNotOptimize(AggregateCriticalPaths(t));
}
BENCHMARK(BM_CriticalPathAggregate)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Perf(benchmark::State& state) {
  const SpanTable& t = Table();
  for (auto _ : state) benchmark::DoNotOptimize(ComputePerf(t));
}
BENCHMARK(BM_Perf)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Regress(benchmark::State& state) {
  const SpanTable& t = Table();
  int64_t mid = t.spans() ? t.start_ns[0] : 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int64_t s : t.start_ns) lo = std::min(lo, s), hi = std::max(hi, s);
  mid = lo + (hi - lo) / 2;
  RegressSide base, target;
  base.window = {lo, mid - 1};
  target.window = {mid, hi};
  for (auto _ : state) benchmark::DoNotOptimize(CompareSides(t, base, target));
}
BENCHMARK(BM_Regress)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The two ~500k-trace halves of the store's time range.
std::pair<RegressSide, RegressSide> Halves() {
  Result<StoreStats> stats = BenchStore().Stats();
  int64_t lo = stats->min_time_ns, hi = stats->max_time_ns, mid = lo + (hi - lo) / 2;
  RegressSide base, target;
  base.window = {lo, mid - 1};
  target.window = {mid, hi};
  return {base, target};
}

// The streaming analyses end to end from the store (scan included, no SpanTable).
void BM_StreamingTopology(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ComputeTopologyStreaming(BenchStore(), {}));
}
BENCHMARK(BM_StreamingTopology)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamingCriticalPath(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(AggregateCriticalPathsStreaming(BenchStore(), {}));
}
BENCHMARK(BM_StreamingCriticalPath)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamingPerf(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ComputePerfStreaming(BenchStore(), {}));
}
BENCHMARK(BM_StreamingPerf)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamingRegress(benchmark::State& state) {
  auto [base, target] = Halves();
  for (auto _ : state) benchmark::DoNotOptimize(CompareSidesStreaming(BenchStore(), {}, base, target));
}
BENCHMARK(BM_StreamingRegress)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
