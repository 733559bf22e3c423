// ddbg: the distributed debugger. main() only assembles the subcommands.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/data_source.h"

namespace ddbg::cli {
namespace {
int g_exit_code = 0;
}
void SetExitCode(int code) { g_exit_code = code; }
int ExitCode() { return g_exit_code; }
}  // namespace ddbg::cli

int main(int argc, char** argv) {
  CLI::App app{
      "ddbg - the distributed debugger: traces, logs and events of a distributed system in "
      "one store, and the analyses of an incident."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ddbg 0.1.0");
  ddbg::cli::GlobalOptions global;
  ddbg::cli::AddServerOptions(app, global);
  ddbg::cli::AddIngestCommand(app, global);
  ddbg::cli::AddStatsCommand(app, global);
  ddbg::cli::AddTraceCommand(app, global);
  ddbg::cli::AddSimulateCommand(app, global);
  ddbg::cli::AddQueryCommand(app, global);
  ddbg::cli::AddSearchCommand(app, global);
  CLI::App* logs = ddbg::cli::AddLogsCommand(app, global);
  ddbg::cli::AddLogsQueryCommand(*logs, global);
  ddbg::cli::AddRcaCommand(app, global);
  ddbg::cli::AddTopologyCommand(app, global);
  ddbg::cli::AddCriticalPathCommand(app, global);
  ddbg::cli::AddBottlenecksCommand(app, global);
  ddbg::cli::AddErrorsCommand(app, global);
  ddbg::cli::AddPerfCommand(app, global);
  ddbg::cli::AddRegressCommand(app, global);
  ddbg::cli::AddFlowCommand(app, global);
  ddbg::cli::AddIntegrityCommand(app, global);
  ddbg::cli::AddStateCommand(app, global);
  ddbg::cli::AddProjectionsCommand(app, global);
  ddbg::cli::AddWorkflowCommand(app, global);
  ddbg::cli::AddServeCommand(app, global);
  ddbg::cli::AddDebugCommand(app, global);
  ddbg::cli::FinishServerOptions(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return ddbg::cli::ExitCode();
}
