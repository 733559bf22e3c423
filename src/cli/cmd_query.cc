// `ddbg query '<TraceQL>'` and `ddbg search '<tags>'`: trace searches as a table or as
// Grafana Tempo's search JSON.
#include <cstdio>

#include "cli/data_source.h"
#include "cli/query_options.h"
#include "ddbg/traceql.h"

namespace ddbg::cli {
namespace {

struct SearchArgs {
  std::string query;
  QueryOptions common;
  size_t spss = 3;
};

void Run(const SearchArgs& args, const GlobalOptions& global, bool tags, const char* command) {
  TraceSearchOptions options;
  options.limit = args.common.limit;
  options.spans_per_spanset = args.spss;
  if (!TimeRangeOf(args.common, command, &options.scope.time)) return;
  std::string text = args.query;
  if (tags) {
    Result<std::string> q = TagSearchToTraceQL(args.query);
    if (!q.ok()) {
      fmt::print(stderr, "ddbg {}: {}\n", command, q.status().message());
      return SetExitCode(1);
    }
    text = *q;
  } else if (Status st = CheckTraceQL(text); !st.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, st.message());
    return SetExitCode(1);
  }
  std::unique_ptr<DataSource> source = DataSource::Open(global, command);
  if (!source) return;
  Result<TraceSearchResult> r = source->SearchTraceQL(text, options);
  if (!r.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", command, r.status().ToString());
    return SetExitCode(1);
  }
  if (args.common.explain) fmt::print(stderr, "{}", FormatExplain(r->explain));
  std::string out = args.common.format == "json" ? TempoSearchJson(*r) : TraceSearchTable(*r);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void AddSearchLike(CLI::App& app, GlobalOptions& global, bool tags) {
  auto args = std::make_shared<SearchArgs>();
  const char* name = tags ? "search" : "query";
  CLI::App* cmd = app.add_subcommand(
      name, tags ? "Find traces with the Jaeger UI tag search: service=checkout AND "
                   "http.status_code=500 AND minDuration=1s (see docs/query.md)."
                 : "Find traces with TraceQL: { resource.service.name = \"checkout\" && "
                   "span.http.status_code >= 500 } | count() > 2 (see docs/query.md).");
  cmd->add_option(tags ? "TAGS" : "TRACEQL", args->query,
                  tags ? "key=value terms joined by AND" : "a TraceQL query")
      ->required();
  AddQueryOptions(cmd, &args->common, global);
  cmd->add_option("--spss", args->spss, "spans shown per spanset (0: all)")->capture_default_str();
  SupportsServer(cmd, global);
  cmd->callback([args, &global, tags, name] { Run(*args, global, tags, name); });
}

}  // namespace

void AddQueryCommand(CLI::App& app, GlobalOptions& global) { AddSearchLike(app, global, false); }
void AddSearchCommand(CLI::App& app, GlobalOptions& global) { AddSearchLike(app, global, true); }

}  // namespace ddbg::cli
