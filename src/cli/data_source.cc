#include "cli/data_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "client/remote_query.h"
#include "ddbg/server.h"

namespace ddbg::cli {
namespace {

constexpr char kServerHelp[] =
    "With --server URL (a global option, before or after the command) it asks a running "
    "`ddbg serve` instead of reading --data DIR; the bearer token comes from --token-file F "
    "or the DDBG_TOKEN environment variable (see docs/http-api.md).\n";
constexpr char kNoServerHelp[] =
    "This command reads a store directory (--data DIR) and does not work with --server URL.\n";

// The token for --server: the file of --token-file, else $DDBG_TOKEN, else none.
Result<std::string> ServerToken(const GlobalOptions& global) {
  if (!global.token_file.empty()) return ReadTokenFile(global.token_file);
  const char* env = std::getenv("DDBG_TOKEN");
  return std::string(env != nullptr ? env : "");
}

std::string CommandPath(const CLI::App* cmd) {
  std::string path;
  for (; cmd != nullptr && cmd->get_parent() != nullptr; cmd = cmd->get_parent()) {
    path = cmd->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

// The innermost subcommand that was given.
const CLI::App* GivenCommand(const CLI::App& app) {
  const CLI::App* cmd = &app;
  while (!cmd->get_subcommands().empty()) cmd = cmd->get_subcommands().front();
  return cmd;
}

void CheckServerUse(const CLI::App& app, const GlobalOptions& global) {
  if (global.server_url.empty()) return;
  const CLI::App* cmd = GivenCommand(app);
  std::string name = CommandPath(cmd);
  const auto& ok = global.server_commands;
  if (std::find(ok.begin(), ok.end(), cmd) == ok.end()) {
    throw CLI::ParseError(fmt::format("ddbg {}: does not work with --server (it needs the store "
                                      "itself): run it with --data DIR on the server's data "
                                      "directory",
                                      name),
                          1);
  }
  const CLI::Option* data = cmd->get_option_no_throw("--data");
  if (data != nullptr && data->count() > 0) {
    throw CLI::ParseError(fmt::format("ddbg {}: give --data DIR or --server URL, not both", name), 1);
  }
}

void AddHelp(CLI::App* cmd, const GlobalOptions& global) {
  for (CLI::App* sub : cmd->get_subcommands(std::function<bool(CLI::App*)>())) {
    const auto& ok = global.server_commands;
    bool remote = std::find(ok.begin(), ok.end(), sub) != ok.end();
    std::string footer = sub->get_footer();
    sub->footer(footer + (footer.empty() ? "" : "\n") + (remote ? kServerHelp : kNoServerHelp));
    AddHelp(sub, global);
  }
}

}  // namespace

std::unique_ptr<DataSource> DataSource::Open(const GlobalOptions& global, const char* command,
                                             EmbeddedStoreOptions options) {
  auto source = std::unique_ptr<DataSource>(new DataSource());
  if (global.server_url.empty()) {
    auto store = OpenEmbeddedStore(global.data_dir, options);
    if (!store.ok()) {
      fmt::print(stderr, "ddbg {}: cannot open store {}: {}\n", command, global.data_dir,
                 store.status().ToString());
      SetExitCode(1);
      return nullptr;
    }
    source->name_ = global.data_dir;
    source->store_ = std::move(store).value();
    return source;
  }
  Result<std::string> token = ServerToken(global);
  if (!token.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, token.status().message());
    SetExitCode(1);
    return nullptr;
  }
  auto server = client::ServerClient::Open(
      {.url = global.server_url, .token = *token, .timeout_s = global.server_timeout_s});
  if (!server.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, server.status().message());
    SetExitCode(1);
    return nullptr;
  }
  source->server_ = std::move(server).value();
  source->name_ = source->server_->url();
  return source;
}

Result<TraceSearchResult> DataSource::SearchTraceQL(std::string_view traceql,
                                                    const TraceSearchOptions& o) {
  return server_ ? client::RemoteSearchTraceQL(*server_, traceql, o)
                 : ddbg::SearchTraceQL(*store_, traceql, o);
}

Result<LogQueryResult> DataSource::EvalLogQL(std::string_view logql, const LogQueryOptions& o) {
  return server_ ? client::RemoteEvalLogQL(*server_, logql, o) : ddbg::EvalLogQL(*store_, logql, o);
}

Result<StoreStats> DataSource::Stats() {
  return server_ ? client::RemoteStats(*server_) : store_->Stats();
}

Result<SpanBatch> DataSource::GetTrace(TraceId id) {
  return server_ ? client::RemoteGetTrace(*server_, id) : store_->GetTrace(id);
}

Result<LogBatch> DataSource::GetTraceLogs(TraceId id) {
  return server_ ? client::RemoteGetTraceLogs(*server_, id) : store_->GetTraceLogs(id);
}

void AddServerOptions(CLI::App& app, GlobalOptions& global) {
  // Subcommands created after this pass options they do not know to the top-level app.
  app.fallthrough();
  app.add_option("--server", global.server_url,
                 "ask a running `ddbg serve` at this URL (http://HOST:PORT) instead of reading "
                 "--data DIR (trace, query, search, logs query, stats)");
  app.add_option("--token-file", global.token_file,
                 "with --server: a file holding the bearer token (default: $DDBG_TOKEN)");
  app.add_option("--server-timeout", global.server_timeout_s,
                 "with --server: seconds to wait for the connection and for each answer")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
}

void SupportsServer(CLI::App* cmd, GlobalOptions& global) { global.server_commands.push_back(cmd); }

void FinishServerOptions(CLI::App& app, GlobalOptions& global) {
  AddHelp(&app, global);
  app.parse_complete_callback([&app, &global] { CheckServerUse(app, global); });
}

}  // namespace ddbg::cli
