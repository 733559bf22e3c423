// Each rca signal's own time on an already loaded, labelled TraceSet (what RunRca adds per
// signal after the scan). The store is DDBG_BENCH_STORE; the window is its last quarter of
// data and the baseline the 12 window-lengths before (clipped to the data), each side
// capped at 20,000 traces as RunRca does.
//   DDBG_BENCH_STORE=/tmp/an-bench/store1m-v2 build/rca_signals_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "analysis/rca/anomaly_labels.h"
#include "analysis/rca/signal.h"
#include "analysis/rca/trace_set.h"
#include "ddbg/store.h"

namespace {

using namespace ddbg;

const rca::TraceSet& Set() {
  static rca::TraceSet set = [] {
    const char* dir = std::getenv("DDBG_BENCH_STORE");
    EmbeddedStoreOptions options;
    options.create_if_missing = false;
    options.read_only = true;
    auto store = OpenEmbeddedStore(dir != nullptr ? dir : "/tmp/an-bench/store1m-v2", options);
    if (!store.ok()) std::abort();
    auto stats = (*store)->Stats();
    if (!stats.ok()) std::abort();
    int64_t len = std::max<int64_t>(1, (stats->max_time_ns - stats->min_time_ns) / 4);
    TimeRange window{stats->max_time_ns - len, stats->max_time_ns};
    TimeRange baseline{std::max(stats->min_time_ns, window.min_ns - 12 * len), window.min_ns - 1};
    auto loaded = rca::LoadTraceSet(**store, window, baseline, RcaOptions{}.max_traces_per_side);
    if (!loaded.ok()) std::abort();
    rca::LabelAnomalies(RcaOptions{}, &*loaded);
    return std::move(*loaded);
  }();
  return set;
}

void BM_Signal(benchmark::State& state, size_t index) {
  const rca::Signal& signal = rca::AllSignals()[index];
  size_t findings = 0;
  Set();  // loaded once, outside the timing
  for (auto _ : state) findings = signal.run(Set()).size();
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["spans"] = static_cast<double>(Set().spans.size());
}

int RegisterAll() {
  for (size_t i = 0; i < rca::AllSignals().size(); ++i) {
    benchmark::RegisterBenchmark(rca::AllSignals()[i].name, BM_Signal, i)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  return 0;
}
const int kRegistered = RegisterAll();

}  // namespace

BENCHMARK_MAIN();
