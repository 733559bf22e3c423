// Ingest throughput on one OTLP JSON-lines file (normally 1M simulated spans, see
// bench/run.sh): a parse-only simdjson pass, decoding into batches, and end-to-end ingest
// into a fresh store (parse + encode + compress + persist). Each reports spans/s and MB/s;
// compare them within one run, since the machine is shared and only ratios are stable.
//
//   DDBG_BENCH_INPUT=/tmp/ddbg-bench/sim/traces.otlp.jsonl build/ingest_bench
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "ddbg/decode.h"
#include "ddbg/ingest.h"
#include "ddbg/store.h"

namespace {

const std::string& Input() {
  static const std::string path = [] {
    const char* p = std::getenv("DDBG_BENCH_INPUT");
    return std::string(p ? p : "/tmp/ddbg-bench/sim/traces.otlp.jsonl");
  }();
  return path;
}

const std::string& InputBytes() {
  static const std::string data = [] {
    auto r = ddbg::ReadFileDecompressed(Input());
    if (!r.ok()) {
      std::fprintf(stderr, "cannot read %s: %s\n", Input().c_str(), r.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(r).value();
  }();
  return data;
}

// Counts spans the way a parse-only pass would: simdjson DOM-parses every line (the full
// tape of every value) and walks resourceSpans/scopeSpans/spans.
uint64_t ParseOnly(const std::string& data) {
  simdjson::dom::parser parser;
  simdjson::padded_string line;
  uint64_t spans = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    if (nl > pos) {
      simdjson::dom::element doc;
      // parse() copies the line into the parser's padded buffer when needed.
      if (parser.parse(data.data() + pos, nl - pos).get(doc) == simdjson::SUCCESS) {
        simdjson::dom::array rs;
        if (doc["resourceSpans"].get(rs) == simdjson::SUCCESS) {
          for (auto r : rs) {
            simdjson::dom::array ss;
            if (r["scopeSpans"].get(ss) != simdjson::SUCCESS) continue;
            for (auto s : ss) {
              simdjson::dom::array sp;
              if (s["spans"].get(sp) == simdjson::SUCCESS) spans += sp.size();
            }
          }
        }
      }
    }
    pos = nl + 1;
  }
  return spans;
}

void SetCounters(benchmark::State& state, uint64_t spans) {
  state.counters["spans/s"] =
      benchmark::Counter(static_cast<double>(spans), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(InputBytes().size()) / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.counters["spans"] = static_cast<double>(spans);
}

void BM_ParseOnly(benchmark::State& state) {
  const std::string& data = InputBytes();
  uint64_t spans = 0;
  for (auto _ : state) benchmark::DoNotOptimize(spans = ParseOnly(data));
  SetCounters(state, spans);
}

void BM_DecodeToBatches(benchmark::State& state) {
  const std::string& data = InputBytes();
  uint64_t spans = 0;
  for (auto _ : state) {
    ddbg::DecodeContext ctx(Input(), [](ddbg::SpanBatch&, ddbg::LogBatch&, ddbg::EventBatch&) {
      return ddbg::Status::Ok();
    });
    ddbg::Status st = ddbg::DecodeOtlpJson(data, ctx);
    (void)ctx.Finish();
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    spans = ctx.stats.spans;
  }
  SetCounters(state, spans);
}

void BM_IngestEndToEnd(benchmark::State& state) {
  std::string dir = "/tmp/ddbg-bench/store-e2e";
  uint64_t spans = 0;
  uint64_t disk = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    auto store = ddbg::OpenEmbeddedStore(dir);
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    auto report = ddbg::Ingest({Input()}, **store);
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      return;
    }
    spans = report->spans;
    state.PauseTiming();
    auto stats = (*store)->Stats();
    disk = stats.ok() ? stats->bytes_on_disk : 0;
    state.ResumeTiming();
  }
  SetCounters(state, spans);
  state.counters["bytes/span"] = spans ? static_cast<double>(disk) / spans : 0;
  state.counters["disk/input"] = static_cast<double>(disk) / InputBytes().size();
}

BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);
BENCHMARK(BM_DecodeToBatches)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);
BENCHMARK(BM_IngestEndToEnd)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

}  // namespace

BENCHMARK_MAIN();
