// `ddbg logs tail [QUERY]`: follow log records as they are ingested, by polling the store.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/logs_output.h"
#include "logs/log_tail.h"

namespace ddbg::cli {
namespace {

struct TailArgs {
  std::string query;
  std::vector<std::string> services, contains;
  size_t backlog = 10;
  int interval_ms = 1000;
  uint64_t polls = 0;
  std::string format = "table";
};

void RunTail(const TailArgs& a, const GlobalOptions& g) {
  auto query = logs::CompileTailQuery(a.query, a.services, a.contains);
  if (!query.ok()) {
    fmt::print(stderr, "ddbg logs tail: {}\n", query.status().ToString());
    SetExitCode(1);
    return;
  }
  auto store = OpenEmbeddedStore(g.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    fmt::print(stderr, "ddbg logs tail: {}\n", store.status().ToString());
    SetExitCode(1);
    return;
  }
  bool json = a.format == "json";
  Status st = logs::FollowLogs(**store, *query, a.backlog, a.interval_ms, a.polls,
                               [&](const LogBatch& b, size_t i) {
                                 PrintLogLine(b, i, json);
                                 return true;
                               });
  if (!st.ok()) {
    fmt::print(stderr, "ddbg logs tail: {}\n", st.ToString());
    SetExitCode(1);
  }
}

}  // namespace

void AddLogsTailCommand(CLI::App& logs_group, GlobalOptions& global) {
  auto a = std::make_shared<TailArgs>();
  CLI::App* cmd = logs_group.add_subcommand(
      "tail", "Follow log records as they are ingested (polls the store).");
  cmd->add_option("QUERY", a->query,
                 "LogQL log query ({service=\"api\"} |= \"error\" | json …) or text the body "
                 "must contain");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--service", a->services, "only these services (repeatable)");
  cmd->add_option("--contains", a->contains, "the body must contain this text (repeatable)");
  cmd->add_option("-n,--lines", a->backlog, "show this many existing records first")
      ->capture_default_str();
  cmd->add_option("--interval", a->interval_ms, "poll interval in milliseconds")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  cmd->add_option("--polls", a->polls, "stop after this many polls (0: follow forever)");
  cmd->add_option("--format", a->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([a, &global] { RunTail(*a, global); });
}

}  // namespace ddbg::cli
