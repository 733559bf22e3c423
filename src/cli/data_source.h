// Where a query command's data comes from: the store directory of --data, or a running
// `ddbg serve` given by the global --server URL (token from --token-file F or DDBG_TOKEN).
// The calls mirror the library functions the commands use, so a command prints the same
// output either way. Also the global options themselves: --server and --token-file on the
// top-level app, the list of commands that work with them, and the refusal of the others.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "client/server_client.h"
#include "ddbg/logql.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"

namespace ddbg::cli {

class DataSource {
 public:
  // The server of --server when given, else the store of --data (opened read-only with
  // `options`); null after printing an error for `command`.
  static std::unique_ptr<DataSource> Open(const GlobalOptions& global, const char* command,
                                          EmbeddedStoreOptions options = {
                                              .create_if_missing = false, .read_only = true});
  // The --data directory or the server URL, for messages.
  const std::string& name() const { return name_; }
  // The local store; null with --server.
  Store* store() { return store_.get(); }

  Result<TraceSearchResult> SearchTraceQL(std::string_view traceql, const TraceSearchOptions& o);
  Result<LogQueryResult> EvalLogQL(std::string_view logql, const LogQueryOptions& o);
  Result<StoreStats> Stats();
  Result<SpanBatch> GetTrace(TraceId id);
  Result<LogBatch> GetTraceLogs(TraceId id);

 private:
  std::string name_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<client::ServerClient> server_;
};

// Adds --server URL and --token-file F to the top-level app; they may be given before or
// after the subcommand. Call before adding the subcommands.
void AddServerOptions(CLI::App& app, GlobalOptions& global);
// Marks `cmd` as working with --server.
void SupportsServer(CLI::App* cmd, GlobalOptions& global);
// Adds to every command's --help whether it works with --server, and makes every other
// command refuse --server with an error naming --data DIR. Call after adding the commands.
void FinishServerOptions(CLI::App& app, GlobalOptions& global);

}  // namespace ddbg::cli
