// Options shared by the trace-analysis commands (topology, critical-path, bottlenecks,
// errors, perf, regress): the scope (--since/--until/--time-window/--services/--where), the
// store and --format; opening the store and turning the options into an AnalysisScope.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ddbg/analysis_scope.h"
#include "ddbg/store.h"
#include "report/report_table.h"

namespace ddbg::cli {

struct AnalysisArgs {
  ScopeText scope;
  std::string format = "table";
};

// Registers --data, the scope options and --format (one of `formats`).
void AddAnalysisOptions(CLI::App* cmd, AnalysisArgs* args, GlobalOptions& global,
                        const std::vector<std::string>& formats = {"table", "json", "csv", "md"});

struct AnalysisContext {
  std::unique_ptr<Store> store;
  AnalysisScope scope;
  int64_t data_end_ns = 0;
};

// Opens the store read-only and parses the scope; on failure prints "ddbg <command>: …",
// sets exit code 1 and returns nullopt.
std::optional<AnalysisContext> OpenAnalysis(const char* command, const AnalysisArgs& args,
                                            const GlobalOptions& global);

// Prints "ddbg <command>: <status>" and sets exit code 1.
void FailCommand(const char* command, const Status& status);
// Writes tables in the chosen format to stdout.
void PrintTables(const std::vector<ReportTable>& tables, const std::string& format);
void PrintText(const std::string& text);

}  // namespace ddbg::cli
