#include "cli/analysis_cli.h"

#include <fmt/format.h>

#include <cstdio>

namespace ddbg::cli {

void AddAnalysisOptions(CLI::App* cmd, AnalysisArgs* args, GlobalOptions& global,
                        const std::vector<std::string>& formats) {
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--since", args->scope.since,
                  "start: RFC 3339, epoch, or a duration before the end of the data (30m)");
  cmd->add_option("--until", args->scope.until, "end: same forms as --since");
  cmd->add_option("--time-window", args->scope.time_window,
                  "the last D of the data (e.g. 30m, 2h); not with --since");
  cmd->add_option("--services", args->scope.services,
                  "comma-separated services: traces touching any of them");
  cmd->add_option("--where", args->scope.where, "TraceQL filter, e.g. '{ status = error }'");
  cmd->add_option("--format", args->format, "output format")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
}

void FailCommand(const char* command, const Status& status) {
  fmt::print(stderr, "ddbg {}: {}\n", command, status.message());
  SetExitCode(1);
}

std::optional<AnalysisContext> OpenAnalysis(const char* command, const AnalysisArgs& args,
                                            const GlobalOptions& global) {
  auto store = OpenEmbeddedStore(global.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    FailCommand(command, Status::NotFound(fmt::format("cannot open store {}: {}", global.data_dir,
                                                      store.status().message())));
    return std::nullopt;
  }
  AnalysisContext ctx;
  ctx.store = std::move(*store);
  Result<TimeRange> bounds = ctx.store->DataTimeRange();
  if (!bounds.ok()) {
    FailCommand(command, bounds.status());
    return std::nullopt;
  }
  ctx.data_end_ns = bounds->max_ns;
  Result<AnalysisScope> scope = ParseScope(args.scope, ctx.data_end_ns);
  if (!scope.ok()) {
    FailCommand(command, scope.status());
    return std::nullopt;
  }
  ctx.scope = std::move(*scope);
  return ctx;
}

void PrintText(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void PrintTables(const std::vector<ReportTable>& tables, const std::string& format) {
  ReportFormat f = ReportFormat::kTable;
  ParseReportFormat(format, &f);
  PrintText(RenderTables(tables, f));
}

}  // namespace ddbg::cli
