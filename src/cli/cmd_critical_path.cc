// `ddbg critical-path [TRACE_ID]`: one trace's critical path, or the aggregate over traces.
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/critical_path.h"
#include "ddbg/timing.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {
namespace {

struct CriticalPathArgs {
  AnalysisArgs common;
  std::string trace_id;
  std::string mode = "jaeger";
  bool no_skew_adjust = false;
};

void Run(const CriticalPathArgs& args, const GlobalOptions& global) {
  CriticalPathMode mode = args.mode == "crisp" ? CriticalPathMode::kCrisp : CriticalPathMode::kJaeger;
  TraceId id;
  if (!args.trace_id.empty() && (args.trace_id.size() > 32 || !ParseTraceIdHex(args.trace_id, &id))) {
    return FailCommand("critical-path", Status::InvalidArgument(
                                            "trace id must be 1 to 32 hex digits, got '" + args.trace_id + "'"));
  }
  auto ctx = OpenAnalysis("critical-path", args.common, global);
  if (!ctx) return;
  if (!args.trace_id.empty()) {
    Result<SpanBatch> batch = ctx->store->GetTrace(id);
    if (!batch.ok()) return FailCommand("critical-path", batch.status());
    if (batch->empty()) {
      return FailCommand("critical-path", Status::NotFound("trace " + args.trace_id + " not found"));
    }
    TraceTreeOptions opt;
    opt.trace_id = id;
    opt.adjust_clock_skew = !args.no_skew_adjust;
    CriticalPath cp = ComputeCriticalPath(BuildTraceTree(*batch, opt), mode);
    if (args.common.format == "json") return PrintText(CriticalPathJson(cp));
    return PrintTables(CriticalPathTables(cp), args.common.format);
  }
  Result<CriticalPathSummary> summary = AggregateCriticalPaths(*ctx->store, ctx->scope, mode);
  if (!summary.ok()) return FailCommand("critical-path", summary.status());
  PrintTables(CriticalPathSummaryTables(*summary), args.common.format);
}

}  // namespace

void AddCriticalPathCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<CriticalPathArgs>();
  CLI::App* cmd = app.add_subcommand(
      "critical-path",
      "The critical path of one trace (Jaeger's definition), or without a trace id each "
      "service's and operation's share of critical-path time at p50 and p99 and the self vs "
      "waiting breakdown per service.");
  cmd->add_option("TRACE_ID", args->trace_id, "trace id (hex)");
  AddAnalysisOptions(cmd, &args->common, global);
  cmd->add_option("--mode", args->mode, "jaeger (default) or crisp tie-breaking and async rules")
      ->check(CLI::IsMember({"jaeger", "crisp"}))
      ->capture_default_str();
  cmd->add_flag("--no-skew-adjust", args->no_skew_adjust, "use recorded times (one trace only)");
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli
