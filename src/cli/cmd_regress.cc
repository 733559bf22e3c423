// `ddbg regress --baseline X --target Y`: per-operation regressions between two windows
// (START..END) or two service.version values.
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/regress.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {

void AddRegressCommand(CLI::App& app, GlobalOptions& global) {
  struct Args {
    AnalysisArgs common;
    std::string baseline, target;
    RegressOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "regress",
      "Compare two windows (START..END, e.g. a deploy time as the split) or two "
      "service.version values per operation: latency +30%, error rate +5 points, throughput "
      "-20%, each confirmed by a significance test.");
  AddAnalysisOptions(cmd, &args->common, global);
  cmd->add_option("--baseline", args->baseline, "START..END (RFC 3339, epoch or duration) or a version")
      ->required();
  cmd->add_option("--target", args->target, "START..END or a version")->required();
  cmd->add_option("--alpha", args->options.alpha, "significance level")->capture_default_str();
  cmd->callback([args, &global] {
    auto ctx = OpenAnalysis("regress", args->common, global);
    if (!ctx) return;
    auto base = ParseRegressSide(args->baseline, ctx->data_end_ns);
    if (!base.ok()) return FailCommand("regress", Status::InvalidArgument("--baseline: " + base.status().message()));
    auto target = ParseRegressSide(args->target, ctx->data_end_ns);
    if (!target.ok()) return FailCommand("regress", Status::InvalidArgument("--target: " + target.status().message()));
    Result<RegressReport> report = CompareSides(*ctx->store, ctx->scope, *base, *target, args->options);
    if (!report.ok()) return FailCommand("regress", report.status());
    PrintTables(RegressTables(*report), args->common.format);
  });
}

}  // namespace ddbg::cli
