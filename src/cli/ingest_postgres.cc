// The PostgreSQL branch of `ddbg ingest`.
#include "cli/ingest_postgres.h"

#include <fmt/format.h>

#include <chrono>

#include "cli/progress.h"
#include "ddbg/postgres_source.h"

namespace ddbg::cli {

std::unique_ptr<Store> OpenIngestStore(const GlobalOptions& global) {
  auto store = OpenEmbeddedStore(global.data_dir);
  if (!store.ok()) {
    fmt::print(stderr, "ddbg ingest: cannot open store {}: {}\n", global.data_dir,
               store.status().ToString());
    SetExitCode(1);
    return nullptr;
  }
  return std::move(store).value();
}

void RunPostgresIngest(const std::string& url, const std::string& table, const std::string& map,
                       bool quiet, const GlobalOptions& global) {
  PostgresIngestOptions options;
  options.table = table.empty() ? "events" : table;
  Status st = ParsePostgresMapping(map, &options.mapping);
  if (!st.ok()) {
    fmt::print(stderr, "ddbg ingest: --pg-map: {}\n", st.message());
    SetExitCode(1);
    return;
  }
  std::unique_ptr<Store> store = OpenIngestStore(global);
  if (!store) return;
  ProgressLine progress(!quiet);
  options.on_progress = [&](uint64_t rows) {
    progress.Update(fmt::format("{}: {} rows", options.table, rows));
  };
  auto t0 = std::chrono::steady_clock::now();
  Result<DecodeStats> stats = IngestPostgresEvents(url, options, *store);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.Clear();
  if (!stats.ok()) {
    fmt::print(stderr, "ddbg ingest: {}\n", stats.status().message());
    SetExitCode(1);
    return;
  }
  size_t shown = 0;
  for (const Rejection& r : stats->rejections) {
    if (shown++ == 10) break;
    fmt::print("    rejected {}\n", r.ToString());
  }
  fmt::print("ingested table {} into {}: {} events; {} rejected in {:.2f}s\n", options.table,
             global.data_dir, stats->events, stats->rejected, seconds);
  SetExitCode(stats->rejected == 0 ? 0 : (stats->events > 0 ? 2 : 1));
}

}  // namespace ddbg::cli
