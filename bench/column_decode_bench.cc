// Decoding speed of the varint columns a structure scan reads, on the columns of one real
// span segment (DDBG_BENCH_SEGMENT, e.g. a spans-*.seg file of the 1M-trace store): the
// four id columns (resource, scope, service, name: mostly one-byte varints), start times
// (delta-varint) and end times (diff-varint against the starts: three to six bytes each).
//   DDBG_BENCH_SEGMENT=/tmp/an-bench/store1m-v3/spans-000000000054.seg \
//     build/column_decode_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "store/embedded/column_codec.h"
#include "store/embedded/file_io.h"
#include "store/embedded/segment_format.h"
#include "store/embedded/segment_reader.h"

namespace {

using namespace ddbg;
using namespace ddbg::store;

struct Columns {
  SpanBatch batch;
  std::string ids, starts, ends;
};

const Columns& Load() {
  static Columns c = [] {
    Columns out;
    const char* path = std::getenv("DDBG_BENCH_SEGMENT");
    if (path == nullptr) std::abort();
    SegmentEntry e;
    e.signal = Signal::kSpans;
    e.file_bytes = FileSize(path).value();
    std::string head;
    if (!ReadFileRange(path, 16, 8, &head).ok() || head.size() != 8) std::abort();
    e.rows = GetFixed64(head.data());
    if (!ReadSegment(path, e, &out.batch).ok()) std::abort();
    const SpanBatch& b = out.batch;
    for (const auto* v : {&b.resource, &b.scope, &b.service, &b.name}) {
      PutVarints32(v->data(), v->size(), &out.ids);
    }
    PutDeltas(b.start_ns, &out.starts);
    PutDiffs(b.end_ns, b.start_ns, &out.ends);
    return out;
  }();
  return c;
}

void BM_IdColumns(benchmark::State& state) {
  const Columns& c = Load();
  std::vector<uint32_t> out;
  for (auto _ : state) benchmark::DoNotOptimize(GetVarints32(c.ids, 4 * c.batch.size(), &out));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 4 * c.batch.size()));
}
BENCHMARK(BM_IdColumns)->Unit(benchmark::kMicrosecond);

void BM_StartTimes(benchmark::State& state) {
  const Columns& c = Load();
  std::vector<int64_t> out;
  for (auto _ : state) benchmark::DoNotOptimize(GetDeltas(c.starts, c.batch.size(), &out));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.batch.size()));
}
BENCHMARK(BM_StartTimes)->Unit(benchmark::kMicrosecond);

void BM_EndTimes(benchmark::State& state) {
  const Columns& c = Load();
  std::vector<int64_t> out;
  for (auto _ : state) benchmark::DoNotOptimize(GetDiffs(c.ends, c.batch.start_ns, &out));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.batch.size()));
}
BENCHMARK(BM_EndTimes)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
