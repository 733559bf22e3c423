// `ddbg errors`: originating vs propagated errors, cascades, retries, timeouts, groups.
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/errors.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {

void AddErrorsCommand(CLI::App& app, GlobalOptions& global) {
  struct Args {
    AnalysisArgs common;
    ErrorOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "errors",
      "For failing traces, the originating error vs propagated ones and the cascade across "
      "services; retry storms, timeout clusters, and error groups by type/message template, "
      "5-minute window, service and instance.");
  AddAnalysisOptions(cmd, &args->common, global);
  cmd->add_option("--traces", args->options.max_traces, "failing traces listed one by one")
      ->capture_default_str();
  cmd->callback([args, &global] {
    auto ctx = OpenAnalysis("errors", args->common, global);
    if (!ctx) return;
    Result<SpanTable> table = LoadSpanTable(*ctx->store, ctx->scope);
    if (!table.ok()) return FailCommand("errors", table.status());
    PrintTables(ErrorTables(AnalyzeErrors(*table, args->options)), args->common.format);
  });
}

}  // namespace ddbg::cli
