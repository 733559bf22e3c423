// `ddbg bottlenecks`: operations by latency contribution, N+1 chains, fan-outs and gaps.
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/bottlenecks.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {

void AddBottlenecksCommand(CLI::App& app, GlobalOptions& global) {
  struct Args {
    AnalysisArgs common;
    BottleneckOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bottlenecks",
      "Operations ranked by their share of end-to-end (critical-path) latency, with "
      "sequential same-operation call chains (N+1), wide fan-outs and gaps, with examples.");
  AddAnalysisOptions(cmd, &args->common, global);
  cmd->add_option("--min-repeats", args->options.min_repeats,
                  "same-operation siblings needed for an N+1 chain")->capture_default_str();
  cmd->add_option("--min-fanout", args->options.min_fanout,
                  "concurrent children needed for a wide fan-out")->capture_default_str();
  cmd->callback([args, &global] {
    auto ctx = OpenAnalysis("bottlenecks", args->common, global);
    if (!ctx) return;
    SpanTableOptions table_options;
    table_options.error_details = false;
    Result<SpanTable> table = LoadSpanTable(*ctx->store, ctx->scope, table_options);
    if (!table.ok()) return FailCommand("bottlenecks", table.status());
    PrintTables(BottleneckTables(FindBottlenecks(*table, args->options)), args->common.format);
  });
}

}  // namespace ddbg::cli
