// Subcommands of the ddbg program. Each Add*Command registers its options and a callback
// on the CLI11 app; the callback calls one library function and prints. Exit codes follow
// the common convention of the CLI: 0 success, 1 failure (nothing could be done), 2 partial
// (e.g. some records rejected). A callback reports its exit code through SetExitCode().
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ddbg::cli {

// Options shared by every command that reads or writes a store.
struct GlobalOptions {
  std::string data_dir = "./ddbg-data";
  std::string server_url;  // --server URL: a running `ddbg serve` instead of --data
  std::string token_file;  // --token-file F: its bearer token (else $DDBG_TOKEN)
  double server_timeout_s = 60;  // --server-timeout S
  std::vector<const CLI::App*> server_commands;  // the commands that work with --server
};

void SetExitCode(int code);
int ExitCode();

void AddIngestCommand(CLI::App& app, GlobalOptions& global);
void AddStatsCommand(CLI::App& app, GlobalOptions& global);
void AddTraceCommand(CLI::App& app, GlobalOptions& global);
void AddSimulateCommand(CLI::App& app, GlobalOptions& global);
void AddQueryCommand(CLI::App& app, GlobalOptions& global);
void AddSearchCommand(CLI::App& app, GlobalOptions& global);
// Adds `query` (LogQL) to the `logs` command group.
void AddLogsQueryCommand(CLI::App& logs_group, GlobalOptions& global);
// `ddbg logs …`; returns the group so other subcommands (logs query) can be added to it.
CLI::App* AddLogsCommand(CLI::App& app, GlobalOptions& global);
void AddLogsTailCommand(CLI::App& logs_group, GlobalOptions& global);
void AddRcaCommand(CLI::App& app, GlobalOptions& global);
void AddTopologyCommand(CLI::App& app, GlobalOptions& global);
void AddCriticalPathCommand(CLI::App& app, GlobalOptions& global);
void AddBottlenecksCommand(CLI::App& app, GlobalOptions& global);
void AddErrorsCommand(CLI::App& app, GlobalOptions& global);
void AddPerfCommand(CLI::App& app, GlobalOptions& global);
void AddRegressCommand(CLI::App& app, GlobalOptions& global);
void AddFlowCommand(CLI::App& app, GlobalOptions& global);
void AddIntegrityCommand(CLI::App& app, GlobalOptions& global);
void AddStateCommand(CLI::App& app, GlobalOptions& global);
void AddProjectionsCommand(CLI::App& app, GlobalOptions& global);
void AddWorkflowCommand(CLI::App& app, GlobalOptions& global);
void AddServeCommand(CLI::App& app, GlobalOptions& global);
void AddDebugCommand(CLI::App& app, GlobalOptions& global);

}  // namespace ddbg::cli
