// `ddbg topology`: the service dependency graph (table, JSON, DOT, Mermaid).
#include <memory>

#include "cli/analysis_cli.h"
#include "ddbg/decode.h"
#include "ddbg/topology.h"
#include "report/analysis_tables.h"

namespace ddbg::cli {
namespace {

struct TopologyArgs {
  AnalysisArgs common;
  std::string dependencies;  // a Jaeger dependencies JSON file instead of the store
};

void Run(const TopologyArgs& args, const GlobalOptions& global) {
  Topology topo;
  if (!args.dependencies.empty()) {
    Result<std::string> text = ReadFileDecompressed(args.dependencies);
    if (!text.ok()) return FailCommand("topology", text.status());
    auto links = ParseJaegerDependencies(*text);
    if (!links.ok()) {
      return FailCommand("topology", Status::InvalidArgument(args.dependencies + ": " +
                                                             links.status().message()));
    }
    topo = TopologyFromDependencies(*links);
  } else {
    auto ctx = OpenAnalysis("topology", args.common, global);
    if (!ctx) return;
    Result<Topology> r = ComputeTopology(*ctx->store, ctx->scope);
    if (!r.ok()) return FailCommand("topology", r.status());
    topo = std::move(*r);
  }
  if (args.common.format == "dot") return PrintText(TopologyDot(topo));
  if (args.common.format == "mermaid") return PrintText(TopologyMermaid(topo));
  PrintTables(TopologyTables(topo), args.common.format);
}

}  // namespace

void AddTopologyCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<TopologyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "topology",
      "Service dependency graph from cross-service parent/child edges and messaging links: "
      "calls, error rate and p50/p95/p99 per edge, degrees and rates per service, cycles.");
  AddAnalysisOptions(cmd, &args->common, global, {"table", "json", "csv", "md", "dot", "mermaid"});
  cmd->add_option("--dependencies", args->dependencies,
                  "read a Jaeger /api/dependencies JSON file instead of the store");
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli
