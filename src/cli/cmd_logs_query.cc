// `ddbg logs query '<LogQL>'`: log lines or metric series from the store.
#include <cstdio>

#include "cli/data_source.h"
#include "cli/query_options.h"
#include "ddbg/logql.h"
#include "query/lexer.h"

namespace ddbg::cli {
namespace {

struct LogsQueryArgs {
  std::string query;
  QueryOptions common;
  std::string step;
  bool by_trace = false;
};

void Run(const LogsQueryArgs& args, const GlobalOptions& global) {
  const char* command = "logs query";
  LogQueryOptions options;
  options.limit = args.common.limit;
  if (!TimeRangeOf(args.common, command, &options.range)) return;
  if (!args.step.empty() && !query::ParseQueryDuration(args.step, &options.step_ns)) {
    fmt::print(stderr, "ddbg {}: --step must be a duration such as 1m, got '{}'\n", command, args.step);
    return SetExitCode(1);
  }
  if (Status st = CheckLogQL(args.query); !st.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, st.message());
    return SetExitCode(1);
  }
  std::unique_ptr<DataSource> source = DataSource::Open(global, command);
  if (!source) return;
  Result<LogQueryResult> r = source->EvalLogQL(args.query, options);
  if (!r.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, r.status().ToString());
    return SetExitCode(1);
  }
  if (args.by_trace && r->is_metric) {
    fmt::print(stderr, "ddbg {}: --by-trace groups log lines; a metric query has none\n", command);
    return SetExitCode(1);
  }
  if (args.common.explain) fmt::print(stderr, "{}", FormatExplain(r->explain));
  bool json = args.common.format == "json";
  std::string out = args.by_trace ? (json ? LogsByTraceJson(*r) : LogsByTraceTable(*r))
                                  : (json ? LokiQueryJson(*r) : LogQueryTable(*r));
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void AddLogsQueryCommand(CLI::App& logs_group, GlobalOptions& global) {
  auto args = std::make_shared<LogsQueryArgs>();
  args->common.limit = 100;
  CLI::App* cmd = logs_group.add_subcommand(
      "query",
      "Query logs with LogQL: {service=\"checkout\"} |= \"timeout\" | json | latency_ms > 500, "
      "or metrics: sum by (service) (count_over_time({level=\"error\"}[5m])) (see docs/query.md).");
  cmd->add_option("LOGQL", args->query, "a LogQL log or metric query")->required();
  AddQueryOptions(cmd, &args->common, global);
  cmd->add_option("--step", args->step, "metric queries: time between samples (default: range/100, at least 1s)");
  cmd->add_flag("--by-trace", args->by_trace,
                "group the lines by trace id (traces in order of their first line; lines "
                "without a trace id last)");
  SupportsServer(cmd, global);
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli
