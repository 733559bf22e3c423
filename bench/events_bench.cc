// Event-sourcing and flow benchmarks (issue 7):
//   StateAt      state of a 1M-event stream at a random time, from a StateHistory with a
//                snapshot every 1000 events (target < 50 ms);
//   StateFold    the same without snapshots, folding every event up to T (for comparison);
//   StateAtPersisted  StateAtPersisted (the CLI's `state at`: persisted snapshot, then only
//                the events between it and T read from the store) on that stream kept in
//                a store (event segments of the default 64K rows);
//   Integrity    CheckIntegrity over a store of DDBG_BENCH_EVENTS events (default 2M) in
//                streams of 10 (target: 10M in < 2 s);
//   FlowTrace / FlowCorrelation   BuildFlow for one trace id (trace index, no attribute scan)
//                and one correlation id (full span and log scan) in a store of
//                DDBG_BENCH_SPANS spans and as many logs (default 1M each; target 10M+10M
//                in < 100 ms).
//   DebugEventPass   the debug report's event work (issue 8) on the store DDBG_BENCH_STORE
//                (skipped when unset): one shared scan feeding IntegrityScan and
//                ConsistencyScan (20,000 entities), then both Finish; counters give the CPU
//                seconds of the scan and of the two merges (the process's, all threads).
// Data is generated in-process into stores under DDBG_BENCH_DIR (default /tmp/ddbg-bench-ev).
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "ddbg/events.h"
#include "ddbg/flow.h"
#include "ddbg/store.h"

namespace {

using namespace ddbg;

uint64_t EnvCount(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string BenchDir(const std::string& name) {
  const char* d = std::getenv("DDBG_BENCH_DIR");
  return std::string(d != nullptr ? d : "/tmp/ddbg-bench-ev") + "/" + name;
}

constexpr int64_t kT0 = 1736935200LL * 1000000000LL;

std::vector<StreamEvent> BigStream(size_t n) {
  std::vector<StreamEvent> events(n);
  for (size_t i = 0; i < n; ++i) {
    StreamEvent& e = events[i];
    e.stream = "account-1";
    e.version = i + 1;
    e.time_ns = kT0 + static_cast<int64_t>(i) * 1000000;
    e.type = "Changed";
    e.payload = "{\"status\":\"s" + std::to_string(i % 5) + "\",\"total\":" + std::to_string(i) +
                ",\"k" + std::to_string(i % 50) + "\":" + std::to_string(i) + "}";
  }
  return events;
}

struct StateFixture {
  std::unique_ptr<Reducer> reducer = NewMergePatchReducer();
  std::vector<StreamEvent> events = BigStream(1000000);
  StateHistory history = StateHistory::Build(events, reducer.get(), 1000).value();
};
StateFixture& State() {
  static StateFixture f;
  return f;
}

void BM_StateAt(benchmark::State& state) {
  StateFixture& f = State();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    int64_t t = kT0 + static_cast<int64_t>(rng() % 1000000) * 1000000;
    benchmark::DoNotOptimize(f.history.StateAt(t));
  }
  state.counters["events"] = static_cast<double>(f.events.size());
}
BENCHMARK(BM_StateAt)->Unit(benchmark::kMillisecond);

void BM_StateFold(benchmark::State& state) {
  StateFixture& f = State();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    int64_t t = kT0 + static_cast<int64_t>(rng() % 1000000) * 1000000;
    benchmark::DoNotOptimize(FoldUntil(f.events, t, *f.reducer));
  }
}
BENCHMARK(BM_StateFold)->Unit(benchmark::kMillisecond)->Iterations(3);

std::unique_ptr<Store> OpenFilled(const std::string& dir, const std::function<void(Store&)>& fill) {
  bool exists = std::filesystem::exists(dir + "/MANIFEST");
  auto store = std::move(OpenEmbeddedStore(dir).value());
  if (!exists) fill(*store);
  return store;
}

Store& IntegrityStore() {
  static std::unique_ptr<Store> store = OpenFilled(BenchDir("integrity"), [](Store& s) {
    uint64_t n = EnvCount("DDBG_BENCH_EVENTS", 2000000);
    EventBatch b;
    for (uint64_t i = 0; i < n; ++i) {
      EventRow r;
      r.stream = b.dict.Intern("order-" + std::to_string(i / 10));
      r.version = i % 10 + 1 + (i == n / 2 ? 1 : 0);  // one gap
      r.event_id = b.dict.Intern("evt-" + std::to_string(i));
      r.event_type = b.dict.Intern("Changed");
      r.time_ns = kT0 + static_cast<int64_t>(i) * 1000;
      r.payload = b.dict.Intern("{\"n\":" + std::to_string(i) + ",\"status\":\"open\"}");
      b.CommitEvent(r);
      if (b.size() == 500000) {
        (void)s.AppendEvents(b);
        b.Clear();
      }
    }
    (void)s.AppendEvents(b);
  });
  return *store;
}

void BM_Integrity(benchmark::State& state) {
  Store& store = IntegrityStore();
  uint64_t events = 0;
  for (auto _ : state) {
    IntegrityOptions o;
    o.now_ns = kT0;
    auto r = CheckIntegrity(store, o);
    events = r->events;
    if (r->count(IntegrityIssueKind::kVersionGap) != 1) state.SkipWithError("expected one gap");
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Integrity)->Unit(benchmark::kMillisecond)->Iterations(3);

// The path of `ddbg state at` with persisted snapshots: StateAtPersisted on a 1M-event
// stream in the store at a random time (the snapshots are written by a first, untimed call
// at the end of the stream, as the first `state at` does).
Store& StreamStore() {
  static std::unique_ptr<Store> store = OpenFilled(BenchDir("stream-seg64k"), [](Store& s) {
    std::vector<StreamEvent> events = BigStream(1000000);
    EventBatch b;
    for (const StreamEvent& e : events) {
      EventRow r;
      r.stream = b.dict.Intern(e.stream);
      r.version = e.version;
      r.event_type = b.dict.Intern(e.type);
      r.time_ns = e.time_ns;
      r.payload = b.dict.Intern(e.payload);
      b.CommitEvent(r);
    }
    (void)s.AppendEvents(b);
  });
  return *store;
}

void BM_StateAtPersisted(benchmark::State& state) {
  Store& store = StreamStore();
  auto reducer = NewMergePatchReducer();
  SnapshotOptions o;
  SnapshotUse use;
  (void)StateAtPersisted(store, "account-1", INT64_MAX, *reducer, o, &use);
  std::mt19937_64 rng(1);
  size_t folded = 0, segments = 0;
  for (auto _ : state) {
    int64_t t = kT0 + static_cast<int64_t>(rng() % 1000000) * 1000000;
    auto r = StateAtPersisted(store, "account-1", t, *reducer, o, &use);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    folded = std::max(folded, use.folded);
    segments = std::max(segments, use.segments_read);
  }
  state.counters["max_folded"] = static_cast<double>(folded);
  state.counters["max_segments_read"] = static_cast<double>(segments);
  state.counters["events"] = static_cast<double>(use.events);
}
BENCHMARK(BM_StateAtPersisted)->Unit(benchmark::kMillisecond)->Iterations(50);

// Traces of 10 spans (one SERVER entry per service) with a correlation id each, and one log
// per span.
Store& FlowStore() {
  static std::unique_ptr<Store> store = OpenFilled(BenchDir("flow"), [](Store& s) {
    uint64_t n = EnvCount("DDBG_BENCH_SPANS", 1000000);
    SpanBatch spans;
    LogBatch logs;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t trace = i / 10;
      if (spans.empty()) {
        for (int k = 0; k < 10; ++k) {
          spans.CommitResource(spans.dict.Intern("svc-" + std::to_string(k)));
          logs.CommitResource(logs.dict.Intern("svc-" + std::to_string(k)));
        }
      }
      std::string corr = "corr-" + std::to_string(trace);
      spans.attrs.AddString(spans.dict.Intern("correlation_id"), spans.dict.Intern(corr));
      SpanRow r;
      r.trace_id = {1, trace + 1};
      r.span_id = i + 1;
      r.parent_span_id = i % 10 == 0 ? 0 : i;
      r.resource = static_cast<uint32_t>(i % 10);
      r.name = spans.dict.Intern("op");
      r.kind = SpanKind::kServer;
      r.start_ns = kT0 + static_cast<int64_t>(i) * 1000;
      r.end_ns = r.start_ns + 900;
      spans.CommitSpan(r);
      logs.attrs.AddString(logs.dict.Intern("correlation_id"), logs.dict.Intern(corr));
      LogRow l;
      l.time_ns = r.start_ns + 10;
      l.resource = r.resource;
      l.body = logs.dict.Intern("handled request " + std::to_string(i));
      l.trace_id = r.trace_id;
      l.span_id = r.span_id;
      l.severity_number = 9;
      logs.CommitLog(l);
      if (spans.size() == 250000) {
        (void)s.AppendSpans(spans);
        (void)s.AppendLogs(logs);
        spans.Clear();
        logs.Clear();
      }
    }
    (void)s.AppendSpans(spans);
    (void)s.AppendLogs(logs);
  });
  return *store;
}

void RunFlow(benchmark::State& state, const std::string& id, bool scan) {
  Store& store = FlowStore();
  FlowOptions o;
  o.scan_attributes = scan;
  size_t records = 0;
  for (auto _ : state) {
    auto r = BuildFlow(store, id, o);
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    records = r.ok() ? r->records.size() : 0;
  }
  state.counters["records"] = static_cast<double>(records);
}

void BM_FlowTrace(benchmark::State& state) {
  uint64_t traces = EnvCount("DDBG_BENCH_SPANS", 1000000) / 10;
  RunFlow(state, TraceIdToHex({1, traces / 2 + 1}), false);
}
BENCHMARK(BM_FlowTrace)->Unit(benchmark::kMillisecond);

void BM_FlowCorrelation(benchmark::State& state) {
  uint64_t traces = EnvCount("DDBG_BENCH_SPANS", 1000000) / 10;
  RunFlow(state, "corr-" + std::to_string(traces / 2), true);
}
BENCHMARK(BM_FlowCorrelation)->Unit(benchmark::kMillisecond)->Iterations(3);

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void BM_DebugEventPass(benchmark::State& state) {
  const char* dir = std::getenv("DDBG_BENCH_STORE");
  if (dir == nullptr) {
    state.SkipWithError("set DDBG_BENCH_STORE to a store directory");
    return;
  }
  auto store = OpenEmbeddedStore(dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  Result<TimeRange> range = (*store)->DataTimeRange();
  int64_t now = range.ok() ? range->max_ns : 0;
  double cpu[3] = {}, wall[3] = {};
  uint64_t issues = 0, inconsistent = 0;
  for (auto _ : state) {
    IntegrityScan integrity(IntegrityOptions{.now_ns = now});
    ConsistencyScan consistency(ConsistencyRules{}, 20000);
    double c0 = ProcessCpuSeconds(), w0 = WallSeconds();
    Status st = ScanEventsShared(**store, {}, 2, {&integrity, &consistency});
    double c1 = ProcessCpuSeconds(), w1 = WallSeconds();
    auto report = integrity.Finish(**store);
    double c2 = ProcessCpuSeconds(), w2 = WallSeconds();
    auto reducer = NewMergePatchReducer();
    ConsistencySample sample;
    auto found = consistency.Finish(**store, *reducer, &sample);
    double c3 = ProcessCpuSeconds(), w3 = WallSeconds();
    if (!st.ok() || !report.ok() || !found.ok()) {
      state.SkipWithError("event pass failed");
      return;
    }
    issues = report->total();
    inconsistent = found->size();
    cpu[0] += c1 - c0, cpu[1] += c2 - c1, cpu[2] += c3 - c2;
    wall[0] += w1 - w0, wall[1] += w2 - w1, wall[2] += w3 - w2;
  }
  double n = static_cast<double>(state.iterations());
  state.counters["scan_cpu_s"] = cpu[0] / n;
  state.counters["integrity_cpu_s"] = cpu[1] / n;
  state.counters["consistency_cpu_s"] = cpu[2] / n;
  state.counters["scan_wall_s"] = wall[0] / n;
  state.counters["integrity_wall_s"] = wall[1] / n;
  state.counters["consistency_wall_s"] = wall[2] / n;
  state.counters["issues"] = static_cast<double>(issues);
  state.counters["inconsistent"] = static_cast<double>(inconsistent);
}
BENCHMARK(BM_DebugEventPass)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
