// `ddbg perf [--by service|operation|instance|ATTRIBUTE]`: the performance table.
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/perf.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {

void AddPerfCommand(CLI::App& app, GlobalOptions& global) {
  struct Args {
    AnalysisArgs common;
    std::string by = "operation";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "perf",
      "Per-operation per-instance performance: executions, mean/p50/p95/p99, error rate, "
      "throughput; instances that stand out from their peers; recommendations.");
  AddAnalysisOptions(cmd, &args->common, global);
  cmd->add_option("--by", args->by,
                  "operation (per operation and instance), service, instance, or an attribute "
                  "key such as service.version")->capture_default_str();
  cmd->callback([args, &global] {
    auto ctx = OpenAnalysis("perf", args->common, global);
    if (!ctx) return;
    PerfOptions options;
    if (args->by == "service") options.by = PerfGroupBy::kService;
    else if (args->by == "instance") options.by = PerfGroupBy::kInstance;
    else if (args->by != "operation") {
      options.by = PerfGroupBy::kAttribute;
      options.attribute = args->by;
    }
    Result<PerfReport> report = ComputePerf(*ctx->store, ctx->scope, options);
    if (!report.ok()) return FailCommand("perf", report.status());
    PrintTables(PerfTables(*report), args->common.format);
  });
}

}  // namespace ddbg::cli
